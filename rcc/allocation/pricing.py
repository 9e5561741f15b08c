"""The allocation LP solved by pricing: edges beyond a radius enter when their reduced cost is negative."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.highs import HighsRounds, LpRound, SplitRounds
from rcc.allocation.model import (
    CAPACITY,
    DEMAND,
    ROW_BLOCKS,
    RowBlock,
    build_allocation,
    edge_costs,
    reduced_costs,
    unmet_costs,
)
from rcc.allocation.network import edge_components
from rcc.allocation.result import PlanStatus, SolveInfo
from rcc.core import solvers
from rcc.core.display import fmt_gap
from rcc.core.errors import InfeasibleError, SolverError
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.region import Region
from rcc.core.solvers import SolverOutcome

__all__ = ["WarmStart", "make_solver", "optimise_edges", "run_solver"]

def make_solver(options: SolverOptions) -> Any:
    """A PuLP solver object for the options; SolverError if it cannot run here."""
    factory = solvers.highs_solver if options.name == "highs" else solvers.cbc_solver
    solver = factory(msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads)
    if not solvers.solver_available(solver):
        if options.name == "cbc":  # optional: PuLP 4 (Python 3.12+) has it from the cbc extra only
            raise SolverError('solver "cbc" is not installed here: pip install "rcc[cbc]" (or use the default, HiGHS)')
        raise SolverError(f"solver {options.name!r} is not available here (expected it installed with rcc)")
    return solver


def run_solver(problem: Any, options: SolverOptions) -> tuple[LpRound, float]:
    """Solve a PuLP problem; return the outcome and the runtime in seconds."""
    solver = make_solver(options)
    t0 = time.perf_counter()
    try:
        outcome = solvers.solve_problem(problem, solver)
    except Exception as exc:  # the solver crashed: say so, with the solver's words
        raise SolverError(f"{options.name} failed: {exc}") from exc
    return outcome, time.perf_counter() - t0


@attrs.define(eq=False)
class WarmStart:
    """The solver model one :func:`optimise_edges` call leaves for the next (see its ``warm``),
    with what it read of the edges (their rows, the first round's edges, their room)."""

    lp: Any = None
    edge_rows: dict[str, np.ndarray] | None = None
    first: np.ndarray | None = None
    room: np.ndarray | None = None


_SEED_NEAREST = 12  # nearest edges per cohort always in the first pricing round


def optimise_edges(
    region: Region,
    edges: pd.DataFrame,
    params: PlanParams,
    demand: np.ndarray,
    cost: np.ndarray | None = None,
    unmet_cost: np.ndarray | None = None,
    cap: np.ndarray | None = None,
    rows: Sequence[RowBlock] = (),
    warm: WarmStart | None = None,
) -> tuple[np.ndarray, np.ndarray, SolveInfo, PlanStatus]:
    """Solve the allocation LP over ``edges`` by pricing out edges beyond the radius.

    Iteration: solve over the active edges; compute the reduced cost of every
    inactive edge from the duals of the rows it enters
    (:func:`rcc.allocation.model.reduced_costs`: c_ch - y_c - z_h, minus the
    duals of any further ``rows``); activate the negative ones; stop when none
    is negative (LP optimality over all edges).
    ``cost``, ``unmet_cost`` and ``cap`` are as in
    :func:`rcc.allocation.model.build_allocation` (scenarios use them for
    incentives and for held placements beyond their rules); ``demand`` is the
    demand rows' right-hand side. ``rows``: further
    :class:`~rcc.allocation.model.RowBlock` s, in both solver paths and in pricing.
    With :attr:`PlanParams.extra_constraints` every edge is built at once in
    the PuLP model and the user's function adds its rows (no pricing).

    ``warm``: a :class:`WarmStart` kept across calls on the same edges, costs and
    caps with other ``demand`` (sweep draws): the first call builds the model and
    leaves it there, later calls change the demand rows and re-solve from the last
    basis and columns. The optimum's value is the same as a cold solve's; where
    the LP has several optimal plans (ties), a warm solve may land on another one.

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
    limit = params.solver.time_limit_s
    if len(edges) == 0 or len(demand) == 0:  # no home within reach of any child: the optimum is plain
        info = SolveInfo(solver=params.solver.name, runtime_s=0.0, gap=0.0, bound=float(unmet_cost @ demand) * scale,
                         time_limit_s=limit, note="no eligible cohort-home pair: nothing to solve")
        return np.zeros(0), demand.astype(float).copy(), info, PlanStatus.OPTIMAL
    blocks = (*ROW_BLOCKS, *rows)
    if warm is not None and warm.lp is not None:  # the model of an earlier call: only the demand is new
        lp, edge_rows, first, room = warm.lp, warm.edge_rows, warm.first, warm.room
        lp.set_demand(demand)
    else:
        edge_rows = {b.name: b.rows(region, edges) for b in blocks}
        first, room = _first_round(edges, params), _edge_room(region, edges, cap)
        if params.solver.name == "highs" and params.extra_constraints is None:
            lp = _highs_rounds(region, edges, params, blocks, edge_rows, demand, cost, unmet_cost, cap)
        else:
            if not np.array_equal(demand, region.cohorts.children.to_numpy(dtype=float)):
                region = attrs.evolve(region, cohorts=region.cohorts.assign(children=demand))
            lp = _PulpRounds(region, edges, params, cost, unmet_cost, cap, rows)
        if warm is not None and hasattr(lp, "set_demand"):
            warm.lp, warm.edge_rows, warm.first, warm.room = lp, edge_rows, first, room
    most = np.minimum(demand[edges.cohort.to_numpy()], room)  # the most an edge can carry
    active = first | lp.built if getattr(lp, "built", None) is not None else first.copy()  # warm: the edges built
    p = _price(lp, active, cost, edge_rows, most, limit, region, params)
    info, status = _report(p, len(edges), scale, params)
    if isinstance(lp, SplitRounds):
        info = attrs.evolve(info, note="; ".join(x for x in (info.note, f"{len(lp.parts)} independent parts solved apart") if x))
    return (*_flows(p.rnd, region, edges, demand, cap, params, rows), info, status)


def _highs_rounds(
    region: Region, edges: pd.DataFrame, params: PlanParams, blocks: tuple[RowBlock, ...],
    edge_rows: dict[str, np.ndarray], demand: np.ndarray, cost: np.ndarray, unmet_cost: np.ndarray, cap: np.ndarray,
) -> HighsRounds | SplitRounds:
    """The HiGHS pricing rounds: one model per independent part of the network with
    ``params.split_network`` (the model only demand and capacity rows, no time limit), else one model."""
    bounds = {b.name: ((demand, demand) if b is DEMAND else b.bounds(region)) for b in blocks}
    held = edges.held.to_numpy(dtype=float)
    threads, msg = params.solver.threads, params.solver.msg
    if params.split_network and len(blocks) == len(ROW_BLOCKS) and params.solver.time_limit_s is None:
        part = edge_components(edge_rows[DEMAND.name], edge_rows[CAPACITY.name], len(demand))
        if part.max() > 0:
            return SplitRounds(bounds, held, edge_rows, cost, unmet_cost, cap, part, threads, msg)
    return HighsRounds(bounds, held, edge_rows, cost, unmet_cost, cap, threads, msg)


def _first_round(edges: pd.DataFrame, params: PlanParams) -> np.ndarray:
    """The edges built in the first round: within the pricing radius, held, or a cohort's nearest
    (every edge without a radius, or with a user's extra constraints)."""
    if params.pricing_radius_miles is None or params.extra_constraints is not None:
        return np.ones(len(edges), dtype=bool)
    rank = _rank_within(edges.cohort.to_numpy())  # edges are sorted by cohort then distance
    return (
        (edges.distance_miles.to_numpy() <= params.pricing_radius_miles)
        | (edges.held.to_numpy() > 0)
        | (rank < _SEED_NEAREST)
    )


@attrs.frozen(eq=False)
class _Priced:
    """What the pricing rounds left: the reported round, the last optimal one, and the bound."""

    rnd: LpRound
    last: LpRound | None
    rounds: int
    solver_time: float
    bound: float | None
    proven: bool  # no left-out edge can improve the plan
    limit: float | None


def _price(
    lp: HighsRounds | SplitRounds | _PulpRounds,
    active: np.ndarray,
    cost: np.ndarray,
    edge_rows: dict[str, np.ndarray],
    most: np.ndarray,
    limit: float | None,
    region: Region,
    params: PlanParams,
) -> _Priced:
    """Pricing rounds until no left-out edge has a negative reduced cost, or the time is up."""
    rounds, solver_time, bound, proven, last = 0, 0.0, None, False, None
    rnd: LpRound | None = None
    while True:
        left = None if limit is None else limit - solver_time
        if left is not None and left <= 0:
            break  # out of time between rounds: the last round's plan stands, with its bound
        rounds += 1
        rnd, runtime = lp.solve(active, left)
        solver_time += runtime
        if not rnd.outcome.has_solution:
            raise _no_plan_error(region, params, rnd.outcome, solver_time, rounds)
        if rnd.outcome.status != "optimal":
            break
        last = rnd
        rc = reduced_costs(cost, edge_rows, rnd.duals)  # c_ch - y_c - z_h (- the duals of further rows)
        entering = ~active & (rc < -1e-6)
        if not entering.any():
            bound, proven = rnd.outcome.objective, True
            break
        # Lagrangian bound: this round's duals are feasible for every built edge;
        # an edge left out could improve the plan by at most rc x what it can carry
        bound = float(rnd.outcome.objective + (np.minimum(rc, 0.0)[~active] * most[~active]).sum())
        active |= entering
    if rnd.outcome.status != "optimal" and rounds > 1 and last.outcome.objective <= rnd.outcome.objective:
        rnd = last  # the stopped round's point may be worse than the previous round's optimum
    return _Priced(rnd, last, rounds, solver_time, bound, proven, limit)  # type: ignore[arg-type]


def _report(p: _Priced, n_edges: int, scale: float, params: PlanParams) -> tuple[SolveInfo, PlanStatus]:
    """Status, gap, bound and note of the priced plan."""
    rnd = p.rnd
    if p.proven:
        status, gap = PlanStatus.OPTIMAL, 0.0
    else:  # the time limit stopped a round, or pricing: the plan is feasible, its bound from the last priced round
        status = PlanStatus.TIME_LIMIT
        gap = None if p.bound is None else _relative_gap(rnd.outcome.objective, p.bound)
    bound = None if p.bound is None else p.bound * scale
    note = ""
    if status is not PlanStatus.OPTIMAL:
        note = f"stopped by the time limit ({p.limit:g} s): best plan found, " + (
            "no bound known" if gap is None else f"within {fmt_gap(gap)} of the optimum"
        )
    if p.rounds > 1 or len(rnd.edge) < n_edges:
        note = (note + "; " if note else "") + (
            f"{p.rounds} pricing round(s), {len(rnd.edge):,} of {n_edges:,} edges built"
        )
    if params.extra_constraints is not None:
        note = (note + "; " if note else "") + "with PlanParams.extra_constraints (every edge built, no pricing)"
    info = SolveInfo(
        solver=params.solver.name,
        runtime_s=p.solver_time,
        gap=gap,
        bound=bound,
        time_limit_s=p.limit,
        variables=rnd.variables,
        constraints=rnd.constraints,
        note=note,
    )
    return info, status


def _flows(
    rnd: LpRound,
    region: Region,
    edges: pd.DataFrame,
    demand: np.ndarray,
    cap: np.ndarray,
    params: PlanParams,
    rows: Sequence[RowBlock],
) -> tuple[np.ndarray, np.ndarray]:
    """The round's point checked against the model's rules and made whole: flow per edge, unmet per cohort."""
    x = np.asarray(rnd.x)
    unmet = np.asarray(rnd.u)
    _check_feasible(region, edges, rnd.edge, x, unmet, demand, cap, params, rows)
    frac = max(np.abs(x - np.round(x)).max(initial=0), np.abs(unmet - np.round(unmet)).max(initial=0))
    if frac > 1e-6:
        raise SolverError(f"{region.name}: the allocation LP returned fractional children (max {frac:.3g})")
    flow = np.zeros(len(edges))
    flow[rnd.edge] = np.round(x)
    return flow, np.round(unmet)


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
    """Pricing rounds on the PuLP model (CBC, or any solver PuLP drives): rebuilt each round.
    With :attr:`PlanParams.extra_constraints`, the user's function adds its rows to each build."""

    def __init__(self, region: Region, edges: pd.DataFrame, params: PlanParams, cost: np.ndarray,
                 unmet_cost: np.ndarray, cap: np.ndarray, rows: Sequence[RowBlock] = ()) -> None:
        self.region, self.edges, self.params = region, edges, params
        self.cost, self.unmet_cost, self.cap, self.rows = cost, unmet_cost, cap, tuple(rows)

    def solve(self, active: np.ndarray, left: float | None) -> tuple[LpRound, float]:
        model = build_allocation(
            self.region, self.edges.loc[active], self.params, self.cost[active], self.unmet_cost, self.cap[active],
            self.rows,
        )
        if self.params.extra_constraints is not None:
            self.params.extra_constraints(model)
        options = self.params.solver if left is None else attrs.evolve(self.params.solver, time_limit_s=left)
        outcome, runtime = run_solver(model.problem, options)
        size = {"variables": len(model.x) + len(model.u), "constraints": sum(len(r) for r in model.rows.values())}
        if not outcome.has_solution:
            return LpRound(outcome, **size), runtime
        n = {DEMAND.name: len(self.region.cohorts), CAPACITY.name: len(self.region.homes)}
        duals = {b: model.block_duals(b, n.get(b) or len(blk.bounds(self.region)[1]))
                 for b, blk in zip(model.rows, (*ROW_BLOCKS, *self.rows))}
        x, u = np.asarray(solvers.values(model.x)), np.asarray(solvers.values(model.u))
        return LpRound(outcome, x=x, u=u, duals=duals, edge=np.flatnonzero(active), **size), runtime


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
    rows: Sequence[RowBlock] = (),
) -> None:
    """The solver's point must keep every rule of the model (a safety net under every solver and status);
    a user's ``extra_constraints`` are theirs to check."""
    tol = 1e-6 * max(1.0, float(np.max(demand, initial=0.0)))
    cohort, home = edges.cohort.to_numpy()[built], edges.home.to_numpy()[built]  # arrays: this runs every draw
    upper = cap[built]
    broken = {
        "placed + without a home = demand": np.abs(
            np.bincount(cohort, weights=x, minlength=len(demand)) + unmet - demand
        ).max(initial=0.0) > tol,
        "places": (np.bincount(home, weights=x, minlength=len(region.homes)) - region.homes.places.to_numpy()).max(
            initial=0.0
        ) > tol,
        "held children stay": (edges.held.to_numpy()[built] - x).max(initial=0.0) > tol,
        "no child beyond an edge's cap": (x - upper).max(initial=0.0) > tol,
        "no negative children": min(x.min(initial=0.0), unmet.min(initial=0.0)) < -tol,
    }
    for block in rows:
        lower, upper = block.bounds(region)
        r = block.rows(region, edges.iloc[built])
        total = np.bincount(r[r >= 0], weights=x[r >= 0], minlength=len(upper))
        broken[block.name] = bool(((total - upper).max(initial=0.0) > tol) or ((lower - total).max(initial=0.0) > tol))
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


def _no_plan_error(
    region: Region, params: PlanParams, outcome: SolverOutcome, seconds: float, rounds: int
) -> SolverError | InfeasibleError:
    """The error for a round without a plan: InfeasibleError when a user's extra constraints made
    the model infeasible, else SolverError."""
    if outcome.status == "infeasible" and params.extra_constraints is not None:
        return InfeasibleError(
            f"{region.name}: {params.solver.name} reports the allocation model infeasible with "
            "PlanParams.extra_constraints (the model without them always has a plan: children may go "
            "without a home); no plan is reported. Check the rows your function adds."
        )
    what = {
        "time_limit": f"stopped by the time limit ({params.solver.time_limit_s} s) before it found any plan",
        "infeasible": "reports the allocation model infeasible (held placements exceed places?)",
        "unbounded": "reports the allocation model unbounded",
    }.get(outcome.status, f"returned no plan (status {outcome.status}: {outcome.model_status or '?'})")
    return SolverError(
        f"{region.name}: {params.solver.name} {what}, after {seconds:.2f} s in pricing round {rounds}; "
        "no plan is reported. Raise SolverOptions.time_limit_s or check the solver log (SolverOptions(msg=True))."
    )
