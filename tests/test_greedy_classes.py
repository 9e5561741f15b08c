"""The greedy baseline on merged homes makes the same choices as the home-by-home greedy.

``rcc.plan(..., method="greedy")`` runs the referral loop on classes of
interchangeable homes (:func:`rcc.allocation.engine.aggregate_homes`); the reference here is
the home-level greedy :func:`rcc.allocation.greedy.greedy_flows` (every home's edges, first
free home in edge order), with and without a scenario's pooling rules. Placements,
shortfall and objective must be identical.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcc
from rcc.allocation.engine import placements_frame, shortfall_frame
from rcc.allocation.greedy import greedy_flows
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.network import eligible_edges, open_edges
from rcc.testing import strategies as rst


def home_level_plan(region: rcc.Region, params: rcc.PlanParams) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Placements, shortfall and objective as the former greedy branch of ``rcc.plan`` gave them."""
    if not params.hold_current and len(region.placements):
        region = region.replace(placements=region.placements.iloc[0:0])
    edges = eligible_edges(region, params)
    flow, unmet = greedy_flows(region, edges, params.seed)  # the home-level greedy: the reference the merged-homes greedy must match
    shortfall = shortfall_frame(region, unmet, params, edges, flow, region.homes.places.to_numpy())
    objective = float(edge_costs(edges, params) @ flow + unmet_costs(region, params) @ unmet)
    return placements_frame(region, edges, flow), shortfall, objective


def assert_same_as_home_level(region: rcc.Region, params: rcc.PlanParams) -> rcc.Plan:
    p = rcc.plan(region, params)
    placements, shortfall, objective = home_level_plan(region, params)
    pd.testing.assert_frame_equal(p.placements, placements, check_exact=True)
    pd.testing.assert_frame_equal(p.shortfall, shortfall, check_exact=True)
    # the same placements (checked exactly above); the objective sums the same terms over fewer edges
    assert p.objective == pytest.approx(objective, rel=1e-12, abs=1e-9)
    return p


@st.composite
def merged_regions(draw: st.DrawFn) -> rcc.Region:
    """Held regions whose homes come in interchangeable copies, interleaved in the table, with
    few distinct costs: classes of several homes, ties in distance and cost between classes
    (whose homes the greedy must still take in table order), homes without places, held homes."""
    region = draw(
        rst.held_regions(max_councils=2, needs=("mainstream", "complex"), max_homes=6, max_cohorts=4, max_children=10)
    )
    wide = draw(st.lists(st.booleans(), min_size=len(region.homes), max_size=len(region.homes)))  # homes for all ages
    homes = region.homes.assign(
        min_age=np.where(wide, 0, region.homes.min_age), max_age=np.where(wide, 17, region.homes.max_age)
    )
    copies = draw(st.lists(st.integers(1, 4), min_size=len(homes), max_size=len(homes)))
    rows = homes.loc[homes.index.repeat(copies)].reset_index(drop=True)
    copy_no = rows.groupby("home_id").cumcount().to_numpy()
    rows["home_id"] = [
        h if k == 0 else f"{h}x{k}" for h, k in zip(rows.home_id, copy_no)
    ]  # first copy keeps placements
    extra = draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows)))
    rows["places"] = np.where(copy_no == 0, rows.places.to_numpy(), extra)
    rows["weekly_cost_gbp"] = np.where(rows.weekly_cost_gbp.to_numpy() % 8 == 0, 950.0, 800.0)
    rows = rows.iloc[draw(st.permutations(range(len(rows))))].reset_index(drop=True)
    return rcc.Region.from_frames(
        region.councils, rows, region.cohorts, region.providers, region.placements, name="merged"
    )


@settings(max_examples=100)
@given(region=merged_regions(), seed=st.integers(0, 5), hold_current=st.booleans())
def test_greedy_on_merged_homes_equals_home_level(region: rcc.Region, seed: int, hold_current: bool) -> None:
    assert_same_as_home_level(region, rcc.PlanParams(method="greedy", seed=seed, hold_current=hold_current))


@given(region=rst.held_regions(max_councils=3), seed=st.integers(0, 5))
def test_greedy_on_held_regions_equals_home_level(region: rcc.Region, seed: int) -> None:
    assert_same_as_home_level(region, rcc.PlanParams(method="greedy", seed=seed))


def test_tie_between_classes_follows_table_order() -> None:
    """Two classes at the same distance and cost (different age ranges) whose homes interleave:
    the greedy fills h0, then h1 (the other class), then h2, as the home-level greedy does."""
    councils = pd.DataFrame({"council_id": ["A"], "name": ["A"], "region": "R", "lat": [53.0], "lon": [-2.0]})
    homes = pd.DataFrame(
        {
            "home_id": ["h0", "h1", "h2"],
            "council_id": "A",
            "provider_id": "p",
            "home_type": "in_house_fostering",
            "places": 1,
            "needs": "mainstream",
            "min_age": [0, 5, 0],
            "max_age": [17, 10, 17],
            "weekly_cost_gbp": 500.0,
        }
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["k"], "council_id": ["A"], "need": "mainstream", "age_band": "5-10", "children": 2}
    )
    region = rcc.Region.from_frames(councils, homes, cohorts)
    p = assert_same_as_home_level(region, rcc.PlanParams(method="greedy"))
    assert p.placements.home_id.tolist() == ["h0", "h1"]


