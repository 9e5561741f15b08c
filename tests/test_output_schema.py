"""Every output table rcc produces conforms to its schema record (rcc.core.outputs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.core.errors import InvalidInputError
from rcc.core.outputs import OUTPUT_TABLES, SUFFICIENCY_OUTPUT_TABLES, check_output
from rcc.core.schema import DTYPES, schema_frame
from rcc.sufficiency import SufficiencyParams, forecast_from_region, sufficiency_plan


@pytest.mark.parametrize("method", ["optimise", "greedy"])
def test_plan_tables_conform(tiny, method):
    plan = rcc.plan(tiny, rcc.PlanParams(method=method))
    frames = plan.to_frames()
    assert len(frames["placements"]) and len(frames["shortfall"])  # non-empty: the checks see values
    for name, df in frames.items():
        check_output(f"plan.{name}", df)
    assert tuple(plan.metrics.index) == tuple(OUTPUT_TABLES["plan.metrics"].column("metric").choices)


def _sufficiency_case(tiny):
    options = pd.DataFrame(
        {
            "option_id": ["o1"],
            "council_id": ["A"],
            "home_type": ["childrens_home"],
            "needs": ["complex;secure"],
            "provider_id": ["LA"],
            "places_per_unit": [2],
            "max_units": [2],
            "capital_cost_gbp": [1e5],
        }
    )
    forecast = forecast_from_region(tiny, years=2, growth_by_need=0.2)
    return options, forecast


@pytest.mark.parametrize("capital", [5e5, 0.0])
def test_sufficiency_tables_conform(tiny, capital):
    options, forecast = _sufficiency_case(tiny)
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [capital]})
    closures = pd.DataFrame({"home_id": ["chB"], "annual_saving_gbp": [1e6]})
    plan = sufficiency_plan(tiny, options, forecast, budgets, params=SufficiencyParams(years=2), closures=closures)
    frames = plan.to_frames()
    assert set(frames) == set(SUFFICIENCY_OUTPUT_TABLES)
    assert len(frames["placements"]) and len(frames["budget_use"]) and len(frames["costs"]) == 2
    for name, df in frames.items():
        check_output(SUFFICIENCY_OUTPUT_TABLES[name], df)
    if capital == 0.0:
        assert frames["builds"].empty and len(frames["shortfall"])  # nothing built: the secure child waits


def test_forecast_conforms(tiny):
    check_output("region_forecast", rcc.forecast_from_region(tiny, 3, 0.1))
    with pytest.raises(rcc.InvalidInputError, match="extra \\['group_size'\\]"):
        check_output("demand_forecast", rcc.forecast_from_region(tiny, 3, 0.1))


def test_comparison_and_sweep_conform(tiny):
    cmp = rcc.compare(tiny, rcc.standard_scenarios(["A"])[:2])
    check_output("comparison.long", cmp.long)
    check_output("comparison.wide", cmp.wide())
    draws = rcc.sweep(tiny, 3, seed=1, executor="serial", progress=False)
    check_output("sweep", draws)
    check_output("sweep_summary", rcc.sweep_summary(draws).reset_index())


def test_check_output_rejects_what_does_not_conform(tiny):
    p = rcc.plan(tiny).placements
    with pytest.raises(InvalidInputError, match="in this order"):
        check_output("plan.placements", p.drop(columns="held"))
    with pytest.raises(InvalidInputError, match="in this order"):
        check_output("plan.placements", p[list(p.columns[::-1])])
    with pytest.raises(InvalidInputError, match="int column"):
        check_output("plan.placements", p.assign(children=p.children.astype(float)))
    with pytest.raises(InvalidInputError, match="bool column"):
        check_output("plan.placements", p.assign(inside_own_council=p.inside_own_council.astype(int)))
    with pytest.raises(InvalidInputError, match="one of"):
        check_output("plan.placements", p.assign(need="unknown_need"))
    with pytest.raises(InvalidInputError, match=">= 0"):
        check_output("plan.placements", p.assign(distance_miles=-1.0))
    with pytest.raises(InvalidInputError, match="no missing values"):
        check_output("plan.placements", p.assign(weekly_cost_gbp=np.nan))
    with pytest.raises(InvalidInputError, match="text"):
        check_output("plan.placements", p.assign(home_id=p.home_id.astype(object).where(p.index > 0, 7)))
    with pytest.raises(InvalidInputError, match="DataFrame"):
        check_output("plan.placements", p.to_dict())


def test_output_records_are_documented():
    df = schema_frame(tables=OUTPUT_TABLES.values())
    assert set(df.table) == set(OUTPUT_TABLES)
    assert df.dtype.isin(DTYPES).all() and (df.description != "").all()
    assert {t.kind for t in OUTPUT_TABLES.values()} == {"output"}


def test_docs_schema_md_is_generated_from_the_records():
    """docs/schema.md is what scripts/make_api_docs.py writes: every input and output table is in it."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("make_api_docs", root / "scripts" / "make_api_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.schema_markdown()
    assert (root / "docs" / "schema.md").read_text(encoding="utf-8") == text
    for name in [*rcc.TABLES, *rcc.sufficiency.SUFFICIENCY_TABLES, *OUTPUT_TABLES]:
        assert f"### `{name}`" in text


@pytest.mark.parametrize("method", ["optimise", "greedy"])
@pytest.mark.parametrize("threshold", [0, 5])
def test_released_report_tables_conform(tiny, method, threshold):
    """Every table of rcc.report_tables is in the output schema; suppressed cells hold 'c'."""
    from rcc.core.outputs import REPORT_TABLES

    tables = rcc.report_tables(rcc.plan(tiny, rcc.PlanParams(method=method)), suppress_below=threshold)
    assert {f"report.{k}" for k in tables} == {t.name for t in REPORT_TABLES}
    for name, frame in tables.items():
        check_output(f"report.{name}", frame)
    bands = tables["distance_bands"].copy()
    bands["children"] = ["x", *bands["children"].tolist()[1:]]
    with pytest.raises(rcc.InvalidInputError, match="a number or 'c'"):
        check_output("report.distance_bands", bands)
