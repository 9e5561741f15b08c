"""A result is right or loudly marked: solver outcomes, held placements, shortfall reasons, settings.

The allocation optimum is checked against an LP built here independently, from the rules as the README
states them, and solved with highspy arrays (no rcc model code).
"""

from __future__ import annotations

import math

import attrs
import highspy
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import rcc
import rcc.allocation.pricing
from rcc.core.schema import AGE_BANDS
from rcc.testing import strategies as rst


# ------------------------------------------------------------------ an independent optimum
def independent_optimum(region: rcc.Region, params: rcc.PlanParams) -> float:
    """min sum W u_c + sum cost x_ch s.t. sum_h x + u = d, sum_c x <= p, held <= x <= (inf if eligible else held)."""
    cohorts, homes = region.cohorts, region.homes
    dist = region.council_distances()
    ci = pd.Index(region.councils.council_id)
    held = {(r.cohort_id, r.home_id): 0 for r in region.placements.itertuples()}
    for r in region.placements.itertuples():
        held[(r.cohort_id, r.home_id)] += int(r.children)
    w = params.weights
    cols = []  # (cohort, home, cost, lo, up)
    for c, k in enumerate(cohorts.itertuples()):
        lo_age, hi_age = AGE_BANDS[k.age_band]
        for h, hm in enumerate(homes.itertuples()):
            d = float(dist[ci.get_loc(k.council_id), ci.get_loc(hm.council_id)])
            needs = {x.strip() for x in hm.needs.split(";")}
            ok = (
                k.need in needs
                and hm.min_age <= lo_age
                and hi_age <= hm.max_age
                and hm.serves_council_id in ("", k.council_id)
                and d <= params.distance_limit(k.need)
            )
            n_held = held.get((k.cohort_id, hm.home_id), 0)
            if ok or n_held:
                cost = w.per_mile * d + w.out_of_area * (k.council_id != hm.council_id) + w.per_gbp * hm.weekly_cost_gbp
                cols.append((c, h, cost, n_held, math.inf if ok else n_held))
    n_c, n_h, n_x = len(cohorts), len(homes), len(cols)
    unmet = [w.unmet_child * w.unmet_by_need.get(n, 1.0) for n in cohorts.need]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x + n_c, n_c + n_h
    lp.col_cost_ = np.array([x[2] for x in cols] + unmet, dtype=float)
    lp.col_lower_ = np.array([x[3] for x in cols] + [0.0] * n_c, dtype=float)
    lp.col_upper_ = np.array([x[4] for x in cols] + [highspy.kHighsInf] * n_c, dtype=float)
    demand = cohorts.children.to_numpy(dtype=float)
    lp.row_lower_ = np.r_[demand, np.full(n_h, -highspy.kHighsInf)]
    lp.row_upper_ = np.r_[demand, homes.places.to_numpy(dtype=float)]
    # column-wise matrix: x_ch in rows c and n_c + h; u_c in row c
    starts, index = [0], []
    for c, h, *_ in cols:
        index += [c, n_c + h]
        starts.append(len(index))
    for c in range(n_c):
        index.append(c)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@given(rst.held_regions())
def test_optimal_means_the_whole_models_optimum(region):
    params = rcc.PlanParams()
    p = rcc.plan(region, params)
    assert p.status is rcc.PlanStatus.OPTIMAL
    assert p.objective == pytest.approx(independent_optimum(region, params), rel=1e-9, abs=1e-6)


@given(rst.held_regions())
def test_greedy_never_beats_the_optimum_and_keeps_held_children(region):
    opt = rcc.plan(region)
    greedy = rcc.plan(region, rcc.PlanParams(method="greedy"))
    assert greedy.objective >= opt.objective - 1e-6
    for plan in (opt, greedy):
        got = plan.placements.groupby(["cohort_id", "home_id"]).children.sum()
        for r in region.placements.itertuples():
            assert got.get((r.cohort_id, r.home_id), 0) >= r.children


