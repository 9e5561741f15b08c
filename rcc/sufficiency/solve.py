"""`sufficiency_plan`: region, options, forecast and budgets in; SufficiencyPlan out.

The engine runs in stages, each in its own module: :mod:`~rcc.sufficiency.merging` (interchangeable
homes into classes), :mod:`~rcc.sufficiency.inputs` (validation and model arrays),
:mod:`~rcc.sufficiency.pricing` and :mod:`~rcc.sufficiency.heuristics` (driven by
:mod:`~rcc.sufficiency.search`), :mod:`~rcc.sufficiency.explain` (clashing rules) and
:mod:`~rcc.sufficiency.outputs` (the plan's tables).
"""

from __future__ import annotations

import logging
import time

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.result import PlanStatus, SolveInfo
from rcc.core.errors import InfeasibleError, SolverError
from rcc.core.region import Region
from rcc.core.solvers import SolverOutcome
from rcc.sufficiency.explain import empty_explanation, explain_clash
from rcc.sufficiency.held import held_by_home
from rcc.sufficiency.inputs import SufficiencyInputs, prepare_inputs
from rcc.sufficiency.merging import merge_homes, split_placements
from rcc.sufficiency.model import SufficiencyModel
from rcc.sufficiency.outputs import plan_tables
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.result import SufficiencyPlan
from rcc.sufficiency.runtime import Run
from rcc.sufficiency.search import Search, solve_whole_model

__all__ = ["sufficiency_plan"]

log = logging.getLogger("rcc")


def sufficiency_plan(
    region: Region,
    options: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    budgets: pd.DataFrame | None = None,
    params: SufficiencyParams | None = None,
    *,
    closures: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
) -> SufficiencyPlan:
    """Propose what capacity to add, where, of which type and when.

    Solves the capacity expansion MILP of :mod:`rcc.sufficiency.model`: over
    the plan years, choose units of candidate options (capacity arriving
    after its lead time), closures of homes the user allows, and placements
    of every cohort's forecast children, within budgets, a minimum share of
    each RCC's children inside it and a maximum share per provider group,
    keeping children close to home at the least cost. Children who cannot be
    placed are reported as shortfall with the reason, never as infeasibility.

    Parameters
    ----------
    region : Region
        Councils, existing homes, providers and cohorts (the cohorts' children
        are year 1's demand when no forecast is given). Its current placements
        (``region.placements``) are held by default: those children stay in their
        homes while in care (``params.hold_placements``; :mod:`rcc.sufficiency.held`).
    options : pandas.DataFrame, optional
        Candidate capacity (:data:`rcc.sufficiency.OPTIONS`); none = allocation only.
    forecast : pandas.DataFrame, optional
        Children per cohort and year (:data:`rcc.sufficiency.FORECAST`);
        cohorts or years absent from it have no demand. Build one with
        :func:`rcc.sufficiency.forecast_from_region`.
    budgets : pandas.DataFrame, optional
        Capital and revenue limits (:data:`rcc.sufficiency.BUDGETS`).
    params : SufficiencyParams, optional
    closures : pandas.DataFrame, optional
        Homes that may close (:data:`rcc.sufficiency.CLOSURES`); others stay open.
    costs : pandas.DataFrame, optional
        Prices per cohort x home-or-option (:data:`rcc.sufficiency.COSTS`)
        replacing the site's weekly cost (a user-supplied cost matrix).

    Returns
    -------
    SufficiencyPlan
        Status ``optimal``: within the solver's gap tolerance of a lower bound
        valid for the whole model (every edge, every child whole); heuristics
        (LP rounding and neighbourhood, repairs) only supply starting plans.
        ``time_limit``: the clock ran out; the best plan found, with its gap
        against such a bound. ``infeasible`` with an ``explanation`` when
        budgets, committed units or share targets clash
        (``plan.raise_if_infeasible()`` turns that into
        :class:`rcc.InfeasibleError`); the tables then show the plan with
        those rules relaxed as explained.

    Raises
    ------
    rcc.SolverError
        When the solver gives no feasible plan (stopped by the time limit
        before finding one, not solved, or failed): the message says at which
        stage, with which solver status and after how long.
    rcc.InfeasibleError
        When the hard rules clash and ``params.explain_infeasible`` is False.
    rcc.InvalidInputError
        When a table or setting breaks its rules.

    Examples
    --------
    >>> import rcc
    >>> from rcc.sufficiency import sufficiency_plan, default_options, forecast_from_region, SufficiencyParams
    >>> region = rcc.datasets.england("Greater Manchester RCC")
    >>> forecast = forecast_from_region(region, years=2, growth_by_need={"complex": 0.05})
    >>> p = sufficiency_plan(region, default_options(region), forecast, params=SufficiencyParams(years=2))
    >>> p.status.value, int(p.metrics_by_year.loc[2, "children"]) == int(forecast.loc[forecast.year == 2, "children"].sum())
    ('optimal', True)
    """
    params = params or SufficiencyParams()
    run = Run(params, time.perf_counter())
    merged, home_class = merge_homes(region, options, forecast, closures, costs, params)
    hold = region if params.hold_placements and isinstance(region, Region) else None
    prep = prepare_inputs(merged, options, forecast, budgets, params, closures, costs, hold, home_class)
    labels = list(prep.options.option_id)
    search = solve_whole_model(prep, labels, run)
    notes = ([prep.note] if prep.note else []) + search.notes + _region_notes(region, merged, home_class, prep)
    solved = _settle(prep, labels, run, search)
    info = _solve_info(run, solved, notes + solved.notes)
    log.info("%s: sufficiency plan %s, %d variables, %.1fs", region.name, solved.status.value, info.variables, run.solve_s)
    per_site = None  # homes in each site (classes of merged homes, then options)
    if home_class is not None:
        per_site = np.r_[np.bincount(home_class, minlength=len(merged.homes)), np.zeros(len(prep.options), dtype=np.int64)]
    plan = plan_tables(prep, solved.model, solved.outcome, solved.status, info, solved.explanation, per_site)
    if home_class is None:
        return plan
    taken = held_by_home(region, plan.placements, plan.years) if prep.held is not None else None  # step-downs out
    placements = split_placements(region, merged, home_class, plan.placements, prep.data.group_size, params.whole_children, taken)
    return attrs.evolve(plan, region=region, placements=placements)


