"""`rcc.plan`: region in, Plan out (the only path to a :class:`~rcc.Plan`).

One engine for every caller: a plain plan, a pooling scenario (compare), a
demand draw (sweeps) and a coalition (pooling games) all run :func:`plan`.
The steps, in order:

1. :func:`prepare_allocation`: interchangeable homes merged into classes
   (:func:`rcc.allocation.classes.aggregate_homes`) and the class edges built
   (:func:`rcc.allocation.network.eligible_edges`). This is the expensive part
   and depends only on the region, the params and the scenario's *home keys*;
   a :class:`PreparedAllocation` can be passed to :func:`plan` many times
   (one per pooling rule, coalition or demand draw).
2. :func:`rule_edges`: the scenario's pooling rules (``edge_mask``) and
   incentives (``edge_incentive``) act on the class edges: forbidden edges
   go, except those holding children already placed (kept at their number).
3. :func:`allocate`: the optimiser (:func:`rcc.allocation.pricing.optimise_edges`)
   or the greedy baseline (:func:`rcc.allocation.greedy.greedy_class_flows`)
   on those edges: class flows and unmet children.
4. The Plan's tables (:mod:`rcc.allocation.frames`).

A *scenario* is any object with ``apply(region) -> Region`` (demand growth,
new homes), ``edge_mask(region, edges, keys) -> bool array`` and
``edge_incentive(region, edges) -> float array`` and, optionally,
``home_keys(region) -> {name: per-home array}`` (home attributes its rules
read: homes differing in them are not merged; :class:`rcc.Scenario` uses the
in-house flag, owner council and national flag).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.classes import aggregate_homes, class_representatives, split_class_flows, split_flows
from rcc.allocation.frames import placements_frame, shortfall_frame
from rcc.allocation.greedy import greedy_class_flows
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.network import eligible_edges, open_edges
from rcc.allocation.pricing import _rank_within, make_solver, optimise_edges, run_solver
from rcc.allocation.result import Plan, PlanStatus, SolveInfo
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = [
    "Allocation",
    "PreparedAllocation",
    "RuledEdges",
    "ScenarioRules",
    "aggregate_homes",
    "allocate",
    "class_representatives",
    "make_solver",
    "optimise_edges",
    "placements_frame",
    "plan",
    "prepare_allocation",
    "rule_edges",
    "run_solver",
    "shortfall_frame",
    "split_class_flows",
    "split_flows",
]

__all__ += ["_rank_within"]  # still imported by tests/property/test_split.py (not this module's scope)

log = logging.getLogger("rcc")


class ScenarioRules(Protocol):
    """What :func:`plan` needs of a scenario (see the module docstring)."""

    def apply(self, region: Region) -> Region: ...

    def edge_mask(self, region: Region, edges: pd.DataFrame, keys: Mapping[str, np.ndarray]) -> np.ndarray: ...

    def edge_incentive(self, region: Region, edges: pd.DataFrame) -> np.ndarray: ...


@attrs.frozen(eq=False)
class PreparedAllocation:
    """A region ready to be planned many times (step 1 of :func:`plan`).

    Build it with :func:`prepare_allocation`; pass it to :func:`plan` in
    place of the region.

    Attributes
    ----------
    region : Region
        The region planned (a scenario already applied; without placements
        when ``params.hold_current`` is False).
    params : PlanParams
    classes : Region
        One home per class of interchangeable homes.
    home_class : numpy.ndarray
        Class of each home of ``region``.
    class_edges : pandas.DataFrame
        Eligible edges of ``classes``.
    keys : Mapping[str, numpy.ndarray]
        The scenario's home keys, one value per class (empty without a scenario).
    """

    region: Region
    params: PlanParams
    classes: Region
    home_class: np.ndarray
    class_edges: pd.DataFrame
    keys: Mapping[str, np.ndarray] = attrs.field(factory=dict)

    def with_children(self, children: np.ndarray) -> PreparedAllocation:
        """The same homes and edges with other children per cohort (a demand draw)."""
        cohorts = self.region.cohorts.assign(children=children)
        return attrs.evolve(
            self,
            region=attrs.evolve(self.region, cohorts=cohorts),
            classes=attrs.evolve(self.classes, cohorts=cohorts),
        )


def prepare_allocation(region: Region, params: PlanParams | None = None, scenario: Any = None) -> PreparedAllocation:
    """Step 1 of :func:`plan`: merge interchangeable homes and build the class edges once.

    Parameters
    ----------
    region : Region
        The region to plan, with the scenario already applied
        (``scenario.apply(base)``): this function does not apply it.
    params : PlanParams, optional
    scenario : optional
        Only its ``home_keys`` are used (homes differing in them stay apart),
        so one prepared region serves every scenario with the same keys (every
        :class:`rcc.Scenario`, e.g. the coalitions of a pooling game).

    Returns
    -------
    PreparedAllocation

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> prep = prepare_allocation(gm, scenario=rcc.Scenario("any"))
    >>> a = rcc.plan(prep, scenario=rcc.Scenario("alone"))
    >>> b = rcc.plan(prep, scenario=rcc.Scenario("pooled", "national"))
    >>> b.objective <= a.objective
    True
    """
    params = params or PlanParams()
    if not params.hold_current and len(region.placements):
        region = region.replace(placements=region.placements.iloc[0:0])
    keys = dict(scenario.home_keys(region)) if hasattr(scenario, "home_keys") else {}
    if params.extra_constraints is not None or params.extra_rows:  # the user's rows may tell homes apart
        classes, home_class = region, np.arange(len(region.homes))
    else:
        classes, home_class = aggregate_homes(region, keys or None)
    first = class_representatives(home_class)
    class_keys = {k: np.asarray(v)[first] for k, v in keys.items()}
    return PreparedAllocation(region, params, classes, home_class, eligible_edges(classes, params), class_keys)


@attrs.frozen(eq=False)
class RuledEdges:
    """The class edges a scenario's rules leave (step 2 of :func:`plan`).

    ``edges`` carry a ``cap`` column: infinite on an edge the rules allow,
    the children already placed on one they forbid (they stay, no one joins).
    ``cost`` is the objective coefficient of each edge (incentives deducted).
    """

    edges: pd.DataFrame
    cost: np.ndarray


def rule_edges(prep: PreparedAllocation, scenario: Any = None) -> RuledEdges:
    """Step 2 of :func:`plan`: the scenario's pooling rules and incentives on the class edges."""
    edges = prep.class_edges
    if scenario is None:
        return RuledEdges(edges, edge_costs(edges, prep.params))
    allowed = np.asarray(scenario.edge_mask(prep.classes, edges, prep.keys), dtype=bool) & open_edges(edges)
    keep = allowed | (edges.held.to_numpy() > 0)
    edges = edges.loc[keep].reset_index(drop=True)
    edges["cap"] = np.where(allowed[keep], np.inf, edges.held.to_numpy(dtype=float))  # held beyond the rules: no more
    cost = edge_costs(edges, prep.params) - scenario.edge_incentive(prep.classes, edges)
    return RuledEdges(edges, cost)


