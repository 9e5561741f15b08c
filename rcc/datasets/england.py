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
    Children's homes, secure homes and residential special schools are the
    real Ofsted homes, aggregated per council x owner (real provider groups,
    so market concentration is real). Short-break-only homes serve disability.
    Fostering: each council's kinship places (family and friends carers and
    placed with parents, own children only) and in-house foster carers; a
    share of them, equal to the council's published share of children placed
    inside its boundary, lives inside the council, the rest in the
    :data:`NEIGHBOURS` nearest councils weighted by child population and a
    distance decay (:data:`CARER_RANGE_MILES`). Independent fostering agency
    (IFA) carers are located across the region in proportion to child
    population, split among the region's real IFA owners. 16+ supported accommodation likewise across the region.
    Foster and supported places carry a vacancy margin (:data:`VACANCY`).
    Weekly costs are editable, order-of-magnitude defaults
    (:data:`DEFAULT_WEEKLY_COST_GBP`), not published prices.

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

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.geo import distance_matrix
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, NEEDS, cohort_ids
from rcc.datasets.census import england_census
from rcc.datasets.geometry import council_travel

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

#: Weekly cost of one placement by home type, GBP. Editable, order-of-magnitude
#: defaults (DESIGN.md: in-house fostering ~400-650, IFA ~800-1,000, children's
#: homes ~4,000-6,000+, secure far more), not published prices.
DEFAULT_WEEKLY_COST_GBP: Mapping[str, float] = MappingProxyType(
    {
        "kinship": 350.0,
        "in_house_fostering": 550.0,
        "ifa_fostering": 950.0,
        "childrens_home_council": 4_800.0,
        "childrens_home_private": 5_600.0,
        "childrens_home_voluntary": 5_200.0,
        "residential_school": 6_500.0,
        "secure_home": 9_000.0,
        "supported_accommodation": 1_500.0,
    }
)
SIBLING_SHARE = 0.12  #: share of foster children in sibling groups to be placed together
PARENT_CHILD_SHARE = 0.02  #: share of foster children in parent-and-child arrangements
SECURE_SHARE_OF_RESIDENTIAL = 0.015  #: share of "secure homes and children's homes" in secure
KINSHIP_SHARE_OF_FOSTER = 16 / 69  #: kinship 16% vs in-house 28% and IFA 25% of children (FOI 2024)
IFA_SHARE_OF_FOSTER = 25 / 69
CARER_RANGE_MILES = 15.0  #: distance decay of where a council's carers live outside its boundary
NEIGHBOURS = 4  #: councils a council's carers outside its boundary are spread over
VACANCY = 0.08  #: spare places on top of children placed, for fostering and supported accommodation

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
        return pd.read_csv(f, dtype={"urn": str, "council_id": str})


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
    schools and IFAs at 31 March 2023."""
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


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to whole numbers summing to ``total``."""
    base = np.floor(values).astype(np.int64)
    short = int(total - base.sum())
    if short > 0:
        order = np.argsort(-(values - base), kind="stable")
        base[order[:short]] += 1
    return base


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
    """Homes and providers: real residential homes, council carers, IFA carers and supported
    accommodation (in that order: the generator's draws depend on it)."""
    c = councils().set_index("council_id")
    ofsted = ofsted_providers()
    owner_ids = {o: f"P{i:04d}" for i, o in enumerate(sorted(ofsted.owner.unique()))}
    supply = _Supply()
    _residential_homes(ofsted, owner_ids, supply)
    fostering = _fostering(cla)
    _council_carers(cla, c, fostering, supply)
    _regional_homes(cla, c, ofsted, owner_ids, fostering, rng, supply)
    homes_df = pd.DataFrame(supply.homes).sort_values("home_id", kind="stable").reset_index(drop=True)
    prov_df = pd.DataFrame(
        [(k, *v) for k, v in sorted(supply.providers.items())], columns=["provider_id", "name", "sector", "group"]
    )
    return homes_df, prov_df


@attrs.frozen
class _Supply:
    """Homes (one dict a home, in the homes table's column order) and providers
    (``provider_id`` -> name, sector, group) as the generator adds them."""

    homes: list[dict[str, object]] = attrs.field(factory=list)
    providers: dict[str, tuple[str, str, str]] = attrs.field(factory=dict)

    def add_home(
        self,
        home_id: str,
        council_id: str,
        provider_id: str,
        home_type: str,
        places: int,
        needs: str,
        ages: tuple[int, int],
        weekly_cost_gbp: float,
        serves_council_id: str = "",
    ) -> None:
        self.homes.append(
            dict(
                home_id=home_id,
                council_id=council_id,
                provider_id=provider_id,
                home_type=home_type,
                places=places,
                needs=needs,
                min_age=ages[0],
                max_age=ages[1],
                weekly_cost_gbp=weekly_cost_gbp,
                serves_council_id=serves_council_id,
            )
        )


