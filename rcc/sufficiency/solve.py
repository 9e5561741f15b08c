"""`sufficiency_plan`: region, options, forecast and budgets in; SufficiencyPlan out."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.engine import aggregate_homes, class_representatives, run_solver
from rcc.allocation.model import group_positions
from rcc.allocation.result import PlanStatus, SolveInfo, metrics_table
from rcc.core import _compat
from rcc.core._compat import SolverOutcome
from rcc.core.errors import InfeasibleError, InvalidInputError, SolverError
from rcc.core.region import Region
from rcc.core.validate import normalise
from rcc.sufficiency.inputs import Prepared, prepare
from rcc.sufficiency.model import (
    ModelData,
    SufficiencyModel,
    build_sufficiency,
    define_objective,
    hard_row_values,
    reduced_costs,
    slack_scale,
    solution_values,
)
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.result import SufficiencyPlan
from rcc.sufficiency.tables import CLOSURES, COSTS, FORECAST

__all__ = ["sufficiency_plan"]

log = logging.getLogger("rcc")

_STATUS = {"optimal": PlanStatus.OPTIMAL, "time_limit": PlanStatus.TIME_LIMIT, "infeasible": PlanStatus.INFEASIBLE}


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
        are year 1's demand when no forecast is given). Current placements are
        not held: a multi-year plan re-places every forecast child.
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
    >>> forecast = forecast_from_region(region, years=2, growth={"complex": 0.05})
    >>> p = sufficiency_plan(region, default_options(region), forecast, params=SufficiencyParams(years=2))
    >>> p.status.value, int(p.metrics.loc[2, "children"]) == int(forecast.loc[forecast.year == 2, "children"].sum())
    ('optimal', True)
    """
    params = params or SufficiencyParams()
    t0 = time.perf_counter()
    merged, home_class = _merge_homes(region, options, forecast, closures, costs, params)
    prep = prepare(merged, options, forecast, budgets, params, closures, costs)
    labels = list(prep.options.option_id)
    run = _Run(params, t0)
    model, outcome, bound, notes = _solve_priced(prep, labels, run)
    notes = ([prep.note] if prep.note else []) + notes
    if len(region.placements):
        held = int(region.placements.children.sum())
        notes.append(f"{held:,} children's current placements are not held: every forecast child is placed afresh each year")
    if home_class is not None:
        k = len(merged.homes)
        notes.append(f"{len(region.homes):,} homes merged into {k:,} {'class' if k == 1 else 'classes'} of interchangeable homes")
    explanation = _empty_explanation()
    if outcome.status == "infeasible":
        status = PlanStatus.INFEASIBLE
        if not params.explain_infeasible:
            raise InfeasibleError(
                "sufficiency plan: the hard rules (budgets, committed units, inside-region or provider shares) clash; "
                "no plan meets them all (explain_infeasible=True says which rules must give and by how much)"
            )
        run.stage = "explanation of the clash"
        model, explanation, outcome = _explain(prep, labels, run, model)
        if not outcome.has_solution:
            raise SolverError(_no_plan_message(run, outcome, "the hard rules clash and the elastic model that explains it"))
        notes.append("hard rules clash: tables show the plan with them relaxed as in the explanation")
        outcome = attrs.evolve(outcome, status="infeasible")
        bound = outcome.bound
    elif not outcome.has_solution or model is None:
        raise SolverError(_no_plan_message(run, outcome, "no plan was found"))
    else:
        status = _STATUS[outcome.status]
        if status is PlanStatus.TIME_LIMIT:
            notes.append("stopped by the time limit: the best plan found, the gap against a bound valid for all edges")
    gap = outcome.gap
    info = SolveInfo(
        solver=params.solver.name,
        runtime_s=run.solve_s,
        gap=gap,
        bound=bound,
        time_limit_s=params.solver.time_limit_s,
        variables=model.n_variables,
        constraints=model.n_constraints,
        note="; ".join(notes + [f"build {run.build_s:.1f}s"]),
    )
    log.info("%s: sufficiency plan %s, %d variables, %.1fs", region.name, status.value, model.n_variables, run.solve_s)
    per_site = None  # homes in each site (classes of merged homes, then options)
    if home_class is not None:
        per_site = np.r_[np.bincount(home_class, minlength=len(merged.homes)), np.zeros(len(prep.options), dtype=np.int64)]
    plan = _result(prep, model, outcome, status, info, explanation, per_site)
    if home_class is None:
        return plan
    placements = _split_placements(region, merged, home_class, plan.placements, prep.data.group_size, params.whole_children)
    return attrs.evolve(plan, region=region, placements=placements)


def _no_plan_message(run: _Run, outcome: SolverOutcome, what: str) -> str:
    """Why there is no plan: stage, solver status and time used (a SolverError's message)."""
    limit = run.params.solver.time_limit_s
    of = f" of the {limit:g}s time limit" if limit is not None else ""
    return (
        f"sufficiency plan: {what}: the {run.stage} ended with solver status {outcome.status!r} "
        f"after {run.elapsed():.1f}s{of} and no feasible plan (solver {run.params.solver.name})"
    )


def _merge_homes(
    region: Region,
    options: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    closures: pd.DataFrame | None,
    costs: pd.DataFrame | None,
    params: SufficiencyParams,
) -> tuple[Region, np.ndarray | None]:
    """Merge interchangeable existing homes into classes (see :func:`rcc.allocation.engine.aggregate_homes`).

    Current placements are not held by a sufficiency plan, so they do not
    keep homes apart. Homes named in ``closures`` or in the ``costs`` matrix
    stay on their own, and when ``max_provider_group_share`` is set homes of
    different provider groups or sectors (the share rule and its exempt
    sectors) are never merged. Homes that may take a cohort placed in groups
    (``group_size`` > 1) merge only when all groups are the same size and the
    home's places are a multiple of it (so any whole groups that fit the
    class fit its homes); otherwise they stay on their own. A class of one
    home keeps the home's id; larger classes are named ``class:<k>``.

    Parameters
    ----------
    region : Region
    options, forecast, closures, costs : pandas.DataFrame or None
        As given to :func:`sufficiency_plan`.
    params : SufficiencyParams

    Returns
    -------
    merged : Region
        The region with one home per class (``region`` itself when nothing merges).
    home_class : numpy.ndarray or None
        Each home's class, or None when nothing merges (or the tables are
        invalid: validation then reports on the original region).
    """
    homes = region.homes
    if len(homes) < 2:
        return region, None
    try:
        named: set[object] = set()
        if closures is not None:
            named |= set(normalise(closures, CLOSURES).home_id)
        if costs is not None:
            named |= set(normalise(costs, COSTS).site_id)
        if options is not None and "option_id" in options and homes.home_id.isin(options.option_id).any():
            return region, None  # an id clash: prepare reports it on the original homes
        sizes = normalise(forecast, FORECAST) if forecast is not None else None
    except (InvalidInputError, KeyError, TypeError, ValueError):  # invalid tables: prepare raises the proper error
        return region, None
    if sizes is not None and len(sizes):
        grouped = sizes.loc[sizes.group_size > 1]
        g = grouped.group_size.unique()
        group_needs = set(region.cohorts.need[region.cohorts.cohort_id.isin(grouped.cohort_id)])
        takes = homes.needs.map(lambda v: bool(group_needs & {x.strip() for x in str(v).split(";")})).to_numpy(dtype=bool)
        whole = (len(g) == 1) & (homes.places.to_numpy() % int(g[0] if len(g) else 1) == 0)
        named |= set(homes.home_id[takes & ~whole])
    keys = {"home_id": np.where(homes.home_id.isin(list(named)), homes.home_id, "").astype(object)}
    if params.max_provider_group_share is not None:
        providers = region.providers.set_index("provider_id")
        keys["provider_group"] = homes.provider_id.map(providers.group).to_numpy(dtype=object)
        keys["sector"] = homes.provider_id.map(providers.sector).to_numpy(dtype=object)
    free = Region(region.name, region.councils, region.providers, homes, region.cohorts, region.placements.iloc[0:0], region.travel)
    classes, home_class = aggregate_homes(free, keys)
    n = len(classes.homes)
    if n == len(homes):
        return region, None
    size = np.bincount(home_class, minlength=n)
    first = class_representatives(home_class)
    ids = np.where(size == 1, homes.home_id.to_numpy(dtype=object)[first], classes.homes.home_id.to_numpy(dtype=object))
    c = classes
    merged = Region(c.name, c.councils, c.providers, c.homes.assign(home_id=ids), c.cohorts, c.placements, c.travel)
    return merged, home_class


