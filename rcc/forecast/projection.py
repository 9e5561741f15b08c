"""Projecting cohort stocks forward from rates: the expected path and seeded simulations.

See :mod:`rcc.forecast` for the model. :func:`project` is a flat list of steps;
the cohorts' rates travel between them as one typed record (:class:`CohortRates`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, NEEDS, cohort_ids
from rcc.core.validate import is_real
from rcc.forecast.rates import estimate_rates
from rcc.forecast.result import Forecast
from rcc.forecast.spells import spells_from_ssda903

__all__ = ["FORECAST_COLUMNS", "forecast_demand", "project"]

_BANDS = list(AGE_BANDS)
_QUANTILES = (10, 50, 90)
Array = npt.NDArray[np.float64]

#: Columns of a forecast (one row per cohort and year).
FORECAST_COLUMNS: tuple[str, ...] = (
    "cohort_id",
    "council_id",
    "need",
    "age_band",
    "year",
    "children",
    "children_expected",
    "children_p10",
    "children_p50",
    "children_p90",
)


def _growth(
    growth: float | Mapping[str, float], needs: pd.Series, *, table: str = "parameters", column: str = "entries_growth"
) -> Array:
    """Yearly growth RATE per row of ``needs`` (0.03 = +3% a year), from one rate or a rate per need
    (needs not named: 0). Raises naming ``table`` and ``column`` for an unknown need or a rate that
    is not a finite number > -1."""
    if isinstance(growth, Mapping):
        for n in growth:
            if n not in NEEDS:
                raise InvalidInputError(table, None, column, f"a need from {list(NEEDS)}", n)
        by_need = dict(growth)
        for n, g in by_need.items():
            if not is_real(g) or not -1 < g < math.inf:
                raise InvalidInputError(table, n, column, "a finite yearly rate > -1 (0.03 = +3% a year)", g)
        return needs.map(lambda n: float(by_need.get(n, 0.0))).to_numpy(dtype=float)
    if not is_real(growth) or not -1 < growth < math.inf:
        raise InvalidInputError(table, None, column, "a finite yearly rate > -1 (0.03 = +3% a year)", growth)
    return np.full(len(needs), float(growth))


@attrs.frozen
class CohortRates:
    """The rates of :func:`project` as arrays over (council x need groups, age bands).

    Attributes
    ----------
    groups : pandas.DataFrame
        ``council_id``, ``need`` of each group (row ``g`` of the arrays).
    stock, entries_per_year, exit_hazard, ageing_hazard : numpy.ndarray
        Shape (groups, bands), bands in :data:`rcc.core.schema.AGE_BANDS` order; 0 for a
        cohort absent from the rates.
    growth : numpy.ndarray
        Yearly growth rate of entries per group, shape (groups, 1).
    posterior : tuple of numpy.ndarray or None
        ``hazard_shape``, ``hazard_scale_years``, ``entries``, ``window_years`` for
        parameter uncertainty, when the rates have them.
    """

    groups: pd.DataFrame
    stock: Array
    entries_per_year: Array
    exit_hazard: Array
    ageing_hazard: Array
    growth: Array
    posterior: tuple[Array, Array, Array, Array] | None

    def entries(self, t: int) -> Array:
        """Expected entries a year in year ``t`` (grown ``t`` times)."""
        return self.entries_per_year * (1 + self.growth) ** t


def _year_coefficients(lam: Array, alpha: Array) -> tuple[Array, Array, Array]:
    """For exit rate ``lam`` and ageing rate ``alpha``: the share still in the band
    after a year ``q``, the share of a year's entries still there ``f``, and the
    share of leavers who moved up a band rather than out of care."""
    mu = lam + alpha
    q = np.exp(-mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(mu > 0, (1 - q) / np.where(mu > 0, mu, 1), 1.0)
        share = np.where(mu > 0, alpha / np.where(mu > 0, mu, 1), 0.0)
    return q, f, share


def _step_mean(s: Array, e: Array, lam: Array, alpha: Array) -> Array:
    """One year of the expected projection; arrays (..., bands), bands in order."""
    q, f, share = _year_coefficients(lam, alpha)
    new = np.empty_like(s)
    aged = np.zeros(s.shape[:-1])
    for b in range(s.shape[-1]):
        inflow = e[..., b] + aged
        new[..., b] = s[..., b] * q[..., b] + inflow * f[..., b]
        aged = share[..., b] * (s[..., b] * (1 - q[..., b]) + inflow * (1 - f[..., b]))
    return new


def _step_sim(
    rng: np.random.Generator, s: npt.NDArray[np.int64], e_rate: Array, lam: Array, alpha: Array
) -> npt.NDArray[np.int64]:
    """One simulated year of whole children; arrays (sims, groups, bands)."""
    q, f, share = _year_coefficients(lam, alpha)
    new = np.empty_like(s)
    aged = np.zeros(s.shape[:-1], dtype=np.int64)
    for b in range(s.shape[-1]):
        inflow = rng.poisson(np.broadcast_to(e_rate[..., b], aged.shape)) + aged
        stay = rng.binomial(s[..., b], np.clip(q[..., b], 0, 1))
        arrive_stay = rng.binomial(inflow, np.clip(f[..., b], 0, 1))
        new[..., b] = stay + arrive_stay
        leavers = s[..., b] - stay + inflow - arrive_stay
        aged = rng.binomial(leavers, np.clip(share[..., b], 0, 1))
    return new


def project(
    rates: pd.DataFrame,
    years: int = 5,
    *,
    base_year: int | None = None,
    n_sims: int = 1000,
    seed: int = 0,
    entries_growth: float | Mapping[str, float] = 0.0,
    include_base: bool = False,
) -> pd.DataFrame:
    """Project cohort stocks forward from rates (see the module notes for the maths).

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`estimate_rates`, or crafted: ``council_id``, ``need``, ``age_band``,
        ``stock``, ``entries_per_year``, ``exit_hazard``, ``ageing_hazard`` (optional,
        default 0) and, for parameter uncertainty, ``hazard_shape``/``hazard_scale_years``
        and ``entries``/``window_years`` (without them only process noise is simulated).
    years : int
        Years to project.
    base_year : int, optional
        Year of the stock; default the year of ``rates.attrs["end"]`` if set, else 0.
    n_sims : int
        Simulations for the percentiles (0: percentiles equal the rounded central value).
    seed : int
        Seed of the simulations (same seed, same percentiles).
    entries_growth : float or Mapping[str, float]
        Yearly growth RATE of entries, overall or by need (``0.02`` = +2% a year; needs not
        named: 0; finite and > -1).
    include_base : bool
        Also return the base year (the observed stock).

    Returns
    -------
    pandas.DataFrame
        :data:`FORECAST_COLUMNS`, one row per cohort and year: ``children`` (expected,
        rounded to whole children), ``children_expected`` (unrounded), ``children_p10``,
        ``children_p50``, ``children_p90`` (simulation percentiles). Cohorts expected to
        have no children in any year are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"council_id": ["A"], "need": ["complex"], "age_band": ["11-15"],
    ...                       "stock": [0], "entries_per_year": [10.0], "exit_hazard": [0.25]})
    >>> f = project(rates, years=60, n_sims=0)
    >>> round(float(f.children_expected.iloc[-1]), 2)  # entries / exit hazard
    40.0
    """
    _check_whole(years, "years", "a whole number of years >= 1", low=1)
    _check_whole(n_sims, "n_sims", "a whole number >= 0", low=0)
    cohorts = _cohort_rates(_checked_rates(rates), entries_growth)
    expected = _expected_path(cohorts, years)
    if n_sims > 0:
        pct = _simulated_percentiles(cohorts, years, n_sims, seed)
    else:
        pct = np.broadcast_to(np.round(expected), (len(_QUANTILES), *expected.shape))
    if base_year is None:
        end = rates.attrs.get("end")
        base_year = int(pd.Timestamp(end).year) if end is not None else 0
    return _forecast_frame(cohorts.groups, expected, pct, base_year, range(0 if include_base else 1, years + 1))


def _check_whole(value: Any, name: str, expected: str, *, low: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise InvalidInputError("parameters", None, name, expected, value)


def _checked_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``rates`` with numeric columns >= 0, a band position ``_b``; one row per cohort."""
    for c in ("council_id", "need", "age_band", "stock", "entries_per_year", "exit_hazard"):
        if c not in rates.columns:
            raise InvalidInputError("rates", None, c, f"a column named {c}", list(rates.columns))
    r = rates.copy()
    if "ageing_hazard" not in r.columns:
        r["ageing_hazard"] = 0.0
    for c in ("stock", "entries_per_year", "exit_hazard", "ageing_hazard"):
        v = pd.to_numeric(r[c], errors="coerce")
        if v.isna().any() or (v < 0).any():
            i = int((v.isna() | (v < 0)).to_numpy().argmax())
            raise InvalidInputError("rates", i, c, "a number >= 0", r[c].iloc[i])
        r[c] = v.astype(float)
    r = r.assign(_b=r.age_band.map({b: i for i, b in enumerate(_BANDS)}))
    if r._b.isna().any():
        i = int(r._b.isna().to_numpy().argmax())
        raise InvalidInputError("rates", i, "age_band", f"one of {_BANDS}", r.age_band.iloc[i])
    if r.duplicated(["council_id", "need", "age_band"]).any():
        raise InvalidInputError("rates", None, "age_band", "one row per council, need and age band", "duplicates")
    return r