@given(rst.held_regions(), rst.st.sampled_from(["optimise", "greedy"]))
def test_placed_plus_unmet_equals_demand_with_held_children(region, method):
    p = rcc.plan(region, rcc.PlanParams(method=method))
    total = p.placements.groupby("cohort_id").children.sum().add(
        p.shortfall.groupby("cohort_id").children.sum(), fill_value=0
    )
    assert (total.reindex(region.cohorts.cohort_id, fill_value=0).to_numpy() == region.cohorts.children.to_numpy()).all()


# ------------------------------------------------------------------ item 3: held beyond the rules
def one_council(homes_needs: str = "complex", cohort_need: str = "mainstream") -> rcc.Region:
    councils = pd.DataFrame({"council_id": ["A"], "name": ["Aton"], "region": ["R"], "lat": [53.0], "lon": [-2.0]})
    homes = pd.DataFrame(
        {"home_id": ["h1"], "council_id": ["A"], "provider_id": ["p"], "home_type": ["childrens_home"],
         "places": [4], "needs": [homes_needs], "weekly_cost_gbp": [5000.0]}
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["c1"], "council_id": ["A"], "need": [cohort_need], "age_band": ["5-10"], "children": [4]}
    )
    placements = pd.DataFrame({"placement_id": ["pl1"], "cohort_id": ["c1"], "home_id": ["h1"], "children": [1]})
    return rcc.Region.from_frames(councils, homes, cohorts, placements=placements)


@pytest.mark.parametrize("method", ["optimise", "greedy"])
def test_a_held_placement_holds_its_children_no_more(method):
    region = one_council()
    p = rcc.plan(region, rcc.PlanParams(method=method))
    assert p.placements.children.tolist() == [1]
    assert p.shortfall.children.tolist() == [3]
    assert p.shortfall.reason_code.tolist() == ["unreachable"]
    assert p.objective == pytest.approx(30_005.0)


def test_held_edge_beyond_the_rules_is_capped_in_the_edge_table():
    edges = rcc.eligible_edges(one_council())
    assert edges[["held", "cap"]].to_numpy().tolist() == [[1, 1.0]]
    eligible = rcc.eligible_edges(one_council(homes_needs="mainstream"))
    assert eligible.cap.tolist() == [math.inf]


# ------------------------------------------------------------------ item 5: reason "weights"
def test_unmet_because_of_the_weights_is_not_called_capacity():
    region = one_council(homes_needs="mainstream")  # eligible home, 3 free places
    cheap = rcc.PlanParams(weights=rcc.Weights(unmet_child=1.0))  # leaving a child unmet costs less than 5 (GBP 5,000)
    p = rcc.plan(region, cheap)
    assert p.shortfall.children.tolist() == [3]
    assert p.shortfall.reason_code.tolist() == ["weights"]
    assert "free place" in p.shortfall.reason.iloc[0]
    full = rcc.plan(region.replace(homes=region.homes.assign(places=1)), cheap)
    assert full.shortfall.reason_code.tolist() == ["capacity"]


# ------------------------------------------------------------------ item 1: HiGHS's global scheduler
@pytest.mark.parametrize("first,second", [(None, 1), (1, None), (2, 1), (1, 2)])
def test_thread_counts_can_change_between_solves_in_one_process(tiny, first, second):
    a = rcc.plan(tiny, rcc.PlanParams(solver=rcc.SolverOptions(threads=first)))
    b = rcc.plan(tiny, rcc.PlanParams(solver=rcc.SolverOptions(threads=second)))
    assert a.status is b.status is rcc.PlanStatus.OPTIMAL
    assert a.objective == pytest.approx(b.objective)
    assert b.metrics.placed == 9


def test_thread_counts_change_while_other_threads_solve(tiny):
    from concurrent.futures import ThreadPoolExecutor

    params = [rcc.PlanParams(solver=rcc.SolverOptions(threads=t)) for t in (None, 1, 2, 1, None, 2, 1, 1)]
    with ThreadPoolExecutor(4) as pool:
        plans = list(pool.map(lambda p: rcc.plan(tiny, p), params))
    assert {p.status for p in plans} == {rcc.PlanStatus.OPTIMAL}
    assert len({round(p.objective, 6) for p in plans}) == 1