def _split_placements(
    region: Region, merged: Region, home_class: np.ndarray, placements: pd.DataFrame, group_size: np.ndarray, whole: bool
) -> pd.DataFrame:
    """Share each year's placements in a class of homes among its homes.

    Each year the class's homes fill in table order (as
    :func:`rcc.allocation.engine.split_flows`), cohorts placed in groups first and in
    whole groups, so every row names a real home, no home holds more
    children than its places and no group is split between homes.

    Parameters
    ----------
    region : Region
        The original region.
    merged : Region
        The region with one home per class (from :func:`_merge_homes`).
    home_class : numpy.ndarray
        Each original home's class.
    placements : pandas.DataFrame
        The plan's placements, naming classes.
    group_size : numpy.ndarray
        Children per group of each cohort (rows of ``region.cohorts``).
    whole : bool
        Whether children are whole (integer columns).

    Returns
    -------
    pandas.DataFrame
        The placements naming homes, in the same order.
    """
    homes = region.homes
    n = len(merged.homes)
    size = np.bincount(home_class, minlength=n)
    class_pos = pd.Index(merged.homes.home_id).get_indexer(placements.home_id)
    split = (class_pos >= 0) & (size[np.maximum(class_pos, 0)] > 1)
    if not split.any():
        return placements
    members = group_positions(home_class, n)
    places = homes.places.to_numpy(dtype=float)
    group = homes.provider_id.map(region.providers.set_index("provider_id").group).to_numpy(dtype=object)
    tol = 1e-9
    parts: list[tuple[int, int, float]] = []  # (placement row, home, children)
    rows = np.flatnonzero(split)
    years = placements.year.to_numpy()
    children = placements.children.to_numpy(dtype=float)
    g = np.asarray(group_size, dtype=float)[pd.Index(region.cohorts.cohort_id).get_indexer(placements.cohort_id)]
    for year in np.unique(years[rows]).tolist():
        free = places.copy()
        at = rows[years[rows] == year]
        for r in at[np.argsort(-g[at], kind="stable")].tolist():  # whole groups first
            need = float(children[r])
            for h in members[int(class_pos[r])].tolist():
                take = min(np.floor(free[h] / g[r] + tol) * g[r], need)
                if take > tol:
                    parts.append((r, h, take))
                    free[h] -= take
                    need -= take
                if need <= tol:
                    break
            if need > tol:  # pragma: no cover - the class capacity row forbids it
                parts.append((r, int(members[int(class_pos[r])][-1]), need))
    idx = np.array([p[0] for p in parts], dtype=np.int64)
    h_idx = np.array([p[1] for p in parts], dtype=np.int64)
    new = placements.iloc[idx].reset_index(drop=True)
    h = homes.iloc[h_idx]
    new["home_id"] = h.home_id.to_numpy()
    new["home_type"] = h.home_type.to_numpy()
    new["provider_id"] = h.provider_id.to_numpy()
    new["provider_group"] = group[h_idx]
    share = np.array([p[2] for p in parts], dtype=float)
    new["children"] = np.round(share).astype(np.int64) if whole else share
    new["_row"] = idx
    keep = placements.loc[~split].assign(_row=np.flatnonzero(~split))
    out = pd.concat([keep, new], ignore_index=True).sort_values("_row", kind="stable", ignore_index=True)
    return out.drop(columns="_row").astype(placements.dtypes.to_dict())


