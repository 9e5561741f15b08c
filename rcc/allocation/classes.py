"""Interchangeable homes merged into classes, and class flows shared back among the homes."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import SolverError
from rcc.core.region import Region

__all__ = ["aggregate_homes", "class_representatives", "split_class_flows", "split_flows"]

_CLASS_KEY = ["council_id", "needs", "min_age", "max_age", "weekly_cost_gbp", "serves_council_id"]


def aggregate_homes(
    region: Region, extra_keys: dict[str, np.ndarray] | None = None
) -> tuple[Region, np.ndarray]:
    """Merge interchangeable homes into classes for the optimiser.

    Homes in the same council with the same needs, ages, weekly cost and
    served council are interchangeable for every cohort (same distance, same
    cost), so the model needs one capacity row for all of them. Homes holding
    current placements stay on their own; ``extra_keys`` (one value per home)
    keep apart homes that a caller's rules treat differently (e.g. owners in
    pooling scenarios). Returns the region with one home per class and each
    original home's class.
    """
    homes = region.homes
    key = homes[_CLASS_KEY].copy()
    key["needs"] = homes.needs.map(lambda s: ";".join(sorted({x.strip() for x in s.split(";") if x.strip()})))
    for name, values in (extra_keys or {}).items():
        key[f"extra:{name}"] = values
    held = homes.home_id.isin(region.placements.home_id)
    key["single"] = np.where(held, homes.home_id, "")
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


def split_flows(
    region: Region, home_class: np.ndarray, class_edges: pd.DataFrame, class_flow: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Share each class's flows among its homes, filling homes in table order.

    Returns home-level edges (only the pairs used) and their flows (see
    :func:`split_class_flows`).
    """
    idx, home, take = split_class_flows(home_class, region.homes.places.to_numpy(), class_edges.home.to_numpy(), class_flow)
    out = class_edges.iloc[idx].reset_index(drop=True)
    out["home"] = home
    return out, take.astype(float)


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