# ------------------------------------------------------------------ item 2: no plan is never a plan
def test_a_time_limit_before_any_plan_raises():
    region = rcc.datasets.england("North West")
    with pytest.raises(rcc.SolverError, match="before it found any plan"):
        rcc.plan(region, rcc.PlanParams(solver=rcc.SolverOptions(time_limit_s=1e-6)))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_solver_without_a_solution_raises(tiny, monkeypatch, solver):
    from rcc.allocation.highs import HighsAllocation, LpRound
    from rcc.core import SolverOutcome

    nothing = SolverOutcome("not_solved", False)
    monkeypatch.setattr(rcc.allocation.pricing, "run_solver", lambda problem, options: (nothing, 0.0))
    monkeypatch.setattr(HighsAllocation, "solve", lambda self, left: LpRound(nothing))
    with pytest.raises(rcc.SolverError, match="no plan is reported"):
        rcc.plan(tiny, rcc.PlanParams(solver=rcc.SolverOptions(name=solver)))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_pricing_stopped_by_the_clock_is_a_marked_plan_with_a_valid_bound(monkeypatch, solver):
    # from scratch: with today's children held, the few left may all be placed in the first round (nothing to price)
    region = rcc.datasets.england("Greater Manchester RCC", today=False)
    params = rcc.PlanParams(pricing_radius_miles=0.0, solver=rcc.SolverOptions(name=solver, time_limit_s=5.0))
    full = rcc.plan(region, params.evolve(pricing_radius_miles=None, solver=rcc.SolverOptions()))
    clock = iter(np.arange(0.0, 1e6, 6.0))  # every reading 6 s after the last: each round "takes" 6 s
    monkeypatch.setattr(rcc.allocation.pricing.time, "perf_counter", lambda: float(next(clock)))
    real = rcc.allocation.pricing.run_solver
    monkeypatch.setattr(rcc.allocation.pricing, "run_solver", lambda problem, options: (real(problem, options)[0], 6.0))
    p = rcc.plan(region, params)
    assert p.status is rcc.PlanStatus.TIME_LIMIT
    assert "time limit" in p.info.note and "1 pricing round" in p.info.note
    assert p.info.bound <= full.objective + 1e-6 <= p.objective + 1e-6
    assert p.info.gap == pytest.approx((p.objective - p.info.bound) / p.objective, abs=1e-6)
    assert p.metrics.placed + p.metrics.unmet == region.cohorts.children.sum()


@given(rst.held_regions(max_councils=3, max_homes=5, max_cohorts=5))
@settings(max_examples=15)
def test_pulp_model_and_highs_arrays_give_the_same_optimum(region):
    """The PuLP model (users' view, CBC) and the array model fed to HiGHS are the same LP."""
    highs = rcc.plan(region)
    cbc = rcc.plan(region, rcc.PlanParams(solver=rcc.SolverOptions(name="cbc")))
    assert highs.status is cbc.status is rcc.PlanStatus.OPTIMAL
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------ item 6: settings and numbers
@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_limit_s": 0}, {"time_limit_s": -1}, {"time_limit_s": float("nan")}, {"time_limit_s": "10"},
        {"mip_gap": -1}, {"mip_gap": float("nan")}, {"threads": -3}, {"threads": 0}, {"threads": True},
        {"threads": 1.5},
    ],
)
def test_bad_solver_options_are_refused(kwargs):
    with pytest.raises(rcc.InvalidInputError) as err:
        rcc.SolverOptions(**kwargs)
    assert err.value.column == next(iter(kwargs)) and err.value.table == "params"


@pytest.mark.parametrize(
    "kwargs",
    [{"max_distance_miles": "5"}, {"max_distance_miles": float("nan")}, {"seed": 1.5}, {"seed": True},
     {"pricing_radius_miles": float("nan")}, {"pricing_radius_miles": -1}],
)
def test_bad_plan_params_are_refused(kwargs):
    with pytest.raises(rcc.InvalidInputError):
        rcc.PlanParams(**kwargs)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1.0, "1"])
