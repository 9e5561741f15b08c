"""The linear-programming audit of a release and the suppression loop around it
(primary, consistent secondary, audit, repeat), internal to :mod:`rcc.report`.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import time
from typing import Any

import numpy as np

from rcc.report.audit_lp import _Block, _make_rows, _row_keys, _Rows, _split_rows
from rcc.report.release import _COUNT, _NONLINEAR, _TOL, Unprotectable, _Release

#: Where the audit says how far it has gone (shown by the CLI's stage lines; a round at most every few seconds).
STAGES = logging.getLogger("rcc.report.stages")


def _interval_ok(lo: float, hi: float, value: float, threshold: int) -> tuple[bool, bool]:
    """(protected, whether the failure is on the upper side) under the protection rule."""
    lo_i, hi_i = math.ceil(lo - _TOL), (math.floor(hi + _TOL) if math.isfinite(hi) else math.inf)
    if hi_i <= lo_i:
        return False, hi_i <= value + _TOL
    if 0 < value < threshold and not (lo_i <= 0 or hi_i >= threshold):
        return False, True
    return True, False


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

    #: unknowns from which an audit given blocks (:func:`_split_rows`) solves one LP per block
    split_from = 50_000

    def __init__(
        self, rel: _Release, hidden: np.ndarray, seen: tuple[np.ndarray, np.ndarray] | None = None, warm: _Audit | None = None,
        blocks: np.ndarray | None = None,
    ) -> None:
        self.rel = rel
        known = np.full(len(rel.base_value), not rel.aggregated)  # aggregated: a base cell no table lists is unknown
        has = rel.base_cell >= 0
        known[has] = ~hidden[rel.base_cell[has]]
        unk = np.flatnonzero(~known)
        self.col_of = np.full(len(rel.base_value), -1, dtype=np.int64)
        self.col_of[unk] = np.arange(len(unk))
        self.n = len(unk)
        # rows: published count / ratio / sum cells touching an unknown, and h <= x
        rows = _make_rows(rel, hidden, self.col_of)
        self.row_cell = rows.cell
        self.n_rows = len(self.row_cell)
        self.col_lower = rel.base_lb[unk].astype(float)
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
        self._colval = rel.base_value[unk].copy()  # the last solution of every block (the truth before any)
        self._rc = np.asarray(self.row_cell, dtype=np.int64)
        self._hidden = hidden.copy()
        self._link_pub: dict[tuple[int, int], np.ndarray] = {}  # see _pub_of_link
        self._row_key = _row_keys(rel, self.col_of, self._rc)
        self._touched: list[_Block] = []
        split = blocks is not None and self.n >= self.split_from
        self._sig: dict[bytes, _Block] = {}
        self._blocks = self._make_blocks(rows, blocks[unk] if split and blocks is not None else None, warm) if self.n else []
        self.h = self._blocks[0].h if self._blocks else None
        self._index_of = {id(b): i for i, b in enumerate(self._blocks)}
        self._w_vals: np.ndarray | None = None  # the watched counts at _x (kept up to date block by block)
        wc = self.col_of[self._w_var]
        on = np.flatnonzero(wc >= 0)
        by = np.argsort(self._block_of[wc[on]], kind="stable") if len(self._blocks) > 1 else np.zeros(0, np.int64)
        cut = np.searchsorted(self._block_of[wc[on]][by], np.arange(len(self._blocks) + 1)) if len(by) else []
        self._w_of_block = [on[by[cut[i] : cut[i + 1]]] for i in range(len(self._blocks))] if len(by) else []
        if warm is not None and self.carry_basis and warm.n and len(self._blocks) == 1 and len(warm._blocks) == 1:
            self._warm_from(warm)
            self._blocks[0].cold = False

    def _make_blocks(self, rows: _Rows, label: np.ndarray | None, warm: _Audit | None) -> list[_Block]:
        """One HiGHS model for the whole LP, or (``label``: a block per unknown) one per
        block, rows spanning blocks cut into pieces (:func:`_split_rows`); a block whose LP
        is the same as one of ``warm``'s (the round before) is taken over with its basis."""
        if label is None or len(np.unique(label)) < 2:
            self._block_of, self._local = np.zeros(self.n, dtype=np.int64), np.arange(self.n)
            return [_Block(np.arange(self.n), rows, self.col_lower, self.dual_from)]
        rows = _split_rows(rows, label, self.rel.base_value[self._unk])
        names, self._block_of = np.unique(label, return_inverse=True)
        self._local = np.zeros(self.n, dtype=np.int64)
        cell = np.asarray(rows.cell, dtype=np.int64)
        row_block = np.zeros(len(cell), dtype=np.int64)
        row_block[rows.rows] = self._block_of[rows.cols]
        out = []
        for i in range(len(names)):
            cols = np.flatnonzero(self._block_of == i)
            self._local[cols] = np.arange(len(cols))
            mine = np.flatnonzero(row_block == i)
            new_row = np.full(len(cell), -1, dtype=np.int64)
            new_row[mine] = np.arange(len(mine))
            e = row_block[rows.rows] == i
            part = _Rows(rows=new_row[rows.rows[e]], cols=self._local[rows.cols[e]], vals=rows.vals[e],
                         lower=rows.lower[mine], upper=rows.upper[mine], cell=cell[mine].tolist())
            sig = hashlib.blake2b(b"".join(np.ascontiguousarray(a).tobytes() for a in (
                self._unk[cols], part.rows, part.cols, part.vals, part.lower, part.upper, cell[mine], self.col_lower[cols]))).digest()
            old = warm._sig.get(sig) if warm is not None else None
            if old is not None:
                old.cols = cols
            self._sig[sig] = blk = old or _Block(cols, part, self.col_lower[cols], 0)  # a cut audit is large: first solves by dual simplex
            blk.label = names[i]
            out.append(blk)
        return out

    def _warm_from(self, prev: _Audit) -> None:
        """Start from ``prev``'s last basis (the LP of the round before, with fewer cells
        hidden): its unknowns and rows keep their status, a base cell newly unknown starts
        at its lower bound and a new row's slack is basic; HiGHS repairs the basis
        (``alien``) where the counts no longer match. Only the start of the simplex
        changes: every bound is still this LP's optimum."""
        import highspy as hs

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
        self._blocks[0].h.setBasis(basis)

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
        self._record(self._colval)
        return obj + const

    def binding(self) -> np.ndarray:
        """The published cells of the rows binding at the last :meth:`solve` (sorted)."""
        if not self._solved:
            return np.zeros(0, np.int64)
        parts = [np.zeros(0, np.int64)]
        for b in self._touched:
            rc = b.rc
            tight = np.abs(np.asarray(b.h.getSolution().row_dual)) > 1e-9
            parts.append(rc[tight & (rc >= 0)])
            parts += [self._pub_of_link(int(c), b) for c in np.unique(rc[tight & (rc <= -2)])]
        return np.unique(np.concatenate(parts))

    def _pub_of_link(self, code: int, block: _Block) -> np.ndarray:
        """The published cells through which a binding link row (row cell ``code``) of
        ``block`` pins: an equation pins through the published detail cells of its known base
        cells, a public bound (a home's places) through the published cells over its base
        cells (computed once per link and block). In an audit cut into blocks, only those
        whose hiding changes this block's LP: a link's piece here is pinned whatever the
        other blocks hide."""
        key = (code, id(block))
        if key not in self._link_pub:
            rel = self.rel
            var, _, lo, hi = rel.links[-2 - code]
            cut = rel.block if len(self._blocks) > 1 else None
            if lo == hi:
                known = var[self.col_of[var] < 0]
                if cut is not None:
                    known = known[cut[known] == block.label]
                pub = rel.base_cell[known]
                out = pub[pub >= 0]
            else:
                near = np.unique(rel.cells_of(var))
                out = near[~self._hidden[near] & (rel.kind_a[near] != _NONLINEAR)]
                if cut is not None:
                    out = out[np.isin(out, block.rc)]
            self._link_pub[key] = out
        return self._link_pub[key]

    def _run(self, cols: np.ndarray, coef: np.ndarray, maximise: bool) -> float:
        """Optimise ``coef @ x[cols]`` (each block its own part: the blocks share no row);
        its optimum (+-inf when unbounded). The blocks solved keep their solution in ``_colval``."""
        blk = self._block_of[cols]
        self._touched = []
        total = 0.0
        for i in np.unique(blk):
            b, m = self._blocks[int(i)], blk == i
            self._touched.append(b)
            obj = b.run(self._local[cols[m]], coef[m], maximise)
            if not math.isfinite(obj):
                return obj
            total += obj
            self._colval[b.cols] = b.h.getSolution().col_value
        return total

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
            self._record(self._colval)
            if i % 4 != 3 and (open_ & self.proven_all(cells, threshold)).sum() < 4:
                return

    def _record(self, col_value: np.ndarray) -> None:
        """Widen the range seen of each hidden count by the base table ``col_value`` (only
        the blocks solved last changed: their watched entries update the counts)."""
        w = self._w_cells
        if self._w_vals is None or len(self._blocks) == 1:
            self._x[self._unk] = col_value
            vals = np.bincount(self._w_pos, weights=self._w_coef * self._x[self._w_var], minlength=len(w))
        else:
            vals = self._w_vals
            for b in self._touched:
                e = self._w_of_block[self._index_of[id(b)]] if len(self._w_of_block) else np.zeros(0, np.int64)
                var = self._w_var[e]
                new = col_value[self.col_of[var]]
                np.add.at(vals, self._w_pos[e], self._w_coef[e] * (new - self._x[var]))
                self._x[var] = new
            self._x[self._unk] = col_value
        self._w_vals = vals
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
    all_stuck: set[int] = set()  # the loop goes on without them; those still recoverable at its end are pooled
    said, rounds = time.perf_counter(), 0
    while len(todo):
        rounds += 1
        if time.perf_counter() - said >= _SAY_EVERY_S:
            said = time.perf_counter()
            STAGES.info("suppression audit: round %d, %s suppressed cells to check, %s hidden so far",
                        rounds, f"{len(todo):,}", f"{int(hidden.sum()):,}")
        audit = audit_cls(rel, hidden, seen, audit, blocks=rel.block)
        seen = (audit.seen_lo, audit.seen_hi)
        if audit.n:
            audit.sweep(todo, threshold)
        failing: list[int] = []
        pins: list[np.ndarray] = []
        unchecked = np.zeros(0, dtype=np.int64)
        for i, k in enumerate(todo):
            if len(pins) >= (_FAILING_PER_ROUND if len(audit._blocks) <= 1 else _FAILING_PER_ROUND_CUT):
                unchecked = todo[i:]  # suppress these first: they often protect the rest
                break
            ok, _, _, binding = audit.check(int(k), threshold)
            if ok:
                continue
            cand = _candidates(rel, audit, int(k), binding, hidden)
            if not len(cand):
                all_stuck.add(int(k))  # (England: 7 pooling retries rather than one per stuck cell or two)
                continue
            failing.append(int(k))
            pins.append(cand)
        if not failing:
            break
        before = hidden.copy()
        hidden[list(_pick(rel, pins))] = True
        _secondary(rel, hidden)
        new = np.flatnonzero(hidden & ~before & rel.count)
        todo = np.union1d(np.union1d(np.asarray(failing, dtype=np.int64), new), unchecked)
        todo = np.setdiff1d(todo, np.asarray(sorted(all_stuck), dtype=np.int64))
    still = _still_recoverable(rel, hidden, sorted(all_stuck), threshold, seen, audit, audit_cls)
    if still:
        raise Unprotectable(rel, still)
    hidden[_redundant_weighted(rel, hidden, audit_cls)] = False
    return hidden


