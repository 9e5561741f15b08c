"""Sufficiency from today's placements (issue 12, point 6): held children stay, capacity counts them,
demand is conserved per cohort and year, lead times in months; a toy checked against HiGHS directly."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.network import eligible_edges
from rcc.flows.rates import default_exit_hazard
from rcc.sufficiency import SufficiencyParams, default_options, forecast_from_region, sufficiency_plan
from rcc.sufficiency.held import survival, ungroup_remainders
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.survival import ENGLAND_AGES, ENGLAND_LEAVERS, HELD_MONTHS_IN_CARE, exit_scale, leaving_shares

EXACT = rcc.SolverOptions(mip_gap=1e-9, time_limit_s=60)


def toy(children: int = 8, held: tuple[int, int] = (3, 2), places: tuple[int, int] = (4, 6)) -> rcc.Region:
    """Council A (a home of 4 places, cohort of 11-15s) and council B 30 miles away (a home of 6); today
    ``held`` children of the cohort live in A's home and B's."""
    councils = pd.DataFrame(
        {"council_id": ["A", "B"], "name": ["Aton", "Beeby"], "region": ["North", "North"], "lat": [53.0, 53.43],
         "lon": [-2.0, -2.0], "area_km2": [100.0, 100.0]}
    )
    homes = pd.DataFrame(
        {"home_id": ["hA", "hB"], "council_id": ["A", "B"], "provider_id": ["p1", "p2"], "home_type": ["childrens_home"] * 2,
         "places": list(places), "needs": ["complex"] * 2, "weekly_cost_gbp": [5000.0, 4000.0]}
    )
    cohorts = pd.DataFrame({"cohort_id": ["cA"], "council_id": ["A"], "need": ["complex"], "age_band": ["11-15"], "children": [children]})
    today = pd.DataFrame({"placement_id": ["p1", "p2"], "cohort_id": ["cA", "cA"], "home_id": ["hA", "hB"], "children": list(held)})
    return rcc.Region.from_frames(councils, homes, cohorts, placements=today[today.children > 0], name="toy")


def option(**kw: object) -> dict[str, object]:
    row: dict[str, object] = dict(
        option_id="new", council_id="A", home_type="childrens_home", needs="complex", provider_id="LA:A", places_per_unit=3,
        max_units=3, capital_cost_gbp=1_000_000.0, annual_running_cost_gbp=120_000.0, weekly_cost_gbp=300.0, lead_time_months=0,
    )
    row.update(kw)
    return row


def test_survival_leaves_care_and_ages_out():
    months = 12 * np.arange(6)
    for band in ("0-4", "5-10", "11-15", "16-17"):
        s = survival(band, months)
        assert s[0] == 1.0 and (np.diff(s) <= 0).all() and (np.diff(s)[s[1:] > 0] < 0).all() and (s > 0.2).sum() >= 2
    assert survival("16-17", months)[2:].max() == 0.0  # everyone 16-17 today is 18 within two years
    assert survival("11-15", months)[5] < survival("5-10", months)[5]  # ageing out after 3 to 7 years


@pytest.fixture(scope="module")
def gm_plans():
    region = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(region, years=3, growth_by_need={"complex": 0.05, "supported_16plus": 0.05})
    opts = default_options(region)
    held = sufficiency_plan(region, opts, fc, params=SufficiencyParams(years=3))
    return region, fc, held


def test_held_children_stay_in_todays_homes_and_only_leave(gm_plans):
    region, _, plan = gm_plans
    today = region.placements.groupby(["cohort_id", "home_id"]).children.sum()
    held = plan.placements[plan.placements.held > 0]
    assert (held.held == held.children).all()
    by_year = held.groupby(["year", "cohort_id", "home_id"]).children.sum().unstack("year", fill_value=0)
    assert set(by_year.index) <= set(today.index)  # never in another home
    year1 = by_year[1].reindex(today.index, fill_value=0)
    np.testing.assert_array_equal(year1.to_numpy(), today.to_numpy())  # year 1 is today
    assert (by_year.diff(axis=1).iloc[:, 1:] <= 0).all().all()  # children only leave
    assert by_year[3].sum() < by_year[2].sum() < by_year[1].sum()
    assert "children's current placements held" in plan.info.note and "no step-downs" in plan.info.note
    assert f"from today: {by_year[1].sum():,} children held in their current homes in year 1" in repr(plan)


def test_capacity_with_held_children_is_never_exceeded(gm_plans):
    region, _, plan = gm_plans
    p = plan.placements[~plan.placements.new_capacity]
    used = p.groupby(["home_id", "year"]).children.sum()
    places = region.homes.set_index("home_id").places.reindex(used.index.get_level_values("home_id")).to_numpy()
    assert (used.to_numpy() <= places).all()
    assert p.home_id.isin(region.homes.home_id).all()  # classes split back to real homes


def test_held_plus_placed_plus_unmet_is_demand_per_cohort_and_year(gm_plans):
    _, fc, plan = gm_plans
    demand = fc.set_index(["cohort_id", "year"]).children
    placed = plan.placements.groupby(["cohort_id", "year"]).children.sum().reindex(demand.index, fill_value=0)
    unmet = plan.shortfall.groupby(["cohort_id", "year"]).children.sum().reindex(demand.index, fill_value=0)
    np.testing.assert_array_equal((placed + unmet).to_numpy(), demand.to_numpy())
    m = plan.metrics_by_year
    np.testing.assert_array_equal(m.children.to_numpy(), fc.groupby("year").children.sum().to_numpy())


def _independent_optimum(region: rcc.Region, held: np.ndarray, demand: float) -> tuple[float, np.ndarray]:
    """One year of the toy solved in HiGHS directly: free places of each home after the held children,
    the cohort's demand after them, unmet at its penalty (allocation layer's costs)."""
    params = SufficiencyParams()
    free_region = rcc.Region.from_frames(region.councils, region.homes, region.cohorts, providers=region.providers)
    e = eligible_edges(free_region, params).sort_values("home")
    cost = np.r_[edge_costs(e, params), unmet_costs(free_region, params)[0]]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(cost)
    free = region.homes.places.to_numpy(dtype=float)[e.home.to_numpy()] - held[e.home.to_numpy()]
    h.addVars(n, np.zeros(n), np.r_[free, np.inf])
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.addRow(demand - held.sum(), demand - held.sum(), n, np.arange(n, dtype=np.int32), np.ones(n))
    h.run()
    return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)[:-1]


def test_toy_plan_from_today_matches_an_independent_highs_solve():
    region = toy(children=8, held=(3, 2))
    fc = forecast_from_region(region, years=2)
    plan = sufficiency_plan(region, None, fc, params=SufficiencyParams(solver=EXACT, seed_radius_miles=None))
    s = survival("11-15", np.array([0, 12]))
    total = 0.0
    for y in (1, 2):
        held = np.round(np.array([3.0, 2.0]) * s[y - 1])
        objective, x = _independent_optimum(region, held, 8.0)
        total += objective
        new = plan.placements[(plan.placements.year == y) & (plan.placements.held == 0)].groupby("home_id").children.sum()
        np.testing.assert_allclose(new.reindex(["hA", "hB"], fill_value=0).to_numpy(), x, atol=1e-6)
        got = plan.placements[(plan.placements.year == y) & (plan.placements.held > 0)].groupby("home_id").children.sum()
        np.testing.assert_array_equal(got.reindex(["hA", "hB"], fill_value=0).to_numpy(), held)
    assert plan.objective == pytest.approx(total, rel=1e-9)
    afresh = sufficiency_plan(region, None, fc, params=SufficiencyParams(solver=EXACT, seed_radius_miles=None, hold_placements=False))
    assert afresh.placements.held.sum() == 0  # planned afresh: the 2 children out of area today come home
    assert "planned afresh: today's 5 placements not held" in repr(afresh)
    assert afresh.placements.groupby("home_id").children.sum()["hA"] == 8


def test_a_home_holding_children_is_not_closed_under_them():
    region = toy(children=3, held=(2, 0), places=(4, 6))
    closures = pd.DataFrame({"home_id": ["hA"], "annual_saving_gbp": [1e9]})
    plan = sufficiency_plan(region, None, forecast_from_region(region, years=2), closures=closures, params=SufficiencyParams(solver=EXACT))
    assert plan.closures.empty  # the saving would pay, but the held children would have to move
    afresh = sufficiency_plan(
        region, None, forecast_from_region(region, years=2), closures=closures, params=SufficiencyParams(solver=EXACT, hold_placements=False)
    )
    assert afresh.closures.home_id.tolist() == ["hA"]


@pytest.mark.parametrize(("rule", "lead", "year1_new"), [("census", 8, 0), ("share", 8, 1), ("census", 0, 3), ("share", 12, 0)])
def test_lead_time_in_months(rule, lead, year1_new):
    """A unit of 3 places started in year 1 with a lead of ``lead`` months: by the census rule its places count
    from the first census date after it opens (year 2 for 8 months); by the share rule for the share of year 1
    after it opens (a third of a year: 1 place). Running costs are paid for the months open either way."""
    region = toy(children=10, held=(0, 0), places=(4, 0))
    opts = pd.DataFrame([option(lead_time_months=lead, max_units=1)])
    plan = sufficiency_plan(
        region, opts, forecast_from_region(region, years=2), params=SufficiencyParams(solver=EXACT, lead_time_rule=rule)
    )
    new = plan.placements[plan.placements.new_capacity].groupby("year").children.sum().reindex([1, 2], fill_value=0)
    assert plan.builds.year_started.tolist() == [1]
    assert new.tolist() == [year1_new, 3]
    running = plan.costs.running_gbp.to_numpy()
    np.testing.assert_allclose(running, [120_000.0 * (12 - min(lead, 12)) / 12, 120_000.0])


def test_lead_time_rule_is_checked():
    with pytest.raises(rcc.InvalidInputError, match="lead_time_rule"):
        SufficiencyParams(lead_time_rule="years")


def test_survivors_above_a_shrinking_forecast_count_as_leavers_and_never_return():
    region = toy(children=8, held=(4, 4), places=(4, 6))
    fc = forecast_from_region(region, years=3).assign(children=[8, 2, 6])  # fewer children than survivors in year 2
    plan = sufficiency_plan(region, None, fc, params=SufficiencyParams(solver=EXACT))
    held = plan.placements[plan.placements.held > 0].groupby("year").children.sum().reindex([1, 2, 3], fill_value=0)
    assert held[1] == 8 and held[2] <= 2 and held[3] <= held[2]
    assert "above their cohort's forecast counted as leavers" in plan.info.note
    demand = fc.set_index("year").children
    placed = plan.placements.groupby("year").children.sum().reindex(demand.index, fill_value=0)
    unmet = plan.shortfall.groupby("year").children.sum().reindex(demand.index, fill_value=0)
    assert (placed + unmet).tolist() == demand.tolist()


def test_remainder_of_a_group_cohort_is_placed_together_in_the_model():
    """Groups of 3 siblings; 1 of the 9 children is held today: the 8 others are two groups of 3 and a remainder
    of 2, which the model places as a group of its own (the plan's status covers it, never one by one after it)."""
    region = toy(children=9, held=(1, 0), places=(5, 6))
    fc = forecast_from_region(region, years=1).assign(group_size=3)
    params = SufficiencyParams(years=1, solver=EXACT, seed_radius_miles=None)
    prep = prepare_inputs(region, None, fc, None, params, hold=region)
    d = prep.data
    assert d.group_size.tolist() == [3, 2] and d.demand[:, 0].tolist() == [6.0, 2.0]  # the remainder: a cohort of its own
    assert d.held.cohort_of.tolist() == [0] and len(prep.edges) == len(d.e_cohort)
    assert (prep.edges.cohort.to_numpy() == 0).all() and (d.e_cohort == 1).sum() == (d.e_cohort == 0).sum()
    folded, unmet = ungroup_remainders(d, np.zeros((2, 1)))
    assert folded.total_demand()[:, 0].tolist() == [9.0] and unmet.shape == (1, 1)
    plan = sufficiency_plan(region, None, fc, params=params)
    assert plan.status is rcc.PlanStatus.OPTIMAL and "as groups of their own" in plan.info.note
    new = plan.placements[plan.placements.held == 0]
    assert new.children.sum() + plan.shortfall.children.sum() == 8
    assert set(new.children) <= {2, 3, 5, 6, 8}  # whole groups of 3 and the pair together, never a child alone


def test_exit_scale_makes_englands_published_ceases():
    """The scaled hazard's year: stock leavers + starters who leave = DfE's ceased (34,450), and the stock's
    expected survivors after 12 months, month by month in a plain loop, are 1 - L_stock."""
    k = exit_scale()
    stock, start = leaving_shares(k)
    f = ENGLAND_LEAVERS
    assert f["stock"] * stock + f["starts"] * start == pytest.approx(f["ceased"], rel=1e-5)
    hazard = default_exit_hazard()
    weight = {a: n / (hi - lo + 1) for (lo, hi), n in ENGLAND_AGES.items() for a in range(lo, hi + 1)}
    survivors = 0.0
    for age, w in weight.items():
        alive, months = 1.0, HELD_MONTHS_IN_CARE
        for month in range(12):
            bucket = sum(months + month >= edge for edge in (0, 6, 12, 24, 48)) - 1
            alive *= 1.0 - min(1.0, k * hazard[bucket, min((12 * age + 6 + month) // 12, 17)])
        survivors += w * alive * (12 * age + 6 + 12 < 18 * 12)
    assert survivors / sum(weight.values()) == pytest.approx(1.0 - stock, rel=1e-9)
    assert 0.2 < stock < start < 0.45  # about a quarter of the stock leaves in a year; more of the starters
    assert survival("5-10", np.array([12]))[0] == pytest.approx(
        np.mean([np.prod([1 - k * hazard[3, (12 * a + 6 + m) // 12] for m in range(12)]) for a in range(5, 11)]), rel=1e-9
    )
