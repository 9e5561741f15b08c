"""The released tables of results that hold several plans: the years of a
:class:`rcc.sufficiency.SufficiencyPlan` and the scenarios of a :class:`rcc.Comparison`
(internal to :mod:`rcc.report`; :func:`rcc.write_excel` writes them).

All the plans of one result are one release, as in :func:`rcc.report_tables`: one base
table (the placement rows, their held children and the shortfall rows of every year or
scenario, stacked), every published count a sum of its cells, suppressed together and
audited by linear programming. A comparison's scenarios place the same children: where a
cohort has as many children in two scenarios, that equation is a row of the audit (a
reader knows it without a published number), so no scenario's table can be differenced
against another's to recover a suppressed count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rcc.analysis.comparison import Comparison
from rcc.core.errors import InvalidInputError
from rcc.report.audit import _protect
from rcc.report.release import _row_of
from rcc.report.tables import DISTANCE_BANDS, _band, _Base, _check_no_child_ids, _render
from rcc.sufficiency.result import SufficiencyPlan

#: Shortfall reasons of an allocation plan and of a sufficiency plan (the columns of ``unmet_by_need``).
PLAN_REASONS = ("unreachable", "capacity", "weights")
SUFFICIENCY_REASONS = ("unreachable", "lead_time", "budget", "capacity", "provider_share", "weights")

_SEP = "\x1f"
_SUMMARY_COUNTS = (
    "children", "placed", "unmet", "placed_inside_own_council", "placed_outside_own_council",
    "placed_within_20_miles", "placed_over_20_miles",
)


def sufficiency_tables(plan: SufficiencyPlan, threshold: int) -> dict[str, pd.DataFrame]:
    """The released child-count tables of a sufficiency plan, per plan year (``year`` first):
    summary (with children placed in new and in existing places), by_council,
    distance_bands, unmet_by_need, placements and shortfall."""
    names = plan.region.councils.set_index("council_id").name
    return _grouped(plan.placements, plan.shortfall, "year", names, threshold, SUFFICIENCY_REASONS, links=False)


def comparison_tables(cmp: Comparison, threshold: int) -> dict[str, pd.DataFrame]:
    """The released child-count tables of a comparison, per scenario (``scenario`` first),
    one release with every scenario's cohorts linked (see the module docstring)."""
    names = cmp.base.councils.set_index("council_id").name
    order = list(cmp.plans)
    p = pd.concat([pl.placements.assign(scenario=s) for s, pl in cmp.plans.items()], ignore_index=True)
    s = pd.concat([pl.shortfall.assign(scenario=s) for s, pl in cmp.plans.items()], ignore_index=True)
    p = p[["scenario", *[c for c in p.columns if c != "scenario"]]]
    s = s[["scenario", *[c for c in s.columns if c != "scenario"]]]
    reasons = tuple(dict.fromkeys([*PLAN_REASONS, *sorted(set(s.reason_code) - set(PLAN_REASONS))]))
    return _grouped(p, s, "scenario", names, threshold, reasons, links=True, order=order)


