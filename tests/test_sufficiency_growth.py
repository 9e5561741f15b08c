"""Warm-started pricing: edges added in place to one HiGHS model (rcc.sufficiency.growth) give the
LP a cold rebuild over the same edges gives: the same optimum, the same rows and columns."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import rcc
from rcc.core.errors import SolverError
from rcc.sufficiency import SufficiencyParams, default_options, forecast_from_region
from rcc.sufficiency.arrays import ArrayProblem
from rcc.sufficiency.dive import dive_units
from rcc.sufficiency.growth import add_edges, can_grow, localise, recast
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.model import build_sufficiency, reduced_costs
from rcc.sufficiency.pricing import price_edges
from rcc.sufficiency.runtime import Run, globalise, subset_data
from rcc.testing import strategies as rst

NEEDS = ("mainstream", "complex")
CASES = rst.sufficiency_cases(needs=NEEDS, years=(1, 3), max_cohorts=4, max_places=4, max_children=6)


def _solve(model):
    out = model.problem.solve(msg=False, time_limit=60, gap=1e-9, threads=None)
    assert out.status == "optimal"
    return float(out.objective)


def _cold(data, idx, labels):
    """The LP built afresh over the edges ``idx`` (edges global), and its optimum."""
    model = globalise(build_sufficiency(subset_data(data, idx), labels, relaxed=True, in_arrays=True), data, idx)
    return model, _solve(model)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES, st.sampled_from([None, 0.5]), st.integers(0, 2**31 - 1))
def test_edges_added_in_place_give_the_cold_lp(case, max_share, seed):
    params = SufficiencyParams(max_provider_group_share=max_share, seed_radius_miles=None)
    prep = prepare_inputs(case.region, case.options, case.forecast, case.budgets, params, case.closures)
    data, labels = prep.data, list(prep.options.option_id)
    n = len(data.e_cohort)
    rng = np.random.default_rng(seed)
    step = rng.integers(0, 3, size=n)  # round in which each edge enters: seed, second, third
    grown, _ = _cold(data, np.flatnonzero(step == 0), labels)
    assert can_grow(grown)
    for k in (1, 2):
        grown = add_edges(grown, data, np.flatnonzero(step == k))
        warm = _solve(grown)  # warm: HiGHS gets only the new columns and rows
        idx = np.flatnonzero(step <= k)
        cold, objective = _cold(data, idx, labels)
        assert warm == pytest.approx(objective, rel=1e-7, abs=1e-6)
        assert grown.n_variables == cold.n_variables and grown.n_constraints == cold.n_constraints
        assert set(grown.blocks) == set(cold.blocks)
        for name, block in cold.blocks.items():
            assert len(grown.blocks[name].rows) == len(block.rows), name
        # duals of every row read back: a home edge-year's reduced cost is >= 0 (the LP is optimal over
        # its edges; an option edge's own linking row is left out of reduced costs by design)
        ie, iy = np.nonzero(data.edge_years()[idx])
        home = data.site_option[data.e_site[idx[ie]]] < 0
        assert (reduced_costs(grown, data, idx[ie[home]], iy[home]) >= -1e-6).all()
    if len(grown.ey_edge):
        with pytest.raises(SolverError, match="already in the LP"):
            add_edges(grown, data, grown.ey_edge[:1])
    local = localise(grown, data, np.flatnonzero(step <= 2))
    fresh = build_sufficiency(local.data, labels, relaxed=True, in_arrays=True)
    np.testing.assert_array_equal(local.ey_edge, fresh.ey_edge)
    np.testing.assert_array_equal(local.ey_year, fresh.ey_year)
    # the localised model's columns are the fresh build's: the same cost and bounds, position by position
    at = np.array([v.j for v in local.v], dtype=np.int64)
    fresh_at = np.array([v.j for v in fresh.v], dtype=np.int64)
    np.testing.assert_allclose(local.problem.cost[at], fresh.problem.cost[fresh_at])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES, st.sampled_from([None, 0.5]), st.sampled_from([{}, {"lazy": True}, {"units_only": True}]))
def test_recast_lp_is_the_built_model(case, max_share, kind):
    """The pricing LP recast with other integrality (no second build) is the model built with those flags:
    the same size, integer columns and MILP optimum; the LP keeps its own."""
    params = SufficiencyParams(max_provider_group_share=max_share, seed_radius_miles=None)
    prep = prepare_inputs(case.region, case.options, case.forecast, case.budgets, params, case.closures)
    data, labels = prep.data, list(prep.options.option_id)
    idx = np.arange(len(data.e_cohort))
    half = idx[::2]
    lp = add_edges(_cold(data, half, labels)[0], data, np.setdiff1d(idx, half))  # grown, columns out of order
    lp = localise(lp, data, idx)
    before = _solve(lp)
    model = recast(lp, **kind)
    built = build_sufficiency(lp.data, labels, in_arrays=True, **kind)
    assert model is not None and model.problem is not lp.problem
    assert (model.n_variables, model.n_constraints) == (built.n_variables, built.n_constraints)
    for mine, theirs in ((model.v, built.v), (model.n, built.n), (model.z, built.z), (model.u, built.u)):
        at = np.array([x.j for x in mine], dtype=np.int64)
        fresh_at = np.array([x.j for x in theirs], dtype=np.int64)
        np.testing.assert_array_equal(model.problem.integer[at], built.problem.integer[fresh_at])
        np.testing.assert_allclose(model.problem.cost[at], built.problem.cost[fresh_at])
    assert _solve(model) == pytest.approx(_solve(built), rel=1e-6, abs=1e-6)
    assert [r.family for r in model.hard] == [r.family for r in built.hard]
    assert all(r.handle.p is model.problem and all(x.p is model.problem for x in r.variables) for r in model.hard)
    assert not lp.problem.integer.any() and _solve(lp) == pytest.approx(before, rel=1e-9, abs=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_dive_gives_whole_units_above_the_lp(case):
    """The dive's plan has whole units and closures, costs no less than the LP and no less than the best such
    plan (the units MILP); the LP's bounds, values and duals are restored."""
    params = SufficiencyParams(seed_radius_miles=None)
    prep = prepare_inputs(case.region, case.options, case.forecast, case.budgets, params, case.closures)
    data, labels = prep.data, list(prep.options.option_id)
    lp = build_sufficiency(data, labels, relaxed=True, in_arrays=True)
    assume(lp.problem.n_cols > 0)  # HiGHS gets no empty model (ArrayProblem.solve answers it alone)
    objective = _solve(lp)
    saved = lp.problem.lb.copy(), lp.problem.ub.copy(), lp.problem.x.copy()
    out = dive_units(lp, Run(params, time.perf_counter()))
    np.testing.assert_array_equal(lp.problem.lb, saved[0])
    np.testing.assert_array_equal(lp.problem.ub, saved[1])
    np.testing.assert_array_equal(lp.problem.x, saved[2])
    assert out is not None  # unmet children are always allowed: every step has an optimum
    x, outcome = out
    nz = np.array([c.j for c in list(lp.n) + list(lp.z)], dtype=np.int64)
    np.testing.assert_allclose(x[nz], np.round(x[nz]), atol=1e-6)
    assert float(lp.problem.cost @ x) == pytest.approx(float(outcome.objective), rel=1e-7, abs=1e-6)
    units = build_sufficiency(data, labels, units_only=True, in_arrays=True)
    assert objective - 1e-6 <= _solve(units) + 1e-6 * abs(objective) and _solve(units) <= float(outcome.objective) + 1e-6 * max(1.0, abs(objective))