@pytest.fixture(scope="module")
def gm() -> rcc.Region:
    return rcc.datasets.england("Greater Manchester RCC")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gm_greedy_equals_home_level(gm: rcc.Region, seed: int) -> None:
    assert_same_as_home_level(gm, rcc.PlanParams(method="greedy", seed=seed))


def test_gm_with_held_placements_equals_home_level(gm: rcc.Region) -> None:
    """Children already placed (by another seed's greedy plan, and some in homes the rules now
    exclude: a home of another need) keep their places; the rest follow the home-level greedy."""
    earlier = rcc.plan(gm, rcc.PlanParams(method="greedy", seed=7)).placements.iloc[::40]
    other_need = gm.homes.loc[~gm.homes.needs.str.contains("mainstream"), "home_id"].iloc[:3].tolist()
    mainstream = gm.cohorts.loc[gm.cohorts.need == "mainstream", "cohort_id"].iloc[:3].tolist()
    placements = pd.concat(
        [
            pd.DataFrame({"cohort_id": earlier.cohort_id, "home_id": earlier.home_id, "children": 1}),
            pd.DataFrame({"cohort_id": mainstream, "home_id": other_need, "children": 1}),
        ],
        ignore_index=True,
    ).drop_duplicates(["cohort_id", "home_id"])
    placements.insert(0, "placement_id", [f"P{i}" for i in range(len(placements))])
    region = gm.replace(placements=placements)
    p = assert_same_as_home_level(region, rcc.PlanParams(method="greedy", seed=3))
    assert (p.placements.held > 0).sum() == len(placements)


# ---------------------------------------------------------------- scenarios: one greedy for every rule
def home_level_scenario_plan(
    base: rcc.Region, scenario: rcc.Scenario, params: rcc.PlanParams
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Placements, shortfall and objective as the scenarios' former home-level greedy gave them
    (rcc 0.2's ``solve_scenario`` greedy branch): edges the rules forbid keep only their held
    children, taken out of the homes' places and the cohorts' children; the rest is
    :func:`greedy_flows` on every home."""
    base = scenario.apply(base)
    edges = eligible_edges(base, params)
    allowed = scenario.edge_mask(base, edges) & open_edges(edges)
    keep = allowed | (edges.held.to_numpy() > 0)
    edges = edges.loc[keep].reset_index(drop=True)
    fixed = ~allowed[keep]
    n_fixed = np.where(fixed, edges.held.to_numpy(), 0)
    reduced = attrs.evolve(
        base,
        homes=base.homes.assign(
            places=base.homes.places.to_numpy()
            - np.bincount(edges.home, weights=n_fixed, minlength=len(base.homes)).astype(np.int64)
        ),
        cohorts=base.cohorts.assign(
            children=base.cohorts.children.to_numpy()
            - np.bincount(edges.cohort, weights=n_fixed, minlength=len(base.cohorts)).astype(np.int64)
        ),
    )
    g_flow, unmet = greedy_flows(reduced, edges.loc[~fixed].reset_index(drop=True), params.seed)
    flow = n_fixed.astype(float)
    flow[np.flatnonzero(~fixed)] += g_flow
    cost = edge_costs(edges, params) - scenario.edge_incentive(base, edges)
    objective = float(cost @ flow + unmet_costs(base, params) @ unmet)
    places = base.homes.places.to_numpy()
    shortfall = shortfall_frame(base, unmet, params, edges, flow, places, open_edge=~fixed)
    return placements_frame(base, edges, flow), shortfall, objective


@st.composite
def scenario_regions(draw: st.DrawFn) -> tuple[rcc.Region, rcc.Scenario]:
    """Merged-home regions with held placements whose providers are councils (in-house supply,
    owned by their council) or private, and a random pooling rule with incentives."""
    region = draw(merged_regions())
    ids = list(region.councils.council_id)
    sector = draw(st.lists(st.sampled_from(["council", "private"]), min_size=len(region.providers),
                           max_size=len(region.providers)))
    region = region.replace(providers=region.providers.assign(sector=sector))
    pooling = draw(st.sampled_from(rcc.analysis.scenarios.POOLING_LEVELS))
    members = draw(st.lists(st.sampled_from(ids), min_size=1 if pooling == "pathfinder_only" else 0, unique=True))
    scenario = rcc.Scenario(
        "drawn",
        pooling,
        members,
        market=draw(st.sampled_from(["open", "pooled"])),
        rcc_incentive=draw(st.sampled_from([0.0, 15.0])),
        local_incentive=draw(st.sampled_from([0.0, 5.0])),
    )
    return region, scenario


@settings(max_examples=100)
@given(drawn=scenario_regions(), seed=st.integers(0, 5))
def test_scenario_greedy_on_merged_homes_equals_home_level(drawn: tuple[rcc.Region, rcc.Scenario], seed: int) -> None:
    """rcc.plan's greedy under a scenario (merged homes kept apart by the pooling keys, forbidden
    held edges capped at their children) places every child where the home-level greedy did."""
    region, scenario = drawn
    params = rcc.PlanParams(method="greedy", seed=seed)
    p = rcc.plan(region, params, scenario=scenario)
    placements, shortfall, objective = home_level_scenario_plan(region, scenario, params)
    pd.testing.assert_frame_equal(p.placements, placements, check_exact=True)
    pd.testing.assert_frame_equal(p.shortfall, shortfall, check_exact=True)
    assert p.objective == pytest.approx(objective, rel=1e-12, abs=1e-9)
    assert p.status is rcc.PlanStatus.HEURISTIC
