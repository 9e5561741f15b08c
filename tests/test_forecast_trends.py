"""Trends of the monthly forecast chosen by backtest: exit hazards (rcc.forecast.hazards), the weighted entry
trends, and the shrinkage of sparse cells."""

from __future__ import annotations

import numpy as np
import pytest

from rcc.forecast import forecast_monthly
from rcc.forecast.flowdata import trend_mixture
from rcc.forecast.hazards import move_hazards, select_exit_trend, shrunk_hazards
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903


def _forecast(process, seed, months=24):
    ret = synthetic_ssda903(process, seed=seed)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    return ret, forecast_monthly(result, months, n_sims=40, seed=1)


@pytest.mark.parametrize("change, seed", [(-0.12, 1), (0.15, 3)])
def test_an_exit_trend_in_the_history_is_found_and_followed(change, seed):
    ret, fc = _forecast(SyntheticProcess(exit_trend=change), seed)
    table = fc.attrs["exit_trends"]
    chosen = table[table.chosen].iloc[0]
    assert chosen.trend == "log-linear"
    assert chosen.yearly_change == pytest.approx(change, abs=0.04)
    assert table.set_index(["trend", "months"]).error_pct[("flat", 0)] > 2 * chosen.error_pct
    truth = ret.truth(24, 60)[:, 24].sum(axis=(1, 2)).mean()
    tot = fc.attrs["totals"].query("placement == 'all'")
    assert tot.children_expected.iloc[-1] == pytest.approx(truth, rel=0.04)


def test_constant_exits_keep_flat_hazards():
    _, fc = _forecast(SyntheticProcess(), 4, months=2)
    table = fc.attrs["exit_trends"]
    assert table[table.chosen].trend.tolist() == ["flat"] and table[table.chosen].months.tolist() == [0]


def test_select_exit_trend_without_enough_history_stays_flat():
    exits = np.ones((2, 4, 3))
    trend, table = select_exit_trend(exits, exits * 100)
    assert trend.kind == "flat" and table.chosen.tolist() == [True]
    assert np.allclose(trend.multiplier(np.array([0.5, 1.5])), 1.0)


def test_entry_trends_are_weighted_by_their_backtest():
    rng = np.random.default_rng(0)
    flat = rng.poisson(50, 60).astype(float)
    mix, table = trend_mixture(flat, 24)
    assert table.weight.sum() == pytest.approx(1) and (table.weight >= 0).all()
    assert table.loc[table.chosen, "weight"].iloc[0] > 0 and table.iloc[0].trend == "flat"
    assert mix.mean(np.arange(24)).mean() == pytest.approx(50, rel=0.08)
    growing = rng.poisson(30 * 1.02 ** np.arange(60)).astype(float)
    mix, table = trend_mixture(growing, 24)
    assert table.set_index(["trend", "months"]).weight[("flat", 0)] < 0.01
    assert mix.mean(np.arange(24)).mean() > growing[-12:].mean()
    draw = mix.draw(np.random.default_rng(1))
    assert np.isfinite(mix.mean(np.arange(24), draw)).all()
    zeros, _ = trend_mixture(np.zeros(40), 12)  # no entries at all: every trend is no entries
    assert np.allclose(zeros.mean(np.arange(12)), 0, atol=1e-6)


def test_sparse_cells_borrow_from_their_group_and_band():
    # exits follow group x band exactly: a cell with few days keeps close to the model, not to its own count
    group, band = np.array([0.2, 0.4]), np.array([1.0, 0.5, 2.0])
    exposure = np.array([[[20000.0, 20000.0, 200.0], [20000.0, 20000.0, 20000.0]]])
    expected = exposure * (group[:, None] * band[None, :])[None] / 365.25
    events = np.round(expected)
    events[0, 0, 2] = 0  # the sparse cell saw nobody leave (2 expected)
    shape, rate = shrunk_hazards(events, exposure, prior_years=1.0)
    hazard = shape / rate * 365.25
    assert hazard[0, 0, 2] == pytest.approx(0.4, rel=0.3)  # raw estimate: 0
    assert hazard[0, 1, 1] == pytest.approx(0.2, rel=0.05)
    moves = np.zeros((1, 2, 2, 3))
    moves[0, 0, 1] = [10, 11, 0]  # one hazard for every band (the last has 1% of the days): pooled
    moves[0, 1, 0] = [0, 0, 60]  # only the oldest: kept apart
    m_shape, m_rate = move_hazards(moves, exposure, prior_years=0.0)
    h = m_shape / m_rate
    assert np.allclose(h[0, 0, 1], h[0, 0, 1, 0]) and h[0, 1, 0, 2] > 10 * h[0, 1, 0, 0]


