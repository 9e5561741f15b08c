"""The eligibility network: which cohort may live in which home.

:func:`eligible_edges` builds the edges as one DataFrame with numpy: cohorts
grouped by (need, age band, council), homes by every (need, age band, council)
they take, and only the groups whose councils lie within the need's distance
limit joined, so the work is linear in the edges that survive (homes serving
one council only are the one filter after the join); the model and the greedy
baseline read it. :func:`eligibility_graph` and :func:`council_graph` give
networkx views of the same facts for analysis.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS
from rcc.core.validate import split_needs

__all__ = ["edge_components", "eligible_edges", "open_edges", "eligibility_graph", "council_graph", "unreachable_cohorts"]

EDGE_COLUMNS = ("cohort", "home", "distance_miles", "inside_own_council", "weekly_cost_gbp", "held", "cap")


def eligible_edges(
    region: Region,
    params: PlanParams | None = None,
    allowed_pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cohort -> home edges a placement may use.

    An edge exists when the home is registered for the cohort's need, its age
    range covers the cohort's age band, it serves the cohort's council (homes
    with ``serves_council_id`` serve only that council), and it lies within
    the need's distance limit. Children already placed (``placements``) add
    their edge whatever the rules, with ``held`` children on it; on an edge
    the rules exclude, ``cap`` equals ``held`` (those children stay, no other
    child may join them), elsewhere ``cap`` is infinite.

    Parameters
    ----------
    region : Region
    params : PlanParams, optional
    allowed_pairs : pandas.DataFrame, optional
        Columns ``from_council_id``, ``to_council_id``: if given, only homes in
        an allowed council of the cohort's council are eligible (pooling levels).

    Returns
    -------
    pandas.DataFrame
        One row per edge: ``cohort`` and ``home`` (row positions in
        ``region.cohorts`` / ``region.homes``), ``distance_miles``,
        ``inside_own_council``, ``weekly_cost_gbp``, ``held``, ``cap`` (most
        children the edge may carry); sorted by cohort then distance.
    """
    params = params or PlanParams()
    cohorts, homes = region.cohorts, region.homes
    cidx = pd.Index(region.councils.council_id)
    dist = region.council_distances()
    n_councils = len(cidx)

    h_of, h_need, needs = _home_needs(homes, cohorts)
    c_need = needs.get_indexer(cohorts.need)
    c_council = cidx.get_indexer(cohorts.council_id)
    home_council = cidx.get_indexer(homes.council_id)

    # council pairs within each need's limit (looked up per need), and allowed by the pooling rules
    limit = np.array([params.distance_limit(n) for n in needs], dtype=float)
    within = dist[None, :, :] <= limit[:, None, None]
    if allowed_pairs is not None:
        within &= _allowed_matrix(cidx, allowed_pairs)[None, :, :]
    k, a, b = np.nonzero(within)

    # cohorts by (need, age band, council) and (home, need) rows by every (need, age band, council) they take:
    # only pairs of groups within reach are joined, a home serving one council only with that council's cohorts
    c_band, h_row, h_band = _age_bands(region, h_of)
    n_bands = len(AGE_BANDS)
    served = homes.serves_council_id.to_numpy(dtype=object)
    serves = np.where(served == "", -1, cidx.get_indexer(served))[h_of[h_row]]
    row_need, row_council = h_need[h_row], home_council[h_of[h_row]]
    kb = (k[:, None] * n_bands + np.arange(n_bands)[None, :]).ravel()
    cohort, row = _join_rows(
        (c_need * n_bands + c_band) * n_councils + c_council,
        (row_need * n_bands + h_band) * n_councils,
        np.where(serves < 0, row_council, serves),
        (serves < 0) | within[row_need, np.maximum(serves, 0), row_council],
        serves < 0,
        (kb * n_councils + np.repeat(a, n_bands), kb * n_councils + np.repeat(b, n_bands)),
        len(needs) * n_bands * n_councils,
    )
    home = h_of[h_row[row]]
    held = np.zeros(len(cohort), dtype=np.int64)
    cap = np.full(len(cohort), np.inf)
    if len(region.placements):
        cohort, home, held, cap = _add_held(region, cohort, home, held, cap)
    cost = homes.weekly_cost_gbp.to_numpy(dtype=float)
    from_c, to_c = c_council[cohort], home_council[home]
    order = np.argsort(_sort_key(dist, from_c, to_c, cohort, home, cost), kind="stable")
    from_c, to_c, home = from_c[order], to_c[order], home[order]
    return pd.DataFrame(
        {
            "cohort": cohort[order],
            "home": home,
            "distance_miles": dist[from_c, to_c],
            "inside_own_council": from_c == to_c,
            "weekly_cost_gbp": cost[home],
            "held": held[order],
            "cap": cap[order],
        },
        copy=False,  # fresh arrays: kept as they are, not copied into one block per dtype
    )


