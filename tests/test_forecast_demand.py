"""The monthly forecast as sufficiency demand: rcc.forecast.monthly_demand and `rcc sufficiency --ssda903`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.cli import main
from rcc.core.errors import InvalidInputError
from rcc.forecast import NEED_OF_GROUP, forecast_monthly, monthly_demand
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903" / "cs-demand-model-regional-v1"


@pytest.fixture(scope="module")
def small():
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=200, entry_growth=0.1), years=3, seed=21)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E08000001")
    return result, forecast_monthly(result, 24, n_sims=20, seed=1)


def test_plan_year_one_is_the_end_dates_demand_and_later_years_the_forecast(small):
    result, fc = small
    demand = monthly_demand(fc, result, years=3)
    now = demand[demand.year == 1].set_index("cohort_id").children
    assert now[now > 0].sort_index().to_dict() == result.cohorts.set_index("cohort_id").children.sort_index().to_dict()
    tot = fc.attrs["totals"].query("placement == 'all'").set_index("month").children_expected
    for year, months in ((2, 12), (3, 24)):
        want = tot[fc.attrs["end"] + pd.offsets.MonthEnd(months)]
        assert demand[demand.year == year].children_expected.sum() == pytest.approx(want)
    # needs follow the groups: every supported accommodation child of 16-17 is 16+ supported demand
    sup = fc[(fc.placement == "supported_accommodation") & (fc.month == fc.attrs["end"] + pd.offsets.MonthEnd(24))]
    got = demand[(demand.need == "supported_16plus") & (demand.year == 3)].children_expected.sum()
    assert got == pytest.approx(sup.children_expected.sum())
    assert (demand.children >= 0).all() and (demand.children_p10 <= demand.children_p90 + 1e-9).all()


def test_demand_plugs_into_the_sufficiency_planner_shape(small):
    result, fc = small
    demand = monthly_demand(fc, result, years=2)
    region = rcc.datasets.england("Greater Manchester RCC")  # its Bolton, E08000001, has this return
    cohorts = demand.drop_duplicates("cohort_id")[["cohort_id", "council_id", "need", "age_band"]].assign(children=0)
    cohorts = cohorts[~cohorts.cohort_id.isin(region.cohorts.cohort_id)]
    region = region.replace(cohorts=pd.concat([region.cohorts, cohorts], ignore_index=True))
    planner = rcc.to_sufficiency_forecast(demand, region)
    assert sorted(planner.year.unique()) == [1, 2]
    assert planner.children.sum() == demand.children.sum()


def test_unseen_groups_take_the_mapping_need_and_short_forecasts_are_refused(small):
    result, fc = small
    assert NEED_OF_GROUP["childrens_home"] == "complex" and NEED_OF_GROUP["in_house_fostering"] == "mainstream"
    only_foster = result.placements[result.placements.home_type != "childrens_home"]
    import attrs

    demand = monthly_demand(fc, attrs.evolve(result, placements=only_foster), years=2)
    homes = fc[(fc.placement == "childrens_home") & (fc.month == fc.attrs["end"] + pd.offsets.MonthEnd(12))]
    got = demand[(demand.need == "complex") & (demand.year == 2)].children_expected.sum()
    assert got == pytest.approx(homes.children_expected.sum())
    with pytest.raises(InvalidInputError, match="months"):
        monthly_demand(fc, result, years=4)  # 36 months needed, 24 forecast
    with pytest.raises(InvalidInputError):
        monthly_demand(fc, result, years=0)
    with pytest.raises(InvalidInputError):
        monthly_demand(result.cohorts, result, years=1)


def test_cli_sufficiency_plans_for_the_monthly_forecast_of_the_returns(tmp_path, capsys):
    files = [str(SAMPLE / f) for f in ("header.csv.gz", "episodes.csv.gz", "uasc.csv.gz")]
    out = tmp_path / "out"
    code = main(["sufficiency", "--region", "Bromley", "--neighbours-miles", "1", "--ssda903", *files,
                 "--reference-date", "2021-03-31", "--years", "3", "--sims", "10", "--out", str(out), "--quiet"])
    assert code == 0
    demand = pd.read_csv(out / "demand_forecast.csv")
    metrics = pd.read_csv(out / "metrics.csv")
    assert set(demand.council_name) == {"Bromley"}
    per_year = demand.groupby("year").children.sum()
    assert per_year.tolist() == metrics.children.tolist()  # the plan is for the forecast's children
    result = load_ssda903(*files[:2], uasc=files[2], reference_date="2021-03-31")
    assert per_year[1] == result.cohorts[result.cohorts.council_id == "Bromley"].children.sum()
    fc = forecast_monthly(result, 24, n_sims=10, seed=0)
    tot = fc.attrs["totals"].query("placement == 'all' and council_id == 'Bromley'").set_index("month")
    at24 = tot.loc[fc.attrs["end"] + pd.offsets.MonthEnd(24)]  # another forecast of the same return (new pseudonyms)
    assert at24.children_p10 <= demand[demand.year == 3].children_expected.sum() <= at24.children_p90
    assert per_year[3] < per_year[1]  # the sample's councils shrink; growth by need would have grown them
    assert np.isin(demand.need, ["mainstream", "complex", "uasc", "supported_16plus", "secure", "disability"]).all()
    assert "--ssda903" in (out / "manifest.json").read_text()


def test_a_filtered_forecast_takes_the_needs_of_its_own_children():
    files = [SAMPLE / f for f in ("header.csv.gz", "episodes.csv.gz", "uasc.csv.gz")]
    result = load_ssda903(*files[:2], uasc=files[2], reference_date="2021-03-31")
    fc = forecast_monthly(result, 12, n_sims=5, filters={"UASC": ["1"]})
    demand = monthly_demand(fc, result, years=2)
    kids = result.header.loc[result.header.UASC == "1", ["council_id", "child_id"]]
    now = result.placements.merge(kids)
    now = now[now.excluded.isna()].groupby(["council_id", "need"]).size()
    got = demand[demand.year == 1].groupby(["council_id", "need"]).children.sum()
    assert got[got > 0].to_dict() == now.to_dict()  # the UASC children's needs, not the shares of all children
    everyone = monthly_demand(forecast_monthly(result, 12, n_sims=5), result, years=2)
    assert everyone[everyone.year == 1].children.sum() > got.sum()


def test_cli_sufficiency_filter_plans_for_the_filtered_children_only(tmp_path, capsys):
    files = [str(SAMPLE / f) for f in ("header.csv.gz", "episodes.csv.gz", "uasc.csv.gz")]
    base = ["sufficiency", "--region", "Bromley", "--neighbours-miles", "1", "--ssda903", *files,
            "--reference-date", "2021-03-31", "--years", "2", "--sims", "10", "--quiet"]
    out = tmp_path / "out"
    assert main([*base, "--filter", "SEX=2", "--out", str(out)]) == 0
    demand = pd.read_csv(out / "demand_forecast.csv")
    result = load_ssda903(*files[:2], uasc=files[2], reference_date="2021-03-31")
    girls = result.header.loc[result.header.SEX == "2", ["council_id", "child_id"]]
    now = result.placements.merge(girls)
    now = now[now.excluded.isna() & (now.council_id == "Bromley")]
    year1 = demand[demand.year == 1].groupby("need").children.sum()
    assert year1[year1 > 0].to_dict() == now.groupby("need").size().to_dict()  # the girls in care, by need
    per_year = demand.groupby("year").children.sum()
    assert per_year.tolist() == pd.read_csv(out / "metrics.csv").children.tolist()  # planned for those children
    assert per_year[1] < result.cohorts[result.cohorts.council_id == "Bromley"].children.sum()
    assert "only children with SEX in 2" in (out / "summary.csv").read_text()
    capsys.readouterr()
    # the errors of rcc forecast --filter, before anything is solved
    assert main([*base[:8], *base[9:], "--filter", "UASC=1"]) == 2  # no UASC file
    assert "UASC table" in capsys.readouterr().err
    assert main([*base, "--filter", "SEX=1", "SEX=2"]) == 2  # one column twice: its codes go in one SEX=1,2
    assert "each column once" in capsys.readouterr().err
    assert main([*base, "--filter", "AGE=3"]) == 2  # not a filter column (argparse)
    assert "COLUMN one of SEX, ETHNIC, UASC" in capsys.readouterr().err
    assert main(["sufficiency", "--region", "Bromley", "--filter", "SEX=2", "--quiet"]) == 2  # no return to filter
    assert "--ssda903" in capsys.readouterr().err
