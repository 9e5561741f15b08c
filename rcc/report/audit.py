"""The linear-programming audit of a release and the suppression loop around it
(primary, consistent secondary, audit, repeat), internal to :mod:`rcc.report`.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import attrs
import numpy as np

from rcc.core import solvers
from rcc.core.errors import SolverError
from rcc.report.release import _COUNT, _NONLINEAR, _TOL, _Release


def _interval_ok(lo: float, hi: float, value: float, threshold: int) -> tuple[bool, bool]:
    """(protected, whether the failure is on the upper side) under the protection rule."""
    lo_i, hi_i = math.ceil(lo - _TOL), (math.floor(hi + _TOL) if math.isfinite(hi) else math.inf)
    if hi_i <= lo_i:
        return False, hi_i <= value + _TOL
    if 0 < value < threshold and not (lo_i <= 0 or hi_i >= threshold):
        return False, True
    return True, False


@attrs.frozen
class _Rows:
    """Rows of an audit LP, as coordinates: row ``rows[i]`` has ``vals[i]`` in column
    ``cols[i]``; row ``r`` lies in ``[lower[r], upper[r]]`` and states published cell
    ``cell[r]`` (-1: a held <= children row)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cell: list[int]


def _published_rows(rel: _Release, hidden: np.ndarray, col_of: np.ndarray) -> _Rows:
    """One row per published count / ratio / sum cell touching an unknown (its known base
    cells moved to the right-hand side; ratio and sum rows scaled to a largest coefficient of 1)."""
    pub = (~hidden) & (rel.kind_a != _NONLINEAR)
    nz = pub[rel.nz_cell]
    cell, var, coef = rel.nz_cell[nz], rel.nz_var[nz], rel.nz_coef[nz]
    u = col_of[var] >= 0
    const = np.bincount(cell[~u], weights=coef[~u] * rel.base_value[var[~u]], minlength=rel.n_cells)
    cells_u = np.unique(cell[u])
    row_of_cell = np.full(rel.n_cells, -1, dtype=np.int64)
    row_of_cell[cells_u] = np.arange(len(cells_u))
    rows = row_of_cell[cell[u]]
    cols = col_of[var[u]]
    vals = coef[u]
    rhs = rel.rhs[cells_u] - const[cells_u]
    scale = np.ones(len(cells_u))
    np.maximum.at(scale, rows, np.abs(vals))
    scale = np.where(rel.kind_a[cells_u] == _COUNT, 1.0, 1.0 / np.maximum(scale, 1e-300))
    vals = vals * scale[rows]
    rhs = rhs * scale
    return _Rows(rows=rows, cols=cols, vals=vals, lower=rhs.copy(), upper=rhs.copy(), cell=list(cells_u))


def _with_held_rows(rel: _Release, col_of: np.ndarray, rows: _Rows) -> _Rows:
    """``rows`` and one more per placement row whose held or children cell is unknown:
    held <= children."""
    hp = rel.held_pairs
    if not len(hp):
        return rows
    hc, xc = col_of[hp[:, 0]], col_of[hp[:, 1]]
    keep = (hc >= 0) | (xc >= 0)
    hp, hc, xc = hp[keep], hc[keep], xc[keep]
    r = len(rows.cell) + np.arange(len(hp), dtype=np.int64)
    cst = np.where(hc < 0, rel.base_value[hp[:, 0]], 0.0) - np.where(xc < 0, rel.base_value[hp[:, 1]], 0.0)
    return _Rows(
        rows=np.concatenate([rows.rows, r[hc >= 0], r[xc >= 0]]),
        cols=np.concatenate([rows.cols, hc[hc >= 0], xc[xc >= 0]]),
        vals=np.concatenate([rows.vals, np.ones(int((hc >= 0).sum())), -np.ones(int((xc >= 0).sum()))]),
        lower=np.concatenate([rows.lower, np.full(len(hp), -np.inf)]),
        upper=np.concatenate([rows.upper, -cst]),
        cell=list(rows.cell) + [-1] * len(hp),
    )


