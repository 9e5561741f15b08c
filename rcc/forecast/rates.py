"""Estimating each cohort's entry rate, exit hazard and stock from spells of care.

See :mod:`rcc.forecast` for the model. The observation window is a typed record
(:class:`Window`) passed between the steps of :func:`estimate_rates`.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, cohort_ids
from rcc.forecast.spells import _check_spells, _date

__all__ = ["RATE_COLUMNS", "estimate_rates"]

_BANDS = list(AGE_BANDS)
_WIDTH = np.array([hi - lo + 1 for lo, hi in AGE_BANDS.values()], dtype=float)
_DAYS_PER_YEAR = 365.25
_KEYS = ["council_id", "need", "age_band"]

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


@attrs.frozen
class Window:
    """An observation window (``start``, ``end``] of :func:`estimate_rates`.

    Attributes
    ----------
    start, end : pandas.Timestamp
        First (excluded) and last (included) day, normalised to midnight.
    years : float
        Its length in years of 365.25 days.
    """

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def years(self) -> float:
        return float(_years(self.start, self.end))


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
    ageing = ("dob" in df.columns) if ageing is None else bool(ageing)
    if not prior_years >= 0:
        raise InvalidInputError("parameters", None, "prior_years", "a number >= 0", prior_years)
    window = _window(df, start, end)
    counts = _cohort_counts(_pieces(df), window)
    hazard, shape, scale = _shrunk_hazards(counts, float(prior_years))
    band_pos = counts.age_band.map({b: i for i, b in enumerate(_BANDS)}).to_numpy()
    out = pd.DataFrame(
        {
            "cohort_id": cohort_ids(counts.council_id, counts.need, counts.age_band),
            "council_id": counts.council_id,
            "need": counts.need,
            "age_band": counts.age_band,
            "stock": counts.stock.astype(np.int64),
            "entries": counts.entries.astype(np.int64),
            "entries_per_year": counts.entries / window.years,
            "exits": counts.exits.astype(np.int64),
            "exposure_years": counts.exposure_years.astype(float),
            "exit_hazard": hazard.astype(float),
            "exit_rate": 1 - np.exp(-hazard.astype(float)),
            "mean_duration_years": (1 / hazard.where(hazard > 0)).astype(float),
            "ageing_hazard": (1 / _WIDTH[band_pos]) if ageing else 0.0,
            "hazard_shape": shape.astype(float),
            "hazard_scale_years": scale.astype(float),
            "window_years": window.years,
        }
    )
    out.attrs.update({"start": window.start, "end": window.end, "ageing": ageing})
    return out.loc[:, list(RATE_COLUMNS)]


def _window(df: pd.DataFrame, start: Any, end: Any) -> Window:
    """The observation window: given, else (first recorded end, last date in the data]."""
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
    return Window(start=w0, end=w1)


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


def _cohort_counts(p: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Stock, entries, exits and exposure in the window per cohort (every band of each council x need seen)."""
    w0, w1 = window.start, window.end
    lo = p.start.where(p.start > w0, w0)
    hi = p.end.where(p.end < w1, w1)
    p = p.assign(
        exposure=_years(lo, hi).clip(lower=0),
        n_entry=(p.entry & (p.start > w0) & (p.start <= w1)).astype(int),
        n_exit=(p.exit & (p.end > w0) & (p.end <= w1)).astype(int),
        n_stock=((p.start <= w1) & (p.end > w1)).astype(int),
    )
    agg = p.groupby(_KEYS).agg(
        stock=("n_stock", "sum"), entries=("n_entry", "sum"), exits=("n_exit", "sum"), exposure_years=("exposure", "sum")
    )
    groups = p[["council_id", "need"]].drop_duplicates().sort_values(["council_id", "need"])
    grid = pd.MultiIndex.from_tuples([(c, n, b) for c, n in groups.itertuples(index=False) for b in _BANDS], names=_KEYS)
    return agg.reindex(grid, fill_value=0).reset_index()


def _shrunk_hazards(agg: pd.DataFrame, k: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Exit hazards shrunk level by level (all -> need -> need x band over all councils -> cohort)
    with ``k`` child-years of prior weight, and their Gamma posterior's shape and scale."""

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
    return hazard, shape, scale
