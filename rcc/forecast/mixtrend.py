"""A trend in the entry mix: the shares of entries going into each placement group drifting year by year.

Entries by age band ``b``, group ``g`` and year ``y`` (whole years back from the reference date) are a Poisson
log-linear model ``log mu[b, g, y] = a[b, y] + c[b, g] + beta[g] * y``: each band's entries of each year are as
observed, the groups' shares within a band are ``c`` and move by ``exp(beta[g])`` a year (the same drift in every
band). Fitted by iterative proportional fitting with a Newton step for ``beta``; the share of group ``g`` in band
``b`` at ``t`` years after the reference date is ``exp(c[b, g] + beta[g] * t)`` normalised over groups. The drifts
are then shrunk towards none by empirical Bayes (:func:`shrunk_drift`, as the hazards are shrunk): a drift within
its noise is not extrapolated, a clear one is; the shares are kept where the data pin them (at the entries' mean
time) and moved from there by the shrunk drift, so a shrunk trend is the mix of all the entries.
:func:`rcc.forecast.flowdata.select_mix_window` compares it with the windows of recent entries by the held-out
log-likelihood of the next year's entries, and the forecast follows it only when it predicts them better.
"""

from __future__ import annotations

import attrs
import numpy as np

__all__ = ["MixTrend", "fit_mix_trend", "shrunk_drift"]


@attrs.frozen(eq=False)
class MixTrend:
    """Entry shares by band and group at the reference date (``shares``), their yearly log drift per group
    (``beta``) and its standard error (``se``)."""

    shares: np.ndarray
    beta: np.ndarray
    se: np.ndarray

    def at(self, t: float, beta: np.ndarray | None = None) -> np.ndarray:
        """Shares by band and group at ``t`` years after the reference date."""
        w = self.shares * np.exp((self.beta if beta is None else beta) * t)[None, :]
        total = w.sum(axis=1, keepdims=True)
        return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def fit_mix_trend(t: np.ndarray, band: np.ndarray, group: np.ndarray, bands: int, groups: int,
                  iters: int = 200) -> MixTrend:
    """The mix trend of one council's entries at ``t`` (years after the reference date, negative: before it) in
    ``band`` and ``group`` (see the module)."""
    y = np.floor(np.asarray(t, dtype=float)).astype(np.int64)
    years = np.arange(y.min(), y.max() + 1) if len(y) else np.zeros(1, dtype=np.int64)
    n = np.zeros((bands, groups, len(years)))
    np.add.at(n, (band, group, y - years[0]), 1)
    mid = years + 0.5
    seen = n.sum(axis=2) > 0  # a band x group with no entry keeps a share of 0
    a = np.zeros((bands, 1, len(years)))
    c = np.where(seen, 0.0, -np.inf)[:, :, None]
    beta = np.zeros(groups)
    for _ in range(iters):
        with np.errstate(divide="ignore"):
            mu = np.exp(a + c + beta[None, :, None] * mid[None, None, :])
            a = a + np.log(np.maximum(n.sum(1, keepdims=True), 1e-12) / np.maximum(mu.sum(1, keepdims=True), 1e-300))
            mu = np.exp(a + c + beta[None, :, None] * mid[None, None, :])
            c = np.where(seen[:, :, None], c + np.log(np.maximum(n.sum(2, keepdims=True), 1e-12)
                                                      / np.maximum(mu.sum(2, keepdims=True), 1e-300)), -np.inf)
            mu = np.exp(a + c + beta[None, :, None] * mid[None, None, :])
        grad = ((n - mu) * mid).sum(axis=(0, 2))
        hess = (mu * mid**2).sum(axis=(0, 2)) - (mu * mid).sum(axis=(0, 2)) ** 2 / np.maximum(mu.sum(axis=(0, 2)),
                                                                                               1e-300)
        step = np.where(hess > 1e-9, grad / np.maximum(hess, 1e-9), 0.0)
        beta = beta + step
        if np.abs(step).max() < 1e-9:
            break
    ref = int(np.argmax(n.sum(axis=(0, 2))))
    beta = beta - beta[ref]  # only differences between groups matter
    var = np.where(hess > 1e-9, 1 / np.maximum(hess, 1e-9), 0.0)
    var = np.where((var > 0) & (np.arange(groups) != ref), var + var[ref], 0.0)  # of the difference to ``ref``
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(seen, np.exp(c[:, :, 0] - np.max(np.where(seen, c[:, :, 0], -np.inf), axis=1,
                                                              keepdims=True)), 0.0)
    shares = np.nan_to_num(shares, nan=0.0, posinf=0.0)
    drift, post = shrunk_drift(beta, var)
    centre = float((n.sum(axis=(0, 1)) * mid).sum() / max(n.sum(), 1.0))  # where the data pin the shares
    return MixTrend(MixTrend(shares, beta, np.sqrt(var)).at(centre, beta - drift), drift, np.sqrt(post))


def shrunk_drift(beta: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical Bayes: the groups' drifts (estimates ``beta``, variances ``var``; 0 for the reference and unseen
    groups) shrunk towards none, ``beta ~ N(0, tau2)`` with ``tau2`` their spread beyond noise (method of moments):
    posterior means and variances. No drift beyond noise: no drift; a clear one: kept."""
    use = var > 0
    tau2 = max(float(np.mean(beta[use] ** 2 - var[use])), 0.0) if use.any() else 0.0
    k = np.where(use, tau2 / np.maximum(tau2 + var, 1e-300), 0.0)
    return beta * k, var * k
