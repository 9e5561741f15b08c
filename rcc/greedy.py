"""The greedy baseline: referral by referral, the nearest home with a free place.

This is what placing children one referral at a time does today: each child,
in the order referrals arrive (a seeded random order), takes the nearest
eligible home that still has a free place (ties: cheaper first). Children
already placed keep their places first; an edge kept only for children
already placed there (``cap``) takes no one else. The result goes through the same
:class:`~rcc.plan.Plan` so it can be compared with the optimised plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .region import Region

__all__ = ["greedy_flows"]


def greedy_flows(region: Region, edges: pd.DataFrame, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Greedy flows on ``edges`` (sorted by cohort, distance, cost).

    Returns
    -------
    flow : numpy.ndarray
        Children on each edge.
    unmet : numpy.ndarray
        Children of each cohort left without a home.
    """
    n_cohorts = len(region.cohorts)
    cohort = edges.cohort.to_numpy()
    home = edges.home.to_numpy()
    held = edges.held.to_numpy(dtype=np.int64)
    open_edge = ~(edges.cap.to_numpy(dtype=float) <= held) if "cap" in edges else np.ones(len(edges), dtype=bool)
    free = region.homes.places.to_numpy(dtype=np.int64).copy()
    np.subtract.at(free, home, held)
    flow = held.astype(np.int64).copy()
    waiting = region.cohorts.children.to_numpy(dtype=np.int64) - np.bincount(cohort, weights=held, minlength=n_cohorts).astype(np.int64)
    start = np.searchsorted(cohort, np.arange(n_cohorts), side="left")
    end = np.searchsorted(cohort, np.arange(n_cohorts), side="right")
    referrals = np.repeat(np.arange(n_cohorts), waiting)
    np.random.default_rng(seed).shuffle(referrals)
    ptr = start.copy()
    unmet = np.zeros(n_cohorts, dtype=np.int64)
    for c in referrals.tolist():
        p, stop = ptr[c], end[c]
        while p < stop and (free[home[p]] <= 0 or not open_edge[p]):
            p += 1  # homes only fill up: a full home stays full for this cohort
        ptr[c] = p
        if p == stop:
            unmet[c] += 1
        else:
            free[home[p]] -= 1
            flow[p] += 1
    return flow.astype(float), unmet.astype(float)
