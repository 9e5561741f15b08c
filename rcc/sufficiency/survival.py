"""How long today's held children stay in care: the exit hazard of :mod:`rcc.flows`, scaled to England's published leavers.

The shape of leaving (by age and time in care) is :func:`rcc.flows.default_exit_hazard`, the hazard
the simulation of today's placements uses; its level is a single factor, :func:`exit_scale`, fitted so
that a year of care under the scaled hazard has as many children ceasing as DfE published for England:

    ceased = stock x L_stock(k) + starts x L_start(k)

``stock``: children looked after on 31 March 2024 (83,530); ``starts``: children starting during the
year ending 31 March 2025 (32,270); ``ceased``: children ceasing during it (34,450) -- DfE, Children
looked after in England including adoptions, 2025 release, ``cla_number_and_rate_per_10k_children``
(OGL v3). ``L_stock(k)``: the share of the stock that leaves within 12 months (the hazard times ``k``,
or turning 18), ages as the stock on 31 March 2025 (:data:`ENGLAND_AGES`, spread evenly inside each
published group), every child :data:`HELD_MONTHS_IN_CARE` months in care at the start;
``L_start(k)``: the share of the year's starters who leave before its end (starting evenly over the
year, ages as the stock: DfE's starters are younger, an approximation that errs towards fewer
short stays). The factor is national: council-level ceased counts are not in the package data.
With it (0.92), 28.0% of the stock and 34.3% of a year's starters leave within the year.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from rcc.flows.population import LEAVING_AGE_MONTHS
from rcc.flows.rates import DURATION_EDGES_MONTHS, default_exit_hazard

__all__ = ["ENGLAND_AGES", "ENGLAND_LEAVERS", "HELD_MONTHS_IN_CARE", "exit_scale", "leaving_shares", "still_in_care"]

#: Months in care assumed for every held child at today's census date (duration bucket of the exit hazard).
HELD_MONTHS_IN_CARE = 24

#: England, DfE 2025 release: stock on 31 March 2024, starts and ceases in the year ending 31 March 2025.
ENGLAND_LEAVERS = {"stock": 83_530.0, "starts": 32_270.0, "ceased": 34_450.0}

#: England's children looked after on 31 March 2025 by published age group ((first, last) year of age: children),
#: the sum of the councils' figures in the package data (``cla_2025.csv``, DfE 2025).
ENGLAND_AGES = {(0, 0): 3_597.0, (1, 4): 9_886.0, (5, 9): 15_088.0, (10, 15): 30_930.0, (16, 17): 22_059.0}


def still_in_care(age_months: np.ndarray, in_care_months: np.ndarray, months: np.ndarray, scale: float) -> np.ndarray:
    """(A, M): chance that a child of age ``age_months[a]`` with ``in_care_months[a]`` months in care is
    still in care and under 18 after each of ``months`` (whole months), under the exit hazard times ``scale``
    (each month's chance capped at 1)."""
    age0 = np.asarray(age_months, dtype=np.int64)
    dur0 = np.asarray(in_care_months, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    k = np.arange(int(months.max(initial=0)))
    age, dur = age0[:, None] + k[None, :], dur0[:, None] + k[None, :]
    bucket = np.searchsorted(DURATION_EDGES_MONTHS, dur, side="right") - 1
    hazard = np.minimum(scale * default_exit_hazard()[bucket, np.clip(age // 12, 0, 17)], 1.0)
    alive = np.c_[np.ones(len(age0)), np.cumprod(1.0 - hazard, axis=1)]
    under_18 = (age0[:, None] + months[None, :]) < LEAVING_AGE_MONTHS
    return alive[:, months] * under_18


def _ages() -> tuple[np.ndarray, np.ndarray]:
    """Years of age 0-17 at mid-year (months) and England's stock weight of each."""
    weight = np.zeros(18)
    for (lo, hi), n in ENGLAND_AGES.items():
        weight[lo : hi + 1] = n / (hi - lo + 1)
    return 12 * np.arange(18) + 6, weight / weight.sum()


def leaving_shares(scale: float) -> tuple[float, float]:
    """(L_stock, L_start): the shares of England's stock and of a year's starters who leave within the
    year under the exit hazard times ``scale`` (the module docstring's definitions)."""
    age, w = _ages()
    stock = 1.0 - still_in_care(age, np.full(18, HELD_MONTHS_IN_CARE), np.array([12]), scale)[:, 0]
    start = np.arange(12)  # month of the year the child starts; in care for 12 - start months by the year end
    left = 1.0 - still_in_care(np.repeat(age, 12), np.zeros(18 * 12), np.arange(13), scale)
    by_start = left.reshape(18, 12, 13)[:, start, 12 - start]  # (ages, starts)
    return float(w @ stock), float(w @ by_start.mean(axis=1))


@lru_cache(maxsize=1)
def exit_scale() -> float:
    """The factor on :func:`rcc.flows.default_exit_hazard` that makes England's published ceases of a year
    (stock x L_stock + starts x L_start = ceased, :data:`ENGLAND_LEAVERS`); bisection to 1e-6.

    >>> round(exit_scale(), 2)  # the placeholder level of rcc.flows is near England's
    0.92
    """
    f = ENGLAND_LEAVERS

    def excess(k: float) -> float:
        stock, start = leaving_shares(k)
        return f["stock"] * stock + f["starts"] * start - f["ceased"]

    lo, hi = 0.0, 20.0
    while hi - lo > 1e-6:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)
