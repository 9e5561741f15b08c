"""Invariants of the monthly forecast (Hypothesis): children are conserved, counts are never negative, and a
forecast of history with nothing random in it (no entries, exits or moves: children only age and leave at 18)
reproduces the observed stock month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rcc.core.schema import HOME_TYPES
from rcc.flows import EVENTS
from rcc.forecast import backtest_monthly, forecast_monthly
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903


@settings(max_examples=8, deadline=None)
@given(
    entries=st.floats(20, 200),
    growth=st.floats(-0.3, 0.4),
    drift=st.floats(0, 0.2),
    seed=st.integers(0, 2**16),
    months=st.integers(1, 8),
)
def test_children_are_conserved_and_never_negative(entries, growth, drift, seed, months):
    ret = synthetic_ssda903(SyntheticProcess(entries, growth, drift), years=2, seed=seed)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    fc = forecast_monthly(result, months, n_sims=4, seed=seed, history_months=0)
    counts = fc[["children", "children_expected", "children_p10", "children_p50", "children_p90"]]
    assert (counts.to_numpy() >= 0).all()
    initial = fc[fc.kind == "observed"].children.sum()
    assert initial == len(result.placements)
    tot = fc.attrs["totals"].query("placement == 'all'").sort_values("month")
    flows = fc.attrs["flows"].sort_values("month")
    # stock + exits + leaving at 18 = entries + initial, at every month (expected values: each draw conserves)
    left = tot.children_expected.to_numpy() + np.cumsum(flows.exits + flows.aged_out)
    assert np.allclose(left, initial + np.cumsum(flows.entries))
    per_cell = fc[fc.kind == "forecast"].groupby("month").children_expected.sum().sort_index()
    assert np.allclose(per_cell.to_numpy(), tot.children_expected.to_numpy())
    # and every simulated draw conserves its whole children exactly
    draws = fc.attrs["draws"]
    stock = draws["stock"].sum(axis=(2, 3))  # sims, months
    ev = draws["events"].sum(axis=2)  # sims, months, events
    start, end, aged = (EVENTS.index(e) for e in ("start", "end", "aged_out"))
    assert (stock == initial + np.cumsum(ev[..., start] - ev[..., end] - ev[..., aged], axis=1)).all()


@st.composite
def ageing_only(draw: st.DrawFn) -> pd.DataFrame:
    """Children all in care since 2015, who never leave, move or arrive: they only age, and leave at 18."""
    n = draw(st.integers(1, 25))
    born = draw(st.lists(st.integers(0, 365 * 14), min_size=n, max_size=n))
    dob = pd.Timestamp("2000-06-01") + pd.to_timedelta(born, unit="D")
    kinds = draw(st.lists(st.sampled_from(HOME_TYPES), min_size=n, max_size=n))
    seg = pd.DataFrame({"child_id": [f"c{i}" for i in range(n)], "council_id": "E1", "placement": kinds,
                        "start": pd.Timestamp("2015-01-01"), "dob": dob})
    eighteen = seg.dob + pd.DateOffset(years=18)
    seg["end"] = eighteen.where(eighteen <= pd.Timestamp("2025-03-31"))
    first = pd.DataFrame({"child_id": ["first"], "council_id": "E1", "placement": ["kinship"],
                          "start": pd.Timestamp("2015-01-01"), "dob": pd.Timestamp("2004-02-10"),
                          "end": pd.Timestamp("2022-02-10")})  # sets the window: a year and more of history
    return pd.concat([seg, first], ignore_index=True)


@settings(max_examples=15, deadline=None)
@given(seg=ageing_only(), holdout=st.sampled_from([1, 2]))
def test_forecast_of_history_reproduces_the_observed_stock(seg, holdout):
    bt = backtest_monthly(seg, holdout, n_sims=3, seed=0, end="2025-03-31")
    assert (bt.forecast == bt.observed).all()
    assert (bt.children_p10 == bt.observed).all() and (bt.children_p90 == bt.observed).all()
    assert (bt.coverage == 1).all()
    fc = forecast_monthly(seg, 3, end="2025-03-31", n_sims=2)
    obs = fc[(fc.kind == "observed") & (fc.month == pd.Timestamp("2025-03-31"))]
    in_care = seg.end.isna() | (seg.end > pd.Timestamp("2025-03-31"))
    assert obs.children.sum() == in_care.sum()
