"""Incumbents of the sufficiency model: whole plans found near the LP relaxation (rounding, the LP's
neighbourhood, single children made whole). They are starting plans only, never proof of optimality."""

from __future__ import annotations

import math
import time

import attrs
import numpy as np
import pandas as pd

from rcc.core.solvers import SolverOutcome
from rcc.sufficiency import arrays
from rcc.sufficiency.dive import dive_units
from rcc.sufficiency.growth import can_grow, recast
from rcc.sufficiency.model import ModelData, SufficiencyModel
from rcc.sufficiency.rounding import placements_lp, round_groups
from rcc.sufficiency.runtime import Run, subset_data

__all__ = ["Incumbent", "better", "fix_and_solve", "fractional", "groups_then_singles", "lp_heuristics", "units_then_placements", "load_plan", "snapshot", "whole_plan", "within_gap"]


@attrs.define(eq=False)
class Incumbent:
    """A whole plan of the model (integer where it must be), independent of the edge set it was found on."""

    objective: float
    key: np.ndarray  # global edge x years + year of each placement value
    v: np.ndarray
    u: np.ndarray
    n: np.ndarray
    z: np.ndarray
    source: str
    w: np.ndarray = attrs.field(factory=lambda: np.zeros(0))  # step-downs (rcc.sufficiency.stepdowns)


def snapshot(model: SufficiencyModel, idx: np.ndarray, objective: float, source: str) -> Incumbent:
    """The plan ``model`` holds (edges local to ``idx``)."""
    d = model.data
    key = idx[model.ey_edge] * d.n_years + model.ey_year
    v, u, n, z = (np.asarray(arrays.values(vs), dtype=float) for vs in (model.v, model.u, model.n, model.z))
    whole = d.whole_children | (d.group_size[d.e_cohort[model.ey_edge]] > 1)
    v = np.where(whole, np.round(v), v)  # integer values as integers (the solver's are within its tolerance)
    w = np.asarray(arrays.values(model.w), dtype=float)
    w = np.round(w) if d.whole_children else w
    return Incumbent(float(objective), key, v, u, np.round(n), np.round(z), source, w)


def load_plan(model: SufficiencyModel, idx: np.ndarray, plan: Incumbent) -> bool:
    """Give ``model`` (edges local to ``idx``) the incumbent's values; False when it uses an edge ``model`` lacks."""
    key = idx[model.ey_edge] * model.data.n_years + model.ey_year
    pos = pd.Index(key).get_indexer(plan.key)
    if (pos < 0).any() and np.abs(plan.v[pos < 0]).max() > 1e-9:
        return False
    v = np.zeros(len(key))
    v[pos[pos >= 0]] = plan.v[pos >= 0]
    w = plan.w if len(plan.w) == len(model.w) else np.zeros(len(model.w))
    for variables, vals in ((model.v, v), (model.u, plan.u), (model.n, plan.n), (model.z, plan.z), (model.w, w)):
        low, up = arrays.bounds(variables)
        arrays.set_values(variables, np.clip(vals, low, up))  # within bounds: values off by the solver's tolerance
    return True


def better(best: Incumbent | None, new: Incumbent | None) -> Incumbent | None:
    if new is None:
        return best
    return new if best is None or new.objective < best.objective - 1e-9 * max(1.0, abs(best.objective)) else best