def _cohort_rates(r: pd.DataFrame, entries_growth: float | Mapping[str, float]) -> CohortRates:
    """Checked rates as (groups, bands) arrays."""
    groups = r[["council_id", "need"]].drop_duplicates().reset_index(drop=True)
    gi = r.merge(groups.reset_index().rename(columns={"index": "_g"}), on=["council_id", "need"])._g.to_numpy()
    bi = r._b.to_numpy(dtype=int)

    def grid(col: str) -> Array:
        a = np.zeros((len(groups), len(_BANDS)))
        a[gi, bi] = r[col].to_numpy(dtype=float)
        return a

    has_post = {"hazard_shape", "hazard_scale_years", "entries", "window_years"} <= set(r.columns)
    return CohortRates(
        groups=groups,
        stock=grid("stock"),
        entries_per_year=grid("entries_per_year"),
        exit_hazard=grid("exit_hazard"),
        ageing_hazard=grid("ageing_hazard"),
        growth=_growth(entries_growth, groups.need)[:, None],
        posterior=(grid("hazard_shape"), grid("hazard_scale_years"), grid("entries"), grid("window_years")) if has_post else None,
    )


def _expected_path(c: CohortRates, years: int) -> Array:
    """Expected children, shape (years + 1, groups, bands); index 0 is the stock."""
    mean = [c.stock]
    for t in range(1, years + 1):
        mean.append(_step_mean(mean[-1], c.entries(t), c.exit_hazard, c.ageing_hazard))
    return np.stack(mean)