class _Run:
    """Time accounting: one time limit for the whole plan, build and solve times, the current stage."""

    def __init__(self, params: SufficiencyParams, t0: float) -> None:
        self.params = params
        self.t0 = t0
        self.solve_s = 0.0
        self.build_s = 0.0
        self.stage = "build"

    def elapsed(self) -> float:
        """Seconds since the plan started."""
        return time.perf_counter() - self.t0

    def remaining(self) -> float | None:
        limit = self.params.solver.time_limit_s
        return None if limit is None else max(1.0, limit - self.elapsed())

    def out_of_time(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the time limit has been used."""
        limit = self.params.solver.time_limit_s
        return limit is not None and self.elapsed() >= share * limit

    def build(self, data: ModelData, labels: list[str], **kw: bool) -> SufficiencyModel:
        t = time.perf_counter()
        model = build_sufficiency(data, labels, **kw)
        self.build_s += time.perf_counter() - t
        return model

    def solve(self, model: SufficiencyModel, warm_start: bool = False) -> SolverOutcome:
        """Solve with the time left. HiGHS stops only at the requested relative
        gap (its default absolute gap of 1e-6 would let it stop earlier)."""
        options = attrs.evolve(self.params.solver, time_limit_s=self.remaining())
        if options.name == "highs":
            solver = _compat.highs_solver(
                msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads, warm_start=warm_start
            )
            solver.gapAbs = 0.0
            if not _compat.solver_available(solver):  # pragma: no cover - highspy is a dependency
                raise SolverError("solver 'highs' is not available here (expected it installed with rcc)")
            t = time.perf_counter()
            try:
                outcome = _compat.solve_problem(model.problem, solver)
            except Exception as exc:  # the solver crashed: say so, with the solver's words
                raise SolverError(f"{options.name} failed in the {self.stage}: {exc}") from exc
            seconds = time.perf_counter() - t
        else:
            outcome, seconds = run_solver(model.problem, options)
        self.solve_s += seconds
        return outcome

    def gap_tolerance(self) -> float:
        return self.params.solver.mip_gap if self.params.solver.mip_gap is not None else 1e-4


def _subset(data: ModelData, idx: np.ndarray) -> ModelData:
    return attrs.evolve(
        data, e_cohort=data.e_cohort[idx], e_site=data.e_site[idx], e_penalty=data.e_penalty[idx], e_weekly=data.e_weekly[idx]
    )


def _globalise(model: SufficiencyModel, data: ModelData, idx: np.ndarray) -> SufficiencyModel:
    return attrs.evolve(model, data=data, ey_edge=idx[model.ey_edge])


#: Seed: each cohort's cheapest homes until their places cover this many times its largest yearly demand.
_SEED_COVER = 2.0
#: Pricing: at most this many entering edges per cohort and round (the most negative reduced costs).
_ENTER_PER_COHORT = 10


def _initial_edges(prep: Prepared, radius: float) -> np.ndarray:
    """Edges within the radius, each cohort's 3 cheapest homes and 3 nearest
    options, its cheapest homes until their places cover twice its largest
    yearly demand, and every regional or national option edge."""
    d = prep.data
    e = prep.edges
    is_opt = d.site_option[d.e_site] >= 0
    score = d.e_penalty + d.per_gbp * d.e_weekly
    home_score = np.where(is_opt, np.inf, score)
    rank_home = pd.Series(home_score).groupby(d.e_cohort).rank(method="first").to_numpy()
    rank_opt = pd.Series(np.where(is_opt, e.distance_miles.to_numpy(), np.inf)).groupby(d.e_cohort).rank(method="first").to_numpy()
    wide = prep.sites.scope.to_numpy()[d.e_site] != "council"
    # cheapest homes first: places of the cheaper homes of the same cohort (before this one)
    order = np.lexsort((home_score, d.e_cohort))
    places = np.where(is_opt, 0.0, d.site_places[d.e_site])[order]
    before = pd.Series(places).groupby(d.e_cohort[order]).cumsum().to_numpy() - places
    covered = np.empty(len(order), dtype=bool)
    covered[order] = (before < _SEED_COVER * d.demand.max(axis=1)[d.e_cohort[order]]) & ~is_opt[order]
    return (e.distance_miles.to_numpy() <= radius) | (rank_home <= 3) | covered | (is_opt & ((rank_opt <= 3) | wide))


#: Pricing stops when the Lagrangian bound is within this fraction of the gap tolerance of the LP value.
_PRICING_TOL = 0.05
#: ... or when this share of the time limit is used (the rest is for finding a plan).
_PRICING_TIME_SHARE = 0.5


def lagrangian_bound(data: ModelData, objective: float, edge: np.ndarray, year: np.ndarray, rc: np.ndarray) -> float:
    """A lower bound on the LP over all edges from a restricted LP's value and
    the reduced costs of the edge-years it left out.

    With duals pi of the restricted LP (signs feasible), every plan x over all
    edges costs c x >= pi b + rc x >= objective + sum over left-out edge-years
    of min(0, rc) times the most units the edge-year can carry
    (its cohort's demand that year over the group size). Equal to
    ``objective`` when no reduced cost is negative.
    """
    neg = rc < 0
    cohort = data.e_cohort[edge[neg]]
    most = data.demand[cohort, year[neg]] / data.group_size[cohort]
    return objective + float(np.dot(rc[neg], most))


def _entering(data: ModelData, edge: np.ndarray, rc: np.ndarray, per_cohort: int) -> np.ndarray:
    """Edges to add in a pricing round: per cohort, the ``per_cohort`` edges
    with the most negative reduced cost (over their years). Adding a subset
    is exact: pricing stops only when no edge-year has a negative one."""
    neg = rc < -1e-6
    best = pd.Series(rc[neg]).groupby(edge[neg]).min()
    if best.empty:
        return np.zeros(0, dtype=np.int64)
    rank = best.groupby(data.e_cohort[best.index.to_numpy()]).rank(method="first").to_numpy()
    return best.index.to_numpy()[rank <= per_cohort].astype(np.int64)


def _solve_priced(
    prep: Prepared, labels: list[str], run: _Run
) -> tuple[SufficiencyModel | None, SolverOutcome, float | None, list[str]]:
    """Edge pricing, heuristic plans and a branch and bound over the whole model.

    1. Pricing (see ``SufficiencyParams.pricing_radius_miles``): LP
       relaxations over a growing edge set until the Lagrangian bound, a lower
       bound valid for every edge, is close to the LP value.
    2. Heuristics (LP rounding, then the LP's neighbourhood; single children
       made whole with units and closures fixed) give incumbents only: a plan
       is optimal here only when it is within the gap tolerance of that bound.
    3. Otherwise, while time remains, a branch and bound over every edge the
       reduced-cost test cannot rule out (all edges when there is no LP or no
       incumbent), started from the best plan so far.

    Returns the model holding the best plan (edges as global positions), the
    outcome (``status`` "optimal" only within the gap tolerance of a bound
    valid for the whole model, "time_limit" only when the clock ran out,
    "infeasible" when the whole model has no plan, else the solver's word and
    no solution), that bound, and notes.
    """
    data = prep.data
    tol = run.gap_tolerance()
    notes: list[str] = []
    active, lp, lp_bound, rounds = _price(prep, labels, run)
    if rounds:
        notes.append(f"{rounds} pricing round(s), {int(active.sum()):,} of {len(data.e_cohort):,} edges in the LP")
    best: _Incumbent | None = None
    model: SufficiencyModel | None = None
    idx = np.flatnonzero(active)
    if lp is not None and lp_bound is not None:
        run.stage = "LP rounding"
        model, best = _lp_heuristics(data, idx, labels, lp, lp_bound, run)
        if best is not None and _within(best.objective, lp_bound, tol):
            notes.append(f"{best.source}: within the gap tolerance of the LP bound over all edges")
            return _finish(data, model, idx, best, "optimal", lp_bound, notes)
    last = "optimal"
    bound = lp_bound
    if not run.out_of_time():
        idx, outside = _exact_edges(data, active, lp, lp_bound, best)
        if len(idx) < len(data.e_cohort):
            notes.append(f"branch and bound over {len(idx):,} of {len(data.e_cohort):,} edges (the rest ruled out by reduced costs)")
        run.stage = "branch and bound"
        model, best, exact_bound, last = _exact(data, idx, labels, run, best, outside, tol, notes)
        if best is None:
            return _globalise(model, data, idx), _no_plan(last), None, notes
        parts = [b for b in (exact_bound, lp_bound) if b is not None]
        bound = max(parts) if parts else None
    elif best is None or model is None:
        return None, _no_plan("time_limit"), None, notes
    if bound is not None and _within(best.objective, bound, tol):
        return _finish(data, model, idx, best, "optimal", bound, notes)
    if run.out_of_time() or last == "time_limit":
        return _finish(data, model, idx, best, "time_limit", bound, notes)
    gap = "unknown" if bound is None else f"{(best.objective - bound) / max(abs(best.objective), 1e-9):.3g}"
    raise SolverError(
        f"sufficiency plan: the {run.stage} ended {last} after {run.elapsed():.1f}s, before the time limit, with gap {gap} "
        f"above the requested {tol:g}: the plan is not proven within the gap"
    )


@attrs.define(eq=False)
class _Incumbent:
    """A whole plan of the model (integer where it must be), independent of the edge set it was found on."""

    objective: float
    key: np.ndarray  # global edge x years + year of each placement value
    v: np.ndarray
    u: np.ndarray
    n: np.ndarray
    z: np.ndarray
    source: str


def _snapshot(model: SufficiencyModel, idx: np.ndarray, objective: float, source: str) -> _Incumbent:
    """The plan ``model`` holds (edges local to ``idx``)."""
    d = model.data
    key = idx[model.ey_edge] * d.n_years + model.ey_year
    v, u, n, z = (np.asarray(_compat.values(vs), dtype=float) for vs in (model.v, model.u, model.n, model.z))
    whole = d.whole_children | (d.group_size[d.e_cohort[model.ey_edge]] > 1)
    v = np.where(whole, np.round(v), v)  # integer values as integers (the solver's are within its tolerance)
    return _Incumbent(float(objective), key, v, u, np.round(n), np.round(z), source)


def _load(model: SufficiencyModel, idx: np.ndarray, plan: _Incumbent) -> bool:
    """Give ``model`` (edges local to ``idx``) the incumbent's values; False when it uses an edge ``model`` lacks."""
    key = idx[model.ey_edge] * model.data.n_years + model.ey_year
    pos = pd.Index(key).get_indexer(plan.key)
    if (pos < 0).any() and np.abs(plan.v[pos < 0]).max() > 1e-9:
        return False
    v = np.zeros(len(key))
    v[pos[pos >= 0]] = plan.v[pos >= 0]
    for variables, vals in ((model.v, v), (model.u, plan.u), (model.n, plan.n), (model.z, plan.z)):
        low = np.array([-math.inf if x.lowBound is None else x.lowBound for x in variables], dtype=float)
        up = np.array([math.inf if x.upBound is None else x.upBound for x in variables], dtype=float)
        _compat.set_values(variables, np.clip(vals, low, up))  # within bounds: values off by the solver's tolerance
    return True


def _better(best: _Incumbent | None, new: _Incumbent | None) -> _Incumbent | None:
    if new is None:
        return best
    return new if best is None or new.objective < best.objective - 1e-9 * max(1.0, abs(best.objective)) else best


def _finish(
    data: ModelData, model: SufficiencyModel, idx: np.ndarray, best: _Incumbent, status: str, bound: float | None, notes: list[str]
) -> tuple[SufficiencyModel, SolverOutcome, float | None, list[str]]:
    """``model`` (over the edges ``idx``) holding the best plan, as returned by :func:`_solve_priced`."""
    if not _load(model, idx, best):  # pragma: no cover - edges only grow, so the last model holds every edge of the plan
        raise SolverError("sufficiency plan: the best plan uses an edge the final model lacks (a bug in rcc)")
    gap = None if bound is None else max(0.0, (best.objective - bound) / max(abs(best.objective), 1e-9))
    outcome = SolverOutcome(status, True, best.objective, bound, gap)
    return _globalise(model, data, idx), outcome, bound, notes


def _no_plan(status: str) -> SolverOutcome:
    return SolverOutcome(status, False)


def _price(prep: Prepared, labels: list[str], run: _Run) -> tuple[np.ndarray, SufficiencyModel | None, float | None, int]:
    """Pricing rounds: the active edges, the last LP relaxation over them (None
    when pricing is off or the LP was not solved), the Lagrangian bound (valid
    for all edges) and the number of rounds."""
    data = prep.data
    radius = run.params.pricing_radius_miles
    active = np.ones(len(data.e_cohort), dtype=bool) if radius is None else _initial_edges(prep, radius)
    exists = data.edge_years()
    tol = run.gap_tolerance()
    rounds = 0
    run.stage = "pricing"
    while not active.all():
        rounds += 1
        lp = run.build(_subset(data, np.flatnonzero(active)), labels, relaxed=True)
        out = run.solve(lp)
        if out.status != "optimal":
            return active, None, None, rounds
        ie, iy = np.nonzero(exists & ~active[:, None])
        rc = reduced_costs(lp, data, ie, iy)
        objective = float(out.objective)
        bound = lagrangian_bound(data, objective, ie, iy, rc)
        entering = _entering(data, ie, rc, _ENTER_PER_COHORT)
        close = objective - bound <= _PRICING_TOL * tol * max(abs(objective), 1e-9)
        # pricing may use half the time: the rest is for finding a plan (the Lagrangian bound stays valid)
        if close or not len(entering) or run.out_of_time(_PRICING_TIME_SHARE):
            return active, lp, bound, rounds
        active[entering] = True
    return active, None, None, rounds


def _lp_heuristics(
    data: ModelData, idx: np.ndarray, labels: list[str], lp: SufficiencyModel, lp_bound: float, run: _Run
) -> tuple[SufficiencyModel, _Incumbent | None]:
    """Incumbents near the LP relaxation ``lp`` (over the edges ``idx``): its
    rounding, then the MILP between the floor and ceiling of its units and
    closures. Returns the model they were found in and the best whole plan."""
    sub = _subset(data, idx)
    model = run.build(sub, labels, lazy=data.whole_children)
    rounded = _round_and_fix(model, lp, run)
    best = _whole_plan(sub, idx, labels, model, rounded, run, "LP relaxation rounded")
    if (best is None or not _within(best.objective, lp_bound, run.gap_tolerance())) and not run.out_of_time():
        run.stage = "LP neighbourhood"
        near = _lp_neighbourhood(model, lp, run, warm_start=rounded is not None)
        best = _better(best, _whole_plan(sub, idx, labels, model, near, run, "units and closures searched near the LP"))
    return model, best


def _whole_plan(
    sub: ModelData, idx: np.ndarray, labels: list[str], model: SufficiencyModel, outcome: SolverOutcome | None, run: _Run, source: str
) -> _Incumbent | None:
    """The plan ``model`` holds after ``outcome``, made whole (single children's
    placements integer, units and closures fixed) when it is not."""
    if outcome is None or not outcome.has_solution:
        return None
    if not (sub.whole_children and _fractional(model)):
        return _snapshot(model, idx, float(outcome.objective), source)
    repaired, whole = _repair_whole(sub, labels, model, run)
    if not whole.has_solution:
        return None
    return _snapshot(repaired, idx, float(whole.objective), f"{source}, single children made whole")


def _exact_edges(
    data: ModelData, active: np.ndarray, lp: SufficiencyModel | None, lp_bound: float | None, best: _Incumbent | None
) -> tuple[np.ndarray, float]:
    """Edges of the branch and bound and a lower bound on any plan using another edge.

    Every edge when there is no LP or no incumbent. Otherwise the active
    edges and every inactive edge the reduced-cost test cannot rule out: a
    placement unit on an inactive edge-year costs at least the Lagrangian
    bound plus its reduced cost, so an edge-year whose reduced cost is at
    least the incumbent's distance to that bound cannot improve on the
    incumbent (fractional placements cannot be ruled out this way: all are
    added). The bound on plans using the edges left out is the Lagrangian
    bound plus their least reduced cost (inf when none is left out).
    """
    if lp is None or lp_bound is None or best is None or active.all():
        return np.arange(len(data.e_cohort)), math.inf
    ie, iy = np.nonzero(data.edge_years() & ~active[:, None])
    rc = reduced_costs(lp, data, ie, iy)
    unit_integral = data.whole_children | (data.group_size[data.e_cohort[ie]] > 1)
    risky = ~unit_integral | (rc < best.objective - lp_bound)
    chosen = active.copy()
    chosen[ie[risky]] = True
    rest = ~chosen[ie]
    outside = lp_bound + float(rc[rest].min()) if rest.any() else math.inf
    return np.flatnonzero(chosen), outside


def _bound_of(outcome: SolverOutcome, tol: float) -> float | None:
    """The solver's lower bound (HiGHS reports it; an optimal CBC run is within the gap tolerance)."""
    if outcome.bound is not None and math.isfinite(outcome.bound):
        return float(outcome.bound)
    if outcome.status == "optimal" and outcome.objective is not None:
        ub = float(outcome.objective)
        return ub - tol * abs(ub)
    return None


def _exact(
    data: ModelData,
    idx: np.ndarray,
    labels: list[str],
    run: _Run,
    best: _Incumbent | None,
    outside: float,
    tol: float,
    notes: list[str],
) -> tuple[SufficiencyModel, _Incumbent | None, float | None, str]:
    """Branch and bound over the edges ``idx``, started from ``best``.

    Whole children: first the model with single children's placements
    continuous (a relaxation: its bound holds for the whole model over these
    edges); its plan, made whole if needed, is an incumbent. Then, unless an
    incumbent is within the gap tolerance of that bound, the model with every
    placement integer. Returns the last model built, the best plan, a lower
    bound valid for every edge (``outside`` bounds plans using the edges left
    out) and the last solver status.
    """
    sub = _subset(data, idx)
    bound = -math.inf
    singles = data.whole_children and bool((data.group_size[data.e_cohort[idx]] == 1).any())
    if singles:
        lazy = run.build(sub, labels, lazy=True)
        out = run.solve(lazy, warm_start=best is not None and _load(lazy, idx, best))
        if out.status in ("infeasible", "unbounded") and not out.has_solution and best is None:
            return lazy, None, None, out.status
        b = _bound_of(out, tol)
        bound = b if b is not None else bound
        best = _better(best, _whole_plan(sub, idx, labels, lazy, out, run, "branch and bound"))
        last = out.status
        if best is None:
            if run.out_of_time() or last != "optimal":
                return lazy, None, None, last
        elif _within(best.objective, min(bound, outside), tol) or run.out_of_time():
            whole = min(bound, outside)
            return lazy, best, whole if math.isfinite(whole) else None, last
        notes.append("single children's placements: branch and bound with every placement whole")
    model = run.build(sub, labels)
    out = run.solve(model, warm_start=best is not None and _load(model, idx, best))
    if out.status in ("infeasible", "unbounded") and not out.has_solution and best is None:
        return model, None, None, out.status
    if out.has_solution:
        best = _better(best, _snapshot(model, idx, float(out.objective), "branch and bound"))
    b = _bound_of(out, tol)
    bound = max(bound, b) if b is not None else bound
    whole = min(bound, outside)
    return model, best, whole if math.isfinite(whole) else None, out.status


def _within(ub: float, lb: float, tol: float) -> bool:
    """Whether an incumbent is within the relative gap tolerance of a bound
    (with a rounding allowance of 1e-9 relative)."""
    return ub - lb <= tol * max(abs(ub), 1e-9) + 1e-9 * max(abs(ub), 1.0)


def _fractional(model: SufficiencyModel) -> bool:
    """Whether any placement is a fraction of a child."""
    x = np.asarray(_compat.values(model.v), dtype=float)
    return bool(np.abs(x - np.round(x)).max(initial=0.0) > 1e-6)


def _repair_whole(
    sub: ModelData, labels: list[str], lazy_model: SufficiencyModel, run: _Run
) -> tuple[SufficiencyModel, dict[str, Any]]:
    """Whole children: rebuild with every placement integer, units and closures
    fixed at the lazy model's values, and solve (a near-transportation MIP)."""
    n_val = np.round(_compat.values(lazy_model.n))
    z_val = np.round(_compat.values(lazy_model.z))
    model = run.build(sub, labels)
    for var, val in zip(list(model.n) + list(model.z), np.r_[n_val, z_val]):
        var.lowBound = var.upBound = float(val)
    return model, run.solve(model)


def _lp_neighbourhood(model: SufficiencyModel, lp: SufficiencyModel, run: _Run, warm_start: bool) -> SolverOutcome | None:
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
    lp_values = np.r_[np.asarray(_compat.values(lp.n), dtype=float), np.asarray(_compat.values(lp.z), dtype=float)]
    bounds = [(v.lowBound, v.upBound) for v in fixed]
    for var, val, (lo, up) in zip(fixed, lp_values, bounds):
        var.lowBound = max(float(lo or 0.0), float(np.floor(val + 1e-6)))
        var.upBound = float(np.ceil(val - 1e-6)) if up is None else min(float(up), float(np.ceil(val - 1e-6)))
    try:
        outcome = run.solve(model, warm_start=warm_start)
    finally:
        for var, (lo, up) in zip(fixed, bounds):
            var.lowBound, var.upBound = lo, up
    return outcome if outcome.has_solution else None


def _round_and_fix(model: SufficiencyModel, lp: SufficiencyModel, run: _Run) -> SolverOutcome | None:
    """LP-rounding heuristic (``model`` and ``lp`` are built on the same edges).

    Units: the LP values rounded down, then rounded up one at a time (largest
    fraction first) while every budget row and unit limit still holds;
    closures rounded. Sibling-group placements the LP already made whole are
    kept where their site's places did not shrink. With those fixed, solve
    for the remaining placements; restore the bounds. Returns the outcome, or
    None when nothing feasible was found.
    """
    d = model.data
    n_lp = np.asarray(_compat.values(lp.n), dtype=float)
    z_lp = np.asarray(_compat.values(lp.z), dtype=float)
    n_fix = np.floor(n_lp + 1e-6)
    z_fix = np.round(z_lp)
    # budget rows as (coefficients on n, constant from the other LP values, rhs)
    n_pos = {id(v): i for i, v in enumerate(model.n)}
    lp_val = {id(v): x for v, x in zip(model.v, _compat.values(lp.v))}
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
    # keep whole sibling-group placements where the site kept its LP places
    shrunk = np.zeros(len(d.site_option), dtype=bool)
    down = np.zeros(d.n_options, dtype=bool)
    np.logical_or.at(down, model.n_option, n_fix < n_lp - 1e-6)
    shrunk[d.opt_site[down]] = True
    if len(model.z):
        shrunk[d.close_site[model.z_close[z_fix > z_lp + 1e-6]]] = True
    v_lp = np.asarray(_compat.values(lp.v), dtype=float)
    group = d.group_size[d.e_cohort[model.ey_edge]] > 1
    keep = group & (np.abs(v_lp - np.round(v_lp)) <= 1e-6) & ~shrunk[d.e_site[model.ey_edge]]
    fixed = list(model.n) + list(model.z)
    bounds = [(v.lowBound, v.upBound) for v in fixed]
    v_bounds = [(model.v[p].lowBound, model.v[p].upBound) for p in np.flatnonzero(keep)]
    best = None
    for fix_v in (True, False):
        for var, val in zip(fixed, np.r_[n_fix, z_fix]):
            var.lowBound = var.upBound = float(val)
        if fix_v:
            for p in np.flatnonzero(keep):
                model.v[p].lowBound = model.v[p].upBound = float(np.round(v_lp[p]))
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


def _empty_explanation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": pd.Series(dtype=object),
            "scope": pd.Series(dtype=object),
            "year": pd.Series(dtype="Int64"),
            "limit": pd.Series(dtype=float),
            "needed": pd.Series(dtype=float),
            "violation": pd.Series(dtype=float),
            "unit": pd.Series(dtype=object),
            "words": pd.Series(dtype=object),
        }
    )