def _with_link_rows(rel: _Release, col_of: np.ndarray, rows: _Rows) -> _Rows:
    """``rows`` and one more per link or cap of the release touching an unknown (known base
    cells moved to the right-hand side); its ``cell`` is ``-2 - link``."""
    col = col_of[rel.link_var]
    u = col >= 0
    extra = np.flatnonzero(np.bincount(rel.link_id[u], minlength=len(rel.links)) > 0)
    if not len(extra):
        return rows
    row_of_link = np.full(len(rel.links), -1, dtype=np.int64)
    row_of_link[extra] = len(rows.cell) + np.arange(len(extra))
    known = np.bincount(rel.link_id[~u], weights=rel.link_coef[~u] * rel.base_value[rel.link_var[~u]], minlength=len(rel.links))
    return _Rows(
        rows=np.concatenate([rows.rows, row_of_link[rel.link_id[u]]]),
        cols=np.concatenate([rows.cols, col[u]]),
        vals=np.concatenate([rows.vals, rel.link_coef[u]]),
        lower=np.concatenate([rows.lower, rel.link_lo[extra] - known[extra]]),
        upper=np.concatenate([rows.upper, rel.link_hi[extra] - known[extra]]),
        cell=list(rows.cell) + (-2 - extra).tolist(),
    )


def _pass_lp(h: Any, rows: _Rows, n_cols: int, col_lower: np.ndarray) -> None:
    """Pass the audit LP to HiGHS ``h`` in one call (row-wise matrix, zero costs, columns
    from ``col_lower`` up)."""
    import highspy

    n_rows = len(rows.cell)
    order = np.lexsort((rows.cols, rows.rows))
    r, cols, vals = rows.rows[order], rows.cols[order], rows.vals[order]
    start = np.searchsorted(r, np.arange(n_rows + 1)).astype(np.int32)
    inf = highspy.kHighsInf
    h.passModel(
        int(n_cols), int(n_rows), int(len(vals)), int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMinimize), 0.0,
        np.zeros(n_cols), np.ascontiguousarray(col_lower, dtype=np.float64), np.full(n_cols, inf),
        np.where(np.isfinite(rows.lower), rows.lower, -inf).astype(np.float64),
        np.where(np.isfinite(rows.upper), rows.upper, inf).astype(np.float64),
        start, cols.astype(np.int32), np.ascontiguousarray(vals, dtype=np.float64), np.zeros(n_cols, dtype=np.int32),
    )  # integrality: all continuous