def _grouped(
    p: pd.DataFrame,
    s: pd.DataFrame,
    key: str,
    names: pd.Series,
    threshold: int,
    reasons: Sequence[str],
    *,
    links: bool,
    order: Sequence[object] | None = None,
) -> dict[str, pd.DataFrame]:
    p, s = p.reset_index(drop=True), s.reset_index(drop=True)
    b = _Base(p, s)
    gx, gy = p[key].astype(str).to_numpy(dtype=object), s[key].astype(str).to_numpy(dtype=object)
    group = np.concatenate([gx, np.full(len(p), "", dtype=object), gy])
    groups = [str(g) for g in (order if order is not None else sorted(set(p[key]) | set(s[key])))]
    frames: dict[str, pd.DataFrame] = {}
    frames["summary"] = _council_like(b, "summary", pd.Series(group), pd.DataFrame({key: groups}), [key], p, s)
    if "new_capacity" in p.columns:
        _new_places(b, frames["summary"], group, p)
    frames["distance_bands"] = _bands(b, group, groups, key)
    council = pd.Series(np.where(group == "", "", group + _SEP + b.keys.council_id.astype(str).to_numpy(dtype=object)))
    pairs = pd.concat([p[[key, "council_id"]], s[[key, "council_id"]]]).astype(str).drop_duplicates()
    pairs = pairs.assign(council=pairs.council_id.map(names))
    pairs = pairs.assign(_o=pairs[key].map({g: i for i, g in enumerate(groups)})).sort_values(["_o", "council"], kind="stable")
    frames["by_council"] = _council_like(b, "by_council", council, pairs.drop(columns="_o"), [key, "council_id"], p, s)
    frames["unmet_by_need"] = _unmet(b, group, s, key, groups, reasons)
    frames["placements"], frames["shortfall"] = p, s
    b.detail(p, s)
    if links:
        _link_cohorts(b, p, s, key)
    b.rel.finish()
    hidden = _protect(b.rel, int(threshold))
    tables = _render(frames, b.rel, hidden)
    for name in ("summary", "distance_bands", "by_council", "unmet_by_need"):
        tables[name][key] = _typed(tables[name][key], p[key])
    _check_no_child_ids(tables)
    return tables


def _typed(values: pd.Series, like: pd.Series) -> pd.Series:
    """Group labels back to the type of the source column (years as integers)."""
    return values.astype(like.dtype) if pd.api.types.is_integer_dtype(like.dtype) else values


def _council_like(
    b: _Base, table: str, key_of_base: pd.Series, rows: pd.DataFrame, key_cols: list[str], p: pd.DataFrame, s: pd.DataFrame
) -> pd.DataFrame:
    """A per-group (or per group and council) table of counts, shares, mean distance and
    weekly cost, its cells added to the release by :meth:`_Base.councils` (which checks
    every count against the base)."""
    rows = rows.reset_index(drop=True).astype({c: str for c in key_cols})
    composite = rows[key_cols].astype(str).agg(_SEP.join, axis=1) if len(rows) else pd.Series([], dtype=object)
    kx = p[key_cols].astype(str).agg(_SEP.join, axis=1) if len(p) else pd.Series([], dtype=object)
    ky = s[key_cols].astype(str).agg(_SEP.join, axis=1) if len(s) else pd.Series([], dtype=object)
    x = p.children.astype(float)
    inside, within = p.inside_own_council.astype(bool), p.distance_miles.astype(float) <= 20.0

    def per(values: pd.Series, keys: pd.Series) -> np.ndarray:
        return values.groupby(keys.to_numpy()).sum().reindex(composite.to_numpy(), fill_value=0.0).to_numpy(dtype=float)

    placed, unmet = per(x, kx), per(s.children.astype(float), ky)
    ins, wit = per(x * inside, kx), per(x * within, kx)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = np.where(placed > 0, placed, np.nan)
        df = rows.assign(
            children=(placed + unmet).astype(np.int64), placed=placed.astype(np.int64), unmet=unmet.astype(np.int64),
            placed_inside_own_council=ins.astype(np.int64), placed_outside_own_council=(placed - ins).astype(np.int64),
            placed_within_20_miles=wit.astype(np.int64), placed_over_20_miles=(placed - wit).astype(np.int64),
            pct_inside_own_council=100.0 * ins / den, pct_within_20_miles=100.0 * wit / den,
            mean_distance_miles=per(x * p.distance_miles.astype(float), kx) / den,
            weekly_cost_gbp=per(x * p.weekly_cost_gbp.astype(float), kx),
        )
    saved = b.keys.council_id
    b.keys["council_id"] = key_of_base.to_numpy(dtype=object)
    try:
        b.councils(table, df.assign(council_id=composite.to_numpy(dtype=object)))
    finally:
        b.keys["council_id"] = saved
    return df


