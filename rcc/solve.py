"""`rcc.plan`: region in, Plan out."""

from __future__ import annotations

import logging
import time
from typing import Any

import attrs
import numpy as np
import pandas as pd

from . import _compat
from .errors import SolverError
from .greedy import greedy_flows
from .model.allocation import build_allocation, edge_costs, group_positions, unmet_costs
from .network import eligible_edges
from .params import PlanParams, SolverOptions
from .plan import Plan, PlanStatus, SolveInfo
from .region import Region

__all__ = ["plan", "make_solver", "run_solver"]

log = logging.getLogger("rcc")


def make_solver(options: SolverOptions) -> Any:
    """A PuLP solver object for the options; SolverError if it cannot run here."""
    factory = _compat.highs_solver if options.name == "highs" else _compat.cbc_solver
    solver = factory(msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads)
    if not _compat.solver_available(solver):
        raise SolverError(f"solver {options.name!r} is not available here (expected it installed with rcc)")
    return solver


def run_solver(problem: Any, options: SolverOptions) -> tuple[dict[str, Any], float]:
    """Solve a PuLP problem; return the outcome dict and the runtime in seconds."""
    solver = make_solver(options)
    t0 = time.perf_counter()
    try:
        outcome = _compat.solve_problem(problem, solver)
    except Exception as exc:  # the solver crashed: say so, with the solver's words
        raise SolverError(f"{options.name} failed: {exc}") from exc
    return outcome, time.perf_counter() - t0


_SEED_NEAREST = 12  # nearest edges per cohort always in the first pricing round

_STATUS = {
    "optimal": PlanStatus.OPTIMAL,
    "time_limit": PlanStatus.TIME_LIMIT,
    "infeasible": PlanStatus.INFEASIBLE,
}


