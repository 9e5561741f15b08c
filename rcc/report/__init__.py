"""Reports of a plan: an Excel workbook and one self-contained HTML page.

Both carry cohort-level data only (children counted per cohort, council, home, need);
never a child id. Every count of children below the threshold (``suppress_below``,
default 5, as DfE publishes: counts of 1 to 4) is shown as ``"c"`` in every table and
chart label. A report is one release: all its tables are derived from one base table
(placement rows, their held children, shortfall rows) and suppressed together, with
secondary suppression across tables and a linear-programming audit, so that no
suppressed count can be worked out from any combination of the numbers it publishes
(see :func:`audit_suppression`). Text cells of the workbook are stored as text, never as
formulas (names beginning ``=``, ``+``, ``-``, ``@``, tab or CR come from outside data).

* :func:`write_excel`: a Summary sheet (region, method, status, solver gap, headline
  metrics, data attribution) and one sheet per table: placements, shortfall, by_council,
  unmet_by_need, utilisation, distance_bands, flows.
* :func:`write_html`: one file with inline SVG charts (no script, no web fonts, nothing
  fetched: it works offline) -- placements by distance band, by council, children without
  a home by need, a map of flows between councils -- and the tables.
* :func:`report_tables`: the suppressed tables both writers use.
* :func:`audit_suppression`: the feasible interval of every suppressed count of a report.
* :func:`report_cli`: what ``rcc report`` runs.

Councils are listed in name order, not ranked: outcomes depend on each council's
children and local supply (report in context, not league tables).
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import METRIC_LABELS, Plan
from rcc.core.errors import InvalidInputError, SolverError

__all__ = [
    "CHILD_COUNT_COLUMNS",
    "DISTANCE_BANDS",
    "SUPPRESSED",
    "audit_suppression",
    "report_cli",
    "report_tables",
    "suppress",
    "write_excel",
    "write_html",
]

#: The symbol DfE uses for a suppressed (confidential) figure.
SUPPRESSED = "c"

#: Distance bands in miles: (label, lower bound exclusive, upper bound inclusive). A
#: placement at exactly 20 miles is "within 20 miles", as DfE counts it.
DISTANCE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-5", -np.inf, 5.0),
    ("5-10", 5.0, 10.0),
    ("10-20", 10.0, 20.0),
    ("20-50", 20.0, 50.0),
    ("50+", 50.0, np.inf),
)

#: Columns that count children: suppressed wherever they appear in a report table.
CHILD_COUNT_COLUMNS: tuple[str, ...] = (
    "children",
    "held",
    "placed",
    "unmet",
    "placed_inside_own_council",
    "placed_outside_own_council",
    "placed_within_20_miles",
    "placed_over_20_miles",
)

_CHILD_ID = re.compile(r"^(child(_id)?|upn|pupil.*|.*child_id)$", re.IGNORECASE)
_COUNT_METRICS = ("children", "placed", "unmet")


# --------------------------------------------------------------------------- suppression


def suppress(
    df: pd.DataFrame,
    columns: Sequence[str],
    threshold: int = 5,
    *,
    secondary: bool = True,
    by: str | Sequence[str] | None = None,
    row_totals: Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None = None,
    dependent: Mapping[str, Sequence[str]] | None = None,
    symbol: str = SUPPRESSED,
) -> pd.DataFrame:
    """Replace small counts by ``"c"``, with secondary suppression.

    Primary suppression: every value ``v`` of ``columns`` with ``0 < v < threshold``.
    Zeros are shown (a true zero discloses nobody). ``threshold <= 1`` suppresses nothing.

    Secondary suppression (``secondary=True``), repeated until nothing changes:

    * columns: each column is taken to have a published total (over the whole table, or
      within each ``by`` group). Where exactly one cell of a column (group) is suppressed,
      the next smallest cell of that column (group) is suppressed too -- a non-zero one if
      there is one -- so the suppressed cell cannot be worked out as total minus the rest;
    * rows: for each ``total: parts`` of ``row_totals`` (``total = sum(parts)`` within a
      row, e.g. ``{"children": ["placed", "unmet"]}``), where exactly one of the total and
      its parts is suppressed, the smallest other part (or else the total) is too.

    What it does not do: protect against differences between overlapping tables (each
    table is protected on its own) or against a column total being published when a
    column has a single non-zero cell left to suppress (then suppress the total as well).
    The reports do not use it for that reason: :func:`report_tables` suppresses all the
    tables of a report together and audits them (see :func:`audit_suppression`).

    Parameters
    ----------
    df : pandas.DataFrame
        Not modified.
    columns : sequence of str
        Count columns (numbers of children).
    threshold : int
        Counts below it (and above 0) are suppressed. Default 5.
    secondary : bool
        Apply secondary suppression.
    by : str or sequence of str, optional
        Groups within which each column has a published total (e.g. per council).
    row_totals : Mapping[str, Sequence[str]] or sequence of (str, Sequence[str]), optional
        Within-row additive relations, ``total -> parts``; as pairs when one total has
        several breakdowns (``[("placed", ["inside", "outside"]), ("placed", ["near",
        "far"])]``).
    dependent : Mapping[str, Sequence[str]], optional
        Derived columns (percentages, means, costs) -> the count columns they are computed
        from; a derived value is suppressed where any of its counts is.
    symbol : str
        Shown instead of a suppressed value. Default ``"c"``.

    Returns
    -------
    pandas.DataFrame
        A copy with the suppressed cells replaced by ``symbol`` (those columns become
        object dtype). ``attrs["suppressed"]`` is the boolean mask (same index, the count
        and dependent columns).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"council": ["A", "B", "C"], "children": [3, 10, 40]})
    >>> suppress(df, ["children"]).children.tolist()  # 10 is hidden too: 3 = total - 10 - 40
    ['c', 'c', 40]
    >>> suppress(df, ["children"], secondary=False).children.tolist()
    ['c', 10, 40]
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError("suppress", None, None, "a pandas DataFrame", type(df).__name__)
    columns = list(columns)
    relations = [(t, list(ps)) for t, ps in (row_totals.items() if isinstance(row_totals, Mapping) else row_totals or [])]
    dependent = dict(dependent or {})
    rel_cols = {t for t, _ in relations} | {c for _, parts in relations for c in parts}
    for c in columns + list(dependent) + sorted(rel_cols) + [c for v in dependent.values() for c in v]:
        if c not in df.columns:
            raise InvalidInputError("suppress", None, c, "a column of the table", list(df.columns))
    if not rel_cols <= set(columns):
        missing = sorted(rel_cols - set(columns))
        raise InvalidInputError("suppress", None, missing[0], "row_totals columns among the count columns", columns)
    out = df.copy()
    values = {c: pd.to_numeric(df[c], errors="coerce") for c in columns}
    mask = pd.DataFrame({c: (values[c] > 0) & (values[c] < threshold) for c in columns}, index=df.index)
    if secondary and len(df) and threshold > 1:
        groups = [np.arange(len(df))]
        if by is not None:
            keys = [by] if isinstance(by, str) else list(by)
            groups = [np.asarray(ix) for ix in df.reset_index(drop=True).groupby(keys, sort=False, dropna=False).indices.values()]
        arr = {c: values[c].to_numpy(dtype=float) for c in columns}
        m = {c: mask[c].to_numpy(dtype=bool).copy() for c in columns}
        changed = True
        while changed:
            changed = False
            for c in columns:
                for g in groups:
                    if len(g) > 1 and m[c][g].sum() == 1:
                        changed |= _hide_smallest(arr[c], m[c], g)
            for total, parts in relations:
                cols = [total, *parts]
                for i in range(len(df)):
                    if sum(m[k][i] for k in cols) == 1:
                        cands = [p for p in parts if not m[p][i] and np.isfinite(arr[p][i])]
                        nonzero = [p for p in cands if arr[p][i] > 0]
                        pick = min(nonzero or cands, key=lambda p: arr[p][i]) if (nonzero or cands) else None
                        if pick is None and not m[total][i]:
                            pick = total
                        if pick is not None:
                            m[pick][i] = True
                            changed = True
        mask = pd.DataFrame(m, index=df.index)
    for d, bases in dependent.items():
        mask[d] = mask[list(bases)].any(axis=1) if bases else False
    for c in mask.columns:
        if mask[c].any():
            out[c] = out[c].astype(object).where(~mask[c], symbol)
    out.attrs["suppressed"] = mask
    return out


def _hide_smallest(values: np.ndarray, mask: np.ndarray, rows: np.ndarray) -> bool:
    free = rows[~mask[rows] & np.isfinite(values[rows])]
    if not len(free):
        return False
    nonzero = free[values[free] > 0]
    pool = nonzero if len(nonzero) else free
    mask[pool[np.argmin(values[pool])]] = True
    return True


# --------------------------------------------------------------------------- one release, one linear system
#
# Every number a report publishes is a linear function of one base table: the children of
# each placement row (``x``), the held children of each placement row (``h``, at most
# ``x``) and the children of each shortfall row (``y``). A count cell is a sum of base
# cells; a share or mean of counts is a ratio equation (``num - r * den = 0``); a total
# cost is a weighted sum. Suppression works on this one system, so that no table can be
# differenced against another to work out a suppressed count (see :func:`audit_suppression`).

_COUNT, _RATIO, _SUM, _NONLINEAR = 0, 1, 2, 3
_TOL = 1e-6


