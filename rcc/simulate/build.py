"""A stock-and-flow :class:`~rcc.flows.Engine` from a Region: keys, candidate lists, supply, steady rates."""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.network import eligible_edges
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS, cohort_ids
from rcc.datasets import england_geometry, simulation_calibration
from rcc.flows import (
    DEFAULT_SUIT_CHANCE,
    DURATION_EDGES_MONTHS,
    ChoiceRule,
    Engine,
    FlowRates,
    Network,
    Population,
    default_exit_hazard,
)
from rcc.flows.choice import multiple
from rcc.flows.population import NO_HOME

__all__ = [
    "NEAR_CARERS",
    "OWN_PROVISION",
    "RESIDENTIAL_MATCH",
    "TODAY_PARAMS",
    "band_of_age",
    "build_engine",
    "calibrated_rule",
    "initial_population",
    "key_frame",
    "provision_council",
    "steady_rates",
]

_BANDS = tuple(AGE_BANDS)
#: Home types that take only their own council's children in the simulation of today's placing: a
#: council's in-house foster carers (DfE 31 March 2025: 333 of 81,770 children looked after were placed
#: in another council's provision). Plans may pool them; today's referrals do not.
OWN_PROVISION: tuple[str, ...] = ("in_house_fostering",)
#: The distance rules of the simulation of today's placing: none, for any need. Placing as it happens has no
#: distance limit: DfE counted 3,120 children looked after more than 100 miles from home on 31 March 2024
#: (:data:`rcc.datasets.DISTANCE_TAIL_PUBLISHED`); a plan's 150 miles
#: (:class:`rcc.PlanParams`) is a planning rule, not a fact of today (under it, a child with no suitable free place
#: within 150 miles would wait).
TODAY_PARAMS = PlanParams(max_distance_miles=math.inf)
#: Home types whose places run by a council are its own family carers, who live near its children wherever
#: its boundary runs (:mod:`rcc.datasets.supply` puts those beyond it a typical distance from the children):
#: a child placed with its own council's carers in a neighbouring council is measured by the geometry's
#: nearest-first figures (:attr:`rcc.datasets.CouncilGeometry.near_far_share`), not by the whole neighbour's
#: spread (every referral weighs a council's places by that nearest-first distance); a child with its own
#: council's kinship carers inside the council by the kinship locality
#: (:attr:`rcc.datasets.CouncilGeometry.kin_far_share`: relatives live nearer the child than other places).
NEAR_CARERS: tuple[str, ...] = ("kinship", "in_house_fostering")


def band_of_age() -> np.ndarray:
    """Age band index (order of :data:`rcc.core.schema.AGE_BANDS`) of each age in years 0-17."""
    out = np.empty(18, dtype=np.int64)
    for i, (lo, hi) in enumerate(AGE_BANDS.values()):
        out[lo : hi + 1] = i
    return out


def key_frame(region: Region) -> pd.DataFrame:
    """Every network key as a cohort row (council x need x band), in key order, ``children`` 0."""
    c = np.repeat(region.councils.council_id.to_numpy(dtype=object), len(NEEDS) * len(_BANDS))
    n = np.tile(np.repeat(np.array(NEEDS, dtype=object), len(_BANDS)), len(region.councils))
    b = np.tile(np.array(_BANDS, dtype=object), len(region.councils) * len(NEEDS))
    return pd.DataFrame(
        {
            "cohort_id": cohort_ids(pd.Series(c), pd.Series(n), pd.Series(b)),
            "council_id": c,
            "need": n,
            "age_band": b,
            "children": np.zeros(len(c), dtype=np.int64),
        }
    )


#: Home types whose suit chance is the calibrated ``residential_suit`` (:func:`calibrated_rule`): specialist
#: residential places, where a free place suits a child only when the home's registered needs, its current
#: group of children and its staff fit (Ofsted 2022: a vacancy near home often cannot meet a child's needs).
RESIDENTIAL_MATCH: tuple[str, ...] = ("childrens_home", "residential_school")