def _simulated_percentiles(c: CohortRates, years: int, n_sims: int, seed: int) -> Array:
    """Percentiles (10, 50, 90) of ``n_sims`` seeded simulations, shape (3, years + 1, groups, bands):
    rates drawn from their Gamma posteriors (when given), then whole children simulated."""
    rng = np.random.default_rng(seed)
    size = (n_sims, *c.stock.shape)
    lam, e0 = c.exit_hazard, c.entries_per_year
    if c.posterior is not None:
        shape, scale, ent, win = c.posterior
        lam_s = np.where(scale > 0, rng.gamma(np.maximum(shape, 0)[None], 1.0, size) / np.where(scale > 0, scale, 1), lam)
        e_s = np.where(win > 0, rng.gamma(np.maximum(ent, 0)[None], 1.0, size) / np.where(win > 0, win, 1), e0)
    else:
        lam_s = np.broadcast_to(lam, size)
        e_s = np.broadcast_to(e0, size)
    s = np.broadcast_to(np.round(c.stock).astype(np.int64), size).copy()
    sims = [s]
    for t in range(1, years + 1):
        s = _step_sim(rng, s, e_s * (1 + c.growth[None]) ** t, lam_s, c.ageing_hazard[None])
        sims.append(s)
    return np.percentile(np.stack(sims), _QUANTILES, axis=1, method="nearest")