class _Release:
    """The cells of one report as linear functions of the base cells (internal)."""

    def __init__(self, base_value: np.ndarray, base_lb: np.ndarray, held_pairs: np.ndarray) -> None:
        self.base_value = np.asarray(base_value, dtype=float)
        self.base_lb = np.asarray(base_lb, dtype=float)
        self.held_pairs = held_pairs  # (k, 2): h var, x var with h <= x
        self.table: list[str] = []
        self.row: list[int] = []
        self.column: list[str] = []
        self.kind: list[int] = []
        self.value: list[float] = []
        self.deps: list[list[int]] = []
        self.group: list[np.ndarray | None] = []
        self.share_parts: list[tuple[float, float] | None] = []
        self.weighted: list[bool] = []
        self.explicit: list[tuple[int, np.ndarray]] = []
        self._nz: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._rhs: list[float] = []
        self.index: dict[tuple[str, str], np.ndarray] = {}

    # -- building
    def _add(self, table: str, column: str, kind: int, cells: list[tuple[np.ndarray, np.ndarray, float, float]], **kw: Any) -> np.ndarray:
        start = len(self.table)
        deps = kw.get("deps") or [[] for _ in cells]
        groups = kw.get("groups") or [None for _ in cells]
        shares = kw.get("shares") or [None for _ in cells]
        for i, (var, coef, rhs, value) in enumerate(cells):
            k = len(self.table)
            self.table.append(table)
            self.row.append(i)
            self.column.append(column)
            self.kind.append(kind)
            self.value.append(value)
            self.deps.append(list(deps[i]))
            self.group.append(groups[i])
            self.share_parts.append(shares[i])
            self.weighted.append(bool(kw.get("weighted", False)))
            self._nz.append((np.full(len(var), k, dtype=np.int64), np.asarray(var, dtype=np.int64), np.asarray(coef, dtype=float)))
            self._rhs.append(rhs)
        ids = np.arange(start, len(self.table))
        self.index[(table, column)] = ids
        return ids

    def counts(self, table: str, column: str, row_of_base: np.ndarray, n_rows: int) -> np.ndarray:
        """Count cells: cell ``i`` is the sum of the base cells with ``row_of_base == i``."""
        cells = []
        for var in _groups(row_of_base, n_rows):
            v = float(self.base_value[var].sum())
            cells.append((var, np.ones(len(var)), v, v))
        return self._add(table, column, _COUNT, cells)

    def ratios(
        self,
        table: str,
        column: str,
        num: tuple[np.ndarray, np.ndarray],
        den: tuple[np.ndarray, np.ndarray],
        n_rows: int,
        deps: list[list[int]],
        share: bool = False,
        weighted: bool = False,
    ) -> np.ndarray:
        """Ratio cells ``sum(num) / sum(den)`` (row ``i``: base cells with ``row == i``, weights).
        A ``share`` (a percentage of children) is itself suppressed where its numerator or
        the rest of its denominator is a small count."""
        cells, shares = [], []
        for nv, dv in zip(_groups(num[0], n_rows), _groups(den[0], n_rows)):
            nw, dw = num[1][nv], den[1][dv]
            n_val, d_val = float(nw @ self.base_value[nv]), float(dw @ self.base_value[dv])
            r = n_val / d_val if d_val else np.nan
            shares.append((n_val, d_val - n_val) if share else None)
            if not np.isfinite(r):
                cells.append((np.zeros(0, np.int64), np.zeros(0), 0.0, r))
                continue
            var = np.concatenate([nv, dv])
            coef = np.concatenate([nw, -r * dw])
            uniq, inv = np.unique(var, return_inverse=True)
            cells.append((uniq, np.bincount(inv, weights=coef, minlength=len(uniq)), 0.0, r))
        return self._add(table, column, _RATIO, cells, deps=deps, shares=shares, weighted=weighted)

    def sums(
        self, table: str, column: str, row_of_base: np.ndarray, weight: np.ndarray, n_rows: int, deps: list[list[int]],
        weighted: bool = True,
    ) -> np.ndarray:
        """Weighted sums (total weekly cost): a known linear function of the base cells."""
        cells = []
        for var in _groups(row_of_base, n_rows):
            v = float(weight[var] @ self.base_value[var])
            cells.append((var, weight[var], v, v))
        return self._add(table, column, _SUM, cells, deps=deps, weighted=weighted)

    def nonlinear(self, table: str, column: str, groups: list[np.ndarray], deps: list[list[int]]) -> np.ndarray:
        """Statistics no linear audit can bound (HHI): shown only where every base cell of
        their group is published."""
        cells = [(np.zeros(0, np.int64), np.zeros(0), 0.0, np.nan) for _ in groups]
        return self._add(table, column, _NONLINEAR, cells, deps=deps, groups=groups)

    def relate(self, total: int, *parts: np.ndarray) -> None:
        """An additive relation within a table's row (``children = placed + unmet``)."""
        self.explicit.append((int(total), np.concatenate([np.asarray(q, dtype=np.int64) for q in parts])))

    def value_a_of(self, ids: np.ndarray) -> np.ndarray:
        """The (integer) values of count cells."""
        return np.rint([self.value[k] for k in ids]).astype(np.int64)

    def primary(self, threshold: int) -> np.ndarray:
        """Primary suppression: counts and shares that give away 1 to ``threshold - 1`` children."""
        v = self.value_a
        out = self.count & (v > 0) & (v < threshold)
        for k, parts in enumerate(self.share_parts):
            if parts is not None and any(0 < q < threshold for q in parts):
                out[k] = True
        return out

    def finish(self) -> None:
        self.kind_a = np.asarray(self.kind)
        self.value_a = np.asarray(self.value, dtype=float)
        self.rhs = np.asarray(self._rhs, dtype=float)
        nz = self._nz
        self.nz_cell = np.concatenate([a for a, _, _ in nz]) if nz else np.zeros(0, np.int64)
        self.nz_var = np.concatenate([b for _, b, _ in nz]) if nz else np.zeros(0, np.int64)
        self.nz_coef = np.concatenate([c for _, _, c in nz]) if nz else np.zeros(0)
        keep = np.abs(self.nz_coef) > 1e-12
        self.nz_cell, self.nz_var, self.nz_coef = self.nz_cell[keep], self.nz_var[keep], self.nz_coef[keep]
        self.n_cells = len(self.table)
        self.count = self.kind_a == _COUNT
        self.weighted_a = np.asarray(self.weighted, dtype=bool)
        self.support = [np.zeros(0, np.int64)] * self.n_cells
        order = np.argsort(self.nz_cell, kind="stable")
        b = np.searchsorted(self.nz_cell[order], np.arange(self.n_cells + 1))
        self.support = [self.nz_var[order[b[k] : b[k + 1]]] for k in range(self.n_cells)]
        self.support_coef = [self.nz_coef[order[b[k] : b[k + 1]]] for k in range(self.n_cells)]
        # the cell that publishes each base cell on its own (placement / shortfall rows)
        self.base_cell = np.full(len(self.base_value), -1, dtype=np.int64)
        for k in np.flatnonzero(self.count):
            s = self.support[k]
            if len(s) == 1 and self.table[k] in ("placements", "shortfall"):
                self.base_cell[s[0]] = k
        self.relations = self._relations()

    def _relations(self) -> list[tuple[int, np.ndarray]]:
        """(total, parts) pairs among count cells: a cell whose base cells are exactly the
        union of the base cells of some cells of one column of another table (e.g. a flow
        and its placement rows, a council's placed and its flows)."""
        n_base = len(self.base_value)
        out: list[tuple[int, np.ndarray]] = list(self.explicit)
        counted = self.count[self.nz_cell]
        cell, var = self.nz_cell[counted], self.nz_var[counted]
        length = np.bincount(cell, minlength=self.n_cells)
        column_of = np.full(self.n_cells, -1, dtype=np.int64)
        for j, ids in enumerate(self.index.values()):
            column_of[ids] = j
        for j, ids in enumerate(self.index.values()):
            if not len(ids) or self.kind[ids[0]] != _COUNT:
                continue
            owner = np.full(n_base, -1, dtype=np.int64)
            size = np.zeros(self.n_cells, dtype=np.int64)
            for k in ids:
                owner[self.support[k]] = k
                size[k] = len(self.support[k])
            own = owner[var]
            other = column_of != j
            ok = other[cell]
            uncovered = np.bincount(cell[ok & (own < 0)], minlength=self.n_cells) > 0
            pairs = np.unique(np.column_stack([cell[ok & (own >= 0)], own[ok & (own >= 0)]]), axis=0)
            if not len(pairs):
                continue
            covered = np.bincount(pairs[:, 0], weights=size[pairs[:, 1]], minlength=self.n_cells)
            good = other & ~uncovered & (length > 0) & (covered == length)
            starts = np.searchsorted(pairs[:, 0], np.arange(self.n_cells + 1))
            for k in np.flatnonzero(good):
                parts = pairs[starts[k] : starts[k + 1], 1]
                if not (len(parts) == 1 and parts[0] == k):
                    out.append((int(k), parts))
        return out


def _groups(row_of_base: np.ndarray, n_rows: int) -> list[np.ndarray]:
    """The base cells of each row ``0 .. n_rows - 1`` (``row_of_base == -1``: none)."""
    order = np.argsort(row_of_base, kind="stable")
    order = order[row_of_base[order] >= 0]
    bounds = np.searchsorted(row_of_base[order], np.arange(n_rows + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n_rows)]


def _row_of(base_keys: pd.DataFrame, table_keys: pd.DataFrame, select: np.ndarray) -> np.ndarray:
    """Position of each base cell's row in a table (matched on key columns), -1 where not selected."""
    idx = pd.MultiIndex.from_frame(table_keys.astype(str)) if table_keys.shape[1] > 1 else pd.Index(table_keys.iloc[:, 0].astype(str))
    probe = pd.MultiIndex.from_frame(base_keys.astype(str)) if base_keys.shape[1] > 1 else pd.Index(base_keys.iloc[:, 0].astype(str))
    pos = np.asarray(idx.get_indexer(probe), dtype=np.int64)
    pos[~np.asarray(select, dtype=bool)] = -1
    missing = (pos < 0) & select
    if missing.any():
        raise InvalidInputError(
            "placements/shortfall", None, "/".join(base_keys.columns), "a value with a row in the report table "
            f"keyed by {list(table_keys.columns)}", f"{int(missing.sum())} row(s) without one",
        )
    return pos


