"""Metrics of scenario plans: each council's planning cost and outcomes, and named groups of councils."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.result import METRIC_LABELS, Plan, metrics_table
from rcc.core.params import PlanParams
from rcc.core.schema import NEEDS

__all__ = ["GROUP_PREFIX", "METRICS", "TABLE_METRICS", "plan_cost", "plan_metrics"]

#: council_id prefix of group rows (``"group:all"``, ``"group:rcc"``...) in :attr:`Comparison.long`.
GROUP_PREFIX = "group:"

#: Metrics of :func:`plan_metrics`, in order, with labels.
METRICS: Mapping[str, str] = MappingProxyType(
    {
        "children": METRIC_LABELS["children"],
        "placed": METRIC_LABELS["placed"],
        "unmet": METRIC_LABELS["unmet"],
        "pct_within_20_miles": METRIC_LABELS["pct_within_20_miles"],
        "pct_inside_own_council": METRIC_LABELS["pct_inside_own_council"],
        "pct_inside_own_region": "% placed inside own region",
        "mean_distance_miles": METRIC_LABELS["mean_distance_miles"],
        "weekly_cost_gbp": METRIC_LABELS["weekly_cost_gbp"],
        "utilisation_pct": "utilisation of places located here (%)",
        "provider_hhi": METRIC_LABELS["provider_hhi"],
        "cost_objective": "planning cost in Weights units, not GBP (weekly_cost_gbp is the bill; no incentives)",
        **{f"unmet_{n}": f"without a home: {n}" for n in NEEDS},
    }
)

#: Metrics shown by :meth:`Comparison.table` by default.
TABLE_METRICS: tuple[str, ...] = (
    "children",
    "unmet",
    "pct_within_20_miles",
    "pct_inside_own_council",
    "pct_inside_own_region",
    "weekly_cost_gbp",
    "utilisation_pct",
)


def plan_cost(plan: Plan, params: PlanParams | None = None) -> pd.Series:
    """Planning cost of each council's children (objective units, no incentives):
    miles, out-of-area and weekly-cost terms of their placements plus the
    unmet-child penalty. Index: every council of the plan's region."""
    params = params or PlanParams()
    p, s = plan.placements, plan.shortfall
    region = plan.region
    placed = pd.Series(edge_costs(p, params) * p.children.to_numpy(dtype=float), index=p.index).groupby(
        p.council_id.to_numpy()
    ).sum()
    ucost = pd.Series(unmet_costs(region, params), index=region.cohorts.cohort_id.to_numpy())
    unmet = pd.Series(ucost.reindex(s.cohort_id).to_numpy() * s.children.to_numpy(dtype=float)).groupby(
        s.council_id.to_numpy()
    ).sum()
    ids = pd.Index(region.councils.council_id)
    return placed.reindex(ids, fill_value=0.0).add(unmet.reindex(ids, fill_value=0.0)).astype(float)


def plan_metrics(
    plan: Plan,
    groups: Mapping[str, Sequence[str]] | None = None,
    params: PlanParams | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Metrics per council and per named group of councils, as a long table.

    Columns council_id, council_name, metric, value; metrics as in
    :data:`METRICS`. Group rows have council_id ``"group:<name>"`` and
    council_name ``labels[name]`` (default the name).
    Percentages are of children placed; utilisation is of places located in
    the council (or group). ``pct_inside_own_region`` compares the regions
    (``councils.region``) of the child's council and of the home's council.
    """
    region = plan.region
    c = region.councils.set_index("council_id")
    p = plan.placements.assign(
        inside_own_region=(
            plan.placements.council_id.map(c.region).to_numpy() == plan.placements.home_council_id.map(c.region).to_numpy()
        )
    )
    s = plan.shortfall
    cost = plan_cost(plan, params)
    ids = pd.Index(region.councils.council_id)
    homes = region.homes
    places_at = homes.groupby("council_id").places.sum().reindex(ids, fill_value=0).astype(float)
    used_at = p.groupby("home_council_id").children.sum().reindex(ids, fill_value=0).astype(float)

    per = metrics_table(p, s, 0.0, by="council_id").set_index("council_id").reindex(ids)
    for col in ("children", "placed", "unmet", "weekly_cost_gbp"):
        per[col] = per[col].fillna(0.0)
    inside_region = (p.children * p.inside_own_region).groupby(p.council_id).sum().reindex(ids, fill_value=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per["pct_inside_own_region"] = 100 * inside_region.astype(float) / per.placed.where(per.placed > 0)
        per["utilisation_pct"] = 100 * used_at / places_at.where(places_at > 0)
    per["cost_objective"] = cost
    unmet_need = s.pivot_table(index="council_id", columns="need", values="children", aggfunc="sum") if len(s) else None
    for n in NEEDS:
        col = unmet_need[n] if unmet_need is not None and n in unmet_need.columns else pd.Series(dtype=float)
        per[f"unmet_{n}"] = col.reindex(ids).fillna(0.0).astype(float)
    per["council_name"] = c.name.reindex(ids)
    frames = [per]

    for gname, members in (groups or {}).items():
        m = pd.Index([str(x) for x in members])
        gp, gs = p[p.council_id.isin(m)], s[s.council_id.isin(m)]
        row = metrics_table(gp, gs, float(places_at.reindex(m).sum())).iloc[0].astype(object)
        if row.placed > 0:
            row["pct_inside_own_region"] = 100 * float((gp.children * gp.inside_own_region).sum()) / row.placed
        else:
            row["pct_inside_own_region"] = np.nan
        row["utilisation_pct"] = (
            100 * float(used_at.reindex(m).sum()) / float(places_at.reindex(m).sum()) if places_at.reindex(m).sum() else np.nan
        )
        row["cost_objective"] = float(cost.reindex(m).sum())
        for n in NEEDS:
            row[f"unmet_{n}"] = float(gs.children[gs.need == n].sum())
        row["council_name"] = (labels or {}).get(gname, gname)
        frames.append(row.to_frame(GROUP_PREFIX + gname).T)
    wide = pd.concat(frames)
    wide.index.name = "council_id"
    long = wide.reset_index().melt(
        id_vars=["council_id", "council_name"], value_vars=list(METRICS), var_name="metric", value_name="value"
    )
    long["value"] = long.value.astype(float)
    order = {m: i for i, m in enumerate(METRICS)}
    key = long.council_id.map({k: i for i, k in enumerate(wide.index)})
    long = long.assign(_k=key, _m=long.metric.map(order)).sort_values(["_k", "_m"], kind="stable")
    return long.drop(columns=["_k", "_m"]).reset_index(drop=True)