def _forecast_frame(groups: pd.DataFrame, expected: Array, pct: Array, base_year: int, ts: range) -> pd.DataFrame:
    """:data:`FORECAST_COLUMNS` for years ``base_year + t``; cohorts with no children in any year left out."""
    n_bands = len(_BANDS)
    rows = [
        pd.DataFrame(
            {
                "council_id": np.repeat(groups.council_id.to_numpy(), n_bands),
                "need": np.repeat(groups.need.to_numpy(), n_bands),
                "age_band": np.tile(_BANDS, len(groups)),
                "year": base_year + t,
                "children_expected": expected[t].ravel(),
                "children_p10": pct[0, t].ravel(),
                "children_p50": pct[1, t].ravel(),
                "children_p90": pct[2, t].ravel(),
            }
        )
        for t in ts
    ]
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "cohort_id", cohort_ids(out.council_id, out.need, out.age_band))
    out["children"] = np.round(out.children_expected).astype(np.int64)
    for c in ("children_p10", "children_p50", "children_p90"):
        out[c] = out[c].astype(np.int64)
    alive = out.groupby("cohort_id").children_expected.transform("max") > 0.5
    alive |= out.groupby("cohort_id").children_p90.transform("max") > 0
    out = out[alive].sort_values(["council_id", "need", "age_band", "year"], kind="stable")
    out["age_band"] = pd.Categorical(out.age_band, categories=_BANDS, ordered=True)
    out = out.sort_values(["council_id", "need", "age_band", "year"], kind="stable")
    out["age_band"] = out.age_band.astype(str)
    return out.loc[:, list(FORECAST_COLUMNS)].reset_index(drop=True)


def forecast_demand(
    spells: Any,
    years: int = 5,
    *,
    start: Any = None,
    end: Any = None,
    ageing: bool | None = None,
    prior_years: float = 1.0,
    n_sims: int = 1000,
    seed: int = 0,
    entries_growth: float | Mapping[str, float] = 0.0,
    include_base: bool = False,
) -> pd.DataFrame:
    """Forecast children per cohort and year from several years of episodes.

    :func:`estimate_rates` then :func:`project`; see the module notes for the model.

    Parameters
    ----------
    spells : pandas.DataFrame or rcc.io.ssda903.Ssda903Result
        Spells of care (see :func:`estimate_rates`), or a loaded SSDA903 return (turned
        into spells with :func:`spells_from_ssda903`).
    years : int
        Years to forecast after the end of the data.
    start, end, ageing, prior_years
        See :func:`estimate_rates`.
    n_sims, seed, entries_growth, include_base
        See :func:`project`.

    Returns
    -------
    pandas.DataFrame
        :data:`FORECAST_COLUMNS`: ``cohort_id`` (``council:need:age_band``, :func:`rcc.core.schema.cohort_ids`, as
        :func:`rcc.io.ssda903.load_ssda903` names cohorts), ``council_id``, ``need``,
        ``age_band``, ``year`` (the year of the end date + 1, + 2...), ``children``,
        ``children_expected``, ``children_p10``, ``children_p50``, ``children_p90``. The
        rates used are in ``attrs["rates"]``.
    """
    if hasattr(spells, "episodes") and hasattr(spells, "header"):
        spells = spells_from_ssda903(spells)
    rates = estimate_rates(spells, start=start, end=end, ageing=ageing, prior_years=prior_years)
    out = project(
        rates, years, n_sims=n_sims, seed=seed, entries_growth=entries_growth, include_base=include_base
    )
    out = Forecast(out)
    out.attrs["rates"] = rates
    return out

