"""The base table of a plan's report as a reader with public knowledge sees it (internal
to :mod:`rcc.report`).

A report never lists a row per cohort and home: with each home's places public (Ofsted's
list, the region's homes table), a row at a small home gives its count away. The report
lists children per home council, placement council and home type instead, and its audit
must know every way a reader could fill those rows in. So the base of the audit is one
cell per (home council, home) pair that a reader cannot rule out:

* every pair the plan uses, with its children (and held children);
* every other home that could take one of the council's cohorts (need, age, the homes
  serving one council only, as :func:`rcc.eligible_edges` rules; no farther from the
  council than the farthest home the plan uses for it), with 0 children: a reader cannot
  tell it from a home with a few.

Rows are listed so that none is small: a placement council is listed for a home council
when the plan places at least ``threshold`` children there, and inside it a home type
when it holds at least ``threshold`` of them (the other types together as
:data:`OTHER_TYPES` when they hold none or at least ``threshold``, else the council as one
:data:`ALL_TYPES` row); every other council goes into one row, :data:`ELSEWHERE`, with all
their candidate homes (used or not), listed for every home council with candidate homes
there, even with no child (so that its being listed says nothing). So every listed row
but :data:`ELSEWHERE` holds at least ``threshold`` children -- a fact the audit knows, as
a reader does -- and small flows are never listed one by one (suppressing each would hide
the rest of the table).
Where the audit still finds a listed row or a council's count pinned by the places with
nothing left to suppress, its councils are pooled into :data:`ELSEWHERE` too and the
report is made again.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.network import eligible_edges
from rcc.allocation.result import Plan
from rcc.core.region import Region

#: The placement council (id, name) of the row that pools every council not listed on its own.
ELSEWHERE = ("(elsewhere)", "councils not listed on their own (few places)")
#: The home type of the row that pools a listed council's small home types.
OTHER_TYPES = "other types (few places)"
#: The home type of a listed council not split by type.
ALL_TYPES = "all types"

_KEYS = ("council_id", "home_id")
_COLUMNS = ("council_id", "home_id", "home_council_id", "home_type", "distance_miles", "inside_own_council", "weekly_cost_gbp")


def base_pairs(plan: Plan, threshold: int, pooled: frozenset[tuple[str, str]] = frozenset()) -> pd.DataFrame:
    """One row per (home council, home) pair of a plan report's base (see the module).

    Columns: ``council_id``, ``home_id``, ``home_council_id``, ``home_type``,
    ``distance_miles``, ``inside_own_council``, ``weekly_cost_gbp``, ``children``,
    ``held``, ``places`` (the home's, or what the plan places there if more), and the row
    of the report the pair counts in: ``listed_council`` and ``listed_type``. Pairs of
    rows the report does not list (no child in them) are left out: a reader knows them
    to be 0. ``pooled``: (home council, placement council) pairs listed in
    :data:`ELSEWHERE` whatever their places (rows the audit found pinned by the places)."""
    return release_pairs(plan.placements, plan.region, threshold, pooled)


def release_pairs(
    placements: pd.DataFrame,
    region: Region,
    threshold: int,
    pooled: frozenset[tuple[str, str]] = frozenset(),
    *,
    places: pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`base_pairs` of one plan's ``placements`` in ``region`` (``places``: each
    home's places, by ``home_id``, instead of ``region.homes.places``, e.g. a year's new
    and closed places)."""
    used = _used_pairs(placements)
    pairs = pd.concat([used, _zero_pairs(region, used)], ignore_index=True)
    cap = region.homes.set_index("home_id").places if places is None else places
    placed = used.groupby("home_id").children.sum()
    have = cap.reindex(pairs.home_id).to_numpy(dtype=float)
    pairs["places"] = np.maximum(np.nan_to_num(have), placed.reindex(pairs.home_id).fillna(0).to_numpy(dtype=float))
    pairs = _merge_alike(pairs)
    pairs["listed_council"], pairs["listed_type"] = _listed(pairs, threshold, pooled)
    key = pd.MultiIndex.from_arrays([pairs.council_id, pairs.listed_council, pairs.listed_type])
    listed = pd.Series(pairs.children.to_numpy(), index=key).groupby(level=[0, 1, 2]).sum() > 0
    keep = listed.reindex(key).to_numpy(dtype=bool) | (pairs.listed_council.to_numpy() == ELSEWHERE[0])
    return pairs[keep].reset_index(drop=True)


def _merge_alike(pairs: pd.DataFrame) -> pd.DataFrame:
    """Homes a reader cannot tell apart, merged into one: same council, type, weekly cost
    (and new capacity or not) and open to the same home councils. A release over the
    merged homes says exactly what it says over the homes (any split of a merged home's
    children over its homes within their places is consistent with it), from a smaller
    audit. ``home_id`` becomes the merged home's first id; ``places`` the sum."""
    if not len(pairs):
        return pairs
    home = pd.factorize(pairs.home_id.astype(str))[0]
    council = pd.factorize(pairs.council_id.astype(str))[0].astype(np.int64)
    # the set of councils open to each home, as one integer per distinct set
    order = np.lexsort((council, home))
    h_sorted, c_sorted = home[order], council[order]
    starts = np.flatnonzero(np.r_[True, h_sorted[1:] != h_sorted[:-1]])
    sets = [tuple(c_sorted[a:b]) for a, b in zip(starts, np.r_[starts[1:], len(order)])]
    set_id = np.empty(home.max() + 1, dtype=np.int64)
    set_id[h_sorted[starts]] = pd.factorize(pd.Series(sets, dtype=object))[0]
    extra = ["new_capacity"] if "new_capacity" in pairs.columns else []
    cols = ["home_council_id", "home_type", "weekly_cost_gbp", *extra]
    sig = pairs[cols].astype(str).assign(_set=set_id[home]).groupby([*cols, "_set"], sort=False).ngroup().to_numpy()
    first = pairs.home_id.to_numpy(dtype=object)[pd.Series(np.arange(len(pairs))).groupby(sig).transform("first").to_numpy()]
    per_home = pairs.drop_duplicates("home_id")
    places = per_home.places.groupby(pd.Series(first, index=pairs.index).loc[per_home.index].to_numpy()).sum()
    g = pairs.assign(home_id=first).groupby(["council_id", "home_id"], sort=False)
    rest = [c for c in pairs.columns if c not in ("council_id", "home_id", "children", "held", "places")]
    out = g[rest].first().assign(children=g.children.sum(), held=g.held.sum()).reset_index()
    return out.assign(places=places.reindex(out.home_id).to_numpy(dtype=float))


def _used_pairs(p: pd.DataFrame) -> pd.DataFrame:
    """The placement rows summed per (home council, home)."""
    keys = list(_KEYS)
    extra = ["new_capacity"] if "new_capacity" in p.columns else []
    cols = [c for c in _COLUMNS if c not in keys] + extra
    if not len(p):
        return pd.DataFrame({**{c: [] for c in [*keys, *cols]}, "children": [], "held": []})
    held = p.held if "held" in p.columns else pd.Series(0, index=p.index)
    g = p.assign(held=held).groupby(keys, sort=False)
    first = g[cols].first()
    return first.assign(children=g.children.sum(), held=g.held.sum()).reset_index()


def _zero_pairs(region: Region, used: pd.DataFrame) -> pd.DataFrame:
    """Every other (home council, home) pair a reader cannot rule out, with 0 children."""
    e = eligible_edges(attrs.evolve(region, placements=region.placements.iloc[:0]) if len(region.placements) else region)
    cohort, home = e.cohort.to_numpy(), e.home.to_numpy()
    # one edge per (council, home): the first (nearest, cheapest) is as good as any
    council = pd.factorize(region.cohorts.council_id)[0].astype(np.int64)[cohort]
    _, first = np.unique(council * (len(region.homes) + 1) + home, return_index=True)
    e, cohort, home = e.iloc[first], cohort[first], home[first]
    homes = region.homes
    pairs = pd.DataFrame(
        {
            "council_id": region.cohorts.council_id.to_numpy(dtype=object)[cohort],
            "home_id": homes.home_id.to_numpy(dtype=object)[home],
            "home_council_id": homes.council_id.to_numpy(dtype=object)[home],
            "home_type": homes.home_type.to_numpy(dtype=object)[home],
            "distance_miles": e.distance_miles.to_numpy(),
            "inside_own_council": e.inside_own_council.to_numpy(),
            "weekly_cost_gbp": e.weekly_cost_gbp.to_numpy(),
        }
    )
    reach = used.groupby("council_id").distance_miles.max()
    pairs = pairs[pairs.distance_miles.to_numpy() <= reach.reindex(pairs.council_id).to_numpy(dtype=float)]
    seen = pd.MultiIndex.from_frame(used[list(_KEYS)].astype(str))
    pairs = pairs[~pd.MultiIndex.from_frame(pairs[list(_KEYS)].astype(str)).isin(seen)]
    pairs = pairs.assign(children=0, held=0)
    if "new_capacity" in used.columns:
        pairs = pairs.assign(new_capacity=False)
    return pairs.reset_index(drop=True)


def _listed(pairs: pd.DataFrame, threshold: int, pooled: frozenset[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """The report row (placement council, home type) each pair counts in (see the module)."""
    hc = pairs.home_council_id.astype(str).to_numpy(dtype=object)
    ht = pairs.home_type.astype(str).to_numpy(dtype=object)
    if threshold <= 1:
        return hc, ht
    c = pairs.council_id.astype(str).to_numpy(dtype=object)
    flow_kids = _group_sum(pairs.children, c, hc)
    council_ok = flow_kids >= threshold
    if pooled:
        council_ok &= ~pd.MultiIndex.from_arrays([c, hc]).isin(list(pooled))
    type_ok = _group_sum(pairs.children, c, hc, ht) >= threshold
    rest_kids = _group_sum(pairs.children.where(council_ok & ~type_ok, 0), c, hc)
    split = (rest_kids == 0) | (rest_kids >= threshold)  # the other types' row holds none, or enough children
    lt = np.where(~split, ALL_TYPES, np.where(type_ok, ht, OTHER_TYPES))
    lc = np.where(council_ok, hc, ELSEWHERE[0])
    return lc, np.where(council_ok, lt, ALL_TYPES)


def _group_sum(values: pd.Series, *keys: np.ndarray) -> np.ndarray:
    """Each row's group total of ``values`` (groups: equal ``keys``)."""
    return pd.Series(values.to_numpy(dtype=float)).groupby(list(map(pd.Series, keys))).transform("sum").to_numpy()
