"""The embedded default: real English councils and a calibrated generator.

Facts (shipped in ``rcc/datasets/data``, see ATTRIBUTION.md there):

* the 153 upper-tier councils with regions, centroids, areas (ONS);
* children looked after at 31 March 2025 by council: placement type mix,
  provider mix, age groups, UASC (DfE);
* every children's home, secure children's home, residential special school
  and independent fostering agency registered with Ofsted at 31 March 2023,
  with its council, sector, places and owner.

The generator turns them into cohorts and homes, deterministically for a seed:

Demand
    Each council's children looked after are split by placement type into
    needs: foster and other placements -> mainstream, sibling_group
    (:data:`SIBLING_SHARE` of foster) and parent_child
    (:data:`PARENT_CHILD_SHARE`); secure and children's homes -> complex, and
    secure (:data:`SECURE_SHARE_OF_RESIDENTIAL`); residential schools and other
    residential settings -> disability; supported accommodation -> 16+
    supported; UASC -> uasc (taken from supported accommodation first, then
    foster); placed with parents -> mainstream. Children placed for adoption
    are not part of placement demand (they live with their prospective
    adopters); :func:`england_demand_summary` reports them. Suppressed DfE
    cells are imputed from the council's unexplained remainder split by the
    national mix. Need totals are split across age bands by iterative
    proportional fitting to the council's published age groups, from the
    age profile of each need in :data:`NEED_AGE_PROFILE`.

Supply
    :mod:`rcc.datasets.supply`: the real Ofsted homes (by district inside a county; private children's
    homes grown to Ofsted's 2025 count of places, :func:`rcc.datasets.supply.grown_places`), council and
    agency foster carers (where they live is rcc's rule: no published fostering counts in the sources),
    UASC foster places and supported accommodation as DfE counts them, voluntary agencies as published (a
    children's services trust's own provision, which DfE counts as voluntary, is its council's), and weekly
    costs as distributions by type and sector with their sources (``weekly_costs.csv``, ``supply_figures.csv``).

Geometry
    The region's ``travel`` table holds, for each council made of several districts (the 21 county
    councils), the expected distance between two of its children's homes and placements from its
    district discs (:func:`rcc.datasets.council_geometry`); one-district councils keep the mean distance
    in a disc of their area, and distances between councils stay centroid to centroid.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, NEEDS, cohort_ids
from rcc.datasets.census import england_census
from rcc.datasets.geometry import council_travel
from rcc.datasets.supply import DEFAULT_WEEKLY_COST_GBP, _largest_remainder, build_supply

__all__ = [
    "DEFAULT_WEEKLY_COST_GBP",
    "attribution",
    "cla_2025",
    "cla_history",
    "councils",
    "england",
    "england_demand_summary",
    "ofsted_providers",
    "published_by_council",
    "published_metrics",
    "region_cla_2025",
    "region_names",
    "regions",
]

SIBLING_SHARE = 0.12  #: share of foster children in sibling groups to be placed together
PARENT_CHILD_SHARE = 0.02  #: share of foster children in parent-and-child arrangements
SECURE_SHARE_OF_RESIDENTIAL = 0.015  #: share of "secure homes and children's homes" in secure

#: Age profile of each need over bands 0-4, 5-10, 11-15, 16-17 (prior for the fit).
NEED_AGE_PROFILE: Mapping[str, tuple[float, float, float, float]] = MappingProxyType(
    {
        "mainstream": (0.22, 0.28, 0.33, 0.17),
        "sibling_group": (0.25, 0.45, 0.30, 0.0),
        "parent_child": (0.5, 0.0, 0.15, 0.35),
        "complex": (0.0, 0.08, 0.60, 0.32),
        "disability": (0.02, 0.25, 0.50, 0.23),
        "secure": (0.0, 0.0, 0.6, 0.4),
        "supported_16plus": (0.0, 0.0, 0.0, 1.0),
        "uasc": (0.0, 0.0, 0.15, 0.85),
    }
)

_PLACEMENT_COLUMNS = (
    "foster",
    "secure_and_childrens_homes",
    "residential_schools",
    "other_residential_settings",
    "independent_semi_independent_supported",
    "placed_with_parents",
    "placed_for_adoption",
    "other_placements",
)


def _data(name: str) -> resources.abc.Traversable:
    return resources.files("rcc.datasets").joinpath("data", name)


@functools.cache
def _read_csv(name: str) -> pd.DataFrame:
    with _data(name).open("rb") as f:
        return pd.read_csv(f, dtype={"urn": str, "council_id": str, "district_id": str})


def councils() -> pd.DataFrame:
    """The 153 English upper-tier councils (ONS code, DfE code, name, region,
    centroid, area, children aged 0-17 mid-2024)."""
    return _read_csv("councils.csv").copy()


def cla_2025() -> pd.DataFrame:
    """Children looked after at 31 March 2025 by council (DfE); empty = suppressed."""
    return _read_csv("cla_2025.csv").copy()


def cla_history() -> pd.DataFrame:
    """Per council and year (31 March 2020-2025): children placed inside and outside the council, by
    distance (DfE 2021-2025), and the net-gain components (DfE, 2020-2024); empty = suppressed.
    Used to check the simulation beside published figures it is not fitted to (ATTRIBUTION.md)."""
    return _read_csv("cla_history.csv").copy()


def published_by_council(year: int = 2025) -> pd.DataFrame:
    """DfE's per-council shares of a year (2020-2025, :func:`cla_history`), in %, indexed by council_id:
    ``outside`` own council (of a known locality), ``over_20`` miles from home (of a known distance),
    ``inside_over_20`` (of those placed inside with a known distance; NaN below 20 children),
    ``netgain_per_100`` (net gain per 100 children with a known locality). NaN where suppressed."""
    h = cla_history()
    h = h[h.year == int(year)].set_index("council_id")
    if not len(h):
        raise InvalidInputError("cla_history", str(year), "year", "a year from 2020 to 2025", year)
    known = h.dist_20mi_or_less + h.dist_over_20mi
    inside_known = h.inside_la_20mi_or_less + h.inside_la_over_20mi
    located = h.placed_inside_la + h.placed_outside_la
    return pd.DataFrame(
        {
            "outside": 100 * h.placed_outside_la / located,
            "over_20": 100 * h.dist_over_20mi / known,
            "inside_over_20": (100 * h.inside_la_over_20mi / inside_known).where(inside_known >= 20),
            "netgain_per_100": 100 * (h.netgain_placed_in - h.netgain_placed_out) / located,
        }
    ).astype(float)


def region_cla_2025() -> pd.DataFrame:
    """Children looked after at 31 March 2025 by region and England (DfE, rounded to 10)."""
    return _read_csv("region_cla_2025.csv").copy()


def ofsted_providers() -> pd.DataFrame:
    """Ofsted-registered children's homes, secure homes, residential special
    schools and IFAs at 31 March 2023 (council, sector, places, owner; ``district_id``: the district of
    the provider's parliamentary constituency inside a county council, empty elsewhere)."""
    return _read_csv("ofsted_providers.csv").copy()


@functools.cache
def _regions() -> dict[str, tuple[str, ...]]:
    with _data("regions.json").open("r") as f:
        return {k: tuple(v) for k, v in json.load(f).items()}


def regions() -> dict[str, list[str]]:
    """Named council groups: 'England', the 9 regions and the two RCC pathfinders."""
    return {k: list(v) for k, v in _regions().items()}


def region_names() -> list[str]:
    """Names accepted by :func:`england`'s ``region`` argument."""
    return list(_regions())


def attribution() -> str:
    """Attribution and provenance of the embedded data (Open Government Licence v3.0)."""
    return _data("ATTRIBUTION.md").read_text(encoding="utf-8")


def _ipf(prior: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 50) -> np.ndarray:
    """Scale ``prior`` so its row sums match ``rows`` and column sums approach ``cols``."""
    m = prior * rows[:, None] / np.maximum(prior.sum(1, keepdims=True), 1e-12)
    cols = cols * rows.sum() / max(cols.sum(), 1e-12)
    for _ in range(iters):
        cs = m.sum(0)
        m = m * np.where(cs > 0, cols / np.maximum(cs, 1e-12), 1.0)[None, :]
        rs = m.sum(1)
        m = m * np.where(rs > 0, rows / np.maximum(rs, 1e-12), 0.0)[:, None]
    return m


def _impute_cla() -> pd.DataFrame:
    """Fill suppressed placement and age cells from each council's remainder."""
    cla = cla_2025().set_index("council_id")
    pop = councils().set_index("council_id").children_0_17
    rate = cla.cla_total.sum() / pop[cla.cla_total.notna()].sum()
    cla["cla_total"] = cla.cla_total.fillna((pop * rate).round())
    for cols in (list(_PLACEMENT_COLUMNS), ["age_under_1", "age_1_to_4", "age_5_to_9", "age_10_to_15", "age_16_plus"]):
        block = cla[cols].astype(float)
        national = block.sum() / block.sum().sum()
        rest = (cla.cla_total - block.sum(axis=1, skipna=True)).clip(lower=0)
        weights = block.isna() * national.to_numpy()[None, :]
        share = weights.div(weights.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
        cla[cols] = block.fillna(share.mul(rest, axis=0)).round()
    cla["uasc"] = cla.uasc.fillna(0)
    return cla


def _demand(cla: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Cohorts (council x need x age band) from the imputed DfE figures."""
    rows = []
    bands = list(AGE_BANDS)
    for cid, r in cla.iterrows():
        foster = float(r.foster) + float(r.other_placements)
        supported = float(r.independent_semi_independent_supported)
        uasc_s = min(float(r.uasc), supported)
        uasc_f = min(float(r.uasc) - uasc_s, foster)
        residential = float(r.secure_and_childrens_homes)
        secure = rng.binomial(int(residential), SECURE_SHARE_OF_RESIDENTIAL) if residential > 0 else 0
        foster_rest = foster - uasc_f
        need_totals = {
            "mainstream": foster_rest * (1 - SIBLING_SHARE - PARENT_CHILD_SHARE) + float(r.placed_with_parents),
            "sibling_group": foster_rest * SIBLING_SHARE,
            "parent_child": foster_rest * PARENT_CHILD_SHARE,
            "complex": residential - secure,
            "disability": float(r.residential_schools) + float(r.other_residential_settings),
            "secure": float(secure),
            "supported_16plus": supported - uasc_s,
            "uasc": uasc_s + uasc_f,
        }
        total = int(round(sum(need_totals.values())))
        totals = _largest_remainder(np.array([need_totals[n] for n in NEEDS]), total)
        ages = np.array(
            [
                r.age_under_1 + r.age_1_to_4,
                r.age_5_to_9 + r.age_10_to_15 / 6,
                r.age_10_to_15 * 5 / 6,
                r.age_16_plus,
            ],
            dtype=float,
        )
        prior = np.array([NEED_AGE_PROFILE[n] for n in NEEDS])
        fitted = _ipf(prior, totals.astype(float), ages)
        for i, need in enumerate(NEEDS):
            counts = _largest_remainder(fitted[i], int(totals[i]))
            for b, n in zip(bands, counts):
                if n > 0:
                    rows.append((cohort_ids(cid, need, b), cid, need, b, int(n)))
    return pd.DataFrame(rows, columns=["cohort_id", "council_id", "need", "age_band", "children"])


def published_metrics(council_ids: list[str] | None = None) -> pd.Series:
    """DfE's published outcomes at 31 March 2025 for a set of councils (all by default).

    ``pct_within_20_miles`` is of children with a known distance;
    ``pct_inside_own_council`` of children with a known locality. Suppressed
    council cells are left out of both numerator and denominator.

    >>> round(float(published_metrics()["pct_inside_own_council"]), 1)
    55.7
    """
    cla = cla_2025().set_index("council_id")
    if council_ids is not None:
        cla = cla.loc[list(council_ids)]
    near, far = cla.dist_20mi_or_less, cla.dist_over_20mi
    inside, outside = cla.placed_inside_la, cla.placed_outside_la
    ok_d = near.notna() & far.notna()
    ok_l = inside.notna() & outside.notna()
    return pd.Series(
        {
            "children": float(cla.cla_total.sum()),
            "pct_within_20_miles": 100 * near[ok_d].sum() / (near[ok_d].sum() + far[ok_d].sum()),
            "pct_inside_own_council": 100 * inside[ok_l].sum() / (inside[ok_l].sum() + outside[ok_l].sum()),
        }
    )


def england_demand_summary(seed: int = 0) -> pd.DataFrame:
    """Per council: DfE children looked after, children in planning demand, and
    children placed for adoption (not part of placement demand)."""
    cla = _impute_cla()
    demand = _demand(cla, np.random.default_rng(seed)).groupby("council_id").children.sum()
    columns = {"cla_total": cla.cla_total, "demand_children": demand.reindex(cla.index, fill_value=0)}
    return pd.DataFrame({**columns, "placed_for_adoption": cla.placed_for_adoption}).reset_index()


def _supply(cla: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Homes and providers (:func:`rcc.datasets.supply.build_supply`)."""
    return build_supply(cla, councils().set_index("council_id"), ofsted_providers(), rng)


@functools.lru_cache(maxsize=8)
def _england(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cla = _impute_cla()
    cohorts = _demand(cla, rng)
    homes, providers = _supply(cla, rng)
    c = councils()[["council_id", "name", "region", "lat", "lon", "area_km2"]]
    return c, homes, cohorts, providers


def england(region: str | None = None, seed: int = 0, today: bool = True) -> Region:
    """The embedded default region: real English councils, calibrated demand and supply, today's placements.

    Parameters
    ----------
    region : str, optional
        A name from :func:`region_names` (``"North West"``, ``"Greater
        Manchester RCC"``...); all of England when omitted.
    seed : int
        Seed of the generator (same seed, same region).
    today : bool
        Carry today's placements, the simulated census of 31 March 2025 (:mod:`rcc.datasets.census`), in
        ``placements`` (held by :func:`rcc.plan` by default); ``False``: none.

    Returns
    -------
    Region

    Examples
    --------
    >>> len(england("Greater Manchester RCC").councils)
    10
    """
    groups = _regions()
    if region is not None and region not in groups:
        raise InvalidInputError("regions", region, "region", f"one of {sorted(groups)}", region)
    c, homes, cohorts, providers = _england(int(seed))
    placements = england_census(int(seed)) if today else None
    full = Region.from_frames(c, homes, cohorts, providers, placements, council_travel(), name="England")
    if region is None or region == "England":
        return full
    return full.subset(groups[region], name=region)
