"""The tables of a :class:`rcc.sufficiency.SufficiencyPlan` from a solved sufficiency model."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.model import group_positions
from rcc.allocation.result import PlanStatus, SolveInfo, metrics_table
from rcc.core.solvers import SolverOutcome
from rcc.sufficiency import arrays
from rcc.sufficiency.held import held_placements, ungroup_remainders
from rcc.sufficiency.inputs import SufficiencyInputs
from rcc.sufficiency.model import SufficiencyModel, hard_row_values, solution_values
from rcc.sufficiency.result import SufficiencyPlan

__all__ = ["plan_tables"]


def plan_tables(
    prep: SufficiencyInputs,
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
    d, sol["unmet"] = ungroup_remainders(d, sol["unmet"])  # remainder groups back in their cohorts
    prep, moves = _with_moves(attrs.evolve(prep, data=d), sol.get("moved"))
    d = prep.data
    if moves:
        info = attrs.evolve(info, note=f"{info.note}; {moves}")
    if d.whole_children:
        sol["x"] = np.round(sol["x"])
        sol["unmet"] = np.round(sol["unmet"])
    units = np.zeros((d.n_options, Y))
    np.add.at(units, (model.n_option, model.n_year), sol["n"])
    avail = d.units_open(units)  # units whose places count in each year (ModelData.unit_share)
    closed = np.zeros((len(d.close_site), Y))
    if len(model.z):
        closed[model.z_close, model.z_year] = sol["z"]
    builds = _builds(prep, units)
    closures = _closures(prep, closed)
    placements = _placements(prep, model.ey_edge, model.ey_year, sol["x"])
    if prep.held is not None:
        placements = _with_held(prep, placements)
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
        metrics_by_year=metrics,
        info=info,
    )


def _council_names(prep: SufficiencyInputs) -> pd.Series:
    return prep.region.councils.set_index("council_id").name


def _builds(prep: SufficiencyInputs, units: np.ndarray) -> pd.DataFrame:
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


def _closures(prep: SufficiencyInputs, closed: np.ndarray) -> pd.DataFrame:
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


def _with_moves(prep: SufficiencyInputs, moved: np.ndarray | None) -> tuple[SufficiencyInputs, str]:
    """The inputs as the plan left them when held children stepped down (``moved``: (P, Y) children of each
    eligible placement moved by each year): fewer held (their homes' places free, their cohorts' demand placed
    by the plan), and a note of the moves; unchanged (and no note) when none moved."""
    d, stock = prep.data, prep.held
    steps = d.held.steps if d.held is not None else None
    if moved is None or steps is None or stock is None or moved.sum() <= 1e-9:
        return prep, "" if steps is None else "step-downs allowed: none worth their cost"
    out = np.zeros(stock.children.shape)
    out[steps.held] = moved
    site, cohort = np.zeros(d.held.site.shape), np.zeros(d.held.demand.shape)
    np.add.at(site, steps.site, moved)
    np.add.at(cohort, steps.cohort, moved)
    held = attrs.evolve(d.held, site=d.held.site - site, demand=d.held.demand - cohort)
    data = attrs.evolve(d, held=held, demand=d.demand + cohort)
    before = np.c_[np.zeros(len(moved)), moved[:, :-1]]
    ratio = np.divide(steps.children, np.c_[steps.children[:, :1], steps.children[:, :-1]], out=np.zeros_like(moved), where=steps.children > 0)
    new = np.maximum(moved - ratio * before, 0.0).sum(axis=0)  # children moved in each year
    years = ", ".join(f"{v:,.0f} in year {y + 1}" for y, v in enumerate(new) if v > 0.5) or f"{new.sum():,.1f}"
    note = f"step-downs: {new.sum():,.0f} held children moved by plan ({years}); the plan places them with their cohorts"
    return attrs.evolve(prep, data=data, held=attrs.evolve(stock, children=stock.children - out)), note


def _placements(prep: SufficiencyInputs, edge_of: np.ndarray, year_of: np.ndarray, x: np.ndarray) -> pd.DataFrame:
    d = prep.data
    used = x > 1e-6
    edge = edge_of[used]
    e = prep.edges.iloc[edge]
    c = prep.region.cohorts.iloc[e.cohort.to_numpy()]
    s = prep.sites.iloc[e.site.to_numpy()]
    children = x[used] if not d.whole_children else x[used].astype(np.int64)
    return pd.DataFrame(
        {
            "year": year_of[used] + 1,
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


def _with_held(prep: SufficiencyInputs, placements: pd.DataFrame) -> pd.DataFrame:
    """The optimiser's placements and the held children's (``held`` = ``children``), by year and cohort."""
    stock = prep.held
    held = held_placements(stock.region, stock, prep.region.providers.set_index("provider_id").group)  # type: ignore[union-attr]
    if prep.data.whole_children:
        held = held.astype({"children": np.int64, "held": np.int64})
    out = pd.concat([placements, held.astype(placements.dtypes.to_dict())], ignore_index=True)
    return out.sort_values(["year", "cohort_id", "distance_miles"], kind="stable", ignore_index=True)


def _costs(prep: SufficiencyInputs, units: np.ndarray, avail: np.ndarray, closed: np.ndarray, placements: pd.DataFrame) -> pd.DataFrame:
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
            "running_gbp": (d.opt_running[:, None] * d.units_open(units, months=True)).sum(axis=0),
            "closure_cost_gbp": d.close_cost @ (closed - prev) if closed.size else np.zeros(Y),
            "savings_gbp": d.close_saving @ closed if closed.size else np.zeros(Y),
            "placements_gbp": place.to_numpy(dtype=float),
        }
    )
    out["programme_revenue_gbp"] = out.start_up_gbp + out.running_gbp + out.closure_cost_gbp - out.savings_gbp
    out["revenue_gbp"] = out.programme_revenue_gbp + out.placements_gbp
    out["total_gbp"] = out.capital_gbp + out.revenue_gbp
    return out


def _budget_use(prep: SufficiencyInputs, model: SufficiencyModel, outcome: SolverOutcome) -> pd.DataFrame:
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


@attrs.frozen(eq=False)
class _Room:
    """What the plan left free, for the shortfall reasons: children per site-year (``used``) against
    its places (``cap``), provider groups at the share cap by year, budgets with their headroom."""

    used: np.ndarray  # (S, Y) children placed
    cap: np.ndarray  # (S, Y) places open or available
    group_capped: set[tuple[int, int]]  # (provider group code, 0-based year)
    budgets: list[tuple[Any, str, float]]  # (budget row, kind, headroom)
    units: np.ndarray  # (O, Y) units started
    homes_per_site: np.ndarray | None
    tol: float


def _room(
    d: Any, model: SufficiencyModel, sol: dict[str, np.ndarray], units: np.ndarray, avail: np.ndarray, closed: np.ndarray,
    budget_use: pd.DataFrame, homes_per_site: np.ndarray | None,
) -> _Room:
    Y = d.n_years
    used = np.zeros((len(d.site_option), Y))
    np.add.at(used, (d.e_site[model.ey_edge], model.ey_year), sol["x"])
    cap = np.zeros((len(d.site_option), Y))
    is_home = d.site_option < 0
    cap[is_home] = d.site_places[is_home][:, None] - d.held_places()[is_home]
    if len(d.close_site):
        cap[d.close_site] *= 1 - closed
    cap[d.opt_site] = d.site_places[d.opt_site][:, None] * avail
    group_capped = set()
    for r in model.hard:
        if r.family == "provider_share" and r.variables:
            placed = float(np.dot(arrays.values(r.variables), r.coefs))
            if placed >= r.rhs - 1e-6 - (1.0 if d.whole_children else 0.0):
                group_capped.add((r.ref, (r.year or 1) - 1))
    budgets = [(d.budgets[row.budget_row], row.kind, float(row.headroom_gbp)) for row in budget_use.itertuples()]
    tol = 0.5 if d.whole_children else 1e-6
    return _Room(used, cap, group_capped, budgets, units, homes_per_site, tol)


def _shortfall(
    prep: SufficiencyInputs,
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
    unmet = sol["unmet"]
    room = _room(d, model, sol, units, avail, closed, budget_use, homes_per_site)
    cs, ys = np.nonzero(unmet > room.tol)
    by_cohort = group_positions(d.e_cohort, d.n_cohorts)
    why = [_reason(prep, room, int(c), int(y), d.e_site[by_cohort[c]]) for c, y in zip(cs, ys)]
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
            "reason_code": pd.Series([w[0] for w in why], dtype=object),
            "reason": pd.Series([w[1] for w in why], dtype=object),
        }
    )


_EARLY_STOP = "the objective weights (or an early stop: see the gap)"


def _reason(prep: SufficiencyInputs, room: _Room, c: int, y: int, sites: np.ndarray) -> tuple[str, str]:
    """The reason code and words for cohort ``c`` short of homes in year ``y`` (``sites``: its eligible sites)."""
    d = prep.data
    if not len(sites):
        need, band = prep.region.cohorts.need.iloc[c], prep.region.cohorts.age_band.iloc[c]
        return "unreachable", f"no home or option registered for {need} aged {band} within reach"
    homes = sites[d.site_option[sites] < 0]
    n_homes = int(room.homes_per_site[homes].sum()) if room.homes_per_site is not None else len(homes)
    free = homes[room.used[homes, y] < room.cap[homes, y] - room.tol]
    if len(free):
        if any((int(d.site_group[s]), y) in room.group_capped for s in free):
            return "provider_share", "eligible homes have room but their provider group is at the market-share cap"
        return "weights", f"eligible homes have room; {_EARLY_STOP} left the child unplaced"
    opts = d.site_option[sites[d.site_option[sites] >= 0]]
    first = d.opt_earliest[opts] + d.opt_lag[opts]
    in_time = opts[first <= y]
    units = room.units
    growable = [
        o
        for o in in_time
        if units[o].sum() < d.opt_max_units[o]
        and any(units[o, t] < d.opt_max_per_year[o] for t in range(int(d.opt_earliest[o]), int(y - d.opt_lag[o]) + 1))
    ]
    names = prep.options.name.to_numpy()
    if growable:
        opt_council = d.site_council[d.opt_site]
        blocked = [_blocking_budget(d, int(o), y, units, opt_council, room.budgets) for o in growable]
        if all(b is not None for b in blocked):
            return "budget", f"new capacity ({names[growable[0]]}) could open in time but {blocked[0]} has no room"
        return "weights", f"affordable new capacity exists; {_EARLY_STOP} left it unbuilt"
    if len(opts) and not len(in_time):
        o = opts[np.argmin(first)]
        return "lead_time", (
            f"all {n_homes} eligible homes full; the earliest new capacity ({names[o]}) opens in year {int(first.min()) + 1}"
        )
    what = "eligible options at their unit limits" if len(opts) else "no candidate option for this need"
    return "capacity", f"all {n_homes} eligible homes full; {what}"


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


def _capacity(prep: SufficiencyInputs, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
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


def _growth(prep: SufficiencyInputs, placements: pd.DataFrame, unmet: np.ndarray, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
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
                    "children": float(d.total_demand()[cohort_in, y - 1].sum()),
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


def _metrics(prep: SufficiencyInputs, placements: pd.DataFrame, shortfall: pd.DataFrame, avail: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
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
