"""`rcc.plan`: region in, Plan out."""

from __future__ import annotations

import logging
import time
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.greedy import greedy_class_flows
from rcc.allocation.highs import HighsAllocation, LpRound
from rcc.allocation.model import build_allocation, edge_costs, unmet_costs
from rcc.allocation.network import eligible_edges, open_edges
from rcc.allocation.result import Plan, PlanStatus, SolveInfo
from rcc.core import _compat
from rcc.core._compat import SolverOutcome
from rcc.core.errors import SolverError
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.region import Region

__all__ = ["plan", "make_solver", "run_solver"]

log = logging.getLogger("rcc")


def make_solver(options: SolverOptions) -> Any:
    """A PuLP solver object for the options; SolverError if it cannot run here."""
    factory = _compat.highs_solver if options.name == "highs" else _compat.cbc_solver
    solver = factory(msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads)
    if not _compat.solver_available(solver):
        raise SolverError(f"solver {options.name!r} is not available here (expected it installed with rcc)")
    return solver


def run_solver(problem: Any, options: SolverOptions) -> tuple[LpRound, float]:
    """Solve a PuLP problem; return the outcome and the runtime in seconds."""
    solver = make_solver(options)
    t0 = time.perf_counter()
    try:
        outcome = _compat.solve_problem(problem, solver)
    except Exception as exc:  # the solver crashed: say so, with the solver's words
        raise SolverError(f"{options.name} failed: {exc}") from exc
    return outcome, time.perf_counter() - t0


_SEED_NEAREST = 12  # nearest edges per cohort always in the first pricing round



def plan(region: Region, params: PlanParams | None = None, allowed_pairs: pd.DataFrame | None = None) -> Plan:
    """Place the region's cohorts in its homes.

    Parameters
    ----------
    region : Region
    params : PlanParams, optional
        ``method="optimise"`` (default) solves the allocation model
        (:mod:`rcc.allocation.model`); ``method="greedy"`` is the
        nearest-available-home baseline.
    allowed_pairs : pandas.DataFrame, optional
        (from_council_id, to_council_id) pairs that may be used (pooling
        scenarios); all pairs within reach when omitted.

    Returns
    -------
    Plan

    Examples
    --------
    >>> import rcc
    >>> region = rcc.datasets.england(region="Greater Manchester RCC", seed=1)
    >>> p = rcc.plan(region)
    >>> p.status.value, p.metrics["placed"] + p.metrics["unmet"] == region.cohorts.children.sum()
    ('optimal', np.True_)
    """
    params = params or PlanParams()
    if not params.hold_current and len(region.placements):
        region = region.replace(placements=region.placements.iloc[0:0])
    t0 = time.perf_counter()
    demand = region.cohorts.children.to_numpy(dtype=float)
    if params.method == "greedy":
        # on merged homes: the same child-by-child choices as on every home, a quarter of the edges
        classes, home_class = aggregate_homes(region)
        class_edges = eligible_edges(classes, params, allowed_pairs)
        edges, flow, class_flow, unmet = greedy_class_flows(region, home_class, class_edges, params.seed)
        info = SolveInfo(solver="greedy", runtime_s=time.perf_counter() - t0)
        status = PlanStatus.HEURISTIC
        size = np.bincount(home_class, minlength=len(classes.homes))
        shortfall = shortfall_frame(
            region, unmet, params, class_edges, class_flow, classes.homes.places.to_numpy(), size[class_edges.home.to_numpy()]
        )
    else:
        classes, home_class = aggregate_homes(region)
        class_edges = eligible_edges(classes, params, allowed_pairs)
        class_flow, unmet, info, status = optimise_edges(classes, class_edges, params, demand)
        edges, flow = split_flows(region, home_class, class_edges, class_flow)
        size = np.bincount(home_class, minlength=len(classes.homes))
        shortfall = shortfall_frame(
            region, unmet, params, class_edges, class_flow, classes.homes.places.to_numpy(), size[class_edges.home.to_numpy()]
        )
        info = attrs.evolve(info, runtime_s=time.perf_counter() - t0)
    objective = float(edge_costs(edges, params) @ flow + unmet_costs(region, params) @ unmet)
    log.info("%s: %s plan, %d edges, %.1fs", region.name, params.method, len(edges), info.runtime_s)
    return Plan(
        region=region,
        method=params.method,
        status=status,
        objective=objective,
        placements=placements_frame(region, edges, flow),
        shortfall=shortfall,
        info=info,
    )