@pytest.fixture(scope="module")
def gm_pricing():
    region = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(region, years=3, growth_by_need={"complex": 0.3, "supported_16plus": 0.3}, group_size={"sibling_group": 2})
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [1_500_000.0]})
    params = SufficiencyParams(years=3, max_provider_group_share=0.3)
    prep = prepare_inputs(region, default_options(region), fc, budgets, params)
    return prep, price_edges(prep, list(prep.options.option_id), Run(params, time.perf_counter()))


def test_warm_started_pricing_reaches_the_cold_lp_objective(gm_pricing):
    prep, pricing = gm_pricing
    assert pricing.rounds >= 2  # edges were added in place at least once
    lp = pricing.lp
    assert isinstance(lp.problem, ArrayProblem)
    warm = float(lp.problem.cost @ np.nan_to_num(lp.problem.x))
    labels = list(prep.options.option_id)
    cold = build_sufficiency(lp.data, labels, relaxed=True, in_arrays=True)
    assert warm == pytest.approx(_solve(cold), rel=1e-7)
    assert lp.n_constraints == cold.n_constraints and lp.n_variables == cold.n_variables
    # the bound pricing returns is below that LP, and valid: no better than the LP over every edge
    everything = build_sufficiency(prep.data, labels, relaxed=True, in_arrays=True)
    assert pricing.bound <= warm + 1e-6
    assert pricing.bound <= _solve(everything) * (1 + 1e-9)
