"""Interchangeable homes merged into classes, and class flows shared back among the homes."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import SolverError
from rcc.core.region import Region

__all__ = [
    "HeldPairs",
    "aggregate_homes",
    "class_representatives",
    "held_pairs",
    "split_class_flows",
    "split_flows",
    "home_edges",
    "split_held_flows",
]

_CLASS_KEY = ["council_id", "needs", "min_age", "max_age", "weekly_cost_gbp", "serves_council_id"]


def aggregate_homes(
    region: Region, extra_keys: dict[str, np.ndarray] | None = None
) -> tuple[Region, np.ndarray]:
    """Merge interchangeable homes into classes for the optimiser.

    Homes in the same council with the same needs, ages, weekly cost and
    served council are interchangeable for every cohort (same distance, same
    cost), so the model needs one capacity row for all of them. Homes holding
    current placements merge like any other: the class's held children are
    its edges' ``held`` (lower bounds of the model), its places all its homes'
    places, and :func:`split_flows` puts each held child back in its own home
    and shares only the rest among the free places. ``extra_keys`` (one value per home)
    keep apart homes that a caller's rules treat differently (e.g. owners in
    pooling scenarios). Returns the region with one home per class and each
    original home's class.
    """
    homes = region.homes
    key = homes[_CLASS_KEY].copy()
    codes, distinct = pd.factorize(homes.needs.to_numpy(dtype=object))  # each distinct need list sorted once
    sorted_needs = [";".join(sorted({x.strip() for x in s.split(";") if x.strip()})) for s in distinct]
    key["needs"] = np.array(sorted_needs, dtype=object)[codes]
    for name, values in (extra_keys or {}).items():
        key[f"extra:{name}"] = values
    home_class = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = class_representatives(home_class)
    n = len(first)
    reps = homes.iloc[first].reset_index(drop=True)
    class_ids = pd.Series([f"class:{k}" for k in range(n)], dtype=object)
    class_homes = reps.assign(
        home_id=class_ids,
        places=np.bincount(home_class, weights=homes.places.to_numpy(), minlength=n).astype(np.int64),
        needs=key.needs.iloc[first].to_numpy(),
    )
    placements = region.placements.assign(
        home_id=class_ids.to_numpy()[home_class[pd.Index(homes.home_id).get_indexer(region.placements.home_id)]]
        if len(region.placements)
        else region.placements.home_id
    )
    classes = attrs.evolve(region, homes=class_homes, placements=placements)  # keywords; tables already valid
    return classes, home_class


def class_representatives(home_class: np.ndarray) -> np.ndarray:
    """The first home (table position) of each class 0..k-1."""
    n = int(home_class.max()) + 1 if len(home_class) else 0
    first = np.full(n, -1)
    first[home_class[::-1]] = np.arange(len(home_class))[::-1]
    return first


@attrs.frozen(eq=False)
class HeldPairs:
    """Children already placed, per (cohort, home) pair: the class edge each pair lies on, the home
    (a row of the region's homes) and its children; sorted by class edge, then home."""

    edge: np.ndarray
    home: np.ndarray
    children: np.ndarray


def held_pairs(region: Region, home_class: np.ndarray, class_edges: pd.DataFrame) -> HeldPairs:
    """Where the region's placements are, on the class edges (see :class:`HeldPairs`).

    Every placement's (cohort, class of its home) must be a class edge: the edges
    :func:`rcc.allocation.network.eligible_edges` builds for the classes always hold them.
    """
    placements = region.placements
    if not len(placements):
        empty = np.zeros(0, dtype=np.int64)
        return HeldPairs(empty, empty, empty)
    n_homes = len(region.homes)
    n_classes = int(home_class.max()) + 1
    pc = pd.Index(region.cohorts.cohort_id).get_indexer(placements.cohort_id).astype(np.int64)
    ph = pd.Index(region.homes.home_id).get_indexer(placements.home_id).astype(np.int64)
    pairs, inverse = np.unique(pc * n_homes + ph, return_inverse=True)
    children = np.bincount(inverse, weights=placements.children.to_numpy(dtype=float)).astype(np.int64)
    cohort, home = pairs // n_homes, pairs % n_homes
    keys = cohort * n_classes + home_class[home]
    edge = _edges_of(class_edges, n_classes, keys, np.flatnonzero(class_edges.held.to_numpy() > 0))
    if (edge < 0).any():  # a pair of no child (0 children held): look among every edge
        edge = _edges_of(class_edges, n_classes, keys, np.arange(len(class_edges)))
    if (edge < 0).any():
        raise ValueError("held_pairs: a held placement lies on no class edge (expected every held pair on an edge)")
    order = np.lexsort((home, edge))
    return HeldPairs(edge[order], home[order], children[order])


def _edges_of(class_edges: pd.DataFrame, n_classes: int, keys: np.ndarray, among: np.ndarray) -> np.ndarray:
    """The class edge (among rows ``among``) of each (cohort * n_classes + class) key, -1 for none."""
    edge_keys = class_edges.cohort.to_numpy(dtype=np.int64)[among] * n_classes + class_edges.home.to_numpy()[among]
    at = pd.Index(edge_keys).get_indexer(keys)
    return np.where(at >= 0, among[np.maximum(at, 0)], -1)


def split_held_flows(
    home_class: np.ndarray, places: np.ndarray, edge_class: np.ndarray, class_flow: np.ndarray, held: HeldPairs
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows (class edge, home, children, held children) sharing class flows among the homes of each class.

    Held children stay in their own homes; the rest of each class edge's flow
    (``class_flow`` minus its held children) fills the places the held children
    leave free, as :func:`split_class_flows` does. Rows come out by class edge,
    then home (table order), one per (class edge, home) pair with children.

    Examples
    --------
    Two homes of one class with 2 places each; cohort 0 holds one child in home 1 and gets
    two more, cohort 1 gets one:

    >>> held = HeldPairs(np.array([0]), np.array([1]), np.array([1]))
    >>> rows = split_held_flows(np.array([0, 0]), np.array([2, 2]), np.array([0, 0]), np.array([3.0, 1.0]), held)
    >>> [r.tolist() for r in rows]
    [[0, 0, 1], [0, 1, 1], [2, 1, 1], [0, 1, 0]]
    """
    held_at_home = np.bincount(held.home, weights=held.children, minlength=len(places)).astype(np.int64)
    free = np.asarray(places, dtype=np.int64) - held_at_home
    held_on_edge = np.bincount(held.edge, weights=held.children, minlength=len(class_flow))
    idx, home, take = split_class_flows(home_class, free, edge_class, np.asarray(class_flow, dtype=float) - held_on_edge)
    if not len(held.edge):
        return idx, home, take, np.zeros(len(idx), dtype=np.int64)
    n_homes = max(len(places), 1)
    keys = np.r_[idx.astype(np.int64) * n_homes + home, held.edge.astype(np.int64) * n_homes + held.home]
    pairs, inverse = np.unique(keys, return_inverse=True)  # by class edge, then home
    children = np.bincount(inverse, weights=np.r_[take, held.children], minlength=len(pairs)).astype(np.int64)
    held_n = np.bincount(inverse[len(idx):], weights=held.children, minlength=len(pairs)).astype(np.int64)
    return pairs // n_homes, pairs % n_homes, children, held_n


def split_flows(
    region: Region, home_class: np.ndarray, class_edges: pd.DataFrame, class_flow: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Share each class's flows among its homes: held children in their own homes, the others
    filling the free places of the class's homes in table order.

    Returns home-level edges (only the pairs used; ``held`` and ``cap`` those of the home) and
    their flows (see :func:`split_held_flows`).
    """
    held = held_pairs(region, home_class, class_edges)
    idx, home, take, held_n = split_held_flows(
        home_class, region.homes.places.to_numpy(), class_edges.home.to_numpy(), class_flow, held
    )
    return home_edges(class_edges, idx, home, held_n), take.astype(float)


def home_edges(class_edges: pd.DataFrame, edge: np.ndarray, home: np.ndarray, held: np.ndarray) -> pd.DataFrame:
    """Home-level edges: rows ``edge`` of the class edges with their ``home`` and ``held`` children; an edge
    the rules close (``cap`` finite: only its held children) keeps that cap for its home's held children."""
    out = class_edges.iloc[edge].reset_index(drop=True)
    out["home"] = home
    out["held"] = held
    if "cap" in out:
        out["cap"] = np.where(np.isfinite(out.cap.to_numpy(dtype=float)), held.astype(float), np.inf)
    return out


def split_class_flows(
    home_class: np.ndarray, places: np.ndarray, edge_class: np.ndarray, class_flow: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows (class edge, home, children) sharing class flows among the homes of each class.

    Each class's edges with flow are taken in edge order and fill the class's
    homes in table order (a home is full before the next one takes a child);
    rows come out by class edge, then home, and carry at least one child.

    Parameters
    ----------
    home_class : numpy.ndarray
        Class of each home (see :func:`aggregate_homes`).
    places : numpy.ndarray
        Places of each home.
    edge_class : numpy.ndarray
        Class (home of the class region) of each class edge.
    class_flow : numpy.ndarray
        Children on each class edge (whole numbers; a class carries at most its places).

    Returns
    -------
    tuple of numpy.ndarray
        Class edge, home and children (int64) of each row.

    Examples
    --------
    >>> e, h, n = split_class_flows(np.array([0, 0, 1]), np.array([2, 3, 4]), np.array([0, 1, 0]), np.array([3.0, 1.0, 1.0]))
    >>> e.tolist(), h.tolist(), n.tolist()
    ([0, 0, 1, 2], [0, 1, 2, 1], [2, 1, 1, 1])
    """
    n_classes = int(home_class.max()) + 1 if len(home_class) else 0
    used = np.flatnonzero(class_flow > 0.5)
    flow = np.round(np.asarray(class_flow, dtype=float)[used]).astype(np.int64)
    klass = np.asarray(edge_class)[used]
    # one line of places: classes one after the other, each class's homes in table order
    homes = np.argsort(home_class, kind="stable")
    home_end = np.cumsum(np.asarray(places, dtype=np.int64)[homes])
    home_start = home_end - np.asarray(places, dtype=np.int64)[homes]
    class_start = np.r_[0, home_end][np.searchsorted(home_class[homes], np.arange(n_classes))]
    # each class's edges (in edge order) take the next children of the class's places
    order = np.argsort(klass, kind="stable")
    end = np.cumsum(flow[order])
    first = np.r_[0, end][np.searchsorted(klass[order], klass[order])]  # children of earlier classes' edges
    end = class_start[klass[order]] + end - first
    start = end - flow[order]
    class_end = np.r_[class_start[1:], home_end[-1] if len(home_end) else 0]
    if (end > class_end[klass[order]]).any():
        raise SolverError("class flows exceed the places of their class (expected at most the class's places)")
    j0 = np.searchsorted(home_end, start, side="right")  # first home ending after the edge's start
    j1 = np.searchsorted(home_start, end, side="left")  # homes starting before the edge's end
    count = j1 - j0
    edge = np.repeat(used[order], count)
    j = np.repeat(j0 - np.cumsum(np.r_[0, count[:-1]]), count) + np.arange(int(count.sum()))
    take = np.minimum(np.repeat(end, count), home_end[j]) - np.maximum(np.repeat(start, count), home_start[j])
    keep = take > 0
    edge, home, take = edge[keep], homes[j[keep]], take[keep]
    rows = np.argsort(edge, kind="stable")  # by class edge; a class edge's homes stay in table order
    return edge[rows], home[rows], take[rows]
