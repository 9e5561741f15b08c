"""Tests of the demand forecast (rcc.forecast): crafted data with known rates, and the SSDA903 samples."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.core.errors import InvalidInputError
from rcc.core.outputs import check_output
from rcc.core.schema import AGE_BANDS, NEEDS
from rcc.forecast import (
    FORECAST_COLUMNS,
    RATE_COLUMNS,
    REGION_FORECAST_COLUMNS,
    estimate_rates,
    forecast_demand,
    forecast_from_region,
    project,
    spells_from_ssda903,
)
from rcc.io.ssda903 import load_ssda903

# fake SSDA903 samples shipped with the tests (sources, licences: SOURCES.md there)
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "ssda903"
DEMAND = SAMPLES / "cs-demand-model-regional-v1"
VALIDATOR = SAMPLES / "csc-validator-be-903"


@pytest.fixture(scope="module")
def samples() -> Path:
    return SAMPLES


def _steady(entries_per_year: int, years: int, duration_years: float, band: str = "11-15") -> pd.DataFrame:
    """Spells arriving evenly, each lasting ``duration_years`` (no dates of birth)."""
    n = entries_per_year * years
    starts = pd.date_range("2000-01-01", periods=n, freq=pd.Timedelta(days=365.25 / entries_per_year))
    return pd.DataFrame(
        {
            "child_id": [f"x{i}" for i in range(n)],
            "council_id": "A",
            "need": "complex",
            "age_band": band,
            "DECOM": starts,
            "DEC": starts + pd.Timedelta(days=round(365.25 * duration_years)),
        }
    )


# --------------------------------------------------------------------------- estimation


def test_known_entry_rate_duration_and_stock() -> None:
    spells = _steady(entries_per_year=24, years=20, duration_years=1.5)
    r = estimate_rates(spells, start="2010-01-01", end="2019-01-01", prior_years=0)
    row = r.set_index("age_band").loc["11-15"]
    assert row.entries_per_year == pytest.approx(24, rel=0.01)
    assert row.exit_hazard == pytest.approx(1 / 1.5, rel=0.01)
    assert row.mean_duration_years == pytest.approx(1.5, rel=0.01)
    assert row.exit_rate == pytest.approx(1 - math.exp(-1 / 1.5), rel=0.01)
    assert row.stock == 36  # 24 a year x 1.5 years
    assert row.ageing_hazard == 0  # no dates of birth: ageing off by default
    assert list(r.columns) == list(RATE_COLUMNS)
    # the other bands of the council x need are present and empty
    assert r.age_band.tolist() == list(AGE_BANDS)
    assert r.drop(index=row.name if False else r.index[r.age_band == "11-15"]).stock.sum() == 0


def test_default_window_starts_at_the_first_recorded_end() -> None:
    spells = _steady(entries_per_year=12, years=10, duration_years=2)
    r = estimate_rates(spells)
    first_end = pd.Timestamp(spells.DEC.min()).normalize()
    assert r.attrs["start"] == first_end
    assert r.attrs["end"] == pd.Timestamp(spells.DEC.max()).normalize()


def test_dates_of_birth_split_spells_by_band_and_ageing_is_not_an_exit() -> None:
    # one child a month comes into care at birth and stays until 18
    dob = pd.date_range("1980-01-01", "2020-12-01", freq="MS")
    spells = pd.DataFrame({"council_id": "A", "need": "mainstream", "start": dob, "end": pd.NaT, "dob": dob})
    r = estimate_rates(spells, start="2015-01-01", end="2020-12-31", prior_years=0).set_index("age_band")
    assert r.exits.sum() == 0  # birthdays are ageing, not exits; leaving at 18 is ageing out of 16-17
    assert r.entries.tolist() == [r.entries["0-4"], 0, 0, 0]
    assert r.entries_per_year["0-4"] == pytest.approx(12, rel=0.02)
    assert r.stock.tolist() == [60, 72, 60, 24]  # 12 a year x band width
    assert r.ageing_hazard.tolist() == pytest.approx([1 / 5, 1 / 6, 1 / 5, 1 / 2])


def test_a_spell_ending_on_the_18th_birthday_is_ageing_and_one_ending_before_is_an_exit() -> None:
    spells = pd.DataFrame(
        {
            "council_id": "A",
            "need": "supported_16plus",
            "start": ["2019-01-01", "2019-01-01"],
            "end": ["2020-06-01", "2020-03-01"],
            "dob": ["2002-06-01", "2002-06-01"],
        }
    )
    r = estimate_rates(spells, start="2018-01-01", end="2021-01-01").set_index("age_band")
    assert r.exits["16-17"] == 1
    assert r.entries["16-17"] == 2


def test_exit_hazard_shrinks_towards_the_pooled_rate() -> None:
    big = _steady(entries_per_year=50, years=12, duration_years=1.0)
    small = _steady(entries_per_year=1, years=12, duration_years=4.0).assign(council_id="B")
    spells = pd.concat([big, small], ignore_index=True)
    own = estimate_rates(spells, start="2005-07-01", end="2011-07-01", prior_years=0).set_index("cohort_id")
    pooled = estimate_rates(spells, start="2005-07-01", end="2011-07-01", prior_years=5).set_index("cohort_id")
    b = "B:complex:11-15"
    assert own.exit_hazard[b] == pytest.approx(0.25, rel=0.1)
    assert own.exit_hazard[b] < pooled.exit_hazard[b] < own.exit_hazard["A:complex:11-15"]


def test_spell_validation_errors() -> None:
    good = _steady(2, 3, 1.0)
    with pytest.raises(InvalidInputError, match="need"):
        estimate_rates(good.assign(need="flying"))
    with pytest.raises(InvalidInputError, match="dob"):
        estimate_rates(good.drop(columns="age_band"))
    with pytest.raises(InvalidInputError, match="end"):
        estimate_rates(good.assign(DEC=good.DECOM - pd.Timedelta(days=1)))
    with pytest.raises(InvalidInputError, match="council_id"):
        estimate_rates(good.drop(columns="council_id"))
    with pytest.raises(InvalidInputError, match="start"):
        estimate_rates(good, start="2030-01-01", end="2020-01-01")
    with pytest.raises(InvalidInputError, match="date"):
        estimate_rates(good.assign(DECOM="yesterday"))


# --------------------------------------------------------------------------- projection


def _rates(stock: float, entries: float, hazard: float, ageing: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "council_id": ["A"],
            "need": ["complex"],
            "age_band": ["11-15"],
            "stock": [stock],
            "entries_per_year": [entries],
            "exit_hazard": [hazard],
            "ageing_hazard": [ageing],
        }
    )


@pytest.mark.parametrize("stock", [0, 40, 200])
def test_projection_converges_to_entries_over_exit_hazard(stock: int) -> None:
    f = project(_rates(stock, entries=10, hazard=0.25), years=80, n_sims=0)
    assert f.children_expected.iloc[-1] == pytest.approx(40, rel=1e-6)
    assert f.children.iloc[-1] == 40
    # monotone approach from either side
    d = np.diff(f.children_expected.to_numpy())
    assert (d >= -1e-9).all() if stock < 40 else (d <= 1e-9).all()


def test_one_year_step_is_the_exact_solution_of_the_flow_equation() -> None:
    lam, e, s0 = 0.5, 12.0, 30.0
    f = project(_rates(s0, e, lam), years=1, n_sims=0)
    exact = s0 * math.exp(-lam) + e / lam * (1 - math.exp(-lam))
    assert f.children_expected.item() == pytest.approx(exact)


def test_ageing_moves_children_up_bands_and_out_at_18() -> None:
    rates = pd.DataFrame(
        {
            "council_id": "A",
            "need": "mainstream",
            "age_band": list(AGE_BANDS),
            "stock": [0, 0, 0, 0],
            "entries_per_year": [10.0, 0, 0, 0],
            "exit_hazard": [0.0, 0, 0, 0],
            "ageing_hazard": [1 / 5, 1 / 6, 1 / 5, 1 / 2],
        }
    )
    f = project(rates, years=200, n_sims=0)
    last = f[f.year == f.year.max()].set_index("age_band").children_expected
    assert last.tolist() == pytest.approx([50, 60, 50, 20], rel=1e-6)  # entries x band width
    # total never exceeds everyone who came in
    assert f.groupby("year").children_expected.sum().max() <= 10 * 18 + 1e-6


def test_entries_growth_compounds() -> None:
    base = project(_rates(0, 10, 1.0), years=3, n_sims=0).children_expected.to_numpy()
    grown = project(_rates(0, 10, 1.0), years=3, n_sims=0, entries_growth={"complex": 0.1}).children_expected
    assert (grown.to_numpy() > base).all()
    assert project(_rates(0, 10, 1.0), years=3, n_sims=0, entries_growth={"mainstream": 0.5}).children_expected.tolist() == (
        pytest.approx(base.tolist())
    )
    with pytest.raises(InvalidInputError, match="entries_growth"):
        project(_rates(0, 10, 1.0), years=3, entries_growth={"flying": 0.1})


def test_uncertainty_band_is_seeded_ordered_and_centred() -> None:
    rates = _rates(30, 12, 0.4).assign(hazard_shape=40.0, hazard_scale_years=100.0, entries=60, window_years=5.0)
    a = project(rates, years=5, n_sims=2000, seed=7)
    b = project(rates, years=5, n_sims=2000, seed=7)
    c = project(rates, years=5, n_sims=2000, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.children_p90.equals(c.children_p90) or not a.children_p10.equals(c.children_p10)
    assert (a.children_p10 <= a.children_p50).all() and (a.children_p50 <= a.children_p90).all()
    assert (a.children_p10 < a.children_p90).all()
    assert ((a.children_p10 <= a.children_expected) & (a.children_expected <= a.children_p90)).all()
    # the band widens with the horizon
    width = (a.children_p90 - a.children_p10).to_numpy()
    assert width[-1] > width[0]


def test_simulated_median_follows_the_expected_projection() -> None:
    """Process noise only (no posterior columns): with thousands of children per cohort the
    simulated children are close to normal, so their median is the expected value within
    sampling error (a wrong stay, arrival or ageing share would move it by far more)."""
    rates = pd.DataFrame(
        {
            "council_id": "A",
            "need": "mainstream",
            "age_band": list(AGE_BANDS),
            "stock": [2000, 3000, 2500, 1000],
            "entries_per_year": [1500.0, 1000, 1200, 600],
            "exit_hazard": [0.6, 0.4, 0.5, 0.9],
            "ageing_hazard": [1 / 5, 1 / 6, 1 / 5, 1 / 2],
        }
    )
    f = project(rates, years=3, n_sims=4000, seed=3, entries_growth=0.05)
    expected = f.children_expected.to_numpy()
    # the spread of a sum of binomial and Poisson draws is at most Poisson-like: sd <= sqrt(mean)
    se_median = 1.26 * np.sqrt(expected) / math.sqrt(4000)
    assert np.all(np.abs(f.children_p50.to_numpy() - expected) < 4 * se_median + 1), (f.children_p50, expected)
    assert (f.children_p10 < f.children_p50).all() and (f.children_p50 < f.children_p90).all()
    # and the band is about as wide as that noise: p90 - p10 about 2.56 sd, sd below sqrt(mean)
    assert ((f.children_p90 - f.children_p10) <= 2.6 * np.sqrt(expected) + 2).all()


def test_projection_checks_its_inputs() -> None:
    with pytest.raises(InvalidInputError, match="years"):
        project(_rates(1, 1, 1), years=0)
    with pytest.raises(InvalidInputError, match="exit_hazard"):
        project(_rates(1, 1, -1))
    with pytest.raises(InvalidInputError, match="stock"):
        project(_rates(1, 1, 1).drop(columns="stock"))
    with pytest.raises(InvalidInputError, match="age_band"):
        project(_rates(1, 1, 1).assign(age_band="teen"))


def test_forecast_shape_and_base_year() -> None:
    spells = _steady(entries_per_year=12, years=10, duration_years=2)
    f = forecast_demand(spells, years=3, end="2009-03-31", n_sims=200, include_base=True)
    assert list(f.columns) == list(FORECAST_COLUMNS)
    assert f.year.tolist() == [2009, 2010, 2011, 2012]
    assert f.children.iloc[0] == f.attrs["rates"].set_index("age_band").stock["11-15"]
    assert f.cohort_id.unique().tolist() == ["A:complex:11-15"]  # empty bands left out
    assert "child_id" not in f.columns and "child_id" not in f.attrs["rates"].columns


# --------------------------------------------------------------------------- SSDA903 samples


def _load(folder: Path, **kwargs: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_ssda903(folder / "header.csv.gz", folder / "episodes.csv.gz", salt="t", **kwargs)  # type: ignore[arg-type]


def test_stock_from_spells_matches_the_ssda903_cohorts(samples: Path) -> None:
    res = _load(DEMAND, reference_date="2021-03-31")
    rates = estimate_rates(spells_from_ssda903(res), end="2021-03-31")
    mine = rates.set_index("cohort_id").stock
    mine = mine[mine > 0]
    theirs = res.cohorts.set_index("cohort_id").children  # type: ignore[attr-defined]
    pd.testing.assert_series_equal(mine.sort_index(), theirs.sort_index(), check_names=False)


def test_stock_close_to_the_ssda903_cohorts_on_the_validator_sample(samples: Path) -> None:
    # the fake validator data has children whose open episode starts before later closed
    # ones; spells end an episode when the next one starts, load_ssda903 counts the open
    # one: a handful of children differ (documented in spells_from_ssda903)
    res = _load(VALIDATOR, reference_date="2018-03-31", council_id="E09000033")
    rates = estimate_rates(spells_from_ssda903(res), end="2018-03-31")
    total = res.cohorts.children.sum()  # type: ignore[attr-defined]
    assert abs(rates.stock.sum() - total) <= 0.01 * total


def test_spells_never_overlap_and_exclusions_are_not_demand(samples: Path) -> None:
    res = _load(DEMAND, reference_date="2021-03-31")
    sp = spells_from_ssda903(res)
    assert set(sp.need) <= set(NEEDS)
    s = sp.sort_values(["council_id", "child_id", "start"])
    same = (s.child_id.shift(-1) == s.child_id) & (s.council_id.shift(-1) == s.council_id)
    nxt = s.start.shift(-1)
    assert not ((s.end.isna() | (s.end > nxt)) & same).any()
    # consecutive spells of one child without a gap have different needs (else merged)
    touching = same & (s.end == nxt)
    assert (s.need[touching].to_numpy() != s.need.shift(-1)[touching].to_numpy()).all()


def test_forecast_on_the_multi_year_sample(samples: Path) -> None:
    res = _load(DEMAND, reference_date="2021-03-31")
    f = forecast_demand(res, years=5, end="2021-03-31", n_sims=300, seed=1)
    assert list(f.columns) == list(FORECAST_COLUMNS)
    check_output("demand_forecast", f)  # the output schema in docs/schema.md
    assert sorted(f.year.unique()) == [2022, 2023, 2024, 2025, 2026]
    assert set(f.council_id) == {"Bromley", "Hillingdon", "Southwark"}
    assert set(f.need) <= set(NEEDS) and set(f.age_band) <= set(AGE_BANDS)
    assert (f[["children", "children_p10", "children_p50", "children_p90"]] >= 0).all().all()
    assert (f.children_p10 <= f.children_p90).all()
    rates = f.attrs["rates"]
    assert rates.attrs["start"] == pd.Timestamp("2016-12-07")  # the first recorded DEC
    # every cohort with time in care has an exit hazard (borrowed from the pool when it saw no exit)
    assert (rates.exit_hazard[rates.exposure_years > 0] > 0).all()
    again = forecast_demand(res, years=5, end="2021-03-31", n_sims=300, seed=1)
    pd.testing.assert_frame_equal(f, again)


# --------------------------------------------------------------------------- from a region


def test_forecast_from_region_year_one_is_the_region_as_it_is(tiny: rcc.Region) -> None:
    f = forecast_from_region(tiny, 3, {"mainstream": 0.1})
    assert list(f.columns) == list(REGION_FORECAST_COLUMNS)
    assert len(f) == 3 * len(tiny.cohorts)
    assert f.cohort_id.unique().tolist() == tiny.cohorts.cohort_id.tolist()  # the region's order
    m = f[f.cohort_id == "A-m-5"]
    assert m.year.tolist() == [1, 2, 3]  # plan years
    assert m.children_expected.tolist() == pytest.approx([6, 6.6, 7.26])  # grown (1 + rate) ** (year - 1)
    assert m.children.tolist() == [6, 7, 7]
    assert (m.children_p10 == m.children).all() and (m.children_p90 == m.children).all()
    flat = f[f.cohort_id == "A-c-11"]
    assert flat.children.tolist() == [1, 1, 1]
    everything = forecast_from_region(tiny, 2, 0.5)
    assert everything[everything.year == 2].children_expected.sum() == pytest.approx(1.5 * tiny.cohorts.children.sum())
    with pytest.raises(InvalidInputError, match="growth_by_need"):
        forecast_from_region(tiny, 1, {"flying": 0.1})
    with pytest.raises(InvalidInputError, match="years"):
        forecast_from_region(tiny, 0)
    with pytest.raises(InvalidInputError, match="base_year"):
        forecast_from_region(tiny, 2, base_year=2025)


def test_forecast_from_region_rounds_up_to_whole_groups(tiny: rcc.Region) -> None:
    f = forecast_from_region(tiny, 2, 0.2, group_size={"mainstream": 4})
    m = f[f.cohort_id == "A-m-5"]
    assert m.children_expected.tolist() == pytest.approx([6, 7.2])
    assert m.children.tolist() == [8, 8] and (m.group_size == 4).all()
    assert (f[f.need != "mainstream"].group_size == 1).all()
    with pytest.raises(InvalidInputError, match="group_size"):
        forecast_from_region(tiny, 1, group_size={"mainstream": 0})


def test_one_forecast_from_region_and_the_old_growth_keyword_warns(tiny: rcc.Region) -> None:
    assert rcc.sufficiency.forecast_from_region is rcc.forecast_from_region is forecast_from_region
    assert rcc.sufficiency.EXAMPLE_GROWTH is rcc.forecast.EXAMPLE_GROWTH
    new = forecast_from_region(tiny, 3, growth_by_need={"complex": 0.3}, group_size={"mainstream": 2})
    with pytest.warns(DeprecationWarning, match="growth_by_need=.*Only the keyword changed"):
        old = forecast_from_region(tiny, 3, growth={"complex": 0.3}, group_size={"mainstream": 2})
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(DeprecationWarning), pytest.raises(InvalidInputError) as err:
        forecast_from_region(tiny, 1, growth=float("nan"))
    assert err.value.column == "growth"  # the error names the keyword the caller used
    with pytest.raises(InvalidInputError, match="not both"):
        forecast_from_region(tiny, 1, 0.1, growth=0.1)


def test_forecast_from_region_numbers_for_greater_manchester() -> None:
    """The number quoted in the docstring: two years, complex +10% a year."""
    gm = rcc.datasets.england("Greater Manchester RCC")
    f = forecast_from_region(gm, 2, {"complex": 0.10})
    by_year = f.groupby("year").children.sum()
    assert by_year.tolist() == [gm.cohorts.children.sum(), 6090] and by_year.sum() == 12_106
    complex_ = f[f.need == "complex"].groupby("year").children_expected.sum()
    assert complex_[2] == pytest.approx(1.1 * complex_[1])


def test_forecast_feeds_the_sufficiency_plan():
    """A forecast from episodes, matched to a region's cohorts, drives a sufficiency plan."""
    import rcc
    from rcc.forecast import to_sufficiency_forecast

    region = rcc.datasets.england("Greater Manchester RCC")
    f = rcc.forecast_from_region(region, years=2, growth_by_need={"complex": 0.1})
    suff_f = to_sufficiency_forecast(f, region)
    assert set(suff_f.year) == {1, 2}
    # forecast_from_region already has plan years: only the columns change
    pd.testing.assert_frame_equal(suff_f, f[["cohort_id", "year", "children", "group_size"]].reset_index(drop=True))
    assert set(suff_f.cohort_id) <= set(region.cohorts.cohort_id)
    complex_ids = set(region.cohorts.cohort_id[region.cohorts.need == "complex"])
    grown = suff_f[suff_f.cohort_id.isin(complex_ids)].groupby("year").children.sum()
    assert grown[2] > grown[1]
    params = rcc.SufficiencyParams(years=2)
    plan = rcc.sufficiency_plan(region, rcc.default_options(region), suff_f, None, params)
    assert plan.status.value in ("optimal", "time_limit")
    with pytest.raises(rcc.InvalidInputError, match="forecast"):
        to_sufficiency_forecast(f.assign(council_id="E99999999"), region)