_CLASS_KEY = ["council_id", "needs", "min_age", "max_age", "weekly_cost_gbp", "serves_council_id"]


def aggregate_homes(
    region: Region, extra_keys: dict[str, np.ndarray] | None = None
) -> tuple[Region, np.ndarray]:
    """Merge interchangeable homes into classes for the optimiser.

    Homes in the same council with the same needs, ages, weekly cost and
    served council are interchangeable for every cohort (same distance, same
    cost), so the model needs one capacity row for all of them. Homes holding
    current placements stay on their own; ``extra_keys`` (one value per home)
    keep apart homes that a caller's rules treat differently (e.g. owners in
    pooling scenarios). Returns the region with one home per class and each
    original home's class.
    """
    homes = region.homes
    key = homes[_CLASS_KEY].copy()
    key["needs"] = homes.needs.map(lambda s: ";".join(sorted({x.strip() for x in s.split(";") if x.strip()})))
    for name, values in (extra_keys or {}).items():
        key[f"extra:{name}"] = values
    held = homes.home_id.isin(region.placements.home_id)
    key["single"] = np.where(held, homes.home_id, "")
    home_class = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = class_representatives(home_class)
    n = len(first)
    reps = homes.iloc[first].reset_index(drop=True)
    class_ids = pd.Series([f"class:{k}" for k in range(n)], dtype=object)
    class_homes = reps.assign(
        home_id=class_ids,
        places=np.bincount(home_class, weights=homes.places.to_numpy(), minlength=n).astype(np.int64),
        needs=key.needs.iloc[first].to_numpy(),
    )
    placements = region.placements.assign(
        home_id=class_ids.to_numpy()[home_class[pd.Index(homes.home_id).get_indexer(region.placements.home_id)]]
        if len(region.placements)
        else region.placements.home_id
    )
    classes = Region(region.name, region.councils, region.providers, class_homes, region.cohorts, placements, region.travel)
    return classes, home_class


def class_representatives(home_class: np.ndarray) -> np.ndarray:
    """The first home (table position) of each class 0..k-1."""
    n = int(home_class.max()) + 1 if len(home_class) else 0
    first = np.full(n, -1)
    first[home_class[::-1]] = np.arange(len(home_class))[::-1]
    return first


