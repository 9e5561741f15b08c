"""Invariants of the demand forecast on random rates and regions (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rcc.core.schema import AGE_BANDS
from rcc.forecast import forecast_from_region, project
from rcc.testing.strategies import regions

BANDS = list(AGE_BANDS)
WIDTH = [hi - lo + 1 for lo, hi in AGE_BANDS.values()]


@st.composite
def rate_tables(draw: st.DrawFn, *, exits: bool = True, entries: bool = True, ageing: bool = True) -> pd.DataFrame:
    """One to three council x need groups, every age band, with random stocks and rates."""
    groups = draw(
        st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["mainstream", "complex"])), min_size=1, max_size=3, unique=True)
    )
    n = 4 * len(groups)
    counts = st.lists(st.integers(0, 60), min_size=n, max_size=n)
    rates = st.lists(st.floats(0, 3), min_size=n, max_size=n)
    return pd.DataFrame(
        {
            "council_id": [g[0] for g in groups for _ in BANDS],
            "need": [g[1] for g in groups for _ in BANDS],
            "age_band": BANDS * len(groups),
            "stock": draw(counts),
            "entries_per_year": draw(rates) if entries else 0.0,
            "exit_hazard": draw(rates) if exits else 0.0,
            "ageing_hazard": [1 / w for w in WIDTH] * len(groups) if ageing else 0.0,
        }
    )


growth = st.one_of(st.floats(-0.5, 0.5), st.fixed_dictionaries({}, optional={"complex": st.floats(-0.5, 0.5)}))


@given(rate_tables(), st.integers(1, 6), growth, st.integers(0, 30), st.integers(0, 2**31))
def test_projection_is_never_negative_ordered_and_labels_consecutive_years(
    rates: pd.DataFrame, years: int, g: object, n_sims: int, seed: int
) -> None:
    f = project(rates, years, base_year=2020, n_sims=n_sims, seed=seed, entries_growth=g)  # type: ignore[arg-type]
    counts = ["children", "children_expected", "children_p10", "children_p50", "children_p90"]
    assert (f[counts] >= 0).all().all()
    assert ((f.children_p10 <= f.children_p50) & (f.children_p50 <= f.children_p90)).all()
    for _, rows in f.groupby("cohort_id"):
        assert rows.year.tolist() == list(range(2021, 2021 + years))


@given(rate_tables(exits=False, ageing=False), st.integers(1, 6), st.floats(0, 0.5))
def test_without_exits_or_ageing_every_child_stays_and_entries_add_up(rates: pd.DataFrame, years: int, g: float) -> None:
    f = project(rates, years, base_year=0, n_sims=0, entries_growth=g)
    r = rates.set_index(["council_id", "need", "age_band"])
    for row in f.itertuples(index=False):
        k = (row.council_id, row.need, row.age_band)
        came = r.entries_per_year[k] * sum((1 + g) ** t for t in range(1, row.year + 1))
        assert row.children_expected == pytest.approx(r.stock[k] + came)


@given(rate_tables(exits=False, entries=False), st.integers(1, 6), st.integers(1, 30), st.integers(0, 2**31))
def test_ageing_moves_children_between_bands_without_creating_any(rates: pd.DataFrame, years: int, n_sims: int, seed: int) -> None:
    # no exits, no entries, nobody ages out of 16-17: every child of a council x need stays in it.
    # Every band starts with a child, so no cohort is one project() leaves out as never reaching
    # half a child (a band only aged into, below 0.5 expected in every year, is not a row).
    rates = rates.assign(
        stock=np.maximum(rates.stock.to_numpy(), 1),
        ageing_hazard=[1 / w if b != "16-17" else 0.0 for b, w in zip(BANDS, WIDTH)] * (len(rates) // 4),
    )
    f = project(rates, years, base_year=0, n_sims=n_sims, seed=seed, include_base=True)
    totals = f.groupby(["council_id", "need", "year"]).children_expected.sum().unstack("year")
    start = rates.groupby(["council_id", "need"]).stock.sum()
    for year in totals.columns:
        assert np.allclose(totals[year].to_numpy(), start.reindex(totals.index).to_numpy())
    # and without ageing nobody moves at all, in every simulation
    still = project(rates.assign(ageing_hazard=0.0), years, base_year=0, n_sims=n_sims, seed=seed)
    stock = rates.set_index(["council_id", "need", "age_band"]).stock
    keys = pd.MultiIndex.from_frame(still[["council_id", "need", "age_band"]])
    for c in ("children_p10", "children_p90"):
        assert (still[c].to_numpy() == stock.reindex(keys).to_numpy()).all()


@given(
    regions(max_councils=2, max_cohorts=6),
    st.integers(1, 5),
    st.floats(0, 0.5),
    st.sampled_from([None, {"mainstream": 2}, {"complex": 3}]),
)
def test_forecast_from_region_starts_at_the_region_and_grows_in_consecutive_plan_years(
    region: object, years: int, g: float, sizes: dict[str, int] | None
) -> None:
    f = forecast_from_region(region, years, g, group_size=sizes)  # type: ignore[arg-type]
    cohorts = region.cohorts.set_index("cohort_id")  # type: ignore[attr-defined]
    assert (f[["children", "children_expected"]] >= 0).all().all()
    assert (f.children % f.group_size == 0).all()
    for cid, rows in f.groupby("cohort_id", sort=False):
        assert rows.year.tolist() == list(range(1, years + 1))
        k = int(rows.group_size.iloc[0])
        assert rows.children.iloc[0] == k * -(-int(cohorts.children[cid]) // k)  # year 1: the cohort, in whole groups
        assert (np.diff(rows.children.to_numpy()) >= 0).all()  # growth >= 0 never loses children