def calibrated_rule(
    suit_scale: float | None = None,
    match_spread: float | None = None,
    residential_suit: float | None = None,
    region_scale: Mapping[str, float] | None = None,
    region_spread: Mapping[str, float] | None = None,
    residential_spread: float | None = None,
) -> ChoiceRule:
    """The choice rule with every home type's suit chance (:data:`rcc.flows.DEFAULT_SUIT_CHANCE`) times
    ``suit_scale``, capped at 1, except the :data:`RESIDENTIAL_MATCH` types, whose chance is
    ``residential_suit``; children unequal to match by ``match_spread``
    (:attr:`rcc.flows.ChoiceRule.match_spread`). Defaults: the calibrated values
    (:func:`rcc.datasets.simulation_calibration`; in a record without them, ``match_spread`` 0 and the
    residential types scaled like the others). ``region_scale`` and ``region_spread``: per region, multiples
    of the suit chance of its agency and residential places and of ``match_spread`` for its homes
    (:class:`rcc.flows.ChoiceRule`); defaults none and the calibrated ``match_spread_scale`` of each region
    (the record's ``regional`` table, :func:`rcc.datasets.simulation_calibration`). ``residential_spread``: a
    multiple of ``match_spread`` for the :data:`RESIDENTIAL_MATCH` types
    (:attr:`rcc.flows.ChoiceRule.type_spread`; default the calibrated value, 1 in a record without it)."""
    record = simulation_calibration()
    fitted, fitted_regional = record["parameters"], record.get("regional", {})
    if suit_scale is None:
        suit_scale = float(fitted["suit_scale"])
    if match_spread is None:
        match_spread = float(fitted.get("match_spread", 0.0))
    if residential_suit is None and "residential_suit" in fitted:
        residential_suit = float(fitted["residential_suit"])
    if not 0 <= float(suit_scale):
        raise InvalidInputError("choice rule", None, "suit_scale", "a multiple of at least 0", suit_scale)
    suit = {t: min(1.0, p * float(suit_scale)) for t, p in DEFAULT_SUIT_CHANCE.items()}
    if residential_suit is not None:
        if not 0 <= float(residential_suit) <= 1:
            raise InvalidInputError("choice rule", None, "residential_suit", "a chance from 0 to 1", residential_suit)
        suit |= {t: float(residential_suit) for t in RESIDENTIAL_MATCH}
    if region_spread is None:
        region_spread = fitted_regional.get("match_spread_scale", {})
    if residential_spread is None:
        residential_spread = float(fitted.get("residential_spread", 1.0))
    residential_spread = multiple("residential_spread", None, residential_spread)
    return ChoiceRule(
        suit_chance=suit,
        match_spread=float(match_spread),
        region_scale=region_scale or {},
        region_spread=region_spread,
        type_spread=dict.fromkeys(RESIDENTIAL_MATCH, residential_spread),
    )


def provision_council(region: Region, home_types: tuple[str, ...] = OWN_PROVISION) -> np.ndarray:
    """Per home (table order): the council (row position) whose own provision it is, for homes of
    ``home_types`` run by a council-sector provider, else -1. The council is the provider's ``group`` or
    ``provider_id`` when it names one of the region's councils (after an ``LA:`` prefix, as the embedded
    England's in-house providers do), else the council the home is in."""
    homes = region.homes
    providers = region.providers.set_index("provider_id")
    sector = providers.sector.reindex(homes.provider_id).to_numpy(dtype=object)
    councils = pd.Index(region.councils.council_id)
    named = pd.Series(providers.group.where(providers.group != "", providers.index)).reindex(homes.provider_id)
    owner = councils.get_indexer(named.fillna("").astype(str).str.removeprefix("LA:"))
    owner = np.where(owner >= 0, owner, councils.get_indexer(homes.council_id))
    restricted = homes.home_type.isin(home_types).to_numpy() & (sector == "council")
    return np.where(restricted, owner, -1).astype(np.int64)


