"""A plan's tables from edge flows: placements and the children left without a home (with the reason)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rcc.allocation.network import open_edges
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = ["placements_frame", "shortfall_frame"]


def placements_frame(region: Region, edges: pd.DataFrame, flow: np.ndarray) -> pd.DataFrame:
    """Placements table from edge flows."""
    used = flow > 0.5
    e = edges.loc[used]
    ci, hi = e.cohort.to_numpy(), e.home.to_numpy()
    cohorts, homes = region.cohorts, region.homes  # columns taken, not whole tables
    group = homes.provider_id.map(region.providers.set_index("provider_id").group)  # per home, then per row
    return pd.DataFrame(
        {
            "cohort_id": cohorts.cohort_id.to_numpy()[ci],
            "council_id": cohorts.council_id.to_numpy()[ci],
            "need": cohorts.need.to_numpy()[ci],
            "age_band": cohorts.age_band.to_numpy()[ci],
            "home_id": homes.home_id.to_numpy()[hi],
            "home_council_id": homes.council_id.to_numpy()[hi],
            "home_type": homes.home_type.to_numpy()[hi],
            "provider_id": homes.provider_id.to_numpy()[hi],
            "provider_group": group.to_numpy()[hi],
            "children": flow[used].astype(np.int64),
            "held": e.held.to_numpy(dtype=np.int64),
            "distance_miles": e.distance_miles.to_numpy(),
            "inside_own_council": e.inside_own_council.to_numpy(),
            "weekly_cost_gbp": e.weekly_cost_gbp.to_numpy(),
        }
    )


def shortfall_frame(
    region: Region,
    unmet: np.ndarray,
    params: PlanParams,
    edges: pd.DataFrame,
    flow: np.ndarray,
    places: np.ndarray,
    homes_per_edge: np.ndarray | None = None,
    open_edge: np.ndarray | None = None,
) -> pd.DataFrame:
    """Children left without a home, per cohort, with the reason.

    ``edges`` and ``flow`` are the plan's edges (homes or merged classes of
    homes, with ``places``); ``homes_per_edge`` counts the homes behind each
    edge (merged classes) and ``open_edge`` marks the edges the rules allow new
    children on (default: those whose ``cap`` exceeds ``held``). Reasons:
    ``unreachable`` (no eligible home within reach), ``capacity`` (every
    eligible home is full) and ``weights`` (an eligible home has a free place,
    but under the objective's weights leaving the child without a home costs
    less than that placement).
    """
    n = len(region.cohorts)
    cohort, home = edges.cohort.to_numpy(), edges.home.to_numpy()
    ok = open_edges(edges) if open_edge is None else np.asarray(open_edge, dtype=bool)
    w = np.ones(len(edges)) if homes_per_edge is None else np.asarray(homes_per_edge, dtype=float)
    n_edges = np.bincount(cohort[ok], weights=w[ok], minlength=n).astype(np.int64)
    free = np.asarray(places, dtype=float) - np.bincount(home, weights=flow, minlength=len(places))
    room = np.bincount(cohort[ok & (free[home] > 0.5)], minlength=n) > 0
    rows = np.flatnonzero(unmet > 0.5)
    c = region.cohorts.iloc[rows]
    codes = np.where(n_edges[rows] == 0, "unreachable", np.where(room[rows], "weights", "capacity"))
    reasons = []
    for r, code, need, band in zip(rows, codes, c.need, c.age_band):
        limit = params.distance_limit(need)
        if code == "unreachable":
            reasons.append(f"no eligible home within reach: no home registered for {need} aged {band} within {limit:g} miles")
        elif code == "capacity":
            reasons.append(f"capacity: all {n_edges[r]} eligible homes within {limit:g} miles are full")
        else:
            reasons.append(
                f"weights: an eligible home within {limit:g} miles has a free place, but under the weights leaving "
                "the child without a home costs less than placing them there (raise Weights.unmet_child)"
            )
    return pd.DataFrame(
        {
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "children": unmet[rows].astype(np.int64),
            "reason_code": codes.astype(object),
            "reason": pd.Series(reasons, dtype=object),
        }
    )