def test_bad_weights_are_refused(value):
    with pytest.raises(rcc.InvalidInputError):
        rcc.Weights(unmet_child=value)


@pytest.mark.parametrize(
    "table,column,value,expected",
    [
        ("cohorts", "children", "5", "a number"),
        ("cohorts", "children", "1e1", "a number"),
        ("cohorts", "children", True, "a number"),
        ("cohorts", "children", 2**63, "<= 1e+06"),
        ("cohorts", "children", 10**15, "<= 1e+06"),
        ("cohorts", "children", 1e15, "<= 1e+06"),
        ("homes", "places", 2**64, "<= 1e+06"),
        ("homes", "weekly_cost_gbp", "5000", "a number"),
        ("cohorts", "cohort_id", " c1", "spaces"),
        ("homes", "home_id", "h1 ", "spaces"),
        ("cohorts", "cohort_id", 7, "text"),
    ],
)
def test_bad_values_are_refused_not_coerced(tiny_frames, table, column, value, expected):
    frames = {k: v.copy() for k, v in tiny_frames.items()}
    df = frames[table].astype({column: object})
    df.loc[0, column] = value
    frames[table] = df
    with pytest.raises(rcc.InvalidInputError) as err:
        rcc.Region.from_frames(**frames)
    assert err.value.table == table and err.value.column == column
    assert expected in str(err.value)


def test_duplicate_column_names_are_refused(tiny_frames):
    frames = dict(tiny_frames)
    c = frames["cohorts"]
    frames["cohorts"] = pd.concat([c, c[["children"]]], axis=1)
    with pytest.raises(rcc.InvalidInputError, match="each column name once") as err:
        rcc.Region.from_frames(**frames)
    assert err.value.column == "children"


@given(rst.held_regions())
def test_scenario_path_keeps_the_same_rules_for_held_children(region):
    params = rcc.PlanParams()
    for method in ("optimise", "greedy"):
        plain = rcc.plan(region, params.evolve(method=method))
        pooled = rcc.plan(region, params.evolve(method=method), scenario=rcc.Scenario("national", pooling="national"))
        assert pooled.metrics.placed == plain.metrics.placed
        assert pooled.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-6)


def test_a_serial_sweep_after_a_default_plan_places_children(tiny):
    """Sweeps solve with one thread; a plan with HiGHS's default threads before them used to make every draw 'placed 0'."""
    first = rcc.plan(tiny)
    draws = rcc.sweep(tiny, n_draws=3, seed=1, executor="serial", progress=False)
    assert first.metrics.placed == 9
    assert (draws.placed > 0).all() and (draws.status == "optimal").all()


# ------------------------------------------------------------------ found by an independent check
def test_cbc_stopped_on_the_lp_is_never_a_plan():
    """PuLP 3's CBC reported its last iterate of a time-limited LP as a solution (10 of 6,016 children placed)."""
    gm = rcc.datasets.england("Greater Manchester RCC")
    try:
        p = rcc.plan(gm, rcc.PlanParams(solver=rcc.SolverOptions(name="cbc", time_limit_s=1e-3)))
    except rcc.SolverError as err:
        assert "no plan is reported" in str(err)
    else:  # CBC finished within the limit: then it is the optimum
        assert p.status is rcc.PlanStatus.OPTIMAL
        assert p.metrics.placed + p.metrics.unmet == gm.cohorts.children.sum()


@pytest.mark.parametrize("split", [True, False])  # one LP per part of the network (the default) or one model
def test_a_point_that_breaks_the_rules_is_never_a_plan(tiny, monkeypatch, split):
    from rcc.allocation.highs import HighsAllocation

    real = HighsAllocation.solve

    def lying(self, left):
        out = real(self, left)
        return attrs.evolve(out, u=out.u + 1.0)  # one child more without a home than each cohort has

    monkeypatch.setattr(HighsAllocation, "solve", lying)
    with pytest.raises(rcc.SolverError, match="placed \\+ without a home = demand"):
        rcc.plan(tiny, rcc.PlanParams(split_network=split))