@attrs.frozen(eq=False)
class Settled:
    """The plan's model and outcome once the search's word is final (a clash explained, or a SolverError).

    Attributes
    ----------
    model : SufficiencyModel
        The model holding the plan (the elastic model when the rules clash).
    outcome : SolverOutcome
    bound : float or None
        Lower bound valid for the whole model.
    status : PlanStatus
    explanation : pandas.DataFrame
        Rules that must give (empty unless infeasible).
    notes : list of str
    """

    model: SufficiencyModel
    outcome: SolverOutcome
    bound: float | None
    status: PlanStatus
    explanation: pd.DataFrame
    notes: list[str]


def _settle(prep: SufficiencyInputs, labels: list[str], run: Run, search: Search) -> Settled:
    """The final model, outcome and status: explain a clash of the hard rules, raise when there is no plan."""
    params = run.params
    outcome = search.outcome
    if outcome.status == "infeasible":
        if not params.explain_infeasible:
            raise InfeasibleError(
                "sufficiency plan: the hard rules (budgets, committed units, inside-region or provider shares) clash; "
                "no plan meets them all (explain_infeasible=True says which rules must give and by how much)"
            )
        run.stage = "explanation of the clash"
        model, explanation, outcome = explain_clash(prep, labels, run, search.model)
        if not outcome.has_solution:
            raise SolverError(_no_plan_message(run, outcome, "the hard rules clash and the elastic model that explains it"))
        note = "hard rules clash: tables show the plan with them relaxed as in the explanation"
        outcome = attrs.evolve(outcome, status="infeasible")
        return Settled(model, outcome, outcome.bound, PlanStatus.INFEASIBLE, explanation, [note])
    if not outcome.has_solution or search.model is None:
        raise SolverError(_no_plan_message(run, outcome, "no plan was found"))
    status = PlanStatus(outcome.status)
    notes = []
    if status is PlanStatus.TIME_LIMIT:
        notes.append("stopped by the time limit: the best plan found, the gap against a bound valid for all edges")
    return Settled(search.model, outcome, search.bound, status, empty_explanation(), notes)


def _region_notes(region: Region, merged: Region, home_class: np.ndarray | None, prep: SufficiencyInputs) -> list[str]:
    """Notes on the region: current placements held (or not), homes merged into classes."""
    notes = []
    stock = prep.held
    if stock is not None:
        moves = prep.data.held is not None and prep.data.held.steps is not None
        y = stock.children.sum(axis=0)
        notes.append(
            f"{stock.today:,.0f} children's current placements held: they stay while in care "
            f"({y[-1]:,.0f} still there in year {len(y)}: leaving care and ageing out at 18), "
            + ("moved only as planned step-downs the optimiser chooses (step_downs=True)" if moves else
               "never moved (no step-downs)")
            + "; only entrants and children whose placement ended are placed"
        )
        held = prep.data.held
        part = float(prep.data.demand[prep.data.n_cohorts - len(held.cohort_of) :].sum()) if held is not None else 0.0
        if part > 0:
            notes.append(
                f"{part:,.0f} child-years of cohorts placed in groups are less than a group once today's held children "
                "are counted: the model places them as groups of their own (the children left of a group together)"
            )
        if stock.left_by_forecast > 0:
            notes.append(f"{stock.left_by_forecast:,.0f} held child-years above their cohort's forecast counted as leavers")
    elif len(region.placements):
        held = int(region.placements.children.sum())
        notes.append(f"{held:,} children's current placements are not held (hold_placements=False): every forecast child is placed afresh each year")
    if home_class is not None:
        k = len(merged.homes)
        notes.append(f"{len(region.homes):,} homes merged into {k:,} {'class' if k == 1 else 'classes'} of interchangeable homes")
    return notes


def _solve_info(run: Run, solved: Settled, notes: list[str]) -> SolveInfo:
    """The plan's SolveInfo: solver, times, gap and bound, size, notes."""
    solver = run.params.solver
    return SolveInfo(
        solver=solver.name,
        runtime_s=run.solve_s,
        gap=solved.outcome.gap,
        bound=solved.bound,
        time_limit_s=solver.time_limit_s,
        variables=solved.model.n_variables,
        constraints=solved.model.n_constraints,
        note="; ".join(notes + [f"build {run.build_s:.1f}s"]),
    )


def _no_plan_message(run: Run, outcome: SolverOutcome, what: str) -> str:
    """Why there is no plan: stage, solver status and time used (a SolverError's message)."""
    limit = run.params.solver.time_limit_s
    of = f" of the {limit:g}s time limit" if limit is not None else ""
    return (
        f"sufficiency plan: {what}: the {run.stage} ended with solver status {outcome.status!r} "
        f"after {run.elapsed():.1f}s{of} and no feasible plan (solver {run.params.solver.name})"
    )
