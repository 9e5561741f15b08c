"""The eligibility network: which cohort may live in which home.

:func:`eligible_edges` builds the edges as one DataFrame with vectorised
pandas/numpy (a merge on need, then array filters); the model and the greedy
baseline read it. :func:`eligibility_graph` and :func:`council_graph` give
networkx views of the same facts for analysis.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .params import PlanParams
from .region import Region
from .schema import AGE_BANDS
from .validate import split_needs

__all__ = ["eligible_edges", "eligibility_graph", "council_graph", "unreachable_cohorts"]

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
    cohorts, homes, councils = region.cohorts, region.homes, region.councils
    cidx = pd.Index(councils.council_id)
    dist = region.council_distances()

    c = pd.DataFrame(
        {
            "cohort": np.arange(len(cohorts)),
            "need": cohorts.need.to_numpy(),
            "c_council": cidx.get_indexer(cohorts.council_id),
            "lo": cohorts.age_band.map(lambda b: AGE_BANDS[b][0]).to_numpy(dtype=np.int64),
            "hi": cohorts.age_band.map(lambda b: AGE_BANDS[b][1]).to_numpy(dtype=np.int64),
        }
    )
    h = pd.DataFrame(
        {
            "home": np.arange(len(homes)),
            "need": split_needs(homes.needs).to_numpy(),
            "h_council": cidx.get_indexer(homes.council_id),
            "serves": np.where(homes.serves_council_id == "", -1, cidx.get_indexer(homes.serves_council_id)),
            "min_age": homes.min_age.to_numpy(),
            "max_age": homes.max_age.to_numpy(),
        }
    ).explode("need")
    e = c.merge(h, on="need", how="inner", sort=False)
    d = dist[e.c_council.to_numpy(), e.h_council.to_numpy()]
    codes, needs = pd.factorize(e.need.to_numpy())  # limits looked up per need, never per pair
    limit = np.array([params.distance_limit(n) for n in needs], dtype=float)[codes]
    keep = (
        (e.min_age.to_numpy() <= e.lo.to_numpy())
        & (e.hi.to_numpy() <= e.max_age.to_numpy())
        & ((e.serves.to_numpy() < 0) | (e.serves.to_numpy() == e.c_council.to_numpy()))
        & (d <= limit)
    )
    if allowed_pairs is not None:
        keep &= _allowed_mask(cidx, allowed_pairs, e.c_council.to_numpy(), e.h_council.to_numpy())
    e = e.loc[keep, ["cohort", "home"]].drop_duplicates()
    if len(region.placements):
        held = pd.DataFrame(
            {
                "cohort": pd.Index(cohorts.cohort_id).get_indexer(region.placements.cohort_id),
                "home": pd.Index(homes.home_id).get_indexer(region.placements.home_id),
                "held": region.placements.children.to_numpy(),
            }
        ).groupby(["cohort", "home"], as_index=False).held.sum()
        e = e.merge(held, on=["cohort", "home"], how="outer", indicator=True)
        e["held"] = e.held.fillna(0).astype(np.int64)
        by_rule = (e.pop("_merge") != "right_only").to_numpy()
        e["cap"] = np.where(by_rule, np.inf, e.held.to_numpy(dtype=float))
    else:
        e["held"] = np.zeros(len(e), dtype=np.int64)
        e["cap"] = np.full(len(e), np.inf)
    ci = cidx.get_indexer(cohorts.council_id)[e.cohort.to_numpy()]
    hi = cidx.get_indexer(homes.council_id)[e.home.to_numpy()]
    e["distance_miles"] = dist[ci, hi]
    e["inside_own_council"] = ci == hi
    e["weekly_cost_gbp"] = homes.weekly_cost_gbp.to_numpy()[e.home.to_numpy()]
    e = e.sort_values(["cohort", "distance_miles", "weekly_cost_gbp", "home"], kind="stable")
    return e[list(EDGE_COLUMNS)].reset_index(drop=True)


def _allowed_mask(cidx: pd.Index, pairs: pd.DataFrame, ci: np.ndarray, hi: np.ndarray) -> np.ndarray:
    n = len(cidx)
    ok = np.zeros((n, n), dtype=bool)
    a = cidx.get_indexer(pairs.from_council_id)
    b = cidx.get_indexer(pairs.to_council_id)
    valid = (a >= 0) & (b >= 0)
    ok[a[valid], b[valid]] = True
    return ok[ci, hi]


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
