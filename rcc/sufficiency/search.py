"""The search over the whole sufficiency model: pricing, heuristic plans, then a branch and bound over
every edge the reduced-cost test cannot rule out. ``optimal`` always holds for the whole model."""

from __future__ import annotations

import math

import attrs
import numpy as np

from rcc.core.errors import SolverError
from rcc.core.solvers import SolverOutcome
from rcc.sufficiency import arrays
from rcc.sufficiency.heuristics import Incumbent, better, load_plan, lp_heuristics, snapshot, whole_plan, within_gap
from rcc.sufficiency.inputs import SufficiencyInputs
from rcc.sufficiency.model import ModelData, SufficiencyModel
from rcc.sufficiency.pricing import exact_edges, price_edges
from rcc.sufficiency.runtime import Run, globalise, subset_data

__all__ = ["BranchAndBound", "Search", "branch_and_bound", "solve_whole_model"]


@attrs.frozen(eq=False)
class Search:
    """The outcome of :func:`solve_whole_model`.

    Attributes
    ----------
    model : SufficiencyModel or None
        The model holding the best plan (edges as global positions); None when
        the clock ran out before any model held a plan.
    outcome : SolverOutcome
        ``status`` "optimal" only within the gap tolerance of a bound valid for
        the whole model, "time_limit" only when the clock ran out,
        "infeasible" when the whole model has no plan, else the solver's word
        and no solution.
    bound : float or None
        That lower bound, valid for every edge.
    notes : list of str
        What was done, in words (for the plan's note).
    """

    model: SufficiencyModel | None
    outcome: SolverOutcome
    bound: float | None
    notes: list[str]


def solve_whole_model(prep: SufficiencyInputs, labels: list[str], run: Run) -> Search:
    """Edge pricing, heuristic plans and a branch and bound over the whole model.

    1. Pricing (see ``SufficiencyParams.seed_radius_miles``): LP
       relaxations over a growing edge set until the Lagrangian bound, a lower
       bound valid for every edge, is close to the LP value.
    2. Heuristics (LP rounding, then the LP's neighbourhood; single children
       made whole with units and closures fixed) give incumbents only: a plan
       is optimal here only when it is within the gap tolerance of that bound.
    3. Otherwise, while time remains, a branch and bound over every edge the
       reduced-cost test cannot rule out (all edges when there is no LP or no
       incumbent), started from the best plan so far.

    Returns the model holding the best plan, its outcome, the bound and notes (:class:`Search`).
    """
    data = prep.data
    tol = run.gap_tolerance()
    notes: list[str] = []
    pricing = price_edges(prep, labels, run)
    active, lp, lp_bound, rounds = pricing.active, pricing.lp, pricing.bound, pricing.rounds
    if run.params.extra_constraints is not None:
        notes.append("extra_constraints: every edge built (pricing cannot read the user's rows)")
    if rounds:
        notes.append(f"{rounds} pricing round(s), {int(active.sum()):,} of {len(data.e_cohort):,} edges in the LP")
    best: Incumbent | None = None
    model: SufficiencyModel | None = None
    idx = np.flatnonzero(active)
    if lp is not None and lp_bound is not None:
        run.stage = "LP rounding"
        model, best = lp_heuristics(data, idx, labels, lp, lp_bound, run)
        if best is not None and within_gap(best.objective, lp_bound, tol):
            notes.append(f"{best.source}: within the gap tolerance of the LP bound over all edges")
            return finish(data, model, idx, best, "optimal", lp_bound, notes)
    last = "optimal"
    bound = lp_bound
    if not run.out_of_time():
        if model is not None:
            arrays.release(model.problem)  # the heuristics' model only holds their plan from here on
        idx, outside = exact_edges(data, active, lp, lp_bound, best)
        if len(idx) < len(data.e_cohort):
            notes.append(f"branch and bound over {len(idx):,} of {len(data.e_cohort):,} edges (the rest ruled out by reduced costs)")
        run.stage = "branch and bound"
        exact = branch_and_bound(data, idx, labels, run, best, outside, tol, notes)
        model, best, exact_bound, last = exact.model, exact.best, exact.bound, exact.status
        if best is None:
            return Search(globalise(model, data, idx), no_plan(last), None, notes)
        parts = [b for b in (exact_bound, lp_bound) if b is not None]
        bound = max(parts) if parts else None
    elif best is None or model is None:
        return Search(None, no_plan("time_limit"), None, notes)
    if bound is not None and within_gap(best.objective, bound, tol):
        return finish(data, model, idx, best, "optimal", bound, notes)
    if run.out_of_time() or last == "time_limit":
        return finish(data, model, idx, best, "time_limit", bound, notes)
    gap = "unknown" if bound is None else f"{(best.objective - bound) / max(abs(best.objective), 1e-9):.3g}"
    raise SolverError(
        f"sufficiency plan: the {run.stage} ended {last} after {run.elapsed():.1f}s, before the time limit, with gap {gap} "
        f"above the requested {tol:g}: the plan is not proven within the gap"
    )