# --------------------------------------------------------------------------- the audit


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

    def __init__(self, rel: _Release, hidden: np.ndarray, seen: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        import highspy

        self.rel = rel
        known = np.ones(len(rel.base_value), dtype=bool)
        has = rel.base_cell >= 0
        known[has] = ~hidden[rel.base_cell[has]]
        unk = np.flatnonzero(~known)
        self.col_of = np.full(len(rel.base_value), -1, dtype=np.int64)
        self.col_of[unk] = np.arange(len(unk))
        self.n = len(unk)
        # rows: published count / ratio / sum cells touching an unknown, and h <= x
        pub = (~hidden) & (rel.kind_a != _NONLINEAR)
        nz = pub[rel.nz_cell]
        cell, var, coef = rel.nz_cell[nz], rel.nz_var[nz], rel.nz_coef[nz]
        u = self.col_of[var] >= 0
        const = np.bincount(cell[~u], weights=coef[~u] * rel.base_value[var[~u]], minlength=rel.n_cells)
        cells_u = np.unique(cell[u])
        row_of_cell = np.full(rel.n_cells, -1, dtype=np.int64)
        row_of_cell[cells_u] = np.arange(len(cells_u))
        rows = row_of_cell[cell[u]]
        cols = self.col_of[var[u]]
        vals = coef[u]
        rhs = rel.rhs[cells_u] - const[cells_u]
        scale = np.ones(len(cells_u))
        np.maximum.at(scale, rows, np.abs(vals))
        scale = np.where(rel.kind_a[cells_u] == _COUNT, 1.0, 1.0 / np.maximum(scale, 1e-300))
        vals = vals * scale[rows]
        rhs = rhs * scale
        lower, upper = rhs.copy(), rhs.copy()
        self.row_cell = list(cells_u)
        hp = rel.held_pairs
        if len(hp):
            hc, xc = self.col_of[hp[:, 0]], self.col_of[hp[:, 1]]
            extra_r, extra_c, extra_v, extra_lo, extra_hi = [], [], [], [], []
            r0 = len(cells_u)
            for hcol, xcol, (hv, xv) in zip(hc, xc, hp):
                if hcol < 0 and xcol < 0:
                    continue
                cst = 0.0
                if hcol >= 0:
                    extra_r.append(r0), extra_c.append(hcol), extra_v.append(1.0)
                else:
                    cst += rel.base_value[hv]
                if xcol >= 0:
                    extra_r.append(r0), extra_c.append(xcol), extra_v.append(-1.0)
                else:
                    cst -= rel.base_value[xv]
                extra_lo.append(-np.inf), extra_hi.append(-cst)
                self.row_cell.append(-1)
                r0 += 1
            rows = np.concatenate([rows, np.asarray(extra_r, dtype=np.int64)])
            cols = np.concatenate([cols, np.asarray(extra_c, dtype=np.int64)])
            vals = np.concatenate([vals, np.asarray(extra_v, dtype=float)])
            lower = np.concatenate([lower, extra_lo])
            upper = np.concatenate([upper, extra_hi])
        self.n_rows = len(self.row_cell)
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        start = np.searchsorted(rows, np.arange(self.n_rows + 1))
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)  # primal simplex: warm from the last basis when only costs change
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.zeros(self.n)
        self.col_lower = rel.base_lb[unk].astype(float)
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = np.full(self.n, highspy.kHighsInf)
        lp.row_lower_ = np.where(np.isfinite(lower), lower, -highspy.kHighsInf)
        lp.row_upper_ = np.where(np.isfinite(upper), upper, highspy.kHighsInf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = start.astype(np.int32)
        lp.a_matrix_.index_ = cols.astype(np.int32)
        lp.a_matrix_.value_ = vals
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = self.n_rows
        self.h, self.hs = h, highspy
        self._last = np.zeros(0, dtype=np.int32)
        # every solution is a feasible base table: the range it shows for each hidden count
        # is inside that count's interval, so it can prove protection without its own LP
        # (base tables of an earlier audit with fewer cells hidden stay consistent: pass them on)
        self.seen_lo, self.seen_hi = seen if seen is not None else (rel.value_a.copy(), rel.value_a.copy())
        watch = hidden & rel.count
        self._nz = watch[rel.nz_cell]
        self._x = rel.base_value.copy()
        self._unk = unk
        if self.n:
            h.passModel(lp)

    def objective(self, k: int) -> tuple[np.ndarray, np.ndarray, float]:
        rel = self.rel
        s, c = rel.support[k], rel.support_coef[k]
        cols = self.col_of[s]
        u = cols >= 0
        return cols[u], c[u], float(c[~u] @ rel.base_value[s[~u]])

    def solve(self, k: int, maximise: bool) -> tuple[float, np.ndarray]:
        """Min or max of cell ``k`` and the cells of the binding published rows."""
        cols, coef, const = self.objective(k)
        if not len(cols):
            return const, np.zeros(0, np.int64)
        obj = self._run(cols, coef, maximise)
        if not math.isfinite(obj):
            return obj, np.zeros(0, np.int64)
        sol = self.h.getSolution()
        obj += const
        self._record(np.asarray(sol.col_value))
        duals = np.asarray(sol.row_dual)
        rc = np.asarray(self.row_cell, dtype=np.int64)
        binding = rc[(np.abs(duals) > 1e-9) & (rc >= 0)] if len(rc) else np.zeros(0, np.int64)
        return obj, binding

    def _run(self, cols: np.ndarray, coef: np.ndarray, maximise: bool) -> float:
        """Optimise ``coef @ x[cols]``; its optimum (+-inf when unbounded)."""
        h, hs = self.h, self.hs
        if len(self._last):
            h.changeColsCost(len(self._last), self._last, np.zeros(len(self._last)))
        self._last = cols.astype(np.int32)
        h.changeColsCost(len(cols), self._last, coef)
        h.changeObjectiveSense(hs.ObjSense.kMaximize if maximise else hs.ObjSense.kMinimize)
        h.run()
        status = h.getModelStatus()
        if status not in (hs.HighsModelStatus.kOptimal, hs.HighsModelStatus.kUnbounded):
            h.clearSolver()  # numerical trouble from the warm start: once more from scratch
            h.run()
            status = h.getModelStatus()
        if status == hs.HighsModelStatus.kUnbounded:
            return math.inf if maximise else -math.inf
        if status != hs.HighsModelStatus.kOptimal:
            raise SolverError(f"suppression audit: HiGHS returned {h.modelStatusToString(status)} bounding a suppressed cell")
        return float(h.getInfo().objective_function_value)

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
        rel = self.rel
        self._x[self._unk] = col_value
        m = self._nz
        vals = np.bincount(rel.nz_cell[m], weights=rel.nz_coef[m] * self._x[rel.nz_var[m]], minlength=rel.n_cells)
        watch = np.zeros(rel.n_cells, dtype=bool)
        watch[rel.nz_cell[m]] = True
        np.maximum(self.seen_hi, np.where(watch, vals, -np.inf), out=self.seen_hi)
        np.minimum(self.seen_lo, np.where(watch, vals, np.inf), out=self.seen_lo)

    def check(self, k: int, threshold: int) -> tuple[bool, float, float, np.ndarray]:
        """Whether suppressed cell ``k`` is protected; its bounds (``nan`` if not needed)
        and the published cells that pin it when not."""
        v = self.rel.value_a[k]
        primary = 0 < v < threshold
        if self.proven(k, threshold):
            return True, math.nan, math.nan, np.zeros(0, np.int64)
        hi, b_hi = self.solve(k, True)
        if (primary and hi >= threshold - _TOL) or (not primary and hi >= v + 1 - _TOL):  # whole children
            return True, math.nan, hi, b_hi
        if primary:
            cols, coef, const = self.objective(k)
            if (coef >= 0).all() and const + coef @ self.col_lower[cols] >= 1 - _TOL:
                return False, math.nan, hi, b_hi  # listed rows count at least one child: never 0
        lo, b_lo = self.solve(k, False)
        ok, upper_side = _interval_ok(lo, hi, v, threshold)
        return ok, lo, hi, (b_hi if upper_side else np.union1d(b_hi, b_lo))


def _apply_dependencies(rel: _Release, hidden: np.ndarray) -> bool:
    """Hide statistics whose counts are hidden, and nonlinear ones over hidden base cells."""
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
    (non-zero if possible)."""
    val = rel.value_a
    changed = True
    while changed:
        changed = False
        for total, parts in rel.relations:
            cells = np.concatenate([[total], parts])
            h = hidden[cells]
            if h.sum() != 1:
                continue
            free = cells[~h]
            nonzero = free[val[free] > 0]
            pool = nonzero if len(nonzero) else free
            pool_parts = pool[pool != total]
            pick = pool_parts[np.argmin(val[pool_parts])] if len(pool_parts) else pool[0]
            hidden[pick] = True
            changed = True
        changed |= _apply_dependencies(rel, hidden)


def _protect(rel: _Release, threshold: int) -> np.ndarray:
    """Primary suppression, consistent secondary suppression and the LP audit, repeated
    until every suppressed count passes the audit. Returns the hidden mask over cells."""
    hidden = np.zeros(rel.n_cells, dtype=bool)
    if threshold <= 1:
        return hidden
    hidden |= rel.primary(threshold)
    hidden |= rel.weighted_a  # shown at the end, where the published counts already determine them
    _secondary(rel, hidden)
    todo = np.flatnonzero(hidden & rel.count)
    seen = None
    while len(todo):
        audit = _Audit(rel, hidden, seen)
        seen = (audit.seen_lo, audit.seen_hi)
        if audit.n:
            audit.sweep(todo, threshold)
        failing: list[int] = []
        pins: list[np.ndarray] = []
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
            cand = cand[~hidden[cand]]
            if not len(cand):
                cand = _neighbours(rel, int(k), hidden)
            if not len(cand):
                raise SolverError("suppression audit: a suppressed cell stays recoverable with nothing left to suppress")
            pins.append(cand)
        extra = _pick(rel, pins)
        if not failing:
            break
        before = hidden.copy()
        hidden[list(extra)] = True
        _secondary(rel, hidden)
        new = np.flatnonzero(hidden & ~before & rel.count)
        todo = np.union1d(np.union1d(np.asarray(failing, dtype=np.int64), new), unchecked)
    hidden[_redundant_weighted(rel, hidden)] = False
    return hidden


def _redundant_weighted(rel: _Release, hidden: np.ndarray) -> np.ndarray:
    """The weighted statistics (mean distances, weekly costs) that the published counts
    already determine: publishing them adds nothing, even to a reader who knows counts are
    whole numbers. (One that adds an equation with distinct real weights -- distances,
    costs -- can pin hidden counts among the integers though the linear relaxation cannot
    see it, so the others stay hidden.)"""
    base = hidden | rel.weighted_a
    audit = _Audit(rel, base)
    out = []
    for k in np.flatnonzero(rel.weighted_a):
        if rel.deps[k] and base[rel.deps[k]].any():
            continue
        cols, coef, _ = audit.objective(int(k))
        if len(cols):
            lo, _ = audit.solve(int(k), False)
            hi, _ = audit.solve(int(k), True)
            if not hi - lo <= 1e-7 * max(1.0, float(np.abs(coef).sum())):
                continue
        out.append(int(k))
    return np.asarray(out, dtype=np.int64)


#: Failing cells one round of the audit collects before suppressing more and re-checking
#: (fewer LPs on cells that the new suppressions protect anyway).
_FAILING_PER_ROUND = 64


def audit_suppression(
    plan: Plan,
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    suppress_below: int = 5,
) -> pd.DataFrame:
    """Check that no suppressed count of a report can be worked out from the rest of it.

    The report is one release: every number published in any of its tables (summary,
    distance_bands, by_council, flows, unmet_by_need, utilisation, placements, shortfall)
    is a known linear function of one base table -- the children of each placement row,
    their held children and the children of each shortfall row -- and percentages, mean
    distances and costs are linear equations over it too. The audit finds, by linear
    programming (HiGHS), the smallest and largest value each suppressed count can take over
    all non-negative base tables that reproduce every published number (a row listed in
    the placements or shortfall table counts at least one child).

    Protection rule: a suppressed count is protected when, rounded inward to whole
    children, its lower bound is below its upper bound (it is not determined) and, for a
    count of 1 to ``suppress_below - 1``, the interval also holds 0 or a value of at least
    ``suppress_below`` (it cannot be pinned to "a few children"). A nonlinear statistic
    (provider HHI) is protected only when every placement row it sums over is published,
    and a weighted statistic (a mean distance, a weekly cost) only when the other published
    numbers already determine it: with distinct real weights, one more equation can pin
    hidden counts among whole numbers although the linear relaxation leaves them open.

    The bounds are those of the linear relaxation over the counts (sums of base cells) and
    shares; a test checks them against whole-number (MILP) bounds on random small plans.

    Parameters
    ----------
    plan : Plan
        The plan the report was made from (the base table).
    tables : Mapping[str, pandas.DataFrame], optional
        The published tables, as :func:`report_tables` returns them (``"c"`` for a
        suppressed cell); by default ``report_tables(plan, suppress_below=...)``.
    suppress_below : int
        The threshold of the report.

    Returns
    -------
    pandas.DataFrame
        One row per suppressed count (and per published nonlinear statistic that fails):
        ``table``, ``row`` (position in the table), ``column``, ``lower``, ``upper`` (the
        feasible interval; ``upper`` is ``inf`` when unbounded) and ``protected``. Never
        the true values.

    Raises
    ------
    rcc.InvalidInputError
        The tables are not the report of this plan (a table missing, a row count or a
        published count that differs).
    rcc.SolverError
        HiGHS could not bound a cell.
    """
    t = int(suppress_below)
    frames, rel = _plan_release(plan)
    if tables is None:
        tables = report_tables(plan, suppress_below=t)
    hidden = np.zeros(rel.n_cells, dtype=bool)
    for (table, column), ids in rel.index.items():
        if not len(ids):
            continue
        if table not in tables:
            raise InvalidInputError("audit_suppression", None, None, f"a {table!r} table", sorted(tables))
        df = tables[table]
        target = _target(df, column)
        if target not in df.columns or len(df) != len(frames[table]):
            raise InvalidInputError(table, None, target, f"the report table of this plan ({len(frames[table])} rows)", len(df))
        vals = df[target].to_numpy(dtype=object)
        for k in ids:
            v = vals[rel.row[k]]
            hidden[k] = _is_c(v)
            if not hidden[k] and rel.kind[k] == _COUNT and not math.isclose(float(v), rel.value[k], abs_tol=1e-9):
                raise InvalidInputError(table, rel.row[k], target, "the published count of this plan", "another value")
    audit = _Audit(rel, hidden)
    out = []
    for k in np.flatnonzero(hidden & rel.count):
        lo, _ = audit.solve(int(k), False)
        hi, _ = audit.solve(int(k), True)
        ok, _ = _interval_ok(lo, hi, rel.value_a[k], t)
        out.append((rel.table[k], rel.row[k], rel.column[k], lo, hi, ok))
    shown_weighted = np.flatnonzero(~hidden & rel.weighted_a)
    for k in np.setdiff1d(shown_weighted, _redundant_weighted(rel, hidden)):
        out.append((rel.table[k], rel.row[k], rel.column[k], math.nan, math.nan, False))
    for k in np.flatnonzero(~hidden & (rel.kind_a == _NONLINEAR)):
        g = rel.group[k]
        bc = rel.base_cell[g] if g is not None else np.zeros(0, np.int64)
        if (bc < 0).any() or hidden[bc[bc >= 0]].any():
            out.append((rel.table[k], rel.row[k], rel.column[k], math.nan, math.nan, False))
    return pd.DataFrame(out, columns=["table", "row", "column", "lower", "upper", "protected"]).astype(
        {"row": np.int64, "lower": float, "upper": float, "protected": bool}
    )


def _pick(rel: _Release, pins: list[np.ndarray]) -> set[int]:
    """Cells to suppress this round: greedily, one cheap cell per failing cell unless a cell
    already picked also pins it; headline (summary) cells only in a round where nothing
    else can be picked (suppressing detail often frees a headline cell's dependants)."""
    picks: set[int] = set()
    deferred = []
    for cand in pins:
        if picks.intersection(cand.tolist()):
            continue
        k = _cheapest(rel, cand)
        if rel.table[k] == "summary":
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
    headline = np.asarray([rel.table[k] == "summary" for k in cand])
    key = np.lexsort((v, v <= 0, headline, rel.kind_a[cand] != _COUNT))
    return int(cand[key[0]])


def _neighbours(rel: _Release, k: int, hidden: np.ndarray) -> np.ndarray:
    """Published cells sharing a base cell with cell ``k`` (fallback when no row is binding)."""
    touch = np.isin(rel.nz_var, rel.support[k])
    cells = np.unique(rel.nz_cell[touch])
    return cells[~hidden[cells] & (rel.kind_a[cells] != _NONLINEAR)]


# --------------------------------------------------------------------------- tables


def _check_no_child_ids(frames: Mapping[str, pd.DataFrame]) -> None:
    for name, df in frames.items():
        for c in df.columns:
            if _CHILD_ID.match(str(c)):
                raise InvalidInputError(
                    name, None, str(c), "cohort-level tables only (reports never carry child ids)", str(c)
                )


def _band(distance: pd.Series) -> pd.Series:
    out = pd.Series(np.nan, index=distance.index, dtype=object)
    for label, lo, hi in DISTANCE_BANDS:
        out[(distance > lo) & (distance <= hi)] = label
    return out


def _council_names(plan: Plan) -> pd.Series:
    return plan.region.councils.set_index("council_id").name


def _by_council(plan: Plan) -> pd.DataFrame:
    p = plan.placements
    m = plan.metrics_by_council()
    names = _council_names(plan)
    counts = pd.DataFrame(
        {
            "placed_inside_own_council": (p.children * p.inside_own_council.astype(bool)).groupby(p.council_id).sum(),
            "placed_within_20_miles": (p.children * (p.distance_miles <= 20.0)).groupby(p.council_id).sum(),
        }
    )
    m = m.merge(counts, left_on="council_id", right_index=True, how="left").fillna(
        {"placed_inside_own_council": 0, "placed_within_20_miles": 0}
    )
    councils = plan.region.councils[["council_id"]].merge(m, on="council_id", how="left")
    councils = councils[councils.children.fillna(0) > 0] if len(councils) else councils
    out = pd.DataFrame(
        {
            "council_id": councils.council_id,
            "council": councils.council_id.map(names),
            "children": councils.children.astype(np.int64),
            "placed": councils.placed.astype(np.int64),
            "unmet": councils.unmet.astype(np.int64),
            "placed_inside_own_council": councils.placed_inside_own_council.astype(np.int64),
            "placed_outside_own_council": (councils.placed - councils.placed_inside_own_council).astype(np.int64),
            "placed_within_20_miles": councils.placed_within_20_miles.astype(np.int64),
            "placed_over_20_miles": (councils.placed - councils.placed_within_20_miles).astype(np.int64),
            "pct_inside_own_council": councils.pct_inside_own_council,
            "pct_within_20_miles": councils.pct_within_20_miles,
            "mean_distance_miles": councils.mean_distance_miles,
            "weekly_cost_gbp": councils.weekly_cost_gbp,
            "provider_hhi": councils.provider_hhi,
        }
    )
    return out.sort_values("council", kind="stable").reset_index(drop=True)


_BY_COUNCIL_RELATIONS = [
    ("children", ["placed", "unmet"]),
    ("placed", ["placed_inside_own_council", "placed_outside_own_council"]),
    ("placed", ["placed_within_20_miles", "placed_over_20_miles"]),
]


#: Shortfall reason codes (rcc.allocation.engine.shortfall_frame), the columns of ``unmet_by_need``.
_REASONS = ("unreachable", "capacity", "weights")


def _unmet_wide(plan: Plan) -> pd.DataFrame:
    s = plan.shortfall
    wide = s.pivot_table(index="need", columns="reason_code", values="children", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(_REASONS), fill_value=0)
    out = pd.DataFrame(
        {
            "need": wide.index.astype(str),
            "children": wide.sum(axis=1).astype(np.int64).to_numpy(),
            **{r: wide[r].astype(np.int64).to_numpy() for r in _REASONS},
            "cohorts": s.groupby("need").size().reindex(wide.index).astype(np.int64).to_numpy(),
        }
    )
    return out.sort_values("need", kind="stable").reset_index(drop=True)


class _Base:
    """The base table of a report: one cell per placement row (children), per placement
    row's held children and per shortfall row; every published count sums some of them."""

    def __init__(self, p: pd.DataFrame, s: pd.DataFrame) -> None:
        nx, ny = len(p), len(s)
        xc = p.children.to_numpy(dtype=float)
        hc = p.held.to_numpy(dtype=float) if "held" in p.columns else np.zeros(nx)
        yc = s.children.to_numpy(dtype=float) if ny else np.zeros(0)
        self.rel = _Release(
            np.concatenate([xc, hc, yc]),
            np.concatenate([np.minimum(xc, 1.0), np.zeros(nx), np.minimum(yc, 1.0)]),
            np.column_stack([np.arange(nx, 2 * nx), np.arange(nx)]).astype(np.int64),
        )
        self.nx, self.ny = nx, ny
        n = self.n = 2 * nx + ny
        self.is_x = np.arange(n) < nx
        self.is_h = (np.arange(n) >= nx) & ~(np.arange(n) >= 2 * nx)
        self.is_y = np.arange(n) >= 2 * nx

        def col(values_x: Any = None, values_y: Any = None) -> pd.Series:
            out = np.full(n, "", dtype=object)
            if values_x is not None:
                out[:nx] = np.asarray(values_x, dtype=object)
            if values_y is not None and ny:
                out[2 * nx :] = np.asarray(values_y, dtype=object)
            return pd.Series(out)

        self.keys = pd.DataFrame(
            {
                "council_id": col(p.council_id, s.council_id if ny else None),
                "home_council_id": col(p.home_council_id if "home_council_id" in p.columns else None),
                "home_type": col(p.home_type if "home_type" in p.columns else None),
                "band": col(_band(p.distance_miles)),
                "need": col(None, s.need if ny and "need" in s.columns else None),
                "reason": col(None, s.reason_code if ny and "reason_code" in s.columns else None),
            }
        )
        self.dist = np.zeros(n)
        self.dist[:nx] = p.distance_miles.to_numpy(dtype=float)
        self.cost = np.zeros(n)
        self.cost[:nx] = p.weekly_cost_gbp.to_numpy(dtype=float)
        self.inside = np.zeros(n, dtype=bool)
        self.inside[:nx] = p.inside_own_council.astype(bool).to_numpy()
        self.within = np.zeros(n, dtype=bool)
        self.within[:nx] = p.distance_miles.to_numpy(dtype=float) <= 20.0
        self.one = np.ones(n)

    def row_of(self, keys: Sequence[str], table: pd.DataFrame, select: np.ndarray, table_keys: Sequence[str] | None = None) -> np.ndarray:
        return _row_of(self.keys[list(keys)], table[list(table_keys or keys)], select)

    def detail(self, p: pd.DataFrame, s: pd.DataFrame) -> None:
        """The placements (children, held) and shortfall (children) tables: one cell per base cell."""
        rel, n, nx = self.rel, self.n, self.nx
        idx = np.arange(n)
        rel.counts("placements", "children", np.where(self.is_x, idx, -1), nx)
        if "held" in p.columns:
            rel.counts("placements", "held", np.where(self.is_h, idx - nx, -1), nx)
        if "children" in s.columns:
            rel.counts("shortfall", "children", np.where(self.is_y, idx - 2 * nx, -1), self.ny)

    def headline(self, table: str, rows: Mapping[str, int]) -> None:
        """Cells of a long metrics table (metric -> its row)."""
        rel, x, y, one = self.rel, self.is_x, self.is_y, self.one

        def at(select: np.ndarray) -> np.ndarray:
            return np.where(select, 0, -1).astype(np.int64)

        ids: dict[str, np.ndarray] = {}
        for metric, select in (("children", x | y), ("placed", x), ("unmet", y)):
            if metric in rows:
                ids[metric] = rel.counts(table, metric, at(select), 1)
        dep = [[int(ids["placed"][0])]] if "placed" in ids else [[]]
        stats = {
            "pct_within_20_miles": lambda: rel.ratios(table, "pct_within_20_miles", (at(x & self.within), one), (at(x), one), 1, dep, share=True),
            "pct_inside_own_council": lambda: rel.ratios(table, "pct_inside_own_council", (at(x & self.inside), one), (at(x), one), 1, dep, share=True),
            "mean_distance_miles": lambda: rel.ratios(table, "mean_distance_miles", (at(x), self.dist), (at(x), one), 1, dep, weighted=True),
            "weekly_cost_gbp": lambda: rel.sums(table, "weekly_cost_gbp", at(x), self.cost, 1, dep),
            "utilisation_pct": lambda: rel.sums(table, "utilisation_pct", at(x), one, 1, dep, weighted=False),
            "provider_hhi": lambda: rel.nonlinear(table, "provider_hhi", [np.flatnonzero(x)], dep),
        }
        for metric, add in stats.items():
            if metric in rows:
                ids[metric] = add()
        for metric, cells in ids.items():
            for k in cells:
                rel.row[k] = rows[metric]
        if {"children", "placed", "unmet"} <= set(ids):
            rel.relate(int(ids["children"][0]), ids["placed"], ids["unmet"])

    def councils(self, table: str, df: pd.DataFrame) -> None:
        """Cells of a per-council table (rows keyed by ``council_id``): the count columns
        present, shares, mean distance, weekly cost and HHI; the counts are written into
        ``df`` from the base."""
        rel, x, one = self.rel, self.is_x, self.one
        nb = len(df)
        r_c = self.row_of(["council_id"], df, x | self.is_y)
        xr = np.where(x, r_c, -1)
        count_cols = {
            "children": r_c,
            "placed": xr,
            "unmet": np.where(self.is_y, r_c, -1),
            "placed_inside_own_council": np.where(self.inside, xr, -1),
            "placed_outside_own_council": np.where(x & ~self.inside, xr, -1),
            "placed_within_20_miles": np.where(self.within, xr, -1),
            "placed_over_20_miles": np.where(x & ~self.within, xr, -1),
        }
        cid = {c: rel.counts(table, c, r, nb) for c, r in count_cols.items() if c in df.columns}
        for c, ids in cid.items():
            _check_counts(table, df, c, rel.value_a_of(ids))
        for total, parts in _BY_COUNCIL_RELATIONS:
            if total in cid and all(q in cid for q in parts):
                for i in range(nb):
                    rel.relate(int(cid[total][i]), *[cid[q][i : i + 1] for q in parts])

        def dep(*cols: str) -> list[list[int]]:
            use = [c for c in cols if c in cid] or (["placed"] if "placed" in cid else [])
            return [[int(cid[c][i]) for c in use] for i in range(nb)]

        if "pct_inside_own_council" in df.columns:
            rel.ratios(table, "pct_inside_own_council", (count_cols["placed_inside_own_council"], one), (xr, one), nb,
                       dep("placed_inside_own_council", "placed_outside_own_council"), share=True)
        if "pct_within_20_miles" in df.columns:
            rel.ratios(table, "pct_within_20_miles", (count_cols["placed_within_20_miles"], one), (xr, one), nb,
                       dep("placed_within_20_miles", "placed_over_20_miles"), share=True)
        if "mean_distance_miles" in df.columns:
            rel.ratios(table, "mean_distance_miles", (xr, self.dist), (xr, one), nb, dep("placed"), weighted=True)
        if "weekly_cost_gbp" in df.columns:
            rel.sums(table, "weekly_cost_gbp", xr, self.cost, nb, dep("placed"))
        if "provider_hhi" in df.columns:
            rel.nonlinear(table, "provider_hhi", [np.flatnonzero(xr == i) for i in range(nb)], dep("placed"))


def _check_counts(table: str, df: pd.DataFrame, column: str, values: np.ndarray) -> None:
    """A count column given beside the placements must be what they add up to."""
    given = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isclose(given, values.astype(float))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            table, df.iloc[i].get("council_id", i), column, "the sum of the placements/shortfall rows it counts",
            f"another value (in {int(bad.sum())} row(s))",
        )


def _plan_release(plan: Plan) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The report's tables before suppression, every count derived from one base table
    (placement rows, their held children, shortfall rows), and the linear model of them."""
    p = plan.placements.reset_index(drop=True)
    s = plan.shortfall.reset_index(drop=True)
    b = _Base(p, s)
    rel = b.rel
    frames: dict[str, pd.DataFrame] = {}

    m = plan.metrics
    summary = pd.DataFrame(
        {"metric": list(METRIC_LABELS), "label": list(METRIC_LABELS.values()), "value": [m[k] for k in METRIC_LABELS]}
    )
    summary["value"] = summary.value.astype(object)
    frames["summary"] = summary
    b.headline("summary", {k: i for i, k in enumerate(METRIC_LABELS)})

    dist_t = pd.DataFrame({"band": [d[0] for d in DISTANCE_BANDS]})
    ids = rel.counts("distance_bands", "children", b.row_of(["band"], dist_t, b.is_x), len(dist_t))
    dist_t["children"] = rel.value_a_of(ids)
    frames["distance_bands"] = dist_t

    frames["by_council"] = _by_council(plan)
    b.councils("by_council", frames["by_council"])

    names = _council_names(plan)
    pairs = p.groupby(["council_id", "home_council_id"], as_index=False).size()
    flows = pd.DataFrame(
        {
            "council_id": pairs.council_id,
            "council": pairs.council_id.map(names),
            "placement_council_id": pairs.home_council_id,
            "placement_council": pairs.home_council_id.map(names),
        }
    ).sort_values(["council", "placement_council"], kind="stable").reset_index(drop=True)
    r_f = b.row_of(["council_id", "home_council_id"], flows, b.is_x, ["council_id", "placement_council_id"])
    ids = rel.counts("flows", "children", r_f, len(flows))
    flows["children"] = rel.value_a_of(ids)
    d_sum = np.bincount(r_f[b.is_x], weights=(b.dist * rel.base_value)[b.is_x], minlength=len(flows))
    flows["mean_distance_miles"] = d_sum / flows.children.where(flows.children > 0)
    rel.ratios("flows", "mean_distance_miles", (r_f, b.dist), (r_f, b.one), len(flows), [[int(k)] for k in ids], weighted=True)
    frames["flows"] = flows

    un = _unmet_wide(plan)
    r_n = b.row_of(["need"], un, b.is_y)
    u_ids = {
        "children": rel.counts("unmet_by_need", "children", r_n, len(un)),
        **{
            r: rel.counts("unmet_by_need", r, np.where(b.keys.reason == r, r_n, -1), len(un))
            for r in _REASONS
        },
    }
    for c, i in u_ids.items():
        un[c] = rel.value_a_of(i)
    for i in range(len(un)):
        rel.relate(int(u_ids["children"][i]), *(u_ids[r][i : i + 1] for r in _REASONS))
    frames["unmet_by_need"] = un

    ut = plan.utilisation_by_home_type()
    r_t = b.row_of(["home_type"], ut, b.is_x)
    ids = rel.counts("utilisation", "placed", r_t, len(ut))
    frames["utilisation"] = ut.assign(placed=rel.value_a_of(ids))
    rel.sums("utilisation", "utilisation_pct", r_t, b.one, len(ut), [[int(k)] for k in ids], weighted=False)

    frames["placements"] = p.drop(columns=[c for c in p.columns if _CHILD_ID.match(c)])
    frames["shortfall"] = s
    b.detail(p, s)
    rel.finish()
    return frames, rel


def _frames_release(frames: Mapping[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The linear model of result frames such as :meth:`Plan.to_frames` (placements,
    shortfall, a long ``metrics`` table, a per-council table): the placements and
    shortfall rows are the base every other count is checked against and audited on."""
    if "placements" not in frames:
        raise InvalidInputError("frames", None, "placements", "a placements table (the base every count is audited on)", sorted(frames))
    p = frames["placements"].reset_index(drop=True)
    need = ["council_id", "children", "distance_miles", "inside_own_council", "weekly_cost_gbp"]
    missing = [c for c in need if c not in p.columns]
    if missing:
        raise InvalidInputError("placements", None, missing[0], "a column of Plan.placements", list(p.columns))
    s = frames.get("shortfall", pd.DataFrame({"council_id": [], "children": []})).reset_index(drop=True)
    b = _Base(p, s)
    out: dict[str, pd.DataFrame] = {"placements": p}
    if "shortfall" in frames:
        out["shortfall"] = s
    b.detail(p, s if "shortfall" in frames else pd.DataFrame())
    for name, df in frames.items():
        if name in ("placements", "shortfall"):
            continue
        df = df.reset_index(drop=True)
        if {"metric", "value"} <= set(df.columns):
            df = df.assign(value=df.value.astype(object))
            rows = {str(k): i for i, k in enumerate(df.metric)}
            b.headline(name, rows)
            for metric in ("children", "placed", "unmet"):
                if metric in rows:
                    _check_counts(name, df.iloc[[rows[metric]]], "value", b.rel.value_a_of(b.rel.index[(name, metric)]))
        elif "council_id" in df.columns and any(c in df.columns for c in CHILD_COUNT_COLUMNS):
            b.councils(name, df)
        elif any(c in df.columns for c in CHILD_COUNT_COLUMNS):
            raise InvalidInputError(
                name, None, next(c for c in CHILD_COUNT_COLUMNS if c in df.columns),
                "a table rcc can relate to the placements (metrics or per council) -- every count of a report is "
                "audited together", list(df.columns),
            )
        out[name] = df
    b.rel.finish()
    return out, b.rel


def _target(df: pd.DataFrame, column: str) -> str:
    """The column of a table holding a cell: its own, or ``value`` in a long metrics table."""
    return column if column in df.columns or "value" not in df.columns else "value"


def _render(frames: Mapping[str, pd.DataFrame], rel: _Release, hidden: np.ndarray) -> dict[str, pd.DataFrame]:
    """The tables with hidden cells shown as ``"c"``; ``attrs["suppressed"]`` is each
    table's mask over its suppressed columns."""
    out = {name: df.copy() for name, df in frames.items()}
    masks: dict[str, dict[str, np.ndarray]] = {}
    for (table, column), ids in rel.index.items():
        df = out[table]
        target = _target(df, column)
        rows_hidden = np.asarray([rel.row[k] for k in ids if hidden[k]], dtype=np.int64)
        m = masks.setdefault(table, {}).setdefault(target, np.zeros(len(df), dtype=bool))
        m[rows_hidden] = True
    for table, cols in masks.items():
        df = out[table]
        for c, m in cols.items():
            if m.any():
                df[c] = df[c].astype(object).where(~m, SUPPRESSED)
        df.attrs["suppressed"] = pd.DataFrame(cols, index=df.index)
    return out


def report_tables(plan: Plan, *, suppress_below: int = 5) -> dict[str, pd.DataFrame]:
    """The report's tables, with small counts suppressed.

    Parameters
    ----------
    plan : Plan
    suppress_below : int
        Counts of children from 1 to ``suppress_below - 1`` are shown as ``"c"``
        (default 5); 0 or 1 suppresses nothing.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``summary`` (metric, label, value), ``distance_bands`` (band, children),
        ``by_council`` (counts, shares, mean distance, cost and HHI per home council, in
        name order), ``flows`` (children from each home council to each placement council),
        ``unmet_by_need`` (children without a home per need: total, ``unreachable`` -- no
        eligible home within reach -- and ``capacity`` -- eligible homes full -- and
        cohorts), ``utilisation`` (places, placed, % by home type),
        ``placements`` and ``shortfall`` (cohort-level detail).

        The tables are one release. Every count is a sum of cells of one base table
        (children of each placement row, held children of each placement row, children of
        each shortfall row); shares, mean distances, costs and utilisation are linear
        equations over it. Suppression, repeated until it holds:

        1. primary: counts of 1 to ``suppress_below - 1``, and shares whose numerator or
           remainder is such a count;
        2. secondary, consistent across tables: wherever exactly one cell of an additive
           relation is hidden -- a cell and the cells of another table that add up to it
           (a flow and its placement rows, a council's ``placed`` and its flows, a total and
           its councils), or a row relation (``children = placed + unmet``, ``placed =
           inside + outside own council``, ``placed = within + over 20 miles``, ``children =
           unreachable + capacity + weights``) -- the smallest other is hidden too; shares, means and
           costs are hidden with the counts they come from, and provider HHI wherever any
           placement row it covers is hidden (no linear audit can bound it);
           mean distances and weekly costs are shown only where the published counts
           already determine them (checked by LP once the rest holds): an equation with
           distinct real weights can pin hidden counts among whole numbers;
        3. audit (:func:`audit_suppression`): each hidden count is bounded by linear
           programming over everything published; where one is not protected, a published
           cell that pins it (a binding constraint, smallest first, detail before headline)
           is hidden and the audit is repeated.

        Charts draw only what these tables show.

    Raises
    ------
    rcc.SolverError
        HiGHS failed while auditing (never a report that was not audited).
    """
    t = int(suppress_below)
    frames, rel = _plan_release(plan)
    hidden = _protect(rel, t)
    tables = _render(frames, rel, hidden)
    _check_no_child_ids(tables)
    return tables


def _suppress_frames(frames: Mapping[str, pd.DataFrame], threshold: int) -> dict[str, pd.DataFrame]:
    """Suppress result frames such as :meth:`Plan.to_frames` as one release: the same
    model, secondary suppression and audit as :func:`report_tables` (see
    :func:`_frames_release` for the frames it can relate)."""
    base, rel = _frames_release(frames)
    return _render(base, rel, _protect(rel, int(threshold)))


# --------------------------------------------------------------------------- formatting


def _is_c(v: Any) -> bool:
    return isinstance(v, str) and v == SUPPRESSED


def _fmt_value(col: str, v: Any) -> str:
    if _is_c(v):
        return SUPPRESSED
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        if col.startswith("pct") or col.endswith("_pct"):
            return f"{v:.1f}%"
        if "gbp" in col:
            return f"£{v:,.0f}"
        if col in ("children", "placed", "unmet", "places", "value") and float(v).is_integer():
            return f"{int(v):,}"
        return f"{v:,.1f}"
    return str(v)


def _attribution() -> str:
    from rcc.datasets import attribution

    text = attribution()
    lines = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("* ")]
    return " ".join(ln.replace("*", "") for ln in lines)