class _Audit:
    """The LP of one release: unknowns are the suppressed base cells; every published cell
    is an equation. Bounds each suppressed count cell's value (min and max)."""

    #: skip LPs that base tables already seen decide (off only in the benchmark's reference)
    shortcuts = True

    #: unknowns from which an audit's first solve, from no basis, is by dual simplex (HiGHS
    #: simplex strategy 1; below, primal, 4): England's first LP, 107,112 x 198,333, took 156
    #: CPU s and 41,665 iterations by dual simplex, and had not finished after 12 minutes by
    #: primal (an earlier run; both on a loaded machine). Small releases keep the primal start:
    #: the vertex it reaches decides which cells pin others, so the hidden cells (GM by dual:
    #: 200 rather than 225, its greedy plan's headline unmet hidden). Every later solve
    #: changes only costs and runs the primal simplex from the last basis.
    dual_from = 50_000

    #: start each round's LP from the last basis of the round before (see :meth:`_warm_from`);
    #: off: the vertices it reaches pin other cells, which changes the picks (GM report 3.4 vs
    #: 5.2 CPU s, 198 vs 225 hidden cells; South East 8.0 vs 1.1 s: a pooling retry)
    carry_basis = False

    def __init__(
        self, rel: _Release, hidden: np.ndarray, seen: tuple[np.ndarray, np.ndarray] | None = None, warm: _Audit | None = None
    ) -> None:
        import highspy

        self.rel = rel
        known = np.full(len(rel.base_value), not rel.aggregated)  # aggregated: a base cell no table lists is unknown
        has = rel.base_cell >= 0
        known[has] = ~hidden[rel.base_cell[has]]
        unk = np.flatnonzero(~known)
        self.col_of = np.full(len(rel.base_value), -1, dtype=np.int64)
        self.col_of[unk] = np.arange(len(unk))
        self.n = len(unk)
        # rows: published count / ratio / sum cells touching an unknown, and h <= x
        rows = _with_held_rows(rel, self.col_of, _published_rows(rel, hidden, self.col_of))
        rows = _with_link_rows(rel, self.col_of, rows)
        self.row_cell = rows.cell
        self.n_rows = len(self.row_cell)
        self.col_lower = rel.base_lb[unk].astype(float)
        solvers.silence_highs_banner()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        self._cold_strategy = 1 if self.n >= self.dual_from else 4
        h.setOptionValue("simplex_strategy", self._cold_strategy)  # the first solve; then primal (see _cold_run)
        self.h, self.hs = h, highspy
        self._last = np.zeros(0, dtype=np.int32)
        # every solution is a feasible base table: the range it shows for each hidden count
        # is inside that count's interval, so it can prove protection without its own LP
        # (base tables of an earlier audit with fewer cells hidden stay consistent: pass them on)
        self.seen_lo, self.seen_hi = seen if seen is not None else (rel.value_a.copy(), rel.value_a.copy())
        watch = hidden & rel.count
        m = watch[rel.nz_cell]
        self._w_cells, w_pos = np.unique(rel.nz_cell[m], return_inverse=True)
        self._w_pos, self._w_var, self._w_coef = w_pos, rel.nz_var[m], rel.nz_coef[m]
        self._x = rel.base_value.copy()
        self._unk = unk
        self._rc = np.asarray(self.row_cell, dtype=np.int64)
        self._hidden = hidden.copy()
        self._link_pub: dict[int, np.ndarray] = {}  # see _pub_of_link
        self._row_key = _row_keys(rel, self.col_of, self._rc)
        self._cold = True
        if self.n:
            _pass_lp(h, rows, self.n, self.col_lower)
            if warm is not None and self.carry_basis and warm.n:
                self._warm_from(warm)
                self._cold = False

    def _warm_from(self, prev: _Audit) -> None:
        """Start from ``prev``'s last basis (the LP of the round before, with fewer cells
        hidden): its unknowns and rows keep their status, a base cell newly unknown starts
        at its lower bound and a new row's slack is basic; HiGHS repairs the basis
        (``alien``) where the counts no longer match. Only the start of the simplex
        changes: every bound is still this LP's optimum."""
        hs = self.hs
        b = prev.h.getBasis()
        if not b.valid:
            return
        col_prev = np.fromiter((c.value for c in b.col_status), dtype=np.int64, count=prev.n)
        row_prev = np.fromiter((r.value for r in b.row_status), dtype=np.int64, count=len(prev._row_key))
        col = np.full(self.n, int(hs.HighsBasisStatus.kLower.value), dtype=np.int64)
        was = prev.col_of[self._unk]
        col[was >= 0] = col_prev[was[was >= 0]]
        row = np.full(len(self._row_key), int(hs.HighsBasisStatus.kBasic.value), dtype=np.int64)
        if len(prev._row_key):  # keys are unique and sorted within each kind: match them by sorting
            order = np.argsort(prev._row_key, kind="stable")
            pos = np.minimum(np.searchsorted(prev._row_key[order], self._row_key), len(order) - 1)
            same = prev._row_key[order][pos] == self._row_key
            row[same] = row_prev[order[pos[same]]]
        status = {int(v.value): v for v in (hs.HighsBasisStatus.kLower, hs.HighsBasisStatus.kBasic, hs.HighsBasisStatus.kUpper,
                                            hs.HighsBasisStatus.kZero, hs.HighsBasisStatus.kNonbasic)}
        basis = hs.HighsBasis()
        basis.col_status = [status[int(v)] for v in col]
        basis.row_status = [status[int(v)] for v in row]
        basis.alien = True
        basis.valid = True
        self.h.setBasis(basis)

    def objective(self, k: int) -> tuple[np.ndarray, np.ndarray, float]:
        rel = self.rel
        s, c = rel.support[k], rel.support_coef[k]
        cols = self.col_of[s]
        u = cols >= 0
        return cols[u], c[u], float(c[~u] @ rel.base_value[s[~u]])

    def solve(self, k: int, maximise: bool) -> float:
        """Min or max of cell ``k`` (the solution stays for :meth:`binding`)."""
        cols, coef, const = self.objective(k)
        if not len(cols):
            self._solved = False
            return const
        obj = self._run(cols, coef, maximise)
        self._solved = math.isfinite(obj)
        if not self._solved:
            return obj
        self._record(np.asarray(self.h.getSolution().col_value))
        return obj + const

    def binding(self) -> np.ndarray:
        """The published cells of the rows binding at the last :meth:`solve` (sorted)."""
        if not self._solved or not len(self._rc):
            return np.zeros(0, np.int64)
        rc = self._rc
        tight = np.abs(np.asarray(self.h.getSolution().row_dual)) > 1e-9
        parts = [rc[tight & (rc >= 0)]]
        parts += [self._pub_of_link(int(r)) for r in np.flatnonzero(tight & (rc <= -2))]
        return np.unique(np.concatenate(parts))

    def _pub_of_link(self, r: int) -> np.ndarray:
        """The published cells through which binding link row ``r`` pins: an equation pins
        through the published detail cells of its known base cells, a public bound (a home's
        places) through the published cells over its base cells (computed once per row)."""
        if r not in self._link_pub:
            rel = self.rel
            var, _, lo, hi = rel.links[-2 - int(self._rc[r])]
            if lo == hi:
                pub = rel.base_cell[var[self.col_of[var] < 0]]
                self._link_pub[r] = pub[pub >= 0]
            else:
                near = np.unique(rel.nz_cell[np.isin(rel.nz_var, var)])
                self._link_pub[r] = near[~self._hidden[near] & (rel.kind_a[near] != _NONLINEAR)]
        return self._link_pub[r]

    def _run(self, cols: np.ndarray, coef: np.ndarray, maximise: bool) -> float:
        """Optimise ``coef @ x[cols]``; its optimum (+-inf when unbounded)."""
        h, hs = self.h, self.hs
        if len(self._last):
            h.changeColsCost(len(self._last), self._last, np.zeros(len(self._last)))
        self._last = cols.astype(np.int32)
        h.changeColsCost(len(cols), self._last, coef)
        h.changeObjectiveSense(hs.ObjSense.kMaximize if maximise else hs.ObjSense.kMinimize)
        if self._cold:
            self._cold_run()
        else:
            h.run()
        outcome = solvers.highs_outcome(h, mip=False)
        if outcome.status not in ("optimal", "unbounded"):
            h.clearSolver()  # numerical trouble from the warm start: once more from scratch
            self._cold_run()
            outcome = solvers.highs_outcome(h, mip=False)
        if outcome.status == "unbounded":
            return math.inf if maximise else -math.inf
        if outcome.status != "optimal":
            raise SolverError(f"suppression audit: HiGHS returned {outcome.model_status} bounding a suppressed cell")
        return float(h.getInfo().objective_function_value)

    def _cold_run(self) -> None:
        """A solve without a basis (dual simplex for a large LP: :attr:`dual_from`), the primal simplex after it."""
        self.h.setOptionValue("simplex_strategy", self._cold_strategy)
        self.h.run()
        self.h.setOptionValue("simplex_strategy", 4)  # primal: warm from the last basis when only costs change
        self._cold = False

    def proven(self, k: int, threshold: int) -> bool:
        """Whether the base tables seen so far already show cell ``k`` protected."""
        return bool(self.proven_all(np.asarray([k]), threshold)[0])

    def proven_all(self, cells: np.ndarray, threshold: int) -> np.ndarray:
        """:meth:`proven` of many cells."""
        v = self.rel.value_a[cells]
        lo, hi = self.seen_lo[cells], self.seen_hi[cells]
        primary = (v > 0) & (v < threshold)
        return np.where(
            primary,
            (hi >= threshold - _TOL) | (lo <= _TOL),
            (hi >= v + 1 - _TOL) | (lo <= v - 1 + _TOL),
        )

    def sweep(self, cells: np.ndarray, threshold: int, max_solves: int = 400) -> None:
        """Prove many cells protected with few LPs: push random positive combinations of the
        unproven cells up (and down); every solution is a base table consistent with what is
        published, so each cell it moves far enough is protected."""
        rel = self.rel
        cells = np.asarray(cells, dtype=np.int64)
        pos = np.full(rel.n_cells, -1, dtype=np.int64)
        pos[cells] = np.arange(len(cells))
        m = (pos[rel.nz_cell] >= 0) & (self.col_of[rel.nz_var] >= 0)
        obj_cell, obj_col, obj_coef = pos[rel.nz_cell[m]], self.col_of[rel.nz_var[m]], rel.nz_coef[m]
        rng = np.random.default_rng(0)
        for i in range(max_solves):
            open_ = ~self.proven_all(cells, threshold)
            if open_.sum() < 16:
                return
            w = rng.random(len(cells)) * open_
            agg = np.bincount(obj_col, weights=obj_coef * w[obj_cell], minlength=self.n)
            nz = np.flatnonzero(agg)
            if not len(nz):
                return
            obj = self._run(nz, agg[nz], maximise=i % 4 != 3)
            if not math.isfinite(obj):
                return
            self._record(np.asarray(self.h.getSolution().col_value))
            if i % 4 != 3 and (open_ & self.proven_all(cells, threshold)).sum() < 4:
                return

    def _record(self, col_value: np.ndarray) -> None:
        self._x[self._unk] = col_value
        w = self._w_cells
        vals = np.bincount(self._w_pos, weights=self._w_coef * self._x[self._w_var], minlength=len(w))
        self.seen_hi[w] = np.maximum(self.seen_hi[w], vals)
        self.seen_lo[w] = np.minimum(self.seen_lo[w], vals)

    def check(self, k: int, threshold: int) -> tuple[bool, float, float, np.ndarray]:
        """Whether suppressed cell ``k`` is protected; its bounds (``nan`` if not needed)
        and the published cells that pin it when not."""
        v = self.rel.value_a[k]
        primary = 0 < v < threshold
        if self.proven(k, threshold):
            return True, math.nan, math.nan, np.zeros(0, np.int64)
        hi = self.solve(k, True)
        if (primary and hi >= threshold - _TOL) or (not primary and hi >= v + 1 - _TOL):  # whole children
            return True, math.nan, hi, np.zeros(0, np.int64)
        b_hi = self.binding()
        if primary:
            cols, coef, const = self.objective(k)
            if (coef >= 0).all() and const + coef @ self.col_lower[cols] >= 1 - _TOL:
                return False, math.nan, hi, b_hi  # listed rows count at least one child: never 0
        lo = self.solve(k, False)
        ok, upper_side = _interval_ok(lo, hi, v, threshold)
        if ok or upper_side:
            return ok, lo, hi, b_hi
        return ok, lo, hi, np.union1d(b_hi, self.binding())


