"""The allocation LP fed to HiGHS directly, as arrays (the hot path).

The same model as :mod:`rcc.allocation.model` (whose PuLP build users can see,
extend and export): rows are the named row blocks one after the other (the
cohorts' demand equalities, the homes' capacities, then any further
:class:`~rcc.allocation.model.RowBlock`), each block a slice of rows
(:attr:`HighsAllocation.blocks`); columns are one unmet variable per cohort
then one variable per edge. The matrix is built with numpy and handed to HiGHS in one call per
block; one HiGHS model is kept across pricing rounds (new edges are added as
columns and the next solve starts from the last basis).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import attrs
import numpy as np

from rcc.core import solvers

__all__ = ["HighsAllocation", "HighsRounds", "LpRound", "SplitRounds"]


@attrs.frozen(eq=False)
class LpRound:
    """One solve of the allocation LP (a pricing round), by either path.

    ``outcome`` is the solver's :class:`~rcc.core.solvers.SolverOutcome`;
    with a solution, ``x`` (values of the built edges, in ``edge`` order:
    positions in the full edge table), ``u`` (unmet per cohort) and, when
    optimal, ``duals`` (each row block's duals, by block name; ``y`` and
    ``z`` are the demand and capacity blocks').
    """

    outcome: solvers.SolverOutcome
    x: np.ndarray | None = None
    u: np.ndarray | None = None
    duals: Mapping[str, np.ndarray] | None = None
    edge: np.ndarray | None = None
    variables: int = 0
    constraints: int = 0

    @property
    def y(self) -> np.ndarray | None:
        """Duals of the demand rows."""
        return None if self.duals is None else self.duals["demand"]

    @property
    def z(self) -> np.ndarray | None:
        """Duals of the capacity rows."""
        return None if self.duals is None else self.duals["capacity"]


class HighsAllocation:
    """One allocation LP held in an in-process HiGHS model.

    Parameters
    ----------
    blocks : Mapping[str, tuple of numpy.ndarray]
        Lower and upper bound of each row, by row block, in row order; the
        first block is the demand rows (one per cohort: the unmet columns enter them).
    unmet_cost : numpy.ndarray
        Objective coefficient of each cohort's unmet child.
    threads : int or None
        HiGHS threads (``None``: HiGHS's default).
    msg : bool
        Show the HiGHS log.
    """

    def __init__(
        self, blocks: Mapping[str, tuple[np.ndarray, np.ndarray]], unmet_cost: np.ndarray, threads: int | None, msg: bool
    ) -> None:
        import highspy

        self.blocks: dict[str, slice] = {}
        start = 0
        for name, (lo, _) in blocks.items():
            self.blocks[name] = slice(start, start + len(lo))
            start += len(lo)
        self.n_rows = start
        self.n_cohorts = len(unmet_cost)
        self.threads = threads
        self.n_edges = 0
        solvers.silence_highs_banner()
        h = highspy.Highs()
        h.setOptionValue("output_flag", bool(msg))
        if threads:
            h.setOptionValue("threads", int(threads))
        inf = highspy.kHighsInf
        lower = np.concatenate([np.asarray(lo, dtype=float) for lo, _ in blocks.values()])
        upper = np.concatenate([np.asarray(up, dtype=float) for _, up in blocks.values()])
        lower[np.isneginf(lower)] = -inf
        upper[np.isposinf(upper)] = inf
        h.addRows(self.n_rows, lower, upper, 0, np.zeros(self.n_rows, dtype=np.int32), np.zeros(0, np.int32), np.zeros(0))
        c = self.n_cohorts
        h.addCols(
            c,
            np.asarray(unmet_cost, dtype=float),
            np.zeros(c),
            np.full(c, inf),
            c,
            np.arange(c, dtype=np.int32),
            np.arange(c, dtype=np.int32),
            np.ones(c),
        )
        self.highs = h
        self._inf = inf

    def add_edges(self, rows: Mapping[str, np.ndarray], cost: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Add one column per edge: coefficient 1 in the row it enters of each block (``rows``: by block
        name, the row of each edge, -1 for none)."""
        n = len(cost)
        if n == 0:
            return
        at = np.stack([np.where(r >= 0, self.blocks[b].start + np.asarray(r), -1) for b, r in rows.items()], axis=1)
        at.sort(axis=1)  # each column's rows in row order
        used = at >= 0
        count = used.sum(axis=1)
        up = np.where(np.isfinite(upper), upper, self._inf).astype(float)
        self.highs.addCols(
            n,
            np.asarray(cost, dtype=float),
            np.asarray(lower, dtype=float),
            up,
            int(count.sum()),
            (np.cumsum(count) - count).astype(np.int32),
            at[used].astype(np.int32),
            np.ones(int(count.sum())),
        )
        self.n_edges += n

    def solve(self, time_limit_s: float | None) -> LpRound:
        """Solve (warm from the last basis): the outcome and, with a solution,
        ``x`` (edge values in the order added), ``u`` (unmet per cohort) and,
        when optimal, ``duals`` (by row block)."""
        h = self.highs
        h.setOptionValue("time_limit", float(time_limit_s) if time_limit_s is not None else self._inf)
        with solvers.highs_scheduler(self.threads):
            h.run()
        outcome = solvers.highs_outcome(h, mip=False)
        if not outcome.has_solution:
            return LpRound(outcome)
        sol = h.getSolution()
        col = np.asarray(sol.col_value)
        duals = None
        if outcome.status == "optimal":
            row = np.asarray(sol.row_dual)
            duals = {name: row[rows] for name, rows in self.blocks.items()}
        return LpRound(outcome, x=col[self.n_cohorts :], u=col[: self.n_cohorts], duals=duals)

    def set_row_bounds(self, block: str, lower: np.ndarray, upper: np.ndarray) -> None:
        """New bounds for every row of one block (e.g. another demand draw); the basis is kept, so the
        next :meth:`solve` starts from it."""
        rows = self.blocks[block]
        lo = np.where(np.isneginf(lower), -self._inf, np.asarray(lower, dtype=float))
        up = np.where(np.isposinf(upper), self._inf, np.asarray(upper, dtype=float))
        idx = np.arange(rows.start, rows.stop, dtype=np.int32)
        self.highs.changeRowsBounds(len(idx), idx, lo, up)


class HighsRounds:
    """Pricing rounds on one HiGHS model fed from arrays: entering edges are added as
    columns and each round starts from the last basis.

    Parameters
    ----------
    bounds : Mapping[str, tuple of numpy.ndarray]
        Row bounds by block (see :class:`HighsAllocation`).
    held, cost, cap : numpy.ndarray
        Lower bound (children already placed), objective coefficient and upper bound of each edge.
    edge_rows : Mapping[str, numpy.ndarray]
        Row of each edge in each block (-1 for none).
    unmet_cost : numpy.ndarray
    threads : int or None
    msg : bool
    """

    def __init__(self, bounds: Mapping[str, tuple[np.ndarray, np.ndarray]], held: np.ndarray,
                 edge_rows: Mapping[str, np.ndarray], cost: np.ndarray, unmet_cost: np.ndarray, cap: np.ndarray,
                 threads: int | None, msg: bool) -> None:
        self.model = HighsAllocation(bounds, unmet_cost, threads, msg)
        self.edge_rows, self.held, self.cost, self.cap = edge_rows, held, cost, cap
        self.built = np.zeros(len(cost), dtype=bool)
        self.columns = np.zeros(0, dtype=np.int64)  # edge of each column, in column order

    def set_demand(self, demand: np.ndarray) -> None:
        """Another right-hand side for the demand rows (the model, its columns and basis kept)."""
        self.model.set_row_bounds("demand", demand, demand)

    def solve(self, active: np.ndarray, left: float | None) -> tuple[LpRound, float]:
        """Add the active edges not yet built and solve; the round and the solver's seconds."""
        new = np.flatnonzero(active & ~self.built)
        rows = {b: r[new] for b, r in self.edge_rows.items()}
        self.model.add_edges(rows, self.cost[new], self.held[new], self.cap[new])
        self.built[new] = True
        self.columns = np.r_[self.columns, new]
        t0 = time.perf_counter()
        result = self.model.solve(left)
        runtime = time.perf_counter() - t0
        return attrs.evolve(
            result,
            edge=self.columns if result.outcome.has_solution else None,
            variables=self.model.n_cohorts + self.model.n_edges,
            constraints=self.model.n_rows,
        ), runtime


class SplitRounds:
    """Pricing rounds on the independent parts of the network, one :class:`HighsRounds` each.

    The allocation LP with only the demand and capacity blocks falls apart into one LP per
    connected part of the network (cohorts and homes joined by edges; see
    :func:`rcc.allocation.network.edge_components`): parts share no row. Each part is solved on its
    own model (the simplex's work grows faster than the model, so many small LPs beat one large
    one), and only the parts with new columns or new demand are solved again. A round's point,
    duals and objective are the parts' put together (cohorts without any edge: all unmet, dual
    their unmet cost), so pricing and the bound read them as the whole model's.
    """

    def __init__(self, bounds: Mapping[str, tuple[np.ndarray, np.ndarray]], held: np.ndarray,
                 edge_rows: Mapping[str, np.ndarray], cost: np.ndarray, unmet_cost: np.ndarray, cap: np.ndarray,
                 part: np.ndarray, threads: int | None, msg: bool) -> None:
        cohort, home = edge_rows["demand"], edge_rows["capacity"]
        self.n_homes = len(bounds["capacity"][1])
        self.unmet_cost = unmet_cost
        self.demand = np.asarray(bounds["demand"][0], dtype=float)
        order = np.argsort(part, kind="stable")
        cuts = np.cumsum(np.bincount(part, minlength=int(part.max()) + 1 if len(part) else 0))[:-1]
        self.parts = []
        for idx in np.split(order, cuts):
            cs, hs = np.unique(cohort[idx]), np.unique(home[idx])
            local = {"demand": np.searchsorted(cs, cohort[idx]), "capacity": np.searchsorted(hs, home[idx])}
            sub = {"demand": (self.demand[cs], self.demand[cs]),
                   "capacity": (bounds["capacity"][0][hs], bounds["capacity"][1][hs])}
            rounds = HighsRounds(sub, held[idx], local, cost[idx], unmet_cost[cs], cap[idx], threads, msg)
            self.parts.append((idx, cs, hs, rounds))
        self.last: list[LpRound | None] = [None] * len(self.parts)

    @property
    def built(self) -> np.ndarray:
        """Whether each edge is a column of its part's model."""
        out = np.zeros(sum(len(idx) for idx, _, _, _ in self.parts), dtype=bool)
        for idx, _, _, rounds in self.parts:
            out[idx] = rounds.built
        return out

    def set_demand(self, demand: np.ndarray) -> None:
        """Another right-hand side for the demand rows: the parts whose cohorts' demand changed are solved again."""
        demand = np.asarray(demand, dtype=float)
        for i, (_, cs, _, rounds) in enumerate(self.parts):
            if not np.array_equal(demand[cs], self.demand[cs]):
                rounds.set_demand(demand[cs])
                self.last[i] = None
        self.demand = demand.copy()

    def solve(self, active: np.ndarray, left: float | None) -> tuple[LpRound, float]:
        """Solve the parts with new columns (or new demand); the whole model's round and the solver's seconds."""
        runtime = 0.0
        for i, (idx, _, _, rounds) in enumerate(self.parts):
            sub = active[idx]
            if self.last[i] is not None and not (sub & ~rounds.built).any():
                continue  # nothing new in this part: its last optimum stands
            rnd, seconds = rounds.solve(sub, None if left is None else left - runtime)
            runtime += seconds
            self.last[i] = rnd
            if rnd.outcome.status != "optimal":  # no plan (split only without a time limit): the part's outcome
                outcome = attrs.evolve(rnd.outcome, has_solution=False)
                return LpRound(outcome, variables=rnd.variables, constraints=rnd.constraints), runtime
        return self._whole(), runtime

    def _whole(self) -> LpRound:
        """The parts' optima as one round of the whole model."""
        u = self.demand.copy()
        y = np.asarray(self.unmet_cost, dtype=float).copy()
        z = np.zeros(self.n_homes)
        xs, edge, objective, variables = [], [], 0.0, 0
        for (idx, cs, hs, _), rnd in zip(self.parts, self.last):
            u[cs], y[cs], z[hs] = rnd.u, rnd.y, rnd.z
            xs.append(rnd.x)
            edge.append(idx[rnd.edge])
            objective += rnd.outcome.objective
            variables += len(rnd.edge)
        loose = np.ones(len(u), dtype=bool)
        for _, cs, _, _ in self.parts:
            loose[cs] = False
        objective += float(self.unmet_cost[loose] @ self.demand[loose])
        outcome = solvers.SolverOutcome("optimal", True, objective, objective, 0.0, "Optimal")
        return LpRound(outcome, x=np.concatenate(xs), u=u, duals={"demand": y, "capacity": z},
                       edge=np.concatenate(edge), variables=len(u) + variables, constraints=len(u) + self.n_homes)
