"""The allocation LP fed to HiGHS directly, as arrays (the hot path).

The same model as :mod:`rcc.allocation.model` (whose PuLP build users can see,
extend and export): rows are the cohorts' demand equalities then the homes'
capacities; columns are one unmet variable per cohort then one variable per
edge. The matrix is built with numpy and handed to HiGHS in one call per
block; one HiGHS model is kept across pricing rounds (new edges are added as
columns and the next solve starts from the last basis).
"""

from __future__ import annotations

import attrs
import numpy as np

from rcc.core import _compat

__all__ = ["HighsAllocation", "LpRound"]


@attrs.frozen(eq=False)
class LpRound:
    """One solve of the allocation LP (a pricing round), by either path.

    ``outcome`` is the solver's :class:`~rcc.core._compat.SolverOutcome`;
    with a solution, ``x`` (values of the built edges, in ``edge`` order:
    positions in the full edge table), ``u`` (unmet per cohort) and, when
    optimal, the duals ``y`` (demand rows) and ``z`` (capacity rows).
    """

    outcome: _compat.SolverOutcome
    x: np.ndarray | None = None
    u: np.ndarray | None = None
    y: np.ndarray | None = None
    z: np.ndarray | None = None
    edge: np.ndarray | None = None
    variables: int = 0
    constraints: int = 0


class HighsAllocation:
    """One allocation LP held in an in-process HiGHS model.

    Parameters
    ----------
    demand : numpy.ndarray
        Children of each cohort (demand rows).
    places : numpy.ndarray
        Places of each home (capacity rows).
    unmet_cost : numpy.ndarray
        Objective coefficient of each cohort's unmet child.
    threads : int or None
        HiGHS threads (``None``: HiGHS's default).
    msg : bool
        Show the HiGHS log.
    """

    def __init__(self, demand: np.ndarray, places: np.ndarray, unmet_cost: np.ndarray, threads: int | None, msg: bool) -> None:
        import highspy

        self.n_cohorts, self.n_homes = len(demand), len(places)
        self.threads = threads
        self.n_edges = 0
        h = highspy.Highs()
        h.setOptionValue("output_flag", bool(msg))
        if threads:
            h.setOptionValue("threads", int(threads))
        inf = highspy.kHighsInf
        n_rows = self.n_cohorts + self.n_homes
        d = np.asarray(demand, dtype=float)
        lower = np.r_[d, np.full(self.n_homes, -inf)]
        upper = np.r_[d, np.asarray(places, dtype=float)]
        h.addRows(n_rows, lower, upper, 0, np.zeros(n_rows, dtype=np.int32), np.zeros(0, np.int32), np.zeros(0))
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

    def add_edges(self, cohort: np.ndarray, home: np.ndarray, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Add one column per edge: x_ch in cohort c's demand row and home h's capacity row."""
        n = len(cohort)
        if n == 0:
            return
        index = np.empty(2 * n, dtype=np.int32)
        index[0::2] = cohort
        index[1::2] = self.n_cohorts + np.asarray(home)
        up = np.where(np.isfinite(upper), upper, self._inf).astype(float)
        self.highs.addCols(
            n,
            np.asarray(cost, dtype=float),
            np.asarray(lower, dtype=float),
            up,
            2 * n,
            np.arange(0, 2 * n, 2, dtype=np.int32),
            index,
            np.ones(2 * n),
        )
        self.n_edges += n

    def solve(self, time_limit_s: float | None) -> LpRound:
        """Solve (warm from the last basis): the outcome and, with a solution,
        ``x`` (edge values in the order added), ``u`` (unmet per cohort) and,
        when optimal, ``y`` (demand duals) and ``z`` (capacity duals)."""
        h = self.highs
        h.setOptionValue("time_limit", float(time_limit_s) if time_limit_s is not None else self._inf)
        with _compat.highs_scheduler(self.threads):
            h.run()
        outcome = _compat.highs_outcome(h, mip=False)
        if not outcome.has_solution:
            return LpRound(outcome)
        sol = h.getSolution()
        col = np.asarray(sol.col_value)
        y = z = None
        if outcome.status == "optimal":
            row = np.asarray(sol.row_dual)
            y, z = row[: self.n_cohorts], row[self.n_cohorts :]
        return LpRound(outcome, x=col[self.n_cohorts :], u=col[: self.n_cohorts], y=y, z=z)
