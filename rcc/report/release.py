"""One release, one linear system: every number a report publishes as a linear function
of one base table (internal to :mod:`rcc.report`).

Every number a report publishes is a linear function of one base table: the children of
each placement row (``x``), the held children of each placement row (``h``, at most
``x``) and the children of each shortfall row (``y``). A count cell is a sum of base
cells; a share or mean of counts is a ratio equation (``num - r * den = 0``); a total
cost is a weighted sum. Suppression works on this one system, so that no table can be
differenced against another to work out a suppressed count (see
:func:`rcc.report.audit_suppression`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError, SolverError

#: The symbol DfE uses for a suppressed (confidential) figure.
SUPPRESSED = "c"


def _is_c(v: Any) -> bool:
    """Whether a published value is the suppression symbol."""
    return isinstance(v, str) and v == SUPPRESSED


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
        self.links: list[tuple[np.ndarray, np.ndarray, float, float]] = []
        self._nz: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._rhs: list[float] = []
        self.index: dict[tuple[str, str], np.ndarray] = {}
        #: the base cells are not all listed on their own (a report's placements table is aggregated)
        self.aggregated = False
        #: a label per base cell (its home council) along which a large audit is cut
        #: into independent LPs (``rcc.report.audit._split_rows``); None: one LP
        self.block: np.ndarray | None = None
        self.headline_tables: set[str] = {"summary"}  # suppressed last: detail first (see rcc.report.audit._pick)
        #: (table, column) pairs suppressed last too (a council's children, placed and unmet)
        self.headline_columns: set[tuple[str, str]] = set()
        #: a plan's release: a failing cell pinned only through the summary's counts may hide, instead,
        #: the published counts of their relations (a council's), so the regional headline stays
        self.keep_summary = False
        #: (table, column) pairs published elsewhere (DfE publishes each council's children looked
        #: after): never hidden unless small; hiding them protects nothing
        self.public_columns: set[tuple[str, str]] = set()

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

    def link(self, var: np.ndarray, coef: np.ndarray) -> None:
        """A fact every reader knows without a published cell (``coef @ base[var] == 0``,
        e.g. a cohort has as many children in one scenario as in another): always a row of
        the audit, never suppressed."""
        self.links.append((np.asarray(var, dtype=np.int64), np.asarray(coef, dtype=float), 0.0, 0.0))

    def bound(self, var: np.ndarray, lower: float, upper: float) -> None:
        """A fact every reader has about the children of base cells ``var``: their sum lies
        in ``[lower, upper]`` -- a home's places (public: Ofsted's list, the region's homes
        table) or a listed aggregate row (at least one child). An audit row, never suppressed."""
        var = np.asarray(var, dtype=np.int64)
        self.links.append((var, np.ones(len(var)), float(lower), float(upper)))

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
        # deps and nonlinear groups flattened: cell ``dep_owner[i]`` depends on cell ``dep_cell[i]``,
        # cell ``group_owner[i]`` sums over base cell ``group_var[i]`` (a group of none: ``group_empty``)
        dl = np.asarray([len(d) for d in self.deps], dtype=np.int64)
        self.dep_owner = np.repeat(np.arange(self.n_cells, dtype=np.int64), dl)
        self.dep_cell = np.asarray([d for ds in self.deps for d in ds], dtype=np.int64)
        gl = np.asarray([0 if g is None else len(g) for g in self.group], dtype=np.int64)
        self.group_owner = np.repeat(np.arange(self.n_cells, dtype=np.int64), gl)
        self.group_var = np.concatenate([np.asarray(g, dtype=np.int64) for g in self.group if g is not None and len(g)] or [np.zeros(0, np.int64)])
        # the relations flattened (total first, then its parts) and, per cell, the relations holding it
        sizes = np.asarray([1 + len(parts) for _, parts in self.relations], dtype=np.int64)
        self.relation_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        flat = [np.concatenate([[t], parts]) for t, parts in self.relations]
        self.relation_cells = np.concatenate(flat).astype(np.int64) if flat else np.zeros(0, np.int64)
        self.relation_of = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        by_cell = np.argsort(self.relation_cells, kind="stable")
        self.cell_relations = self.relation_of[by_cell]
        self.cell_relation_start = np.searchsorted(self.relation_cells[by_cell], np.arange(self.n_cells + 1))
        # the links flattened: link ``link_id[i]`` has ``link_coef[i]`` on base cell ``link_var[i]``
        lens = np.asarray([len(v) for v, *_ in self.links], dtype=np.int64)
        self.link_id = np.repeat(np.arange(len(self.links), dtype=np.int64), lens)
        self.link_var = np.concatenate([v for v, *_ in self.links]) if self.links else np.zeros(0, np.int64)
        self.link_coef = np.concatenate([c for _, c, *_ in self.links]) if self.links else np.zeros(0)
        self.link_lo = np.asarray([lo for *_, lo, _ in self.links], dtype=float)
        self.link_hi = np.asarray([hi for *_, hi in self.links], dtype=float)
        self._bound_component: np.ndarray | None = None
        self._by_var: tuple[np.ndarray, np.ndarray] | None = None
        self.headline = np.isin(np.asarray(self.table, dtype=object), list(self.headline_tables))
        for key in self.headline_columns & set(self.index):
            self.headline[self.index[key]] = True
        self.alias = self._alias_classes()
        self.headline = self._with_aliases(self.headline)
        self.top = self._with_aliases(np.isin(np.asarray(self.table, dtype=object), ["summary"]))  # the summary's own
        self.public = np.zeros(self.n_cells, dtype=bool)
        for key in self.public_columns & set(self.index):
            self.public[self.index[key]] = True

    def _alias_classes(self) -> np.ndarray:
        """A class id per count publishing the same sum of base cells as another count (a
        need table of one need is the headline's children without a home; a council's only
        short cohort is its count), -1 for the others and for statistics."""
        classes: dict[tuple[bytes, bytes], list[int]] = {}
        for k in np.flatnonzero(self.count).tolist():
            var = self.support[k]
            if len(var):
                o = np.argsort(var, kind="stable")
                classes.setdefault((var[o].tobytes(), self.support_coef[k][o].tobytes()), []).append(k)
        alias = np.full(self.n_cells, -1, dtype=np.int64)
        for i, ks in enumerate(ks for ks in classes.values() if len(ks) > 1):
            alias[ks] = i
        return alias

    def _with_aliases(self, flag: np.ndarray) -> np.ndarray:
        """``flag`` spread to every alias of a flagged count: hiding the alias instead would
        hide the flagged cell too."""
        flagged = np.unique(self.alias[flag & (self.alias >= 0)])
        return flag | ((self.alias >= 0) & np.isin(self.alias, flagged))

    def cells_of(self, var: np.ndarray) -> np.ndarray:
        """The cells over base cells ``var`` (with repeats), from an index by base cell made once."""
        if self._by_var is None:
            order = np.argsort(self.nz_var, kind="stable")
            self._by_var = (order, np.searchsorted(self.nz_var[order], np.arange(len(self.base_value) + 1)))
        order, start = self._by_var
        var = np.asarray(var, dtype=np.int64)
        lens = start[var + 1] - start[var]
        pos = np.repeat(start[var] - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
        return self.nz_cell[order[pos]]

    def bound_component(self) -> np.ndarray:
        """A label per base cell: equal for base cells linked through a chain of public
        bounds (homes' places, listed rows; computed once)."""
        if self._bound_component is None:
            bounded = (self.link_lo != self.link_hi)[self.link_id]
            lid, var = self.link_id[bounded], self.link_var[bounded]
            lab = np.arange(len(self.base_value), dtype=np.int64)
            while True:  # each bound's members take their smallest label, to a fixed point
                low = np.full(len(self.links), len(lab), dtype=np.int64)
                np.minimum.at(low, lid, lab[var])
                new = lab.copy()
                np.minimum.at(new, var, low[lid])
                new = new[new]  # pointer jumping: labels point at smaller labels
                if np.array_equal(new, lab):
                    break
                lab = new
            self._bound_component = lab
        return self._bound_component

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
            sel = ok & (own >= 0)  # distinct (cell, owner) pairs, sorted, through one integer key each
            key_ = np.unique(cell[sel] * np.int64(self.n_cells) + own[sel])
            pairs = np.column_stack([key_ // self.n_cells, key_ % self.n_cells])
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
