"""The monthly forecast's exact expectation (rcc.forecast.expected) against its own engine, run many times."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from rcc.forecast import forecast_monthly
from rcc.forecast import monthly as fm
from rcc.forecast.expected import expected_stock
from rcc.forecast.flowdata import check_segments, count_flows, trend_mixture
from rcc.forecast.hazards import select_exit_trend
from rcc.forecast.synthetic import SCENARIOS, SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903

MONTHS = 9


def _setup(process, seed):
    """One draw of the forecast's rates for a small synthetic council, and its children on the end date."""
    ret = synthetic_ssda903(process, years=3, seed=seed)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    seg = check_segments(fm._segments_of(result, None))  # content order, as the forecast: not the salted ids' order
    counts = count_flows(seg, result.reference_date)
    trends = [trend_mixture(counts.entries[0], MONTHS)[0]]
    exits = [select_exit_trend(counts.period_exits[0], counts.period_exposure[0])[0]]
    rates = fm._rates(counts, trends, MONTHS, 1.0, np.random.default_rng(seed), (), exits)
    return rates, fm._initial(seg, counts.councils, counts.end), result


@pytest.mark.parametrize("scenario", ["changing mix", "growing"])
def test_expectation_is_the_mean_of_the_engine(scenario):
    base = SCENARIOS[scenario]
    small = SyntheticProcess(entries_per_year=150, entry_growth=base.entry_growth, mix_drift=base.mix_drift,
                             exit_trend=-0.1)
    rates, start, _ = _setup(small, 2)
    rates = attrs.evolve(rates, exit_trend=np.linspace(0.5, 1.6, MONTHS)[None, :])  # a trend the engine must follow
    exp = expected_stock(rates, start, MONTHS, 1)
    engine = fm._engine(rates, 1)
    runs = 300
    stock = np.zeros((runs, MONTHS, 1, fm._G, fm._B))
    events = np.zeros((runs, MONTHS, 5))
    for r in range(runs):
        pop, ev = start, engine.new_events(MONTHS)
        for m in range(MONTHS):
            pop = engine.step(pop, m, 10_000 + r, ev[m], check_all=False)
            stock[r, m] = fm._stock(pop, m, 1)
        events[r] = ev.sum(axis=(1, 2, 3))
    for sims, exact in ((stock, exp.stock), (events, exp.events[:, 0])):
        se = sims.std(axis=0) / np.sqrt(runs)
        z = np.abs(sims.mean(axis=0) - exact) / np.maximum(se, 0.05)
        assert z.max() < 4.5, z.max()  # some 300 cells: every one within 4.5 standard errors
    assert np.isclose(exp.stock[-1].sum(), stock[:, -1].sum(axis=(1, 2, 3)).mean(), rtol=0.01)


def test_expectation_conserves_children():
    rates, start, _ = _setup(SCENARIOS["steady"], 1)
    exp = expected_stock(rates, start, MONTHS, 1)
    total = exp.stock.sum(axis=(1, 2, 3))
    start_total = len(start)
    ev = exp.events[:, 0]
    change = ev[:, 0] - ev[:, 1] - ev[:, 2]  # entries - exits - aged out; moves keep children in care
    assert np.allclose(np.diff(np.r_[start_total, total]), change)
    assert np.allclose(exp.aged_out.sum(axis=2)[:, 0], ev[:, 2])
    assert (exp.stock >= 0).all()


def test_forecast_expected_is_the_mean_of_the_draws_expectations():
    _, _, result = _setup(SCENARIOS["steady"], 3)
    fc = forecast_monthly(result, 6, n_sims=40, seed=2)
    f = fc[fc.kind == "forecast"]
    tot = fc.attrs["totals"].query("placement == 'all'").set_index("month").children_expected
    assert np.allclose(f.groupby("month").children_expected.sum().to_numpy(), tot.to_numpy())
    draws = fc.attrs["draws"]
    assert np.allclose(draws["expected"].sum(axis=(1, 2)), tot.to_numpy())
    # the expectation is near the simulated children's mean, but not their noise: a second seed moves the
    # simulated mean more than it moves the expectation
    other = forecast_monthly(result, 6, n_sims=40, seed=3).attrs["draws"]
    sim_gap = np.abs(draws["stock"].mean(axis=0) - other["stock"].mean(axis=0)).sum()
    exp_gap = np.abs(draws["expected"] - other["expected"]).sum()
    assert exp_gap < sim_gap
