"""Suppression of small counts: :func:`suppress` for one table on its own, and
:func:`audit_suppression`, the check that no suppressed count of a whole report can be
worked out from the rest of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import Plan
from rcc.core.errors import InvalidInputError
from rcc.report.audit import _Audit, _interval_ok, _redundant_weighted
from rcc.report.grouped import comparison_tables, release_of, sufficiency_tables
from rcc.report.release import _COUNT, _NONLINEAR, SUPPRESSED, _is_c
from rcc.report.tables import _plan_release, _target, report_tables


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


def _pooled_in(make: Any, tables: Mapping[str, pd.DataFrame], key: str | None) -> frozenset[tuple[str, ...]]:
    """What a report pooled into its ``(elsewhere)`` rows after an audit (see
    :func:`rcc.report.tables.protect_pooled`): the rows of the placements table without
    such pooling (``make(frozenset())``) that the published table lacks."""
    cols = [*([key] if key else []), "council_id", "placement_council_id"]
    listed = tables.get("placements")
    if listed is None or not set(cols) <= set(listed.columns):
        return frozenset()
    frames, _ = make(frozenset())
    rows = {tuple(map(str, r)) for r in frames["placements"][cols].itertuples(index=False)}
    return frozenset(rows - {tuple(map(str, r)) for r in listed[cols].itertuples(index=False)})


def audit_suppression(
    plan: Plan | Any,
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    suppress_below: int = 5,
    public_places: bool = True,
) -> pd.DataFrame:
    """Check that no suppressed count of a report can be worked out from the rest of it.

    The report is one release: every number published in any of its tables (summary,
    distance_bands, by_council, flows, unmet_by_need, utilisation, placements, shortfall)
    is a known linear function of one base table and percentages, mean distances and costs
    are linear equations over it too. For a plan, the base is what a reader could fill the
    report in with: the children of every (home council, home) pair the report's rows could
    hold (used by the plan or not: a home that could take one of the council's cohorts,
    within the farthest distance the plan uses for it; see the report's placements table,
    home council x placement council x home type), their held children and the children of
    each shortfall row; each home's places bound its pairs. The audit finds, by linear
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

    A :class:`rcc.SufficiencyPlan` or :class:`rcc.Comparison` is audited the same way over
    its one release (:func:`sufficiency_tables`, :func:`comparison_tables`: the placement
    and shortfall rows of every year or scenario are its base), and a comparison's audit
    knows that a cohort's children are the same in every scenario where they are.

    Parameters
    ----------
    plan : Plan, SufficiencyPlan or Comparison
        The result the report was made from (the base table).
    tables : Mapping[str, pandas.DataFrame], optional
        The published tables, as :func:`report_tables` (:func:`sufficiency_tables`,
        :func:`comparison_tables`) returns them (``"c"`` for a suppressed cell); by default
        those tables at ``suppress_below``.
    suppress_below : int
        The threshold of the report.
    public_places : bool
        Treat each home's number of places as known, as every reader can (Ofsted's list,
        the region's homes table): the children a plan's report could put in a home, over
        every home council, are at most its places (default; the reports' own suppression
        assumes it). ``False`` audits a reader without them (plans only: a sufficiency plan's or
        comparison's audit always knows them).

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
    if isinstance(plan, Plan):
        if tables is None:
            tables = report_tables(plan, suppress_below=t)
        pooled = _pooled_in(lambda q: _plan_release(plan, t, False, q), tables, None)
        frames, rel = _plan_release(plan, t, public_places, pooled)
    else:
        if tables is None:
            tables = (comparison_tables if hasattr(plan, "plans") else sufficiency_tables)(plan, suppress_below=t)
        key = "scenario" if hasattr(plan, "plans") else "year"
        frames, rel = release_of(plan, t, _pooled_in(lambda q: release_of(plan, t, q), tables, key))
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
        lo = audit.solve(int(k), False)
        hi = audit.solve(int(k), True)
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
