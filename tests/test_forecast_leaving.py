"""Leaving care at 18 (Staying Put, supported living) counted from the episodes' REC and forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcc.cli import main
from rcc.forecast import forecast_monthly
from rcc.forecast.leaving import OUTCOMES
from rcc.forecast.synthetic import GROUPS, SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903


@pytest.fixture(scope="module")
def ret():
    return synthetic_ssda903(SyntheticProcess(entries_per_year=300, staying_put=0.6), years=3, seed=2)


def test_staying_put_is_counted_and_forecast_from_rec_e17(ret):
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    fc = forecast_monthly(result, 12, n_sims=30, seed=1)
    hist = fc.attrs["leaving_history"]
    last = ret.episodes.groupby("CHILD").tail(1)
    assert hist[hist.outcome == "staying_put"].young_people.sum() == (last.REC == "E17").sum() > 0
    assert set(hist[hist.outcome == "staying_put"].placement) <= set(GROUPS[:3])  # only family-based care stays put
    family = hist[hist.placement.isin(GROUPS[:3])]
    share = family[family.outcome == "staying_put"].young_people.sum() / family.young_people.sum()
    assert share == pytest.approx(0.6, abs=0.12)
    fut = fc.attrs["leaving_at_18"]
    assert set(fut.outcome) == set(OUTCOMES) and (fut.young_people_p10 >= 0).all()
    assert (fut.young_people_p10 <= fut.young_people_expected + 1e-9).all()
    assert (fut.young_people_expected <= fut.young_people_p90 + 1e-9).all()
    by = fut.groupby("outcome").young_people_expected.sum()
    assert by.sum() == pytest.approx(fc.attrs["flows"].aged_out.sum())  # every leaver at 18 has one outcome
    assert by["supported_living"] == 0 and by["unknown"] == 0  # the synthetic return has no E5, every REC set
    assert 0.2 < by["staying_put"] / by.sum() < 0.6  # 60% of family-based leavers; none from homes or supported


def test_without_rec_staying_put_is_absent_not_guessed(ret, tmp_path, capsys):
    episodes = ret.episodes.drop(columns="REC")
    result = load_ssda903(ret.header, episodes, reference_date=ret.end_date, council_id="E1")
    fut = forecast_monthly(result, 3, n_sims=5, seed=1).attrs["leaving_at_18"]
    assert fut[fut.outcome != "unknown"].young_people_expected.isna().all()
    assert fut[fut.outcome == "unknown"].young_people_expected.sum() > 0
    episodes.to_csv(tmp_path / "episodes.csv", index=False)
    ret.header.to_csv(tmp_path / "header.csv", index=False)
    assert main(["forecast", "--ssda903", str(tmp_path / "header.csv"), str(tmp_path / "episodes.csv"),
                 "--reference-date", "2025-03-31", "--months", "12", "--sims", "5", "--quiet"]) == 0
    assert "Staying Put is not in the data" in capsys.readouterr().out


def test_cli_forecast_prints_and_writes_leaving_at_18(ret, tmp_path, capsys):
    header, episodes = ret.write(tmp_path / "in")
    assert main(["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31",
                 "--months", "12", "--sims", "5", "--quiet", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "council staying_put: last year" in out
    table = pd.read_csv(tmp_path / "out" / "leaving_at_18.csv")
    assert set(table.outcome) == set(OUTCOMES) and np.isfinite(table.young_people_expected).all()
    assert (tmp_path / "out" / "leaving_history.csv").exists() and (tmp_path / "out" / "exit_trends.csv").exists()
    moves = pd.read_csv(tmp_path / "out" / "transitions.csv")
    assert {"placement", "age_band", "to", "monthly_chance"} <= set(moves.columns) and (moves.monthly_chance > 0).all()
