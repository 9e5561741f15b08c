"""rcc.testing.strategies draws what it promises: tables that pass their record's validation,
columns in the record's order, regions and whole sufficiency cases rcc accepts."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import rcc
from rcc.core.schema import TABLES
from rcc.core.validate import normalise
from rcc.sufficiency import (
    BUDGETS,
    CLOSURES,
    COSTS,
    FORECAST,
    OPTIONS,
    SUFFICIENCY_TABLES,
    SufficiencyParams,
    sufficiency_plan,
)
from rcc.testing import strategies as rst

IDS = ("C0", "C1", "C2")
SMALL = settings(max_examples=25, deadline=None)


@SMALL
@given(st.sampled_from([*TABLES.values(), *SUFFICIENCY_TABLES.values()]), st.data())
def test_table_frames_follow_the_record(table, data):
    df = data.draw(rst.table_frames(table, max_size=4))
    assert tuple(df.columns) == table.names
    if table.id_column in df.columns and table.column(table.id_column).required:
        assert df[table.id_column].is_unique
    for c in table.columns:
        s = df[c.name]
        if c.dtype == "str":
            assert s.map(lambda v: isinstance(v, str)).all()
        else:
            assert (pd.api.types.is_integer_dtype if c.dtype == "int" else pd.api.types.is_float_dtype)(s.dtype)
        if c.choices is not None:
            assert df[c.name].isin(c.choices).all()
        if c.dtype != "str" and c.minimum is not None:
            assert (df[c.name] >= c.minimum).all()


@SMALL
@given(
    st.one_of(
        rst.councils().map(lambda d: ("councils", d)),
        rst.homes(IDS).map(lambda d: ("homes", d)),
        rst.cohorts(IDS).map(lambda d: ("cohorts", d)),
        rst.options(IDS).map(lambda d: (OPTIONS, d)),
        rst.forecasts(["K0", "K1"], years=2).map(lambda d: (FORECAST, d)),
        rst.closures(["H0", "H1", "H2"]).map(lambda d: (CLOSURES, d)),
        rst.costs(["K0", "K1"], ["H0", "o0"]).map(lambda d: (COSTS, d)),
    )
)
def test_tables_pass_their_validation_unchanged(drawn):
    table, df = drawn
    out = normalise(df, table)
    pd.testing.assert_frame_equal(out[list(df.columns)], df, check_dtype=False)


@SMALL
@given(rst.budgets(IDS, rcc_names=["R"], years=2, max_size=3))
def test_budgets_have_one_row_per_scope_and_year(df):
    assert tuple(df.columns) == BUDGETS.names
    assert not df.duplicated(["scope", "scope_id", "year"]).any()
    assert ((df.scope == "total") == (df.scope_id == "")).all()
    assert df.year.isin(["all", "1", "2"]).all()


@SMALL
@given(rst.cohorts(IDS, max_size=8))
def test_cohort_keys_are_unique(df):
    assert not df.duplicated(["council_id", "need", "age_band"]).any()
    assert df.cohort_id.tolist() == [f"K{i}" for i in range(len(df))]


@SMALL
@given(rst.held_regions(max_councils=2))
def test_held_placements_fit_homes_and_cohorts(region):
    p = region.placements
    assert (p.children > 0).all() and not p.duplicated(["cohort_id", "home_id"]).any()
    by_home = p.groupby("home_id").children.sum()
    by_cohort = p.groupby("cohort_id").children.sum()
    assert (by_home <= region.homes.set_index("home_id").places.reindex(by_home.index)).all()
    assert (by_cohort <= region.cohorts.set_index("cohort_id").children.reindex(by_cohort.index)).all()


@settings(max_examples=10, deadline=None)
@given(rst.sufficiency_cases())
def test_sufficiency_cases_are_accepted(case):
    plan = sufficiency_plan(
        case.region, case.options, case.forecast, case.budgets, params=SufficiencyParams(years=case.years), closures=case.closures
    )
    assert plan.years == case.years
    assert plan.status in (rcc.PlanStatus.OPTIMAL, rcc.PlanStatus.INFEASIBLE)


def test_bad_arguments_raise_when_the_strategy_is_built():
    with pytest.raises(InvalidArgument, match="unknown needs"):
        rst.homes(IDS, needs=["no_such_need"])
    with pytest.raises(InvalidArgument, match="council_ids"):
        rst.options([])
    with pytest.raises(InvalidArgument, match="not in table"):
        rst.table_frames(OPTIONS, elements={"no_such_column": st.just(1)})
    with pytest.raises(InvalidArgument, match="max_size"):
        rst.councils(min_size=3, max_size=2)


@given(st.data())
@settings(max_examples=20, deadline=None)
def test_placements_fit_their_region(data):
    """rst.placements(region): known cohorts and homes, distinct pairs, within children and places."""
    region = data.draw(rst.regions(max_councils=3))
    p = data.draw(rst.placements(region))
    assert p.cohort_id.isin(region.cohorts.cohort_id).all() and p.home_id.isin(region.homes.home_id).all()
    assert not p.duplicated(["cohort_id", "home_id"]).any() and (p.children > 0).all()
    used = p.groupby("home_id").children.sum()
    assert (used <= region.homes.set_index("home_id").places.reindex(used.index)).all()
    held = rcc.Region.from_frames(region.councils, region.homes, region.cohorts, providers=region.providers, placements=p)
    assert len(held.placements) == len(p)