def split_flows(
    region: Region, home_class: np.ndarray, class_edges: pd.DataFrame, class_flow: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Share each class's flows among its homes, filling homes in table order.

    Returns home-level edges (only the pairs used) and their flows (see
    :func:`split_class_flows`).
    """
    idx, home, take = split_class_flows(home_class, region.homes.places.to_numpy(), class_edges.home.to_numpy(), class_flow)
    out = class_edges.iloc[idx].reset_index(drop=True)
    out["home"] = home
    return out, take.astype(float)


def split_class_flows(
    home_class: np.ndarray, places: np.ndarray, edge_class: np.ndarray, class_flow: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows (class edge, home, children) sharing class flows among the homes of each class.

    Each class's edges with flow are taken in edge order and fill the class's
    homes in table order (a home is full before the next one takes a child);
    rows come out by class edge, then home, and carry at least one child.

    Parameters
    ----------
    home_class : numpy.ndarray
        Class of each home (see :func:`aggregate_homes`).
    places : numpy.ndarray
        Places of each home.
    edge_class : numpy.ndarray
        Class (home of the class region) of each class edge.
    class_flow : numpy.ndarray
        Children on each class edge (whole numbers; a class carries at most its places).

    Returns
    -------
    tuple of numpy.ndarray
        Class edge, home and children (int64) of each row.

    Examples
    --------
    >>> e, h, n = split_class_flows(np.array([0, 0, 1]), np.array([2, 3, 4]), np.array([0, 1, 0]), np.array([3.0, 1.0, 1.0]))
    >>> e.tolist(), h.tolist(), n.tolist()
    ([0, 0, 1, 2], [0, 1, 2, 1], [2, 1, 1, 1])
    """
    n_classes = int(home_class.max()) + 1 if len(home_class) else 0
    used = np.flatnonzero(class_flow > 0.5)
    flow = np.round(np.asarray(class_flow, dtype=float)[used]).astype(np.int64)
    klass = np.asarray(edge_class)[used]
    # one line of places: classes one after the other, each class's homes in table order
    homes = np.argsort(home_class, kind="stable")
    home_end = np.cumsum(np.asarray(places, dtype=np.int64)[homes])
    home_start = home_end - np.asarray(places, dtype=np.int64)[homes]
    class_start = np.r_[0, home_end][np.searchsorted(home_class[homes], np.arange(n_classes))]
    # each class's edges (in edge order) take the next children of the class's places
    order = np.argsort(klass, kind="stable")
    end = np.cumsum(flow[order])
    first = np.r_[0, end][np.searchsorted(klass[order], klass[order])]  # children of earlier classes' edges
    end = class_start[klass[order]] + end - first
    start = end - flow[order]
    class_end = np.r_[class_start[1:], home_end[-1] if len(home_end) else 0]
    if (end > class_end[klass[order]]).any():
        raise SolverError("class flows exceed the places of their class (expected at most the class's places)")
    j0 = np.searchsorted(home_end, start, side="right")  # first home ending after the edge's start
    j1 = np.searchsorted(home_start, end, side="left")  # homes starting before the edge's end
    count = j1 - j0
    edge = np.repeat(used[order], count)
    j = np.repeat(j0 - np.cumsum(np.r_[0, count[:-1]]), count) + np.arange(int(count.sum()))
    take = np.minimum(np.repeat(end, count), home_end[j]) - np.maximum(np.repeat(start, count), home_start[j])
    keep = take > 0
    edge, home, take = edge[keep], homes[j[keep]], take[keep]
    rows = np.argsort(edge, kind="stable")  # by class edge; a class edge's homes stay in table order
    return edge[rows], home[rows], take[rows]


def optimise_edges(
    region: Region,
    edges: pd.DataFrame,
    params: PlanParams,
    demand: np.ndarray,
    cost: np.ndarray | None = None,
    unmet_cost: np.ndarray | None = None,
    cap: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, SolveInfo, PlanStatus]:
    """Solve the allocation LP over ``edges`` by pricing out edges beyond the radius.

    Iteration: solve over the active edges; compute the reduced cost
    c_ch - y_c - z_h of every inactive edge from the duals; activate the
    negative ones; stop when none is negative (LP optimality over all edges).
    ``cost``, ``unmet_cost`` and ``cap`` are as in
    :func:`rcc.allocation.model.build_allocation` (scenarios use them for
    incentives and for held placements beyond their rules).

    Returns the flow on each edge, the unmet children of each cohort, the
    solver's report and the status.
    """
    cost = edge_costs(edges, params) if cost is None else cost
    unmet_cost = unmet_costs(region, params) if unmet_cost is None else unmet_cost
    # the solver sees costs of a sensible size (its tolerances are absolute): the same problem, scaled
    scale = _objective_scale(cost, unmet_cost)
    cost, unmet_cost = cost / scale, unmet_cost / scale
    if cap is None:  # the edges' own caps (children held beyond the rules), resolved once for every step below
        cap = edges.cap.to_numpy(dtype=float) if "cap" in edges else np.full(len(edges), np.inf)
    if params.pricing_radius_miles is None:
        active = np.ones(len(edges), dtype=bool)
    else:
        # edges are sorted by cohort then distance: also seed each cohort's nearest homes
        rank = _rank_within(edges.cohort.to_numpy())
        active = (
            (edges.distance_miles.to_numpy() <= params.pricing_radius_miles)
            | (edges.held.to_numpy() > 0)
            | (rank < _SEED_NEAREST)
        )
    limit = params.solver.time_limit_s
    if len(edges) == 0 or len(demand) == 0:  # no home within reach of any child: the optimum is plain
        info = SolveInfo(solver=params.solver.name, runtime_s=0.0, gap=0.0, bound=float(unmet_cost @ demand) * scale,
                         time_limit_s=limit, note="no eligible cohort-home pair: nothing to solve")
        return np.zeros(0), demand.astype(float).copy(), info, PlanStatus.OPTIMAL
    lp = _HighsRounds(region, edges, demand, cost, unmet_cost, cap, params) if params.solver.name == "highs" else (
        _PulpRounds(region, edges, params, cost, unmet_cost, cap)
    )
    rounds = 0
    solver_time = 0.0
    bound: float | None = None
    proven = False  # no left-out edge can improve the plan
    e_cohort, e_home = edges.cohort.to_numpy(), edges.home.to_numpy()
    most = np.minimum(demand[e_cohort], _edge_room(region, edges, cap))  # the most children an edge can carry
    while True:
        left = None if limit is None else limit - solver_time
        if left is not None and left <= 0:
            break  # out of time between rounds: the last round's plan stands, with its bound
        rounds += 1
        rnd, runtime = lp.solve(active, left)
        solver_time += runtime
        if not rnd.outcome.has_solution:
            raise SolverError(_no_plan_message(region, params, rnd.outcome, solver_time, rounds))
        if rnd.outcome.status != "optimal":
            break
        last = rnd
        rc = cost - rnd.y[e_cohort] - rnd.z[e_home]  # reduced cost c_ch - y_c - z_h of every edge
        entering = ~active & (rc < -1e-6)
        if not entering.any():
            bound, proven = rnd.outcome.objective, True
            break
        # Lagrangian bound: this round's duals are feasible for every built edge;
        # an edge left out could improve the plan by at most rc x what it can carry
        bound = float(rnd.outcome.objective + (np.minimum(rc, 0.0)[~active] * most[~active]).sum())
        active |= entering
    if proven:
        status, gap = PlanStatus.OPTIMAL, 0.0
    else:  # the time limit stopped a round, or pricing: the plan is feasible, its bound from the last priced round
        status = PlanStatus.TIME_LIMIT
        if rnd.outcome.status != "optimal" and rounds > 1 and last.outcome.objective <= rnd.outcome.objective:
            rnd = last  # the stopped round's point may be worse than the previous round's optimum
        gap = None if bound is None else _relative_gap(rnd.outcome.objective, bound)
    bound = None if bound is None else bound * scale
    note = ""
    if status is not PlanStatus.OPTIMAL:
        note = f"stopped by the time limit ({limit:g} s): best plan found, " + (
            "no bound known" if gap is None else f"within {100 * gap:.3g}% of the optimum"
        )
    if rounds > 1 or len(rnd.edge) < len(edges):
        note = (note + "; " if note else "") + (
            f"{rounds} pricing round(s), {len(rnd.edge):,} of {len(edges):,} edges built"
        )
    info = SolveInfo(
        solver=params.solver.name,
        runtime_s=solver_time,
        gap=gap,
        bound=bound,
        time_limit_s=limit,
        variables=rnd.variables,
        constraints=rnd.constraints,
        note=note,
    )
    x = np.asarray(rnd.x)
    unmet = np.asarray(rnd.u)
    _check_feasible(region, edges, rnd.edge, x, unmet, demand, cap, params)
    frac = max(np.abs(x - np.round(x)).max(initial=0), np.abs(unmet - np.round(unmet)).max(initial=0))
    if frac > 1e-6:
        raise SolverError(f"{region.name}: the allocation LP returned fractional children (max {frac:.3g})")
    flow = np.zeros(len(edges))
    flow[rnd.edge] = np.round(x)
    return flow, np.round(unmet), info, status


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """Position of each entry among the entries with the same key, in table order (a groupby cumcount)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    run_start = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1] if len(keys) else np.zeros(0, np.int64)
    starts = np.repeat(run_start, np.diff(np.r_[run_start, len(keys)]))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - starts
    return rank


class _PulpRounds:
    """Pricing rounds on the PuLP model (CBC, or any solver PuLP drives): rebuilt each round."""

    def __init__(self, region: Region, edges: pd.DataFrame, params: PlanParams, cost: np.ndarray,
                 unmet_cost: np.ndarray, cap: np.ndarray) -> None:
        self.region, self.edges, self.params = region, edges, params
        self.cost, self.unmet_cost, self.cap = cost, unmet_cost, cap

    def solve(self, active: np.ndarray, left: float | None) -> tuple[LpRound, float]:
        model = build_allocation(
            self.region, self.edges.loc[active], self.params, self.cost[active], self.unmet_cost, self.cap[active]
        )
        options = self.params.solver if left is None else attrs.evolve(self.params.solver, time_limit_s=left)
        outcome, runtime = run_solver(model.problem, options)
        size = {"variables": len(model.x) + len(model.u), "constraints": len(model.demand) + len(model.capacity)}
        if not outcome.has_solution:
            return LpRound(outcome, **size), runtime
        y, z = model.duals(len(self.region.homes))
        x, u = np.asarray(_compat.values(model.x)), np.asarray(_compat.values(model.u))
        return LpRound(outcome, x=x, u=u, y=y, z=z, edge=np.flatnonzero(active), **size), runtime


class _HighsRounds:
    """Pricing rounds on one HiGHS model fed from arrays: entering edges are added as
    columns and each round starts from the last basis."""

    def __init__(self, region: Region, edges: pd.DataFrame, demand: np.ndarray, cost: np.ndarray,
                 unmet_cost: np.ndarray, cap: np.ndarray, params: PlanParams) -> None:
        self.model = HighsAllocation(
            demand, region.homes.places.to_numpy(), unmet_cost, params.solver.threads, params.solver.msg
        )
        self.cohort, self.home = edges.cohort.to_numpy(), edges.home.to_numpy()
        self.held = edges.held.to_numpy(dtype=float)
        self.cost, self.cap = cost, cap
        self.built = np.zeros(len(edges), dtype=bool)
        self.columns = np.zeros(0, dtype=np.int64)  # edge of each column, in column order

    def solve(self, active: np.ndarray, left: float | None) -> tuple[LpRound, float]:
        new = np.flatnonzero(active & ~self.built)
        self.model.add_edges(self.cohort[new], self.home[new], self.cost[new], self.held[new], self.cap[new])
        self.built[new] = True
        self.columns = np.r_[self.columns, new]
        t0 = time.perf_counter()
        result = self.model.solve(left)
        runtime = time.perf_counter() - t0
        return attrs.evolve(
            result,
            edge=self.columns if result.outcome.has_solution else None,
            variables=self.model.n_cohorts + self.model.n_edges,
            constraints=self.model.n_cohorts + self.model.n_homes,
        ), runtime


def _objective_scale(cost: np.ndarray, unmet_cost: np.ndarray) -> float:
    """1 for objectives of ordinary size; otherwise the factor that brings the largest coefficient to 10,000."""
    big = float(max(np.abs(cost).max(initial=0.0), np.abs(unmet_cost).max(initial=0.0)))
    return 1.0 if big == 0.0 or 1.0 <= big <= 1e6 else big / 1e4


def _check_feasible(
    region: Region,
    edges: pd.DataFrame,
    built: np.ndarray,
    x: np.ndarray,
    unmet: np.ndarray,
    demand: np.ndarray,
    cap: np.ndarray,
    params: PlanParams,
) -> None:
    """The solver's point must keep every rule of the model (a safety net under every solver and status)."""
    tol = 1e-6 * max(1.0, float(np.max(demand, initial=0.0)))
    e = edges.iloc[built]
    cohort, home = e.cohort.to_numpy(), e.home.to_numpy()
    upper = cap[built]
    broken = {
        "placed + without a home = demand": np.abs(
            np.bincount(cohort, weights=x, minlength=len(demand)) + unmet - demand
        ).max(initial=0.0) > tol,
        "places": (np.bincount(home, weights=x, minlength=len(region.homes)) - region.homes.places.to_numpy()).max(
            initial=0.0
        ) > tol,
        "held children stay": (e.held.to_numpy() - x).max(initial=0.0) > tol,
        "no child beyond an edge's cap": (x - upper).max(initial=0.0) > tol,
        "no negative children": min(x.min(initial=0.0), unmet.min(initial=0.0)) < -tol,
    }
    bad = [rule for rule, yes in broken.items() if yes]
    if bad:
        raise SolverError(
            f"{region.name}: {params.solver.name} returned a point that breaks the rule(s) {bad}; no plan is reported"
        )


def _edge_room(region: Region, edges: pd.DataFrame, cap: np.ndarray) -> np.ndarray:
    room = region.homes.places.to_numpy(dtype=float)[edges.home.to_numpy()]
    return np.minimum(room, cap)


def _relative_gap(objective: float, bound: float) -> float:
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _no_plan_message(region: Region, params: PlanParams, outcome: SolverOutcome, seconds: float, rounds: int) -> str:
    what = {
        "time_limit": f"stopped by the time limit ({params.solver.time_limit_s} s) before it found any plan",
        "infeasible": "reports the allocation model infeasible (held placements exceed places?)",
        "unbounded": "reports the allocation model unbounded",
    }.get(outcome.status, f"returned no plan (status {outcome.status}: {outcome.model_status or '?'})")
    return (
        f"{region.name}: {params.solver.name} {what}, after {seconds:.2f} s in pricing round {rounds}; "
        "no plan is reported. Raise SolverOptions.time_limit_s or check the solver log (SolverOptions(msg=True))."
    )


def placements_frame(region: Region, edges: pd.DataFrame, flow: np.ndarray) -> pd.DataFrame:
    """Placements table from edge flows."""
    used = flow > 0.5
    e = edges.loc[used]
    c = region.cohorts.iloc[e.cohort.to_numpy()]
    h = region.homes.iloc[e.home.to_numpy()]
    group = h.provider_id.map(region.providers.set_index("provider_id").group)
    return pd.DataFrame(
        {
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "home_id": h.home_id.to_numpy(),
            "home_council_id": h.council_id.to_numpy(),
            "home_type": h.home_type.to_numpy(),
            "provider_id": h.provider_id.to_numpy(),
            "provider_group": group.to_numpy(),
            "children": flow[used].astype(np.int64),
            "held": e.held.to_numpy(dtype=np.int64),
            "distance_miles": e.distance_miles.to_numpy(),
            "inside_own_council": e.inside_own_council.to_numpy(),
            "weekly_cost_gbp": e.weekly_cost_gbp.to_numpy(),
        }
    )


def shortfall_frame(
    region: Region,
    unmet: np.ndarray,
    params: PlanParams,
    edges: pd.DataFrame,
    flow: np.ndarray,
    places: np.ndarray,
    homes_per_edge: np.ndarray | None = None,
    open_edge: np.ndarray | None = None,
) -> pd.DataFrame:
    """Children left without a home, per cohort, with the reason.

    ``edges`` and ``flow`` are the plan's edges (homes or merged classes of
    homes, with ``places``); ``homes_per_edge`` counts the homes behind each
    edge (merged classes) and ``open_edge`` marks the edges the rules allow new
    children on (default: those whose ``cap`` exceeds ``held``). Reasons:
    ``unreachable`` (no eligible home within reach), ``capacity`` (every
    eligible home is full) and ``weights`` (an eligible home has a free place,
    but under the objective's weights leaving the child without a home costs
    less than that placement).
    """
    n = len(region.cohorts)
    cohort, home = edges.cohort.to_numpy(), edges.home.to_numpy()
    ok = open_edges(edges) if open_edge is None else np.asarray(open_edge, dtype=bool)
    w = np.ones(len(edges)) if homes_per_edge is None else np.asarray(homes_per_edge, dtype=float)
    n_edges = np.bincount(cohort[ok], weights=w[ok], minlength=n).astype(np.int64)
    free = np.asarray(places, dtype=float) - np.bincount(home, weights=flow, minlength=len(places))
    room = np.bincount(cohort[ok & (free[home] > 0.5)], minlength=n) > 0
    rows = np.flatnonzero(unmet > 0.5)
    c = region.cohorts.iloc[rows]
    codes = np.where(n_edges[rows] == 0, "unreachable", np.where(room[rows], "weights", "capacity"))
    reasons = []
    for r, code, need, band in zip(rows, codes, c.need, c.age_band):
        limit = params.distance_limit(need)
        if code == "unreachable":
            reasons.append(f"no eligible home within reach: no home registered for {need} aged {band} within {limit:g} miles")
        elif code == "capacity":
            reasons.append(f"capacity: all {n_edges[r]} eligible homes within {limit:g} miles are full")
        else:
            reasons.append(
                f"weights: an eligible home within {limit:g} miles has a free place, but under the weights leaving "
                "the child without a home costs less than placing them there (raise Weights.unmet_child)"
            )
    return pd.DataFrame(
        {
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "children": unmet[rows].astype(np.int64),
            "reason_code": codes.astype(object),
            "reason": pd.Series(reasons, dtype=object),
        }
    )
