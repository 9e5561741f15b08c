"""Invariants of the sufficiency plan on small random regions (Hypothesis)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rcc
from rcc.sufficiency import SufficiencyParams, forecast_from_region, sufficiency_plan

EXACT = rcc.SolverOptions(mip_gap=1e-9, time_limit_s=60)
NEEDS = ["mainstream", "complex"]
HOME_TYPE = {"mainstream": "in_house_fostering", "complex": "childrens_home"}


@st.composite
def small_cases(draw: st.DrawFn) -> tuple[rcc.Region, pd.DataFrame]:
    n_c = draw(st.integers(1, 3))
    ids = [f"C{i}" for i in range(n_c)]
    councils = pd.DataFrame(
        {
            "council_id": ids,
            "name": ids,
            "region": "R",
            "lat": [53.0 + draw(st.floats(0, 0.6)) for _ in ids],
            "lon": [-2.0 + draw(st.floats(0, 0.6)) for _ in ids],
            "area_km2": [draw(st.floats(20, 300)) for _ in ids],
        }
    )
    n_h = draw(st.integers(1, 4))
    h_need = [draw(st.sampled_from(NEEDS)) for _ in range(n_h)]
    homes = pd.DataFrame(
        {
            "home_id": [f"h{i}" for i in range(n_h)],
            "council_id": [draw(st.sampled_from(ids)) for _ in range(n_h)],
            "provider_id": [draw(st.sampled_from(["p1", "p2"])) for _ in range(n_h)],
            "home_type": [HOME_TYPE[n] for n in h_need],
            "places": [draw(st.integers(0, 6)) for _ in range(n_h)],
            "needs": h_need,
            "weekly_cost_gbp": [float(draw(st.integers(400, 6000))) for _ in range(n_h)],
        }
    )
    n_k = draw(st.integers(1, 4))
    cohorts = pd.DataFrame(
        {
            "cohort_id": [f"k{i}" for i in range(n_k)],
            "council_id": [draw(st.sampled_from(ids)) for _ in range(n_k)],
            "need": [draw(st.sampled_from(NEEDS)) for _ in range(n_k)],
            "age_band": "11-15",
            "children": [draw(st.integers(0, 8)) for _ in range(n_k)],
        }
    )
    region = rcc.Region.from_frames(councils, homes, cohorts, name="random")
    n_o = draw(st.integers(0, 2))
    o_need = [draw(st.sampled_from(NEEDS)) for _ in range(n_o)]
    options = pd.DataFrame(
        {
            "option_id": [f"o{i}" for i in range(n_o)],
            "council_id": [draw(st.sampled_from(ids)) for _ in range(n_o)],
            "home_type": [HOME_TYPE[n] for n in o_need],
            "needs": o_need,
            "provider_id": "LA",
            "places_per_unit": [draw(st.integers(1, 4)) for _ in range(n_o)],
            "max_units": [draw(st.integers(1, 3)) for _ in range(n_o)],
            "capital_cost_gbp": [float(draw(st.integers(0, 2_000_000))) for _ in range(n_o)],
            "annual_running_cost_gbp": [float(draw(st.integers(0, 500_000))) for _ in range(n_o)],
            "lead_time_months": [draw(st.sampled_from([0, 6, 12, 18])) for _ in range(n_o)],
        }
    )
    return region, options


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(small_cases())
def test_one_year_without_options_equals_rcc_plan(case):
    region, _ = case
    suff = sufficiency_plan(region, None, None, params=SufficiencyParams(years=1, solver=EXACT))
    plan = rcc.plan(region, rcc.PlanParams(solver=EXACT))
    assert suff.status is rcc.PlanStatus.OPTIMAL
    assert suff.objective == pytest.approx(plan.objective, rel=1e-7, abs=1e-6)
    assert suff.metrics_by_year.loc[1, "unmet"] == plan.metrics["unmet"]


@SETTINGS
@given(small_cases(), st.integers(0, 3_000_000), st.integers(1, 2_000_000))
def test_more_budget_never_worsens_the_objective(case, capital, extra):
    region, options = case
    fc = forecast_from_region(region, years=3, growth=0.2)
    params = SufficiencyParams(solver=EXACT)
    objs = []
    for limit in (capital, capital + extra):
        budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [float(limit)]})
        p = sufficiency_plan(region, options, fc, budgets, params=params)
        assert p.status is rcc.PlanStatus.OPTIMAL
        assert p.costs.capital_gbp.sum() <= limit + 1e-6
        objs.append(p.objective)
    assert objs[1] <= objs[0] + 1e-6 * max(1.0, abs(objs[0]))


@SETTINGS
@given(small_cases())
def test_placed_plus_unmet_is_demand_and_places_are_never_exceeded(case):
    region, options = case
    fc = forecast_from_region(region, years=3, growth=0.3)
    p = sufficiency_plan(region, options, fc, params=SufficiencyParams(solver=EXACT))
    demand = fc.groupby("year").children.sum()
    m = p.metrics_by_year.reindex(demand.index)
    assert (m.placed + m.unmet == demand).all()
    # existing homes: within places; new capacity: within what has arrived that year
    used = p.placements.groupby(["year", "home_id"]).children.sum().reset_index()
    places = region.homes.set_index("home_id").places
    old = used[used.home_id.isin(places.index)]
    assert (old.children.to_numpy() <= places.reindex(old.home_id).to_numpy()).all()
    for r in used[~used.home_id.isin(places.index)].itertuples():
        b = p.builds[(p.builds.option_id == r.home_id) & (p.builds.year_available <= r.year)]
        assert r.children <= b.places.sum()


@SETTINGS
@given(small_cases(), st.sampled_from([0.0, 5.0, 15.0]), st.integers(0, 3_000_000))
def test_priced_plan_bound_never_exceeds_the_exact_optimum(case, radius, capital):
    """Edge pricing (any radius, partial rounds, Lagrangian stop, LP rounding and
    neighbourhood) reports a bound no higher than the whole model's optimum and a
    plan no better than it, within its gap tolerance."""
    region, options = case
    fc = forecast_from_region(region, years=3, growth=0.3)
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [float(capital)]})
    exact = sufficiency_plan(region, options, fc, budgets, params=SufficiencyParams(solver=EXACT, seed_radius_miles=None))
    tol = 1e-3
    priced = sufficiency_plan(
        region, options, fc, budgets, params=SufficiencyParams(solver=rcc.SolverOptions(mip_gap=tol, time_limit_s=60), seed_radius_miles=radius)
    )
    assert exact.status is priced.status is rcc.PlanStatus.OPTIMAL
    slack = 1e-6 * max(1.0, abs(exact.objective))
    assert priced.info.bound <= exact.objective + slack
    assert exact.objective - slack <= priced.objective <= exact.objective + tol * abs(priced.objective) + slack


# ---------------------------------------------------------------------------- status and optimality
def whole_model_optimum(region, options, forecast, budgets, params, closures=None) -> dict:
    """The whole model's optimum solved directly: every edge, every placement
    integer as the params say, no pricing, no heuristics, no merged homes (HiGHS, gap 1e-9)."""
    from rcc.sufficiency.inputs import prepare_inputs
    from rcc.sufficiency.model import build_sufficiency
    from rcc.sufficiency.runtime import Run

    exact = params.evolve(seed_radius_miles=None, solver=rcc.SolverOptions(mip_gap=1e-9, time_limit_s=60))
    prep = prepare_inputs(region, options, forecast, budgets, exact, closures)
    model = build_sufficiency(prep.data, list(prep.options.option_id))
    return Run(exact, time.perf_counter()).solve(model)


def assert_placed_plus_unmet_is_demand(plan, forecast) -> None:
    """Per cohort and year: children placed + children without a home = forecast."""
    demand = forecast.set_index(["cohort_id", "year"]).children
    placed = plan.placements.groupby(["cohort_id", "year"]).children.sum()
    unmet = plan.shortfall.groupby(["cohort_id", "year"]).children.sum()
    total = placed.add(unmet, fill_value=0).reindex(demand.index, fill_value=0)
    assert (total.to_numpy() == demand.to_numpy()).all()
    assert set(placed.index) | set(unmet.index) <= set(demand.index)


@st.composite
def status_cases(draw: st.DrawFn):
    """A tiny region from rcc.testing.strategies, options, a forecast, and
    optionally a budget, a closable home and a provider-group cap."""
    from rcc.testing import strategies as rst

    region = draw(rst.regions(max_councils=3, max_homes=4, max_cohorts=3, max_places=4, max_children=6, needs=NEEDS))
    _, options = draw(small_cases())
    options = options.assign(council_id=region.councils.council_id.iloc[0])
    forecast = forecast_from_region(region, years=draw(st.integers(1, 2)), growth=draw(st.sampled_from([0.0, 0.3])))
    budgets = None
    kind = draw(st.sampled_from(["none", "capital", "revenue_all", "revenue_programme"]))
    limit = float(draw(st.integers(0, 4_000_000)))
    if kind == "capital":
        budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [limit]})
    elif kind != "none":
        budgets = pd.DataFrame({"scope": ["total"], "revenue_gbp": [limit], "revenue_basis": [kind.split("_")[1]]})
    closures = None
    if draw(st.booleans()):
        closures = pd.DataFrame({"home_id": [region.homes.home_id.iloc[0]], "annual_saving_gbp": [float(draw(st.integers(0, 300_000)))]})
    params = SufficiencyParams(
        max_provider_group_share=draw(st.sampled_from([None, 0.5, 0.7])),
        pricing_radius_miles=draw(st.sampled_from([None, 0.0, 5.0])),
        solver=rcc.SolverOptions(mip_gap=draw(st.sampled_from([1e-8, 1e-4])), time_limit_s=60),
    )
    return region, options, forecast, budgets, closures, params


@SETTINGS
@given(status_cases())
def test_optimal_means_the_whole_models_optimum_and_placed_plus_unmet_is_demand(case):
    """Whatever the status, every forecast child is placed or reported; status
    optimal means the objective is the whole model's optimum within the gap
    (heuristics, pricing and repair may only supply incumbents)."""
    region, options, forecast, budgets, closures, params = case
    plan = sufficiency_plan(region, options, forecast, budgets, params=params, closures=closures)
    assert plan.status in (rcc.PlanStatus.OPTIMAL, rcc.PlanStatus.TIME_LIMIT, rcc.PlanStatus.INFEASIBLE)
    assert_placed_plus_unmet_is_demand(plan, forecast)
    exact = whole_model_optimum(region, options, forecast, budgets, params, closures)
    if plan.status is rcc.PlanStatus.INFEASIBLE:
        assert exact.status == "infeasible"
        return
    assert exact.status == "optimal"
    assert plan.status is rcc.PlanStatus.OPTIMAL  # 60 s for a tiny model: the clock never runs out
    opt, tol = exact.objective, params.solver.mip_gap
    slack = 1e-9 * max(1.0, abs(opt))
    assert opt - slack <= plan.objective <= opt + tol * abs(plan.objective) + slack
    assert plan.info.bound <= opt + slack and plan.info.gap <= tol + 1e-9
