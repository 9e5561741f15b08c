"""Scenarios: pooling levels, demand growth, new capacity and incentives, compared.

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

import concurrent.futures as cf
import math
import multiprocessing
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.engine import PreparedAllocation, plan, prepare_allocation
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.result import METRIC_LABELS, Plan, PlanStatus, metrics_table
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import NEEDS, TABLES

__all__ = [
    "POOLING_LEVELS",
    "Comparison",
    "Scenario",
    "compare",
    "compare_cli",
    "new_homes",
    "plan_cost",
    "plan_metrics",
    "prepare",
    "solve_prepared",
    "solve_scenario",
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
#: council_id prefix of group rows (``"group:all"``, ``"group:rcc"``...) in :attr:`Comparison.long`.
GROUP_PREFIX = "group:"

#: Metrics of :func:`plan_metrics`, in order, with labels.
METRICS: Mapping[str, str] = MappingProxyType(
    {
        "children": METRIC_LABELS["children"],
        "placed": METRIC_LABELS["placed"],
        "unmet": METRIC_LABELS["unmet"],
        "pct_within_20_miles": METRIC_LABELS["pct_within_20_miles"],
        "pct_inside_own_council": METRIC_LABELS["pct_inside_own_council"],
        "pct_inside_own_region": "% placed inside own region",
        "mean_distance_miles": METRIC_LABELS["mean_distance_miles"],
        "weekly_cost_gbp": METRIC_LABELS["weekly_cost_gbp"],
        "utilisation_pct": "utilisation of places located here (%)",
        "provider_hhi": METRIC_LABELS["provider_hhi"],
        "cost_objective": "planning cost (objective units, no incentives)",
        **{f"unmet_{n}": f"without a home: {n}" for n in NEEDS},
    }
)

#: Metrics shown by :meth:`Comparison.table` by default.
TABLE_METRICS: tuple[str, ...] = (
    "children",
    "unmet",
    "pct_within_20_miles",
    "pct_inside_own_council",
    "pct_inside_own_region",
    "weekly_cost_gbp",
    "utilisation_pct",
)


def _freeze(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({str(k): float(v) for k, v in dict(value).items()})


def _non_negative(instance: object, attribute: attrs.Attribute, value: float) -> None:  # type: ignore[type-arg]
    if not (value >= 0):
        raise InvalidInputError("scenario", None, attribute.name, "a number >= 0", value)


def _new_homes_converter(value: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if value is None else value.copy()


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
    demand_growth : Mapping[str, float]
        Multipliers of cohort children by need; key ``"all"`` applies to every
        need not named (``{"all": 1.1, "secure": 1.3}``). Children are rounded
        half up per cohort.
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

    Examples
    --------
    >>> s = Scenario("pathfinder", pooling="pathfinder_only", rcc=["A", "B"], demand_growth={"all": 1.1})
    >>> s.growth("complex")
    1.1
    """

    name: str
    pooling: str = attrs.field(default="standalone", validator=attrs.validators.in_(POOLING_LEVELS))
    rcc: tuple[str, ...] = attrs.field(default=(), converter=lambda v: tuple(str(c) for c in v))
    rcc_name: str = "RCC"
    market: str = attrs.field(default="open", validator=attrs.validators.in_(MARKET_RULES))
    demand_growth: Mapping[str, float] = attrs.field(factory=dict, converter=_freeze)
    new_homes: pd.DataFrame | None = attrs.field(default=None, converter=_new_homes_converter)
    local_incentive: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    rcc_incentive: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    description: str = ""

    @demand_growth.validator
    def _check_growth(self, attribute: attrs.Attribute, value: Mapping[str, float]) -> None:  # type: ignore[type-arg]
        for k, v in value.items():
            if k != "all" and k not in NEEDS:
                raise InvalidInputError("scenario", self.name, "demand_growth", f"'all' or a need from {list(NEEDS)}", k)
            if not (v >= 0 and math.isfinite(v)):
                raise InvalidInputError("scenario", self.name, "demand_growth", "a finite multiplier >= 0", v)

    def __attrs_post_init__(self) -> None:
        if self.pooling == "pathfinder_only" and not self.rcc:
            raise InvalidInputError("scenario", self.name, "rcc", "the RCC's council ids for 'pathfinder_only'", ())

    def evolve(self, **changes: Any) -> Scenario:
        """A copy with some fields changed."""
        return attrs.evolve(self, **changes)

    def growth(self, need: str) -> float:
        """The demand multiplier of a need."""
        return float(self.demand_growth.get(need, self.demand_growth.get("all", 1.0)))

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
        if any(v != 1.0 for v in self.demand_growth.values()):
            mult = cohorts.need.map(self.growth).to_numpy(dtype=float)
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
    """Rows of new homes, one per council, for :attr:`Scenario.new_homes`.

    In-house homes (``sector="council"``) belong to provider ``LA:<council>``
    (the embedded data's in-house provider ids); other sectors to a provider
    ``<label>:<sector>``.

    >>> new_homes(["A", "B"], "childrens_home", 4, "complex", 4800.0).home_id.tolist()
    ['new:childrens_home:A', 'new:childrens_home:B']
    """
    ids = [str(c) for c in council_ids]
    return pd.DataFrame(
        {
            "home_id": [f"{label}:{home_type}:{c}" for c in ids],
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
    growth: float = 1.1,
    incentive: float = 10.0,
    new_home_places: int = 4,
) -> list[Scenario]:
    """The standard comparison for an RCC.

    ``standalone``, ``rcc_pooled`` (RCCs everywhere: regions pool, this RCC
    as its own pool), ``national``, ``pathfinder_only`` and three pathfinder
    variants: ``demand_growth`` (every need x ``growth``), ``new_capacity``
    (one in-house children's home of ``new_home_places`` places for complex
    needs, ages 8-17, GBP 4,800/week, in each RCC council) and
    ``local_incentive`` (providers given ``incentive`` Weights units per
    child-week to take the RCC's own children inside the RCC).

    >>> [s.name for s in standard_scenarios(["A"])][:4]
    ['standalone', 'rcc_pooled', 'national', 'pathfinder_only']
    """
    rcc = tuple(rcc)
    out = [
        Scenario("standalone", "standalone", description="each council alone: own in-house supply + spot market"),
        Scenario("rcc_pooled", "rcc", rcc, rcc_name, description="RCCs everywhere: in-house supply pooled by region"),
        Scenario("national", "national", description="every home open to every council within reach"),
    ]
    if rcc:
        path = Scenario("pathfinder_only", "pathfinder_only", rcc, rcc_name, description=f"{rcc_name} pools; neighbours alone")
        out += [
            path,
            path.evolve(name="demand_growth", demand_growth={"all": growth}, description=f"pathfinder, demand x{growth:g}"),
            path.evolve(
                name="new_capacity",
                new_homes=new_homes(rcc, "childrens_home", new_home_places, "complex;disability", 4_800.0, min_age=8),
                description=f"pathfinder + a {new_home_places}-place in-house children's home per council",
            ),
            path.evolve(
                name="local_incentive",
                rcc_incentive=incentive,
                description=f"pathfinder + priority {incentive:g}/child-week for its children inside the RCC",
            ),
        ]
    return out


def with_neighbours(region: Region, council_ids: Iterable[str], within_miles: float = 50.0, name: str | None = None) -> Region:
    """The councils given plus every council of ``region`` whose centroid is
    within ``within_miles`` of one of them (an RCC and its neighbours).

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
    return region.subset(ids[near], name=name or f"{region.name}: {len(keep)} councils + neighbours")


# ---------------------------------------------------------------- deprecated solve paths
def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"rcc.analysis.scenarios.{old} is deprecated: use {new}", DeprecationWarning, stacklevel=3)


def prepare(region: Region, params: PlanParams | None = None) -> PreparedAllocation:
    """Deprecated: :func:`rcc.allocation.engine.prepare_allocation` (with a Scenario for its home keys)."""
    _deprecated("prepare(region, params)", "rcc.allocation.engine.prepare_allocation(region, params, rcc.Scenario(...))")
    return prepare_allocation(region, params, Scenario("prepared"))


def solve_prepared(prep: PreparedAllocation, scenario: Scenario) -> Plan:
    """Deprecated: ``rcc.plan(prep, scenario=scenario)``."""
    _deprecated("solve_prepared(prep, scenario)", "rcc.plan(prep, scenario=scenario)")
    return plan(prep, scenario=scenario)


def solve_scenario(region: Region, scenario: Scenario, params: PlanParams | None = None, *, applied: bool = False) -> Plan:
    """Deprecated: ``rcc.plan(region, params, scenario)``.

    With ``applied=True`` (``region`` is already ``scenario.apply(base)``):
    ``rcc.plan(prepare_allocation(region, params, scenario), scenario=scenario)``.
    """
    _deprecated("solve_scenario(region, scenario, params)", "rcc.plan(region, params, scenario=scenario)")
    if applied:
        return plan(prepare_allocation(region, params, scenario), scenario=scenario)
    return plan(region, params, scenario)


def __getattr__(name: str) -> Any:
    if name == "Prepared":
        _deprecated("Prepared", "rcc.allocation.engine.PreparedAllocation")
        return PreparedAllocation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")



# ---------------------------------------------------------------- metrics
def plan_cost(plan: Plan, params: PlanParams | None = None) -> pd.Series:
    """Planning cost of each council's children (objective units, no incentives):
    miles, out-of-area and weekly-cost terms of their placements plus the
    unmet-child penalty. Index: every council of the plan's region."""
    params = params or PlanParams()
    p, s = plan.placements, plan.shortfall
    region = plan.region
    placed = pd.Series(edge_costs(p, params) * p.children.to_numpy(dtype=float), index=p.index).groupby(
        p.council_id.to_numpy()
    ).sum()
    ucost = pd.Series(unmet_costs(region, params), index=region.cohorts.cohort_id.to_numpy())
    unmet = pd.Series(ucost.reindex(s.cohort_id).to_numpy() * s.children.to_numpy(dtype=float)).groupby(
        s.council_id.to_numpy()
    ).sum()
    ids = pd.Index(region.councils.council_id)
    return placed.reindex(ids, fill_value=0.0).add(unmet.reindex(ids, fill_value=0.0)).astype(float)


def plan_metrics(
    plan: Plan,
    groups: Mapping[str, Sequence[str]] | None = None,
    params: PlanParams | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Metrics per council and per named group of councils, as a long table.

    Columns council_id, council_name, metric, value; metrics as in
    :data:`METRICS`. Group rows have council_id ``"group:<name>"`` and
    council_name ``labels[name]`` (default the name).
    Percentages are of children placed; utilisation is of places located in
    the council (or group). ``pct_inside_own_region`` compares the regions
    (``councils.region``) of the child's council and of the home's council.
    """
    region = plan.region
    c = region.councils.set_index("council_id")
    p = plan.placements.assign(
        inside_own_region=(
            plan.placements.council_id.map(c.region).to_numpy() == plan.placements.home_council_id.map(c.region).to_numpy()
        )
    )
    s = plan.shortfall
    cost = plan_cost(plan, params)
    ids = pd.Index(region.councils.council_id)
    homes = region.homes
    places_at = homes.groupby("council_id").places.sum().reindex(ids, fill_value=0).astype(float)
    used_at = p.groupby("home_council_id").children.sum().reindex(ids, fill_value=0).astype(float)

    per = metrics_table(p, s, 0.0, by="council_id").set_index("council_id").reindex(ids)
    for col in ("children", "placed", "unmet", "weekly_cost_gbp"):
        per[col] = per[col].fillna(0.0)
    inside_region = (p.children * p.inside_own_region).groupby(p.council_id).sum().reindex(ids, fill_value=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per["pct_inside_own_region"] = 100 * inside_region.astype(float) / per.placed.where(per.placed > 0)
        per["utilisation_pct"] = 100 * used_at / places_at.where(places_at > 0)
    per["cost_objective"] = cost
    unmet_need = s.pivot_table(index="council_id", columns="need", values="children", aggfunc="sum") if len(s) else None
    for n in NEEDS:
        col = unmet_need[n] if unmet_need is not None and n in unmet_need.columns else pd.Series(dtype=float)
        per[f"unmet_{n}"] = col.reindex(ids).fillna(0.0).astype(float)
    per["council_name"] = c.name.reindex(ids)
    frames = [per]

    for gname, members in (groups or {}).items():
        m = pd.Index([str(x) for x in members])
        gp, gs = p[p.council_id.isin(m)], s[s.council_id.isin(m)]
        row = metrics_table(gp, gs, float(places_at.reindex(m).sum())).iloc[0].astype(object)
        if row.placed > 0:
            row["pct_inside_own_region"] = 100 * float((gp.children * gp.inside_own_region).sum()) / row.placed
        else:
            row["pct_inside_own_region"] = np.nan
        row["utilisation_pct"] = (
            100 * float(used_at.reindex(m).sum()) / float(places_at.reindex(m).sum()) if places_at.reindex(m).sum() else np.nan
        )
        row["cost_objective"] = float(cost.reindex(m).sum())
        for n in NEEDS:
            row[f"unmet_{n}"] = float(gs.children[gs.need == n].sum())
        row["council_name"] = (labels or {}).get(gname, gname)
        frames.append(row.to_frame(GROUP_PREFIX + gname).T)
    wide = pd.concat(frames)
    wide.index.name = "council_id"
    long = wide.reset_index().melt(
        id_vars=["council_id", "council_name"], value_vars=list(METRICS), var_name="metric", value_name="value"
    )
    long["value"] = long.value.astype(float)
    order = {m: i for i, m in enumerate(METRICS)}
    key = long.council_id.map({k: i for i, k in enumerate(wide.index)})
    long = long.assign(_k=key, _m=long.metric.map(order)).sort_values(["_k", "_m"], kind="stable")
    return long.drop(columns=["_k", "_m"]).reset_index(drop=True)


# ---------------------------------------------------------------- parallel work
def to_payload(obj: Any) -> Any:
    """Plain, picklable data for a worker: Regions become dicts of tables,
    attrs records (PlanParams, Scenario...) ``(class, fields)``, mappings dicts.

    PuLP 4 models and ``MappingProxyType`` cannot be pickled; workers get data
    and rebuild everything with :func:`from_payload`.
    """
    if isinstance(obj, Region):
        return ("__region__", {k: getattr(obj, k) for k in ("name", "councils", "providers", "homes", "cohorts", "placements", "travel")})
    if attrs.has(type(obj)):
        return ("__attrs__", type(obj), {f.name: to_payload(getattr(obj, f.name)) for f in attrs.fields(type(obj))})
    if isinstance(obj, Mapping):
        return {k: to_payload(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return type(obj)(to_payload(v) for v in obj)
    return obj


def from_payload(data: Any) -> Any:
    """Inverse of :func:`to_payload` (tables are trusted: they were validated)."""
    if isinstance(data, tuple) and len(data) == 2 and data[0] == "__region__":
        t = data[1]
        return Region(t["name"], t["councils"], t["providers"], t["homes"], t["cohorts"], t["placements"], t["travel"])
    if isinstance(data, tuple) and len(data) == 3 and data[0] == "__attrs__":
        cls, fields = data[1], data[2]
        kwargs = {k: from_payload(v) for k, v in fields.items()}
        alias = {f.name: f.alias for f in attrs.fields(cls)}
        return cls(**{alias[k]: v for k, v in kwargs.items()})
    if isinstance(data, dict):
        return {k: from_payload(v) for k, v in data.items()}
    if isinstance(data, tuple | list):
        return type(data)(from_payload(v) for v in data)
    return data


def single_thread(params: PlanParams | None) -> PlanParams:
    """The params with one solver thread (what every parallel worker uses)."""
    params = params or PlanParams()
    return params.evolve(solver=attrs.evolve(params.solver, threads=1))


class Progress:
    """A progress line on stderr (tqdm's bar if tqdm is installed)."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.done, self.t0, self._last = 0, time.perf_counter(), -1.0
        self._bar: Any = None
        if self.enabled:
            try:
                from tqdm.auto import tqdm  # optional

                self._bar = tqdm(total=total, desc=label, file=sys.stderr, leave=False)
            except ImportError:
                self._bar = None

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.perf_counter()
        finished = self.done >= self.total
        if finished or now - self._last >= 1.0:
            self._last = now
            line = f"{self.label}: {self.done}/{self.total} ({now - self.t0:.1f}s)"
            if sys.stderr.isatty():
                sys.stderr.write("\r" + line + ("\n" if finished else ""))
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def default_executor(workers: int = 2) -> cf.ProcessPoolExecutor:
    """A local process pool started with ``spawn`` (safe with in-process HiGHS)."""
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    executor: cf.Executor | str | None = "serial",
    *,
    workers: int = 2,
    label: str = "rcc",
    progress: bool = True,
    sizes: Sequence[int] | None = None,
) -> list[Any]:
    """``[fn(t) for t in tasks]``, in task order, on an executor.

    ``executor``: ``"serial"`` (or None) runs here; ``"process"`` a local
    spawn process pool of ``workers``; any :class:`concurrent.futures.Executor`
    (e.g. dask's ``Client.get_executor()``) is used as given and not shut
    down. ``fn`` must be a module-level function and tasks plain data.
    ``sizes`` (units per task, e.g. draws per batch) drive the progress line.
    """
    sizes = list(sizes) if sizes is not None else [1] * len(tasks)
    bar = Progress(int(sum(sizes)), label, progress)
    try:
        if executor is None or executor == "serial":
            out = []
            for t, n in zip(tasks, sizes):
                out.append(fn(t))
                bar.update(n)
            return out
        own = executor == "process"
        ex: cf.Executor = default_executor(workers) if own else executor  # type: ignore[assignment]
        if isinstance(ex, str):
            raise InvalidInputError("executor", None, None, "'serial', 'process' or a concurrent.futures.Executor", ex)
        try:
            futures = {ex.submit(fn, t): i for i, t in enumerate(tasks)}
            results: list[Any] = [None] * len(tasks)
            for f in cf.as_completed(futures):
                i = futures[f]
                results[i] = f.result()
                bar.update(sizes[i])
            return results
        finally:
            if own:
                ex.shutdown(wait=True)
    finally:
        bar.close()


def _solve_task(task: dict[str, Any]) -> dict[str, Any]:
    """Worker: solve one scenario from data; return tables, not the model."""
    region = from_payload(task["region"])
    scenario = from_payload(task["scenario"])
    params = from_payload(task["params"])
    p = plan(prepare_allocation(region, params, scenario), scenario=scenario)
    return {
        "placements": p.placements,
        "shortfall": p.shortfall,
        "objective": p.objective,
        "status": p.status.value,
        "info": to_payload(p.info),
    }


# ---------------------------------------------------------------- compare
@attrs.frozen(eq=False)
class Comparison:
    """Scenarios planned on the same base region.

    Attributes
    ----------
    base : Region
    scenarios : tuple of Scenario
    plans : Mapping[str, Plan]
        Plan of each scenario (on the scenario's region).
    long : pandas.DataFrame
        scenario, council_id, council_name, metric, value: every council and
        group (``group:all``, ``group:rcc``, ``group:outside_rcc`` and any
        named ``groups``) x metric (:data:`METRICS`, including unmet by need).
    rcc : tuple of str
        The RCC's councils (for group rows and the skew report).
    baseline : str
        The scenario the skew report compares against.
    params : PlanParams
    """

    base: Region
    scenarios: tuple[Scenario, ...]
    plans: Mapping[str, Plan]
    long: pd.DataFrame
    rcc: tuple[str, ...]
    baseline: str
    params: PlanParams

    def wide(self) -> pd.DataFrame:
        """One row per scenario x council/group, one column per metric."""
        w = self.long.set_index(["scenario", "council_id", "council_name", "metric"]).value.unstack("metric")
        order = {s.name: i for i, s in enumerate(self.scenarios)}
        first = {c: i for i, c in enumerate(pd.unique(self.long.council_id))}
        w = w[[m for m in METRICS if m in w.columns]].reset_index()
        w = w.assign(_s=w.scenario.map(order), _c=w.council_id.map(first)).sort_values(["_s", "_c"], kind="stable")
        w.columns.name = None
        return w.drop(columns=["_s", "_c"]).reset_index(drop=True)

    def table(
        self, councils: Sequence[str] | None = None, metrics: Sequence[str] = TABLE_METRICS, by: str = "council"
    ) -> pd.DataFrame:
        """A readable table: rows council (or group) x scenario, columns metric labels.

        Parameters
        ----------
        councils : sequence of str, optional
            Council ids and/or group ids (``"group:rcc"``); default: the groups.
        metrics : sequence of str
        by : {"council", "scenario"}
            Outer row level.
        """
        w = self.wide()
        if councils is None:
            rows = w[w.council_id.str.startswith(GROUP_PREFIX)]
        else:
            rows = w[w.council_id.isin(list(councils))]
        order = {s.name: i for i, s in enumerate(self.scenarios)}
        rows = rows.assign(_s=rows.scenario.map(order))
        keys = ["council_name", "scenario"] if by == "council" else ["scenario", "council_name"]
        if by == "council":
            cidx = {c: i for i, c in enumerate(pd.unique(rows.council_id))}
            rows = rows.assign(_c=rows.council_id.map(cidx)).sort_values(["_c", "_s"], kind="stable")
        else:
            rows = rows.sort_values(["_s"], kind="stable")
        out = rows.set_index(keys)[list(metrics)]
        out.columns = [METRICS[m] for m in metrics]
        return out.round(1)

    def neighbours(self, within_miles: float = 50.0) -> list[str]:
        """Councils outside the RCC within ``within_miles`` of it, or exchanging
        children with it in any scenario."""
        if not self.rcc:
            return []
        ids = pd.Index(self.base.councils.council_id)
        rows = ids.get_indexer(list(self.rcc))
        near = (self.base.council_distances()[rows] <= within_miles).any(axis=0)
        out = set(ids[near])
        for scenario_plan in self.plans.values():
            p = scenario_plan.placements
            a = p.council_id.isin(self.rcc)
            b = p.home_council_id.isin(self.rcc)
            out |= set(p.home_council_id[a & ~b]) | set(p.council_id[b & ~a])
        return [c for c in ids if c in out and c not in set(self.rcc)]

    def skew(self, within_miles: float = 50.0) -> pd.DataFrame:
        """Capacity skew per scenario and neighbouring council, against the baseline.

        Columns: scenario, council_id, council_name;
        ``rcc_children_here_base`` / ``rcc_children_here``: RCC children in
        homes located in this council (baseline / scenario);
        ``children_in_rcc_base`` / ``children_in_rcc``: this council's
        children in homes located in the RCC; ``places_taken``: places the
        RCC's children gained at this council's expense,
        (rcc_children_here - base) + (children_in_rcc_base - children_in_rcc);
        ``places_created``: places newly created in this council by the
        scenario; ``unmet_change``, ``pct_within_20_miles_change``,
        ``mean_distance_change``: this council's own children's outcome.
        """
        if not self.rcc:
            raise InvalidInputError("comparison", None, "rcc", "an RCC (council ids) to report skew for", ())
        rcc = set(self.rcc)
        nb = self.neighbours(within_miles)
        base = self.plans[self.baseline]
        w = self.wide().set_index(["scenario", "council_id"])
        names = self.base.councils.set_index("council_id").name
        rows = []
        b_in, b_out = _flows(base.placements, rcc)
        b_places = base.region.homes.groupby("council_id").places.sum()
        for s in self.scenarios:
            plan = self.plans[s.name]
            s_in, s_out = _flows(plan.placements, rcc)
            s_places = plan.region.homes.groupby("council_id").places.sum()
            for c in nb:
                here_b, here_s = float(b_in.get(c, 0)), float(s_in.get(c, 0))
                inr_b, inr_s = float(b_out.get(c, 0)), float(s_out.get(c, 0))
                mb, ms = w.loc[(self.baseline, c)], w.loc[(s.name, c)]
                rows.append(
                    {
                        "scenario": s.name,
                        "council_id": c,
                        "council_name": names.get(c, c),
                        "rcc_children_here_base": here_b,
                        "rcc_children_here": here_s,
                        "children_in_rcc_base": inr_b,
                        "children_in_rcc": inr_s,
                        "places_taken": (here_s - here_b) + (inr_b - inr_s),
                        "places_created": float(s_places.get(c, 0) - b_places.get(c, 0)),
                        "unmet_change": float(ms.unmet - mb.unmet),
                        "pct_within_20_miles_change": float(ms.pct_within_20_miles - mb.pct_within_20_miles),
                        "mean_distance_change": float(ms.mean_distance_miles - mb.mean_distance_miles),
                    }
                )
        return pd.DataFrame(rows)

    def skew_summary(self, within_miles: float = 50.0) -> pd.DataFrame:
        """Per scenario: places the RCC area gained from outside it versus places
        newly created inside it (against the baseline).

        Columns: scenario; places_taken_from_neighbours (summed over the
        neighbours that lost places), places_freed_for_neighbours (summed over
        those that gained), net_places_taken (the difference),
        neighbours_losing_places; places_created_in_rcc (new places located
        in the RCC); rcc_children_placed_inside_rcc_change;
        neighbours_unmet_change (their children without a home).
        """
        sk = self.skew(within_miles)
        rcc = set(self.rcc)
        base = self.plans[self.baseline]
        b_inside = _inside(base.placements, rcc)
        b_places = float(base.region.homes.places[base.region.homes.council_id.isin(rcc)].sum())
        rows = []
        for s in self.scenarios:
            plan = self.plans[s.name]
            part = sk[sk.scenario == s.name]
            rows.append(
                {
                    "scenario": s.name,
                    "places_taken_from_neighbours": float(part.places_taken.clip(lower=0).sum()),
                    "places_freed_for_neighbours": float((-part.places_taken).clip(lower=0).sum()),
                    "net_places_taken": float(part.places_taken.sum()),
                    "neighbours_losing_places": int((part.places_taken > 0).sum()),
                    "places_created_in_rcc": float(plan.region.homes.places[plan.region.homes.council_id.isin(rcc)].sum())
                    - b_places,
                    "rcc_children_placed_inside_rcc_change": _inside(plan.placements, rcc) - b_inside,
                    "neighbours_unmet_change": float(part.unmet_change.sum()),
                }
            )
        return pd.DataFrame(rows)


def _flows(p: pd.DataFrame, rcc: set[str]) -> tuple[pd.Series, pd.Series]:
    a = p.council_id.isin(rcc)
    b = p.home_council_id.isin(rcc)
    rcc_children_at = p[a & ~b].groupby("home_council_id").children.sum()
    children_in_rcc = p[~a & b].groupby("council_id").children.sum()
    return rcc_children_at, children_in_rcc


def _inside(p: pd.DataFrame, rcc: set[str]) -> float:
    return float(p.children[p.council_id.isin(rcc) & p.home_council_id.isin(rcc)].sum())


def compare(
    base_region: Region,
    scenarios: Sequence[Scenario],
    params: PlanParams | None = None,
    executor: cf.Executor | str | None = "serial",
    *,
    rcc: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    baseline: str | None = None,
    progress: bool = False,
) -> Comparison:
    """Plan every scenario on the same base region and compare.

    Parameters
    ----------
    base_region : Region
        The common data (England, or :func:`with_neighbours` of an RCC).
    scenarios : sequence of Scenario
        Distinct names.
    params : PlanParams, optional
    executor : "serial", "process" or concurrent.futures.Executor
        Where scenarios are solved (workers get data and use one solver
        thread each; results do not depend on the executor).
    rcc : sequence of str, optional
        The RCC of interest; default the first scenario's non-empty ``rcc``.
    groups : Mapping[str, sequence of str], optional
        More named council groups to aggregate (rows ``group:<name>``).
    baseline : str, optional
        Scenario the skew is measured against; default the first standalone
        scenario without demand growth or new homes, else the first.
    progress : bool
        Show a progress line.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> cmp = compare(gm, [Scenario("alone"), Scenario("pooled", "national")])
    >>> sorted(cmp.long.columns)
    ['council_id', 'council_name', 'metric', 'scenario', 'value']
    """
    scenarios = tuple(scenarios)
    if not scenarios:
        raise InvalidInputError("scenarios", None, None, "at least one Scenario", 0)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InvalidInputError("scenarios", dup, "name", "distinct scenario names", dup)
    params = params or PlanParams()
    rcc_ids = tuple(rcc) if rcc is not None else next((s.rcc for s in scenarios if s.rcc), ())
    if baseline is None:
        plain = [s for s in scenarios if s.pooling == "standalone" and not s.demand_growth and s.new_homes is None]
        baseline = (plain[0] if plain else scenarios[0]).name
    elif baseline not in names:
        raise InvalidInputError("compare", None, "baseline", f"one of {names}", baseline)
    regions = [s.apply(base_region) for s in scenarios]
    parallel = not (executor is None or executor == "serial")
    run_params = single_thread(params) if parallel else params
    if parallel:
        tasks = [
            {"region": to_payload(r), "scenario": to_payload(s), "params": to_payload(run_params)}
            for r, s in zip(regions, scenarios)
        ]
        out = run_tasks(_solve_task, tasks, executor, label="compare", progress=progress)
        plans = {
            s.name: Plan(
                region=r,
                method=run_params.method,
                status=PlanStatus(o["status"]),
                objective=o["objective"],
                placements=o["placements"],
                shortfall=o["shortfall"],
                info=from_payload(o["info"]),
            )
            for s, r, o in zip(scenarios, regions, out)
        }
    else:
        bar = Progress(len(scenarios), "compare", progress)
        plans = {}
        for s, r in zip(scenarios, regions):
            plans[s.name] = plan(prepare_allocation(r, params, s), scenario=s)
            bar.update()
        bar.close()
    all_groups: dict[str, Sequence[str]] = {"all": list(base_region.councils.council_id)}
    if rcc_ids:
        all_groups["rcc"] = list(rcc_ids)
        all_groups["outside_rcc"] = [c for c in base_region.councils.council_id if c not in set(rcc_ids)]
    all_groups.update(groups or {})
    labels = {"all": "All councils", "rcc": "The RCC", "outside_rcc": "Outside the RCC"}
    frames = [plan_metrics(plans[s.name], all_groups, params, labels).assign(scenario=s.name) for s in scenarios]
    long = pd.concat(frames, ignore_index=True)[["scenario", "council_id", "council_name", "metric", "value"]]
    return Comparison(base_region, scenarios, MappingProxyType(plans), long, rcc_ids, baseline, params)


# ---------------------------------------------------------------- command line
def compare_cli(
    region_name: str,
    scenarios: Sequence[str] | None = None,
    out_dir: str | None = None,
    *,
    seed: int = 0,
    within_miles: float = 60.0,
    executor: cf.Executor | str | None = "serial",
    progress: bool = True,
) -> str:
    """``rcc compare``: the standard scenarios for an embedded region or pathfinder.

    Parameters
    ----------
    region_name : str
        A name from :func:`rcc.datasets.region_names`. For a region or
        pathfinder, its councils are the RCC and the base region is the RCC
        plus every council within ``within_miles`` (:func:`with_neighbours`);
        for ``"England"`` the base is all of England and only the pooling
        levels (standalone, rcc_pooled, national) are compared.
    scenarios : sequence of str, optional
        Names from :func:`standard_scenarios` (default: all of them).
    out_dir : str, optional
        If given, writes ``long.csv``, ``table.csv``, ``skew.csv`` and
        ``skew_summary.csv`` there.
    seed : int
        Seed of the embedded data generator.

    Returns
    -------
    str
        The readable table and the skew summary.
    """
    from pathlib import Path

    from rcc.datasets import england, regions

    groups = regions()
    if region_name not in groups:
        raise InvalidInputError("regions", region_name, "region", f"one of {sorted(groups)}", region_name)
    eng = england(seed=seed)
    if region_name == "England":
        rcc_ids: tuple[str, ...] = ()
        base = eng
    else:
        rcc_ids = tuple(groups[region_name])
        base = with_neighbours(eng, rcc_ids, within_miles, name=f"{region_name} and neighbours within {within_miles:g} miles")
    available = standard_scenarios(rcc_ids, region_name)
    if scenarios:
        names = {s.name: s for s in available}
        unknown = [s for s in scenarios if s not in names]
        if unknown:
            raise InvalidInputError("scenarios", unknown[0], None, f"one of {list(names)}", unknown[0])
        chosen = [names[s] for s in scenarios]
    else:
        chosen = available
    cmp = compare(base, chosen, executor=executor, progress=progress)
    text = [f"{base!r}", cmp.table().to_string()]
    if rcc_ids:
        summary = cmp.skew_summary()
        text += ["", f"capacity skew of {region_name} against {cmp.baseline!r}:", summary.round(1).to_string(index=False)]
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        cmp.long.to_csv(out / "long.csv", index=False)
        cmp.table().to_csv(out / "table.csv")
        if rcc_ids:
            cmp.skew().to_csv(out / "skew.csv", index=False)
            summary.to_csv(out / "skew_summary.csv", index=False)
        text.append(f"\nwritten to {out}")
    return "\n".join(text)