def lp_heuristics(
    data: ModelData, idx: np.ndarray, labels: list[str], lp: SufficiencyModel, lp_bound: float, run: Run
) -> tuple[SufficiencyModel, Incumbent | None]:
    """Incumbents near the LP relaxation ``lp`` (over the edges ``idx``): the units
    search, then placements (:func:`units_then_placements`; the LP's rounding,
    :func:`round_and_fix`, only when that finds nothing), then, unless a plan is within
    the gap tolerance of ``lp_bound``, the MILP between the floor and ceiling of the
    LP's units and closures. Returns the model they were found in and the best whole plan."""
    sub = subset_data(data, idx)
    model = like_lp(lp, sub, labels, run, lazy=data.whole_children)
    tol = run.gap_tolerance()
    run.stage = "units near the LP"
    holder, placed = units_then_placements(sub, idx, labels, model, lp, None, run)
    arrays.release(lp.problem)  # the pricing LP's HiGHS model (its values and duals stay)
    best = whole_plan(sub, idx, labels, holder, placed, run, "units searched near the LP, then placements")
    if best is None:  # even out of time (as the first plan always was): a plan whenever the LP has one
        run.stage = "LP rounding"
        best = whole_plan(sub, idx, labels, model, round_and_fix(model, lp, run), run, "LP relaxation rounded")
    if (best is None or not within_gap(best.objective, lp_bound, tol)) and not run.out_of_time():
        run.stage = "LP neighbourhood"
        near = lp_neighbourhood(model, lp, run, warm_start=best is not None and load_plan(model, idx, best))
        best = better(best, whole_plan(sub, idx, labels, model, near, run, "units and closures searched near the LP"))
    return model, best


def like_lp(lp: SufficiencyModel, sub: ModelData, labels: list[str], run: Run, **kw: bool) -> SufficiencyModel:
    """The model ``run.build(sub, labels, **kw)`` gives, made from the pricing LP ``lp`` (over the edges of
    ``sub``) by :func:`rcc.sufficiency.growth.recast` when it can (array path), else built."""
    t = time.perf_counter()
    model = recast(lp, **kw)
    run.build_s += time.perf_counter() - t
    return model if model is not None else run.build(sub, labels, **kw)


#: The units search (:func:`units_then_placements`) stops at this share of the plan's gap tolerance.
UNITS_GAP_SHARE = 0.25
#: HiGHS options of the units search: after presolve England's has 39 binaries beside 521,233
#: continuous columns, and HiGHS's feasibility jump spent a third of the search on a useless plan
#: (England, one run: 27.6 s without it vs 40.8 s with it on a loaded machine, the same plan and bound).
UNITS_HIGHS_OPTIONS: dict[str, object] = {"mip_heuristic_run_feasibility_jump": False}


def units_then_placements(
    sub: ModelData, idx: np.ndarray, labels: list[str], model: SufficiencyModel, lp: SufficiencyModel, best: Incumbent | None, run: Run
) -> tuple[SufficiencyModel, SolverOutcome | None]:
    """Units and closures first, then placements.

    Whole units and closures with every placement continuous: first by diving in the
    pricing LP (:func:`rcc.sufficiency.dive.dive_units`, its plan put in ``model``), kept when
    within :data:`UNITS_GAP_SHARE` of the gap tolerance of the LP; else the MILP with the units
    and closures between the floor and ceiling of their LP values (few integer variables,
    started from the dive's plan), solved to that share. When its sibling groups'
    placements are whole, that plan is returned (single children are made whole
    by the caller); otherwise, with its units and closures fixed, the groups are made
    whole and the single children placed by an LP (:func:`groups_then_singles`, HiGHS
    arrays only); failing that, with its whole placements fixed away from the sites and
    cohorts of a fractional group, ``model`` (the LP's edges, placements whole as it
    says) is solved for the rest. Returns the model holding the plan and its outcome
    (None when nothing was found).
    """
    units, chosen = model, _dived(model, lp, run)  # the dive's plan put in ``model`` (lp recast)
    if chosen is None:
        arrays.release(lp.problem)  # the MILP's HiGHS model instead (memory)
        units = like_lp(lp, sub, labels, run, units_only=True)
        if isinstance(units.problem, arrays.ArrayProblem):  # few integers beside a large LP: the jump finds nothing useful
            units.problem.highs_options = dict(UNITS_HIGHS_OPTIONS)
        dived = isinstance(model.problem, arrays.ArrayProblem) and not np.isnan(model.problem.x).any()
        if dived and units.problem.n_cols == model.problem.n_cols:  # both ``lp`` recast: start from the dive's plan
            units.problem.x = model.problem.x.copy()
        warm = (best is not None and load_plan(units, idx, best)) or (dived and not np.isnan(units.problem.x).any())
        chosen = lp_neighbourhood(units, lp, run, warm_start=warm, gap=UNITS_GAP_SHARE * run.gap_tolerance())
        arrays.release(units.problem)
    if chosen is None:
        return units, None
    v = arrays.values(units.v)
    groups = sub.group_size[sub.e_cohort[units.ey_edge]] > 1
    whole = np.abs(v - np.round(v)) <= 1e-6
    if whole[groups].all():
        return units, chosen
    if run.out_of_time():
        return units, None
    n_fix, z_fix = np.round(arrays.values(units.n)), np.round(arrays.values(units.z))
    placed = groups_then_singles(sub, units, model, lp, v, n_fix, z_fix, run, float(chosen.objective))
    if placed is not None:
        return model, placed
    # whole placements (groups and single children) stay where they are, except at the sites and for the
    # cohorts of a fractional one (room for the fractional groups: the children there move): a small MIP
    site = sub.e_site[units.ey_edge] * sub.n_years + units.ey_year
    cohort = sub.e_cohort[units.ey_edge] * sub.n_years + units.ey_year
    loose = np.isin(site, site[~whole]) | np.isin(cohort, cohort[~whole])
    return model, fix_and_solve(model, n_fix, z_fix, whole & ~loose, v, run)


