"""The allocation LP solved by pricing: edges beyond a radius enter when their reduced cost is negative."""

from __future__ import annotations

import time
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.highs import HighsAllocation, LpRound
from rcc.allocation.model import build_allocation, edge_costs, unmet_costs
from rcc.allocation.result import PlanStatus, SolveInfo
from rcc.core import _compat
from rcc.core._compat import SolverOutcome
from rcc.core.errors import SolverError
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.region import Region

__all__ = ["make_solver", "optimise_edges", "run_solver"]

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
