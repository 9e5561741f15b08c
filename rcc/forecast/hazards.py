"""Exit and move hazards of the monthly forecast: each cell shrunk towards a main-effects model, and the exit trend
chosen by backtest on the council's own history.

Shrinkage (:func:`shrunk_hazards`)
    A council's exits (or moves) and days in care by placement group x age band are first pooled with all councils'
    (``prior_years`` child-years of weight, so small councils borrow strength), then each cell is shrunk towards a
    main-effects model of the council (hazard = group effect x age-band effect, fitted by Poisson maximum likelihood)
    by empirical Bayes: the cell's rate relative to the model is Gamma(a, a) a priori, ``1 / a`` the spread of the
    cells around the model beyond Poisson noise, measured on the data (method of moments). Cells that follow the
    model borrow the strength of their whole group and age band; cells that do not keep their own rate. The
    posterior's weight of the model is at most the information behind it (the exits of the cell's group and band),
    so the band keeps the uncertainty of the main effects.
Exit trend (:func:`select_exit_trend`)
    Exits by half-year (:attr:`rcc.forecast.flowdata.FlowCounts.period_exits`) against those the cell hazards
    expect from the days in care: flat over all the history (no trend), flat at the level of the last 24 months,
    or log-linear in time (a yearly change, Poisson regression). Each is fitted on the history up to origins
    24, 18 and 12 months before the end and scored on the exits of the next 12 months (given the days in care
    then); a candidate replaces a simpler one only when its error is lower by more than the noise of a 12-month
    count of exits (100 / sqrt(exits) %), so a trend is followed only when the council's history shows one.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

__all__ = ["EXIT_TREND_CANDIDATES", "ExitTrend", "move_hazards", "select_exit_trend", "shrunk_hazards"]

#: Chi-squared (3 degrees of freedom) a move's hazards must differ from one hazard for all four age bands by to be
#: kept apart (:func:`move_hazards`: the 5% level).
BAND_TEST_CHI2 = 7.81

#: Exit-trend candidates tried by :func:`select_exit_trend`, simplest first: (kind, months of history; 0 = all).
EXIT_TREND_CANDIDATES: tuple[tuple[str, int], ...] = (("flat", 0), ("flat", 24), ("log-linear", 0))
_DAYS = 365.25


def main_effects(events: np.ndarray, exposure: np.ndarray, iters: int = 100) -> np.ndarray:
    """Hazards ``group effect x band effect`` per council (Poisson maximum likelihood, by iterative proportional
    fitting) of ``events`` over ``exposure``, both (councils, groups, bands)."""
    g = np.ones(events.shape[:2])
    b = np.ones((events.shape[0], events.shape[2]))
    for _ in range(iters):
        g = events.sum(2) / np.maximum((exposure * b[:, None, :]).sum(2), 1e-12)
        b_new = events.sum(1) / np.maximum((exposure * g[:, :, None]).sum(1), 1e-12)
        if np.allclose(b_new, b, rtol=1e-10, atol=0):
            b = b_new
            break
        b = b_new
    return g[:, :, None] * b[:, None, :]


def shrunk_hazards(events: np.ndarray, exposure: np.ndarray, prior_years: float) -> tuple[np.ndarray, np.ndarray]:
    """Gamma posterior (shape, rate) of each cell's daily hazard, shrunk as the module says.

    Parameters
    ----------
    events, exposure : numpy.ndarray
        Events and days at risk, shape (councils, groups, bands).
    prior_years : float
        Child-years of weight of all councils' hazard in each council's.
    """
    k = prior_years * _DAYS
    pooled = events.sum(0) / np.maximum(exposure.sum(0), 1e-12)
    o, x = events + k * pooled, exposure + k
    model = main_effects(o, x)
    e = model * x
    ok = e > 0
    excess = float((((o - e) ** 2 - o)[ok]).sum() / max(float((e[ok] ** 2).sum()), 1e-12)) if ok.any() else 0.0
    a = 1.0 / excess if excess > 0 else np.inf
    group, band = o.sum(2, keepdims=True), o.sum(1, keepdims=True)
    behind = 1.0 / (1.0 / np.maximum(group, 1e-9) + 1.0 / np.maximum(band, 1e-9))  # exits behind the model's cell
    weight = np.minimum(a, behind)
    mean = model if not np.isfinite(a) else model * (o + a) / (e + a)
    shape = np.where(mean > 0, o + weight, 0.0)
    rate = np.where(mean > 0, shape / np.maximum(mean, 1e-300), 1.0)
    return shape, rate


def move_hazards(moves: np.ndarray, exposure: np.ndarray, prior_years: float) -> tuple[np.ndarray, np.ndarray]:
    """Gamma posterior (shape, rate) of the daily hazard of each move, by council, group from, group to and band.

    Pooled with all councils' as the exits are (``prior_years``); then a move (from one group to another) has one
    hazard for every age band unless its counts reject that (Poisson likelihood-ratio test, :data:`BAND_TEST_CHI2`):
    moves are fewer than exits, and their age pattern is estimated only where the data show one.

    Parameters
    ----------
    moves : numpy.ndarray
        Moves, shape (councils, groups from, groups to, bands).
    exposure : numpy.ndarray
        Days in the group moved from, shape (councils, groups, bands).
    """
    k = prior_years * _DAYS
    x = np.broadcast_to(exposure[:, :, None, :], moves.shape)
    pooled = moves.sum(0) / np.maximum(x.sum(0), 1e-12)
    o, x = moves + k * pooled, x + k
    r = o.sum(-1, keepdims=True) / x.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * np.where(o > 0, o * np.log(o / (x * r)), 0.0).sum(-1, keepdims=True) - 2 * (o - x * r).sum(
            -1, keepdims=True)
    apart = dev > BAND_TEST_CHI2
    shape = np.where(apart, o, np.broadcast_to(o.sum(-1, keepdims=True), o.shape))
    rate = np.where(apart, x, np.broadcast_to(x.sum(-1, keepdims=True), x.shape))
    return shape, rate


@attrs.frozen
class ExitTrend:
    """A council's exit-hazard multiplier in time: ``multiplier(t)`` at ``t`` years after the end (the hazards are
    those of the whole window; ``"flat"`` over all of it is 1)."""

    kind: str
    months: int
    coef: np.ndarray
    cov: np.ndarray
    observed: float = 0.0
    expected: float = 0.0

    def multiplier(self, t: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        a, b = self.coef if coef is None else coef
        t = np.asarray(t, dtype=float)
        return np.exp(a + b * t) if self.kind == "log-linear" else np.full(t.shape, float(a))

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Coefficients drawn from their (approximate) posterior."""
        if self.kind == "log-linear":
            return rng.multivariate_normal(self.coef, self.cov)
        if self.months == 0:
            return self.coef
        return np.array([rng.gamma(self.observed + 0.5) / max(self.expected, 1e-9), 0.0])


