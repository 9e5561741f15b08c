"""The sufficiency model held as arrays and fed to HiGHS in one call (the fast path).

:func:`rcc.sufficiency.model.build_sufficiency` writes its rows through the
small interface of this module (:func:`add_variables`, :func:`affine`,
:func:`add_constraint`), which PuLP problems and :class:`ArrayProblem` both
serve. An :class:`ArrayProblem` keeps columns (bounds, costs, integrality) in
numpy arrays and rows as index/coefficient arrays; its variables (:class:`Col`)
and row handles (:class:`Row`) answer the few PuLP calls the sufficiency stages
make (``lowBound``, ``upBound``, ``value()``, ``setInitialValue``, ``pi``).
:meth:`ArrayProblem.solve` hands the whole matrix to one in-process HiGHS model
(``passModel``) and keeps that model across solves of the same problem (bounds
and costs are pushed as arrays). PuLP stays the path for CBC, for exported
models and for ``SufficiencyParams.extra_constraints``; both paths build the
same rows (``tests/test_sufficiency_arrays.py`` checks their optima agree).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rcc.core import solvers
from rcc.core.solvers import SolverOutcome

__all__ = ["ArrayProblem", "Col", "Expr", "Row", "add_constraint", "add_variables", "affine", "affine_at", "bounds", "positions", "release", "set_objective", "set_upper", "set_values", "values"]


class Col:
    """One variable of an :class:`ArrayProblem` (its bounds and value live in the problem's arrays)."""

    __slots__ = ("j", "p")

    def __init__(self, p: ArrayProblem, j: int) -> None:
        self.p = p
        self.j = j

    @property
    def lowBound(self) -> float | None:  # noqa: N802 - PuLP's name
        lo = float(self.p.lb[self.j])
        return None if lo == -math.inf else lo

    @lowBound.setter
    def lowBound(self, value: float | None) -> None:  # noqa: N802
        self.p.lb[self.j] = -math.inf if value is None else float(value)

    @property
    def upBound(self) -> float | None:  # noqa: N802 - PuLP's name
        up = float(self.p.ub[self.j])
        return None if up == math.inf else up

    @upBound.setter
    def upBound(self, value: float | None) -> None:  # noqa: N802
        self.p.ub[self.j] = math.inf if value is None else float(value)

    def value(self) -> float | None:
        x = float(self.p.x[self.j])
        return None if math.isnan(x) else x

    @property
    def varValue(self) -> float | None:  # noqa: N802 - PuLP's name
        return self.value()

    def setInitialValue(self, value: float) -> None:  # noqa: N802 - PuLP's name
        self.p.x[self.j] = float(value)


class Expr:
    """A linear expression: column positions and coefficients (``expr <= rhs``, ``>=``, ``==`` make a row)."""

    __slots__ = ("coef", "idx")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, idx: np.ndarray, coef: np.ndarray) -> None:
        self.idx = idx
        self.coef = coef

    def __le__(self, rhs: float) -> tuple[Expr, float, float]:  # type: ignore[override]
        return self, -math.inf, float(rhs)

    def __ge__(self, rhs: float) -> tuple[Expr, float, float]:  # type: ignore[override]
        return self, float(rhs), math.inf

    def __eq__(self, rhs: float) -> tuple[Expr, float, float]:  # type: ignore[override]
        return self, float(rhs), float(rhs)


class Row:
    """A row's handle: ``pi`` is its dual after an LP solve (None before)."""

    __slots__ = ("i", "p")

    def __init__(self, p: ArrayProblem, i: int) -> None:
        self.p = p
        self.i = i

    @property
    def pi(self) -> float | None:
        return None if self.p.duals is None else float(self.p.duals[self.i])