def _dived(units: SufficiencyModel, lp: SufficiencyModel, run: Run) -> SolverOutcome | None:
    """The units plan of :func:`rcc.sufficiency.dive.dive_units` put in ``units`` (``lp`` recast), and its
    outcome when it is within :data:`UNITS_GAP_SHARE` of the gap tolerance of the LP; else None (``units``
    then holds the dive's plan, if any, as a start for the MILP)."""
    if not can_grow(lp):  # ``units`` is not ``lp`` recast (or not an array model)
        return None
    objective = float(np.dot(lp.problem.cost, np.nan_to_num(lp.problem.x)))
    dived = dive_units(lp, run)
    if dived is None:
        return None
    units.problem.x = dived[0].copy()
    outcome = dived[1]
    return outcome if within_gap(float(outcome.objective), objective, UNITS_GAP_SHARE * run.gap_tolerance()) else None


#: The placements LP is solved again with every single child's placement free when its plan is more
#: than this share of the gap tolerance above the units plan (England, one run: 5,435,529 against the
#: units plan's 5,425,598 when the LP's zero reduced costs left too few placements free).
PLACEMENTS_LOSS = 0.1


def groups_then_singles(
    sub: ModelData,
    units: SufficiencyModel,
    model: SufficiencyModel,
    lp: SufficiencyModel,
    v: np.ndarray,
    n_fix: np.ndarray,
    z_fix: np.ndarray,
    run: Run,
    expected: float | None = None,
) -> SolverOutcome | None:
    """Units and closures fixed: the sibling groups made whole (:func:`rcc.sufficiency.rounding.round_groups`),
    then the LP over the single children (:func:`rcc.sufficiency.rounding.placements_lp`), again with
    every single child's placement free when that plan is more than :data:`PLACEMENTS_LOSS` of the
    gap tolerance above ``expected`` (the units plan's objective; None: no second try). The plan is put in ``model``; ``lp``
    keeps its own values, duals and bounds. None (nothing changed) on the PuLP path or when either
    step has no plan."""
    prob = lp.problem
    if not isinstance(prob, arrays.ArrayProblem):
        return None
    group_values = round_groups(sub, units, v, n_fix, z_fix, run)
    if group_values is None or run.out_of_time():
        return None
    saved = prob.lb.copy(), prob.ub.copy(), prob.x.copy(), prob.duals, prob.start_basis, prob.simplex_strategy
    # bounds change only: dual simplex, from the dive's last basis when HiGHS still holds it (these units fixed)
    prob.start_basis, prob.simplex_strategy = None, 1
    try:
        outcome = placements_lp(lp, v, n_fix, z_fix, group_values, run)
        limit = math.inf if expected is None else expected + PLACEMENTS_LOSS * run.gap_tolerance() * max(abs(expected), 1e-9)
        if expected is not None and (outcome.status != "optimal" or float(outcome.objective) > limit):
            prob.lb, prob.ub, prob.duals = saved[0].copy(), saved[1].copy(), saved[3]
            again = placements_lp(lp, v, n_fix, z_fix, group_values, run, free_all=True)
            outcome = again if again.status == "optimal" else outcome
        if outcome.status != "optimal":
            return None
        for mine, theirs in ((model.v, lp.v), (model.u, lp.u), (model.n, lp.n), (model.z, lp.z), (model.w, lp.w)):
            arrays.set_values(mine, arrays.values(theirs))
    finally:
        prob.lb, prob.ub, prob.x, prob.duals, prob.start_basis, prob.simplex_strategy = saved
        arrays.release(prob)
    return outcome


