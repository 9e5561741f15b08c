"""The large-model machinery of the sufficiency solver: partial pricing with a
Lagrangian bound, and the search near the LP relaxation."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.sufficiency import (
    SufficiencyParams,
    default_options,
    forecast_from_region,
    heuristics,
    pricing,
    rounding,
    search,
    sufficiency_plan,
)
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.model import reduced_costs
from rcc.sufficiency.runtime import Run, subset_data

CAPITAL = 1_200_000.0  # binds: some LP units are fractional (1.5m stopped binding when the census changed, 2026-12-03)


@pytest.fixture(scope="module")
def gm_case():
    """Greater Manchester, 2 years of strong growth, a binding capital budget,
    and the exact optimum of the whole model (every edge built)."""
    region = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(region, years=2, growth_by_need={"complex": 0.3, "mainstream": 0.05, "supported_16plus": 0.3}, group_size={"sibling_group": 2})
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [CAPITAL]})
    opts = default_options(region)
    exact = sufficiency_plan(
        region, opts, fc, budgets, SufficiencyParams(seed_radius_miles=None, solver=rcc.SolverOptions(mip_gap=1e-7, time_limit_s=120))
    )
    assert exact.status is rcc.PlanStatus.OPTIMAL
    return region, fc, budgets, opts, exact


@pytest.fixture(scope="module")
def gm_prep(gm_case):
    region, fc, budgets, opts, _ = gm_case
    params = SufficiencyParams(years=2, solver=rcc.SolverOptions(mip_gap=1e-7, time_limit_s=120))
    prep = prepare_inputs(region, opts, fc, budgets, params)
    return prep, params, Run(params, time.perf_counter())


def assert_whole_plan(plan, fc, exact):
    """A plan of the whole model: its bound below the optimum, its objective not
    better, every forecast child placed or reported, the budget kept."""
    assert plan.info.bound is not None and plan.info.bound <= exact.objective * (1 + 1e-7)
    assert plan.objective >= exact.objective * (1 - 1e-7)
    demand = fc.groupby("year").children.sum()
    placed = plan.placements.groupby("year").children.sum()
    unmet = plan.shortfall.groupby("year").children.sum().reindex(demand.index, fill_value=0)
    np.testing.assert_array_equal((placed + unmet).to_numpy(), demand.to_numpy())
    assert plan.costs.capital_gbp.sum() <= CAPITAL + 1e-6


def test_lagrangian_bound_is_below_the_lp_over_all_edges(gm_prep):
    prep, params, run = gm_prep
    data, labels = prep.data, list(prep.options.option_id)
    full = run.build(data, labels, relaxed=True)
    full_obj = float(run.solve(full).objective)
    active = pricing.seed_edges(prep, 2.0, params)
    assert not active.all()
    bounds = []
    for _ in range(30):
        lp = run.build(subset_data(data, np.flatnonzero(active)), labels, relaxed=True)
        obj = float(run.solve(lp).objective)
        ie, iy = np.nonzero(data.edge_years() & ~active[:, None])
        rc = reduced_costs(lp, data, ie, iy)
        bound = pricing.lagrangian_bound(data, obj, ie, iy, rc)
        assert bound <= full_obj * (1 + 1e-9) + 1e-6 <= obj * (1 + 1e-9) + 2e-6
        bounds.append(bound)
        entering = pricing.entering_edges(data, ie, rc, 3, enter_all=0)
        if not len(entering):
            break
        assert len(entering) <= 3 * data.n_cohorts and not active[entering].any()
        active[entering] = True
    else:  # pragma: no cover
        pytest.fail("pricing did not converge in 30 rounds")
    # converged: no negative reduced cost, the bound is the restricted LP's value, equal to the full LP
    assert bounds[-1] == pytest.approx(full_obj, rel=1e-7)
    assert len(bounds) > 1 and bounds[0] < bounds[-1]


def test_entering_takes_the_most_negative_per_cohort():
    class D:  # only e_cohort is read
        e_cohort = np.array([0, 0, 0, 1, 1])

    edge = np.array([0, 0, 1, 2, 3, 4, 4])
    rc = np.array([-1.0, -5.0, -2.0, 3.0, -0.5, -0.1, -4.0])
    assert sorted(pricing.entering_edges(D, edge, rc, 1, enter_all=0).tolist()) == [0, 4]  # edge 0 (-5), edge 4 (-4)
    assert sorted(pricing.entering_edges(D, edge, rc, 2, enter_all=0).tolist()) == [0, 1, 3, 4]
    assert len(pricing.entering_edges(D, edge, np.abs(rc), 2, enter_all=0)) == 0
    # few edges price out (at most enter_all): every one enters, whatever the number per cohort
    assert sorted(pricing.entering_edges(D, edge, rc, 1, enter_all=4).tolist()) == [0, 1, 3, 4]
    assert sorted(pricing.entering_edges(D, edge, rc, 1, enter_all=3).tolist()) == [0, 4]
    assert len(pricing.entering_edges(D, edge, np.abs(rc), 1)) == 0


def test_lp_neighbourhood_rounds_within_floor_and_ceiling_and_restores_bounds(gm_prep):
    prep, params, run = gm_prep
    data, labels = prep.data, list(prep.options.option_id)
    lp = run.build(data, labels, relaxed=True)
    lp_out = run.solve(lp)
    n_lp = np.array([v.varValue for v in lp.n], dtype=float)
    assert (np.abs(n_lp - np.round(n_lp)) > 1e-6).any(), "the budget should leave some LP units fractional"
    model = run.build(data, labels, lazy=True)
    before = [(v.lowBound, v.upBound) for v in list(model.n) + list(model.z)]
    out = heuristics.lp_neighbourhood(model, lp, run, warm_start=False)
    assert out is not None and out.has_solution
    n = np.array([v.varValue for v in model.n], dtype=float)
    assert (n >= np.floor(n_lp + 1e-6) - 1e-9).all() and (n <= np.ceil(n_lp - 1e-6) + 1e-9).all()
    assert float(out.objective) >= float(lp_out.objective) * (1 - 1e-9)
    assert [(v.lowBound, v.upBound) for v in list(model.n) + list(model.z)] == before


def test_gm_plan_gap_is_against_a_bound_no_better_than_the_full_milp(gm_case):
    region, fc, budgets, opts, exact = gm_case
    priced = sufficiency_plan(region, opts, fc, budgets, SufficiencyParams(solver=rcc.SolverOptions(mip_gap=1e-3), seed_radius_miles=2.0))
    assert_whole_plan(priced, fc, exact)
    assert priced.objective <= exact.objective * (1 + 1e-3) + 1e-6


def test_out_of_time_keeps_the_heuristic_plan_with_a_global_bound(gm_case, monkeypatch):
    """When time runs out after rounding and the LP neighbourhood, the plan is
    theirs (consistent tables), the status says time limit and the bound is
    the Lagrangian one, below the exact optimum."""
    region, fc, budgets, opts, exact = gm_case
    monkeypatch.setattr(Run, "out_of_time", lambda self, share=1.0: True)
    monkeypatch.setattr(search, "within_gap", lambda ub, lb, tol: False)
    monkeypatch.setattr(heuristics, "within_gap", lambda ub, lb, tol: False)
    plan = sufficiency_plan(region, opts, fc, budgets, SufficiencyParams(seed_radius_miles=2.0))
    assert plan.status is rcc.PlanStatus.TIME_LIMIT
    assert plan.info.gap == pytest.approx((plan.objective - plan.info.bound) / plan.objective, rel=1e-6)
    assert_whole_plan(plan, fc, exact)


def test_pricing_stopped_early_by_time_keeps_a_valid_bound(gm_case, monkeypatch):
    """Pricing may use only part of the time limit; stopped after its first LP,
    the plan is still a plan of the whole model and its bound is below the optimum."""
    region, fc, budgets, opts, exact = gm_case
    real = Run.out_of_time
    monkeypatch.setattr(Run, "out_of_time", lambda self, share=1.0: share < 1.0 or real(self, share))
    plan = sufficiency_plan(region, opts, fc, budgets, SufficiencyParams(seed_radius_miles=2.0))
    assert "1 pricing round(s)" in plan.info.note
    assert_whole_plan(plan, fc, exact)


def test_groups_rounded_whole_then_single_children_by_lp(gm_prep):
    """After the units search (every placement continuous), the rounding MIP makes every sibling
    group whole within each site-year's places, keeping each cohort-year's whole groups; the LP over
    the single children then gives a plan no better than the units plan (a relaxation of it), and
    the pricing LP it ran on keeps its values, duals and bounds (pricing reads them later)."""
    prep, params, run = gm_prep
    data, labels = prep.data, list(prep.options.option_id)
    idx = np.arange(len(data.e_cohort))
    lp = run.build(data, labels, relaxed=True)
    run.solve(lp)
    units = run.build(data, labels, units_only=True)
    chosen = heuristics.lp_neighbourhood(units, lp, run, warm_start=False)
    v = np.array([x.varValue for x in units.v])
    m = data.group_size[data.e_cohort[units.ey_edge]]
    frac = (m > 1) & (np.abs(v - np.round(v)) > 1e-6)
    assert frac.any(), "the binding budget should leave a sibling group in parts"
    n_fix = np.round([x.varValue for x in units.n])
    z_fix = np.round([x.varValue for x in units.z])
    groups = rounding.round_groups(data, units, v, n_fix, z_fix, run)
    assert groups is not None
    g = m > 1
    Y = data.n_years
    cy = data.e_cohort[units.ey_edge] * Y + units.ey_year
    sy = data.e_site[units.ey_edge] * Y + units.ey_year
    assert np.array_equal(groups[g], np.round(groups[g]))
    kept = g & ~np.isin(cy, cy[frac])  # cohort-years without a fractional group keep their groups
    assert kept.any() and np.array_equal(groups[kept], np.round(v[kept]))
    before = pd.Series(v[g]).groupby(cy[g]).sum()
    after = pd.Series(groups[g]).groupby(cy[g]).sum()
    np.testing.assert_array_equal(after.to_numpy(), np.floor(before.to_numpy() + 1e-6))
    room = rounding.group_room(data, units, n_fix, z_fix)
    load = np.bincount(sy[g], weights=(m * groups)[g], minlength=len(room))
    assert (load <= room + 1e-9).all()
    model = run.build(data, labels, lazy=True)
    saved = lp.problem.x.copy(), lp.problem.duals.copy(), lp.problem.lb.copy(), lp.problem.ub.copy()
    out = heuristics.groups_then_singles(data, units, model, lp, v, n_fix, z_fix, run, float(chosen.objective))
    assert out is not None and out.status == "optimal"
    assert float(out.objective) >= float(chosen.objective) * (1 - 1e-9)
    plan = heuristics.snapshot(model, idx, float(out.objective), "test")
    pm = data.group_size[data.e_cohort[plan.key // Y]]
    assert np.array_equal(plan.v[pm > 1], groups[g])
    for a, b in zip(saved, (lp.problem.x, lp.problem.duals, lp.problem.lb, lp.problem.ub)):
        np.testing.assert_array_equal(a, b)
    # every single child's placement free (the second try): a relaxation of the first LP, still above the units plan
    shut = rounding.placements_lp(lp, v, n_fix, z_fix, groups, run)
    lp.problem.lb, lp.problem.ub, lp.problem.duals = saved[2].copy(), saved[3].copy(), saved[1].copy()
    free = rounding.placements_lp(lp, v, n_fix, z_fix, groups, run, free_all=True)
    assert shut.status == free.status == "optimal"
    assert float(chosen.objective) * (1 - 1e-9) <= float(free.objective) <= float(shut.objective) * (1 + 1e-9)


@pytest.fixture(scope="module")
def gm_step_downs():
    """Greater Manchester, 2 years, today's children held and free to step down: the model with single
    children's placements continuous (lazy) splits some children, so its plan must be made whole."""
    from rcc.sufficiency import EXAMPLE_GROWTH
    from rcc.sufficiency.merging import merge_homes

    region = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(region, years=2, growth_by_need=EXAMPLE_GROWTH, group_size={"sibling_group": 2})
    params = SufficiencyParams(years=2, step_downs=True, solver=rcc.SolverOptions(mip_gap=1e-3, time_limit_s=120))
    opts, budgets = default_options(region), pd.DataFrame({"scope": ["total"], "capital_gbp": [1e7]})
    merged, home_class = merge_homes(region, opts, fc, None, None, params)
    prep = prepare_inputs(merged, opts, fc, budgets, params, None, None, region, home_class)
    return prep.data, list(prep.options.option_id), Run(params, time.perf_counter())