class ArrayProblem:
    """A minimisation problem in arrays, solved by one in-process HiGHS model."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.n_cols = 0
        self.lb = np.zeros(0)
        self.ub = np.zeros(0)
        self.cost = np.zeros(0)
        self.integer = np.zeros(0, dtype=bool)
        self.x = np.zeros(0)
        self.duals: np.ndarray | None = None
        self._rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._row_lo: list[float] = []
        self._row_hi: list[float] = []
        #: Entries added to rows already made (:meth:`add_entries`): (rows, columns, values) arrays.
        self._entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._highs: Any = None
        #: Bounds and costs HiGHS holds (lower, upper, cost) as last pushed; None: push them all.
        self._pushed: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        #: What the HiGHS model holds: columns, rows and entry blocks passed (None: no model).
        self._passed: tuple[int, int, int] | None = None
        #: HiGHS's simplex strategy for an LP solve (1 dual, 4 primal); a start basis makes it primal.
        self.simplex_strategy = 1
        #: HiGHS options of this problem's solves (name -> value), set after rcc's own.
        self.highs_options: dict[str, Any] = {}
        #: Basis to start the next LP solve from: (column status, row status) as HiGHS's codes
        #: (0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic); see :meth:`basis`.
        self.start_basis: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ building
    def add_columns(self, n: int, low: float | None, up: float | None, integer: bool) -> list[Col]:
        start = self.n_cols
        self.n_cols += n
        self.lb = np.r_[self.lb, np.full(n, -math.inf if low is None else float(low))]
        self.ub = np.r_[self.ub, np.full(n, math.inf if up is None else float(up))]
        self.cost = np.r_[self.cost, np.zeros(n)]
        self.integer = np.r_[self.integer, np.full(n, integer)]
        self.x = np.r_[self.x, np.full(n, np.nan)]
        return [Col(self, j) for j in range(start, start + n)]

    def add_row(self, expr: Expr, lo: float, hi: float) -> Row:
        self._rows.append((expr.idx, expr.coef))
        self._row_lo.append(lo)
        self._row_hi.append(hi)
        return Row(self, len(self._rows) - 1)

    def add_entries(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        """Add coefficients to rows already made (of columns added since: new columns entering old
        rows, as a pricing round's edges do); HiGHS gets them with the new columns (``addCols``)."""
        self._entries.append((np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=float)))

    def addConstraint(self, row: tuple[Expr, float, float], name: str | None = None) -> Row:  # noqa: N802 - PuLP's name
        """Add a row made by ``expr <= rhs`` (``>=``, ``==``); as :meth:`pulp.LpProblem.addConstraint`."""
        expr, lo, hi = row
        return self.add_row(expr, lo, hi)

    def setObjective(self, expr: Expr) -> None:  # noqa: N802 - PuLP's name
        self.cost = np.zeros(self.n_cols)
        np.add.at(self.cost, expr.idx, expr.coef)

    def numConstraints(self) -> int:  # noqa: N802 - PuLP's name
        return len(self._rows)

    def isMIP(self) -> bool:  # noqa: N802 - PuLP's name
        return bool(self.integer.any())

    def recast(self, integer: np.ndarray) -> ArrayProblem:
        """The same columns and rows as a new problem with integrality ``integer`` (per column), as a fresh
        build holds it: no values, duals, basis or HiGHS model. Rows are shared (never changed in place)."""
        p = ArrayProblem(self.name)
        p.n_cols = self.n_cols
        p.lb, p.ub, p.cost = self.lb.copy(), self.ub.copy(), self.cost.copy()
        p.integer = np.asarray(integer, dtype=bool).copy()
        p.x = np.full(self.n_cols, np.nan)
        p._rows, p._row_lo, p._row_hi, p._entries = list(self._rows), list(self._row_lo), list(self._row_hi), list(self._entries)
        return p

    # ------------------------------------------------------------------ solving
    def _pass_model(self) -> None:
        """Hand the whole matrix to a new HiGHS model (one ``passModel`` call, columns as CSC)."""
        import highspy

        solvers.silence_highs_banner()
        h = highspy.Highs()
        rows, cols, vals = self._coo(0, 0)
        order = np.lexsort((rows, cols))  # column-major, rows in order within a column
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = len(self._rows)
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.lb
        lp.col_upper_ = self.ub
        lp.row_lower_ = np.asarray(self._row_lo, dtype=float)
        lp.row_upper_ = np.asarray(self._row_hi, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.r_[0, np.cumsum(np.bincount(cols, minlength=self.n_cols))].astype(np.int32)
        lp.a_matrix_.index_ = rows[order].astype(np.int32)
        lp.a_matrix_.value_ = vals[order]
        if self.integer.any():
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in self.integer]
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        self._highs = h
        self._passed = (self.n_cols, len(self._rows), len(self._entries))
        self._pushed = (self.lb.copy(), self.ub.copy(), self.cost.copy())

    def _coo(self, first_row: int, first_entries: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Entries (rows, columns, values) of the rows from ``first_row`` and of the entry blocks from ``first_entries``."""
        made = self._rows[first_row:]
        counts = np.fromiter((len(i) for i, _ in made), dtype=np.int64, count=len(made))
        parts = [
            (np.repeat(np.arange(first_row, len(self._rows), dtype=np.int64), counts),
             np.concatenate([i for i, _ in made]).astype(np.int64) if made else np.zeros(0, np.int64),
             np.concatenate([c for _, c in made]).astype(float) if made else np.zeros(0)),
            *self._entries[first_entries:],
        ]
        return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))  # type: ignore[return-value]

    def _push_new(self) -> bool:
        """Hand the HiGHS model the columns and rows added since it was passed (``addCols`` with their
        entries in the old rows, then ``addRows``); HiGHS keeps its basis (new columns at a bound, new
        rows basic). False when that is not possible (nothing passed yet, an integer column, or an
        entry of an old column in an old row): the caller passes the whole model again."""
        if self._highs is None or self._passed is None:
            return False
        pc, pr, pe = self._passed
        if (pc, pr, pe) == (self.n_cols, len(self._rows), len(self._entries)):
            return True
        if self.integer[pc:].any():
            return False
        old_rows = self._entries[pe:]  # entries of new columns in rows HiGHS holds
        r_old = np.concatenate([e[0] for e in old_rows]) if old_rows else np.zeros(0, np.int64)
        c_old = np.concatenate([e[1] for e in old_rows]) if old_rows else np.zeros(0, np.int64)
        x_old = np.concatenate([e[2] for e in old_rows]) if old_rows else np.zeros(0)
        if len(r_old) and ((r_old >= pr).any() or (c_old < pc).any()):
            return False
        h = self._highs
        n_new = self.n_cols - pc
        if n_new:
            order = np.argsort(c_old, kind="stable")
            start = np.r_[0, np.cumsum(np.bincount(c_old - pc, minlength=n_new))[:-1]].astype(np.int32)
            h.addCols(n_new, self.cost[pc:], self.lb[pc:], self.ub[pc:], len(order), start, r_old[order].astype(np.int32), x_old[order])
            if self._pushed is not None and len(self._pushed[0]) == pc:  # HiGHS holds the new columns' bounds and costs
                self._pushed = tuple(np.r_[old, new[pc:]] for old, new in zip(self._pushed, (self.lb, self.ub, self.cost)))  # type: ignore[assignment]
        made = self._rows[pr:]
        if made:
            counts = np.fromiter((len(i) for i, _ in made), dtype=np.int64, count=len(made))
            start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int32)
            index = np.concatenate([i for i, _ in made]).astype(np.int32)
            value = np.concatenate([c for _, c in made]).astype(float)
            lo = np.asarray(self._row_lo[pr:], dtype=float)
            hi = np.asarray(self._row_hi[pr:], dtype=float)
            h.addRows(len(made), lo, hi, len(index), start, index, value)
        self._passed = (self.n_cols, len(self._rows), len(self._entries))
        return True

    def solve(
        self, *, msg: bool, time_limit: float | None, gap: float | None, threads: int | None, warm_start: bool = False
    ) -> SolverOutcome:
        """Solve in HiGHS (the matrix passed once; later solves push bounds and costs).

        ``warm_start``: the columns' current values are a starting MIP solution; an LP
        starts from :attr:`start_basis` when set.
        """
        import highspy

        if self.n_cols == 0:  # nothing to choose (HiGHS refuses an empty model): feasible when every row holds at 0
            lo, hi = np.asarray(self._row_lo, dtype=float), np.asarray(self._row_hi, dtype=float)
            if ((lo <= 1e-9) & (hi >= -1e-9)).all():
                self.duals = np.zeros(len(lo))
                return SolverOutcome("optimal", True, 0.0, 0.0, 0.0, "Optimal")
            return SolverOutcome("infeasible", False, model_status="Infeasible")
        if not self._push_new():
            self._pass_model()
        h = self._highs
        self._push_bounds_and_costs(h)
        h.setOptionValue("output_flag", bool(msg))
        h.setOptionValue("time_limit", math.inf if time_limit is None else float(time_limit))
        h.setOptionValue("mip_rel_gap", 1e-4 if gap is None else float(gap))
        h.setOptionValue("mip_abs_gap", 0.0)
        if threads:
            h.setOptionValue("threads", int(threads))
        for name, value in self.highs_options.items():
            h.setOptionValue(name, value)
        mip = self.isMIP()
        if mip and warm_start and not np.isnan(self.x).any():
            sol = highspy.HighsSolution()
            sol.col_value = np.clip(self.x, self.lb, self.ub)
            sol.value_valid = True
            h.setSolution(sol)
        h.setOptionValue("simplex_strategy", self.simplex_strategy)  # dual simplex (HiGHS's choice) unless set
        if self.start_basis is not None and not mip:
            self._set_basis(h)
        with solvers.highs_scheduler(threads):
            h.run()
        outcome = solvers.highs_outcome(h, mip=mip)
        if mip:
            h.clearSolver()  # the next MIP solve (other bounds) starts afresh
        if outcome.has_solution:
            sol = h.getSolution()
            self.x = np.asarray(sol.col_value, dtype=float)
            self.duals = np.asarray(sol.row_dual, dtype=float) if not mip and outcome.status == "optimal" else None
        return outcome

    def _push_bounds_and_costs(self, h: Any) -> None:
        """Hand HiGHS the bounds and costs of the columns whose values changed since the last push
        (all of them after a pass: HiGHS's copy is then the one this problem gave)."""
        last = self._pushed
        n = self.n_cols
        if last is None or len(last[0]) != n:
            changed = np.arange(n)
        else:
            changed = np.flatnonzero((last[0] != self.lb) | (last[1] != self.ub) | (last[2] != self.cost))
        if len(changed):
            idx = changed.astype(np.int32)
            h.changeColsBounds(len(idx), idx, self.lb[changed], self.ub[changed])
            h.changeColsCost(len(idx), idx, self.cost[changed])
        self._pushed = (self.lb.copy(), self.ub.copy(), self.cost.copy())

    def release(self) -> None:
        """Free the HiGHS model (values, duals and bounds stay; a later solve passes the matrix again)."""
        self._highs = None
        self._passed = None
        self._pushed = None

    def basis(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The last LP solve's basis (column and row status codes), or None when HiGHS has none."""
        if self._highs is None:
            return None
        b = self._highs.getBasis()
        if not b.valid:
            return None
        codes = [int(x) for x in b.col_status], [int(x) for x in b.row_status]
        return np.asarray(codes[0], dtype=np.int8), np.asarray(codes[1], dtype=np.int8)

    def _set_basis(self, h: Any) -> None:
        """Start from :attr:`start_basis` (HiGHS refuses an inconsistent one: then it starts afresh)."""
        import highspy

        col, row = self.start_basis  # type: ignore[misc]
        if len(col) != self.n_cols or len(row) != len(self._rows):
            return
        status = [highspy.HighsBasisStatus(k) for k in range(5)]
        b = highspy.HighsBasis()
        b.col_status = [status[k] for k in col.tolist()]
        b.row_status = [status[k] for k in row.tolist()]
        b.valid = True
        if h.setBasis(b) == highspy.HighsStatus.kOk:
            h.setOptionValue("simplex_strategy", 4)  # primal simplex: the old plan is feasible, new columns price in

# ---------------------------------------------------------------------- the interface both problems serve
def add_variables(prob: Any, name: str, n: int, *, low: float | None = 0.0, up: float | None = None, integer: bool = False) -> list[Any]:
    """``n`` variables of ``prob`` (an :class:`ArrayProblem` or a PuLP problem)."""
    if isinstance(prob, ArrayProblem):
        return prob.add_columns(n, low, up, integer)
    return solvers.add_variables(prob, name, n, low=low, up=up, integer=integer)


def affine(variables: Sequence[Any], coefs: Sequence[float] | np.ndarray | None = None) -> Any:
    """sum(coef * var) over ``variables`` (of either kind; an empty sum is an array expression)."""
    if not len(variables) or isinstance(variables[0], Col):
        idx = np.fromiter((v.j for v in variables), dtype=np.int64, count=len(variables))
        coef = np.ones(len(idx)) if coefs is None else np.asarray(coefs, dtype=float)
        return Expr(idx, coef)
    return solvers.affine(variables, None if coefs is None else list(coefs))


def positions(variables: Sequence[Any]) -> np.ndarray | None:
    """Column positions of an :class:`ArrayProblem`'s variables (None for PuLP variables): read once, then
    :func:`affine_at` makes sums of any of them without a Python list of variables."""
    if len(variables) and isinstance(variables[0], Col):
        return np.fromiter((v.j for v in variables), dtype=np.int64, count=len(variables))
    return None


def affine_at(variables: Sequence[Any], at: np.ndarray | None, pos: Any, coefs: Any) -> Any:
    """sum(coefs * variables[pos]); ``at`` is :func:`positions` of ``variables`` (None: PuLP variables)."""
    pos = np.asarray(pos, dtype=np.int64)
    if at is not None:
        return Expr(at[pos], np.asarray(coefs, dtype=float))
    return affine([variables[p] for p in pos], np.asarray(coefs, dtype=float))


def add_constraint(prob: Any, row: Any) -> Any:
    """Add a row (``expr <= rhs``, ``>=``, ``==``) to ``prob``; its handle (``.pi``: its dual)."""
    if isinstance(prob, ArrayProblem):
        return prob.addConstraint(row)
    if isinstance(row, tuple):  # an empty array expression in a PuLP problem: a row of no variables
        import pulp

        _, lo, hi = row
        empty = pulp.lpSum([])
        row = empty == lo if lo == hi else (empty >= lo if math.isfinite(lo) else empty <= hi)
    return solvers.add_constraint(prob, row)


def set_objective(prob: Any, expr: Any) -> None:
    """Make ``expr`` the objective of ``prob`` (an empty array expression in a PuLP problem: zero)."""
    if isinstance(expr, Expr) and not isinstance(prob, ArrayProblem):
        import pulp

        expr = pulp.lpSum([])
    prob.setObjective(expr)


def release(model_problem: Any) -> None:
    """Free an :class:`ArrayProblem`'s HiGHS model once its solves are done (nothing for PuLP problems)."""
    if isinstance(model_problem, ArrayProblem):
        model_problem.release()


def values(variables: Sequence[Any]) -> np.ndarray:
    """Solution values (0.0 where none), read as one array for an :class:`ArrayProblem`'s variables."""
    idx = positions(variables)
    if idx is not None:
        x = variables[0].p.x[idx]
        return np.where(np.isnan(x), 0.0, x)
    return np.asarray(solvers.values(variables), dtype=float)


def bounds(variables: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds (-inf, inf where none), read as arrays for an :class:`ArrayProblem`'s variables."""
    idx = positions(variables)
    if idx is not None:
        return variables[0].p.lb[idx].copy(), variables[0].p.ub[idx].copy()
    low = np.array([-math.inf if x.lowBound is None else x.lowBound for x in variables], dtype=float)
    up = np.array([math.inf if x.upBound is None else x.upBound for x in variables], dtype=float)
    return low, up


def set_upper(variables: Sequence[Any], up: np.ndarray) -> None:
    """Set upper bounds (inf: none), written as one array for an :class:`ArrayProblem`'s variables."""
    up = np.asarray(up, dtype=float)
    idx = positions(variables)
    if idx is not None:
        variables[0].p.ub[idx] = up
        return
    for var, u in zip(variables, up):
        var.upBound = None if u == math.inf else float(u)


def set_values(variables: Sequence[Any], vals: Any) -> None:
    """Give variables values (a start for a warm-started solve, or a plan put back)."""
    idx = positions(variables)
    if idx is not None:
        variables[0].p.x[idx] = np.asarray(vals, dtype=float)
        return
    solvers.set_values(variables, vals)