def test_a_drifting_entry_mix_is_followed_when_it_predicts_better():
    from rcc.core.schema import HOME_TYPES
    from rcc.forecast.flowdata import count_flows, placement_segments
    from rcc.forecast.mixtrend import fit_mix_trend

    ret = synthetic_ssda903(SyntheticProcess(mix_drift=0.25), seed=2)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    counts = count_flows(placement_segments(result), result.reference_date)
    windows = counts.mix_windows
    assert windows.loc[windows.chosen, "trend"].tolist() == [True]
    beta = dict(zip(HOME_TYPES, counts.mix_trend[0][0]))
    assert min(beta["childrens_home"], beta["ifa_fostering"]) > max(beta["kinship"], beta["in_house_fostering"])
    flat = synthetic_ssda903(SyntheticProcess(), seed=2)
    flat = load_ssda903(flat.header, flat.episodes, reference_date=flat.end_date, council_id="E1")
    steady = count_flows(placement_segments(flat), flat.reference_date)
    assert not steady.mix_windows.loc[steady.mix_windows.chosen, "trend"].any()  # no drift: a window is chosen
    assert np.abs(steady.mix_trend[0]).max() < 0.02 < np.abs(counts.mix_trend[0]).max()  # its drift shrunk to none
    assert counts.mix_trend[3] > 0.5  # a real drift: the trend has the larger weight
    assert counts.mix_windows.weight.sum() == pytest.approx(1)
    # the fit itself: shares move by exp(beta) a year
    rng = np.random.default_rng(0)
    t = rng.uniform(-5, 0, 20000)
    p1 = 0.3 * np.exp(0.2 * t) / (0.3 * np.exp(0.2 * t) + 0.7)
    group = (rng.random(len(t)) < p1).astype(int)
    fit = fit_mix_trend(t, np.zeros(len(t), dtype=int), group, 1, 2)
    assert fit.beta[1] - fit.beta[0] == pytest.approx(0.2, abs=0.03)
    assert fit.shares[0, 1] == pytest.approx(0.3, abs=0.02) and fit.at(1.0)[0].sum() == pytest.approx(1)


def test_mix_drifts_within_their_noise_are_shrunk_to_none_and_clear_ones_kept():
    from rcc.forecast.mixtrend import shrunk_drift

    rng = np.random.default_rng(3)
    var = np.r_[0.0, np.full(6, 0.03**2)]  # the reference group (0) has no drift of its own
    noise = np.r_[0.0, rng.normal(0, 0.03, 6)]
    drift, post = shrunk_drift(noise, var)
    assert np.abs(drift).max() < np.abs(noise).max() / 2 and (post <= var).all()
    clear = np.r_[0.0, 0.3, -0.3, 0.25, -0.2, 0.3, -0.25] + noise
    drift, post = shrunk_drift(clear, var)
    assert np.allclose(drift, clear, rtol=0.03) and drift[0] == 0 and post[0] == 0


def test_entry_trends_of_one_form_only_linear_or_log_linear_never_both():
    rng = np.random.default_rng(4)
    t = np.arange(84)
    growing = rng.poisson(40 * 1.15 ** (t[:60] / 12)).astype(float)
    mix, table = trend_mixture(growing, 24)
    weight = table.groupby("trend").weight.sum()
    assert weight["linear"] == 0 and weight["log-linear"] > 0.9  # neither form beats the other: log-linear
    truth = 40 * 1.15 ** (t[60:] / 12)
    assert mix.mean(np.arange(24)).sum() == pytest.approx(truth.sum(), rel=0.06)
    for _ in range(5):  # whatever the data, the weighted trends are of one form
        y = rng.poisson(40 + rng.normal(0, 0.5) * t[:60]).clip(0).astype(float)
        w = trend_mixture(y, 24)[1].groupby("trend").weight.sum()
        assert min(w.get("linear", 0.0), w.get("log-linear", 0.0)) == 0


def test_mix_drift_covariance_matches_the_spread_of_its_estimates():
    from rcc.forecast.mixtrend import fit_mix_trend, shrunk_drift

    rng = np.random.default_rng(5)
    fits = []
    for _ in range(40):  # group 0 the largest (the reference); groups 1 and 2 drift by +0.3 and -0.2 a year
        t = rng.uniform(-5, 0, 3000)
        band = (rng.random(len(t)) < 0.4).astype(int)
        logits = np.c_[np.ones(len(t)), 0.3 * t, -0.3 - 0.2 * t + 0.3 * band]
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        group = np.minimum((rng.random(len(t))[:, None] > np.cumsum(p, axis=1)).sum(axis=1), 2)
        fits.append(fit_mix_trend(t, band, group, 2, 3))
    cov = fits[0].cov
    assert np.allclose(cov, cov.T) and np.linalg.eigvalsh(cov).min() > -1e-12
    assert np.all(cov[0] == 0) and np.all(cov[:, 0] == 0)  # the reference group's drift is none by definition
    drifts = np.stack([f.beta for f in fits])
    assert drifts.mean(axis=0)[1:] == pytest.approx([0.3, -0.2], abs=0.03)
    stated = np.sqrt(np.mean([np.diag(f.cov) for f in fits], axis=0))[1:]
    assert drifts.std(axis=0)[1:] == pytest.approx(stated, rel=0.4)  # the band's spread is the estimates' spread
    corr = np.corrcoef(drifts[:, 1], drifts[:, 2])[0, 1]
    stated_corr = np.mean([f.cov[1, 2] / np.sqrt(f.cov[1, 1] * f.cov[2, 2]) for f in fits])
    assert corr == pytest.approx(stated_corr, abs=0.35)
    # a diagonal covariance gives what the variances alone give
    beta, var = np.r_[0.0, 0.2, -0.1], np.r_[0.0, 0.01, 0.02]
    d1, p1 = shrunk_drift(beta, var)
    d2, p2 = shrunk_drift(beta, np.diag(var))
    assert np.allclose(d1, d2) and np.allclose(p1, np.diag(p2))