@attrs.frozen(eq=False)
class Allocation:
    """Step 3 of :func:`plan`: children per class edge and per home.

    Attributes
    ----------
    ruled : RuledEdges
    class_flow : numpy.ndarray
        Children on each of ``ruled.edges``.
    unmet : numpy.ndarray
        Children of each cohort without a home.
    home_edges : pandas.DataFrame
        Home-level edges used (``home`` a row of the region's homes).
    flow : numpy.ndarray
        Children on each of ``home_edges``.
    info : SolveInfo
    status : PlanStatus
    """

    ruled: RuledEdges
    class_flow: np.ndarray
    unmet: np.ndarray
    home_edges: pd.DataFrame
    flow: np.ndarray
    info: SolveInfo
    status: PlanStatus


def allocate(prep: PreparedAllocation, ruled: RuledEdges) -> Allocation:
    """Step 3 of :func:`plan`: the greedy baseline or the optimiser on the ruled edges."""
    region, params = prep.region, prep.params
    t0 = time.perf_counter()
    if params.method == "greedy":
        edges, flow, class_flow, unmet = greedy_class_flows(region, prep.home_class, ruled.edges, params.seed)
        info = SolveInfo(solver="greedy", runtime_s=time.perf_counter() - t0)
        return Allocation(ruled, class_flow, unmet, edges, flow, info, PlanStatus.HEURISTIC)
    demand = region.cohorts.children.to_numpy(dtype=float)
    cap = ruled.edges.cap.to_numpy(dtype=float)
    class_flow, unmet, info, status = optimise_edges(
        prep.classes, ruled.edges, params, demand, ruled.cost, unmet_costs(region, params), cap, params.extra_rows
    )
    edges, flow = split_flows(region, prep.home_class, ruled.edges, class_flow)
    return Allocation(ruled, class_flow, unmet, edges, flow, info, status)