def _suppression_note(threshold: int) -> str:
    if threshold <= 1:
        return "No suppression: every count is shown."
    return (
        f"Counts of 1 to {threshold - 1} children are shown as '{SUPPRESSED}' (suppressed), as are further "
        "counts that would let a suppressed one be worked out from any combination of the numbers in this "
        "report (all tables are suppressed together and audited by linear programming: no suppressed count "
        f"is determined, and none of 1 to {threshold - 1} can be narrowed to that range), shares or averages "
        "computed from suppressed counts; mean distances and weekly costs unless the counts shown determine "
        "them, and provider concentration (HHI) wherever it covers a suppressed count. Totals are computed "
        "from unsuppressed data."
    )


def _plan_facts(plan: Plan) -> list[tuple[str, str]]:
    info = plan.info
    gap = "n/a (heuristic)" if plan.status.value == "heuristic" else ("-" if info.gap is None else f"{100 * info.gap:.3g}%")
    facts = [
        ("Region", plan.region.name),
        ("Councils", f"{len(plan.region.councils):,}"),
        ("Method", {"optimise": "optimised (allocation model)", "greedy": "greedy baseline (nearest free home)"}.get(plan.method, plan.method)),
        ("Status", plan.status.value),
        ("Solver", info.solver),
        ("Solver gap", gap),
        ("Run time (s)", f"{info.runtime_s:.1f}"),
    ]
    if info.time_limit_s is not None:
        facts.append(("Time limit (s)", f"{info.time_limit_s:g}"))
    if info.note:
        facts.append(("Note", info.note))
    return facts