def finish(
    data: ModelData, model: SufficiencyModel, idx: np.ndarray, best: Incumbent, status: str, bound: float | None, notes: list[str]
) -> Search:
    """``model`` (over the edges ``idx``) holding the best plan, as returned by :func:`solve_whole_model`."""
    if not load_plan(model, idx, best):  # pragma: no cover - edges only grow, so the last model holds every edge of the plan
        raise SolverError("sufficiency plan: the best plan uses an edge the final model lacks (a bug in rcc)")
    gap = None if bound is None else max(0.0, (best.objective - bound) / max(abs(best.objective), 1e-9))
    outcome = SolverOutcome(status, True, best.objective, bound, gap)
    return Search(globalise(model, data, idx), outcome, bound, notes)


def no_plan(status: str) -> SolverOutcome:
    return SolverOutcome(status, False)


def solver_bound(outcome: SolverOutcome, tol: float) -> float | None:
    """The solver's lower bound (HiGHS reports it; an optimal CBC run is within the gap tolerance)."""
    if outcome.bound is not None and math.isfinite(outcome.bound):
        return float(outcome.bound)
    if outcome.status == "optimal" and outcome.objective is not None:
        ub = float(outcome.objective)
        return ub - tol * abs(ub)
    return None


@attrs.frozen(eq=False)
class BranchAndBound:
    """The outcome of :func:`branch_and_bound`.

    Attributes
    ----------
    model : SufficiencyModel
        The last model built (edges local to the branch and bound's edges).
    best : Incumbent or None
        The best plan so far (given or found).
    bound : float or None
        A lower bound valid for every edge (None when there is none).
    status : str
        The last solver status.
    """

    model: SufficiencyModel
    best: Incumbent | None
    bound: float | None
    status: str


def _finite(bound: float) -> float | None:
    return bound if math.isfinite(bound) else None


def branch_and_bound(
    data: ModelData,
    idx: np.ndarray,
    labels: list[str],
    run: Run,
    best: Incumbent | None,
    outside: float,
    tol: float,
    notes: list[str],
) -> BranchAndBound:
    """Branch and bound over the edges ``idx``, started from ``best``.

    Whole children: first the model with single children's placements
    continuous (a relaxation: its bound holds for the whole model over these
    edges); its plan, made whole if needed, is an incumbent. Then, unless an
    incumbent is within the gap tolerance of that bound, the model with every
    placement integer. Returns the last model built, the best plan, a lower
    bound valid for every edge (``outside`` bounds plans using the edges left
    out) and the last solver status.
    """
    sub = subset_data(data, idx)
    bound = -math.inf
    singles = data.whole_children and bool((data.group_size[data.e_cohort[idx]] == 1).any())
    if singles:
        lazy = run.build(sub, labels, lazy=True)
        out = run.solve(lazy, warm_start=best is not None and load_plan(lazy, idx, best))
        if out.status in ("infeasible", "unbounded") and not out.has_solution and best is None:
            return BranchAndBound(lazy, None, None, out.status)
        b = solver_bound(out, tol)
        bound = b if b is not None else bound
        best = better(best, whole_plan(sub, idx, labels, lazy, out, run, "branch and bound"))
        last = out.status
        if best is None:
            if run.out_of_time() or last != "optimal":
                return BranchAndBound(lazy, None, None, last)
        elif within_gap(best.objective, min(bound, outside), tol) or run.out_of_time():
            return BranchAndBound(lazy, best, _finite(min(bound, outside)), last)
        notes.append("single children's placements: branch and bound with every placement whole")
        arrays.release(lazy.problem)
    model = run.build(sub, labels)
    out = run.solve(model, warm_start=best is not None and load_plan(model, idx, best))
    if out.status in ("infeasible", "unbounded") and not out.has_solution and best is None:
        return BranchAndBound(model, None, None, out.status)
    if out.has_solution:
        best = better(best, snapshot(model, idx, float(out.objective), "branch and bound"))
    b = solver_bound(out, tol)
    bound = max(bound, b) if b is not None else bound
    return BranchAndBound(model, best, _finite(min(bound, outside)), out.status)