_RULE_WORDS = {
    "capital_budget": ("capital budget", "more capital than the budget is needed"),
    "revenue_budget": ("revenue budget", "more revenue than the budget is needed"),
    "inside_region_share": ("minimum share placed inside the RCC", "fewer children than the target can be placed inside"),
    "provider_share": ("maximum share of one provider group", "more children than the cap must go to this group"),
    "committed_units": ("committed units", "fewer units than committed can be built in time"),
}


def _explain(
    prep: Prepared, labels: list[str], run: _Run, model: SufficiencyModel
) -> tuple[SufficiencyModel, pd.DataFrame, dict[str, Any]]:
    """Elastic diagnosis over the edges of ``model``: minimise the relative
    violation of the hard rules, then, with each violation capped at that
    minimum, the usual objective."""
    data = prep.data
    idx = np.unique(model.ey_edge) if len(model.ey_edge) else np.arange(len(data.e_cohort))
    elastic = run.build(_subset(data, idx), labels, elastic=True)
    outcome = run.solve(elastic)
    if not outcome.has_solution:
        return _globalise(elastic, data, idx), _empty_explanation(), outcome
    lhs, slack = hard_row_values(elastic)
    rows = []
    for r, a, s in zip(elastic.hard, lhs, slack):
        if s > 1e-6 * slack_scale(r):
            rule, words = _RULE_WORDS[r.family]
            rows.append(
                {"rule": rule, "scope": r.label, "year": r.year, "limit": r.rhs, "needed": a, "violation": s, "unit": r.unit, "words": words}
            )
        r.slack.upBound = float(s) * (1 + 1e-7) + 1e-6 * slack_scale(r)
    var = {k: getattr(elastic, k) for k in ("ey_edge", "ey_year", "v", "u_index", "u", "n_option", "n_year", "n", "z_close", "z_year", "z")}
    define_objective(elastic.problem, _subset(data, idx), var, elastic.hard, elastic=False)
    outcome2 = run.solve(elastic)
    if not outcome2.has_solution:  # pragma: no cover - the capped elastic model is feasible by construction
        outcome2 = outcome
    explanation = pd.DataFrame(rows) if rows else _empty_explanation()
    if len(explanation):
        explanation["year"] = explanation.year.astype("Int64")
    return _globalise(elastic, data, idx), explanation, outcome2


