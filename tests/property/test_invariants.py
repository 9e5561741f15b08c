"""Invariants of the allocation, on regions drawn by rcc's own strategies."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rcc
from rcc.core.schema import AGE_BANDS
from rcc.core.validate import split_needs
from rcc.testing import strategies as rst

METHODS = st.sampled_from(["optimise", "greedy"])


@given(rst.regions(), METHODS)
def test_capacity_never_exceeded(region, method):
    p = rcc.plan(region, rcc.PlanParams(method=method))
    used = p.placements.groupby("home_id").children.sum()
    places = region.homes.set_index("home_id").places
    assert (used <= places.reindex(used.index)).all()


@given(rst.regions(), METHODS)
def test_only_eligible_homes_used(region, method):
    params = rcc.PlanParams(method=method, max_distance_miles=120)
    p = rcc.plan(region, params)
    homes = region.homes.set_index("home_id")
    for r in p.placements.itertuples():
        h = homes.loc[r.home_id]
        lo, hi = AGE_BANDS[r.age_band]
        assert r.need in split_needs(pd.Series([h.needs]))[0]
        assert h.min_age <= lo and hi <= h.max_age
        assert h.serves_council_id in ("", r.council_id)
        assert r.distance_miles <= params.distance_limit(r.need) + 1e-9


@given(rst.regions(), METHODS)
def test_placed_plus_unmet_equals_demand(region, method):
    p = rcc.plan(region, rcc.PlanParams(method=method))
    placed = p.placements.groupby("cohort_id").children.sum()
    unmet = p.shortfall.groupby("cohort_id").children.sum()
    total = placed.add(unmet, fill_value=0).reindex(region.cohorts.cohort_id, fill_value=0)
    assert (total.to_numpy() == region.cohorts.children.to_numpy()).all()
    assert (p.placements.children > 0).all() and (p.shortfall.children > 0).all()


@given(rst.regions(), st.data())
def test_more_capacity_never_worsens_the_objective(region, data):
    base = rcc.plan(region)
    extra = data.draw(st.lists(st.integers(0, 3), min_size=len(region.homes), max_size=len(region.homes)))
    bigger = region.replace(homes=region.homes.assign(places=region.homes.places + np.array(extra)))
    assert rcc.plan(bigger).objective <= base.objective + 1e-6


@given(rst.regions())
def test_optimised_places_at_least_greedy_and_costs_no_more(region):
    opt = rcc.plan(region)
    for seed in (0, 1):
        greedy = rcc.plan(region, rcc.PlanParams(method="greedy", seed=seed))
        assert opt.metrics.placed >= greedy.metrics.placed
        assert opt.objective <= greedy.objective + 1e-6


@given(rst.feasible_regions())
def test_feasible_regions_place_everyone(region):
    assert rcc.plan(region).metrics.unmet == 0


@given(rst.regions(), st.sampled_from([0.0, 3.0, 20.0]))
def test_pricing_equals_full_model(region, radius):
    priced = rcc.plan(region, rcc.PlanParams(pricing_radius_miles=radius))
    full = rcc.plan(region, rcc.PlanParams(pricing_radius_miles=None))
    assert priced.objective == pytest.approx(full.objective, rel=1e-9, abs=1e-6)


@given(rst.transport_regions())
def test_lp_optimum_equals_networkx_min_cost_flow(region):
    """On pure transport instances the LP is a min-cost flow problem."""
    params = rcc.PlanParams()
    p = rcc.plan(region, params)
    edges = rcc.eligible_edges(region, params)
    w = params.weights
    scale = 10_000  # network simplex needs integer weights
    g = nx.DiGraph()
    demand = region.cohorts.children.to_numpy()
    total = int(demand.sum())
    g.add_node("source", demand=-total)
    g.add_node("sink", demand=total)
    for c, d in enumerate(demand):
        g.add_edge("source", ("c", c), capacity=int(d), weight=0)
        g.add_edge(("c", c), "sink", capacity=int(d), weight=int(round(w.unmet_child * scale)))  # unmet
    for h, places in enumerate(region.homes.places):
        g.add_edge(("h", h), "sink", capacity=int(places), weight=0)
    cost = (
        w.per_mile * edges.distance_miles
        + w.out_of_area * ~edges.inside_own_council
        + w.per_gbp * edges.weekly_cost_gbp
    )
    for (c, h), k in zip(edges[["cohort", "home"]].itertuples(index=False), cost):
        g.add_edge(("c", c), ("h", h), weight=int(round(k * scale)))
    flow_cost = nx.min_cost_flow_cost(g) / scale
    assert p.objective == pytest.approx(flow_cost, abs=1e-3 * (1 + len(edges)))


@given(rst.regions(max_homes=10))
def test_merging_interchangeable_homes_keeps_the_optimum(region):
    """The optimiser merges interchangeable homes; the optimum over the homes themselves is the same."""
    from rcc.allocation.engine import optimise_edges

    params = rcc.PlanParams()
    edges = rcc.eligible_edges(region, params)
    demand = region.cohorts.children.to_numpy(dtype=float)
    flow, unmet, _, _ = optimise_edges(region, edges, params, demand)
    from rcc.allocation.model import edge_costs, unmet_costs

    direct = float(edge_costs(edges, params) @ flow + unmet_costs(region, params) @ unmet)
    assert rcc.plan(region, params).objective == pytest.approx(direct, rel=1e-9, abs=1e-6)