def _home_needs(homes: pd.DataFrame, cohorts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(home, need) rows, each need once per home: the home and need code of each, and the needs."""
    lists, codes = _need_lists(homes.needs)  # each distinct need list split once
    needs = pd.Index(pd.unique(np.r_[cohorts.need.to_numpy(dtype=object), np.array([n for xs in lists for n in xs], dtype=object)]))
    flat = needs.get_indexer(pd.Index([n for xs in lists for n in xs], dtype=object)).astype(np.int64)
    size = np.array([len(xs) for xs in lists], dtype=np.int64)
    width = size[codes]
    h_of = np.repeat(np.arange(len(homes)), width)
    h_need = flat[np.arange(int(width.sum()), dtype=np.int64) + np.repeat((np.cumsum(size) - size)[codes] - (np.cumsum(width) - width), width)]
    pair = np.unique(h_of.astype(np.int64) * max(len(needs), 1) + h_need)
    return pair // max(len(needs), 1), pair % max(len(needs), 1), needs


def _need_lists(needs: pd.Series) -> tuple[list[list[str]], np.ndarray]:
    """The distinct ';'-separated need lists split into stripped codes, and the list of each row."""
    codes, distinct = pd.factorize(needs.to_numpy(dtype=object))
    return list(split_needs(pd.Series(distinct, dtype=object))), codes.astype(np.int64)


def _join_rows(
    c_key: np.ndarray, row_base: np.ndarray, row_council: np.ndarray, usable: np.ndarray, open_row: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray], n_groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (cohort, row) pair that is an edge: a row open to every council joined through the group
    ``pairs`` within reach (key ``row_base + row_council``), a row serving one council (its ``row_council``,
    ``usable`` when within reach of the row's home) with that council's cohorts of its group only."""
    cohorts = _groups(c_key, n_groups)
    out = []
    for rows, (gc, gh) in (
        (np.flatnonzero(open_row & usable), pairs),
        (np.flatnonzero(~open_row & usable), (np.arange(n_groups), np.arange(n_groups))),
    ):
        cohort, at = _join_groups(cohorts, _groups(row_base[rows] + row_council[rows], n_groups), gc, gh)
        out.append((cohort, rows[at]))
    return np.concatenate([c for c, _ in out]), np.concatenate([r for _, r in out])


def _join_groups(
    cohorts: tuple[np.ndarray, np.ndarray, np.ndarray],
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    gc: np.ndarray,
    gh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (cohort, row) of each pair of groups (gc, gh): ``cohorts`` and ``rows`` as :func:`_groups` gives them."""
    c_sorted, c_start, c_count = cohorts
    h_sorted, h_start, h_count = rows
    keep = (c_count[gc] > 0) & (h_count[gh] > 0)
    gc, gh = gc[keep], gh[keep]
    # each cohort of each joined pair of groups, then a run of its row group's rows
    per = c_count[gc]
    slot = np.repeat(c_start[gc] - (np.cumsum(per) - per), per) + np.arange(int(per.sum()), dtype=np.int64)
    width = np.repeat(h_count[gh], per)
    first = np.repeat(h_start[gh], per)
    run_start = np.cumsum(width) - width
    at = np.arange(int(width.sum()), dtype=np.int64) + np.repeat(first - run_start, width)
    return np.repeat(c_sorted[slot], width), h_sorted[at]


def _age_bands(region: Region, h_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The age band of each cohort, and each (home, need) row once per age band its home's ages cover:
    the row and the band of each."""
    lo, hi = (np.array([AGE_BANDS[band][i] for band in AGE_BANDS], dtype=np.int64) for i in (0, 1))
    c_band = pd.Index(list(AGE_BANDS)).get_indexer(region.cohorts.age_band)
    homes = region.homes
    covers = (homes.min_age.to_numpy()[h_of, None] <= lo[None, :]) & (hi[None, :] <= homes.max_age.to_numpy()[h_of, None])
    h_row, h_band = np.nonzero(covers)
    return c_band, h_row, h_band


def edge_components(cohort: np.ndarray, home: np.ndarray, n_cohorts: int) -> np.ndarray:
    """Connected part of the network (cohorts and homes joined by edges) of each edge, numbered 0..k-1
    in order of each part's first edge.

    Parts share no cohort and no home, so the allocation LP falls apart into one independent LP per part.

    >>> edge_components(np.array([0, 1, 2, 0]), np.array([0, 1, 1, 0]), 3).tolist()
    [0, 1, 1, 0]
    """
    if len(cohort) == 0:
        return np.zeros(0, dtype=np.int64)
    u = np.asarray(cohort, dtype=np.int64)
    v = n_cohorts + np.asarray(home, dtype=np.int64)
    label = np.arange(n_cohorts + int(v.max()) + 1)
    while True:  # hook every node to the smallest label among its edges, then jump pointers to the roots
        low = np.minimum(label[u], label[v])
        new = label.copy()
        np.minimum.at(new, label[u], low)
        np.minimum.at(new, label[v], low)
        while not np.array_equal(new[new], new):
            new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    _, first, part = np.unique(label[u], return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[part]


def open_edges(edges: pd.DataFrame) -> np.ndarray:
    """Edges that may take new children: ``cap`` above ``held`` (every edge the rules allow;
    not a pair kept only for the children already placed there)."""
    if "cap" not in edges:
        return np.ones(len(edges), dtype=bool)
    return edges.cap.to_numpy(dtype=float) > edges.held.to_numpy(dtype=float)


def _sort_key(
    dist: np.ndarray, from_council: np.ndarray, to_council: np.ndarray, cohort: np.ndarray, home: np.ndarray, cost: np.ndarray
) -> np.ndarray:
    """One integer per edge ordering edges by cohort, distance, weekly cost, home (as a lexsort would):
    distances ranked within each council's row of the distance matrix, homes ranked by (cost, id position)."""
    n = dist.shape[0]
    dist_rank = np.empty((n, n), dtype=np.int64)
    for a in range(n):  # dense rank: equal distances share a rank, so cost and home decide between them
        _, dist_rank[a] = np.unique(dist[a], return_inverse=True)
    home_rank = np.empty(len(cost), dtype=np.int64)
    home_rank[np.lexsort((np.arange(len(cost)), cost))] = np.arange(len(cost))
    return (cohort.astype(np.int64) * n + dist_rank[from_council, to_council]) * max(len(cost), 1) + home_rank[home]


def _groups(keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions sorted by key, and each key's start and count in that order."""
    order = np.argsort(keys, kind="stable")
    count = np.bincount(keys, minlength=n_groups) if len(keys) else np.zeros(n_groups, dtype=np.int64)
    start = np.cumsum(count) - count
    return order, start, count


def _add_held(
    region: Region, cohort: np.ndarray, home: np.ndarray, held: np.ndarray, cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Children already placed: on an eligible edge they are its ``held``; on a pair the rules
    exclude, the pair becomes an edge carrying exactly them (``cap`` = ``held``)."""
    n_homes = len(region.homes)
    pc = pd.Index(region.cohorts.cohort_id).get_indexer(region.placements.cohort_id).astype(np.int64)
    ph = pd.Index(region.homes.home_id).get_indexer(region.placements.home_id).astype(np.int64)
    keys, inverse = np.unique(pc * n_homes + ph, return_inverse=True)
    n_held = np.bincount(inverse, weights=region.placements.children.to_numpy(dtype=float)).astype(np.int64)
    edge_keys = cohort.astype(np.int64) * n_homes + home
    at = np.searchsorted(keys, edge_keys)
    found = (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == edge_keys)
    held = held.copy()
    held[found] = n_held[at[found]]
    extra = ~np.isin(keys, edge_keys[found])
    return (
        np.r_[cohort, keys[extra] // n_homes],
        np.r_[home, keys[extra] % n_homes],
        np.r_[held, n_held[extra]],
        np.r_[cap, n_held[extra].astype(float)],
    )


def _allowed_matrix(cidx: pd.Index, pairs: pd.DataFrame) -> np.ndarray:
    n = len(cidx)
    ok = np.zeros((n, n), dtype=bool)
    a = cidx.get_indexer(pairs.from_council_id)
    b = cidx.get_indexer(pairs.to_council_id)
    valid = (a >= 0) & (b >= 0)
    ok[a[valid], b[valid]] = True
    return ok


def unreachable_cohorts(region: Region, params: PlanParams | None = None) -> pd.DataFrame:
    """Cohorts with children but no eligible home at all within reach (rows of
    ``region.cohorts``)."""
    edges = eligible_edges(region, params)
    reachable = np.zeros(len(region.cohorts), dtype=bool)
    reachable[edges.cohort.to_numpy()] = True
    out = region.cohorts.loc[~reachable & (region.cohorts.children.to_numpy() > 0)]
    return out.reset_index(drop=True)


def eligibility_graph(region: Region, params: PlanParams | None = None) -> nx.DiGraph:
    """A directed graph cohort -> home with edge attributes.

    Nodes are ``("cohort", cohort_id)`` with ``demand`` and ``("home", home_id)``
    with ``places``; edges carry ``distance_miles``, ``weekly_cost_gbp`` and
    ``inside_own_council``.
    """
    edges = eligible_edges(region, params)
    g = nx.DiGraph(name=region.name)
    for cid, n in zip(region.cohorts.cohort_id, region.cohorts.children):
        g.add_node(("cohort", cid), demand=int(n))
    for hid, p in zip(region.homes.home_id, region.homes.places):
        g.add_node(("home", hid), places=int(p))
    cids = region.cohorts.cohort_id.to_numpy()[edges.cohort.to_numpy()]
    hids = region.homes.home_id.to_numpy()[edges.home.to_numpy()]
    g.add_edges_from(
        (("cohort", a), ("home", b), {"distance_miles": float(d), "weekly_cost_gbp": float(w), "inside_own_council": bool(i)})
        for a, b, d, w, i in zip(cids, hids, edges.distance_miles, edges.weekly_cost_gbp, edges.inside_own_council)
    )
    return g


def council_graph(region: Region, within_miles: float = 20.0) -> nx.Graph:
    """Councils joined when their centroids are within ``within_miles``.

    Edge attribute ``distance_miles``. Useful to see which councils can share
    supply close to home.
    """
    d = region.council_distances()
    ids = region.council_ids
    g = nx.Graph(name=region.name)
    for cid, name, reg in zip(ids, region.councils.name, region.councils.region):
        g.add_node(cid, name=name, region=reg)
    i, j = np.nonzero(np.triu(d <= within_miles, k=1))
    g.add_edges_from((ids[a], ids[b], {"distance_miles": float(d[a, b])}) for a, b in zip(i, j))
    return g