# ---------------------------------------------------------------------------- result tables
def _result(
    prep: Prepared,
    model: SufficiencyModel,
    outcome: SolverOutcome,
    status: PlanStatus,
    info: SolveInfo,
    explanation: pd.DataFrame,
    homes_per_site: np.ndarray | None = None,
) -> SufficiencyPlan:
    d = prep.data
    Y = d.n_years
    if outcome.has_solution:
        sol = solution_values(model)
    else:
        sol = {"x": np.zeros(len(model.v)), "unmet": d.demand.copy(), "n": np.zeros(len(model.n)), "z": np.zeros(len(model.z))}
    if d.whole_children:
        sol["x"] = np.round(sol["x"])
        sol["unmet"] = np.round(sol["unmet"])
    units = np.zeros((d.n_options, Y))
    np.add.at(units, (model.n_option, model.n_year), sol["n"])
    avail = np.zeros((d.n_options, Y))
    for o in range(d.n_options):
        for t in range(Y):
            if units[o, t] and t + d.opt_lag[o] < Y:
                avail[o, t + d.opt_lag[o] :] += units[o, t]
    closed = np.zeros((len(d.close_site), Y))
    if len(model.z):
        closed[model.z_close, model.z_year] = sol["z"]
    builds = _builds(prep, units)
    closures = _closures(prep, closed)
    placements = _placements(prep, model, sol["x"])
    costs_y = _costs(prep, units, avail, closed, placements)
    budget_use = _budget_use(prep, model, outcome)
    shortfall = _shortfall(prep, model, sol, units, avail, closed, budget_use, homes_per_site)
    capacity = _capacity(prep, avail, closed)
    growth = _growth(prep, placements, sol["unmet"], avail, closed)
    metrics = _metrics(prep, placements, shortfall, avail, closed)
    objective = outcome.objective if outcome.has_solution and not model.elastic else None
    if model.elastic and outcome.has_solution:
        objective = float(outcome.objective)
    return SufficiencyPlan(
        region=prep.region,
        years=Y,
        status=status,
        objective=objective,
        builds=builds,
        closures=closures,
        placements=placements,
        shortfall=shortfall,
        costs=costs_y,
        budget_use=budget_use,
        capacity=capacity,
        growth_vs_moves=growth,
        explanation=explanation,
        metrics=metrics,
        info=info,
    )