def _residential_homes(ofsted: pd.DataFrame, owner_ids: dict[str, str], supply: _Supply) -> None:
    """The real Ofsted homes, one home per council x owner x type (x short breaks)."""
    res = ofsted[ofsted.provision_type != "ifa"].copy()
    res["short"] = res.short_break_only.astype(str).str.lower() == "true"
    agg = res.groupby(["council_id", "owner", "sector", "provision_type", "short"], as_index=False).places.sum()
    for r in agg.itertuples():
        if r.places <= 0:
            continue
        pid = owner_ids[r.owner]
        sector = r.sector if r.sector in ("council", "private", "voluntary") else "other_public"
        supply.providers[pid] = (str(r.owner), sector, str(r.owner))
        needs, ages, w = _residential_terms(str(r.provision_type), bool(r.short), sector)
        home_id = f"{r.provision_type}:{r.council_id}:{pid}{':sb' if r.short else ''}"
        supply.add_home(home_id, r.council_id, pid, r.provision_type, int(r.places), needs, ages, w)


def _residential_terms(provision_type: str, short: bool, sector: str) -> tuple[str, tuple[int, int], float]:
    """Needs, ages and weekly cost of a residential home."""
    cost = DEFAULT_WEEKLY_COST_GBP
    if provision_type == "secure_home":
        return "secure", (10, 17), cost["secure_home"]
    if provision_type == "residential_school":
        return "disability;complex", (5, 17), cost["residential_school"]
    if short:
        w = cost[f"childrens_home_{sector}"] if sector != "other_public" else cost["childrens_home_council"]
        return "disability", (0, 17), w
    return "complex;disability", (5, 17), cost.get(f"childrens_home_{sector}", cost["childrens_home_council"])


@attrs.frozen(eq=False)
class _Fostering:
    """Per council (indexed by council_id): kinship places, in-house foster children, IFA
    children and the share of family-based carers living inside the council."""

    kinship: pd.Series
    in_house: pd.Series
    ifa: pd.Series
    inside: pd.Series


def _fostering(cla: pd.DataFrame) -> _Fostering:
    """Foster children split into kinship, in-house and IFA (the IFA share follows the council's
    private and voluntary provider share); where the carers live."""
    private_share = (cla.provider_private.fillna(0) + cla.provider_voluntary.fillna(0)) / cla.cla_total.replace(
        0, np.nan
    )
    national_private = float(
        (cla.provider_private.fillna(0) + cla.provider_voluntary.fillna(0)).sum() / cla.cla_total.sum()
    )
    ifa_share = (IFA_SHARE_OF_FOSTER * private_share.fillna(national_private) / national_private).clip(0.1, 0.7)
    foster = cla.foster + cla.other_placements
    kin = np.round(foster * KINSHIP_SHARE_OF_FOSTER) + cla.placed_with_parents
    ifa_children = foster * ifa_share
    inhouse = (foster - np.round(foster * KINSHIP_SHARE_OF_FOSTER) - ifa_children).clip(lower=0)
    # family-based carers live where the council finds them: a share inside the council equal to
    # its published share of children placed inside its boundary, the rest in the nearest councils
    inside = (cla.placed_inside_la / (cla.placed_inside_la + cla.placed_outside_la)).astype(float)
    national_inside = float(cla.placed_inside_la.sum() / (cla.placed_inside_la.sum() + cla.placed_outside_la.sum()))
    inside = inside.fillna(national_inside).clip(0.05, 1.0)
    return _Fostering(kinship=kin, in_house=inhouse, ifa=ifa_children, inside=inside)