def _fit(observed: np.ndarray, expected: np.ndarray, t: np.ndarray, kind: str, months: int) -> ExitTrend:
    """An exit trend fitted to exits ``observed`` and ``expected`` per half-year at times ``t`` (years)."""
    if kind == "flat":
        if months == 0:
            return ExitTrend(kind, 0, np.array([1.0, 0.0]), np.zeros((2, 2)))
        n = months // 6
        o, e = float(observed[-n:].sum()), float(expected[-n:].sum())
        return ExitTrend(kind, months, np.array([o / max(e, 1e-9), 0.0]), np.zeros((2, 2)), o, e)
    x = np.c_[np.ones(len(t)), t]
    coef = np.zeros(2)
    use = expected > 0
    x, y, off = x[use], observed[use], np.log(expected[use])
    for _ in range(30):  # Poisson regression with offset log(expected), by Newton steps
        mu = np.exp(x @ coef + off)
        step = np.linalg.solve(x.T @ (x * mu[:, None]) + 1e-9 * np.eye(2), x.T @ (y - mu))
        coef = coef + step
        if np.abs(step).max() < 1e-10:
            break
    mu = np.exp(x @ coef + off)
    dispersion = max(1.0, float(((y - mu) ** 2 / np.maximum(mu, 1e-9)).sum()) / max(len(y) - 2, 1))
    cov = dispersion * np.linalg.inv(x.T @ (x * mu[:, None]) + 1e-9 * np.eye(2))
    return ExitTrend(kind, 0, coef, cov, float(y.sum()), float(np.exp(off).sum()))


def _expected(exits: np.ndarray, exposure: np.ndarray, upto: int) -> np.ndarray:
    """Exits per half-year that the cell hazards of half-years ``[0, upto)`` expect (groups, bands, half-years)."""
    h = exits[..., :upto].sum(-1) / np.maximum(exposure[..., :upto].sum(-1), 1e-12)
    return (h[..., None] * exposure).sum(axis=(0, 1))


def select_exit_trend(exits: np.ndarray, exposure: np.ndarray) -> tuple[ExitTrend, pd.DataFrame]:
    """The exit trend of one council chosen by backtest (see the module).

    Parameters
    ----------
    exits, exposure : numpy.ndarray
        By group, age band and half-year (oldest first), shape (groups, bands, half-years).

    Returns
    -------
    (ExitTrend, pandas.DataFrame)
        The chosen trend refitted on the whole history, and the candidates: ``trend``, ``months``, ``error_pct``,
        ``chosen``.
    """
    n = exits.shape[-1]
    t = -(n - np.arange(n) - 0.5) / 2  # years before the end, at each half-year's middle
    observed = exits.sum(axis=(0, 1))
    origins = [n - k for k in (4, 3, 2) if n - k >= 4]  # 24, 18, 12 months before the end, 2 years of history
    rows, noise = [], []
    for kind, months in EXIT_TREND_CANDIDATES:
        if not origins or min(origins) < max(months // 6, 4):
            continue
        errs = []
        for o in origins:
            expected = _expected(exits, exposure, o)
            fit = _fit(observed[:o], expected[:o], t[:o], kind, months)
            ahead = slice(o, o + 2)
            pred = float((fit.multiplier(t[ahead]) * expected[ahead]).sum())
            actual = float(observed[ahead].sum())
            errs.append(abs(pred - actual) / max(actual, 1.0) * 100)
            noise.append(100 / np.sqrt(max(actual, 1.0)))
        rows.append((kind, months, float(np.mean(errs))))
    if not rows:
        table = pd.DataFrame({"trend": ["flat"], "months": [0], "error_pct": [np.nan], "chosen": [True]})
        return _fit(observed, _expected(exits, exposure, n), t, "flat", 0), table
    table = pd.DataFrame(rows, columns=["trend", "months", "error_pct"])
    err = table.error_pct.to_numpy()
    best = 0
    for i in range(1, len(err)):  # a less simple candidate must beat the chosen one by the noise of the count
        if err[i] < err[best] - float(np.mean(noise)):
            best = i
    table["chosen"] = np.arange(len(table)) == best
    return _fit(observed, _expected(exits, exposure, n), t, str(table.trend[best]), int(table.months[best])), table
