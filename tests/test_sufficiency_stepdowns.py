"""Planned step-downs of held children (issue 12, point 6; :mod:`rcc.sufficiency.stepdowns`): the optimiser
moves a held child only when the move is worth its cost, never more than are held, within capacity, and the
array and PuLP models agree."""

from __future__ import annotations

import numpy as np
import pulp
import pytest
from test_sufficiency_held import EXACT, toy

import rcc
from rcc.core.solvers import solve_problem
from rcc.sufficiency import SufficiencyParams, forecast_from_region, sufficiency_plan
from rcc.sufficiency.arrays import ArrayProblem
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.model import build_sufficiency, solution_values


def away_from_home(weekly_home: float = 4000.0) -> rcc.Region:
    """Two children of council A's cohort held today in council B's children's home, 30 miles away;
    A's own home (``weekly_home`` a week, B's 4,000) has room for everyone."""
    region = toy(children=8, held=(0, 2), places=(10, 6))
    homes = region.homes.assign(weekly_cost_gbp=[weekly_home, 4000.0])
    return rcc.Region.from_frames(region.councils, homes, region.cohorts, placements=region.placements, name="toy")


def plan(region: rcc.Region, cost: float | None, years: int = 3) -> rcc.sufficiency.SufficiencyPlan:
    params = SufficiencyParams(years=years, solver=EXACT, step_downs=cost is not None, step_down_cost_gbp=cost or 0.0)
    return sufficiency_plan(region, None, forecast_from_region(region, years=years), params=params)


def held_by_year(p) -> np.ndarray:
    return p.placements.groupby("year").held.sum().reindex(range(1, p.years + 1), fill_value=0).to_numpy()


@pytest.mark.parametrize("weekly_home", [4000.0, 4400.0])
def test_a_step_down_happens_only_when_it_is_worth_its_cost(weekly_home):
    region = away_from_home(weekly_home)
    stay = plan(region, None)
    assert "moved by plan" not in stay.info.note and "never moved (no step-downs)" in stay.info.note
    assert (held_by_year(stay) > 0).all()
    free, dear = plan(region, 0.0), plan(region, 1e8)
    # a move costing nothing: the children come home when that is cheaper (the same weekly cost, nearer)
    assert (
        dear.objective == pytest.approx(stay.objective, rel=1e-9) and (held_by_year(dear) == held_by_year(stay)).all()
    )
    assert "none worth their cost" in dear.info.note
    assert free.objective <= stay.objective + 1e-9
    moved = held_by_year(stay) - held_by_year(free)
    assert ((moved > 0).any()) == (free.objective < stay.objective - 1e-9)
    if weekly_home == 4000.0:
        assert (held_by_year(free) == 0).all() and "2 held children moved by plan (2 in year 1)" in free.info.note
        assert "every held child moved as a planned step-down" in repr(free)


def test_never_more_moved_than_held_and_capacity_holds():
    region = away_from_home()
    region = rcc.Region.from_frames(
        region.councils, region.homes.assign(places=[7, 6]), region.cohorts, placements=region.placements, name="toy"
    )
    stay, free = plan(region, None), plan(region, 0.0)
    moved = held_by_year(stay) - held_by_year(free)
    assert (moved >= 0).all() and (moved <= held_by_year(stay)).all()
    assert moved.sum() > 0  # room for one of the two at home
    used = free.placements.groupby(["year", "home_id"]).children.sum().unstack(fill_value=0)
    places = region.homes.set_index("home_id").places
    assert (used <= places.reindex(used.columns).to_numpy()[None, :]).to_numpy().all()
    demand = forecast_from_region(region, years=3).set_index("year").children
    total = free.placements.groupby("year").children.sum() + free.shortfall.groupby("year").children.sum().reindex(
        demand.index, fill_value=0
    )
    assert total.reindex(demand.index, fill_value=0).tolist() == demand.tolist()  # held + placed + unmet = demand


@pytest.mark.parametrize("kind", [{}, {"relaxed": True}, {"elastic": True}])
def test_array_and_pulp_models_with_step_downs_agree(kind):
    region = away_from_home(4400.0)
    params = SufficiencyParams(
        years=3, solver=EXACT, step_downs=True, step_down_cost_gbp=2000.0, seed_radius_miles=None
    )
    prep = prepare_inputs(region, None, forecast_from_region(region, years=3), None, params, hold=region)
    assert prep.data.held.steps is not None and prep.data.held.steps.children.shape == (1, 3)
    fast = build_sufficiency(prep.data, [], in_arrays=True, **kind)
    slow = build_sufficiency(prep.data, [], **kind)
    assert isinstance(fast.problem, ArrayProblem) and len(fast.w) == len(slow.w) > 0
    assert fast.n_variables == slow.n_variables and fast.n_constraints == slow.n_constraints
    a = fast.problem.solve(msg=False, time_limit=60, gap=1e-9, threads=None)
    b = solve_problem(slow.problem, pulp.HiGHS(msg=False, timeLimit=60, gapRel=1e-9, gapAbs=0.0))
    assert a.status == b.status == "optimal" and a.objective == pytest.approx(b.objective, rel=1e-7, abs=1e-6)
    moved, held = solution_values(fast)["moved"], prep.data.held.steps.children
    assert (moved <= held + 1e-9).all()  # never more moved than held
    ratio = held[:, 1:] / held[:, :-1]
    assert (moved[:, 1:] >= ratio * moved[:, :-1] - 1e-9).all()  # once moved, never back (only leaving care)


def test_edge_pricing_with_step_downs_gives_the_optimum_of_all_edges():
    """Greater Manchester, two years, moves cheap: pricing (its bound counts the held children who may move,
    the held homes' rows are made up front) reaches the optimum of the model with every edge built."""
    gm = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(gm, years=2, growth_by_need={"complex": 0.05})
    base = SufficiencyParams(years=2, step_downs=True, step_down_cost_gbp=500.0, solver=rcc.SolverOptions(mip_gap=1e-7, time_limit_s=300))
    priced = sufficiency_plan(gm, None, fc, params=base.evolve(seed_radius_miles=4.0))
    full = sufficiency_plan(gm, None, fc, params=base.evolve(seed_radius_miles=None))
    assert priced.status is full.status is rcc.PlanStatus.OPTIMAL and "pricing round" in priced.info.note
    assert priced.objective == pytest.approx(full.objective, rel=1e-6)
    assert "held children moved by plan" in priced.info.note
    held = gm.placements.children.sum()
    assert 0 < held - priced.placements[priced.placements.year == 1].held.sum() <= held