def _candidates(rel: _Release, audit: _Audit, k: int, binding: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The cells whose hiding may protect failing cell ``k``: the binding published cells
    and the counts of a binding published statistic; failing those (one LP, not cut), the
    cells linked to it through shared rows, then through bounds."""
    deps = [d for b in binding for d in rel.deps[b]]
    cand = np.union1d(binding, np.asarray(deps, dtype=np.int64))
    cand = cand[~hidden[cand] & ~rel.public[cand]]
    if len(audit._blocks) > 1:  # cut into blocks: what pins it is in its block, or nothing helps
        return cand
    if not len(cand):
        cand = _neighbours(rel, k, hidden)
    if not len(cand):
        cand = _neighbours(rel, k, hidden, through_bounds=True)
    if rel.keep_summary and len(cand) and rel.headline[cand].all() and rel.top[cand].any():
        cand = _with_alternatives(rel, cand, hidden)
    return cand


def _with_alternatives(rel: _Release, cand: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Headline candidates and the published counts of every relation holding one of them or
    an alias (the same sum of base cells): the LP names one binding row of several that pin a
    cell alike (a total, but not the council's count that the total less the hidden ones
    gives), and hiding a detail or smaller count may protect it as well as the headline."""
    members = cand
    classes = rel.alias[cand][rel.alias[cand] >= 0]
    if len(classes):
        members = np.union1d(cand, np.flatnonzero(np.isin(rel.alias, classes)))
    rels = np.unique(np.concatenate([rel.cell_relations[rel.cell_relation_start[c] : rel.cell_relation_start[c + 1]] for c in members]))
    if not len(rels):
        return cand
    cells = np.concatenate([rel.relation_cells[rel.relation_start[i] : rel.relation_start[i + 1]] for i in rels])
    cells = np.unique(cells)
    cells = cells[~hidden[cells] & ~rel.public[cells] & rel.count[cells]]
    return np.union1d(cand, cells)


def _still_recoverable(
    rel: _Release, hidden: np.ndarray, stuck: list[int], threshold: int, seen: Any, audit: _Audit | None, audit_cls: type
) -> list[int]:
    """The stuck cells (no candidate left to hide when met) that the final suppression
    still leaves recoverable: what the loop hid afterwards for other cells may protect them."""
    if not stuck:
        return []
    final = audit_cls(rel, hidden, seen, audit, blocks=rel.block)
    cells = np.asarray(stuck, dtype=np.int64)
    if final.n:
        final.sweep(cells, threshold)
    return [k for k in stuck if not final.check(k, threshold)[0]]


def _redundant_weighted(rel: _Release, hidden: np.ndarray, audit_cls: type = _Audit) -> np.ndarray:
    """The weighted statistics (mean distances, weekly costs) that the published counts
    already determine: publishing them adds nothing, even to a reader who knows counts are
    whole numbers. (One that adds an equation with distinct real weights -- distances,
    costs -- can pin hidden counts among the integers though the linear relaxation cannot
    see it, so the others stay hidden.)"""
    base = hidden | rel.weighted_a
    cand = [int(k) for k in np.flatnonzero(rel.weighted_a) if not (rel.deps[k] and base[rel.deps[k]].any())]
    audit = audit_cls(rel, base, blocks=rel.block)
    out = _determined(audit, cand)
    if len(audit._blocks) > 1 and out:  # the audit cut into blocks is stricter: check what it finds determined on the whole
        out = _determined(audit_cls(rel, base), out)
    return np.asarray(out, dtype=np.int64)


def _determined(audit: _Audit, cells: list[int]) -> list[int]:
    """The ``cells`` whose minimum and maximum over ``audit``'s LP are equal."""
    rel = audit.rel
    out = []
    tables: list[np.ndarray] = []  # base tables of the last solves, all consistent with the release
    for k in cells:
        cols, coef, _ = audit.objective(k)
        if len(cols):
            tol = 1e-7 * max(1.0, float(np.abs(coef).sum()))
            if tables and audit.shortcuts:  # two consistent tables giving it different values: min < max, no LP needed
                v = np.stack(tables)[:, rel.support[k]] @ rel.support_coef[k]
                if v.max() - v.min() > tol:
                    continue
            lo = audit.solve(k, False)
            tables = (tables + [audit._x.copy()] * audit._solved)[-16:]
            hi = audit.solve(k, True)
            tables = (tables + [audit._x.copy()] * audit._solved)[-16:]
            if not hi - lo <= tol:
                continue
        out.append(k)
    return out


#: Failing cells one round of the audit collects before suppressing more and re-checking
#: (fewer LPs on cells that the new suppressions protect anyway).
_FAILING_PER_ROUND = 64
_SAY_EVERY_S = 5.0
#: the same for an audit cut into blocks (England's): each round rebuilds the blocks that changed
_FAILING_PER_ROUND_CUT = 1024


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