# --------------------------------------------------------------------------- Excel


_SHEETS = ("placements", "shortfall", "by_council", "unmet_by_need", "utilisation", "distance_bands", "flows")


def write_excel(
    plan_or_frames: Plan | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
) -> Path:
    """Write an Excel workbook: a Summary sheet and one sheet per table.

    Parameters
    ----------
    plan_or_frames : Plan or Mapping[str, pandas.DataFrame]
        A plan (tables from :func:`report_tables`), or result tables such as
        :meth:`Plan.to_frames`: a ``placements`` table (and ``shortfall``) is the base;
        a long ``metrics`` table (``metric``/``value``, it fills the Summary) and
        per-council tables (``council_id`` and count columns of
        :data:`CHILD_COUNT_COLUMNS`) must add up from it, and all are suppressed and
        audited together as in :func:`report_tables`.
    path : str or Path
        The ``.xlsx`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`.
    compare_with : Plan, optional
        Another plan of the same region (e.g. the greedy baseline): its headline metrics
        are shown beside the plan's on the Summary sheet.

    Returns
    -------
    Path

    Raises
    ------
    rcc.InvalidInputError
        A table has a child id column (reports are cohort-level only); frames without a
        placements table, with counts that do not add up from it, or with counts in a
        table that cannot be related to it.
    rcc.SolverError
        HiGHS failed while auditing the suppression.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = int(suppress_below)
    if isinstance(plan_or_frames, Plan):
        plan: Plan | None = plan_or_frames
        tables = report_tables(plan_or_frames, suppress_below=t)
    else:
        plan = None
        _check_no_child_ids(plan_or_frames)
        tables = _suppress_frames(plan_or_frames, t)

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    ws.append(["rcc placement plan report"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    if plan is not None:
        for k, v in _plan_facts(plan):
            ws.append([k, v])
            ws.cell(ws.max_row, 1).font = bold
        ws.append([])
        other = report_tables(compare_with, suppress_below=t)["summary"] if compare_with is not None else None
        header = ["Metric", _method_label(plan)] + ([_method_label(compare_with)] if compare_with is not None else [])
        ws.append(header)
        for c in range(1, len(header) + 1):
            ws.cell(ws.max_row, c).font = bold
            ws.cell(ws.max_row, c).fill = head_fill
        summary = tables["summary"]
        for i, r in summary.iterrows():
            row = [r.label, _excel_value(r.value)]
            if other is not None:
                row.append(_excel_value(other.value.iloc[i]))
            ws.append(row)
            for c in range(2, len(row) + 1):
                ws.cell(ws.max_row, c).number_format = _number_format(str(r.metric))
                ws.cell(ws.max_row, c).alignment = Alignment(horizontal="right")
    elif "metrics" in tables:
        ws.append(["Metric", "Value"])
        for c in (1, 2):
            ws.cell(ws.max_row, c).font = bold
            ws.cell(ws.max_row, c).fill = head_fill
        for r in tables["metrics"].itertuples():
            ws.append([METRIC_LABELS.get(r.metric, r.metric), _excel_value(r.value)])
            ws.cell(ws.max_row, 2).number_format = _number_format(str(r.metric))
            ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="right")
    ws.append([])
    for k, v in (
        ("Suppression", _suppression_note(t)),
        ("Data", _attribution()),
        ("Costs", "Weekly costs are editable order-of-magnitude defaults (rcc.datasets.DEFAULT_WEEKLY_COST_GBP), not published prices."),
        ("Generated", f"{_dt.datetime.now():%Y-%m-%d %H:%M} by rcc"),
    ):
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 30

    names = [n for n in _SHEETS if n in tables] + [n for n in tables if n not in _SHEETS and n not in ("summary", "metrics")]
    for name in names:
        df = tables[name]
        sh = wb.create_sheet(name[:31])
        cols = [str(c) for c in df.columns]
        sh.append(cols)
        for c in range(1, len(cols) + 1):
            sh.cell(1, c).font = bold
            sh.cell(1, c).fill = head_fill
        for rec in df.itertuples(index=False):
            sh.append([_excel_value(v) for v in rec])
        for j, col in enumerate(cols, start=1):
            fmt = _number_format(col)
            letter = get_column_letter(j)
            width = max([len(col)] + [len(str(v)) for v in df.iloc[:200, j - 1].tolist()]) + 2
            sh.column_dimensions[letter].width = min(60, max(8, width))
            for cell in sh[letter][1:]:
                if isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
                elif cell.value == SUPPRESSED:
                    cell.alignment = Alignment(horizontal="right")
        sh.freeze_panes = "A2"
        if len(df):
            sh.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    _defuse_formulas(wb)
    wb.save(path)
    return path


#: First characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _defuse_formulas(wb: Any) -> int:
    """Store every text cell of a workbook as text, never as a formula.

    openpyxl turns any string starting with ``=`` into a live formula; names and ids come
    from outside data (Ofsted owner names become provider groups), so every string cell
    is set to the string type, and the ones starting like a formula (``= + - @``, tab, CR,
    LF) also get Excel's quote prefix, so editing the cell keeps it text. Returns how many
    cells started like a formula.
    """
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(_FORMULA_STARTS):
                        cell.quotePrefix = True
                        risky += 1
    return risky


def _method_label(plan: Plan) -> str:
    return {"optimise": "optimised", "greedy": "greedy baseline"}.get(plan.method, plan.method)


def _excel_value(v: Any) -> Any:
    if _is_c(v):
        return SUPPRESSED
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _number_format(col: str) -> str:
    if col.startswith("pct") or col.endswith("_pct"):
        return "0.0"
    if "gbp" in col:
        return '"£"#,##0'
    if col in ("mean_distance_miles", "distance_miles", "provider_hhi") or col.endswith("_miles"):
        return "#,##0.0"
    return "#,##0"


# --------------------------------------------------------------------------- SVG charts

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_BLUE, _ORANGE, _VERMILLION, _GREEN, _SKY, _GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#56B4E9", "#8c8c8c"
_HATCH_ID = "rcc-hatch"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _num(v: Any) -> float | None:
    if _is_c(v) or v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _label(v: Any) -> str:
    f = _num(v)
    return SUPPRESSED if f is None else f"{f:,.0f}"


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(title)}" font-family="{_FONT}" font-size="12">'
        f"<title>{_e(title)}</title>"
        f'<defs><pattern id="{_HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>'
        f"</pattern></defs>{body}</svg>"
    )


def _axis(v: float, max_ticks: int = 6) -> tuple[float, float]:
    """A round axis maximum >= v and its tick step (1, 2, 2.5 or 5 x 10^k), at most
    ``max_ticks`` intervals, as little headroom as possible."""
    if v <= 0:
        return 1.0, 0.25
    k = math.floor(math.log10(v))
    best: tuple[float, float] | None = None
    for e in range(k - 2, k + 2):
        for m in (1, 2, 2.5, 5):
            step = m * 10.0**e
            n = math.ceil(v / step - 1e-9)
            if 2 <= n <= max_ticks and (best is None or n * step < best[0] or (n * step == best[0] and step < best[1])):
                best = (n * step, step)
    return best if best is not None else (v, v)


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> str:
    out = []
    for name, colour in items:
        fill = f"url(#{_HATCH_ID})" if colour == "hatch" else colour
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{fill}" stroke="#666" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 17:.1f}" y="{y:.1f}">{_e(name)}</text>')
        x += 24 + 7.0 * len(name)
    return "".join(out)


def _vbar_chart(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Any], str]], title: str, y_label: str
) -> str:
    """Grouped vertical bars; suppressed values are not drawn and labelled 'c'."""
    width, height = 760, 340
    left, right, top, bottom = 84, 20, 44, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    vals = [_num(v) for _, vs, _ in series for v in vs]
    vmax, step = _axis(1.08 * max([v for v in vals if v is not None] + [0]))  # room for the labels
    n_cat, n_ser = len(categories), len(series)
    slot = plot_w / max(n_cat, 1)
    bar_w = min(56.0, slot * 0.8 / n_ser)
    parts = [f'<text x="{left}" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    for k in range(int(round(vmax / step)) + 1):
        tick = step * k
        y = top + plot_h - plot_h * tick / vmax
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:,.0f}</text>')
    parts.append(
        f'<text x="18" y="{top + plot_h / 2:.1f}" transform="rotate(-90 18 {top + plot_h / 2:.1f})" '
        f'text-anchor="middle" fill="#555">{_e(y_label)}</text>'
    )
    for i, cat in enumerate(categories):
        x0 = left + slot * i + (slot - bar_w * n_ser) / 2
        for j, (name, vs, colour) in enumerate(series):
            v = _num(vs[i])
            x = x0 + j * bar_w
            if v is None:
                parts.append(
                    f'<text class="v" x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4:.1f}" text-anchor="middle" fill="#333">'
                    f"{SUPPRESSED}</text>"
                )
                continue
            h = plot_h * v / vmax
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{_e(name)}, {_e(cat)}: {_label(v)}</title></rect>"
            )
            parts.append(
                f'<text class="v" x="{x + bar_w / 2 - 1:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#333">{_label(v)}</text>'
            )
        parts.append(
            f'<text x="{left + slot * (i + 0.5):.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle">{_e(cat)}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#444"/>')
    if n_ser > 1:
        parts.append(_legend([(n, c) for n, _, c in series], left, height - 12))
    return _svg(width, height, "".join(parts), title)


def _hbar_stacked(
    rows: Sequence[tuple[str, Sequence[Any], Any]],
    series: Sequence[tuple[str, str]],
    title: str,
    x_label: str,
) -> str:
    """Horizontal stacked bars, one per row (label, segment values, total).

    Suppressed segments are not drawn at their size: where the total is published, the
    part of the bar they make up together is one hatched block labelled 'c'.
    """
    label_w = max([len(r[0]) for r in rows] + [8]) * 7 + 16
    width = 900
    left, right, top = label_w, 70, 46
    row_h = 22
    height = top + row_h * len(rows) + 58
    plot_w = width - left - right
    totals = [_num(r[2]) for r in rows]
    vmax, step = _axis(max([t for t in totals if t is not None] + [0]))
    parts = [f'<text x="8" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    for k in range(int(round(vmax / step)) + 1):
        x = left + plot_w * step * k / vmax
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + row_h * len(rows)}" stroke="#e3e3e3"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{top + row_h * len(rows) + 16}" text-anchor="middle" fill="#555">{step * k:,.0f}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{top + row_h * len(rows) + 34}" text-anchor="middle" fill="#555">'
        f"{_e(x_label)}</text>"
    )
    for i, (label, segs, total) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_e(label)}</text>')
        tot = _num(total)
        if tot is None:
            parts.append(f'<text class="v" x="{left + 4}" y="{y + 15}" fill="#333">{SUPPRESSED}</text>')
            continue
        x = left
        hidden = False
        for (name, colour), v in zip(series, segs):
            f = _num(v)
            if f is None:
                hidden = True
                continue
            if f <= 0:
                continue
            w = plot_w * f / vmax
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
                f"<title>{_e(label)}: {_e(name)} {_label(f)}</title></rect>"
            )
            if w > 34:
                parts.append(
                    f'<text class="v" x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" font-size="11" fill="#fff">'
                    f"{_label(f)}</text>"
                )
            x += w
        if hidden:
            shown = sum(_num(v) or 0 for v in segs)
            w = plot_w * max(tot - shown, 0) / vmax
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="url(#{_HATCH_ID})" '
                f'stroke="#999" stroke-width="0.5"><title>{_e(label)}: suppressed counts ({SUPPRESSED})</title></rect>'
            )
            x += w
        parts.append(f'<text class="v" x="{x + 6:.1f}" y="{y + 15}" fill="#333">{_label(tot)}</text>')
    legend = list(series) + [(f"suppressed ({SUPPRESSED})", "hatch")]
    parts.append(_legend(legend, left, height - 8))
    return _svg(width, height, "".join(parts), title)


def _flow_map(plan: Plan, flows: pd.DataFrame, by_council: pd.DataFrame, threshold: int) -> str:
    """Councils as dots (equirectangular projection scaled by cos(latitude)), lines from
    the home council to the placement council, width by children; suppressed flows are not
    drawn."""
    c = plan.region.councils.set_index("council_id")
    lat0 = float(np.radians(c.lat.mean()))
    x = c.lon.to_numpy() * math.cos(lat0)
    y = -c.lat.to_numpy()
    many = len(c) > 40
    width, height, pad = 900, (820 if many else 640), 40
    top = 44
    span_x = max(float(x.max() - x.min()), 1e-6)
    span_y = max(float(y.max() - y.min()), 1e-6)
    scale = min((width - 2 * pad - 180) / span_x, (height - top - 2 * pad) / span_y)
    ox = pad + ((width - 2 * pad - 180) - span_x * scale) / 2
    oy = top + pad + ((height - top - 2 * pad) - span_y * scale) / 2
    px = pd.Series(ox + (x - x.min()) * scale, index=c.index)
    py = pd.Series(oy + (y - y.min()) * scale, index=c.index)
    title = "Where children are placed: flows between councils"
    parts = [f'<text x="8" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    f = flows[flows.council_id != flows.placement_council_id]
    keep = np.array([_num(v) is not None and (_num(v) or 0) >= max(threshold, 1) for v in f.children], dtype=bool)
    drawn = f[keep]
    hidden = len(f) - len(drawn)
    vmax = max([_num(v) or 0 for v in drawn.children] + [1])
    for r in drawn.sort_values("children", key=lambda s: s.map(lambda v: _num(v) or 0)).itertuples():
        x1, y1 = px[r.council_id], py[r.council_id]
        x2, y2 = px[r.placement_council_id], py[r.placement_council_id]
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        cx, cy = mx - dy * 0.18, my + dx * 0.18  # bend to the right of travel: A->B and B->A apart
        v = _num(r.children) or 0
        w = (0.6 + 4.5 * math.sqrt(v / vmax)) if many else (0.8 + 7.0 * math.sqrt(v / vmax))
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" stroke="{_BLUE}" '
            f'stroke-opacity="0.55" stroke-width="{w:.2f}" stroke-linecap="round">'
            f"<title>{_e(r.council)} -> {_e(r.placement_council)}: {_label(v)} children</title></path>"
        )
    inside = by_council.set_index("council_id").placed_inside_own_council if len(by_council) else pd.Series(dtype=object)
    demand = by_council.set_index("council_id").children if len(by_council) else pd.Series(dtype=object)
    dmax = max([_num(v) or 0 for v in demand] + [1])
    r_min, r_add = (2.0, 4.0) if many else (3.0, 9.0)
    for cid in c.index:
        d = _num(demand.get(cid))
        r_dot = r_min + r_add * math.sqrt((d or 0) / dmax)
        ins = inside.get(cid)
        tip = f"{c.name[cid]}: {_label(demand.get(cid, 0))} children; {_label(ins)} placed inside the council"
        parts.append(
            f'<circle cx="{px[cid]:.1f}" cy="{py[cid]:.1f}" r="{r_dot:.1f}" fill="{_ORANGE}" fill-opacity="{0.7 if many else 0.85}" '
            f'stroke="#7a4f00" stroke-width="{0.5 if many else 0.8}"><title>{_e(tip)}</title></circle>'
        )
        if not many:
            parts.append(
                f'<text x="{px[cid] + r_dot + 3:.1f}" y="{py[cid] + 4:.1f}" font-size="11" fill="#222" '
                f'paint-order="stroke" stroke="#fff" stroke-width="3">{_e(c.name[cid])}</text>'
            )
    lx = width - 175
    parts.append(f'<circle cx="{lx + 8}" cy="{top + 30}" r="7" fill="{_ORANGE}" stroke="#7a4f00" stroke-width="0.8"/>')
    parts.append(f'<text x="{lx + 22}" y="{top + 34}" font-size="11">council (size: children)</text>')
    parts.append(
        f'<path d="M{lx},{top + 56} Q{lx + 9},{top + 48} {lx + 18},{top + 56}" stroke="{_BLUE}" stroke-width="4" '
        'stroke-opacity="0.55" fill="none"/>'
    )
    parts.append(f'<text x="{lx + 22}" y="{top + 60}" font-size="11">placements in another</text>')
    parts.append(f'<text x="{lx + 22}" y="{top + 74}" font-size="11">council (width: children;</text>')
    parts.append(f'<text x="{lx + 22}" y="{top + 88}" font-size="11">bends right of travel)</text>')
    parts.append(
        f'<text x="{lx}" y="{top + 112}" font-size="11" fill="#555">{hidden:,} flow(s) of fewer than</text>'
        f'<text x="{lx}" y="{top + 126}" font-size="11" fill="#555">{max(threshold, 1)} children (or suppressed)</text>'
        f'<text x="{lx}" y="{top + 140}" font-size="11" fill="#555">not drawn</text>'
    )
    return _svg(width, height, "".join(parts), title)


# --------------------------------------------------------------------------- HTML


_CSS = (
    """