def plan(region: Region, params: PlanParams | None = None, allowed_pairs: pd.DataFrame | None = None) -> Plan:
    """Place the region's cohorts in its homes.

    Parameters
    ----------
    region : Region
    params : PlanParams, optional
        ``method="optimise"`` (default) solves the allocation model
        (:mod:`rcc.model.allocation`); ``method="greedy"`` is the
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
        edges = eligible_edges(region, params, allowed_pairs)
        flow, unmet = greedy_flows(region, edges, params.seed)
        info = SolveInfo(solver="greedy", runtime_s=time.perf_counter() - t0)
        status = PlanStatus.HEURISTIC
        n_eligible = np.bincount(edges.cohort.to_numpy(), minlength=len(demand))
    else:
        classes, home_class = aggregate_homes(region)
        class_edges = eligible_edges(classes, params, allowed_pairs)
        class_flow, unmet, info, status = optimise_edges(classes, class_edges, params, demand)
        edges, flow = split_flows(region, home_class, class_edges, class_flow)
        size = np.bincount(home_class, minlength=len(classes.homes))
        n_eligible = np.bincount(
            class_edges.cohort.to_numpy(), weights=size[class_edges.home.to_numpy()], minlength=len(demand)
        ).astype(np.int64)
        info = attrs.evolve(info, runtime_s=time.perf_counter() - t0)
    objective = float(edge_costs(edges, params) @ flow + unmet_costs(region, params) @ unmet)
    log.info("%s: %s plan, %d edges, %.1fs", region.name, params.method, len(edges), info.runtime_s)
    return Plan(
        region=region,
        method=params.method,
        status=status,
        objective=objective,
        placements=placements_frame(region, edges, flow),
        shortfall=shortfall_frame(region, n_eligible, unmet, params),
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

    Returns home-level edges (only the pairs used) and their flows.
    """
    members = group_positions(home_class, int(home_class.max()) + 1 if len(home_class) else 0)
    free = region.homes.places.to_numpy(dtype=np.int64).copy()
    ptr = np.zeros(len(members), dtype=np.int64)
    rows: list[tuple[int, int, int]] = []  # (class edge, home, children)
    klass = class_edges.home.to_numpy()
    for e in np.flatnonzero(class_flow > 0.5).tolist():
        k = klass[e]
        need = int(round(class_flow[e]))
        homes = members[k]
        while need > 0:
            h = homes[ptr[k]]
            take = min(int(free[h]), need)
            if take > 0:
                rows.append((e, h, take))
                free[h] -= take
                need -= take
            if free[h] == 0:
                ptr[k] += 1
    idx = np.array([r[0] for r in rows], dtype=np.int64)
    out = class_edges.iloc[idx].reset_index(drop=True)
    out["home"] = np.array([r[1] for r in rows], dtype=np.int64)
    return out, np.array([r[2] for r in rows], dtype=float)


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
    :func:`rcc.model.allocation.build_allocation` (scenarios use them for
    incentives and for held placements beyond their rules).

    Returns the flow on each edge, the unmet children of each cohort, the
    solver's report and the status.
    """
    cost = edge_costs(edges, params) if cost is None else cost
    unmet_cost = unmet_costs(region, params) if unmet_cost is None else unmet_cost
    if params.pricing_radius_miles is None:
        active = np.ones(len(edges), dtype=bool)
    else:
        # edges are sorted by cohort then distance: also seed each cohort's nearest homes
        rank = edges.groupby("cohort", sort=False).cumcount().to_numpy()
        active = (
            (edges.distance_miles.to_numpy() <= params.pricing_radius_miles)
            | (edges.held.to_numpy() > 0)
            | (rank < _SEED_NEAREST)
        )
    rounds = 0
    solver_time = 0.0
    while True:
        rounds += 1
        model = build_allocation(
            region, edges.loc[active], params, cost[active], unmet_cost, None if cap is None else cap[active]
        )
        outcome, runtime = run_solver(model.problem, params.solver)
        solver_time += runtime
        if outcome["status"] != "optimal" or active.all():
            break
        rc = model.reduced_costs(edges, cost)
        entering = ~active & (rc < -1e-6)
        if not entering.any():
            break
        active |= entering
    status = _STATUS.get(outcome["status"], PlanStatus.NOT_SOLVED)
    note = "" if outcome["status"] == "optimal" else f"solver status {outcome['status']}"
    if rounds > 1 or not active.all():
        note = (note + "; " if note else "") + (
            f"{rounds} pricing round(s), {int(active.sum()):,} of {len(edges):,} edges built"
        )
    info = SolveInfo(
        solver=params.solver.name,
        runtime_s=solver_time,
        gap=outcome["gap"],
        bound=outcome["bound"],
        time_limit_s=params.solver.time_limit_s,
        variables=len(model.x) + len(model.u),
        constraints=len(model.demand) + len(model.capacity),
        note=note,
    )
    flow = np.zeros(len(edges))
    if not outcome["has_solution"]:
        if status is PlanStatus.INFEASIBLE:
            raise SolverError(
                f"{region.name}: the allocation model is infeasible; this happens only when held "
                "placements exceed places, which validation should have caught"
            )
        return flow, demand.copy(), info, status
    x = np.asarray(_compat.values(model.x))
    unmet = np.asarray(_compat.values(model.u))
    frac = max(np.abs(x - np.round(x)).max(initial=0), np.abs(unmet - np.round(unmet)).max(initial=0))
    if frac > 1e-6:  # pragma: no cover - transport LPs have whole vertices
        raise SolverError(f"allocation LP returned fractional children (max {frac:.3g})")
    flow[np.flatnonzero(active)] = np.round(x)
    return flow, np.round(unmet), info, status


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


def shortfall_frame(region: Region, n_edges: np.ndarray, unmet: np.ndarray, params: PlanParams) -> pd.DataFrame:
    """Children left without a home, per cohort, with the reason (``n_edges``:
    eligible homes of each cohort)."""
    rows = np.flatnonzero(unmet > 0.5)
    c = region.cohorts.iloc[rows]
    reasons = [
        (
            f"no eligible home within reach: no home registered for {need} aged {band} "
            f"within {params.distance_limit(need):g} miles"
            if n_edges[r] == 0
            else f"capacity: all {n_edges[r]} eligible homes within {params.distance_limit(need):g} miles are full"
        )
        for r, need, band in zip(rows, c.need, c.age_band)
    ]
    return pd.DataFrame(
        {
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "children": unmet[rows].astype(np.int64),
            "reason_code": np.where(n_edges[rows] == 0, "unreachable", "capacity"),
            "reason": pd.Series(reasons, dtype=object),
        }
    )
