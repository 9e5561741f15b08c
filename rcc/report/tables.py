"""The report's tables (:func:`report_tables`), each count derived from one base table
and suppressed together as one release; also the linear model of result frames such as
:meth:`rcc.Plan.to_frames` (the Excel writer's other input).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import METRIC_LABELS, Plan
from rcc.core.errors import InvalidInputError
from rcc.report.audit import _protect
from rcc.report.candidates import base_pairs
from rcc.report.listing import _home_caps, _placement_names, listed_placements, protect_pooled
from rcc.report.release import SUPPRESSED, _Release, _row_of

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

    def councils(self, table: str, df: pd.DataFrame, key: str = "council_id", within: np.ndarray | None = None) -> None:
        """Cells of a per-council table (rows keyed by ``council_id``, or another column of
        the base's keys; of the base cells ``within``, default all): the count columns
        present, shares, mean distance, weekly cost and HHI; the counts are checked against the base."""
        rel, x, one = self.rel, self.is_x, self.one
        nb = len(df)
        r_c = self.row_of([key], df, (x | self.is_y) & (True if within is None else within))
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


def _plan_release(
    plan: Plan, threshold: int = 5, public_places: bool = True, pooled: frozenset[tuple[str, str]] = frozenset()
) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The report's tables before suppression, every count derived from one base table
    (a reader's (home council, home) pairs with their children and held children, shortfall
    rows: see :mod:`rcc.report.candidates`), and the linear model of them. The tables are
    added to the model in this order (it numbers their cells). ``public_places``: the audit
    knows each home's places (public), as a reader does; ``pooled``: see :func:`base_pairs`."""
    pairs = base_pairs(plan, threshold, pooled)
    s = plan.shortfall.reset_index(drop=True)
    b = _Base(pairs.assign(home_council_id=pairs.listed_council), s)
    b.keys["listed_type"] = ""
    b.keys.loc[: b.nx - 1, "listed_type"] = pairs.listed_type.to_numpy()
    frames: dict[str, pd.DataFrame] = {}
    frames["summary"] = _summary_table(plan, b)
    frames["distance_bands"] = _distance_table(b)
    frames["by_council"] = _by_council(plan)
    b.councils("by_council", frames["by_council"])
    frames["flows"] = _flows_table(plan, b)
    frames["unmet_by_need"] = _unmet_table(plan, b)
    frames["utilisation"] = _utilisation_table(plan, b)
    frames["placements"] = _placements_table(plan, b, threshold)
    frames["shortfall"] = s
    rel = b.rel
    if "children" in s.columns:
        idx = np.arange(b.n)
        rel.counts("shortfall", "children", np.where(b.is_y, idx - 2 * b.nx, -1), b.ny)
    if public_places:
        _home_caps(b, pairs)
    rel.headline_tables |= {"distance_bands"}  # big counts: suppressed only where nothing else can be
    rel.headline_columns |= {("by_council", c) for c in ("children", "placed", "unmet")}
    rel.public_columns |= {("by_council", "children")}
    rel.keep_summary = True
    rel.block = council_blocks(pairs.council_id, s.council_id, plan.region.councils)
    rel.finish()
    return frames, rel


def council_blocks(placed: pd.Series, short: pd.Series, councils: pd.DataFrame) -> np.ndarray:
    """The audit's block of each base cell (placement rows, their held children, shortfall
    rows: the councils ``placed`` and ``short``): the region of its home council (``councils``:
    ``council_id`` and ``region``), or the council itself when every council is in one region.
    A large audit solves one LP per block (``rcc.report.audit._Audit.split_from``), a reader
    taken to know each block's share of a count over several blocks and of a home's free
    places: stricter, never looser. Regions, not councils, in England: a reader taken to know
    each council's share of a national count would see every national count pin the council
    cells hidden under it, and the audit would hide them all."""
    home = pd.concat([placed, placed, short], ignore_index=True).astype(str)
    region = councils.set_index(councils.council_id.astype(str)).region.astype(str)
    if region.nunique() > 1:
        home = home.map(region)
    return pd.factorize(home)[0].astype(np.int64)


def _placements_table(plan: Plan, b: _Base, threshold: int) -> pd.DataFrame:
    """Children (and held children) placed from each home council in each placement council
    per home type (pooled where few places: :mod:`rcc.report.candidates`): never a row per
    cohort and home (with each home's places public, rows at small homes give their counts
    away). The base pairs are the unknowns of the audit, 0 or more each; a listed row counts
    at least one child."""
    return listed_placements(b, _council_names(plan), threshold)


def _summary_table(plan: Plan, b: _Base) -> pd.DataFrame:
    """The headline metrics (metric, label, value), added to the model."""
    m = plan.metrics
    summary = pd.DataFrame(
        {"metric": list(METRIC_LABELS), "label": list(METRIC_LABELS.values()), "value": [m[k] for k in METRIC_LABELS]}
    )
    summary["value"] = summary.value.astype(object)
    b.headline("summary", {k: i for i, k in enumerate(METRIC_LABELS)})
    return summary


def _distance_table(b: _Base) -> pd.DataFrame:
    """Children placed per distance band, counted from the base."""
    dist_t = pd.DataFrame({"band": [d[0] for d in DISTANCE_BANDS]})
    ids = b.rel.counts("distance_bands", "children", b.row_of(["band"], dist_t, b.is_x), len(dist_t))
    dist_t["children"] = b.rel.value_a_of(ids)
    return dist_t


def _flows_table(plan: Plan, b: _Base) -> pd.DataFrame:
    """Children (and their mean distance) from each home council to each placement council, counted from the base."""
    rel = b.rel
    names = _council_names(plan)
    pairs = b.keys[: b.nx].groupby(["council_id", "home_council_id"], as_index=False).size()
    flows = pd.DataFrame(
        {
            "council_id": pairs.council_id,
            "council": pairs.council_id.map(names),
            "placement_council_id": pairs.home_council_id,
            "placement_council": _placement_names(pairs.home_council_id, names),
        }
    ).sort_values(["council", "placement_council"], kind="stable").reset_index(drop=True)
    r_f = b.row_of(["council_id", "home_council_id"], flows, b.is_x, ["council_id", "placement_council_id"])
    ids = rel.counts("flows", "children", r_f, len(flows))
    flows["children"] = rel.value_a_of(ids)
    d_sum = np.bincount(r_f[b.is_x], weights=(b.dist * rel.base_value)[b.is_x], minlength=len(flows))
    flows["mean_distance_miles"] = d_sum / flows.children.where(flows.children > 0)
    rel.ratios("flows", "mean_distance_miles", (r_f, b.dist), (r_f, b.one), len(flows), [[int(k)] for k in ids], weighted=True)
    return flows


def _unmet_table(plan: Plan, b: _Base) -> pd.DataFrame:
    """Children without a home per need and reason, counted from the base (total = sum of the reasons)."""
    rel = b.rel
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
    return un


def _utilisation_table(plan: Plan, b: _Base) -> pd.DataFrame:
    """Places, children placed (counted from the base) and % used per home type."""
    ut = plan.utilisation_by_home_type()
    r_t = b.row_of(["home_type"], ut, b.is_x)
    ids = b.rel.counts("utilisation", "placed", r_t, len(ut))
    b.rel.sums("utilisation", "utilisation_pct", r_t, b.one, len(ut), [[int(k)] for k in ids], weighted=False)
    return ut.assign(placed=b.rel.value_a_of(ids))


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
        ``placements`` (children and held children per home council, placement council
        and home type; a placement council or type with few places for the home council
        pooled as ``(elsewhere)`` / ``other types (few places)`` / ``all types``: never a
        row per cohort and home, since each home's places are public) and ``shortfall``
        (children without a home per cohort and reason).

        The tables are one release. Every count is a sum of cells of one base table --
        what a reader could fill the report in with: the children (and held children) of
        every (home council, home) pair the listed rows could hold, used by the plan or
        not, each home's children at most its places (public), and the children of each
        shortfall row -- and shares, mean distances, costs and utilisation are linear
        equations over it (:mod:`rcc.report.candidates`). Provider HHI is published only
        where every pair it covers is a published row of its own (rare with aggregated rows:
        no linear audit can bound it otherwise). Suppression, repeated until it holds:

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
           is hidden and the audit is repeated; where nothing is left to hide (the places
           alone pin a listed row), its councils are pooled into ``(elsewhere)`` and the
           release is made again.

        Charts draw only what these tables show. They are computed once per plan and
        threshold (the HTML and Excel writers share them); each call returns copies.

    Raises
    ------
    rcc.SolverError
        HiGHS failed while auditing (never a report that was not audited).
    """
    t = int(suppress_below)
    per = _CACHE.setdefault(plan, {})
    if t not in per:  # once per plan and threshold: the HTML and Excel writers read the same release
        frames, rel, hidden = _protected_release(plan, t)
        tables = _render(frames, rel, hidden)
        _check_no_child_ids(tables)
        per[t] = tables
    return {name: _copy(df) for name, df in per[t].items()}


#: The suppressed tables of each plan (a frozen result) at each threshold, computed once.
_CACHE: weakref.WeakKeyDictionary[Plan, dict[int, dict[str, pd.DataFrame]]] = weakref.WeakKeyDictionary()


def _copy(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a published table and of its suppressed mask."""
    out = df.copy()
    if isinstance(df.attrs.get("suppressed"), pd.DataFrame):
        out.attrs["suppressed"] = df.attrs["suppressed"].copy()
    return out


def _protected_release(plan: Plan, threshold: int) -> tuple[dict[str, pd.DataFrame], _Release, np.ndarray]:
    """The release of a plan's report and its hidden cells (see :func:`protect_pooled`)."""
    return protect_pooled(lambda pooled: _plan_release(plan, threshold, pooled=pooled), threshold)


def _suppress_frames(frames: Mapping[str, pd.DataFrame], threshold: int) -> dict[str, pd.DataFrame]:
    """Suppress result frames such as :meth:`Plan.to_frames` as one release: the same
    model, secondary suppression and audit as :func:`report_tables` (see
    :func:`_frames_release` for the frames it can relate)."""
    base, rel = _frames_release(frames)
    return _render(base, rel, _protect(rel, int(threshold)))
