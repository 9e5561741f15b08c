"""The embedded England's supply: homes, places, providers and weekly costs, each figure from a labelled source.

Children's homes, secure children's homes and residential special schools
    The real Ofsted-registered homes at 31 March 2023 (``ofsted_providers.csv``), aggregated per council x
    district x owner x type (x short breaks, x high-cost tail): real provider groups, so market
    concentration is real; each home's district is the best-fit district of its parliamentary constituency
    (Ofsted redacts addresses; ``district_id`` in the file, blank where the council is one district).
    Short-break-only homes serve disability. Children's homes are grown to Ofsted's count at the census
    date (31 March 2025: 14,259 places against the list's 11,857): the places added are private, each
    private home's places scaled by one factor (:func:`grown_places`, an rcc rule; where the new homes
    opened is not in the sources, and the North West's share of places is the same in both years).
Fostering
    Published household and place counts for fostering are not in the shared sources (Ofsted's fostering
    release is not among them), so the split and location below are **rcc's rule, labelled as such**
    (``supply_figures.csv``): each council's kinship places (family and friends carers and placed with
    parents, own children only) and in-house foster carers; a share of them lives inside the council,
    from its area and DfE's published national share of each kind placed inside the council
    (:func:`carer_inside_share`: carers live a typical distance from the children, so a small borough has
    fewer inside than a large county; never the council's own published inside share, which is a target),
    the rest in the :data:`NEIGHBOURS` nearest councils weighted by child population and a distance decay of
    each kind (:data:`KINSHIP_RANGE_MILES`, :data:`IN_HOUSE_RANGE_MILES`); an island's carers live on it
    (:data:`ISLANDS`; :mod:`rcc.datasets.carers`). Independent fostering
    agency (IFA) carers are located across the region in proportion to the other councils' children DfE counts placed within each council (2025: a published
    place count, where agency carers' children live), split among the region's real agencies of each
    sector (voluntary agencies take the region's published voluntary-sector children not in voluntary homes;
    a children's services trust's own provision, voluntary to DfE, is its council's: :data:`CHILDRENS_SERVICES_TRUSTS`).
UASC and 16+ supported accommodation
    DfE 2025 placement-type counts: supported accommodation holds the children DfE counts there, UASC first
    (the demand rule in :mod:`rcc.datasets.england`); unaccompanied children the rule puts with foster
    carers, and at least those under 16 (who may not live in supported accommodation), have foster places
    of their own (``...:uasc`` homes), so they do not take the places of other fostered children.
Weekly costs
    Distributions by home type and sector (:data:`WEEKLY_COSTS`, from ``weekly_costs.csv``): a lognormal
    body around the published central figure (council children's homes about 20% above private ones:
    NCERCC 2020), drawn once per council, type and sector (prices differ between areas; homes alike in a
    council stay interchangeable, so the optimiser still merges them), and, for children's homes and
    residential schools, a high-cost tail (LGA 2023: 1,510 placements at GBP 10,000 or more a week): each
    Ofsted home is in it with the tail's share. Figures without a published source are rcc's defaults and
    say so in their ``source``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.geo import distance_matrix
from rcc.datasets.carers import ISLANDS, carer_inside_share, carer_local_share

__all__ = [
    "DEFAULT_WEEKLY_COST_GBP",
    "WEEKLY_COSTS",
    "WeeklyCost",
    "CHILDRENS_HOME_PLACES_2025",
    "CHILDRENS_SERVICES_TRUSTS",
    "ISLANDS",
    "carer_inside_share",
    "carer_local_share",
    "grown_places",
    "supply_figures",
    "weekly_costs",
]

TAIL_TOP = 5.0  #: the high-cost tail is a Pareto truncated at this multiple of its start (rcc assumption)


@attrs.frozen
class WeeklyCost:
    """The weekly cost of one placement in a kind of home: a distribution and its source.

    Attributes
    ----------
    central_gbp : float
        Mean of the distribution's body, GBP a week (the published average where there is one).
    spread : float
        Coefficient of variation of the body (a lognormal): how much homes of the kind differ.
    tail_share : float
        Share of homes in the high-cost tail (0: none; each Ofsted home drawn in or out).
    tail_from_gbp : float
        Where the tail starts, GBP a week.
    tail_alpha : float
        Pareto shape of the tail, truncated at :data:`TAIL_TOP` times ``tail_from_gbp``.
    source : str
        Where the figures come from ("rcc default" where nothing is published).
    """

    central_gbp: float
    spread: float
    tail_share: float = 0.0
    tail_from_gbp: float = 10_000.0
    tail_alpha: float = 3.0
    source: str = ""

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` weekly costs: lognormal body with mean :attr:`central_gbp`, the tail's share from Pareto."""
        tail = rng.random(n) < self.tail_share
        return np.where(tail, self.draw_tail(n, rng), self.draw_body(n, rng))

    def draw_body(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` costs from the body (lognormal, mean :attr:`central_gbp`, coefficient of variation :attr:`spread`)."""
        sigma2 = np.log1p(self.spread**2)
        return rng.lognormal(np.log(self.central_gbp) - sigma2 / 2, np.sqrt(sigma2), n)

    def draw_tail(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` costs from the tail (Pareto from :attr:`tail_from_gbp`, up to :data:`TAIL_TOP` times it)."""
        top = 1.0 - TAIL_TOP**-self.tail_alpha
        return self.tail_from_gbp * (1.0 - top * rng.random(n)) ** (-1.0 / self.tail_alpha)

    def mean_gbp(self) -> float:
        """Expected weekly cost (body and tail)."""
        a, t = self.tail_alpha, TAIL_TOP
        tail_mean = self.tail_from_gbp * a / (a - 1.0) * (1.0 - t ** (1.0 - a)) / (1.0 - t**-a)
        return (1.0 - self.tail_share) * self.central_gbp + self.tail_share * tail_mean


def _data(name: str) -> resources.abc.Traversable:
    return resources.files("rcc.datasets").joinpath("data", name)


@functools.cache
def _weekly_costs() -> dict[str, WeeklyCost]:
    with _data("weekly_costs.csv").open("rb") as f:
        t = pd.read_csv(f, keep_default_na=False)
    return {
        str(r.key): WeeklyCost(
            float(r.central_gbp),
            float(r.spread),
            float(r.tail_share),
            float(r.tail_from_gbp),
            float(r.tail_alpha),
            str(r.source),
        )
        for r in t.itertuples()
    }


def weekly_costs() -> pd.DataFrame:
    """The weekly cost distributions (``weekly_costs.csv``): ``key`` (``"{home_type}_{sector}"`` or
    ``home_type``), ``central_gbp``, ``spread``, ``tail_share``, ``tail_from_gbp``, ``tail_alpha``,
    ``mean_gbp`` (body and tail) and ``source``.

    Examples
    --------
    >>> c = weekly_costs().set_index("key")
    >>> bool(c.central_gbp["childrens_home_council"] > c.central_gbp["childrens_home_private"])
    True
    """
    rows = [{"key": k, **attrs.asdict(v), "mean_gbp": v.mean_gbp()} for k, v in _weekly_costs().items()]
    cols = ["key", "central_gbp", "spread", "tail_share", "tail_from_gbp", "tail_alpha", "mean_gbp", "source"]
    return pd.DataFrame(rows)[cols]


def supply_figures() -> pd.DataFrame:
    """Every figure the supply is built from that is not in another data file (``supply_figures.csv``):
    ``figure``, ``value``, ``unit``, ``source`` (published, or "rcc rule" / "rcc default" where nothing is)."""
    with _data("supply_figures.csv").open("rb") as f:
        return pd.read_csv(f, keep_default_na=False)


@functools.cache
def _figures() -> dict[str, str]:
    return dict(zip(supply_figures().figure, supply_figures().value.astype(str)))


#: The supply rule's figures (sources in ``supply_figures.csv``, :func:`supply_figures`).
KINSHIP_SHARE_OF_FOSTER = float(_figures()["kinship_share_of_foster"])  #: kinship of fostered children (FOI 2024)
IFA_SHARE_OF_FOSTER = float(_figures()["ifa_share_of_foster"])  #: IFA of fostered children (FOI 2024)
#: Distance decays (miles) of where a council's carers beyond its boundary live: relatives and friends (set so that
#: DfE's 2015 share of them more than 20 miles from home is met) and in-house foster carers (an rcc default).
KINSHIP_RANGE_MILES = float(_figures()["kinship_range_miles"])
IN_HOUSE_RANGE_MILES = float(_figures()["in_house_range_miles"])
#: Inside a council, how far nearest-first reaches for its own kinship carers (miles; set so that DfE's 2015
#: share of relatives inside the council more than 20 miles from home is met): relatives live near the child.
KINSHIP_LOCALITY_MILES = float(_figures()["kinship_locality_miles"])
NEIGHBOURS = int(_figures()["carer_neighbours"])  #: councils a council's carers outside its boundary are spread over
VACANCY = float(_figures()["vacancy"])  #: spare places on top of children placed (fostering, supported)
UASC_UNDER_16_SHARE = float(_figures()["uasc_under_16_share"])  #: UASC under 16: foster places of their own
#: Registered places in children's homes at 31 March 2025 (Ofsted 2025): the embedded 2023 list grown to it
#: (:func:`grown_places`).
CHILDRENS_HOME_PLACES_2025 = int(float(_figures()["childrens_home_places_2025"]))
#: Councils whose children's services a trust runs (2025): its own provision, voluntary to DfE, is the council's.
CHILDRENS_SERVICES_TRUSTS: tuple[str, ...] = tuple(_figures()["childrens_services_trusts"].split(";"))
#: Published national shares placed inside the council by kind of family placement (DfE 2015, sources in
#: ``supply_figures.csv``): where :func:`carer_inside_share` puts each council's kinship and in-house carers.
KINSHIP_INSIDE_SHARE = float(_figures()["kinship_inside_share"])  #: foster placements with a relative or friend
PLACED_WITH_PARENTS_INSIDE_SHARE = float(_figures()["placed_with_parents_inside_share"])  #: placed with parents
IN_HOUSE_INSIDE_SHARE = float(_figures()["in_house_inside_share"])  #: foster placements with other carers

#: Weekly cost distributions by ``"{home_type}_{sector}"`` or ``home_type`` (:class:`WeeklyCost`, with
#: sources): children's homes by sector with the published ordering and a high-cost tail.
WEEKLY_COSTS: Mapping[str, WeeklyCost] = MappingProxyType(_weekly_costs())

#: Expected weekly cost of one placement by home type (and sector), GBP (nearest 10): the means of
#: :data:`WEEKLY_COSTS`, body and high-cost tail (published figures for children's homes, rcc defaults
#: elsewhere; sources there). Council children's homes cost more than private ones, as published.
DEFAULT_WEEKLY_COST_GBP: Mapping[str, float] = MappingProxyType(
    {k: float(np.round(v.mean_gbp(), -1)) for k, v in WEEKLY_COSTS.items()}
)


def _cost_key(home_type: str, sector: str) -> str:
    key = f"{home_type}_{'council' if sector == 'other_public' else sector}"
    return key if key in WEEKLY_COSTS else home_type


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to whole numbers summing to ``total``."""
    base = np.floor(values).astype(np.int64)
    short = int(total - base.sum())
    if short > 0:
        order = np.argsort(-(values - base), kind="stable")
        base[order[:short]] += 1
    return base


@attrs.frozen
class _Supply:
    """Homes (one dict a home, in the homes table's column order) and providers
    (``provider_id`` -> name, sector, group) as the generator adds them; ``cost_rng`` draws weekly costs."""

    cost_rng: np.random.Generator
    prices: dict[tuple[str, str, bool], float] = attrs.field(factory=dict)
    homes: list[dict[str, object]] = attrs.field(factory=list)
    providers: dict[str, tuple[str, str, str]] = attrs.field(factory=dict)

    def cost(self, home_type: str, sector: str, council_id: str, tail: bool = False) -> float:
        """The weekly cost of homes of a type and sector in a council (nearest GBP 10): one draw from the
        body (or the high-cost tail) of their distribution per council, so prices differ between areas and
        homes alike in one council stay interchangeable (the optimiser merges them)."""
        key = (_cost_key(home_type, sector), council_id, tail)
        if key not in self.prices:
            w = WEEKLY_COSTS[key[0]]
            draw = w.draw_tail(1, self.cost_rng) if tail else w.draw_body(1, self.cost_rng)
            self.prices[key] = float(np.round(draw[0], -1))
        return self.prices[key]

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


def build_supply(
    cla: pd.DataFrame, councils: pd.DataFrame, ofsted: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Homes and providers of the embedded England: real residential homes, council carers, IFA carers,
    UASC foster places and supported accommodation (in that order: the generator's draws depend on it).

    ``cla`` is the imputed DfE 2025 table indexed by council_id, ``councils`` indexed by council_id."""
    owner_ids = {o: f"P{i:04d}" for i, o in enumerate(sorted(ofsted.owner.unique()))}
    cla = _trusts_as_own_provision(cla)
    supply = _Supply(cost_rng=np.random.default_rng(rng.integers(2**63)))
    _residential_homes(ofsted, owner_ids, supply)
    fostering = _fostering(cla, councils.area_km2, councils.region)
    _council_carers(cla, councils, fostering, supply)
    _regional_homes(cla, councils, ofsted, owner_ids, fostering, rng, supply)
    homes_df = pd.DataFrame(supply.homes).sort_values("home_id", kind="stable").reset_index(drop=True)
    prov_df = pd.DataFrame(
        [(k, *v) for k, v in sorted(supply.providers.items())], columns=["provider_id", "name", "sector", "group"]
    )
    return homes_df, prov_df


def _trusts_as_own_provision(cla: pd.DataFrame) -> pd.DataFrame:
    """``cla`` without the voluntary-sector children of each :data:`CHILDRENS_SERVICES_TRUSTS` council: a trust
    (owned by or contracted to the council) is the council's fostering service, so its carers are in-house carers
    (its children only, living near them), not the agency carers a private or voluntary share becomes."""
    return cla.assign(provider_voluntary=cla.provider_voluntary.where(~cla.index.isin(CHILDRENS_SERVICES_TRUSTS), 0.0))


def _residential_homes(ofsted: pd.DataFrame, owner_ids: dict[str, str], supply: _Supply) -> None:
    """The real Ofsted homes with their registered places, one home per council x district x owner x type
    (x short breaks, x high-cost tail: each Ofsted home is in the tail with its type's tail share); costs by
    council (:meth:`_Supply.cost`)."""
    res = ofsted[(ofsted.provision_type != "ifa") & (ofsted.places > 0)].copy()
    res["places"] = grown_places(res)
    res["short"] = res.short_break_only.astype(str).str.lower() == "true"
    res["sector"] = res.sector.where(res.sector.isin(["council", "private", "voluntary"]), "other_public")
    res["district_id"] = res.get("district_id", pd.Series("", index=res.index)).fillna("").astype(str)
    share = np.array([WEEKLY_COSTS[_cost_key(t, sec)].tail_share for t, sec in zip(res.provision_type, res.sector)])
    res["tail"] = supply.cost_rng.random(len(res)) < share  # each Ofsted home in the high-cost tail or not
    group = ["council_id", "district_id", "owner", "sector", "provision_type", "short", "tail"]
    agg = res.groupby(group, as_index=False).places.sum()
    for r in agg.itertuples():
        pid = owner_ids[r.owner]
        supply.providers[pid] = (str(r.owner), str(r.sector), str(r.owner))
        needs, ages = _residential_terms(str(r.provision_type), bool(r.short))
        where = f"{r.council_id}" + (f"@{r.district_id}" if r.district_id else "")
        home_id = f"{r.provision_type}:{where}:{pid}{':sb' if r.short else ''}{':high' if r.tail else ''}"
        cost = supply.cost(str(r.provision_type), str(r.sector), str(r.council_id), bool(r.tail))
        supply.add_home(home_id, r.council_id, pid, r.provision_type, int(r.places), needs, ages, cost)


def grown_places(ofsted: pd.DataFrame) -> pd.Series:
    """Registered places of Ofsted's homes (the whole list, ``ofsted_providers.csv``, 31 March 2023: a part of it
    would be grown to England's total) grown to the census date: the private children's homes' places scaled by
    one factor, in whole places (largest remainders), so that children's homes hold
    :data:`CHILDRENS_HOME_PLACES_2025` (Ofsted's count at 31 March 2025; the rule and its sources in
    :func:`supply_figures`); every other home's places as listed.

    Examples
    --------
    >>> homes = pd.DataFrame({"provision_type": ["childrens_home"] * 3 + ["secure_home"],
    ...                       "sector": ["private", "private", "council", "council"], "places": [4, 2, 5, 8]})
    >>> bool(grown_places(homes)[homes.provision_type == "childrens_home"].sum() == CHILDRENS_HOME_PLACES_2025)
    True
    """
    places = ofsted.places.astype(float).copy()
    home = (ofsted.provision_type == "childrens_home").to_numpy()
    private = home & (ofsted.sector == "private").to_numpy()
    listed, listed_private = float(places[home].sum()), float(places[private].sum())
    if listed > CHILDRENS_HOME_PLACES_2025 or listed_private <= 0:
        raise InvalidInputError(
            "ofsted providers", None, "places",
            f"children's home places at most {CHILDRENS_HOME_PLACES_2025:,} (2025), private homes with places to grow",
            f"{listed:,.0f} places, {listed_private:,.0f} of them in private homes",
        )
    total = int(round(listed_private + CHILDRENS_HOME_PLACES_2025 - listed))
    places[private] = _largest_remainder(places[private].to_numpy() * total / listed_private, total)
    return places.astype(int)


def _residential_terms(provision_type: str, short: bool) -> tuple[str, tuple[int, int]]:
    """Needs and ages of a residential home."""
    if provision_type == "secure_home":
        return "secure", (10, 17)
    if provision_type == "residential_school":
        return "disability;complex", (5, 17)
    if short:
        return "disability", (0, 17)
    return "complex;disability", (5, 17)


@attrs.frozen(eq=False)
class _Fostering:
    """Per council (indexed by council_id): kinship places, in-house foster children, IFA children, UASC
    foster places (of the in-house and IFA children) and the shares of its kinship and in-house carers living
    inside the council (:func:`carer_inside_share`)."""

    kinship: pd.Series
    in_house: pd.Series
    ifa: pd.Series
    uasc_in_house: pd.Series
    uasc_ifa: pd.Series
    kinship_inside: pd.Series
    in_house_inside: pd.Series


def _fostering(cla: pd.DataFrame, area_km2: pd.Series, region: pd.Series) -> _Fostering:
    """Foster children split into kinship, in-house and IFA (the IFA share follows the council's
    private and voluntary provider share); UASC foster places; where the carers live (:func:`carer_inside_share`
    from the council's area and the published national share of each kind)."""
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
    # UASC with foster carers: those the demand rule does not put in supported accommodation, and at
    # least those under 16 (supported accommodation is for 16 and 17 year olds)
    in_supported = np.minimum(cla.uasc, cla.independent_semi_independent_supported)
    uasc = np.maximum(cla.uasc - in_supported, np.ceil(cla.uasc * UASC_UNDER_16_SHARE))
    uasc = np.minimum(uasc, inhouse + ifa_children)
    uasc_in_house = (uasc * inhouse / (inhouse + ifa_children).replace(0, np.nan)).fillna(0)
    # family-based carers live near the children they care for: the share inside each council from its
    # area and the published national share of the kind (kinship: relatives and friends, placed with parents)
    area = area_km2.reindex(cla.index).to_numpy(dtype=float)
    local = carer_local_share(region.reindex(cla.index).to_numpy(dtype=object))  # the council's region's
    island = cla.index.isin(ISLANDS)
    relatives, parents = np.round(foster * KINSHIP_SHARE_OF_FOSTER), cla.placed_with_parents.fillna(0)
    s_rel = carer_inside_share(area, relatives.to_numpy(), KINSHIP_INSIDE_SHARE, local, island)
    s_par = carer_inside_share(area, parents.to_numpy(), PLACED_WITH_PARENTS_INSIDE_SHARE, local, island)
    kin_inside = ((relatives * s_rel + parents * s_par) / (relatives + parents).replace(0, np.nan)).fillna(
        pd.Series(s_rel, index=cla.index)
    )
    in_house_inside = carer_inside_share(
        area, (inhouse - uasc_in_house).to_numpy(), IN_HOUSE_INSIDE_SHARE, local, island
    )
    return _Fostering(
        kinship=kin,
        in_house=inhouse - uasc_in_house,
        ifa=ifa_children - (uasc - uasc_in_house),
        uasc_in_house=uasc_in_house,
        uasc_ifa=uasc - uasc_in_house,
        kinship_inside=kin_inside,
        in_house_inside=pd.Series(in_house_inside, index=cla.index),
    )


def _council_carers(cla: pd.DataFrame, c: pd.DataFrame, fostering: _Fostering, supply: _Supply) -> None:
    """Each council's kinship (own children only) and in-house carers, inside the council and in its
    :data:`NEIGHBOURS` nearest councils (weighted by child population and each kind's distance decay), and its UASC
    foster places (in-house and IFA in proportion, inside the council)."""
    ids_all = list(cla.index)
    dist = distance_matrix(c.loc[ids_all, "lat"], c.loc[ids_all, "lon"], c.loc[ids_all, "area_km2"])
    children = c.loc[ids_all, "children_0_17"].to_numpy(dtype=float)[None, :]
    kernels = {}
    for kind, miles in (("kinship", KINSHIP_RANGE_MILES), ("in_house_fostering", IN_HOUSE_RANGE_MILES)):
        kernels[kind] = children * np.exp(-dist / miles)
        np.fill_diagonal(kernels[kind], 0.0)
    family = "mainstream;sibling_group;parent_child"
    for k, cid in enumerate(ids_all):
        pid = f"LA:{cid}"
        supply.providers[pid] = (f"{c.name[cid]} (in-house)", "council", pid)
        for kind, places, serves, inside in (
            ("kinship", int(fostering.kinship[cid]), cid, fostering.kinship_inside[cid]),
            ("in_house_fostering", int(np.ceil(fostering.in_house[cid] * (1 + VACANCY))), "", fostering.in_house_inside[cid]),
        ):
            near = np.argsort(-kernels[kind][k], kind="stable")[:NEIGHBOURS]
            share = kernels[kind][k, near] / kernels[kind][k, near].sum()
            own = int(round(places * float(inside)))
            split = _largest_remainder(share * (places - own), places - own)
            for where, n in [(cid, own)] + [(ids_all[j], int(m)) for j, m in zip(near, split)]:
                if n > 0:
                    home_id = f"{kind}:{cid}" + ("" if where == cid else f"@{where}")
                    w = supply.cost(kind, "council", where)
                    supply.add_home(home_id, where, pid, kind, n, family, (0, 17), w, serves)
        n_uasc = int(np.ceil(fostering.uasc_in_house[cid] * (1 + VACANCY)))
        if n_uasc > 0:
            w = supply.cost("in_house_fostering", "council", cid)
            supply.add_home(
                f"in_house_fostering:{cid}:uasc", cid, pid, "in_house_fostering", n_uasc, "uasc", (0, 17), w
            )


def _voluntary_share(cla: pd.DataFrame, ofsted: pd.DataFrame, ids: list[str], ifa_total: float) -> float:
    """Share of a region's IFA places run by voluntary agencies: the region's published voluntary-sector
    children (DfE 2025) less its voluntary homes' places, of its IFA places (0 to 1)."""
    voluntary = float(cla.loc[ids, "provider_voluntary"].fillna(0).sum())
    homes = ofsted[(ofsted.provision_type != "ifa") & (ofsted.sector == "voluntary") & ofsted.council_id.isin(ids)]
    return float(np.clip((voluntary - float(homes.places.sum())) / max(ifa_total, 1.0), 0.0, 1.0))


@functools.cache
def _received() -> pd.Series:
    """Other councils' children placed within each council's boundary, 31 March 2025 (DfE; NaN suppressed)."""
    with _data("cla_history.csv").open("rb") as f:
        h = pd.read_csv(f, dtype={"council_id": str})
    return h[h.year == 2025].set_index("council_id").other_la_children_placed_within_boundary.astype(float)


def _received_weights(ids: list[str], pop: pd.Series) -> np.ndarray:
    """Where a region's IFA carers live: in proportion to the other councils' children DfE counts placed
    within each council (2025; suppressed cells: the region's rate per child of the council's population)."""
    got = _received().reindex(ids)
    known = got.notna().to_numpy()
    rate = float(got[known].sum() / pop[known].sum()) if known.any() else 1.0
    got = got.fillna(pop * rate).clip(lower=0)
    total = float(got.sum())
    return (got / total).to_numpy() if total > 0 else (pop / pop.sum()).to_numpy()


def _regional_homes(
    cla: pd.DataFrame,
    c: pd.DataFrame,
    ofsted: pd.DataFrame,
    owner_ids: dict[str, str],
    fostering: _Fostering,
    rng: np.random.Generator,
    supply: _Supply,
) -> None:
    """IFA carers across each region where DfE counts other councils' children placed (:func:`_received_weights`)
    and 16+ supported accommodation by child population; each council's IFA carers are split among up to 3
    of the region's real agencies of each sector."""
    ifa_owners = ofsted[ofsted.provision_type == "ifa"].merge(c[["region"]], left_on="council_id", right_index=True)
    for region, ids in c.groupby("region").groups.items():
        ids = [i for i in ids if i in cla.index]
        pop = c.loc[ids, "children_0_17"].astype(float)
        weights = (pop / pop.sum()).to_numpy()
        ifa_w = _received_weights(ids, pop)
        in_region = ifa_owners[ifa_owners.region == region]
        ifa_total = float(fostering.ifa[ids].sum()) * (1 + VACANCY)
        sa_total = float(cla.loc[ids, "independent_semi_independent_supported"].sum()) * (1 + VACANCY)
        ifa_places = _largest_remainder(ifa_w * ifa_total, int(np.ceil(ifa_total)))
        sa_places = _largest_remainder(weights * sa_total, int(np.ceil(sa_total)))
        voluntary = _voluntary_share(cla, ofsted, ids, ifa_total)
        markets = {}
        for sector in ("private", "voluntary"):
            owners = sorted(in_region.loc[in_region.sector == sector, "owner"].unique())
            markets[sector] = (owners, rng.dirichlet(np.full(len(owners), 0.5)) if owners else np.array([]))
        if not markets["voluntary"][0]:
            voluntary = 0.0
        for k, cid in enumerate(ids):
            n_vol = int(round(ifa_places[k] * voluntary))
            for sector, n in (("private", int(ifa_places[k]) - n_vol), ("voluntary", n_vol)):
                owners, market = markets[sector]
                if owners and n > 0:
                    _ifa_homes(cid, n, owners, market, owner_ids, rng, supply, sector)
            n_uasc = int(np.ceil(fostering.uasc_ifa[cid] * (1 + VACANCY)))
            owners, market = markets["private"]
            if owners and n_uasc > 0:
                _ifa_homes(cid, n_uasc, owners, market, owner_ids, rng, supply, "private", uasc=True)
            if sa_places[k] > 0:
                pid = f"SA:{region}"
                supply.providers[pid] = (f"Supported accommodation providers, {region}", "private", pid)
                supply.add_home(
                    f"supported_accommodation:{cid}",
                    cid,
                    pid,
                    "supported_accommodation",
                    int(sa_places[k]),
                    "supported_16plus;uasc",
                    (16, 17),
                    supply.cost("supported_accommodation", "private", cid),
                )


def _ifa_homes(
    cid: str,
    places: int,
    owners: list[str],
    market: np.ndarray,
    owner_ids: dict[str, str],
    rng: np.random.Generator,
    supply: _Supply,
    sector: str,
    uasc: bool = False,
) -> None:
    """A council's IFA places of one sector split among up to 3 agencies drawn by their regional market
    share (UASC places: one agency)."""
    pick = rng.choice(len(owners), size=1 if uasc else min(3, len(owners)), replace=False, p=market)
    split = _largest_remainder(rng.dirichlet(np.ones(len(pick))) * places, places)
    for o, n in zip(pick, split):
        if n <= 0:
            continue
        pid = owner_ids[owners[o]]
        supply.providers[pid] = (owners[o], sector, owners[o])
        needs = "uasc" if uasc else "mainstream;sibling_group;parent_child"
        home_id = f"ifa_fostering:{cid}:{pid}" + (":uasc" if uasc else "")
        supply.add_home(
            home_id, cid, pid, "ifa_fostering", int(n), needs, (0, 17), supply.cost("ifa_fostering", sector, cid)
        )
