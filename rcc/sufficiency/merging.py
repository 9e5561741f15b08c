"""Merging interchangeable existing homes into classes before the model, and splitting the plan's placements back."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.engine import aggregate_homes, class_representatives
from rcc.allocation.model import group_positions
from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.validate import normalise
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.tables import CLOSURES, COSTS, FORECAST

__all__ = ["merge_homes", "split_placements"]


def merge_homes(
    region: Region,
    options: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    closures: pd.DataFrame | None,
    costs: pd.DataFrame | None,
    params: SufficiencyParams,
) -> tuple[Region, np.ndarray | None]:
    """Merge interchangeable existing homes into classes (see :func:`rcc.allocation.engine.aggregate_homes`).

    Current placements do not keep homes apart: held children
    (:mod:`rcc.sufficiency.held`) take places of their own home, counted in its
    class, and stay named by their home in the plan. Homes named in ``closures`` or in the ``costs`` matrix
    stay on their own, and when ``max_provider_group_share`` is set homes of
    different provider groups or sectors (the share rule and its exempt
    sectors) are never merged. Homes that may take a cohort placed in groups
    (``group_size`` > 1) merge only when all groups are the same size and the
    home's places are a multiple of it (so any whole groups that fit the
    class fit its homes); otherwise they stay on their own. A class of one
    home keeps the home's id; larger classes are named ``class:<k>``.

    Parameters
    ----------
    region : Region
    options, forecast, closures, costs : pandas.DataFrame or None
        As given to :func:`sufficiency_plan`.
    params : SufficiencyParams

    Returns
    -------
    merged : Region
        The region with one home per class (``region`` itself when nothing merges).
    home_class : numpy.ndarray or None
        Each home's class, or None when nothing merges (or the tables are
        invalid: validation then reports on the original region).
    """
    homes = region.homes
    if len(homes) < 2:
        return region, None
    try:
        named: set[object] = set()
        if closures is not None:
            named |= set(normalise(closures, CLOSURES).home_id)
        if costs is not None:
            named |= set(normalise(costs, COSTS).site_id)
        if options is not None and "option_id" in options and homes.home_id.isin(options.option_id).any():
            return region, None  # an id clash: prepare_inputs reports it on the original homes
        sizes = normalise(forecast, FORECAST) if forecast is not None else None
    except (InvalidInputError, KeyError, TypeError, ValueError):  # invalid tables: prepare_inputs raises the proper error
        return region, None
    if sizes is not None and len(sizes):
        grouped = sizes.loc[sizes.group_size > 1]
        g = grouped.group_size.unique()
        group_needs = set(region.cohorts.need[region.cohorts.cohort_id.isin(grouped.cohort_id)])
        takes = homes.needs.map(lambda v: bool(group_needs & {x.strip() for x in str(v).split(";")})).to_numpy(dtype=bool)
        whole = (len(g) == 1) & (homes.places.to_numpy() % int(g[0] if len(g) else 1) == 0)
        named |= set(homes.home_id[takes & ~whole])
    keys = {"home_id": np.where(homes.home_id.isin(list(named)), homes.home_id, "").astype(object)}
    if params.max_provider_group_share is not None:
        providers = region.providers.set_index("provider_id")
        keys["provider_group"] = homes.provider_id.map(providers.group).to_numpy(dtype=object)
        keys["sector"] = homes.provider_id.map(providers.sector).to_numpy(dtype=object)
    free = attrs.evolve(region, placements=region.placements.iloc[0:0])
    classes, home_class = aggregate_homes(free, keys)
    n = len(classes.homes)
    if n == len(homes):
        return region, None
    size = np.bincount(home_class, minlength=n)
    first = class_representatives(home_class)
    ids = np.where(size == 1, homes.home_id.to_numpy(dtype=object)[first], classes.homes.home_id.to_numpy(dtype=object))
    merged = attrs.evolve(classes, homes=classes.homes.assign(home_id=ids))
    return merged, home_class


def split_placements(
    region: Region, merged: Region, home_class: np.ndarray, placements: pd.DataFrame, group_size: np.ndarray, whole: bool,
    taken: np.ndarray | None = None,
) -> pd.DataFrame:
    """Share each year's placements in a class of homes among its homes.

    Each year the class's homes fill in table order (as
    :func:`rcc.allocation.engine.split_flows`), cohorts placed in groups first and in
    whole groups, so every row names a real home, no home holds more
    children than its places and no group is split between homes.

    Parameters
    ----------
    region : Region
        The original region.
    merged : Region
        The region with one home per class (from :func:`merge_homes`).
    home_class : numpy.ndarray
        Each original home's class.
    placements : pandas.DataFrame
        The plan's placements, naming classes.
    group_size : numpy.ndarray
        Children per group of each cohort (rows of ``region.cohorts``).
    whole : bool
        Whether children are whole (integer columns).
    taken : numpy.ndarray, optional
        (homes, years) places taken by held children (rows with ``held`` > 0 already name their home).

    Returns
    -------
    pandas.DataFrame
        The placements naming homes, in the same order.
    """
    homes = region.homes
    n = len(merged.homes)
    size = np.bincount(home_class, minlength=n)
    class_pos = pd.Index(merged.homes.home_id).get_indexer(placements.home_id)
    split = (class_pos >= 0) & (size[np.maximum(class_pos, 0)] > 1) & (placements.held.to_numpy(dtype=float) <= 0)
    if not split.any():
        return placements
    members = group_positions(home_class, n)
    places = homes.places.to_numpy(dtype=float)
    group = homes.provider_id.map(region.providers.set_index("provider_id").group).to_numpy(dtype=object)
    tol = 1e-9
    parts: list[tuple[int, int, float]] = []  # (placement row, home, children)
    rows = np.flatnonzero(split)
    years = placements.year.to_numpy()
    children = placements.children.to_numpy(dtype=float)
    g = np.asarray(group_size, dtype=float)[pd.Index(region.cohorts.cohort_id).get_indexer(placements.cohort_id)]
    for year in np.unique(years[rows]).tolist():
        free = places.copy() if taken is None else places - taken[:, int(year) - 1]
        at = rows[years[rows] == year]
        for r in at[np.argsort(-g[at], kind="stable")].tolist():  # whole groups first
            need = float(children[r])
            for h in members[int(class_pos[r])].tolist():
                take = min(np.floor(free[h] / g[r] + tol) * g[r], need)
                if take > tol:
                    parts.append((r, h, take))
                    free[h] -= take
                    need -= take
                if need <= tol:
                    break
            if need > tol:  # pragma: no cover - the class capacity row forbids it
                parts.append((r, int(members[int(class_pos[r])][-1]), need))
    idx = np.array([p[0] for p in parts], dtype=np.int64)
    h_idx = np.array([p[1] for p in parts], dtype=np.int64)
    new = placements.iloc[idx].reset_index(drop=True)
    h = homes.iloc[h_idx]
    new["home_id"] = h.home_id.to_numpy()
    new["home_type"] = h.home_type.to_numpy()
    new["provider_id"] = h.provider_id.to_numpy()
    new["provider_group"] = group[h_idx]
    share = np.array([p[2] for p in parts], dtype=float)
    new["children"] = np.round(share).astype(np.int64) if whole else share
    new["_row"] = idx
    keep = placements.loc[~split].assign(_row=np.flatnonzero(~split))
    out = pd.concat([keep, new], ignore_index=True).sort_values("_row", kind="stable", ignore_index=True)
    return out.drop(columns="_row").astype(placements.dtypes.to_dict())
