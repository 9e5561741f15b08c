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

from collections.abc import Mapping

import attrs
import numpy as np

from rcc.core import solvers

__all__ = ["HighsAllocation", "LpRound"]


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