def _row_keys(rel: _Release, col_of: np.ndarray, row_cell: np.ndarray) -> np.ndarray:
    """A key per row of an audit LP, the same in every round of a release: a published
    cell's id, then ``n_cells`` + the placement row of a held row, then ``n_cells`` +
    placement rows + the link of a link row (rows in the order :class:`_Audit` adds them)."""
    hp = rel.held_pairs
    held = np.flatnonzero((col_of[hp[:, 0]] >= 0) | (col_of[hp[:, 1]] >= 0)) if len(hp) else np.zeros(0, np.int64)
    pub = row_cell[row_cell >= 0]
    link = -2 - row_cell[row_cell <= -2]
    return np.concatenate([pub, rel.n_cells + held, rel.n_cells + len(hp) + link]).astype(np.int64)


def _apply_dependencies(rel: _Release, hidden: np.ndarray) -> bool:
    """Hide statistics whose counts are hidden, and nonlinear ones over hidden base cells."""
    if rel.count[rel.dep_cell].all():  # statistics depend on counts only: one pass over all at once
        hide = np.zeros(rel.n_cells, dtype=bool)
        np.logical_or.at(hide, rel.dep_owner, hidden[rel.dep_cell])
        bc = rel.base_cell[rel.group_var]
        np.logical_or.at(hide, rel.group_owner, (bc < 0) | hidden[np.maximum(bc, 0)])
        new = hide & ~rel.count & ~hidden
        hidden |= new
        return bool(new.any())
    changed = False
    for k in np.flatnonzero(~rel.count & ~hidden):
        d = rel.deps[k]
        g = rel.group[k]
        hide = bool(d) and hidden[d].any()
        if not hide and g is not None and len(g):
            bc = rel.base_cell[g]
            hide = bool((bc < 0).any() or hidden[bc[bc >= 0]].any())
        if hide:
            hidden[k] = True
            changed = True
    return changed


