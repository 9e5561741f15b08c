"""Named row blocks of the sufficiency model: pricing reads every block's duals by name, a new
constraint is one ``define_*`` function plus its place in pricing, and users add their own rows
with ``SufficiencyParams.extra_constraints`` (then every edge is built)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp
import pytest

import rcc
from rcc.core.errors import InvalidInputError, SolverError
from rcc.sufficiency import SufficiencyParams, constraints, default_options, forecast_from_region, sufficiency_plan
from rcc.sufficiency.constraints import Building, dual
from rcc.sufficiency.records import RowBlock

EXACT = rcc.SolverOptions(mip_gap=1e-7, time_limit_s=120)
COUNCIL = 0  # the region's first council (row position)


@pytest.fixture(scope="module")
def gm():
    """Greater Manchester, two years of growth: new capacity is built (year 2) and edge pricing
    from 2 miles needs rounds."""
    region = rcc.datasets.england("Greater Manchester RCC")
    fc = forecast_from_region(region, years=2, growth_by_need={"complex": 0.3, "supported_16plus": 0.3})
    return region, fc, default_options(region)


def _plan(gm, radius, **kw):
    region, fc, opts = gm
    # planned afresh: these tests count every placement as a model column (held children are not columns)
    return sufficiency_plan(region, opts, fc, params=SufficiencyParams(solver=EXACT, seed_radius_miles=radius, hold_placements=False, **kw))


def _council_new_places(plan, council_id):
    b = plan.builds
    return int(b.places[b.council_id == council_id].sum())


def _busiest_council(plan):
    """The council with most new places in ``plan`` and how many."""
    per = plan.builds.groupby("council_id").places.sum()
    return per.idxmax(), int(per.max())


def new_places_cap(council: int, cap: float):
    """A define_* function: at most ``cap`` new places started in ``council`` over the plan
    (units only: no placement column enters it)."""

    def define_new_places_cap(b: Building) -> None:
        d, n_option = b.data, b.var["n_option"]
        pos = [i for i, o in enumerate(n_option) if d.site_council[d.opt_site[o]] == council]
        rows = {}
        if pos:
            expr = pulp.lpSum(float(d.site_places[d.opt_site[n_option[i]]]) * b.var["n"][i] for i in pos)
            rows["cap"] = b.constraint(expr <= cap)
        b.add(RowBlock("new_places_cap", rows, placements=False))

    return define_new_places_cap


def placed_in_council_cap(council: int, cap: float, priced: bool):
    """A define_* function: at most ``cap`` children placed in ``council``'s homes and options each
    year; placement columns enter it, so pricing needs its rule (``priced``)."""

    def price(block: RowBlock, data, edge, year, acc):
        pi = np.zeros(data.n_years)
        for y, handle in block.rows.items():
            pi[y] = dual(handle)
        return acc + pi[year] * (data.site_council[data.e_site[edge]] == council)

    def define_placed_in_council_cap(b: Building) -> None:
        d, var = b.data, b.var
        inside = d.site_council[d.e_site[var["ey_edge"]]] == council
        m = d.group_size[d.e_cohort[var["ey_edge"]]]
        rows = {}
        for y in range(d.n_years):
            pos = np.flatnonzero(inside & (var["ey_year"] == y))
            rows[y] = b.constraint(pulp.lpSum(float(m[p]) * var["v"][p] for p in pos) <= cap)
        b.add(RowBlock("placed_in_council_cap", rows, price=price if priced else None))

    return define_placed_in_council_cap


def test_a_new_block_without_placements_keeps_pricing_exact(gm, monkeypatch):
    free = _plan(gm, None)
    council_id, most = _busiest_council(free)
    council = list(gm[0].council_ids).index(council_id)
    cap = most // 2
    define = new_places_cap(council, cap)
    monkeypatch.setattr(constraints, "ROW_DEFINITIONS", (*constraints.ROW_DEFINITIONS, define))
    whole = _plan(gm, None)
    priced = _plan(gm, 2.0)
    assert "pricing round(s)" in priced.info.note and "pricing round(s)" not in whole.info.note
    assert _council_new_places(whole, council_id) <= cap < most  # the cap binds
    assert _council_new_places(priced, council_id) <= cap
    assert priced.objective == pytest.approx(whole.objective, rel=1e-6)
    assert whole.objective > free.objective


def test_a_new_block_with_placements_is_priced_by_its_rule(gm, monkeypatch):
    region = gm[0]
    free = _plan(gm, None)
    council_id = region.council_ids[COUNCIL]
    placed = free.placements[free.placements.home_council_id == council_id].groupby("year").children.sum()
    cap = float(placed.max()) - 5
    monkeypatch.setattr(constraints, "ROW_DEFINITIONS", (*constraints.ROW_DEFINITIONS, placed_in_council_cap(COUNCIL, cap, True)))
    whole = _plan(gm, None)
    priced = _plan(gm, 2.0)
    for plan in (whole, priced):
        inside = plan.placements[plan.placements.home_council_id == council_id].groupby("year").children.sum()
        assert (inside <= cap + 1e-6).all()
    assert "pricing round(s)" in priced.info.note
    assert priced.objective == pytest.approx(whole.objective, rel=1e-6)
    assert whole.objective > free.objective * (1 + 1e-6)


def test_a_block_placements_enter_without_a_pricing_rule_stops_pricing_loudly(gm, monkeypatch):
    define = placed_in_council_cap(COUNCIL, 1e9, False)
    monkeypatch.setattr(constraints, "ROW_DEFINITIONS", (*constraints.ROW_DEFINITIONS, define))
    with pytest.raises(SolverError, match="placed_in_council_cap.*no pricing rule"):
        _plan(gm, 2.0)
    assert _plan(gm, None).status is rcc.PlanStatus.OPTIMAL  # no pricing: every edge built, nothing to price


def test_extra_constraints_hook_adds_the_users_rows_and_builds_every_edge(gm):
    free = _plan(gm, None)
    council_id, most = _busiest_council(free)
    cap = most // 2
    seen = []

    def cap_new_places(model) -> None:
        d = model.data
        council = list(gm[0].council_ids).index(council_id)
        terms = [
            float(d.site_places[d.opt_site[o]]) * var
            for o, var in zip(model.n_option, model.n)
            if d.site_council[d.opt_site[o]] == council
        ]
        model.add_constraint(pulp.lpSum(terms) <= cap)
        seen.append(len(model.ey_edge))

    plan = _plan(gm, 2.0, extra_constraints=cap_new_places)
    assert _council_new_places(plan, council_id) <= cap < most
    assert "every edge built" in plan.info.note and "pricing round(s)" not in plan.info.note
    assert seen and plan.info.constraints > free.info.constraints
    assert plan.objective == pytest.approx(_plan(gm, None, extra_constraints=cap_new_places).objective, rel=1e-7)
    assert plan.objective > free.objective


def test_extra_constraints_must_be_callable():
    with pytest.raises(InvalidInputError, match="extra_constraints"):
        SufficiencyParams(extra_constraints=3)


def test_every_row_of_the_model_is_in_a_named_block(gm):
    """The model's row count is the sum of its named blocks: no unnamed rows pricing could miss."""
    region, fc, opts = gm
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [5e6], "revenue_gbp": [1e9], "revenue_basis": ["all"]})
    plan = sufficiency_plan(
        region, opts, fc, budgets, SufficiencyParams(solver=EXACT, seed_radius_miles=None, min_inside_region_share=0.5, hold_placements=False)
    )
    names = []

    def count(model) -> None:
        names.append(list(model.blocks))
        assert sum(len(b.rows) for b in model.blocks.values()) == model.problem.numConstraints()

    again = sufficiency_plan(
        region,
        opts,
        fc,
        budgets,
        SufficiencyParams(solver=EXACT, seed_radius_miles=None, min_inside_region_share=0.5, extra_constraints=count, hold_placements=False),
    )
    assert names and {"demand", "capacity", "capital_budget", "revenue_budget", "inside_region_share"} <= set(names[0])
    assert again.info.constraints == plan.info.constraints
    assert again.objective == pytest.approx(plan.objective, rel=1e-9)
