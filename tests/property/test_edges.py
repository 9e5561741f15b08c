"""The vectorised edge table equals a pair-by-pair reading of the rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import rcc
from rcc.core.schema import AGE_BANDS
from rcc.testing import strategies as rst


def edges_pair_by_pair(region: rcc.Region, params: rcc.PlanParams, allowed: set | None) -> dict:
    dist = region.council_distances()
    ci = pd.Index(region.councils.council_id)
    held: dict = {}
    for r in region.placements.itertuples():
        key = (region.cohorts.cohort_id.tolist().index(r.cohort_id), region.homes.home_id.tolist().index(r.home_id))
        held[key] = held.get(key, 0) + int(r.children)
    out = {}
    for c, k in enumerate(region.cohorts.itertuples()):
        lo, hi = AGE_BANDS[k.age_band]
        for h, hm in enumerate(region.homes.itertuples()):
            d = float(dist[ci.get_loc(k.council_id), ci.get_loc(hm.council_id)])
            ok = (
                k.need in {x.strip() for x in hm.needs.split(";")}
                and hm.min_age <= lo
                and hi <= hm.max_age
                and hm.serves_council_id in ("", k.council_id)
                and d <= params.distance_limit(k.need)
                and (allowed is None or (k.council_id, hm.council_id) in allowed)
            )
            n = held.get((c, h), 0)
            if ok or n:
                out[(c, h)] = (d, k.council_id == hm.council_id, float(hm.weekly_cost_gbp), n, math.inf if ok else float(n))
    return out


@given(rst.held_regions(), st.sampled_from([10.0, 60.0, 150.0]), st.booleans(), st.data())
def test_edges_equal_the_rules_pair_by_pair(region, miles, pooled, data):
    params = rcc.PlanParams(max_distance_miles=miles)
    allowed = None
    pairs = None
    if pooled:
        ids = list(region.councils.council_id)
        chosen = data.draw(st.sets(st.tuples(st.sampled_from(ids), st.sampled_from(ids))))
        allowed = set(chosen)
        pairs = pd.DataFrame(sorted(chosen), columns=["from_council_id", "to_council_id"])
    e = rcc.eligible_edges(region, params, pairs)
    got = {
        (r.cohort, r.home): (r.distance_miles, bool(r.inside_own_council), r.weekly_cost_gbp, int(r.held), r.cap)
        for r in e.itertuples()
    }
    assert len(got) == len(e)  # one row per pair
    assert got == edges_pair_by_pair(region, params, allowed)
    # sorted by cohort, then distance, cost and home
    key = list(zip(e.cohort, e.distance_miles, e.weekly_cost_gbp, e.home))
    assert key == sorted(key)
    assert np.issubdtype(e.cohort.dtype, np.integer) and np.issubdtype(e.home.dtype, np.integer)