def _secondary(rel: _Release, hidden: np.ndarray) -> None:
    """Relation rule, repeated to a fixed point: where exactly one cell of a relation
    (total = sum of parts, across or within tables) is hidden, hide the smallest other
    (non-zero if possible). The relations are visited in order in each pass, as one loop
    over them would, but only those with one hidden cell (counted per relation, kept up
    to date as cells are hidden)."""
    changed = True
    while changed:
        n_hidden = np.bincount(rel.relation_of, weights=hidden[rel.relation_cells], minlength=len(rel.relations))
        count = np.rint(n_hidden).astype(np.int64)
        todo = np.flatnonzero(count == 1).tolist()  # sorted: a heap already
        changed = False
        while todo:
            i = heapq.heappop(todo)
            if count[i] != 1:
                continue
            pick = _relation_pick(rel, hidden, rel.relation_cells[rel.relation_start[i] : rel.relation_start[i + 1]])
            if pick < 0:
                continue  # the rest is public: the audit decides
            hidden[pick] = True
            changed = True
            for j in rel.cell_relations[rel.cell_relation_start[pick] : rel.cell_relation_start[pick + 1]].tolist():
                count[j] += 1
                if count[j] == 1 and j > i:  # later in this pass; an earlier one waits for the next pass
                    heapq.heappush(todo, j)
        changed |= _apply_dependencies(rel, hidden)