def _council_carers(cla: pd.DataFrame, c: pd.DataFrame, fostering: _Fostering, supply: _Supply) -> None:
    """Each council's kinship (own children only) and in-house carers, inside the council and in
    its :data:`NEIGHBOURS` nearest councils (weighted by child population and distance decay)."""
    cost = DEFAULT_WEEKLY_COST_GBP
    ids_all = list(cla.index)
    dist = distance_matrix(c.loc[ids_all, "lat"], c.loc[ids_all, "lon"], c.loc[ids_all, "area_km2"])
    kernel = c.loc[ids_all, "children_0_17"].to_numpy(dtype=float)[None, :] * np.exp(-dist / CARER_RANGE_MILES)
    np.fill_diagonal(kernel, 0.0)
    for k, cid in enumerate(ids_all):
        pid = f"LA:{cid}"
        supply.providers[pid] = (f"{c.name[cid]} (in-house)", "council", pid)
        near = np.argsort(-kernel[k], kind="stable")[:NEIGHBOURS]
        share = kernel[k, near] / kernel[k, near].sum()
        for kind, places, needs, w, serves in (
            ("kinship", int(fostering.kinship[cid]), "mainstream;sibling_group;parent_child", cost["kinship"], cid),
            (
                "in_house_fostering",
                int(np.ceil(fostering.in_house[cid] * (1 + VACANCY))),
                "mainstream;sibling_group;parent_child;uasc",
                cost["in_house_fostering"],
                "",
            ),
        ):
            own = int(round(places * fostering.inside[cid]))
            split = _largest_remainder(share * (places - own), places - own)
            for where, n in [(cid, own)] + [(ids_all[j], int(m)) for j, m in zip(near, split)]:
                if n > 0:
                    home_id = f"{kind}:{cid}" + ("" if where == cid else f"@{where}")
                    supply.add_home(home_id, where, pid, kind, n, needs, (0, 17), w, serves)


def _regional_homes(
    cla: pd.DataFrame,
    c: pd.DataFrame,
    ofsted: pd.DataFrame,
    owner_ids: dict[str, str],
    fostering: _Fostering,
    rng: np.random.Generator,
    supply: _Supply,
) -> None:
    """IFA carers and 16+ supported accommodation across each region, by child population; each
    council's IFA carers are split among up to 3 of the region's real agencies."""
    ifa_owners = ofsted[ofsted.provision_type == "ifa"].merge(c[["region"]], left_on="council_id", right_index=True)
    for region, ids in c.groupby("region").groups.items():
        ids = [i for i in ids if i in cla.index]
        pop = c.loc[ids, "children_0_17"].astype(float)
        weights = (pop / pop.sum()).to_numpy()
        owners = sorted(ifa_owners.loc[ifa_owners.region == region, "owner"].unique())
        ifa_total = float(fostering.ifa[ids].sum()) * (1 + VACANCY)
        sa_total = float(cla.loc[ids, "independent_semi_independent_supported"].sum()) * (1 + VACANCY)
        ifa_places = _largest_remainder(weights * ifa_total, int(np.ceil(ifa_total)))
        sa_places = _largest_remainder(weights * sa_total, int(np.ceil(sa_total)))
        market = rng.dirichlet(np.full(len(owners), 0.5)) if owners else np.array([])
        for k, cid in enumerate(ids):
            if owners and ifa_places[k] > 0:
                _ifa_homes(cid, int(ifa_places[k]), owners, market, owner_ids, rng, supply)
            if sa_places[k] > 0:
                pid = f"SA:{region}"
                supply.providers[pid] = (f"Supported accommodation providers, {region}", "private", pid)
                cost = DEFAULT_WEEKLY_COST_GBP["supported_accommodation"]
                needs = "supported_16plus;uasc"
                supply.add_home(
                    f"supported_accommodation:{cid}",
                    cid,
                    pid,
                    "supported_accommodation",
                    int(sa_places[k]),
                    needs,
                    (16, 17),
                    cost,
                )


def _ifa_homes(
    cid: str,
    places: int,
    owners: list[str],
    market: np.ndarray,
    owner_ids: dict[str, str],
    rng: np.random.Generator,
    supply: _Supply,
) -> None:
    """A council's IFA places split among up to 3 agencies drawn by their regional market share."""
    pick = rng.choice(len(owners), size=min(3, len(owners)), replace=False, p=market)
    split = _largest_remainder(rng.dirichlet(np.ones(len(pick))) * places, places)
    for o, n in zip(pick, split):
        if n <= 0:
            continue
        pid = owner_ids[owners[o]]
        supply.providers[pid] = (owners[o], "private", owners[o])
        needs = "mainstream;sibling_group;parent_child;uasc"
        supply.add_home(
            f"ifa_fostering:{cid}:{pid}",
            cid,
            pid,
            "ifa_fostering",
            int(n),
            needs,
            (0, 17),
            DEFAULT_WEEKLY_COST_GBP["ifa_fostering"],
        )


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