def whole_plan(
    sub: ModelData, idx: np.ndarray, labels: list[str], model: SufficiencyModel, outcome: SolverOutcome | None, run: Run, source: str
) -> Incumbent | None:
    """The plan ``model`` holds after ``outcome``, made whole (single children's
    placements integer, units and closures fixed) when it is not."""
    if outcome is None or not outcome.has_solution:
        return None
    if not (sub.whole_children and fractional(model)):
        return snapshot(model, idx, float(outcome.objective), source)
    repaired, whole = repair_whole(sub, labels, model, run, float(outcome.objective))
    if not whole.has_solution:
        return None
    return snapshot(repaired, idx, float(whole.objective), f"{source}, single children made whole")


def within_gap(ub: float, lb: float, tol: float) -> bool:
    """Whether an incumbent is within the relative gap tolerance of a bound
    (with a rounding allowance of 1e-9 relative)."""
    return ub - lb <= tol * max(abs(ub), 1e-9) + 1e-9 * max(abs(ub), 1.0)


def fractional(model: SufficiencyModel) -> bool:
    """Whether any placement (or step-down) is a fraction of a child."""
    x = np.r_[np.asarray(arrays.values(model.v), dtype=float), np.asarray(arrays.values(model.w), dtype=float)]
    return bool(np.abs(x - np.round(x)).max(initial=0.0) > 1e-6)


def repair_whole(
    sub: ModelData, labels: list[str], lazy_model: SufficiencyModel, run: Run, lazy_objective: float | None = None
) -> tuple[SufficiencyModel, SolverOutcome]:
    """Whole children: rebuild with every placement integer, units and closures
    fixed at the lazy model's values, and solve (a near-transportation MIP).

    Given the lazy plan's objective (within its solve's gap of a lower bound for any whole plan with these
    units), first on the lazy plan's support: placements and step-downs it leaves at zero held at zero, so only
    the few fractional children are settled. That plan is kept when it is within the gap tolerance of the lazy
    objective (or when no time is left); otherwise every placement is freed and the MIP solved afresh (not from the support's plan: a
    poor start, say with children left unplaced off the support, slowed HiGHS's own search by five times on
    Greater Manchester's step-downs).
    """
    n_val = np.round(arrays.values(lazy_model.n))
    z_val = np.round(arrays.values(lazy_model.z))
    model = run.build(sub, labels)
    for var, val in zip(list(model.n) + list(model.z), np.r_[n_val, z_val]):
        var.lowBound = var.upBound = float(val)
    same = len(model.v) == len(lazy_model.v) and len(model.w) == len(lazy_model.w)
    if lazy_objective is None or not same:
        return model, run.solve(model)
    on_support = _solve_on_support(model, lazy_model, run)
    near = on_support.has_solution and within_gap(float(on_support.objective), lazy_objective, run.gap_tolerance())
    if near or (on_support.has_solution and run.out_of_time()):  # no time left: the support's plan, not none
        return model, on_support
    return model, run.solve(model)


