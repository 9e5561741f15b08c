"""Scenario rules: pooling levels, demand growth, new capacity and incentives.

What pooling changes, for whom, and who pays. A :class:`Scenario` is a named
change applied to one *base region* (England, or an RCC with its neighbours);
:func:`compare` plans every scenario on the same data and returns one long
table (scenario x council x metric) so each council sees its own outcome, and
the capacity-skew report the sector asks for.

Modelling choices (they decide what the numbers mean)
-----------------------------------------------------
Supply is split in two by the owner's sector (``providers.sector``):

* **in-house supply**: homes owned by a council (sector ``"council"``: the
  council's foster carers, kinship carers, its own children's homes),
  wherever they are located (see :func:`supply_owners` for how the owner is
  found).
* **market supply**: everything else (private, voluntary, other public,
  unknown): independent fostering agencies, private children's homes,
  supported accommodation; and secure children's homes whoever runs them
  (:data:`NATIONAL_HOME_TYPES`: places are commissioned nationally).

A *pool* is a set of councils whose children may use each other's in-house
supply. The pooling levels:

``"standalone"``
    Each council alone: its children use its own in-house supply and the
    market, which stays open to every council within reach as today's spot
    market ("homes elsewhere it already buys from" are the market homes
    elsewhere). Children already placed (``region.placements``) keep their
    homes in every scenario.
``"rcc"``
    Every council pools its in-house supply with the councils of its region
    (``councils.region``): regional care cooperatives everywhere. The councils
    in ``Scenario.rcc`` (if any) form their own pool, taken out of their region.
``"national"``
    One pool: every home open to every council within reach.
``"pathfinder_only"``
    The councils in ``Scenario.rcc`` pool; every other council stays
    standalone. With the skew report this shows whether an RCC draws places
    from its neighbours.

``Scenario.market="pooled"`` is the strict reading of "each council alone":
market homes follow the pools too, by the council they are located in
(standalone = only homes inside the own council, its own carers wherever they
live, secure homes, and children already placed elsewhere).

The plan is solved by the same transportation LP as :func:`rcc.plan` (a
central planner over the base region, within the pooling rules), so the
comparison isolates what the pooling rules change, not how well councils bid
against each other in the spot market.

Incentives are reductions of the objective per child-week, in
:class:`~rcc.core.params.Weights` units (with default weights 1 unit = 1 mile =
GBP 1,000/week): ``local_incentive`` for a placement inside the child's own
council, ``rcc_incentive`` for a child of an RCC council placed in a home
inside the RCC (the RCC commissioning as one customer: providers given a
price or priority to take the RCC's own children). They steer the plan; the
reported costs (``weekly_cost_gbp``, ``cost_objective``) exclude them.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc import datasets
from rcc.core.errors import InvalidInputError
from rcc.core.params import _freeze, number
from rcc.core.region import Region
from rcc.core.schema import NEEDS, TABLES

__all__ = [
    "IN_HOUSE_SECTOR",
    "MARKET_RULES",
    "NATIONAL_HOME_TYPES",
    "POOLING_LEVELS",
    "Scenario",
    "neighbours_name",
    "new_homes",
    "standard_scenarios",
    "supply_owners",
    "with_neighbours",
]

#: Pooling levels of a :class:`Scenario`.
POOLING_LEVELS: tuple[str, ...] = ("standalone", "rcc", "national", "pathfinder_only")
MARKET_RULES: tuple[str, ...] = ("open", "pooled")
#: Sector whose homes are in-house supply.
IN_HOUSE_SECTOR = "council"
#: Home types open to every council in every scenario, whoever owns them: secure
#: children's homes are commissioned nationally (Secure Welfare Coordination Unit).
NATIONAL_HOME_TYPES: tuple[str, ...] = ("secure_home",)


def _new_homes_converter(value: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if value is None else value.copy()


def _check_by_need(scenario: Scenario, attribute: attrs.Attribute, value: Mapping[str, float], check: Any) -> None:  # type: ignore[type-arg]
    """Keys ``"all"`` or a need; values kept by ``check`` (a :func:`rcc.core.params.number` validator)."""
    for k, v in value.items():
        if k != "all" and k not in NEEDS:
            raise InvalidInputError("scenario", scenario.name, attribute.name, f"'all' or a need from {list(NEEDS)}", k)
        check(scenario, attribute, v)


@attrs.frozen(eq=False)
class Scenario:
    """A named change applied to a base region.

    Parameters
    ----------
    name : str
        Label in every result.
    pooling : {"standalone", "rcc", "national", "pathfinder_only"}
        Who shares in-house supply (see the module docstring).
    rcc : sequence of str
        Council ids forming the RCC (required for ``"pathfinder_only"``; for
        ``"rcc"`` they form their own pool instead of their whole region).
    rcc_name : str
        Name of that RCC in pool labels.
    market : {"open", "pooled"}
        ``"open"``: market homes (private, voluntary...) open to every council
        within reach (today's spot market). ``"pooled"``: they follow the pools.
    growth_by_need : Mapping[str, float]
        Demand growth RATES by need, as everywhere in rcc (0.10 = +10%, -0.05 =
        5% fewer; at least -1); key ``"all"`` applies to every need not named
        (``{"all": 0.1, "secure": 0.3}``). Children become
        ``children x (1 + rate)``, rounded half up per cohort.
    new_homes : pandas.DataFrame, optional
        Homes added (rows of the ``homes`` table, see :func:`new_homes`),
        with an optional ``sector`` column for providers not yet in the region.
    local_incentive : float
        Objective reduction per child-week for a placement inside the child's
        own council (Weights units).
    rcc_incentive : float
        Objective reduction per child-week for a child of an RCC council placed
        in a home inside the RCC (Weights units).
    description : str
        One line for reports.
    demand_growth : Mapping[str, float], optional
        Deprecated (keyword only): MULTIPLIERS by need (``{"all": 1.1}`` = +10%), as rcc 0.2
        had them; converted to ``growth_by_need`` rates with a DeprecationWarning.

    Examples
    --------
    >>> s = Scenario("pathfinder", pooling="pathfinder_only", rcc=["A", "B"], growth_by_need={"all": 0.1})
    >>> s.growth_rate("complex")
    0.1
    """

    name: str
    pooling: str = attrs.field(default="standalone", validator=attrs.validators.in_(POOLING_LEVELS))
    rcc: tuple[str, ...] = attrs.field(default=(), converter=lambda v: tuple(str(c) for c in v))
    rcc_name: str = "RCC"
    market: str = attrs.field(default="open", validator=attrs.validators.in_(MARKET_RULES))
    growth_by_need: Mapping[str, float] = attrs.field(factory=dict, converter=_freeze)
    new_homes: pd.DataFrame | None = attrs.field(default=None, converter=_new_homes_converter)
    local_incentive: float = attrs.field(default=0.0, validator=number())
    rcc_incentive: float = attrs.field(default=0.0, validator=number())
    description: str = ""
    demand_growth: Mapping[str, float] | None = attrs.field(default=None, kw_only=True, repr=False)

    @growth_by_need.validator
    def _check_growth(self, attribute: attrs.Attribute, value: Mapping[str, float]) -> None:  # type: ignore[type-arg]
        _check_by_need(self, attribute, value, number(minimum=-1.0))

    def __attrs_post_init__(self) -> None:
        if self.pooling == "pathfinder_only" and not self.rcc:
            raise InvalidInputError("scenario", self.name, "rcc", "the RCC's council ids for 'pathfinder_only'", ())
        if self.demand_growth is not None:
            self._from_multipliers(self.demand_growth)

    def _from_multipliers(self, multipliers: Mapping[str, float]) -> None:
        """The deprecated ``demand_growth`` (multipliers) as ``growth_by_need`` (rates)."""
        warnings.warn(
            "Scenario(demand_growth={need: multiplier}) is deprecated: give growth RATES, "
            "Scenario(growth_by_need={need: rate}) (0.10 = +10%, as everywhere in rcc)",
            DeprecationWarning,
            stacklevel=4,
        )
        if self.growth_by_need:
            raise InvalidInputError(
                "scenario", self.name, "demand_growth", "either growth_by_need (rates) or demand_growth", "both"
            )
        field = attrs.fields(Scenario).demand_growth
        multipliers = _freeze(multipliers)
        _check_by_need(self, field, multipliers, number())
        object.__setattr__(self, "growth_by_need", _freeze({k: v - 1.0 for k, v in multipliers.items()}))
        object.__setattr__(self, "demand_growth", None)

    def evolve(self, **changes: Any) -> Scenario:
        """A copy with some fields changed."""
        return attrs.evolve(self, **changes)

    def growth_rate(self, need: str) -> float:
        """The demand growth rate of a need (0.10 = +10%)."""
        return float(self.growth_by_need.get(need, self.growth_by_need.get("all", 0.0)))

    def growth(self, need: str) -> float:
        """Deprecated: the demand multiplier of a need, ``1 + growth_rate(need)``."""
        warnings.warn("Scenario.growth(need) (a multiplier) is deprecated: use Scenario.growth_rate(need) (a rate)",
                      DeprecationWarning, stacklevel=2)
        return 1.0 + self.growth_rate(need)

    # ------------------------------------------------------------ rules
    def pools(self, region: Region) -> pd.Series:
        """Pool label of every council of ``region`` (index council_id).

        Councils with the same label share in-house supply.
        """
        ids = pd.Index(region.councils.council_id, name="council_id")
        self._check_rcc(region)
        if self.pooling == "national":
            labels = pd.Series("national", index=ids)
        elif self.pooling == "rcc":
            labels = pd.Series(("region:" + region.councils.region.astype(str)).to_numpy(), index=ids)
        else:
            labels = pd.Series(("council:" + ids.astype(str)).to_numpy(), index=ids)
        if self.pooling in ("rcc", "pathfinder_only") and self.rcc:
            labels[labels.index.isin(self.rcc)] = f"rcc:{self.rcc_name}"
        return labels.astype(object)

    def _check_rcc(self, region: Region) -> None:
        unknown = pd.Index(self.rcc).difference(pd.Index(region.councils.council_id))
        if len(unknown):
            raise InvalidInputError(
                "scenario", self.name, "rcc", f"council ids of region {region.name!r}", str(unknown[0])
            )

    def apply(self, region: Region) -> Region:
        """The region with this scenario's demand growth and new homes (validated).

        Pooling and incentives do not change the tables; they act on the
        eligible edges (:meth:`edge_mask`, :meth:`edge_incentive`).
        """
        self._check_rcc(region)
        cohorts, homes, providers = region.cohorts, region.homes, region.providers
        changed = False
        if any(v != 0.0 for v in self.growth_by_need.values()):
            mult = 1.0 + cohorts.need.map(self.growth_rate).to_numpy(dtype=float)
            grown = np.floor(cohorts.children.to_numpy(dtype=float) * mult + 0.5).astype(np.int64)
            cohorts = cohorts.assign(children=grown)
            changed = True
        if self.new_homes is not None and len(self.new_homes):
            add = self.new_homes
            sector = add["sector"] if "sector" in add.columns else pd.Series(IN_HOUSE_SECTOR, index=add.index)
            missing = ~add.provider_id.isin(providers.provider_id)
            if missing.any():
                extra = pd.DataFrame(
                    {
                        "provider_id": add.provider_id[missing].to_numpy(),
                        "name": add.provider_id[missing].to_numpy(),
                        "sector": sector[missing].to_numpy(),
                        "group": add.provider_id[missing].to_numpy(),
                    }
                ).drop_duplicates("provider_id")
                providers = pd.concat([providers, extra], ignore_index=True)
            cols = [c for c in TABLES["homes"].names if c in add.columns]
            homes = pd.concat([homes, add[cols]], ignore_index=True)
            changed = True
        if not changed:
            return region
        return region.replace(cohorts=cohorts, homes=homes, providers=providers)

    def home_keys(self, region: Region) -> dict[str, np.ndarray]:
        """The home attributes the pooling rules read, per home of ``region``: in-house flag and
        owner council (:func:`supply_owners`) and national flag (:data:`NATIONAL_HOME_TYPES`).

        :func:`rcc.plan` keeps homes differing in them apart when it merges
        interchangeable homes, and hands them to :meth:`edge_mask`.
        """
        in_house, owner = supply_owners(region)
        national = region.homes.home_type.isin(NATIONAL_HOME_TYPES).to_numpy()
        return {"in_house": in_house, "owner": owner, "national": national}

    def edge_mask(
        self,
        region: Region,
        edges: pd.DataFrame,
        supply: Mapping[str, np.ndarray] | tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Which eligible edges the pooling rules allow.

        An in-house home may be used by children of councils in its owner's
        pool (:func:`supply_owners`); a market home by everyone within reach
        (``market="open"``) or by councils in the pool of the council it is
        located in (``market="pooled"``); homes of :data:`NATIONAL_HOME_TYPES`
        by everyone. Children already placed keep their
        homes whatever the rules: the solver keeps an edge the rules forbid
        only for its held children (it cannot take more).

        ``supply``: :meth:`home_keys` (or the pair in-house flag, owner
        council) per home of ``region``, if already known (for merged homes,
        whose own provider ids no longer say who owns them).
        """
        if supply is None:
            in_house, owner = supply_owners(region)
        elif isinstance(supply, Mapping):
            if "in_house" not in supply or "owner" not in supply:
                raise InvalidInputError(
                    "scenario", self.name, "home keys", "the keys of Scenario.home_keys (prepare_allocation(region, "
                    "params, scenario) builds them)", sorted(supply)
                )
            in_house, owner = supply["in_house"], supply["owner"]
        else:
            in_house, owner = supply
        national = region.homes.home_type.isin(NATIONAL_HOME_TYPES).to_numpy()[edges.home.to_numpy()]
        pools = self.pools(region)
        cidx = pd.Index(region.councils.council_id)
        pool_code = pd.factorize(pools.reindex(cidx).to_numpy())[0]
        c_pool = pool_code[cidx.get_indexer(region.cohorts.council_id)[edges.cohort.to_numpy()]]
        home = edges.home.to_numpy()
        h_located = pool_code[cidx.get_indexer(region.homes.council_id)[home]]
        owner_idx = cidx.get_indexer(pd.Index(owner))
        h_owner = np.where(owner_idx >= 0, pool_code[np.maximum(owner_idx, 0)], -1)[home]
        inh = in_house[home]
        own_pool = c_pool == h_owner
        if self.market == "pooled":
            return national | np.where(inh, own_pool, c_pool == h_located)
        return ~inh | own_pool

    def edge_incentive(self, region: Region, edges: pd.DataFrame) -> np.ndarray:
        """Objective reduction of each edge (local and RCC incentives)."""
        out = np.zeros(len(edges))
        if self.local_incentive:
            out += self.local_incentive * edges.inside_own_council.to_numpy(dtype=bool)
        if self.rcc_incentive and self.rcc:
            in_rcc = region.councils.council_id.isin(self.rcc).to_numpy()
            cidx = pd.Index(region.councils.council_id)
            c_council = cidx.get_indexer(region.cohorts.council_id)[edges.cohort.to_numpy()]
            h_council = cidx.get_indexer(region.homes.council_id)[edges.home.to_numpy()]
            out += self.rcc_incentive * (in_rcc[c_council] & in_rcc[h_council])
        return out


def supply_owners(region: Region) -> tuple[np.ndarray, np.ndarray]:
    """Which homes are in-house supply, and the council that owns each.

    In-house: the provider's sector is ``"council"`` and the home type is not
    in :data:`NATIONAL_HOME_TYPES`. Its owner is, in order: the council it
    serves (``serves_council_id``, kinship); the council named by the
    provider id (``<council_id>`` or ``LA:<council_id>``, the convention of
    :mod:`rcc.datasets` and :func:`new_homes`, so foster carers a council
    recruits outside its boundary stay its own); else the council where that
    provider has most places (a council's own children's homes).

    Returns
    -------
    in_house : numpy.ndarray of bool
    owner : numpy.ndarray of str
        Owner council id per home ("" for market homes).
    """
    homes = region.homes
    sector = homes.provider_id.map(region.providers.set_index("provider_id").sector)
    in_house = ((sector == IN_HOUSE_SECTOR) & ~homes.home_type.isin(NATIONAL_HOME_TYPES)).to_numpy(dtype=bool)
    ids = set(region.councils.council_id)
    pid = homes.provider_id.astype(str)
    named = pid.where(pid.isin(ids), pid.str.removeprefix("LA:"))
    named = named.where(named.isin(ids), "")
    ih = homes[in_house]
    if len(ih):
        most = (
            ih.groupby(["provider_id", "council_id"], sort=True).places.sum().reset_index()
            .sort_values(["provider_id", "places"], ascending=[True, False], kind="stable")
            .drop_duplicates("provider_id").set_index("provider_id").council_id
        )
    else:
        most = pd.Series(dtype=object)
    owner = homes.serves_council_id.where(homes.serves_council_id != "", named)
    owner = owner.where(owner != "", homes.provider_id.map(most).astype(object).fillna(""))
    owner = np.where(in_house, owner.astype(str).to_numpy(dtype=object), "")
    return in_house, owner


def new_homes(
    council_ids: Iterable[str],
    home_type: str,
    places: int,
    needs: str,
    weekly_cost_gbp: float,
    *,
    sector: str = IN_HOUSE_SECTOR,
    min_age: int = 0,
    max_age: int = 17,
    label: str = "new",
) -> pd.DataFrame:
    """Rows of new homes, one per council listed, for :attr:`Scenario.new_homes`.

    A council listed twice gets two homes: the first is ``<label>:<home_type>:<council>``, the next
    ones ``...:<council>:2``, ``...:<council>:3`` (home ids stay unique). In-house homes
    (``sector="council"``) belong to provider ``LA:<council>`` (the embedded data's in-house
    provider ids); other sectors to a provider ``<label>:<sector>``.

    Raises
    ------
    InvalidInputError
        When ``places``, ``min_age`` or ``max_age`` is not a whole number (nothing is rounded).

    >>> new_homes(["A", "B"], "childrens_home", 4, "complex", 4800.0).home_id.tolist()
    ['new:childrens_home:A', 'new:childrens_home:B']
    >>> new_homes(["A", "A"], "childrens_home", 4, "complex", 4800.0).home_id.tolist()
    ['new:childrens_home:A', 'new:childrens_home:A:2']
    """
    for name, value in (("places", places), ("min_age", min_age), ("max_age", max_age)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value).is_integer() or value < 0:
            raise InvalidInputError("new_homes", None, name, "a whole number >= 0", value)
    ids = [str(c) for c in council_ids]
    seen: dict[str, int] = {}
    home_ids = []
    for c in ids:
        seen[c] = seen.get(c, 0) + 1
        home_ids.append(f"{label}:{home_type}:{c}" + (f":{seen[c]}" if seen[c] > 1 else ""))
    return pd.DataFrame(
        {
            "home_id": home_ids,
            "council_id": ids,
            "provider_id": [f"LA:{c}" if sector == IN_HOUSE_SECTOR else f"{label}:{sector}" for c in ids],
            "home_type": home_type,
            "places": int(places),
            "needs": needs,
            "min_age": int(min_age),
            "max_age": int(max_age),
            "weekly_cost_gbp": float(weekly_cost_gbp),
            "serves_council_id": "",
            "sector": sector,
        }
    )


def standard_scenarios(
    rcc: Sequence[str],
    rcc_name: str = "RCC",
    *,
    growth_rate: float = 0.10,
    incentive: float = 10.0,
    new_home_places: int = 4,
    growth: float | None = None,
) -> list[Scenario]:
    """The standard comparison for an RCC.

    ``standalone``, ``rcc_pooled`` (RCCs everywhere: regions pool, this RCC
    as its own pool), ``national``, ``pathfinder_only`` and three pathfinder
    variants: ``demand_growth`` (every need grows by ``growth_rate``, 0.10 =
    +10%; ``growth``, a multiplier, is deprecated), ``new_capacity``
    (one in-house children's home of ``new_home_places`` places for complex
    needs, ages 8-17, GBP 4,800/week, in each RCC council) and
    ``local_incentive`` (providers given ``incentive`` Weights units per
    child-week to take the RCC's own children inside the RCC).

    >>> [s.name for s in standard_scenarios(["A"])][:4]
    ['standalone', 'rcc_pooled', 'national', 'pathfinder_only']
    """
    rcc = tuple(rcc)
    if growth is not None:
        warnings.warn("standard_scenarios(growth=multiplier) is deprecated: give growth_rate (0.10 = +10%)",
                      DeprecationWarning, stacklevel=2)
        growth_rate = growth - 1.0
    out = [
        Scenario("standalone", "standalone", description="each council alone: own in-house supply + spot market"),
        Scenario("rcc_pooled", "rcc", rcc, rcc_name, description="RCCs everywhere: in-house supply pooled by region"),
        Scenario("national", "national", description="every home open to every council within reach"),
    ]
    if rcc:
        path = Scenario("pathfinder_only", "pathfinder_only", rcc, rcc_name, description=f"{rcc_name} pools; neighbours alone")
        out += [
            path,
            path.evolve(
                name="demand_growth", growth_by_need={"all": growth_rate},
                description=f"pathfinder, demand {100 * growth_rate:+g}%",
            ),
            path.evolve(
                name="new_capacity",
                new_homes=new_homes(rcc, "childrens_home", new_home_places, "complex;disability", 4_800.0, min_age=8),
                description=f"pathfinder + a {new_home_places}-place in-house children's home per council",
            ),
            path.evolve(
                name="local_incentive",
                rcc_incentive=incentive,
                description=f"pathfinder + priority {incentive:g} Weights units (= GBP {incentive * 1000:,.0f}/week "
                "at default Weights) per child-week for its children inside the RCC",
            ),
        ]
    return out


def with_neighbours(region: Region, council_ids: Iterable[str], within_miles: float = 50.0, name: str | None = None) -> Region:
    """The councils given plus every council of ``region`` whose centroid is
    within ``within_miles`` of one of them (an RCC and its neighbours).

    Named ``name``, or by default "<RCC or region> and neighbours within N miles" when the councils are a
    named RCC or region of England (:func:`rcc.datasets.regions`; prefixed "<region name>: " when ``region``
    is not the whole of England), else "<region name>: K council(s) and neighbours within N miles".

    >>> import rcc
    >>> gm = rcc.datasets.regions()["Greater Manchester RCC"]
    >>> len(with_neighbours(rcc.datasets.england(), gm, 30).councils) > len(gm)
    True
    """
    keep = pd.Index([str(c) for c in council_ids])
    ids = pd.Index(region.councils.council_id)
    rows = ids.get_indexer(keep)
    if (rows < 0).any():
        raise InvalidInputError("councils", str(keep[rows < 0][0]), "council_id", "a council of this region", str(keep[rows < 0][0]))
    d = region.council_distances()
    near = (d[rows] <= within_miles).any(axis=0)
    near[rows] = True
    if name is None:  # a named RCC or region of England by its name, else how many councils
        named = {frozenset(v): k for k, v in datasets.regions().items()}
        group = named.get(frozenset(keep))
        base = f"{len(keep)} council(s)" if group is None else group
        inside = "" if group is not None and region.name == "England" else f"{region.name}: "
        name = neighbours_name(inside + base, within_miles)
    return region.subset(ids[near], name=name)


def neighbours_name(label: str, within_miles: float) -> str:
    """The name of a region made of ``label``'s councils and their neighbours (:func:`with_neighbours`)."""
    return f"{label} and neighbours within {within_miles:g} miles"