def test_whole_children_repair_settles_the_fractional_ones_on_the_lazy_plans_support(gm_step_downs, monkeypatch):
    """Making a lazy plan whole: given the lazy objective, the repair first holds at zero every placement
    and step-down the lazy plan leaves at zero, and keeps that plan when it is within the gap tolerance
    of the lazy objective; otherwise (or without the objective) every placement is free. Each is a whole
    plan with the lazy plan's units, not below the lazy model's bound, and the bounds are as built afterwards."""
    data, labels, run = gm_step_downs
    lazy = run.build(data, labels, lazy=True)
    lazy_out = run.solve(lazy)
    assert lazy_out.status == "optimal" and heuristics.fractional(lazy), "the lazy plan should split a child"
    lazy_obj = float(lazy_out.objective)
    zero = np.abs(np.r_[[x.varValue or 0.0 for x in lazy.v], [x.varValue or 0.0 for x in lazy.w]]) <= 1e-9
    n_lazy = np.round([x.varValue for x in lazy.n])
    solves = []
    real_solve = Run.solve
    monkeypatch.setattr(Run, "solve", lambda self, *a, **k: solves.append(1) or real_solve(self, *a, **k))
    full_model, full = heuristics.repair_whole(data, labels, lazy, run)
    assert len(solves) == 1
    kept_model, kept = heuristics.repair_whole(data, labels, lazy, run, lazy_obj)
    assert len(solves) == 2  # the support's plan kept: no second solve
    for model, out in ((full_model, full), (kept_model, kept)):
        assert out.has_solution and not heuristics.fractional(model)
        # a restriction of the lazy model (its units fixed, every child whole): never below its bound
        assert float(out.objective) >= float(lazy_out.bound) - 1e-9 * abs(lazy_obj)
        np.testing.assert_array_equal([x.varValue for x in model.n], n_lazy)
    assert heuristics.within_gap(float(kept.objective), lazy_obj, run.gap_tolerance())
    kept_values = np.r_[[x.varValue for x in kept_model.v], [x.varValue for x in kept_model.w]]
    assert (kept_values[zero] == 0).all()  # only where the lazy plan placed or moved children
    fresh = run.build(data, labels)
    for got, built in ((kept_model.v, fresh.v), (kept_model.w, fresh.w)):
        assert [x.upBound for x in got] == [x.upBound for x in built]
    # a lazy objective the support cannot come near: every placement freed, as the full repair
    freed_model, freed = heuristics.repair_whole(data, labels, lazy, run, lazy_obj - abs(lazy_obj))
    assert len(solves) == 4  # on the support, then every placement freed
    assert not heuristics.fractional(freed_model)
    assert float(freed.objective) <= float(kept.objective) + 1e-9 * abs(lazy_obj)
    assert heuristics.within_gap(float(freed.objective), float(full.objective), run.gap_tolerance())


def test_a_model_recast_from_the_pricing_lp_has_its_own_step_downs(gm_step_downs):
    """The heuristics' models are recast from the pricing LP (one HiGHS model, other integrality): every column,
    the step-downs' included, is the new model's, so its plan's step-downs are its own, not the LP's values."""
    data, labels, run = gm_step_downs
    lp = run.build(data, labels, relaxed=True)
    run.solve(lp)
    lazy = heuristics.like_lp(lp, data, labels, run, lazy=True)
    assert len(lazy.w) > 0 and lazy.problem is not lp.problem
    for name in ("v", "u", "n", "z", "w"):
        assert all(x.p is lazy.problem for x in getattr(lazy, name)), name
    out = run.solve(lazy)
    assert out.has_solution
    built = run.build(data, labels, lazy=True)  # the same model built afresh: the same optimum
    assert len(built.w) == len(lazy.w)
    assert float(out.objective) == pytest.approx(float(run.solve(built).objective), rel=1e-3)
    np.testing.assert_array_equal(np.array([x.varValue for x in lazy.w]), lazy.problem.x[[x.j for x in lazy.w]])
