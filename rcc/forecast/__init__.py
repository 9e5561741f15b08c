"""Demand forecasts: children per cohort (council x need x age band) year by year.

A stock-and-flow model per cohort, estimated from several years of episodes of care
(SSDA903) and projected forward, with an uncertainty band.

Estimation (:func:`estimate_rates`)
    Episodes are turned into *spells* (:func:`spells_from_ssda903`): unbroken time of one
    child in care with one need. With dates of birth, each spell is cut at the birthdays
    that move the child to the next age band (5, 11, 16; 18 ends care), so every piece
    belongs to one cohort. Over an observation window (``start``, ``end``], per cohort:

    * entries = pieces that start a spell in the window (a child coming into care, or into
      this need); children who age into a band are not entries;
    * exits = pieces that end in the window for any reason but ageing (leaving care,
      changing need);
    * exposure = child-years in the cohort within the window;
    * entry rate ``E = entries / window years``; exit hazard ``lambda = exits / exposure``
      (shrunk towards the need x age band hazard of all councils with ``prior_years``
      child-years of weight, so small cohorts borrow strength); mean duration ``1/lambda``;
    * stock = children in the cohort on ``end``.

    Without dates of birth (a frame with an ``age_band`` column) each spell stays in its
    age band and ageing is off by default.

Projection (:func:`project`)
    Years ``t = 1..T`` after ``end``. Children leave a band by exit (hazard ``lambda``) or
    by ageing into the next band (hazard ``alpha = 1 / band width`` in years: a yearly
    transition share of one band's width; from 16-17 ageing means leaving care at 18).
    With ``mu = lambda + alpha``, ``q = exp(-mu)`` and ``f = (1 - q) / mu`` (the share of a
    year's arrivals still in the band at year end)::

        stock_{t+1} = stock_t * q + (E_t + aged_in_t) * f
        aged_out_t  = alpha / mu * (stock_t * (1 - q) + (E_t + aged_in_t) * (1 - f))

    which is the exact solution over a year for constant rates. Without ageing it is
    ``stock_{t+1} = stock_t * (1 - exit_rate) + entries * f`` with
    ``exit_rate = 1 - exp(-lambda)``, and it converges to ``E / lambda`` (entries x mean
    duration, Little's law). ``E_t`` grows by ``entries_growth`` a year.

Uncertainty
    ``n_sims`` seeded simulations draw the rates from their Gamma posteriors (parameter
    uncertainty: ``lambda ~ Gamma(exits + prior, exposure + prior_years)``,
    ``E ~ Gamma(entries, years)``) and then simulate whole children (process noise:
    Poisson entries, binomial stays, exits and ageing). ``children_p10`` and
    ``children_p90`` are percentiles of the simulations; ``children`` is the central
    (expected) projection, rounded.

:func:`forecast_from_region` is a simple deterministic alternative: a region's cohorts
grown by a yearly rate per need.

Forecasts are cohort-level tables: no child id, pseudonymised or not, leaves this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, NEEDS, cohort_ids

__all__ = [
    "FORECAST_COLUMNS",
    "RATE_COLUMNS",
    "estimate_rates",
    "forecast_demand",
    "forecast_from_region",
    "project",
    "spells_from_ssda903",
    "to_sufficiency_forecast",
]

_BANDS = list(AGE_BANDS)
_WIDTH = np.array([hi - lo + 1 for lo, hi in AGE_BANDS.values()], dtype=float)
_DAYS_PER_YEAR = 365.25

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

#: Columns of :func:`estimate_rates`.
RATE_COLUMNS: tuple[str, ...] = (
    "cohort_id",
    "council_id",
    "need",
    "age_band",
    "stock",
    "entries",
    "entries_per_year",
    "exits",
    "exposure_years",
    "exit_hazard",
    "exit_rate",
    "mean_duration_years",
    "ageing_hazard",
    "hazard_shape",
    "hazard_scale_years",
    "window_years",
)


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None).dt.normalize() if getattr(values.dt, "tz", None) else values.dt.normalize()
    text = values.astype("str").str.strip()
    text = text.mask(values.isna() | text.isin(["", "nan", "NaT", "None"]))
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    out = out.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))
    bad = text.notna() & out.isna()
    if bad.any():
        i = bad.idxmax()
        raise InvalidInputError("spells", i, values.name, "a date as yyyy-mm-dd or dd/mm/yyyy", values[i])
    return out.dt.normalize()


def _date(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        raise InvalidInputError("parameters", None, name, "a date", value)
    return ts.normalize()


# --------------------------------------------------------------------------- spells


def spells_from_ssda903(result: Any, *, place_mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spells of care (child x need, unbroken) from a loaded SSDA903 return.

    Episodes of a child are put in date order; an episode that overlaps the next one ends
    when the next begins (multi-year extracts repeat and overlap episodes). This differs
    from :func:`rcc.io.ssda903.load_ssda903` in one case: an open episode that starts
    before a later, closed one is cut here (the later return wins) but counted as current
    by the loader, so the stock on a date can differ by a few children on such data. Each episode's
    ``PLACE`` (and ``PLACE_PROVIDER``) is mapped to a need with
    :data:`rcc.io.ssda903.PLACE_MAPPING`: temporary placements (T0-T4) take the need of the
    child's latest earlier placement; excluded placements (placed for adoption, health,
    other) and short breaks (legal status V3/V4) are not demand. Consecutive episodes with
    the same need and no gap are one spell.

    Parameters
    ----------
    result : rcc.io.ssda903.Ssda903Result
        From :func:`rcc.io.ssda903.load_ssda903` (its ``episodes`` and ``header``, both
        pseudonymised). UASC status is not carried into spells (needs are ``mainstream``
        rather than ``uasc``).
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`rcc.io.ssda903.PLACE_MAPPING`.

    Returns
    -------
    pandas.DataFrame
        ``child_id`` (pseudonym), ``council_id``, ``need``, ``start``, ``end`` (missing
        while open), ``dob``.
    """
    from rcc.io.ssda903 import PLACE_MAPPING, SHORT_BREAK_LEGAL_STATUSES

    eps = result.episodes
    hdr = result.header
    mapping = PLACE_MAPPING if place_mapping is None else place_mapping
    lookup: dict[tuple[str, str], tuple[Any, str]] = {}
    for r in mapping.itertuples(index=False):
        prov = str(r.place_provider).upper() if isinstance(r.place_provider, str) else "*"
        lookup[(str(r.place).upper(), prov)] = (r.need, str(r.action))

    def act(place: Any, provider: Any) -> tuple[Any, str]:
        place = str(place).upper()
        prov = provider.upper() if isinstance(provider, str) else "*"
        return lookup.get((place, prov)) or lookup.get((place, "*")) or (None, "exclude")

    df = pd.DataFrame(
        {
            "child_id": eps["child_id"].to_numpy(),
            "council_id": eps["council_id"].to_numpy(),
            "start": _dates(eps["DECOM"]).to_numpy(),
            "end": _dates(eps["DEC"]).to_numpy(),
            "place": eps["PLACE"].to_numpy(),
            "provider": eps["PLACE_PROVIDER"].to_numpy() if "PLACE_PROVIDER" in eps else None,
            "ls": eps["LS"].to_numpy() if "LS" in eps else None,
        }
    )
    df = df.dropna(subset=["child_id", "council_id", "start"])
    df = df.sort_values(["council_id", "child_id", "start"], kind="stable").reset_index(drop=True)
    same_child = (df.child_id.shift(-1) == df.child_id) & (df.council_id.shift(-1) == df.council_id)
    nxt = df.start.shift(-1).where(same_child)
    df["end"] = df.end.where(df.end.notna() & ~(nxt < df.end), nxt)  # overlap: the next episode wins
    df = df[df.end.isna() | (df.end > df.start)].reset_index(drop=True)
    acts = [act(p, q) for p, q in zip(df.place, df.provider)]
    excluded = "\x00excluded"
    need = pd.Series([a[0] if a[1] == "plan" else excluded for a in acts], index=df.index, dtype=object)
    inherit = pd.Series([a[1] == "inherit" for a in acts], index=df.index)
    # temporary placements: the need of the latest earlier non-temporary episode of the child
    # (not demand when that one was excluded or there is none)
    carried = need.where(~inherit).groupby([df.council_id, df.child_id]).ffill()
    need = need.where(~inherit, carried)
    need = need.where(need != excluded)
    short = df.ls.isin(list(SHORT_BREAK_LEGAL_STATUSES)) if df.ls is not None else False
    need = need.where(~short)
    df["need"] = need
    df = df[df.need.notna()].reset_index(drop=True)
    # merge consecutive episodes of one child with the same need and no gap
    prev_same = (
        (df.child_id.shift() == df.child_id)
        & (df.council_id.shift() == df.council_id)
        & (df.need.shift() == df.need)
        & (df.end.shift() == df.start)
    )
    df["spell"] = (~prev_same).cumsum()
    first = ~df.spell.duplicated(keep="first")
    last = ~df.spell.duplicated(keep="last")  # its end may be blank (open): not groupby "last"
    spells = df.loc[first, ["child_id", "council_id", "need", "start"]].reset_index(drop=True)
    spells["end"] = df.loc[last, "end"].to_numpy()
    dob = hdr.drop_duplicates(["council_id", "child_id"]).set_index(["council_id", "child_id"]).DOB
    idx = pd.MultiIndex.from_frame(spells[["council_id", "child_id"]])
    spells["dob"] = _dates(dob.reindex(idx).reset_index(drop=True)).to_numpy()
    return spells.dropna(subset=["dob"]).reset_index(drop=True)