def _solve_on_support(model: SufficiencyModel, lazy_model: SufficiencyModel, run: Run) -> SolverOutcome:
    """Solve ``model`` with its placements and step-downs that are zero in ``lazy_model`` (the same columns)
    held at zero; restores their bounds."""
    free = list(model.v) + list(model.w)
    lazy = list(lazy_model.v) + list(lazy_model.w)
    values = np.asarray(arrays.values(lazy), dtype=float)
    _, up = arrays.bounds(free)
    arrays.set_upper(free, np.where(np.abs(values) <= 1e-9, 0.0, up))
    try:
        return run.solve(model)
    finally:
        arrays.set_upper(free, up)


def lp_neighbourhood(
    model: SufficiencyModel, lp: SufficiencyModel, run: Run, warm_start: bool, gap: float | None = None
) -> SolverOutcome | None:
    """Search near the LP relaxation (``model`` and ``lp`` on the same edges).

    Solve the MILP with every unit and closure variable bounded between the
    floor and the ceiling of its LP value (LP-integral ones fixed), placements
    free: a small choice of which fractional units to round up, which the
    MILP solver settles with its own bound. ``warm_start``: start from the
    values ``model`` holds (the rounding heuristic's plan, which lies in the
    neighbourhood). Restores the bounds; returns the outcome or None when no
    plan was found. Its plan is feasible for the whole model; its status and
    bound are those of the restricted search (the caller compares with the LP
    bound).
    """
    fixed = list(model.n) + list(model.z)
    lp_values = np.r_[np.asarray(arrays.values(lp.n), dtype=float), np.asarray(arrays.values(lp.z), dtype=float)]
    bounds = [(v.lowBound, v.upBound) for v in fixed]
    for var, val, (lo, up) in zip(fixed, lp_values, bounds):
        var.lowBound = max(float(lo or 0.0), float(np.floor(val + 1e-6)))
        var.upBound = float(np.ceil(val - 1e-6)) if up is None else min(float(up), float(np.ceil(val - 1e-6)))
    try:
        outcome = run.solve(model, warm_start=warm_start, gap=gap)
    finally:
        for var, (lo, up) in zip(fixed, bounds):
            var.lowBound, var.upBound = lo, up
    return outcome if outcome.has_solution else None


def round_and_fix(model: SufficiencyModel, lp: SufficiencyModel, run: Run) -> SolverOutcome | None:
    """LP-rounding heuristic (``model`` and ``lp`` are built on the same edges).

    Units: the LP values rounded down, then rounded up one at a time (largest
    fraction first) while every budget row and unit limit still holds;
    closures rounded. Sibling-group placements the LP already made whole are
    kept where their site's places did not shrink. With those fixed, solve
    for the remaining placements; restore the bounds. Returns the outcome, or
    None when nothing feasible was found.
    """
    n_lp = np.asarray(arrays.values(lp.n), dtype=float)
    z_lp = np.asarray(arrays.values(lp.z), dtype=float)
    z_fix = np.round(z_lp)
    n_fix = _round_units(model, lp, n_lp, z_fix)
    v_lp = np.asarray(arrays.values(lp.v), dtype=float)
    keep = _whole_groups_kept(model, n_lp, n_fix, z_lp, z_fix, v_lp)
    return fix_and_solve(model, n_fix, z_fix, keep, v_lp, run)