body { font-family: FONT; color: #1d1d1d; margin: 0; background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
p.lead { color: #444; margin-top: 4px; } .note { color: #555; font-size: 13px; }
.facts { display: grid; grid-template-columns: repeat(4, auto); gap: 4px 18px; font-size: 14px; margin: 12px 0; justify-content: start; }
.facts dt { font-weight: 600; } .facts dd { margin: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 4px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e4e4e4; white-space: nowrap; } th { background: #eef3f8; text-align: left; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr:nth-child(even) td { background: #fafcfe; }
.scroll { max-height: 460px; overflow: auto; border: 1px solid #e4e4e4; display: inline-block; max-width: 100%; }
figure { margin: 12px 0 20px; } figcaption { font-size: 13px; color: #555; max-width: 880px; }
svg { max-width: 100%; height: auto; }
footer { margin-top: 36px; font-size: 12px; color: #555; border-top: 1px solid #ddd; padding-top: 10px; }
"""
).replace("FONT", _FONT.replace("'", '"'))



def _numeric_column(values: pd.Series) -> bool:
    """Numbers (or suppressed numbers): right-aligned."""
    vals = [v for v in values.tolist() if not _is_c(v) and v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(vals) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals)


def _html_table(df: pd.DataFrame, *, max_rows: int | None = None, caption: str = "") -> str:
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f'<th title="{_e(c)}">{_e(str(c).replace("_", " "))}</th>' for c in shown.columns)
    body = []
    numeric = [_numeric_column(shown[c]) for c in shown.columns]
    for rec in shown.itertuples(index=False):
        cells = []
        for col, v, isnum in zip(shown.columns, rec, numeric):
            cls = ' class="n"' if isnum or _is_c(v) else ""
            cells.append(f"<td{cls}>{_e(_fmt_value(str(col), v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="note">First {max_rows:,} of {len(df):,} rows; the Excel workbook has them all.</p>'
    cap = f'<p class="note">{_e(caption)}</p>' if caption else ""
    return f'{cap}<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{more}'


def _tidy(df: pd.DataFrame, drop: Iterable[str] = ()) -> pd.DataFrame:
    return df.drop(columns=[c for c in drop if c in df.columns])


def write_html(
    plan: Plan,
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
) -> Path:
    """Write one self-contained HTML report (inline SVG charts, no scripts, works offline).

    Sections: the plan's facts (region, method, status, solver gap) and headline metrics
    (beside ``compare_with``'s when given); charts of placements by distance band (0-5,
    5-10, 10-20, 20-50, 50+ miles), children by home council (inside own council, in
    another council, without a home), children without a home by need and reason, and a
    map of flows between councils; then the tables of :func:`report_tables` (placements
    and shortfall detail capped at 500 rows: the Excel workbook has all rows).

    Parameters
    ----------
    plan : Plan
    path : str or Path
        The ``.html`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`; applies to every table and chart label. Suppressed
        values are never drawn at their size.
    compare_with : Plan, optional
        Another plan of the same region (e.g. the greedy baseline), shown beside.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = int(suppress_below)
    tab = report_tables(plan, suppress_below=t)
    other = report_tables(compare_with, suppress_below=t) if compare_with is not None else None
    me, them = _method_label(plan), (_method_label(compare_with) if compare_with is not None else "")
    out: list[str] = []
    out.append(f"<h1>Homes for children in care: {_e(plan.region.name)}</h1>")
    out.append(
        '<p class="lead">A placement plan made by rcc: children of each council (cohorts of need and age band) '
        "matched to homes with places, close to home. An optimised plan on the embedded data is an idealised "
        "benchmark of what matching alone could do, not what councils achieve today.</p>"
    )
    out.append('<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _plan_facts(plan)) + "</dl>")
    out.append(f'<p class="note">{_e(_suppression_note(t))}</p>')

    out.append("<h2>Headline</h2>")
    head = tab["summary"][["label", "value"]].rename(columns={"label": "metric", "value": me})
    if other is not None:
        head[them] = other["summary"].value.to_numpy()
    rows = []
    for rec in head.itertuples(index=False):
        key = tab["summary"].metric[tab["summary"].label == rec[0]].iloc[0]
        rows.append(
            "<tr><td>"
            + _e(rec[0])
            + "</td>"
            + "".join(f'<td class="n">{_e(_fmt_value(_metric_col(key), v))}</td>' for v in rec[1:])
            + "</tr>"
        )
    out.append(
        "<table><thead><tr>"
        + "".join(f"<th>{_e(c)}</th>" for c in head.columns)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if compare_with is not None:
        out.append(
            f'<p class="note">The {_e(them)} places children referral by referral in the nearest home with a free '
            "place; the optimised plan places all cohorts together.</p>"
        )

    out.append("<h2>Distance from home</h2>")
    series = [(me, tab["distance_bands"].children.tolist(), _BLUE)]
    if other is not None:
        series.append((them, other["distance_bands"].children.tolist(), _ORANGE))
    out.append(
        "<figure>"
        + _vbar_chart(tab["distance_bands"].band.tolist(), series, "Children placed, by distance from home", "children")
        + "<figcaption>Straight-line distance between the home council and the placement (DfE measure; within a "
        "council, the typical distance across it). Bands include their upper bound: 20 miles is within 20 miles."
        "</figcaption></figure>"
    )

    out.append("<h2>By council</h2>")
    bc = tab["by_council"]
    rows_h = [
        (
            str(r.council),
            [r.placed_inside_own_council, r.placed_outside_own_council, r.unmet],
            r.children,
        )
        for r in bc.itertuples()
    ]
    out.append(
        "<figure>"
        + _hbar_stacked(
            rows_h,
            [("placed inside own council", _BLUE), ("placed in another council", _SKY), ("without a home", _VERMILLION)],
            "Children of each council, by where they are placed",
            "children",
        )
        + "<figcaption>Councils in name order, not ranked: each council's outcome depends on its children's needs "
        "and on the homes near it.</figcaption></figure>"
    )
    out.append(
        _html_table(
            bc,
            caption="Outcomes for each council's children. Shares are of children placed; HHI is provider "
            "concentration (0-10,000) over provider groups.",
        )
    )

    out.append("<h2>Children without a home</h2>")
    un = tab["unmet_by_need"]
    if len(plan.shortfall):
        rows_n = [(str(r.need), [r.unreachable, r.capacity, r.weights], r.children) for r in un.itertuples()]
        out.append(
            "<figure>"
            + _hbar_stacked(
                rows_n,
                [
                    ("no eligible home within reach", _VERMILLION),
                    ("eligible homes within reach full", _ORANGE),
                    ("a free place, but the weights prefer no placement", _SKY),
                ],
                "Children without a home, by need and reason",
                "children",
            )
            + "</figure>"
        )
        out.append(_html_table(un))
        out.append(_html_table(_tidy(tab["shortfall"]), max_rows=500, caption="Cohorts with children left without a home."))
    else:
        out.append('<p class="note">Every child has a home in this plan.</p>')
    if other is not None and len(compare_with.shortfall):  # type: ignore[union-attr]
        n = other["summary"].set_index("metric").value["unmet"]
        out.append(
            f'<p class="note">The {_e(them)} leaves {_e(_fmt_value("value", n))} children without a home '
            "(its own report has the detail).</p>"
        )

    out.append("<h2>Flows between councils</h2>")
    out.append("<figure>" + _flow_map(plan, tab["flows"], bc, t) + "<figcaption>Dots are council centroids (ONS); "
               "positions are longitude scaled by the cosine of the mean latitude, so distances look right at this "
               "scale. Placements inside a child's own council are not lines (see the table above).</figcaption></figure>")
    fl = tab["flows"]
    out.append(
        _html_table(
            fl[fl.council_id != fl.placement_council_id],
            max_rows=500,
            caption="Children placed outside their own council, by home council and placement council.",
        )
    )

    out.append("<h2>Places and use by home type</h2>")
    out.append(_html_table(tab["utilisation"]))

    out.append("<h2>Placements (cohort x home)</h2>")
    out.append(
        _html_table(
            _tidy(tab["placements"], ["held"]) if not plan.placements.held.any() else tab["placements"],
            max_rows=500,
            caption="Children of each cohort (home council, need, age band) placed in each home.",
        )
    )

    out.append(
        "<footer>"
        + _e(_attribution())
        + "<br>Weekly costs are editable order-of-magnitude defaults (rcc.datasets.DEFAULT_WEEKLY_COST_GBP), not "
        f"published prices. Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by rcc. Cohort-level data only: no child "
        "ids.</footer>"
    )
    doc = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>rcc report: {_e(plan.region.name)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(out)}</main></body></html>"
    )
    path.write_text(doc, encoding="utf-8")
    return path


def _metric_col(key: str) -> str:
    return {"weekly_cost_gbp": "weekly_cost_gbp", "utilisation_pct": "utilisation_pct"}.get(
        key, key if key.startswith("pct") else ("value" if key in _COUNT_METRICS else key)
    )


# --------------------------------------------------------------------------- CLI


def report_cli(
    region_name: str | None,
    out_dir: str | Path,
    formats: Sequence[str] = ("html", "xlsx"),
    suppress_below: int = 5,
    seed: int = 0,
) -> list[Path]:
    """What ``rcc report`` runs: plan a region of the embedded data and write the reports.

    Builds :func:`rcc.datasets.england` (``region_name``, ``seed``), makes the optimised
    plan and the greedy baseline, and writes ``report.html`` (optimised beside greedy) and
    ``report.xlsx`` (the optimised plan's tables, greedy metrics beside on the Summary)
    into ``out_dir``.

    Parameters
    ----------
    region_name : str or None
        A name from :func:`rcc.datasets.region_names`; England when None.
    out_dir : str or Path
        Created if needed.
    formats : sequence of str
        Any of ``"html"`` and ``"xlsx"``.
    suppress_below : int
        See :func:`report_tables`.
    seed : int
        Seed of the embedded data generator and of the greedy baseline's order.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    from rcc import datasets
    from rcc.allocation.engine import plan as make_plan
    from rcc.core.params import PlanParams

    bad = [f for f in formats if f not in ("html", "xlsx")]
    if bad or not formats:
        raise InvalidInputError("parameters", None, "formats", "'html' and/or 'xlsx'", list(formats))
    region = datasets.england(region_name, seed=seed)
    params = PlanParams(seed=seed)
    optimised = make_plan(region, params)
    greedy = make_plan(region, params.evolve(method="greedy"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        if fmt == "html":
            written.append(write_html(optimised, out / "report.html", suppress_below=suppress_below, compare_with=greedy))
        else:
            written.append(write_excel(optimised, out / "report.xlsx", suppress_below=suppress_below, compare_with=greedy))
    return written