def _check_spells(spells: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(spells, pd.DataFrame):
        raise InvalidInputError("spells", None, None, "a pandas DataFrame", type(spells).__name__)
    df = spells.rename(columns={"DECOM": "start", "DEC": "end", "DOB": "dob", "child": "child_id"}).copy()
    for c in ("council_id", "need", "start"):
        if c not in df.columns:
            raise InvalidInputError("spells", None, c, f"a column named {c}", list(spells.columns))
    if "end" not in df.columns:
        df["end"] = pd.NaT
    if "dob" not in df.columns and "age_band" not in df.columns:
        raise InvalidInputError("spells", None, "dob", "a dob (or DOB) column, or an age_band column", list(spells.columns))
    df = df.reset_index(drop=True)
    for c in ("council_id", "need"):
        miss = df[c].isna()
        if miss.any():
            raise InvalidInputError("spells", int(miss.idxmax()), c, "a value", None, more=int(miss.sum()) - 1)
    bad = ~df.need.isin(NEEDS)
    if bad.any():
        raise InvalidInputError("spells", int(bad.idxmax()), "need", f"one of {list(NEEDS)}", df.need[bad.idxmax()])
    df["start"], df["end"] = _dates(df.start.rename("start")), _dates(df.end.rename("end"))
    if df.start.isna().any():
        i = int(df.start.isna().idxmax())
        raise InvalidInputError("spells", i, "start", "a start date (DECOM)", None)
    back = df.end.notna() & (df.end < df.start)
    if back.any():
        i = int(back.idxmax())
        raise InvalidInputError("spells", i, "end", "an end on or after the start", str(df.end[i].date()))
    if "dob" in df.columns:
        df["dob"] = _dates(df.dob.rename("dob"))
        if df.dob.isna().any():
            i = int(df.dob.isna().idxmax())
            raise InvalidInputError("spells", i, "dob", "a date of birth", None)
    else:
        bad = ~df.age_band.isin(_BANDS)
        if bad.any():
            i = int(bad.idxmax())
            raise InvalidInputError("spells", i, "age_band", f"one of {_BANDS}", df.age_band[i])
    return df


def _pieces(df: pd.DataFrame) -> pd.DataFrame:
    """Spells cut into one piece per age band: council_id, need, age_band, start, end,
    entry (the piece starts the spell), exit (the piece ends the spell, not by ageing)."""
    far = pd.Timestamp("2262-01-01")
    end = df.end.fillna(far)
    if "dob" not in df.columns:
        return pd.DataFrame(
            {
                "council_id": df.council_id.astype(str),
                "need": df.need.astype(str),
                "age_band": df.age_band.astype(str),
                "start": df.start,
                "end": end,
                "entry": True,
                "exit": df.end.notna(),
            }
        )
    parts = []
    for band, (lo, hi) in AGE_BANDS.items():
        b0 = df.dob + pd.DateOffset(years=lo)
        b1 = df.dob + pd.DateOffset(years=hi + 1)
        s = df.start.where(df.start > b0, b0)
        e = end.where(end < b1, b1)
        keep = s < e
        parts.append(
            pd.DataFrame(
                {
                    "council_id": df.council_id[keep].astype(str),
                    "need": df.need[keep].astype(str),
                    "age_band": band,
                    "start": s[keep],
                    "end": e[keep],
                    "entry": (s == df.start)[keep],
                    "exit": (df.end.notna() & (df.end < b1))[keep],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _years(a: pd.Series | pd.Timestamp, b: pd.Series | pd.Timestamp) -> Any:
    delta = b - a
    days = delta.dt.days if isinstance(delta, pd.Series) else delta.days
    return days / _DAYS_PER_YEAR


def estimate_rates(
    spells: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    ageing: bool | None = None,
    prior_years: float = 1.0,
) -> pd.DataFrame:
    """Entry rates, exit hazards and stock per cohort from spells of care.

    Parameters
    ----------
    spells : pandas.DataFrame
        One row per spell: ``council_id``, ``need`` (:data:`rcc.core.schema.NEEDS`), ``start``
        (or ``DECOM``), ``end`` (or ``DEC``; blank while open), and ``dob`` (or ``DOB``) or
        ``age_band``. A ``child_id`` column may be present; it is not used or returned. See
        :func:`spells_from_ssda903`.
    start, end : date-like, optional
        Observation window (``start``, ``end``]. ``end`` defaults to the last date in the
        data (the extract date); ``start`` to the first recorded end of a spell: before it,
        an extract only holds children still in care later, which would bias durations up.
    ageing : bool, optional
        Whether children age between bands (hazard ``1 / band width``). Default: on when
        dates of birth are given (ageing is then observed and not counted as exits), off
        with ``age_band`` (each spell stays in its band, every end is an exit).
    prior_years : float, default 1
        Weight, in child-years, of the pooled hazard in each cohort's exit hazard:
        ``(exits + prior_years * pooled) / (exposure + prior_years)``, where ``pooled`` is
        the same need and age band over all councils, itself shrunk the same way towards
        the need's hazard, and that towards the hazard of all children. Small cohorts
        borrow strength; a cohort never seen to exit gets a hazard above 0. 0 uses each
        cohort's own data only (the pooled hazard only where it has no exposure).

    Returns
    -------
    pandas.DataFrame
        One row per cohort (every age band of each council x need seen), columns
        :data:`RATE_COLUMNS`: ``stock`` (children on ``end``), ``entries``,
        ``entries_per_year``, ``exits``, ``exposure_years``, ``exit_hazard`` (per year),
        ``exit_rate`` (``1 - exp(-exit_hazard)``, the yearly exit share), ``mean_duration_years``
        (``1 / exit_hazard``), ``ageing_hazard``, ``hazard_shape`` and
        ``hazard_scale_years`` (its Gamma posterior), ``window_years``. ``attrs`` holds
        ``start``, ``end`` and ``ageing``.

    Examples
    --------
    Ten children a year come into care and each stays two years:

    >>> import pandas as pd
    >>> starts = pd.date_range("2010-01-01", "2019-12-31", periods=100)
    >>> spells = pd.DataFrame({"council_id": "A", "need": "mainstream", "age_band": "5-10",
    ...                        "start": starts, "end": starts + pd.DateOffset(years=2)})
    >>> r = estimate_rates(spells, start="2014-01-01", end="2019-12-31").iloc[1]
    >>> r.age_band, round(float(r.entries_per_year), 1), round(float(r.mean_duration_years), 1), int(r.stock)
    ('5-10', 10.0, 2.0, 20)
    """
    df = _check_spells(spells)
    with_dob = "dob" in df.columns
    ageing = with_dob if ageing is None else bool(ageing)
    if not prior_years >= 0:
        raise InvalidInputError("parameters", None, "prior_years", "a number >= 0", prior_years)
    last = max(df.start.max(), df.end.max()) if df.end.notna().any() else df.start.max()
    w1 = _date(end, "end") if end is not None else last
    if start is not None:
        w0 = _date(start, "start")
    elif df.end.notna().any():
        w0 = min(df.end.min(), w1 - pd.Timedelta(days=365))
    else:
        w0 = w1 - pd.Timedelta(days=365)
    if not w0 < w1:
        raise InvalidInputError("parameters", None, "start", f"a start before the end ({w1.date()})", str(w0.date()))
    years = _years(w0, w1)
    p = _pieces(df)
    lo = p.start.where(p.start > w0, w0)
    hi = p.end.where(p.end < w1, w1)
    p["exposure"] = _years(lo, hi).clip(lower=0)
    p["n_entry"] = (p.entry & (p.start > w0) & (p.start <= w1)).astype(int)
    p["n_exit"] = (p.exit & (p.end > w0) & (p.end <= w1)).astype(int)
    p["n_stock"] = ((p.start <= w1) & (p.end > w1)).astype(int)
    keys = ["council_id", "need", "age_band"]
    agg = p.groupby(keys).agg(
        stock=("n_stock", "sum"), entries=("n_entry", "sum"), exits=("n_exit", "sum"), exposure_years=("exposure", "sum")
    )
    groups = p[["council_id", "need"]].drop_duplicates().sort_values(["council_id", "need"])
    grid = pd.MultiIndex.from_tuples(
        [(c, n, b) for c, n in groups.itertuples(index=False) for b in _BANDS], names=keys
    )
    agg = agg.reindex(grid, fill_value=0).reset_index()
    # hazards shrunk level by level: all -> need -> need x band (all councils) -> cohort
    k = float(prior_years)

    def shrink(exits: pd.Series, exposure: pd.Series, prior: pd.Series | float) -> pd.Series:
        prior = pd.Series(prior, index=exits.index, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = (exits + k * prior) / (exposure + k)
        return rate.where(exposure + k > 0, prior)

    total_exp = agg.exposure_years.sum()
    overall = float(agg.exits.sum() / total_exp) if total_exp > 0 else 0.0
    by_need = agg.groupby("need")[["exits", "exposure_years"]].transform("sum")
    need_rate = shrink(by_need.exits, by_need.exposure_years, overall)
    by_band = agg.groupby(["need", "age_band"])[["exits", "exposure_years"]].transform("sum")
    band_rate = shrink(by_band.exits, by_band.exposure_years, need_rate)
    shape = agg.exits + k * band_rate
    scale = agg.exposure_years + k
    hazard = shrink(agg.exits.astype(float), agg.exposure_years, band_rate)
    shape = shape.where(scale > 0, 0.0)  # no data and no prior weight: no parameter uncertainty
    band_pos = agg.age_band.map({b: i for i, b in enumerate(_BANDS)}).to_numpy()
    out = pd.DataFrame(
        {
            "cohort_id": cohort_ids(agg.council_id, agg.need, agg.age_band),
            "council_id": agg.council_id,
            "need": agg.need,
            "age_band": agg.age_band,
            "stock": agg.stock.astype(np.int64),
            "entries": agg.entries.astype(np.int64),
            "entries_per_year": agg.entries / years,
            "exits": agg.exits.astype(np.int64),
            "exposure_years": agg.exposure_years.astype(float),
            "exit_hazard": hazard.astype(float),
            "exit_rate": 1 - np.exp(-hazard.astype(float)),
            "mean_duration_years": (1 / hazard.where(hazard > 0)).astype(float),
            "ageing_hazard": (1 / _WIDTH[band_pos]) if ageing else 0.0,
            "hazard_shape": shape.astype(float),
            "hazard_scale_years": scale.astype(float),
            "window_years": years,
        }
    )
    out.attrs.update({"start": w0, "end": w1, "ageing": ageing})
    return out.loc[:, list(RATE_COLUMNS)]


# --------------------------------------------------------------------------- projection


def _growth(entries_growth: float | Mapping[str, float], needs: pd.Series) -> npt.NDArray[np.float64]:
    if isinstance(entries_growth, Mapping):
        for k in entries_growth:
            if k not in NEEDS:
                raise InvalidInputError("parameters", None, "entries_growth", f"needs from {list(NEEDS)}", k)
        g = needs.map(lambda n: float(entries_growth.get(n, 0.0))).to_numpy(dtype=float)
    else:
        g = np.full(len(needs), float(entries_growth))
    if (g <= -1).any() or not np.isfinite(g).all():
        raise InvalidInputError("parameters", None, "entries_growth", "yearly growth rates > -1", entries_growth)
    return g


def _year_coefficients(
    lam: npt.NDArray[np.float64], alpha: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """For exit rate ``lam`` and ageing rate ``alpha``: the share still in the band
    after a year ``q``, the share of a year's entries still there ``f``, and the
    share of leavers who moved up a band rather than out of care."""
    mu = lam + alpha
    q = np.exp(-mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(mu > 0, (1 - q) / np.where(mu > 0, mu, 1), 1.0)
        share = np.where(mu > 0, alpha / np.where(mu > 0, mu, 1), 0.0)
    return q, f, share


def _step_mean(
    s: npt.NDArray[np.float64],
    e: npt.NDArray[np.float64],
    lam: npt.NDArray[np.float64],
    alpha: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
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
    rng: np.random.Generator,
    s: npt.NDArray[np.int64],
    e_rate: npt.NDArray[np.float64],
    lam: npt.NDArray[np.float64],
    alpha: npt.NDArray[np.float64],
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
        Yearly growth of entries, overall or by need (``0.02`` = +2% a year).
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
    if not isinstance(years, (int, np.integer)) or years < 1:
        raise InvalidInputError("parameters", None, "years", "a whole number of years >= 1", years)
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 0:
        raise InvalidInputError("parameters", None, "n_sims", "a whole number >= 0", n_sims)
    need_cols = ("council_id", "need", "age_band", "stock", "entries_per_year", "exit_hazard")
    for c in need_cols:
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
    if base_year is None:
        end = rates.attrs.get("end")
        base_year = int(pd.Timestamp(end).year) if end is not None else 0
    # arrays (groups, bands)
    r = r.assign(_b=r.age_band.map({b: i for i, b in enumerate(_BANDS)}))
    if r._b.isna().any():
        i = int(r._b.isna().to_numpy().argmax())
        raise InvalidInputError("rates", i, "age_band", f"one of {_BANDS}", r.age_band.iloc[i])
    if r.duplicated(["council_id", "need", "age_band"]).any():
        raise InvalidInputError("rates", None, "age_band", "one row per council, need and age band", "duplicates")
    groups = r[["council_id", "need"]].drop_duplicates().reset_index(drop=True)
    gi = r.merge(groups.reset_index().rename(columns={"index": "_g"}), on=["council_id", "need"])._g.to_numpy()
    G, B = len(groups), len(_BANDS)
    bi = r._b.to_numpy(dtype=int)

    def grid(col: str) -> npt.NDArray[np.float64]:
        a = np.zeros((G, B))
        a[gi, bi] = r[col].to_numpy(dtype=float)
        return a

    s0, e0, lam, alpha = grid("stock"), grid("entries_per_year"), grid("exit_hazard"), grid("ageing_hazard")
    growth = _growth(entries_growth, groups.need)[:, None]
    mean = [s0]
    for t in range(1, years + 1):
        mean.append(_step_mean(mean[-1], e0 * (1 + growth) ** t, lam, alpha))
    exp_arr = np.stack(mean)  # (T+1, G, B)

    qs = (10, 50, 90)
    if n_sims > 0:
        rng = np.random.default_rng(seed)
        has_post = {"hazard_shape", "hazard_scale_years", "entries", "window_years"} <= set(r.columns)
        if has_post:
            shape, scale = grid("hazard_shape"), grid("hazard_scale_years")
            ent, win = grid("entries"), grid("window_years")
            lam_s = np.where(scale > 0, rng.gamma(np.maximum(shape, 0)[None], 1.0, (n_sims, G, B)) / np.where(scale > 0, scale, 1), lam)
            e_s = np.where(win > 0, rng.gamma(np.maximum(ent, 0)[None], 1.0, (n_sims, G, B)) / np.where(win > 0, win, 1), e0)
        else:
            lam_s = np.broadcast_to(lam, (n_sims, G, B))
            e_s = np.broadcast_to(e0, (n_sims, G, B))
        s = np.broadcast_to(np.round(s0).astype(np.int64), (n_sims, G, B)).copy()
        sims = [s]
        for t in range(1, years + 1):
            s = _step_sim(rng, s, e_s * (1 + growth[None]) ** t, lam_s, alpha[None])
            sims.append(s)
        pct = np.percentile(np.stack(sims), qs, axis=1, method="nearest")  # (3, T+1, G, B)
    else:
        pct = np.broadcast_to(np.round(exp_arr), (3, *exp_arr.shape))

    t0 = 0 if include_base else 1
    rows = []
    for t in range(t0, years + 1):
        rows.append(
            pd.DataFrame(
                {
                    "council_id": np.repeat(groups.council_id.to_numpy(), B),
                    "need": np.repeat(groups.need.to_numpy(), B),
                    "age_band": np.tile(_BANDS, G),
                    "year": base_year + t,
                    "children_expected": exp_arr[t].ravel(),
                    "children_p10": pct[0, t].ravel(),
                    "children_p50": pct[1, t].ravel(),
                    "children_p90": pct[2, t].ravel(),
                }
            )
        )
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
    out.attrs["rates"] = rates
    return out


def forecast_from_region(
    region: Region,
    years: int = 5,
    growth_by_need: float | Mapping[str, float] | None = None,
    *,
    base_year: int = 2025,
) -> pd.DataFrame:
    """A deterministic forecast: each cohort of the region grown by a yearly rate per need.

    ``children_expected = children * (1 + growth) ** t`` for ``t = 1..years``; percentiles
    equal the rounded value (no uncertainty is claimed).

    Parameters
    ----------
    region : Region
    years : int
    growth_by_need : float or Mapping[str, float], optional
        Yearly growth, overall or by need (needs not named: 0). Default no growth.
    base_year : int
        Year of the region's cohorts (the embedded data: 31 March 2025).

    Returns
    -------
    pandas.DataFrame
        :data:`FORECAST_COLUMNS`, with the region's own ``cohort_id``.

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> f = forecast_from_region(gm, 2, {"complex": 0.10})
    >>> c = gm.cohorts[gm.cohorts.need == "complex"].iloc[0]
    >>> f[f.cohort_id == c.cohort_id].children_expected.round(2).tolist() == [
    ...     round(c.children * 1.1, 2), round(c.children * 1.21, 2)]
    True
    """
    if not isinstance(years, (int, np.integer)) or years < 1:
        raise InvalidInputError("parameters", None, "years", "a whole number of years >= 1", years)
    c = region.cohorts
    g = _growth(0.0 if growth_by_need is None else growth_by_need, c.need)
    rows = []
    for t in range(1, years + 1):
        v = c.children.to_numpy(dtype=float) * (1 + g) ** t
        rows.append(
            pd.DataFrame(
                {
                    "cohort_id": c.cohort_id.to_numpy(),
                    "council_id": c.council_id.to_numpy(),
                    "need": c.need.to_numpy(),
                    "age_band": c.age_band.to_numpy(),
                    "year": base_year + t,
                    "children_expected": v,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["children"] = np.round(out.children_expected).astype(np.int64)
    for col in ("children_p10", "children_p50", "children_p90"):
        out[col] = out.children
    return out.loc[:, list(FORECAST_COLUMNS)].sort_values(["cohort_id", "year"], kind="stable").reset_index(drop=True)


def to_sufficiency_forecast(forecast: pd.DataFrame, region: Region, column: str = "children") -> pd.DataFrame:
    """A forecast in the shape :func:`rcc.sufficiency_plan` takes.

    Matches forecast rows to the region's cohorts on (council_id, need,
    age_band), numbers the calendar years 1, 2, ... (plan years), and takes
    ``column`` as the children to plan for (``"children_p90"`` plans for the
    upper end of the band).

    Raises
    ------
    InvalidInputError
        A forecast row whose council x need x age band is not a cohort of the
        region (add it to the region's cohorts with 0 children), or an unknown
        column. Nothing is dropped silently.
    """
    if column not in forecast.columns:
        raise InvalidInputError("forecast", None, column, f"one of {[c for c in FORECAST_COLUMNS if c.startswith('children')]}", column)
    keys = ["council_id", "need", "age_band"]
    ids = region.cohorts.set_index(keys).cohort_id
    matched = pd.MultiIndex.from_frame(forecast[keys]).map(lambda k: ids.get(k))
    missing = pd.isna(np.asarray(matched, dtype=object))
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise InvalidInputError(
            "forecast",
            forecast.cohort_id.iloc[pos] if "cohort_id" in forecast.columns else f"#{pos}",
            "council_id, need, age_band",
            "a cohort of the region (add it to region.cohorts with 0 children)",
            tuple(forecast[keys].iloc[pos]),
            more=int(missing.sum()) - 1,
        )
    years = sorted(forecast.year.unique())
    plan_year = forecast.year.map({y: i + 1 for i, y in enumerate(years)})
    return pd.DataFrame(
        {
            "cohort_id": np.asarray(matched, dtype=object),
            "year": plan_year.to_numpy(dtype=np.int64),
            "children": np.round(forecast[column].to_numpy(dtype=float)).astype(np.int64),
        }
    )
