"""The monthly forecast on awkward inputs (sparse groups, nobody left after a filter, too little history for a
backtest, a malformed saved scenario: each either forecasts sensibly or says what is wrong), on several councils,
and scenarios compared on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rcc.cli import main
from rcc.core.errors import InvalidInputError
from rcc.forecast import backtest_monthly, forecast_monthly
from rcc.forecast.adjust import Adjustment
from rcc.forecast.flowdata import fit_trend
from rcc.forecast.synthetic import SCENARIOS, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903" / "cs-demand-model-regional-v1"
FILES = [str(SAMPLE / f) for f in ("header.csv.gz", "episodes.csv.gz", "uasc.csv.gz")]


def test_a_log_linear_trend_of_a_handful_of_entries_stays_finite():
    t = fit_trend(np.r_[1.0, np.zeros(35)], "log-linear", 36)  # one entry in three years, at the start
    assert np.isfinite(t.coef).all() and np.isfinite(t.cov).all()
    assert np.sqrt(t.cov[1, 1]) < 0.1  # the slope's doubt is bounded by its weak prior, not thousands
    many = np.random.default_rng(1).poisson(50 * np.exp(0.01 * np.arange(60))).astype(float)
    assert fit_trend(many, "log-linear", 0).coef[1] == pytest.approx(0.01, abs=0.004)  # plenty of data: the prior is silent


def test_cli_forecasts_sparse_uasc_children_of_a_late_reference_date(capsys):
    # the UASC children of 2022 are a handful: their log-linear entry trend ran off to infinity (lam too large)
    code = main(["forecast", "--ssda903", *FILES, "--reference-date", "2022-03-31", "--sims", "10", "--months", "6",
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "UASC" in out


def test_a_filter_that_keeps_nobody_is_an_input_error(capsys):
    ret = synthetic_ssda903(SCENARIOS["steady"], years=2, seed=2)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    with pytest.raises(InvalidInputError, match="CHILD"):
        forecast_monthly(result, 3, n_sims=2, filters={"SEX": ["9"]})
    code = main(["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--filter", "SEX=9",
                 "--quiet"])
    assert code == 2 and "children with placements" in capsys.readouterr().err


def test_a_backtest_needs_a_year_of_complete_history_before_its_cut():
    ret = synthetic_ssda903(SCENARIOS["steady"], years=2, seed=3)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    # before the extract's first year only the children still in care are in it: a cut there was scored as
    # if it were history (errors of +89% to +164%)
    with pytest.raises(InvalidInputError, match="holdout_years"):
        backtest_monthly(result, 2, n_sims=2)
    ret = synthetic_ssda903(SCENARIOS["steady"], years=4, seed=3)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    bt = backtest_monthly(result, 2, n_sims=10)
    assert bt.error_pct.abs().median() < 25


def test_a_saved_scenario_with_a_malformed_adjustment_is_an_input_error(tmp_path, capsys):
    with pytest.raises(InvalidInputError, match="adjustment"):
        Adjustment.from_dict(5)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "bad", "adjust": [5]}))
    code = main(["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--scenario", str(path),
                 "--sims", "2", "--quiet"])
    assert code == 2 and "adjustment" in capsys.readouterr().err


def test_several_councils_have_a_total_together_with_its_own_band(capsys):
    result = load_ssda903(*[pd.read_csv(f, dtype=str) for f in FILES[:2]], reference_date="2021-03-31")
    fc = forecast_monthly(result, 12, n_sims=40, seed=3)
    both = fc.attrs["region_totals"].set_index(["month", "placement"])
    each = fc.attrs["totals"].groupby(["month", "placement"]).children_expected.sum()
    assert np.allclose(both.children_expected.reindex(each.index), each)  # expected counts add up
    draws = fc.attrs["draws"]["stock"].sum(axis=(2, 3)).astype(float)  # sims, months: all councils, all groups
    at = both.xs("all", level="placement")
    assert (at.children_p10.to_numpy() == np.percentile(draws, 10, axis=0, method="lower")).all()
    # the band of the sum is narrower than the sum of the councils' bands (their doubts are not all one way)
    per = fc.attrs["totals"].query("placement == 'all'").groupby("month")[["children_p10", "children_p90"]].sum()
    assert ((at.children_p90 - at.children_p10) <= (per.children_p90 - per.children_p10)).all()
    assert main(["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--sims", "10", "--quiet"]) == 0
    assert "all 3 councils" in capsys.readouterr().out


def test_cli_compares_saved_scenarios_and_backtests_the_model_as_estimated(tmp_path, capsys):
    paths = []
    for name, rate, k in (("more entries", "entries", 1.5), ("fewer exits", "exits", 0.5)):
        paths.append(tmp_path / f"{rate}.json")
        paths[-1].write_text(json.dumps({"name": name, "adjust": [{"rate": rate, "multiply": k}]}))
    base = ["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--sims", "20", "--months", "12",
            "--quiet"]
    assert main([*base, "--backtest", "1", "--compare", *map(str, paths), "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "scenarios side by side" in out and "more entries" in out and "fewer exits" in out
    table = pd.read_csv(tmp_path / "a" / "scenarios.csv")
    last = table[(table.placement == "all") & (table.month == table.month.max())].groupby("scenario").children_expected.sum()
    assert last["more entries"] > last["as estimated"] and last["fewer exits"] > last["as estimated"]
    # a scenario changes the forecast, not the backtest of the model on the council's history
    assert main([*base, "--backtest", "1", "--scenario", str(paths[0]), "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    a, b = (pd.read_csv(tmp_path / d / "backtest.csv") for d in ("a", "b"))
    pd.testing.assert_frame_equal(a, b)
    assert main([*base, "--scenario", str(paths[0]), "--compare", str(paths[0])]) == 2  # one name, twice
    assert "names of their own" in capsys.readouterr().err


def test_a_forecast_is_the_same_whatever_the_pseudonyms():
    # load_ssda903 pseudonymises with a fresh salt each time: the children came in another order, so each run of
    # `rcc forecast` on the same files gave another forecast and backtest for the same seed
    header, episodes = (pd.read_csv(f, dtype=str) for f in FILES[:2])
    runs = []
    for salt in ("one", "two"):
        result = load_ssda903(header, episodes, reference_date="2021-03-31", salt=salt)
        runs.append((forecast_monthly(result, 6, n_sims=15, seed=4), backtest_monthly(result, 1, n_sims=10, seed=4)))
    pd.testing.assert_frame_equal(runs[0][0].table, runs[1][0].table)
    pd.testing.assert_frame_equal(runs[0][1], runs[1][1])


def test_moves_a_scenario_adds_to_a_group_without_any_go_where_children_of_that_age_go():
    ret = synthetic_ssda903(SCENARIOS["steady"], years=3, seed=5)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    # the synthetic council has no secure homes: no recorded moves out of them, so no destination shares
    fc = forecast_monthly(result, 3, n_sims=5, seed=1,
                          adjust=[Adjustment("moves", "secure_home", add=2.0), Adjustment("moves", "kinship", add=0.5)])
    t = fc.attrs["transitions"]
    away = t[(t.placement == "secure_home") & (t.to != "leaves care")]
    assert len(away) and (away.to != "secure_home").all()
    young = away[away.age_band == "5-10"].set_index("to").monthly_chance
    assert "supported_accommodation" not in young.index  # not sent to the last group whatever the age
    assert young.sum() == pytest.approx(1 - np.exp(-2.0 / 12), rel=0.2)  # the added hazard, all of it going somewhere
    rows = t.groupby(["placement", "age_band"]).monthly_chance.sum()
    assert (rows < 1).all() and (t.monthly_chance >= 1e-6).all()


def test_cli_scenario_files_are_checked_before_anything_runs(tmp_path, capsys):
    base = ["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--sims", "5", "--months", "6",
            "--backtest", "1", "--quiet"]
    bad_rate, not_json, estimated = tmp_path / "rate.json", tmp_path / "x.json", tmp_path / "est.json"
    bad_rate.write_text(json.dumps({"name": "r", "adjust": [{"rate": "entry", "multiply": 2}]}))
    not_json.write_text("not json")
    estimated.write_text(json.dumps({"name": "as estimated", "adjust": [{"rate": "entries", "multiply": 2}]}))
    for args, option, words in ((["--scenario", str(bad_rate)], "adjustment", "rate"),
                                (["--compare", str(not_json)], "--compare", "readable JSON"),
                                (["--scenario", str(estimated), "--compare", str(bad_rate)], "--scenario", "as estimated")):
        assert main([*base, *args]) == 2
        out, err = capsys.readouterr()
        assert "backtest:" not in out and option in err and words in err  # refused before the backtest ran


def test_cli_forecast_of_returns_naming_councils_writes_their_codes_and_names(tmp_path, capsys):
    # the sample's LA column holds names ("Bromley"): the outputs had council_id=Bromley and no council_name
    out = tmp_path / "fc"
    code = main(["forecast", "--ssda903", *FILES[:2], "--reference-date", "2021-03-31", "--sims", "5", "--months", "3",
                 "--quiet", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    for name in ("forecast.csv", "totals.csv"):
        table = pd.read_csv(out / name)
        pairs = set(zip(table.council_id, table.council_name))
        assert pairs == {("E09000006", "Bromley"), ("E09000017", "Hillingdon"), ("E09000028", "Southwark")}, (name, pairs)


def test_a_return_naming_a_council_three_ways_is_coded_once_and_its_cohorts_added_up():
    from rcc.cli._data import coded_result

    header, episodes = (pd.read_csv(SAMPLE / f"{t}.csv.gz", dtype=str) for t in ("header", "episodes"))
    bromley = header.CHILD[header.LA == "Bromley"].unique()
    way = {c: ("Bromley", "E09000006", "305")[i % 3] for i, c in enumerate(bromley)}  # name, ONS code, DfE number
    for t in (header, episodes):
        t["LA"] = [way.get(c, la) for c, la in zip(t.CHILD, t.LA)]
    result = load_ssda903(header, episodes, reference_date="2021-03-31")
    named = load_ssda903(*(pd.read_csv(SAMPLE / f"{t}.csv.gz", dtype=str) for t in ("header", "episodes")),
                         reference_date="2021-03-31")
    assert {"Bromley", "E09000006", "305"} <= set(result.header.council_id)
    coded = coded_result(result)
    assert set(coded.header.council_id) == {"E09000006", "E09000017", "E09000028"}
    assert coded.cohorts.cohort_id.is_unique and coded.cohorts.children.sum() == result.cohorts.children.sum()
    by_council = coded.cohorts.groupby("council_id").children.sum()
    assert by_council["E09000006"] == named.cohorts[named.cohorts.council_id == "Bromley"].children.sum()
    assert not coded.excluded.duplicated(["council_id", "reason"]).any()
    assert set(coded.placements.cohort_id.dropna()) <= set(coded.cohorts.cohort_id) | set(
        coded.placements.cohort_id[coded.placements.excluded.notna()].dropna())
