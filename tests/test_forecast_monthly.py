"""The monthly forecast by placement group and age (rcc.forecast_monthly), its synthetic returns, the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.cli import main
from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, HOME_TYPES
from rcc.forecast import MONTHLY_COLUMNS, backtest_monthly, forecast_monthly
from rcc.forecast.synthetic import GROUPS, SCENARIOS, SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903


def _load(ret):
    return load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")


@pytest.fixture(scope="module")
def steady():
    ret = synthetic_ssda903(SCENARIOS["steady"], seed=3)
    return ret, _load(ret)


@pytest.fixture(scope="module")
def growing():
    ret = synthetic_ssda903(SCENARIOS["growing"], seed=4)
    return ret, _load(ret)


def test_synthetic_return_reads_cleanly_and_truth_starts_from_its_stock(steady):
    ret, result = steady
    assert result.rejected.empty
    assert 500 < len(result.header[pd.to_datetime(result.header.DOB) > "1990-01-01"])
    truth = ret.truth(months=2, runs=3)
    assert truth.shape == (3, 3, len(GROUPS), len(AGE_BANDS))
    assert (truth[:, 0].sum(axis=(1, 2)) == len(result.placements)).all()  # month 0: the children on the end date
    assert truth[:, :, GROUPS.index("supported_accommodation"), :3].sum() == 0  # only 16 and over
    on_end = result.placements.groupby("home_type").size()
    assert on_end.reindex(GROUPS, fill_value=0).tolist() == truth[0, 0].sum(axis=1).tolist()


def test_synthetic_entries_follow_the_growth():
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=300, entry_growth=0.3), years=3, seed=2)
    first = ret.episodes[ret.episodes.RNE == "S"]
    per_year = pd.to_datetime(first.DECOM).dt.to_period("Y-MAR").value_counts().sort_index()
    last3 = per_year.iloc[-3:].to_numpy()
    assert last3[2] > last3[1] > last3[0]
    assert last3[2] / last3[0] == pytest.approx(1.3**2, rel=0.2)


def test_forecast_tracks_the_steady_truth_with_a_calibrated_band(steady):
    ret, result = steady
    fc = forecast_monthly(result, 12, n_sims=60, seed=1)
    assert list(fc.columns) == list(MONTHLY_COLUMNS)
    assert set(fc.kind) == {"observed", "forecast"}
    assert (fc[["children", "children_p10", "children_p50", "children_p90"]] >= 0).all().all()
    f = fc[fc.kind == "forecast"]
    assert (f.children_p10 <= f.children_expected + 1e-9).all() and (f.children_expected <= f.children_p90 + 1e-9).all()
    truth = ret.truth(months=12, runs=100)
    last = f[f.month == f.month.max()].set_index(["placement", "age_band"])
    total_true = truth[:, 12].sum(axis=(1, 2)).mean()
    assert last.children_expected.sum() == pytest.approx(total_true, rel=0.04)
    inside = []
    for g, group in enumerate(GROUPS):
        for b, band in enumerate(AGE_BANDS):
            if truth[:, 12, g, b].mean() >= 20:
                r = last.loc[(group, band)]
                inside.append(((truth[:, 12, g, b] >= r.children_p10) & (truth[:, 12, g, b] <= r.children_p90)).mean())
    assert 0.6 <= np.mean(inside) <= 0.97
    flat = fc.attrs["trends"]
    assert flat.chosen.sum() == 1 and len(flat) >= 5


def test_growth_is_found_by_backtest_and_followed(growing):
    ret, result = growing
    fc = forecast_monthly(result, 24, n_sims=40, seed=2)
    chosen = fc.attrs["trends"].query("chosen").iloc[0]
    assert chosen.trend != "flat"
    truth = ret.truth(months=24, runs=60)
    tot = fc.attrs["totals"]
    at24 = tot[(tot.placement == "all") & (tot.month == tot.month.max())].children_expected.iloc[0]
    assert at24 == pytest.approx(truth[:, 24].sum(axis=(1, 2)).mean(), rel=0.06)
    annual = rcc.forecast_demand(result, years=2, n_sims=20)  # the old annual model, flat entries: far below
    assert annual[annual.year == annual.year.max()].children_expected.sum() < 0.9 * at24


def test_stock_and_flows_add_up_and_month_zero_is_observed(steady):
    _, result = steady
    fc = forecast_monthly(result, 6, n_sims=8, seed=5)
    obs = fc[(fc.kind == "observed") & (fc.month == fc.attrs["end"])]
    by_type = result.placements.groupby(["home_type", "age_band"]).size()
    got = obs.set_index(["placement", "age_band"]).children
    assert got[got > 0].sort_index().to_dict() == by_type.sort_index().to_dict()
    tot = fc.attrs["totals"].query("placement == 'all'").set_index("month").children_expected
    flows = fc.attrs["flows"].set_index("month")
    before = np.r_[obs.children.sum(), tot.to_numpy()[:-1]]
    change = flows.entries - flows.exits - flows.aged_out
    assert np.allclose(tot.to_numpy() - before, change.to_numpy())
    parts = fc.attrs["totals"].query("placement != 'all'").groupby("month").children_expected.sum()
    assert np.allclose(parts.to_numpy(), tot.to_numpy())


def test_backtest_reports_error_and_coverage(steady):
    _, result = steady
    bt = backtest_monthly(result, 1, n_sims=20, seed=0)
    assert {"observed", "forecast", "children_p10", "children_p90", "error_pct", "coverage"} <= set(bt.columns)
    assert bt.attrs["cut"] == pd.Timestamp("2024-03-31")
    assert bt.observed.sum() > 1000 and bt.coverage.between(0, 1).all()
    big = bt[bt.observed >= 50]
    assert big.error_pct.abs().mean() < 10


def test_bad_settings_and_data_are_refused(steady):
    _, result = steady
    with pytest.raises(InvalidInputError):
        forecast_monthly(result, 0)
    with pytest.raises(InvalidInputError):
        backtest_monthly(result, 3)
    with pytest.raises(InvalidInputError, match="seed"):
        forecast_monthly(result, 2, seed=-1)
    seg = pd.DataFrame({"child_id": ["a"], "council_id": ["E1"], "placement": ["castle"], "start": ["2020-01-01"],
                        "end": [None], "dob": ["2010-01-01"]})
    with pytest.raises(InvalidInputError, match="placement"):
        forecast_monthly(seg, 3)
    with pytest.raises(InvalidInputError):
        SyntheticProcess(entries_per_year=-1)


def test_old_annual_api_is_unchanged(steady):
    _, result = steady
    annual = rcc.forecast_demand(result, years=2, n_sims=10)
    assert {"cohort_id", "year", "children", "children_p10", "children_p90"} <= set(annual.columns)


def test_cli_forecast_with_backtest_writes_tables_and_chart(tmp_path, capsys):
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=150), years=3, seed=9)
    header, episodes = ret.write(tmp_path / "in")
    scenario = tmp_path / "more_homes.json"
    scenario.write_text('{"name": "more homes", "adjust": [{"rate": "entries", "placement": "childrens_home", '
                        '"multiply": 1.2}]}')
    code = main(["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31",
                 "--months", "13", "--sims", "10", "--backtest", "--out", str(tmp_path / "out"), "--quiet",
                 "--scenario", str(scenario), "--cost", "kinship=400", "--inflation", "0.02", "--filter", "SEX=1,2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "backtest: forecast from 2024-03-31" in out and "coverage" in out
    assert "forecast total (expected, p10-p90)" in out and "entry trend" in out
    assert "inflation 2.0% a year" in out and "year 2 council" in out
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"forecast.csv", "totals.csv", "flows.csv", "trends.csv", "backtest.csv", "forecast.png",
            "costs.csv"} <= written
    assert "more_homes.json" in (tmp_path / "out" / "manifest.json").read_text()  # the settings name it
    table = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert set(table.placement) <= set(HOME_TYPES) and (table.children_p10 >= 0).all()
    assert (tmp_path / "out" / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    assert "S0" not in out  # no child id on screen


def test_cli_forecast_refuses_missing_files(tmp_path, capsys):
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=50), years=2, seed=1)
    header, _ = ret.write(tmp_path)
    assert main(["forecast", "--ssda903", str(header), "--reference-date", "2025-03-31", "--quiet"]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"adjust": [{"rate": "arrivals"}]}')
    _, episodes = ret.write(tmp_path)
    assert main(["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31", "--quiet",
                 "--scenario", str(bad)]) == 2
    assert main(["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31",
                 "--cost", "castle=5"]) == 2
    assert main(["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31",
                 "--filter", "UPN=1"]) == 2


def test_councils_are_forecast_separately_from_one_extract():
    big = synthetic_ssda903(SyntheticProcess(entries_per_year=300), years=3, seed=11)
    small = synthetic_ssda903(SyntheticProcess(entries_per_year=40, entry_growth=0.2), years=3, seed=12)
    header = pd.concat([big.header.assign(LA="E1"), small.header.assign(LA="E2")], ignore_index=True)
    episodes = pd.concat([big.episodes.assign(LA="E1"), small.episodes.assign(LA="E2")], ignore_index=True)
    result = load_ssda903(header, episodes, reference_date="2025-03-31")
    fc = forecast_monthly(result, 3, n_sims=10, seed=0)
    now = fc[(fc.kind == "observed") & (fc.month == fc.attrs["end"])].groupby("council_id").children.sum()
    assert now.to_dict() == result.placements.groupby("council_id").size().to_dict()
    trends = fc.attrs["trends"]
    assert set(trends.council_id) == {"E1", "E2"} and trends.groupby("council_id").chosen.sum().tolist() == [1, 1]
    tot = fc.attrs["totals"].query("placement == 'all'").groupby("council_id").children_expected.last()
    assert tot["E1"] > 3 * tot["E2"] > 0


def test_scenario_adjustments_move_the_forecast_the_right_way(steady):
    _, result = steady
    from rcc.forecast import Adjustment

    base = forecast_monthly(result, 12, n_sims=20, seed=3)
    more = forecast_monthly(result, 12, n_sims=20, seed=3, adjust=[Adjustment("entries", multiply=1.5)])
    fewer_exits = forecast_monthly(result, 12, n_sims=20, seed=3, adjust=[{"rate": "exits", "multiply": 0.5}])
    homes = forecast_monthly(result, 12, n_sims=20, seed=3,
                             adjust=[Adjustment("entries", "childrens_home", multiply=2.0)])

    def total(fc, placement="all"):
        t = fc.attrs["totals"]
        return t[(t.placement == placement) & (t.month == t.month.max())].children_expected.sum()

    assert total(more) > total(base) * 1.1 and total(fewer_exits) > total(base) * 1.05
    assert total(homes, "childrens_home") > total(base, "childrens_home") * 1.1
    assert total(homes, "kinship") == pytest.approx(total(base, "kinship"), rel=0.05)
    assert more.attrs["adjust"] == [{"rate": "entries", "placement": None, "multiply": 1.5, "add": 0.0}]
    with pytest.raises(InvalidInputError):
        Adjustment("arrivals")
    with pytest.raises(InvalidInputError):
        forecast_monthly(result, 2, n_sims=2, adjust=[Adjustment("exits", add=-5)])


def test_costs_follow_children_price_and_inflation(steady):
    _, result = steady
    from rcc.forecast import DEFAULT_COSTS, forecast_costs

    fc = forecast_monthly(result, 24, n_sims=20, seed=1)
    flat = forecast_costs(fc, inflation=0.0)
    infl = forecast_costs(fc, inflation=0.05)
    tot = fc.attrs["totals"]
    one = tot[(tot.placement == "ifa_fostering") & (tot.month == tot.month.min())].children_expected.iloc[0]
    got = flat[(flat.placement == "ifa_fostering") & (flat.month == flat.month.min())].cost_gbp.iloc[0]
    assert got == pytest.approx(one * DEFAULT_COSTS["ifa_fostering"] * 365.25 / 12 / 7)
    last = flat.month.max()
    ratio = (infl[(infl.placement == "all") & (infl.month == last)].cost_gbp.iloc[0]
             / flat[(flat.placement == "all") & (flat.month == last)].cost_gbp.iloc[0])
    assert ratio == pytest.approx(1.05 ** ((last - fc.attrs["end"]).days / 365.25))
    allc = flat[flat.placement == "all"]
    assert (allc.cost_p10_gbp <= allc.cost_gbp).all() and (allc.cost_gbp <= allc.cost_p90_gbp).all()
    with pytest.raises(InvalidInputError):
        forecast_costs(fc, {"kinship": 300.0})


def test_filters_forecast_some_children_only(steady):
    _, result = steady
    girls = forecast_monthly(result, 2, n_sims=4, filters={"SEX": ["2"]}, history_months=0)
    boys = forecast_monthly(result, 2, n_sims=4, filters={"SEX": ["1"]}, history_months=0)
    now = [f[f.kind == "observed"].children.sum() for f in (girls, boys)]
    assert 0 < now[0] < len(result.placements) and now[0] + now[1] == len(result.placements)
    with pytest.raises(InvalidInputError, match="UPN"):
        forecast_monthly(result, 2, n_sims=2, filters={"UPN": ["x"]})


def test_entry_mix_window_is_chosen_by_backtest(steady):
    _, result = steady
    fc = forecast_monthly(result, 2, n_sims=2, history_months=0)
    windows = fc.attrs["mix_windows"]
    assert windows.chosen.sum() == 1 and len(windows) >= 3
    assert fc.attrs["mix_years"] == windows.loc[windows.chosen, "years"].iloc[0]
    from rcc.forecast.flowdata import MIX_TOLERANCE

    within = windows[windows.loglik >= windows.loglik.max() - MIX_TOLERANCE]  # the longest window close to the best
    assert windows.loc[windows.chosen, "years"].iloc[0] == within.years.max()


def test_named_scenarios_compare_side_by_side(steady):
    _, result = steady
    from rcc.forecast import compare_scenarios

    saved = [{"rate": "entries", "multiply": 1.5}]
    table = compare_scenarios(result, {"as estimated": [], "more entries": saved}, months=6, n_sims=10, seed=2)
    last = table[(table.placement == "all") & (table.month == table.month.max())].set_index("scenario")
    assert last.loc["more entries", "children_expected"] > last.loc["as estimated", "children_expected"]
    with pytest.raises(InvalidInputError):
        compare_scenarios(result, {})


def test_monthly_forecast_chart_from_the_library(steady):
    """The chart `rcc forecast` saves is a library function: one panel for all placements, one per drawn group."""
    import matplotlib.pyplot as plt

    from rcc.report import plot_monthly_forecast

    _, result = steady
    fc = forecast_monthly(result, 6, n_sims=8, seed=5)
    fig = plot_monthly_forecast(fc)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles[0] == "all placements" and len(titles) > 1
    first = fig.axes[0]
    assert {line.get_label() for line in first.get_lines()} == {"forecast", "observed"}
    plt.close(fig)


def test_transitions_are_the_estimated_monthly_chances(steady):
    ret, result = steady
    fc = forecast_monthly(result, 3, n_sims=5, seed=1)
    t = fc.attrs["transitions"].set_index(["placement", "age_band", "to"]).monthly_chance
    process = ret.process
    for g_from, g_to, band in (("in_house_fostering", "ifa_fostering", "5-10"), ("kinship", "in_house_fostering", "0-4"),
                               ("ifa_fostering", "supported_accommodation", "16-17")):
        i, j, b = GROUPS.index(g_from), GROUPS.index(g_to), list(AGE_BANDS).index(band)
        true = process.move_hazard[i, j, b] / 12  # yearly hazard -> monthly, to first order
        assert t[(g_from, band, g_to)] == pytest.approx(true, rel=0.3)
    for g in GROUPS:  # leaving care: the exit hazard of the group and band
        for b, band in enumerate(AGE_BANDS):
            if g == "supported_accommodation" and band != "16-17":
                continue
            assert t[(g, band, "leaves care")] == pytest.approx(process.exit_hazard[GROUPS.index(g), b] / 12, rel=0.3)
    assert ("kinship", "0-4", "supported_accommodation") not in t.index  # never seen: not a transition
