"""The exact expected stock of the monthly forecast for one draw of its rates (no process noise).

Given its rates, the monthly forecast's engine (:class:`rcc.flows.Engine` run by
:mod:`rcc.forecast.monthly`) is linear in the children: each child leaves, moves and ages on its own, and
entries are Poisson. So the expected number of children by council, placement group and age band at every
month end follows from an array of expected children by council, month of birth and group, stepped in the
engine's order: leaving at 18 (age 216 months at the start of the month), exits (with the exit trend), moves
(to the destination shares of the group and age band), then the month's entries (their month of birth spread
evenly over the 12 of their age in years, the group entered from the entry mix of their age band, drifting
when the mix has a trend). ``forecast_monthly``'s ``children_expected`` is the mean of this over its
simulations' draws of the rates: the mean of the same predictive distribution as the band, without the
noise of averaging whole simulated children.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from rcc.flows import EVENTS, LEAVING_AGE_MONTHS, Population
from rcc.forecast.flowdata import BAND_OF_AGE

__all__ = ["Expectation", "expected_stock"]

_AGES = np.arange(18)
_START, _END, _AGED_OUT, _MOVE, _PLACED = (EVENTS.index(e) for e in ("start", "end", "aged_out", "move", "placed"))


@attrs.frozen(eq=False)
class Expectation:
    """Expected counts of a forecast for one draw of its rates.

    Attributes
    ----------
    stock : numpy.ndarray
        Children at the end of each month, shape (months, councils, groups, bands).
    events : numpy.ndarray
        Events of each month, shape (months, councils, events: :data:`rcc.flows.EVENTS`; every entry is placed).
    aged_out : numpy.ndarray
        Young people leaving care at 18 each month by the group they leave, shape (months, councils, groups).
    """

    stock: np.ndarray
    events: np.ndarray
    aged_out: np.ndarray


def expected_stock(rates: Any, start: Population, months: int, councils: int) -> Expectation:
    """Expected children, events and leavers at 18 of each month (:class:`Expectation`).

    Parameters
    ----------
    rates : rcc.forecast.monthly.MonthlyRates
        One draw (or the posterior mean) of the forecast's rates.
    start : rcc.flows.Population
        The children in care at the start (``home`` their placement group, ``birth_month`` on the engine's
        month scale, month 0 the first forecast month).
    months : int
    councils : int
    """
    groups, bands = rates.exit_p.shape[1], rates.exit_p.shape[2]
    lo = min(int(start.birth_month.min()) if len(start) else 0, -(LEAVING_AGE_MONTHS - 1))
    births = np.arange(lo, months)
    state = np.zeros((councils, len(births), groups))
    np.add.at(state, (start.council, start.birth_month - lo, start.home), 1.0)
    out = np.zeros((months, councils, groups, bands))
    flows = np.zeros((months, councils, len(EVENTS)))
    aged_out = np.zeros((months, councils, groups))
    destination = _rows(rates.destination)
    for m in range(months):
        age = m - births
        adult = age >= LEAVING_AGE_MONTHS
        aged_out[m] = state[:, adult].sum(axis=1)
        flows[m, :, _AGED_OUT] = aged_out[m].sum(axis=1)
        state[:, adult] = 0.0
        band = BAND_OF_AGE[np.clip(age // 12, 0, 17)]
        stay = 1.0 - np.moveaxis(rates.exit_p[:, :, band], 1, 2)  # (councils, births, groups)
        if rates.exit_trend is not None:
            stay = stay ** rates.exit_trend[:, min(m, rates.exit_trend.shape[1] - 1), None, None]
        flows[m, :, _END] = (state * (1.0 - stay)).sum(axis=(1, 2))
        state *= stay
        moved = state * np.moveaxis(rates.move_p[:, :, band], 1, 2)
        state += np.einsum("cbg,cgbh->cbh", moved, destination[:, :, band, :]) - moved
        flows[m, :, _MOVE] = moved.sum(axis=(1, 2))
        flows[m, :, _START] = flows[m, :, _PLACED] = _enter(state, rates, m, lo)
        counted = (age >= 0) & (age < LEAVING_AGE_MONTHS)  # at the ages of the month's start, as the engine's
        for b in range(bands):
            out[m, :, :, b] = state[:, counted & (band == b)].sum(axis=1)
    return Expectation(out, flows, aged_out)


def _rows(shares: np.ndarray) -> np.ndarray:
    """Shares along the last axis, an all-zero row sent to the last group (as the engine's pick does)."""
    empty = shares.sum(axis=-1) <= 0
    if not empty.any():
        return shares
    out = shares.copy()
    out[empty, -1] = 1.0
    return out


def _enter(state: np.ndarray, rates: Any, month: int, lo: int) -> np.ndarray:
    """Add the month's expected entries to ``state`` (councils, births, groups) in place; their number by council."""
    entries = rates.entries(month)[:, 0, :]  # (councils, ages)
    mix = _rows(rates.entry_mix)[:, BAND_OF_AGE]  # (councils, ages, groups)
    if rates.mix_beta is not None:
        mix = mix * np.exp(rates.mix_beta[:, None, :] * (month + 0.5) / 12)
        mix = mix / np.maximum(mix.sum(axis=2, keepdims=True), 1e-300)
    add = entries[:, :, None] * mix / 12.0  # each of the 12 months of birth of an age in years
    for u in range(12):
        state[:, month - 12 * _AGES - u - lo] += add
    return entries.sum(axis=1)