def test_tiny_weights_still_price_every_improving_edge():
    councils = pd.DataFrame(
        {"council_id": ["A", "B", "C"], "name": ["A", "B", "C"], "region": "R", "lat": [52.0] * 3,
         "lon": [-1.0, -0.55, -0.2], "area_km2": 100.0}
    )
    homes = pd.DataFrame(
        {"home_id": [f"b{i}" for i in range(12)] + ["c0"], "council_id": ["B"] * 12 + ["C"],
         "provider_id": [f"p{i}" for i in range(13)], "home_type": "childrens_home", "places": [0] * 12 + [1],
         "needs": "complex", "weekly_cost_gbp": [1000.0 + i for i in range(12)] + [1000.0]}
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["k"], "council_id": ["A"], "need": ["complex"], "age_band": ["11-15"], "children": [1]}
    )
    region = rcc.Region.from_frames(councils, homes, cohorts)
    params = rcc.PlanParams(weights=rcc.Weights(unmet_child=5e-7, per_mile=1e-9, out_of_area=0.0, per_gbp=0.0))
    p = rcc.plan(region, params)
    assert p.status is rcc.PlanStatus.OPTIMAL and p.metrics.placed == 1
    assert p.objective == pytest.approx(independent_optimum(region, params), rel=1e-9)


@pytest.mark.parametrize("table", ["homes", "cohorts"])
@pytest.mark.parametrize("method", ["optimise", "greedy"])
def test_no_homes_or_no_cohorts_is_a_plain_plan(tiny_frames, table, method):
    """A region with no homes (a sufficiency plan from scratch) or no children is planned, not a crash."""
    frames = dict(tiny_frames)
    frames[table] = frames[table].iloc[0:0]
    region = rcc.Region.from_frames(**frames)
    p = rcc.plan(region, rcc.PlanParams(method=method))
    assert p.metrics.placed == 0 and p.metrics.unmet == region.cohorts.children.sum()
    assert set(p.shortfall.reason_code) <= {"unreachable"}


def test_complex_numbers_are_refused(tiny_frames):
    frames = dict(tiny_frames)
    frames["homes"] = frames["homes"].assign(places=frames["homes"].places.astype(complex))
    with pytest.raises(rcc.InvalidInputError, match="places"):
        rcc.Region.from_frames(**frames)


def test_summary_names_every_reason(tiny):
    p = rcc.plan(tiny, rcc.PlanParams(weights=rcc.Weights(unmet_child=1.0)))
    assert "weights prefer no placement" in p.summary()


@pytest.mark.parametrize(
    "make",
    [
        lambda: rcc.SolverOptions(threads=10**6),
        lambda: rcc.SolverOptions(name="HIGHS"),
        lambda: rcc.SolverOptions(msg=1),
        lambda: rcc.PlanParams(method="opt"),
        lambda: rcc.PlanParams(hold_current="no"),
        lambda: rcc.PlanParams(weights={"unmet_child": 1}),
        lambda: rcc.Weights(unmet_by_need=None),
        lambda: rcc.SufficiencyParams(rccs=5),
        lambda: rcc.SufficiencyParams(share_exempt_sectors=5),
    ],
)
def test_bad_settings_raise_invalid_input_not_a_raw_error(make):
    with pytest.raises(rcc.InvalidInputError):
        make()


def test_the_exported_allocation_model_names_its_rows(tiny, tmp_path):
    """The PuLP model users see (and export) names each row by its block: demand_<cohort>, capacity_<home>."""
    from rcc.allocation.model import build_allocation

    params = rcc.PlanParams()
    edges = rcc.eligible_edges(tiny, params)
    model = build_allocation(tiny, edges, params)
    from rcc.core.solvers import constraint_names

    names = set(constraint_names(model.problem))
    assert {f"demand_{c}" for c in range(len(tiny.cohorts))} <= names
    used_homes = set(edges.home)
    assert {f"capacity_{h}" for h in used_homes} <= names
    assert len(names) == len(tiny.cohorts) + len(used_homes)
    lp = tmp_path / "allocation.lp"
    model.problem.writeLP(str(lp))
    assert "demand_0:" in lp.read_text()