def _new_places(b: _Base, summary: pd.DataFrame, group: np.ndarray, p: pd.DataFrame) -> None:
    """Children placed in new capacity and in existing homes, per group (summary columns)."""
    rel = b.rel
    new = np.zeros(b.n, dtype=bool)
    new[: b.nx] = p.new_capacity.astype(bool).to_numpy()
    r = _row_of(pd.DataFrame({"g": group}), pd.DataFrame({"g": summary.iloc[:, 0].astype(str)}), b.is_x)
    ids_new = rel.counts("summary", "placed_in_new_places", np.where(new, r, -1), len(summary))
    ids_old = rel.counts("summary", "placed_in_existing_homes", np.where(b.is_x & ~new, r, -1), len(summary))
    placed = rel.index[("summary", "placed")]
    for i in range(len(summary)):
        rel.relate(int(placed[i]), ids_new[i : i + 1], ids_old[i : i + 1])
    at = summary.columns.get_loc("placed") + 1
    summary.insert(at, "placed_in_existing_homes", rel.value_a_of(ids_old))
    summary.insert(at, "placed_in_new_places", rel.value_a_of(ids_new))


def _bands(b: _Base, group: np.ndarray, groups: list[str], key: str) -> pd.DataFrame:
    """Children placed per group and distance band."""
    labels = [d[0] for d in DISTANCE_BANDS]
    t = pd.DataFrame({key: np.repeat(groups, len(labels)), "band": labels * len(groups)})
    band = np.concatenate([_band(pd.Series(b.dist[: b.nx])).fillna("").to_numpy(dtype=object), np.full(b.n - b.nx, "", dtype=object)])
    keys = pd.DataFrame({key: group, "band": band})
    ids = b.rel.counts("distance_bands", "children", _row_of(keys, t, b.is_x), len(t))
    return t.assign(children=b.rel.value_a_of(ids))


def _unmet(b: _Base, group: np.ndarray, s: pd.DataFrame, key: str, groups: list[str], reasons: Sequence[str]) -> pd.DataFrame:
    """Children without a home per group and need: total and per reason (total = sum of the reasons)."""
    rel = b.rel
    rank = {g: i for i, g in enumerate(groups)}
    t = s[[key, "need"]].astype(str).drop_duplicates()
    t = t.assign(_o=t[key].map(rank)).sort_values(["_o", "need"], kind="stable").drop(columns="_o").reset_index(drop=True)
    unknown = sorted(set(s.reason_code) - set(reasons))
    if unknown:
        raise InvalidInputError("shortfall", None, "reason_code", f"one of {list(reasons)}", unknown[0])
    keys = pd.DataFrame({key: group, "need": b.keys.need.to_numpy(dtype=object)})
    r = _row_of(keys, t, b.is_y)
    ids = {"children": rel.counts("unmet_by_need", "children", r, len(t))}
    for reason in reasons:
        ids[reason] = rel.counts("unmet_by_need", reason, np.where(b.keys.reason.to_numpy() == reason, r, -1), len(t))
    for i in range(len(t)):
        rel.relate(int(ids["children"][i]), *(ids[q][i : i + 1] for q in reasons))
    return t.assign(**{c: rel.value_a_of(v) for c, v in ids.items()})


def _link_cohorts(b: _Base, p: pd.DataFrame, s: pd.DataFrame, key: str) -> None:
    """One audit row per cohort and scenario after its first: the cohort's children in
    that scenario equal its children in the first (only where they do: a scenario that
    changes demand changes them)."""
    cells = pd.DataFrame(
        {
            "cohort": np.concatenate([p.cohort_id.astype(str), s.cohort_id.astype(str)]),
            "group": np.concatenate([p[key].astype(str), s[key].astype(str)]),
            "var": np.concatenate([np.arange(b.nx), np.arange(2 * b.nx, b.n)]),
        }
    )
    cells["value"] = b.rel.base_value[cells["var"].to_numpy()]
    for _, c in cells.groupby("cohort", sort=False):
        by = [(g, d["var"].to_numpy(), float(d["value"].sum())) for g, d in c.groupby("group", sort=False)]
        first_var, first_total = by[0][1], by[0][2]
        for _, var, total in by[1:]:
            if total == first_total:
                b.rel.link(np.concatenate([first_var, var]), np.concatenate([np.ones(len(first_var)), -np.ones(len(var))]))