def fix_and_solve(
    model: SufficiencyModel, n_fix: np.ndarray, z_fix: np.ndarray, keep: np.ndarray, v_vals: np.ndarray, run: Run
) -> SolverOutcome | None:
    """Solve ``model`` for its placements with units and closures fixed at ``n_fix`` and ``z_fix``
    and the placements ``keep`` fixed at ``v_vals`` (rounded); without those placements fixed
    when that has no plan. Restores the bounds; returns the outcome, or None when nothing was found."""
    fixed = list(model.n) + list(model.z)
    bounds = [(v.lowBound, v.upBound) for v in fixed]
    v_bounds = [(model.v[p].lowBound, model.v[p].upBound) for p in np.flatnonzero(keep)]
    best = None
    for fix_v in (True, False):
        for var, val in zip(fixed, np.r_[n_fix, z_fix]):
            var.lowBound = var.upBound = float(val)
        if fix_v:
            for p in np.flatnonzero(keep):
                model.v[p].lowBound = model.v[p].upBound = float(np.round(v_vals[p]))
        outcome = run.solve(model)
        for var, (lo, up) in zip(fixed, bounds):
            var.lowBound, var.upBound = lo, up
        for p, (lo, up) in zip(np.flatnonzero(keep), v_bounds):
            model.v[p].lowBound, model.v[p].upBound = lo, up
        if outcome.has_solution:
            best = outcome
            break
        if not keep.any():
            break
    return best


def _budget_rows(model: SufficiencyModel, lp: SufficiencyModel, z_fix: np.ndarray) -> list[tuple[np.ndarray, float, float]]:
    """Budget rows as (coefficients on n, constant from the other LP values, rhs)."""
    n_pos = {id(v): i for i, v in enumerate(model.n)}
    lp_val = {id(v): x for v, x in zip(model.v, arrays.values(lp.v))}
    lp_val.update({id(v): x for v, x in zip(model.z, z_fix)})
    rows = []
    for r in model.hard:
        if r.family not in ("capital_budget", "revenue_budget"):
            continue
        a = np.zeros(len(model.n))
        const = 0.0
        for var, c in zip(r.variables, r.coefs):
            i = n_pos.get(id(var))
            if i is None:
                const += c * lp_val.get(id(var), 0.0)
            else:
                a[i] += c
        rows.append((a, const, r.rhs))
    return rows


def _round_units(model: SufficiencyModel, lp: SufficiencyModel, n_lp: np.ndarray, z_fix: np.ndarray) -> np.ndarray:
    """The LP's units rounded down, then up one at a time (largest fraction first) while every
    budget row and unit limit holds."""
    d = model.data
    n_fix = np.floor(n_lp + 1e-6)
    rows = _budget_rows(model, lp, z_fix)
    ub = np.array([v.upBound for v in model.n], dtype=float)
    total = np.bincount(model.n_option, weights=n_fix, minlength=d.n_options) if len(n_fix) else np.zeros(d.n_options)
    for i in np.argsort(-(n_lp - n_fix), kind="stable"):
        if n_lp[i] - n_fix[i] <= 1e-6:
            break
        o = model.n_option[i]
        if n_fix[i] + 1 > ub[i] or total[o] + 1 > d.opt_max_units[o]:
            continue
        if all(a @ n_fix + a[i] + c <= rhs + 1e-6 for a, c, rhs in rows):
            n_fix[i] += 1
            total[o] += 1
    return n_fix


def _whole_groups_kept(
    model: SufficiencyModel, n_lp: np.ndarray, n_fix: np.ndarray, z_lp: np.ndarray, z_fix: np.ndarray, v_lp: np.ndarray
) -> np.ndarray:
    """Sibling-group placements the LP made whole, at sites that kept their LP places (kept fixed)."""
    d = model.data
    shrunk = np.zeros(len(d.site_option), dtype=bool)
    down = np.zeros(d.n_options, dtype=bool)
    np.logical_or.at(down, model.n_option, n_fix < n_lp - 1e-6)
    shrunk[d.opt_site[down]] = True
    if len(model.z):
        shrunk[d.close_site[model.z_close[z_fix > z_lp + 1e-6]]] = True
    group = d.group_size[d.e_cohort[model.ey_edge]] > 1
    return group & (np.abs(v_lp - np.round(v_lp)) <= 1e-6) & ~shrunk[d.e_site[model.ey_edge]]