def _network(region: Region, params: PlanParams, rule: ChoiceRule, own_provision: tuple[str, ...]) -> Network:
    keys = key_frame(region)
    wanted = pd.MultiIndex.from_frame(region.cohorts[["council_id", "need"]]).unique()
    used = pd.MultiIndex.from_frame(keys[["council_id", "need"]]).isin(wanted)
    empty = region.placements.iloc[:0]
    edges = eligible_edges(attrs.evolve(region, cohorts=keys[used].reset_index(drop=True), placements=empty), params)
    key = np.flatnonzero(used)[edges.cohort.to_numpy()]
    home = edges.home.to_numpy()
    owner = provision_council(region, own_provision)[home]
    keep = (owner < 0) | (owner == key // (len(NEEDS) * len(_BANDS)))  # a council's own carers: its children
    edges, key, home = edges[keep], key[keep], home[keep]
    kind = pd.Index(HOME_TYPES).get_indexer(region.homes.home_type)
    need = (key // len(_BANDS)) % len(NEEDS)
    order = (rule.tier_table()[need, kind[home]], _choice_miles(region, key, home, edges), edges.weekly_cost_gbp.to_numpy())
    return Network.from_edges(key, home, order, len(keys))


def _choice_miles(region: Region, key: np.ndarray, home: np.ndarray, edges: pd.DataFrame) -> np.ndarray:
    """Distance a referral weighs a home by: for England's councils the geometry's nearest-first expected
    distance from where the council's children live to the home's council
    (:attr:`rcc.datasets.CouncilGeometry.near_mean_miles`, :func:`rcc.datasets.council_geometry`): a child
    placed in a council is placed near where it lives, so a neighbour is as near as its nearest part, a big
    council's own places are not passed over for a neighbour's whose centroid is nearer, and a large county
    beyond a small borough is not weighed by its far side; otherwise the plan's distance."""
    geometry = england_geometry(region.council_ids, spread=1.0)  # evenly spread, as the travel table
    if geometry is None:
        return edges.distance_miles.to_numpy()
    child = key // (len(NEEDS) * len(_BANDS))
    where = pd.Index(region.councils.council_id).get_indexer(region.homes.council_id)[home]
    return geometry.near_mean_miles[child, where]


def _home_region(region: Region) -> np.ndarray:
    """Region name of each home's council (table order; "" where the councils table has no region)."""
    if "region" not in region.councils:
        return np.full(len(region.homes), "", dtype=object)
    names = region.councils.set_index("council_id").region.reindex(region.homes.council_id)
    return names.fillna("").to_numpy(dtype=object)


def steady_rates(region: Region, exit_hazard: np.ndarray | None = None) -> FlowRates:
    """Entries that keep each cohort's stock about steady under the exit hazard and ageing (a default, not
    calibrated): ages spread evenly within each band; per age ``a``, entries = stock x exit hazard (a
    typical duration) + those ageing out of ``a`` - those ageing into it, none where ageing in is larger."""
    hazard = default_exit_hazard() if exit_hazard is None else np.asarray(exit_hazard, dtype=float)
    stock = np.zeros((len(region.councils), len(NEEDS), 18))
    c = pd.Index(region.councils.council_id).get_indexer(region.cohorts.council_id)
    n = pd.Index(NEEDS).get_indexer(region.cohorts.need)
    for band, (lo, hi) in AGE_BANDS.items():
        rows = (region.cohorts.age_band == band).to_numpy()
        per_year = region.cohorts.children.to_numpy(dtype=float)[rows] / (hi - lo + 1)
        for a in range(lo, hi + 1):
            np.add.at(stock[:, :, a], (c[rows], n[rows]), per_year)
    typical = hazard[min(2, len(DURATION_EDGES_MONTHS) - 1)]
    ageing_in = np.concatenate([np.zeros_like(stock[:, :, :1]), stock[:, :, :-1]], axis=2) / 12
    entry = np.maximum(stock * typical + stock / 12 - ageing_in, 0.0)
    return FlowRates(entry, hazard)


def build_engine(
    region: Region,
    rates: object | None = None,
    rule: ChoiceRule | None = None,
    params: PlanParams | None = None,
    own_provision: tuple[str, ...] = OWN_PROVISION,
) -> Engine:
    """The engine of a region: its homes and places, candidate lists by the distance and need rules of
    ``params`` (:func:`rcc.eligible_edges`; default :data:`TODAY_PARAMS`, no distance limit), sorted by the
    rule's type tiers then distance (default rule:
    :func:`calibrated_rule`); homes of the ``own_provision`` types run by a council take only that
    council's children (:func:`provision_council`), as councils place today."""
    rule = rule or calibrated_rule()
    params = params or TODAY_PARAMS
    kind = pd.Index(HOME_TYPES).get_indexer(region.homes.home_type)
    home_region = _home_region(region)
    return Engine(
        network=_network(region, params, rule, tuple(own_provision)),
        home_type=kind.astype(np.int64),
        places=region.homes.places.to_numpy(dtype=np.int64),
        suits=rule.home_suits(kind, home_region),
        band_of_age=band_of_age(),
        councils=len(region.councils),
        needs=len(NEEDS),
        rates=rates if rates is not None else steady_rates(region),  # type: ignore[arg-type]
        match_spread=rule.home_spread(kind, home_region),
    )


def _children(region: Region, cohort_rows: np.ndarray, homes: np.ndarray, rng: np.random.Generator) -> Population:
    """Children of the given cohort rows (one entry per child) with random birth months in the band."""
    cohorts = region.cohorts
    council = pd.Index(region.councils.council_id).get_indexer(cohorts.council_id.to_numpy()[cohort_rows])
    need = pd.Index(NEEDS).get_indexer(cohorts.need.to_numpy()[cohort_rows])
    bounds = np.array([AGE_BANDS[b] for b in cohorts.age_band.to_numpy()[cohort_rows]], dtype=np.int64).reshape(-1, 2)
    age = bounds[:, 0] * 12 + (rng.random(len(cohort_rows)) * ((bounds[:, 1] - bounds[:, 0] + 1) * 12)).astype(np.int64)
    in_care = (rng.random(len(cohort_rows)) * np.minimum(age + 1, 48)).astype(np.int64)
    return Population(council.astype(np.int64), need.astype(np.int64), -age, homes.astype(np.int64), -in_care, -in_care)


def initial_population(region: Region, seed: int) -> Population:
    """The region's children at month 0: those in ``region.placements`` in their homes, the rest of each
    cohort without a home yet (the engine places them); birth months and months in care drawn at random."""
    rng = np.random.default_rng([seed, 2**31])
    cohorts, placements = region.cohorts, region.placements
    held_rows = pd.Index(cohorts.cohort_id).get_indexer(placements.cohort_id)
    held_n = placements.children.to_numpy(dtype=np.int64)
    held = np.bincount(held_rows, weights=held_n, minlength=len(cohorts)).astype(np.int64)
    left = cohorts.children.to_numpy(dtype=np.int64) - held
    if (left < 0).any():
        i = int(np.argmax(left < 0))
        raise InvalidInputError(
            "placements",
            cohorts.cohort_id.iloc[i],
            "children",
            f"at most the cohort's {int(cohorts.children.iloc[i])} children",
            int(held[i]),
        )
    home_of = pd.Index(region.homes.home_id).get_indexer(placements.home_id)
    rows = np.r_[np.repeat(held_rows, held_n), np.repeat(np.arange(len(cohorts)), left)].astype(np.int64)
    homes = np.r_[np.repeat(home_of, held_n), np.full(int(left.sum()), NO_HOME)]
    return _children(region, rows, homes, rng)