def _relation_pick(rel: _Release, hidden: np.ndarray, cells: np.ndarray) -> int:
    """The cell to hide in a relation with one hidden cell (``cells``: total, then parts):
    the smallest other non-public cell, detail before headline, non-zero if possible; -1
    if there is none."""
    val = rel.value_a
    total = cells[0]
    free = cells[~hidden[cells] & ~rel.public[cells]]
    if not len(free):
        return -1
    nonzero = free[val[free] > 0]
    detail = nonzero[~rel.headline[nonzero]]  # detail before headline totals
    pool = detail if len(detail) else nonzero if len(nonzero) else free
    pool_parts = pool[pool != total]
    return int(pool_parts[np.argmin(val[pool_parts])] if len(pool_parts) else pool[0])


def _protect(rel: _Release, threshold: int, audit_cls: type = _Audit) -> np.ndarray:
    """Primary suppression, consistent secondary suppression and the LP audit, repeated
    until every suppressed count passes the audit. Returns the hidden mask over cells.
    (``audit_cls``: the audit class, for a reference implementation in the benchmark.)"""
    hidden = np.zeros(rel.n_cells, dtype=bool)
    if threshold <= 1:
        return hidden
    hidden |= rel.primary(threshold)
    hidden |= rel.weighted_a  # shown at the end, where the published counts already determine them
    _secondary(rel, hidden)
    todo = np.flatnonzero(hidden & rel.count)
    seen, audit = None, None
    while len(todo):
        audit = audit_cls(rel, hidden, seen, audit)
        seen = (audit.seen_lo, audit.seen_hi)
        if audit.n:
            audit.sweep(todo, threshold)
        failing: list[int] = []
        pins: list[np.ndarray] = []
        stuck: list[int] = []
        unchecked = np.zeros(0, dtype=np.int64)
        for i, k in enumerate(todo):
            if len(pins) >= _FAILING_PER_ROUND:
                unchecked = todo[i:]  # suppress these first: they often protect the rest
                break
            ok, _, _, binding = audit.check(int(k), threshold)
            if ok:
                continue
            failing.append(int(k))
            # a published statistic pins a cell through its counts too: they are candidates
            deps = [d for b in binding for d in rel.deps[b]]
            cand = np.union1d(binding, np.asarray(deps, dtype=np.int64))
            cand = cand[~hidden[cand] & ~rel.public[cand]]
            if not len(cand):
                cand = _neighbours(rel, int(k), hidden)
            if not len(cand):
                cand = _neighbours(rel, int(k), hidden, through_bounds=True)
            if not len(cand):
                stuck.append(int(k))
                continue
            pins.append(cand)
        if stuck:
            raise Unprotectable(rel, stuck)
        extra = _pick(rel, pins)
        if not failing:
            break
        before = hidden.copy()
        hidden[list(extra)] = True
        _secondary(rel, hidden)
        new = np.flatnonzero(hidden & ~before & rel.count)
        todo = np.union1d(np.union1d(np.asarray(failing, dtype=np.int64), new), unchecked)
    hidden[_redundant_weighted(rel, hidden, audit_cls)] = False
    return hidden