def _council_names(prep: Prepared) -> pd.Series:
    return prep.region.councils.set_index("council_id").name


def _builds(prep: Prepared, units: np.ndarray) -> pd.DataFrame:
    d, o = prep.data, prep.options
    oi, ti = np.nonzero(units > 0.5)
    rows = o.iloc[oi]
    n = units[oi, ti].astype(np.int64)
    return pd.DataFrame(
        {
            "option_id": rows.option_id.to_numpy(),
            "name": rows.name.to_numpy(),
            "council_id": rows.council_id.to_numpy(),
            "council_name": rows.council_id.map(_council_names(prep)).to_numpy(),
            "home_type": rows.home_type.to_numpy(),
            "scope": rows.scope.to_numpy(),
            "provider_id": rows.provider_id.to_numpy(),
            "year_started": ti + 1,
            "year_available": ti + 1 + d.opt_lag[oi],
            "units": n,
            "places": n * rows.places_per_unit.to_numpy(),
            "capital_gbp": n * rows.capital_cost_gbp.to_numpy(),
            "start_up_gbp": n * rows.start_up_cost_gbp.to_numpy(),
            "annual_running_gbp": n * rows.annual_running_cost_gbp.to_numpy(),
        }
    ).sort_values(["year_started", "council_name", "option_id"], kind="stable", ignore_index=True)


def _closures(prep: Prepared, closed: np.ndarray) -> pd.DataFrame:
    d = prep.data
    ever = closed.max(axis=1, initial=0) > 0.5 if closed.size else np.zeros(len(d.close_site), dtype=bool)
    k = np.flatnonzero(ever)
    homes = prep.region.homes.iloc[d.close_site[k]]
    return pd.DataFrame(
        {
            "home_id": homes.home_id.to_numpy(),
            "council_id": homes.council_id.to_numpy(),
            "home_type": homes.home_type.to_numpy(),
            "places": homes.places.to_numpy(),
            "year_closed": (closed[k] > 0.5).argmax(axis=1) + 1 if len(k) else np.zeros(0, dtype=np.int64),
            "closure_cost_gbp": d.close_cost[k],
            "annual_saving_gbp": d.close_saving[k],
        }
    )


