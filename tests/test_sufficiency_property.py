"""Invariants of the sufficiency plan on small random cases drawn by rcc's public strategies (Hypothesis)."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rcc
from rcc.sufficiency import SufficiencyParams, sufficiency_plan
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.model import build_sufficiency
from rcc.testing import strategies as rst

EXACT = rcc.SolverOptions(mip_gap=1e-9, time_limit_s=60)
NEEDS = ("mainstream", "complex")

#: Regions, options and forecasts from rcc's public strategies (rcc.testing.strategies).
REGIONS = rst.regions(max_councils=3, needs=NEEDS, max_homes=4, max_cohorts=4, max_places=6, max_children=8)
CASES = rst.sufficiency_cases(needs=NEEDS, years=(1, 3), with_budgets=False, with_closures=False)


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(REGIONS)
def test_one_year_without_options_equals_rcc_plan(region):
    suff = sufficiency_plan(region, None, None, params=SufficiencyParams(years=1, solver=EXACT))
    plan = rcc.plan(region, rcc.PlanParams(solver=EXACT))
    assert suff.status is rcc.PlanStatus.OPTIMAL
    assert suff.objective == pytest.approx(plan.objective, rel=1e-7, abs=1e-6)
    assert suff.metrics_by_year.loc[1, "unmet"] == plan.metrics["unmet"]


@SETTINGS
@given(CASES, st.integers(0, 3_000_000), st.integers(1, 2_000_000))
def test_more_budget_never_worsens_the_objective(case, capital, extra):
    region, options, fc = case.region, case.options, case.forecast
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
@given(CASES)
def test_placed_plus_unmet_is_demand_and_places_are_never_exceeded(case):
    region, options, fc = case.region, case.options, case.forecast
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
@given(CASES, st.sampled_from([0.0, 5.0, 15.0]), st.integers(0, 3_000_000))
def test_priced_plan_bound_never_exceeds_the_exact_optimum(case, radius, capital):
    """Edge pricing (any radius, partial rounds, Lagrangian stop, LP rounding and
    neighbourhood) reports a bound no higher than the whole model's optimum and a
    plan no better than it, within its gap tolerance."""
    region, options, fc = case.region, case.options, case.forecast
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
class Optimum(NamedTuple):
    """The whole model's status (``optimal``, ``infeasible`` or PuLP's code) and objective."""

    status: str
    objective: float | None


def whole_model_optimum(region, options, forecast, budgets, params, closures=None) -> Optimum:
    """The whole model's optimum solved directly by HiGHS through PuLP: every edge,
    every placement integer as the params say, no pricing, no heuristics, no
    merged homes, gap 1e-9. PuLP 3's solve returns the status code, PuLP 4's a
    record holding it (-7, the gap limit met, is an optimum within the gap)."""
    prep = prepare_inputs(region, options, forecast, budgets, params.evolve(seed_radius_miles=None), closures)
    problem = build_sufficiency(prep.data, list(prep.options.option_id)).problem
    result = problem.solve(pulp.HiGHS(msg=False, timeLimit=60, gapRel=1e-9))
    code = int(getattr(result, "status", result))
    status = {1: "optimal", -7: "optimal", -1: "infeasible"}.get(code, f"pulp status {code}")
    return Optimum(status, float(pulp.value(problem.objective)) if status == "optimal" else None)


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
    """A whole sufficiency case from rcc.testing.strategies (sometimes budgets and a
    closable home) and params: a provider-group cap, a pricing radius, a gap."""
    case = draw(rst.sufficiency_cases(needs=NEEDS, years=(1, 2), max_cohorts=3, max_places=4, max_children=6))
    params = SufficiencyParams(
        max_provider_group_share=draw(st.sampled_from([None, 0.5, 0.7])),
        seed_radius_miles=draw(st.sampled_from([None, 0.0, 5.0])),
        solver=rcc.SolverOptions(mip_gap=draw(st.sampled_from([1e-8, 1e-4])), time_limit_s=60),
    )
    return case, params


@SETTINGS
@given(status_cases())
def test_optimal_means_the_whole_models_optimum_and_placed_plus_unmet_is_demand(case):
    """Whatever the status, every forecast child is placed or reported; status
    optimal means the objective is the whole model's optimum within the gap
    (heuristics, pricing and repair may only supply incumbents)."""
    case, params = case
    plan = sufficiency_plan(case.region, case.options, case.forecast, case.budgets, params=params, closures=case.closures)
    assert plan.status in (rcc.PlanStatus.OPTIMAL, rcc.PlanStatus.TIME_LIMIT, rcc.PlanStatus.INFEASIBLE)
    assert_placed_plus_unmet_is_demand(plan, case.forecast)
    status, opt = whole_model_optimum(case.region, case.options, case.forecast, case.budgets, params, case.closures)
    if plan.status is rcc.PlanStatus.INFEASIBLE:
        assert status == "infeasible"
        return
    assert status == "optimal"
    assert plan.status is rcc.PlanStatus.OPTIMAL  # 60 s for a tiny model: the clock never runs out
    tol = params.solver.mip_gap
    slack = 1e-9 * max(1.0, abs(opt))
    assert opt - slack <= plan.objective <= opt + tol * abs(plan.objective) + slack
    assert plan.info.bound <= opt + slack and plan.info.gap <= tol + 1e-9
