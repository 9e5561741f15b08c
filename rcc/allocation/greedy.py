"""The greedy baseline: referral by referral, the nearest home with a free place.

This is what placing children one referral at a time does today: each child,
in the order referrals arrive (a seeded random order), takes the nearest
eligible home that still has a free place (ties: cheaper first). Children
already placed keep their places first; an edge kept only for children
already placed there (``cap``) takes no one else. The result goes through the same
:class:`~rcc.plan.Plan` so it can be compared with the optimised plan.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.classes import HeldPairs, held_pairs, home_edges
from rcc.allocation.network import open_edges
from rcc.core.region import Region

__all__ = ["greedy_flows", "greedy_class_flows"]


def _referrals(
    region: Region, cohort: np.ndarray, held: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The seeded referral order (one entry per child not already placed, its cohort) and each
    cohort's first and past-last edge in ``cohort`` (edges sorted by cohort)."""
    n_cohorts = len(region.cohorts)
    waiting = region.cohorts.children.to_numpy(dtype=np.int64) - np.bincount(
        cohort, weights=held, minlength=n_cohorts
    ).astype(np.int64)
    referrals = np.repeat(np.arange(n_cohorts), waiting)
    np.random.default_rng(seed).shuffle(referrals)
    cohorts = np.arange(n_cohorts)
    return referrals, np.searchsorted(cohort, cohorts, side="left"), np.searchsorted(cohort, cohorts, side="right")


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
    open_edge = open_edges(edges)
    free = region.homes.places.to_numpy(dtype=np.int64).copy()
    np.subtract.at(free, home, held)
    flow = held.astype(np.int64).copy()
    referrals, start, end = _referrals(region, cohort, held, seed)
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


