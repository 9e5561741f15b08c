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
    (``beta``), its standard error (``se``) and covariance (``cov``, groups x groups)."""

    shares: np.ndarray
    beta: np.ndarray
    se: np.ndarray
    cov: np.ndarray | None = None

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Drifts drawn from their (normal) posterior, with the correlations between groups."""
        if self.cov is None:
            return self.beta + self.se * rng.standard_normal(self.beta.shape)
        return rng.multivariate_normal(self.beta, self.cov, method="eigh")

    def at(self, t: float, beta: np.ndarray | None = None) -> np.ndarray:
        """Shares by band and group at ``t`` years after the reference date."""
        with np.errstate(divide="ignore", invalid="ignore"):  # in logs, so a large drift does not overflow
            logw = np.log(self.shares) + ((self.beta if beta is None else beta) * t)[None, :]
            w = np.nan_to_num(np.exp(logw - np.max(logw, axis=1, keepdims=True)), nan=0.0)
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
    cov = _drift_cov(n, np.exp(a + c + beta[None, :, None] * mid[None, None, :]), mid, ref)
    beta = beta - beta[ref]  # only differences between groups matter
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(seen, np.exp(c[:, :, 0] - np.max(np.where(seen, c[:, :, 0], -np.inf), axis=1,
                                                              keepdims=True)), 0.0)
    shares = np.nan_to_num(shares, nan=0.0, posinf=0.0)
    drift, post = shrunk_drift(beta, cov)
    centre = float((n.sum(axis=(0, 1)) * mid).sum() / max(n.sum(), 1.0))  # where the data pin the shares
    base = MixTrend(shares, beta, np.sqrt(np.diag(cov)), cov)
    return MixTrend(base.at(centre, beta - drift), drift, np.sqrt(np.clip(np.diag(post), 0.0, None)), post)


def _drift_cov(n: np.ndarray, mu: np.ndarray, mid: np.ndarray, ref: int) -> np.ndarray:
    """Covariance of the drifts (each group's minus the reference group's) from the full Fisher information of the
    Poisson model (every ``a``, ``c`` and ``beta`` together, so the drifts' correlations through the band-year totals
    and the groups' shares are kept), scaled by the Pearson dispersion when the counts vary more than Poisson."""
    bands, groups, years = n.shape
    cells = mu > 0
    b, g, y = np.nonzero(cells)
    k = len(b)
    x = np.zeros((k, bands * years + bands * groups + groups))
    x[np.arange(k), b * years + y] = 1.0
    x[np.arange(k), bands * years + b * groups + g] = 1.0
    x[np.arange(k), bands * years + bands * groups + g] = mid[y]
    m = mu[cells]
    info_inv = np.linalg.pinv(x.T @ (x * m[:, None]), hermitian=True)[-groups:, -groups:]
    contrast = np.eye(groups) - np.eye(groups)[ref][None, :]  # row g: beta[g] - beta[ref]
    contrast[(np.arange(groups) == ref) | (n.sum(axis=(0, 2)) == 0)] = 0.0  # the reference and unseen groups
    cov = contrast @ info_inv @ contrast.T
    dispersion = max(1.0, float(((n[cells] - m) ** 2 / m).sum()) / max(k - np.linalg.matrix_rank(x), 1))
    return dispersion * (cov + cov.T) / 2


def shrunk_drift(beta: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical Bayes: the groups' drifts (estimates ``beta``; ``var`` their variances, or their covariance matrix;
    0 for the reference and unseen groups) shrunk towards none, ``beta ~ N(0, tau2 I)`` with ``tau2`` their spread
    beyond noise (method of moments): posterior means and variances (or covariance, as ``var`` was given). No drift
    beyond noise: no drift; a clear one: kept."""
    var = np.asarray(var, dtype=float)
    full = var.ndim == 2
    v = np.diag(var) if full else var
    use = v > 0
    tau2 = max(float(np.mean(beta[use] ** 2 - v[use])), 0.0) if use.any() else 0.0
    if not full:
        k = np.where(use, tau2 / np.maximum(tau2 + var, 1e-300), 0.0)
        return beta * k, var * k
    post = np.zeros_like(var)
    drift = np.zeros_like(beta, dtype=float)
    if tau2 > 0 and use.any():
        sub = var[np.ix_(use, use)]
        gain = tau2 * np.linalg.inv(tau2 * np.eye(int(use.sum())) + sub)  # tau2 (tau2 I + V)^-1
        drift[use] = gain @ beta[use]
        post[np.ix_(use, use)] = (gain @ sub + (gain @ sub).T) / 2
    return drift, post