class Unprotectable(SolverError):
    """Suppressed cells that stay recoverable with nothing left to suppress (a listed row
    pinned by the public places alone): the release must list them coarser. ``cells``:
    (table, row, column) of each."""

    def __init__(self, rel: _Release, cells: list[int]) -> None:
        self.cells = [(rel.table[k], int(rel.row[k]), rel.column[k]) for k in cells]
        t, r, c = self.cells[0]
        super().__init__(
            f"suppression audit: {len(cells)} suppressed cell(s) stay recoverable with nothing left to suppress "
            f"(first: {t}, row {r}, {c})"
        )


def _redundant_weighted(rel: _Release, hidden: np.ndarray, audit_cls: type = _Audit) -> np.ndarray:
    """The weighted statistics (mean distances, weekly costs) that the published counts
    already determine: publishing them adds nothing, even to a reader who knows counts are
    whole numbers. (One that adds an equation with distinct real weights -- distances,
    costs -- can pin hidden counts among the integers though the linear relaxation cannot
    see it, so the others stay hidden.)"""
    base = hidden | rel.weighted_a
    audit = audit_cls(rel, base)
    out = []
    tables: list[np.ndarray] = []  # base tables of the last solves, all consistent with the release
    for k in np.flatnonzero(rel.weighted_a):
        if rel.deps[k] and base[rel.deps[k]].any():
            continue
        cols, coef, _ = audit.objective(int(k))
        if len(cols):
            tol = 1e-7 * max(1.0, float(np.abs(coef).sum()))
            if tables and audit.shortcuts:  # two consistent tables giving it different values: min < max, no LP needed
                v = np.stack(tables)[:, rel.support[k]] @ rel.support_coef[k]
                if v.max() - v.min() > tol:
                    continue
            lo = audit.solve(int(k), False)
            tables = (tables + [audit._x.copy()] * audit._solved)[-16:]
            hi = audit.solve(int(k), True)
            tables = (tables + [audit._x.copy()] * audit._solved)[-16:]
            if not hi - lo <= tol:
                continue
        out.append(int(k))
    return np.asarray(out, dtype=np.int64)


#: Failing cells one round of the audit collects before suppressing more and re-checking
#: (fewer LPs on cells that the new suppressions protect anyway).
_FAILING_PER_ROUND = 64


def _pick(rel: _Release, pins: list[np.ndarray]) -> set[int]:
    """Cells to suppress this round: greedily, one cheap cell per failing cell unless a cell
    already picked also pins it; headline cells (``rel.headline_tables``) only in a round where nothing
    else can be picked (suppressing detail often frees a headline cell's dependants)."""
    picks: set[int] = set()
    deferred = []
    for cand in pins:
        if picks.intersection(cand.tolist()):
            continue
        k = _cheapest(rel, cand)
        if rel.headline[k]:
            deferred.append(cand)
        else:
            picks.add(k)
    if not picks:
        for cand in deferred:
            if not picks.intersection(cand.tolist()):
                picks.add(_cheapest(rel, cand))
    return picks


def _cheapest(rel: _Release, cand: np.ndarray) -> int:
    """The cell to suppress next among candidates: counts before statistics, detail before
    the headline summary, non-zero before zero, then the smallest."""
    v = rel.value_a[cand]
    key = np.lexsort((v, v <= 0, rel.headline[cand], rel.kind_a[cand] != _COUNT))
    return int(cand[key[0]])


def _neighbours(rel: _Release, k: int, hidden: np.ndarray, through_bounds: bool = False) -> np.ndarray:
    """Published cells sharing a base cell with cell ``k`` (fallback when no row is binding);
    ``through_bounds``: or with a base cell linked to one of its base cells through a chain
    of public bounds (homes' places)."""
    var = rel.support[k]
    if through_bounds:  # every base cell linked to it through a chain of public bounds
        comp = rel.bound_component()
        var = np.flatnonzero(np.isin(comp, comp[var]))
    touch = np.isin(rel.nz_var, var)
    cells = np.unique(rel.nz_cell[touch])
    return cells[~hidden[cells] & ~rel.public[cells] & (rel.kind_a[cells] != _NONLINEAR)]