def _placements(prep: Prepared, model: SufficiencyModel, x: np.ndarray) -> pd.DataFrame:
    d = prep.data
    used = x > 1e-6
    edge = model.ey_edge[used]
    e = prep.edges.iloc[edge]
    c = prep.region.cohorts.iloc[e.cohort.to_numpy()]
    s = prep.sites.iloc[e.site.to_numpy()]
    children = x[used] if not d.whole_children else x[used].astype(np.int64)
    return pd.DataFrame(
        {
            "year": model.ey_year[used] + 1,
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "home_id": s.home_id.to_numpy(),
            "home_council_id": s.council_id.to_numpy(),
            "home_type": s.home_type.to_numpy(),
            "provider_id": s.provider_id.to_numpy(),
            "provider_group": s.provider_group.to_numpy(),
            "children": children,
            "held": np.zeros(int(used.sum()), dtype=np.int64),
            "distance_miles": e.distance_miles.to_numpy(),
            "inside_own_council": e.inside_own_council.to_numpy(),
            "weekly_cost_gbp": e.weekly_cost_gbp.to_numpy(),
            "new_capacity": s.is_option.to_numpy(dtype=bool),
        }
    ).sort_values(["year", "cohort_id", "distance_miles"], kind="stable", ignore_index=True)


def _costs(prep: Prepared, units: np.ndarray, avail: np.ndarray, closed: np.ndarray, placements: pd.DataFrame) -> pd.DataFrame:
    d = prep.data
    Y = d.n_years
    prev = np.c_[np.zeros((closed.shape[0], 1)), closed[:, :-1]] if closed.size else closed
    place = (
        (placements.children * placements.weekly_cost_gbp * d.weeks_per_year).groupby(placements.year).sum().reindex(range(1, Y + 1), fill_value=0.0)
    )
    out = pd.DataFrame(
        {
            "year": np.arange(1, Y + 1),
            "capital_gbp": d.opt_capital @ units,
            "start_up_gbp": d.opt_start_up @ units,
            "running_gbp": d.opt_running @ avail,
            "closure_cost_gbp": d.close_cost @ (closed - prev) if closed.size else np.zeros(Y),
            "savings_gbp": d.close_saving @ closed if closed.size else np.zeros(Y),
            "placements_gbp": place.to_numpy(dtype=float),
        }
    )
    out["programme_revenue_gbp"] = out.start_up_gbp + out.running_gbp + out.closure_cost_gbp - out.savings_gbp
    out["revenue_gbp"] = out.programme_revenue_gbp + out.placements_gbp
    out["total_gbp"] = out.capital_gbp + out.revenue_gbp
    return out


def _budget_use(prep: Prepared, model: SufficiencyModel, outcome: SolverOutcome) -> pd.DataFrame:
    rows = []
    lhs, _ = hard_row_values(model) if outcome.has_solution else (np.zeros(len(model.hard)), None)
    for r, a in zip(model.hard, lhs):
        if r.family not in ("capital_budget", "revenue_budget"):
            continue
        rows.append(
            {
                "budget": r.label,
                "kind": "capital" if r.family == "capital_budget" else "revenue",
                "year": r.year,
                "limit_gbp": r.rhs,
                "used_gbp": a,
                "headroom_gbp": r.rhs - a,
                "budget_row": r.ref,
            }
        )
    out = pd.DataFrame(rows, columns=["budget", "kind", "year", "limit_gbp", "used_gbp", "headroom_gbp", "budget_row"])
    out["year"] = out.year.astype("Int64")
    # binding: no room left for one more unit of the cheapest option the budget covers
    d = prep.data
    opt_council = d.site_council[d.opt_site]
    unit_cost = []
    for r in out.itertuples():
        covered = d.budgets[r.budget_row].councils[opt_council]
        cost = d.opt_capital if r.kind == "capital" else d.opt_start_up + d.opt_running
        cost = cost[covered & (cost > 0)]
        unit_cost.append(float(cost.min()) if len(cost) else 0.0)
    out["binding"] = out.headroom_gbp.to_numpy() < np.maximum(np.asarray(unit_cost), 1.0)
    return out


def _shortfall(
    prep: Prepared,
    model: SufficiencyModel,
    sol: dict[str, np.ndarray],
    units: np.ndarray,
    avail: np.ndarray,
    closed: np.ndarray,
    budget_use: pd.DataFrame,
    homes_per_site: np.ndarray | None = None,
) -> pd.DataFrame:
    """Children without a home per cohort-year, with the reason.

    ``homes_per_site``: homes in each site when interchangeable homes were
    merged into classes (reasons count homes, not classes).

    ``unreachable``: no eligible home or option within reach; ``lead_time``:
    eligible options exist but none can open by that year; ``budget``: an
    eligible option could open in time but no budget covering it has room for
    one more unit; ``provider_share``: an eligible home has room but its group
    is at the cap; ``capacity``: eligible homes full and eligible options at
    their unit limits; ``weights``: room was affordable but the objective
    weights preferred leaving the child without a home (check the weights).
    """
    d = prep.data
    Y = d.n_years
    unmet = sol["unmet"]
    tol = 0.5 if d.whole_children else 1e-6
    cs, ys = np.nonzero(unmet > tol)
    by_cohort = group_positions(d.e_cohort, d.n_cohorts)
    site_used = np.zeros((len(d.site_option), Y))
    np.add.at(site_used, (d.e_site[model.ey_edge], model.ey_year), sol["x"])
    cap = np.zeros((len(d.site_option), Y))
    is_home = d.site_option < 0
    cap[is_home] = d.site_places[is_home][:, None]
    if len(d.close_site):
        cap[d.close_site] *= 1 - closed
    cap[d.opt_site] = d.site_places[d.opt_site][:, None] * avail
    group_capped = set()
    for r in model.hard:
        if r.family == "provider_share" and r.variables:
            used = float(np.dot(_compat.values(r.variables), r.coefs))
            if used >= r.rhs - 1e-6 - (1.0 if d.whole_children else 0.0):
                group_capped.add((r.ref, (r.year or 1) - 1))
    opt_council = d.site_council[d.opt_site]
    tight_budgets = []  # (councils mask, years mask, capital headroom, revenue headroom)
    for row in budget_use.itertuples():
        b = d.budgets[row.budget_row]
        tight_budgets.append((b, row.kind, float(row.headroom_gbp)))
    names = prep.options.name.to_numpy()
    codes, reasons = [], []
    for c, y in zip(cs, ys):
        pos = by_cohort[c]
        sites = d.e_site[pos]
        if not len(sites):
            codes.append("unreachable")
            need, band = prep.region.cohorts.need.iloc[c], prep.region.cohorts.age_band.iloc[c]
            reasons.append(f"no home or option registered for {need} aged {band} within reach")
            continue
        homes = sites[d.site_option[sites] < 0]
        n_homes = int(homes_per_site[homes].sum()) if homes_per_site is not None else len(homes)
        room = homes[site_used[homes, y] < cap[homes, y] - tol]
        if len(room):
            if any((int(d.site_group[s]), int(y)) in group_capped for s in room):
                codes.append("provider_share")
                reasons.append("eligible homes have room but their provider group is at the market-share cap")
            else:
                codes.append("weights")
                reasons.append("eligible homes have room; the objective weights (or an early stop: see the gap) left the child unplaced")
            continue
        opts = d.site_option[sites[d.site_option[sites] >= 0]]
        first = d.opt_earliest[opts] + d.opt_lag[opts]
        in_time = opts[first <= y]
        growable = [
            o
            for o in in_time
            if units[o].sum() < d.opt_max_units[o]
            and any(units[o, t] < d.opt_max_per_year[o] for t in range(int(d.opt_earliest[o]), int(y - d.opt_lag[o]) + 1))
        ]
        if growable:
            blocked = [_blocking_budget(d, int(o), int(y), units, opt_council, tight_budgets) for o in growable]
            if all(b is not None for b in blocked):
                codes.append("budget")
                reasons.append(f"new capacity ({names[growable[0]]}) could open in time but {blocked[0]} has no room")
            else:
                codes.append("weights")
                reasons.append(
                    "affordable new capacity exists; the objective weights (or an early stop: see the gap) left it unbuilt"
                )
            continue
        if len(opts) and not len(in_time):
            codes.append("lead_time")
            o = opts[np.argmin(first)]
            reasons.append(f"all {n_homes} eligible homes full; the earliest new capacity ({names[o]}) opens in year {int(first.min()) + 1}")
            continue
        codes.append("capacity")
        what = "eligible options at their unit limits" if len(opts) else "no candidate option for this need"
        reasons.append(f"all {n_homes} eligible homes full; {what}")
    c = prep.region.cohorts.iloc[cs]
    children = unmet[cs, ys]
    return pd.DataFrame(
        {
            "year": ys + 1,
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "children": children.astype(np.int64) if d.whole_children else children,
            "reason_code": pd.Series(codes, dtype=object),
            "reason": pd.Series(reasons, dtype=object),
        }
    )


