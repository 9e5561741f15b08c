"""Planned step-downs of held children: the one way a child placed today moves (``SufficiencyParams.step_downs``).

A held child (:mod:`rcc.sufficiency.held`) in a children's home or residential school, or placed outside
its own council, may be moved by plan: the optimiser decides how many of each such placement's children
have stepped down by each plan year. Variables (per eligible held placement ``p`` and year ``y``)

    m_py >= 0 (integer for whole children)   children of ``p`` moved by year ``y`` and still in care
    m_py <= H_py                             never more than are held there
    m_py >= r_py m_p,y-1                     once moved, never back (r_py = H_py / H_p,y-1, the survivors' share)

A moved child leaves the held place (its home's capacity row gains ``m_py`` places; its RCC's
inside-region row, its provider group's share row and the ``all``-basis revenue budgets lose the held
child) and joins its cohort's demand, placed by the optimiser with the other children of its cohort
(demand row ``sum x + u - sum_p m_py = D_cy``). Objective: the held placement's cost (distance and
out-of-area weights and the weekly cost, discounted, as a placement of the same edge) is saved for every
child-year moved, and each move costs ``step_down_cost_gbp`` once (``m_py - r_py m_p,y-1`` children moved
in year ``y``, discounted). A step-down is so made only when the child's new placement and the move
cost less than staying. Where a moved child goes is its cohort's placement (the model places cohorts,
not children): a move is worth it through a cheaper or nearer place, never a rule on home types.

Not eligible: cohorts placed in groups (siblings held together stay together), placements in a home the
cohort has no edge to (their cost to stay is unknown), years in which the cohort has no other demand
(no placement to move into) and secure homes (placed by the courts). Moves are not in budgets' spending.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from rcc.sufficiency import arrays
from rcc.sufficiency.records import FloatArray, HardRow, IntArray, ModelData, RowBlock, StepDowns

__all__ = [
    "DEFAULT_STEP_DOWN_COST_GBP",
    "STEP_DOWN_TYPES",
    "add_step_down_rows",
    "attach",
    "capacity_terms",
    "demand_terms",
    "moved",
    "objective_terms",
    "step_downs",
    "variables",
]

#: Home types a held child may step down from (wherever the home is); any held child placed outside its own
#: council may step down too (secure homes excepted).
STEP_DOWN_TYPES = ("childrens_home", "residential_school")

#: Default one-off cost of a planned move (GBP): an assumption for the planning of a transition (social
#: work time, introductions, a few days of overlap), not a published figure; set your own.
DEFAULT_STEP_DOWN_COST_GBP = 5_000.0


def step_downs(
    data: ModelData,
    cohort: IntArray,
    site: IntArray,
    children: FloatArray,
    home_type: np.ndarray,
    outside: np.ndarray,
    move_gbp: float,
) -> StepDowns | None:
    """The eligible held placements (see the module docstring) as model arrays, or None when there are none.

    ``cohort``, ``site``, ``children``: the held stock's (P,) cohort and site positions and (P, Y) children;
    ``home_type``: each placement's home type; ``outside``: whether it is outside the child's council."""
    home_type = np.asarray(home_type, dtype=object)
    kind = np.isin(home_type, STEP_DOWN_TYPES) | (np.asarray(outside, dtype=bool) & (home_type != "secure_home"))
    edge = _edge_of(data, cohort, site)
    ok = kind & (edge >= 0) & (data.group_size[cohort] == 1) & (children[:, 0] > 1e-9)
    if not ok.any():
        return None
    p = np.flatnonzero(ok)
    c, e, h = cohort[p], edge[p], children[p]
    # years a move may stand: the cohort has demand to place with from then on (while the child is held)
    placeable = (data.demand[c] > 0) | (h <= 1e-9)
    allowed = np.flip(np.logical_and.accumulate(np.flip(placeable, axis=1), axis=1), axis=1) & (h > 1e-9)
    delta = (1.0 + data.discount_rate) ** -np.arange(data.n_years, dtype=float)
    k = data.per_gbp / data.weeks_per_year
    stay = data.e_penalty[e][:, None] + k * data.weeks_per_year * data.e_weekly[e][:, None] * delta[None, :]
    inside = (
        np.stack([m[data.cohort_council[c]] & m[data.site_council[site[p]]] for m in data.rcc_councils])
        if len(data.rcc_councils)
        else np.zeros((0, len(p)), dtype=bool)
    )
    return StepDowns(
        held=p,
        cohort=c,
        site=site[p],
        children=h,
        allowed=allowed,
        stay_cost=stay,
        gbp=data.weeks_per_year * data.e_weekly[e],
        move_gbp=float(move_gbp),
        inside=inside,
        group=data.site_group[site[p]],
    )


def attach(data: ModelData, stock: Any, site: IntArray, cost_gbp: float) -> ModelData:
    """``data`` (held children applied) with the step-downs of the held ``stock`` (a
    :class:`rcc.sufficiency.held.HeldStock`; ``site``: each held placement's site)."""
    region = stock.region
    homes = region.homes.iloc[stock.home]
    outside = region.cohorts.council_id.to_numpy()[stock.cohort] != homes.council_id.to_numpy()
    steps = step_downs(
        data, stock.cohort, np.asarray(site), stock.children, homes.home_type.to_numpy(), outside, cost_gbp
    )
    return attrs.evolve(data, held=attrs.evolve(data.held, steps=steps))


def _edge_of(data: ModelData, cohort: IntArray, site: IntArray) -> IntArray:
    """The edge (cohort, site) of each pair, -1 when the cohort has none to that site."""
    n_sites = max(len(data.site_option), 1)
    key = data.e_cohort.astype(np.int64) * n_sites + data.e_site
    order = np.argsort(key, kind="stable")
    want = np.asarray(cohort, dtype=np.int64) * n_sites + np.asarray(site, dtype=np.int64)
    at = np.minimum(np.searchsorted(key[order], want), max(len(order) - 1, 0))
    found = (len(order) > 0) & (key[order][at] == want) if len(order) else np.zeros(len(want), dtype=bool)
    return np.where(found, order[at] if len(order) else -1, -1)


def _steps(data: ModelData) -> StepDowns | None:
    return data.held.steps if data.held is not None else None


def variables(prob: Any, data: ModelData, integer: bool) -> dict[str, Any]:
    """The columns m_py (``w``), their placement ``w_step`` and year ``w_year``; none without step-downs."""
    s = _steps(data)
    if s is None:
        return dict(w=[], w_step=np.zeros(0, dtype=np.int64), w_year=np.zeros(0, dtype=np.int64))
    step, year = np.nonzero(s.allowed)
    w = arrays.add_variables(prob, "w", len(step), integer=integer)
    for var, up in zip(w, s.children[step, year]):
        var.upBound = float(np.floor(up + 1e-9)) if integer else float(up)
    return dict(w=w, w_step=step.astype(np.int64), w_year=year.astype(np.int64))


def _terms(var: dict[str, Any], key: np.ndarray) -> dict[tuple[int, int], tuple[list[Any], list[float]]]:
    """-1 x each m_py by (``key[py]``, y): the terms a moved child adds to a row of that key and year."""
    out: dict[tuple[int, int], tuple[list[Any], list[float]]] = {}
    for j, (k, y) in enumerate(zip(key[var["w_step"]].tolist(), var["w_year"].tolist())):
        xs, cs = out.setdefault((k, y), ([], []))
        xs.append(var["w"][j])
        cs.append(-1.0)
    return out


def demand_terms(data: ModelData, var: dict[str, Any]) -> dict[tuple[int, int], tuple[list[Any], list[float]]]:
    """Terms of the demand rows (c, y): the children moved, demand to place (sum x + u - m = D)."""
    s = _steps(data)
    return {} if s is None or not len(var.get("w", [])) else _terms(var, s.cohort)


def capacity_terms(data: ModelData, var: dict[str, Any]) -> dict[tuple[int, int], tuple[list[Any], list[float]]]:
    """Terms of the capacity rows (s, y): the places the moved children leave (sum x - m <= free)."""
    s = _steps(data)
    return {} if s is None or not len(var.get("w", [])) else _terms(var, s.site)


def objective_terms(data: ModelData, var: dict[str, Any]) -> tuple[list[Any], FloatArray]:
    """Objective coefficients of m_py: the stay saved, and the move cost telescoped over the years
    (k M (delta_y - r_p,y+1 delta_y+1), ``k = per_gbp / weeks``)."""
    s = _steps(data)
    if s is None or not len(var.get("w", [])):
        return [], np.zeros(0)
    step, year = var["w_step"], var["w_year"]
    delta = (1.0 + data.discount_rate) ** -np.arange(data.n_years + 1, dtype=float)
    ratio = _ratio(s)
    nxt = np.where(year + 1 < data.n_years, ratio[step, np.minimum(year + 1, data.n_years - 1)], 0.0)
    k = data.per_gbp / data.weeks_per_year
    move = k * s.move_gbp * (delta[year] - nxt * delta[year + 1])
    return list(var["w"]), move - s.stay_cost[step, year]


def _ratio(s: StepDowns) -> FloatArray:
    """(P, Y) r_py = H_py / H_p,y-1 (0 in year 0 and after everyone left)."""
    before = np.c_[np.zeros(len(s.children)), s.children[:, :-1]]
    return np.divide(s.children, before, out=np.zeros_like(s.children), where=before > 1e-9)


def add_step_down_rows(b: Any) -> None:
    """Block ``step_down_order`` (m_py - r_py m_p,y-1 >= 0, no placements) and the moved children's terms
    in the hard rows: inside-region shares, provider shares (rows made where the held children kept none)
    and ``all``-basis revenue budgets (the held placement's GBP saved)."""
    data, var = b.data, b.var
    s = _steps(data)
    if s is None or not len(var.get("w", [])):
        return
    step, year, w = var["w_step"], var["w_year"], var["w"]
    at = {(int(p), int(y)): j for j, (p, y) in enumerate(zip(step, year))}
    ratio = _ratio(s)
    rows = {}
    for (p, y), j in at.items():
        if y > 0 and (p, y - 1) in at:
            rows[p, y] = arrays.add_constraint(
                b.problem, arrays.affine([w[j], w[at[p, y - 1]]], [1.0, -float(ratio[p, y])]) >= 0.0
            )
    for (p, y), j in at.items():  # a year with no move allowed after one that has: nothing moved before it
        if (p, y + 1) not in at and y + 1 < data.n_years and s.children[p, y + 1] > 1e-9:
            w[j].upBound = 0.0
    b.add(RowBlock("step_down_order", rows, placements=False))
    _missing_capacity_rows(b)
    _hard_terms(b, s, step, year, w)


def _missing_capacity_rows(b: Any) -> None:
    """Capacity rows of the held homes' years no placement column enters yet (-m <= free places), so that
    columns added later (edge pricing, :mod:`rcc.sufficiency.growth`) find the moved children's places in them."""
    data, cap = b.data, b.blocks["capacity"]
    held = data.held_places()
    for (s, y), (xs, cs) in capacity_terms(data, b.var).items():
        if (s, y) not in cap.rows:
            free = float(data.site_places[s]) - float(held[s, y])
            cap.rows[s, y] = arrays.add_constraint(b.problem, arrays.affine(xs, cs) <= free)


def _hard_terms(b: Any, s: StepDowns, step: IntArray, year: IntArray, w: list[Any]) -> None:
    from rcc.sufficiency.constraints import group_share_limit  # constraints builds its rows with this module

    data = b.data
    rows = {(r.family, r.ref, r.year): r for r in b.hard}
    total = data.total_demand()
    for j, (p, y) in enumerate(zip(step.tolist(), year.tolist())):
        for r in np.flatnonzero(s.inside[:, p]) if data.min_inside_share > 0 else []:
            row = rows.get(("inside_region_share", int(r), y + 1))
            if row is None:  # the held children alone met the share: with moves they may not
                row = rows[("inside_region_share", int(r), y + 1)] = _inside_row(b, int(r), y, total)
                b.hard.append(row)
            row.variables.append(w[j])
            row.coefs.append(-1.0)
        g = int(s.group[p])
        if data.max_group_share is not None and g >= 0:
            row = rows.get(("provider_share", g, y + 1))
            if row is None:  # made now, so that placements priced in later find the moved children in it
                label = f"provider group {data.group_names[g]}"
                row = rows[("provider_share", g, y + 1)] = HardRow(
                    "provider_share", label, y + 1, "<=", group_share_limit(data, g, y, float(total[:, y].sum())), "children", [], [], g
                )
                b.hard.append(row)
            row.variables.append(w[j])
            row.coefs.append(-1.0)
        for bi, budget in enumerate(data.budgets):
            if (
                budget.basis == "all"
                and np.isfinite(budget.revenue_gbp)
                and budget.years[y]
                and budget.councils[data.cohort_council[s.cohort[p]]]
            ):
                row = next(r for r in b.hard if r.family == "revenue_budget" and r.ref == bi)
                row.variables.append(w[j])
                row.coefs.append(-float(s.gbp[p]))


def _inside_row(b: Any, r: int, y: int, total: FloatArray) -> HardRow:
    """The inside-region share row of RCC ``r`` in year ``y`` as :func:`rcc.sufficiency.constraints.define_shares`
    makes it (there, only where the held children alone do not meet the share)."""
    data, var = b.data, b.var
    mask = data.rcc_councils[r]
    edge, year = var["ey_edge"], var["ey_year"]
    cohort = data.e_cohort[edge]
    pos = np.flatnonzero((year == y) & mask[data.cohort_council[cohort]] & mask[data.site_council[data.e_site[edge]]])
    rhs = data.min_inside_share * float(total[mask[data.cohort_council], y].sum()) - float(data.held.inside[r, y])
    m = data.group_size[cohort[pos]].astype(float)
    return HardRow(
        "inside_region_share",
        data.rcc_names[r],
        y + 1,
        ">=",
        rhs,
        "children",
        [var["v"][q] for q in pos],
        m.tolist(),
        r,
    )


def moved(data: ModelData, var_values: np.ndarray, step: IntArray, year: IntArray) -> FloatArray:
    """(P, Y) children of each eligible held placement moved by each year (a solution's m)."""
    s = _steps(data)
    out = np.zeros((0, data.n_years)) if s is None else np.zeros(s.children.shape)
    if s is not None and len(step):
        out[step, year] = var_values
    return out
