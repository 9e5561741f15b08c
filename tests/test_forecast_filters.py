"""Filters of the monthly forecast by SSDA903 characteristics (sex, ethnicity, UASC), library and `rcc forecast`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rcc.cli import main
from rcc.core.errors import InvalidInputError
from rcc.forecast import forecast_monthly
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903" / "cs-demand-model-regional-v1"
FILES = [str(SAMPLE / f) for f in ("header.csv.gz", "episodes.csv.gz", "uasc.csv.gz")]


@pytest.fixture(scope="module")
def ret():
    r = synthetic_ssda903(SyntheticProcess(entries_per_year=160), years=3, seed=5)
    ethnic = (["WBRI", "ABAN", "BCRB", "MWBC"] * len(r.header))[: len(r.header)]
    return r, r.header.assign(ETHNIC=ethnic)


def _load(header, episodes):
    return load_ssda903(header, episodes, reference_date="2025-03-31", council_id="E1", salt="same")


@pytest.mark.parametrize("column, codes", [("SEX", ["2"]), ("ETHNIC", ["ABAN", "MWBC"])])
def test_a_filtered_forecast_is_the_forecast_of_the_prefiltered_episodes(ret, column, codes):
    r, header = ret
    filtered = forecast_monthly(_load(header, r.episodes), 12, n_sims=12, seed=4, filters={column: codes})
    kids = header[header[column].isin(codes)]
    alone = forecast_monthly(_load(kids, r.episodes[r.episodes.CHILD.isin(kids.CHILD)]), 12, n_sims=12, seed=4)
    now = filtered[(filtered.kind == "observed") & (filtered.month == filtered.attrs["end"])].children.sum()
    assert 0 < now < len(_load(header, r.episodes).placements)
    pd.testing.assert_frame_equal(filtered, alone)
    pd.testing.assert_frame_equal(filtered.attrs["totals"], alone.attrs["totals"])
    pd.testing.assert_frame_equal(filtered.attrs["trends"], alone.attrs["trends"])


def test_uasc_children_are_those_of_the_uasc_table():
    result = load_ssda903(*FILES[:2], uasc=FILES[2], reference_date="2021-03-31")
    assert set(result.header.UASC) == {"0", "1"}
    uasc = forecast_monthly(result, 3, n_sims=5, filters={"UASC": ["1"]}, history_months=0)
    other = forecast_monthly(result, 3, n_sims=5, filters={"UASC": ["0"]}, history_months=0)
    both = forecast_monthly(result, 3, n_sims=5, history_months=0)
    now = [f[f.kind == "observed"].children.sum() for f in (uasc, other, both)]
    assert now[0] > 0 and now[0] + now[1] == now[2]
    in_care_uasc = result.placements[result.placements.uasc & result.placements.excluded.isna()]
    assert now[0] >= len(in_care_uasc)  # UASC now, and former UASC still in care
    plain = load_ssda903(*FILES[:2], reference_date="2021-03-31")
    assert "UASC" not in plain.header.columns
    with pytest.raises(InvalidInputError, match="UASC table"):
        forecast_monthly(plain, 3, n_sims=2, filters={"UASC": ["1"]})
    with pytest.raises(InvalidInputError, match="codes"):
        forecast_monthly(result, 3, n_sims=2, filters={"SEX": "2"})


def test_cli_forecast_shows_uasc_separately_and_filters_on_it(tmp_path, capsys):
    base = ["forecast", "--ssda903", *FILES, "--reference-date", "2021-03-31", "--months", "6", "--sims", "5", "--quiet"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "UASC children (the UASC table's children" in out
    assert (tmp_path / "a" / "uasc_totals.csv").exists()
    assert main([*base, "--filter", "UASC=0", "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "UASC children" not in out and not (tmp_path / "b" / "uasc_totals.csv").exists()
    assert main([*base[:4], *base[5:], "--filter", "UASC=1"]) == 2  # no UASC file: refused
    assert main([*base, "--filter", "SEX=1", "SEX=2"]) == 2  # a column twice is refused, never one filter dropped
    assert "each column once" in capsys.readouterr().err