def _blocking_budget(d: Any, o: int, y: int, units: np.ndarray, opt_council: np.ndarray, budgets: list) -> str | None:  # type: ignore[type-arg]
    """The budget that leaves no room for one more unit of option o started in
    any year that delivers by year y (None when some start year is affordable)."""
    blocker = None
    for t in range(int(d.opt_earliest[o]), int(y - d.opt_lag[o]) + 1):
        if units[o, t] >= d.opt_max_per_year[o]:
            continue
        block_t = None
        for b, kind, headroom in budgets:
            if not b.councils[opt_council[o]]:
                continue
            if kind == "capital" and b.years[t] and headroom < d.opt_capital[o] - 1e-6:
                block_t = b.label
            years_open = b.years[t + d.opt_lag[o] :].sum()
            need = d.opt_start_up[o] * b.years[t] + d.opt_running[o] * years_open
            if kind == "revenue" and need > 0 and headroom < need - 1e-6:
                block_t = b.label
        if block_t is None:
            return None
        blocker = block_t
    return blocker


def _capacity(prep: Prepared, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
    d = prep.data
    ids = prep.region.council_ids
    n_c, Y = len(ids), d.n_years
    homes = prep.region.homes
    existing = np.bincount(d.site_council[: len(homes)], weights=homes.places.to_numpy(dtype=float), minlength=n_c)
    closed_places = np.zeros((n_c, Y))
    if len(d.close_site):
        np.add.at(closed_places, d.site_council[d.close_site], closed * d.site_places[d.close_site][:, None])
    new = np.zeros((n_c, Y))
    np.add.at(new, d.site_council[d.opt_site], avail * d.site_places[d.opt_site][:, None])
    out = pd.DataFrame(
        {
            "council_id": np.repeat(ids, Y),
            "year": np.tile(np.arange(1, Y + 1), n_c),
            "existing_places": (existing[:, None] - closed_places).ravel(),
            "closed_places": closed_places.ravel(),
            "new_places": new.ravel(),
        }
    )
    out["net_new_places"] = out.new_places - out.closed_places
    for col in ("existing_places", "closed_places", "new_places", "net_new_places"):
        out[col] = out[col].round().astype(np.int64)
    out.insert(1, "council_name", out.council_id.map(_council_names(prep)))
    return out


def _growth(prep: Prepared, placements: pd.DataFrame, unmet: np.ndarray, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
    """Per RCC and year: net new places inside it versus children moved home from outside."""
    d = prep.data
    Y = d.n_years
    rows = []
    ids = pd.Index(prep.region.council_ids)
    p_c = ids.get_indexer(placements.council_id)
    p_h = ids.get_indexer(placements.home_council_id)
    for name, mask in zip(d.rcc_names, d.rcc_councils):
        own = mask[p_c] if len(placements) else np.zeros(0, dtype=bool)
        inside = mask[p_h] if len(placements) else np.zeros(0, dtype=bool)
        new = placements.new_capacity.to_numpy(dtype=bool)
        ch = placements.children.to_numpy(dtype=float)
        yr = placements.year.to_numpy()
        cohort_in = mask[d.cohort_council]
        new_places = (avail * d.site_places[d.opt_site][:, None])[mask[d.site_council[d.opt_site]]].sum(axis=0)
        closed_places = (
            (closed * d.site_places[d.close_site][:, None])[mask[d.site_council[d.close_site]]].sum(axis=0)
            if len(d.close_site)
            else np.zeros(Y)
        )
        for y in range(1, Y + 1):
            at = yr == y
            rows.append(
                {
                    "rcc": name,
                    "year": y,
                    "children": float(d.demand[cohort_in, y - 1].sum()),
                    "children_inside_existing": float(ch[at & own & inside & ~new].sum()),
                    "children_in_new_places": float(ch[at & own & inside & new].sum()),
                    "children_outside": float(ch[at & own & ~inside].sum()),
                    "children_without_home": float(unmet[cohort_in, y - 1].sum()),
                    "others_children_inside": float(ch[at & ~own & inside].sum()),
                    "new_places": float(new_places[y - 1]),
                    "closed_places": float(closed_places[y - 1]),
                }
            )
    out = pd.DataFrame(rows)
    if not len(out):
        return out
    out["net_new_places"] = (out.new_places - out.closed_places).round().astype(np.int64)
    first_outside = out.groupby("rcc", sort=False).children_outside.transform("first")
    out["moved_in_from_outside"] = (first_outside - out.children_outside).clip(lower=0)
    return out


def _metrics(prep: Prepared, placements: pd.DataFrame, shortfall: pd.DataFrame, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
    d = prep.data
    existing = float(prep.region.homes.places.sum())
    closed_places = (closed * d.site_places[d.close_site][:, None]).sum(axis=0) if len(d.close_site) else np.zeros(d.n_years)
    new_places = (avail * d.site_places[d.opt_site][:, None]).sum(axis=0)
    frames = []
    for y in range(1, d.n_years + 1):
        places = existing - closed_places[y - 1] + new_places[y - 1]
        m = metrics_table(placements[placements.year == y], shortfall[shortfall.year == y], places)
        m.index = pd.Index([y], name="year")
        frames.append(m)
    return pd.concat(frames)