def plan(
    region: Region | PreparedAllocation,
    params: PlanParams | None = None,
    scenario: Any = None,
    allowed_pairs: pd.DataFrame | None = None,
) -> Plan:
    """Place the region's cohorts in its homes.

    Parameters
    ----------
    region : Region or PreparedAllocation
        A region, or one prepared by :func:`prepare_allocation` (to plan the
        same homes many times: its scenario is already applied and its params
        are used).
    params : PlanParams, optional
        ``method="optimise"`` (default) solves the allocation model
        (:mod:`rcc.allocation.model`); ``method="greedy"`` is the
        nearest-available-home baseline. With a prepared region, None or the
        params it was prepared with.
    scenario : Scenario, optional
        Pooling rules, incentives, demand growth and new homes
        (:class:`rcc.Scenario`, or any object with its methods: see the module
        docstring). Applied to a Region; only its rules act on a prepared one.
    allowed_pairs : pandas.DataFrame, optional
        Deprecated: (from_council_id, to_council_id) pairs that may be used;
        use a ``scenario`` instead.

    Returns
    -------
    Plan
        With a scenario, ``objective`` includes its incentives and
        ``info.note`` names it.

    Examples
    --------
    >>> import rcc
    >>> region = rcc.datasets.england(region="Greater Manchester RCC", seed=1)
    >>> p = rcc.plan(region)
    >>> p.status.value, p.metrics["placed"] + p.metrics["unmet"] == region.cohorts.children.sum()
    ('optimal', np.True_)
    >>> pooled = rcc.plan(region, scenario=rcc.Scenario("all", pooling="national"))
    >>> pooled.objective <= p.objective + 1e-6
    True
    """
    if allowed_pairs is not None:
        scenario = _allowed_pairs_rule(allowed_pairs, scenario)
    t0 = time.perf_counter()
    prep = _prepared(region, params, scenario)
    ruled = rule_edges(prep, scenario)
    result = allocate(prep, ruled)
    objective = _objective(prep, result, scenario is not None)
    info = attrs.evolve(result.info, runtime_s=time.perf_counter() - t0)
    if scenario is not None:
        note = "; ".join(x for x in (f"scenario {getattr(scenario, 'name', type(scenario).__name__)!r}", info.note) if x)
        info = attrs.evolve(info, note=note)
    return _plan_tables(prep, result, objective, info)


def _prepared(region: Region | PreparedAllocation, params: PlanParams | None, scenario: Any) -> PreparedAllocation:
    """A prepared region as given (checking the params), else prepared here (the scenario applied)."""
    if isinstance(region, PreparedAllocation):
        if params is not None and params != region.params:
            raise InvalidInputError(
                "plan", None, "params", "None or the params the region was prepared with", "other params"
            )
        return region
    if scenario is not None:
        region = scenario.apply(region)
    return prepare_allocation(region, params, scenario)


def _objective(prep: PreparedAllocation, result: Allocation, scenario: bool) -> float:
    """The model's objective: over the class edges with a scenario (its incentives included), over the
    home-level edges without one (the same terms, summed as rcc has always summed them)."""
    ucost = unmet_costs(prep.region, prep.params)
    if scenario:
        return float(result.ruled.cost @ result.class_flow + ucost @ result.unmet)
    return float(edge_costs(result.home_edges, prep.params) @ result.flow + ucost @ result.unmet)


def _plan_tables(prep: PreparedAllocation, result: Allocation, objective: float, info: SolveInfo) -> Plan:
    """Step 4 of :func:`plan`: the Plan's tables."""
    region, params, edges = prep.region, prep.params, result.ruled.edges
    size = np.bincount(prep.home_class, minlength=len(prep.classes.homes))
    shortfall = shortfall_frame(
        region, result.unmet, params, edges, result.class_flow, prep.classes.homes.places.to_numpy(),
        size[edges.home.to_numpy()],
    )
    log.info("%s: %s plan, %d edges, %.1fs", region.name, params.method, len(result.home_edges), info.runtime_s)
    return Plan(
        region=region,
        method=params.method,
        status=result.status,
        objective=objective,
        placements=placements_frame(region, result.home_edges, result.flow),
        shortfall=shortfall,
        info=info,
    )


@attrs.frozen(eq=False)
class _AllowedPairs:
    """The deprecated ``allowed_pairs`` of :func:`plan` as a scenario: only homes in an allowed council."""

    pairs: pd.DataFrame
    name = "allowed_pairs"

    def apply(self, region: Region) -> Region:
        return region

    def edge_mask(self, region: Region, edges: pd.DataFrame, keys: Mapping[str, np.ndarray]) -> np.ndarray:
        cidx = pd.Index(region.councils.council_id)
        ok = np.zeros((len(cidx), len(cidx)), dtype=bool)
        a, b = cidx.get_indexer(self.pairs.from_council_id), cidx.get_indexer(self.pairs.to_council_id)
        ok[a[(a >= 0) & (b >= 0)], b[(a >= 0) & (b >= 0)]] = True
        c_council = cidx.get_indexer(region.cohorts.council_id)[edges.cohort.to_numpy()]
        h_council = cidx.get_indexer(region.homes.council_id)[edges.home.to_numpy()]
        return ok[c_council, h_council]

    def edge_incentive(self, region: Region, edges: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(edges))


def _allowed_pairs_rule(pairs: pd.DataFrame, scenario: Any) -> _AllowedPairs:
    import warnings

    if scenario is not None:
        raise InvalidInputError("plan", None, "allowed_pairs", "either allowed_pairs or a scenario, not both", "both")
    warnings.warn(
        "rcc.plan(region, allowed_pairs=pairs) is deprecated: pass a scenario with the pooling rules, "
        "rcc.plan(region, scenario=rcc.Scenario(...)) (pools of councils: Scenario.pooling / Scenario.rcc)",
        DeprecationWarning,
        stacklevel=3,
    )
    return _AllowedPairs(pairs)
