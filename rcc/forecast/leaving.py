"""Leaving care at 18: Staying Put and supported living after care, counted from the episodes and forecast.

What the return shows
    :func:`rcc.io.ssda903.load_ssda903` reads the header, episodes and UASC tables. Of a young person leaving care
    at 18, the episodes keep why care ended: ``REC`` of the last episode. Two codes are the arrangements after 18:

    * ``E17`` "aged 18 (or over) and remained with current carers (inc under staying put arrangements)":
      ``staying_put``;
    * ``E5`` "moved into independent living arrangement ...: supportive accommodation providing formalised
      advice/support arrangements (such as most hostels, young men's Christian association, foyers, staying close
      and care leavers projects)": ``supported_living``. Staying Close is inside this code: the return does not
      tell it apart, so rcc does not either.

    Any other code is ``other``; a leaver without a ``REC`` is ``unknown``. When the episodes have no ``REC`` at
    all (or a frame of segments without a ``rec`` column is forecast), every leaver is ``unknown``: Staying Put is
    then absent from the data, and the tables say so rather than guess. The return says nothing after care ends
    (the OC3 table of care leavers at 19-21 is not read), so how long a young person stays put (up to 21) is
    unknown: rcc forecasts the young people *starting* each arrangement month by month, not how many are in one.

Forecast
    Each simulation of :func:`rcc.forecast.forecast_monthly` counts the children reaching 18 in each placement
    group and month; they are split over the outcomes by the shares of those who left at 18 from that group in the
    history (a Dirichlet draw per simulation, with one leaver's weight of the council's shares over all groups), so
    the band holds both the uncertainty of the shares and of the numbers reaching 18.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.core.schema import HOME_TYPES
from rcc.forecast.flowdata import _outcomes, check_segments

__all__ = ["LEAVING_OUTCOMES", "OUTCOMES", "leaving_counts", "leaving_history", "forecast_leaving"]

#: ``REC`` codes of the arrangements after 18 and their outcome names (other codes: ``other``).
LEAVING_OUTCOMES: Mapping[str, str] = MappingProxyType({"E17": "staying_put", "E5": "supported_living"})
#: Outcomes of leaving care at 18, in the order of the arrays.
OUTCOMES: tuple[str, ...] = ("staying_put", "supported_living", "other", "unknown")


def _leavers(segments: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The segments that end in leaving care at 18 by ``end``, with their ``outcome``."""
    seg = check_segments(segments)
    seg = seg[seg.start <= end].assign(end=seg.end.where(seg.end <= end))
    if len(seg) == 0:
        return seg.assign(outcome=pd.Series(dtype=object))
    _, how = _outcomes(seg)
    out = seg[how == 2]
    rec = out["rec"] if "rec" in out.columns else pd.Series(np.nan, index=out.index)
    code = rec.astype("string").str.strip().str.upper()
    outcome = code.map(lambda c: "unknown" if pd.isna(c) or c == "" else LEAVING_OUTCOMES.get(c, "other"))
    return out.assign(outcome=outcome.astype(object))


def leaving_history(segments: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Young people who left care at 18 in each year back from ``end``, by council, placement group and outcome.

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``year_to`` (the last day of the year: ``end``, a year before it...), ``placement`` (the
        group left), ``outcome`` (:data:`OUTCOMES`), ``young_people``.
    """
    end = pd.Timestamp(end)
    out = _leavers(segments, end)
    years = ((end - out.end).dt.days // 365.25).astype(int)
    out = out.assign(year_to=[end - pd.DateOffset(years=int(k)) for k in years])
    keys = ["council_id", "year_to", "placement", "outcome"]
    return out.groupby(keys).size().rename("young_people").reset_index().sort_values(keys, ignore_index=True)


def leaving_counts(segments: pd.DataFrame, end: pd.Timestamp, councils: tuple[str, ...]) -> np.ndarray:
    """Leavers at 18 by council, placement group and outcome (councils, groups, :data:`OUTCOMES`)."""
    out = _leavers(segments, pd.Timestamp(end))
    counts = np.zeros((len(councils), len(HOME_TYPES), len(OUTCOMES)))
    ci = pd.Index(councils).get_indexer(out.council_id)
    ok = ci >= 0
    np.add.at(counts, (ci[ok], pd.Index(HOME_TYPES).get_indexer(out.placement)[ok],
                       pd.Index(OUTCOMES).get_indexer(out.outcome)[ok]), 1)
    return counts


def forecast_leaving(leavers: np.ndarray, counts: np.ndarray, councils: tuple[str, ...],
                     month_ends: pd.DatetimeIndex, seed: int, expected: np.ndarray | None = None) -> pd.DataFrame:
    """Young people leaving care at 18 each month by outcome, expected and p10-p90 (see the module).

    Parameters
    ----------
    leavers : numpy.ndarray
        Children reaching 18 per simulation, month, council and placement group.
    counts : numpy.ndarray
        :func:`leaving_counts` of the history.
    expected : numpy.ndarray, optional
        The expected number reaching 18 given each simulation's rates, shape as ``leavers``: the expected
        outcomes are then theirs split by each simulation's shares (without the noise of the simulated
        children); by default the mean of the simulated split.

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``month``, ``outcome``, ``young_people_expected``, ``young_people_p10``,
        ``young_people_p90``; every outcome but ``unknown`` is ``NaN`` for a council whose history has no
        outcome (no ``REC``: not in the data).
    """
    sims, months, n_c, _ = leavers.shape
    rng = np.random.default_rng([seed, 18])
    split = np.zeros((sims, months, n_c, len(OUTCOMES)))
    mean = np.zeros((months, n_c, len(OUTCOMES)))
    council_shares = counts.sum(axis=1, keepdims=True)
    total = council_shares.sum(axis=2, keepdims=True)
    prior = np.divide(council_shares, total, out=np.full_like(council_shares, 1.0 / len(OUTCOMES)), where=total > 0)
    known = counts[..., :3].sum(axis=(1, 2)) > 0  # a council whose history shows some outcome
    prior = np.where(known[:, None, None], prior, np.eye(len(OUTCOMES))[-1])  # none: every leaver unknown
    for s in range(sims):
        w = rng.gamma(np.maximum(counts + prior, 1e-12))
        w = np.where(counts + prior > 0, w, 0.0)
        shares = w / np.maximum(w.sum(axis=2, keepdims=True), 1e-300)
        if expected is not None:  # before the last share is set to make them sum to 1 (an outcome never seen stays 0)
            mean += np.einsum("mcg,cgo->mco", expected[s], shares) / sims
        shares[..., -1] = np.clip(1 - shares[..., :-1].sum(axis=2), 0, 1)  # sums to 1 exactly
        n = leavers[s].astype(np.int64)  # months, councils, groups
        split[s] = rng.multinomial(n, shares[None]).sum(axis=2)
    idx = pd.MultiIndex.from_product([councils, month_ends, OUTCOMES], names=["council_id", "month", "outcome"])
    flat = split.transpose(0, 2, 1, 3).reshape(sims, -1)
    exp = flat.mean(axis=0) if expected is None else mean.transpose(1, 0, 2).ravel()
    df = pd.DataFrame({"young_people_expected": exp,
                       "young_people_p10": np.percentile(flat, 10, axis=0, method="lower"),
                       "young_people_p90": np.percentile(flat, 90, axis=0, method="higher")}, index=idx).reset_index()
    absent = ~pd.Series(known, index=list(councils)).reindex(df.council_id).to_numpy() & (df.outcome != "unknown")
    df.loc[absent, ["young_people_expected", "young_people_p10", "young_people_p90"]] = np.nan
    return df