def greedy_class_flows(
    region: Region, home_class: np.ndarray, class_edges: pd.DataFrame, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The greedy baseline on merged homes: the same choices as :func:`greedy_flows` on every home.

    ``class_edges`` are the eligible edges of the merged homes
    (:func:`rcc.allocation.engine.aggregate_homes`, whose classes hold homes with the same
    distance and cost for every cohort; held children take their own home's places
    first) and ``home_class`` each home's class. On home-level
    edges (sorted by cohort, distance, cost, home position) each referral takes
    the first open edge whose home has a free place: among the homes at that
    distance and cost, the lowest table position with a free place. Here each
    class keeps a pointer to its first home with a free place, and a referral
    takes, among the classes at its nearest distance and cost with a free
    place, the one whose next home comes first: the same home, child by child,
    in the same seeded referral order.

    Returns
    -------
    edges : pandas.DataFrame
        The home-level edges used (``home`` a row of ``region.homes``), in
        home-level edge order (cohort, distance, cost, home position).
    flow : numpy.ndarray
        Children on each of those edges (held children included).
    class_flow : numpy.ndarray
        Children on each class edge.
    unmet : numpy.ndarray
        Children of each cohort left without a home.
    """
    n_homes = len(region.homes)
    cohort = class_edges.cohort.to_numpy()
    held = class_edges.held.to_numpy(dtype=np.int64)
    pairs = held_pairs(region, home_class, class_edges)
    homes = _ClassHomes.build(region, home_class, pairs)
    referrals, start, stop_at = _referrals(region, cohort, held, seed)
    block, block_end = _tie_blocks(class_edges)
    taken, unmet = _place_referrals(class_edges, homes, referrals, start, stop_at, block_end, len(region.cohorts))

    keys = np.r_[np.asarray(taken, dtype=np.int64), pairs.edge.astype(np.int64) * n_homes + pairs.home]
    weights = np.r_[np.ones(len(taken)), pairs.children.astype(float)]
    used, inverse = np.unique(keys, return_inverse=True)
    flow = np.bincount(inverse, weights=weights, minlength=len(used))
    held_n = np.bincount(inverse[len(taken):], weights=pairs.children, minlength=len(used)).astype(np.int64)
    edge, home = used // max(n_homes, 1), used % max(n_homes, 1)
    order = np.lexsort((home, block[edge]))
    edges = home_edges(class_edges, edge[order], home[order], held_n[order])
    class_flow = np.bincount(edge, weights=flow, minlength=len(class_edges))
    return edges, flow[order], class_flow, np.asarray(unmet, dtype=float)


@attrs.frozen(eq=False)
class _ClassHomes:
    """The homes of each class in table order, their free places and each class's first free home."""

    members: np.ndarray  # homes of class k: members[bound[k]:bound[k + 1]], table order
    free: np.ndarray  # free places of each home (its held children taken out)
    class_free: np.ndarray  # free places of each class
    nxt: np.ndarray  # position in members of each class's first home with a free place

    @classmethod
    def build(cls, region: Region, home_class: np.ndarray, held: HeldPairs) -> _ClassHomes:
        n_classes = int(home_class.max()) + 1 if len(region.homes) else 0
        members = np.argsort(home_class, kind="stable")
        bound = np.searchsorted(home_class[members], np.arange(n_classes + 1))
        free = region.homes.places.to_numpy(dtype=np.int64).copy()
        np.subtract.at(free, held.home, held.children)
        class_free = np.bincount(home_class, weights=np.maximum(free, 0), minlength=n_classes).astype(np.int64)
        has_free = free[members] > 0  # first home with a free place in each class (bound[k + 1] if none)
        after = np.r_[np.flatnonzero(has_free), len(members)]
        nxt = np.minimum(after[np.searchsorted(after, bound[:-1])], bound[1:])
        return cls(members, free, class_free, nxt)


def _tie_blocks(class_edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Blocks of edges with the same cohort, distance and cost (their homes are ordered by table
    position): the block of each edge and the edge after each edge's block."""
    cohort = class_edges.cohort.to_numpy()
    dist = class_edges.distance_miles.to_numpy(dtype=float)
    cost = class_edges.weekly_cost_gbp.to_numpy(dtype=float)
    new = np.ones(len(cohort), dtype=bool)
    new[1:] = (cohort[1:] != cohort[:-1]) | (dist[1:] != dist[:-1]) | (cost[1:] != cost[:-1])
    block = np.cumsum(new) - 1
    return block, np.r_[np.flatnonzero(new), len(new)][block + 1]


def _place_referrals(
    class_edges: pd.DataFrame, homes: _ClassHomes, referrals: np.ndarray, start: np.ndarray, stop_at: np.ndarray,
    block_end: np.ndarray, n_cohorts: int,
) -> tuple[list[int], list[int]]:
    """The referral loop: each child takes the first open class edge with a free place (ties: the
    class whose next free home comes first; ``block_end``: see :func:`_tie_blocks`). Returns
    (class edge * n_homes + home) per child placed and the unmet children of each cohort. The loop
    reads only the edges of the cohorts with referrals (few when most children are held)."""
    n_homes = len(homes.free)
    at, ptr_at, end_at = _referred_edges(referrals, start, stop_at)
    ptr, end, edge_of = ptr_at.tolist(), end_at.tolist(), at.tolist()
    kl, ok = class_edges.home.to_numpy()[at].tolist(), open_edges(class_edges)[at].tolist()
    bend = (block_end[at] - at + np.arange(len(at))).tolist()  # blocks lie within a cohort's edges
    mem, fr, cf, nx = homes.members.tolist(), homes.free.tolist(), homes.class_free.tolist(), homes.nxt.tolist()
    unmet = [0] * n_cohorts
    taken: list[int] = []
    for c in referrals.tolist():
        p, stop = ptr[c], end[c]
        while p < stop and (cf[kl[p]] <= 0 or not ok[p]):
            p += 1  # classes only fill up: a full class stays full for this cohort
        ptr[c] = p
        if p == stop:
            unmet[c] += 1
            continue
        if bend[p] > p + 1:  # a tie in distance and cost: the class whose next free home comes first
            best = mem[nx[kl[p]]]
            for q in range(p + 1, bend[p]):
                k = kl[q]
                if ok[q] and cf[k] > 0 and mem[nx[k]] < best:
                    p, best = q, mem[nx[k]]
        k = kl[p]
        i = nx[k]
        h = mem[i]
        fr[h] -= 1
        cf[k] -= 1
        if fr[h] <= 0 and cf[k] > 0:
            i += 1
            while fr[mem[i]] <= 0:
                i += 1
            nx[k] = i
        taken.append(edge_of[p] * n_homes + h)
    return taken, unmet


def _referred_edges(referrals: np.ndarray, start: np.ndarray, stop_at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edges of the cohorts with referrals, one cohort's after another's: their positions in the
    edge table, and each cohort's first and past-last entry among them (none for a cohort without referrals).

    >>> [a.tolist() for a in _referred_edges(np.array([2, 0, 2]), np.array([0, 3, 5]), np.array([3, 5, 6]))]
    [[0, 1, 2, 5], [0, 3, 3], [3, 3, 4]]
    """
    width = np.zeros(len(start), dtype=np.int64)
    width[referrals] = (stop_at - start)[referrals]
    first = np.cumsum(width) - width
    at = np.repeat(start - first, width) + np.arange(int(width.sum()), dtype=np.int64)
    return at, first, first + width
