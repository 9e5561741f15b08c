"""The linear program of a suppression audit, built from a release's arrays and passed to
HiGHS whole or cut into blocks that share no row (internal to :mod:`rcc.report`; the loop
around it is :mod:`rcc.report.audit`)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from rcc.core import solvers
from rcc.core.errors import SolverError
from rcc.report.release import _COUNT, _NONLINEAR, _Release


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


def _make_rows(rel: _Release, hidden: np.ndarray, col_of: np.ndarray) -> _Rows:
    """The rows of an audit LP: published count / ratio / sum cells touching an unknown,
    h <= x, and the release's links and bounds (``col_of``: the unknowns' columns)."""
    return _with_link_rows(rel, col_of, _with_held_rows(rel, col_of, _published_rows(rel, hidden, col_of)))


def _split_rows(rows: _Rows, block: np.ndarray, truth: np.ndarray) -> _Rows:
    """``rows`` with every row that spans blocks of unknowns (``block``: a label per
    column) cut into one row per block, each piece pinned at its true value (``truth``:
    the base table), a bound's slack shared equally among its pieces. Every base table
    these rows allow, the original rows allow too: a reader who also knew each block's
    piece knows more, never less, so a cell protected here is protected (the audit is
    stricter, never looser). Rows inside one block are kept as they are."""
    key = rows.rows * (int(block.max()) + 1) + block[rows.cols]
    uniq, new_row = np.unique(key, return_inverse=True)
    old = uniq // (int(block.max()) + 1)
    n_old = len(rows.cell)
    pieces = np.bincount(old, minlength=n_old)
    t_piece = np.bincount(new_row, weights=rows.vals * truth[rows.cols], minlength=len(uniq))
    t_row = np.bincount(old, weights=t_piece, minlength=n_old)
    k = pieces[old]
    with np.errstate(invalid="ignore"):  # inf - inf never happens: a piece's slack is finite or inf
        lower = np.where(k == 1, rows.lower[old], t_piece - (t_row[old] - rows.lower[old]) / k)
        upper = np.where(k == 1, rows.upper[old], t_piece + (rows.upper[old] - t_row[old]) / k)
    cell = np.asarray(rows.cell, dtype=np.int64)[old]
    return _Rows(rows=new_row, cols=rows.cols, vals=rows.vals, lower=lower, upper=upper, cell=cell.tolist())


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


class _Block:
    """One part of an audit LP that shares no row with the others: its columns (the
    audit's) and its HiGHS model, solved warm from its last basis when only costs change."""

    def __init__(self, cols: np.ndarray, rows: _Rows, col_lower: np.ndarray, dual_from: int) -> None:
        import highspy

        self.cols, self.rc = cols, np.asarray(rows.cell, dtype=np.int64)
        self.label: object = None  # the block's label in an audit cut into blocks
        solvers.silence_highs_banner()
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        self.cold, self.hs = True, highspy
        self._cold_strategy = 1 if len(cols) >= dual_from else 4
        h.setOptionValue("simplex_strategy", self._cold_strategy)  # the first solve; then primal (see _cold_run)
        self._last = np.zeros(0, dtype=np.int32)
        _pass_lp(h, rows, len(cols), col_lower)

    def run(self, cols: np.ndarray, coef: np.ndarray, maximise: bool) -> float:
        """Optimise ``coef @ x[cols]`` (local columns); its optimum (+-inf when unbounded)."""
        h, hs = self.h, self.hs
        if len(self._last):
            h.changeColsCost(len(self._last), self._last, np.zeros(len(self._last)))
        self._last = cols.astype(np.int32)
        h.changeColsCost(len(cols), self._last, coef)
        h.changeObjectiveSense(hs.ObjSense.kMaximize if maximise else hs.ObjSense.kMinimize)
        if self.cold:
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
        """A solve without a basis (dual simplex for a large LP: :attr:`rcc.report.audit._Audit.dual_from`), the primal simplex after it."""
        self.h.setOptionValue("simplex_strategy", self._cold_strategy)
        self.h.run()
        self.h.setOptionValue("simplex_strategy", 4)  # primal: warm from the last basis when only costs change
        self.cold = False


def _row_keys(rel: _Release, col_of: np.ndarray, row_cell: np.ndarray) -> np.ndarray:
    """A key per row of an audit LP, the same in every round of a release: a published
    cell's id, then ``n_cells`` + the placement row of a held row, then ``n_cells`` +
    placement rows + the link of a link row (rows in the order :class:`_Audit` adds them)."""
    hp = rel.held_pairs
    held = np.flatnonzero((col_of[hp[:, 0]] >= 0) | (col_of[hp[:, 1]] >= 0)) if len(hp) else np.zeros(0, np.int64)
    pub = row_cell[row_cell >= 0]
    link = -2 - row_cell[row_cell <= -2]
    return np.concatenate([pub, rel.n_cells + held, rel.n_cells + len(hp) + link]).astype(np.int64)
