"""Sibling groups made whole after the units search: a small rounding MIP over the groups, then one LP
for every other placement (single children free to move), warm from the pricing LP's basis.

The units search (:func:`rcc.sufficiency.heuristics.units_then_placements`) chooses units and
closures with every placement continuous, so some sibling groups sit in halves. Fixing every whole
placement near them and solving a MIP for the rest loses objective (the single children who must
make room cannot move far); freeing every placement makes a MIP over the whole edge set. Here the
groups of the cohort-years with a fractional group are re-placed whole by a MIP with only those
groups as variables (their cohort-year's group count kept, each site-year's room for groups once
the other groups are placed, option edges within their linking bound), and then, with units,
closures and every group fixed, the LP over the single children (and the unmet) places them:
a plan of the whole model (on England: the units plan's objective, where fixing the single children
near the groups lost 0.014%). Nothing here is a bound: the caller compares the plan with the LP's.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from rcc.core.solvers import SolverOutcome
from rcc.sufficiency import arrays
from rcc.sufficiency.model import SufficiencyModel, placement_costs, reduced_costs
from rcc.sufficiency.records import FloatArray, ModelData
from rcc.sufficiency.runtime import Run

__all__ = ["group_room", "placements_lp", "round_groups"]

#: Objective per group unit left without a home by the rounding MIP (its row's slack), per child
#: over the dearest unmet cost: the MIP only leaves a group out when no site has room.
_SLACK_FACTOR = 10.0


def group_room(sub: ModelData, model: SufficiencyModel, n_fix: np.ndarray, z_fix: np.ndarray) -> FloatArray:
    """Places of each site-year (flat ``site * years + year``) with units and closures fixed:
    a home's places unless closed that year, an option's places per unit times its units available."""
    Y = sub.n_years
    room = np.repeat(sub.site_places.astype(float)[:, None], Y, axis=1) - sub.held_places()
    started = np.zeros((sub.n_options, Y))
    np.add.at(started, (model.n_option, model.n_year), np.asarray(n_fix, dtype=float))
    avail = sub.units_open(started)
    opt = sub.site_option >= 0
    room[opt] = sub.site_places[opt][:, None] * avail[sub.site_option[opt]]
    closed = np.asarray(z_fix) > 0.5
    room[sub.close_site[model.z_close[closed]], model.z_year[closed]] = 0.0
    return room.ravel()


def round_groups(
    sub: ModelData, model: SufficiencyModel, v: np.ndarray, n_fix: np.ndarray, z_fix: np.ndarray, run: Run
) -> np.ndarray | None:
    """Whole values for every sibling-group placement of ``model`` near the values ``v``.

    Groups of cohort-years without a fractional group keep their values; those of a cohort-year
    with one are chosen by a small MIP: as many groups as the cohort-year had (rounded down), each
    site-year's groups within its places less the other groups there, an option edge within its
    linking bound, at least cost. Returns the group values (``v`` rounded elsewhere), or None when the
    MIP finds no plan or must leave a group out.
    """
    Y = sub.n_years
    m = sub.group_size[sub.e_cohort[model.ey_edge]].astype(float)
    groups = m > 1
    frac = groups & (np.abs(v - np.round(v)) > 1e-6)
    out = np.where(groups, np.round(v), v)
    if not frac.any():
        return out
    cy = sub.e_cohort[model.ey_edge] * Y + model.ey_year
    sy = sub.e_site[model.ey_edge] * Y + model.ey_year
    free = groups & np.isin(cy, cy[frac])
    pos = np.flatnonzero(free)
    capacity = group_room(sub, model, n_fix, z_fix)
    fixed = groups & ~free
    room = capacity - np.bincount(sy[fixed], weights=(m * out)[fixed], minlength=len(capacity))
    count = pd.Series(v[pos]).groupby(cy[pos]).sum()
    total = np.floor(count.to_numpy() + 1e-6)
    # each variable's upper bound: its site-year's room, and an option edge's linking bound
    up = np.floor(np.maximum(room[sy[pos]], 0.0) / m[pos] + 1e-6)
    o = sub.site_option[sub.e_site[model.ey_edge[pos]]]
    if sub.strong_linking and (o >= 0).any():
        at = o >= 0
        places = sub.site_places[sub.e_site[model.ey_edge[pos[at]]]]
        link = np.minimum(sub.demand[sub.e_cohort[model.ey_edge[pos[at]]], model.ey_year[pos[at]]], places)
        units = np.divide(capacity[sy[pos[at]]], places, out=np.zeros(len(places)), where=places > 0)  # available
        up[at] = np.minimum(up[at], np.floor(link * units / m[pos[at]] + 1e-6))
    prob = arrays.ArrayProblem("rcc_group_rounding")
    x = prob.add_columns(len(pos), 0.0, None, integer=True)
    prob.ub[:] = up
    slack = prob.add_columns(len(count), 0.0, None, integer=False)
    cost = placement_costs(sub, model.ey_edge[pos], model.ey_year[pos])
    big = _SLACK_FACTOR * float(sub.unmet_cost.max(initial=1.0)) * float(m.max())
    prob.setObjective(arrays.affine(x + slack, np.r_[cost, np.full(len(slack), big)]))
    row_of = pd.Index(count.index).get_indexer(cy[pos])
    for r, members in enumerate(_positions(row_of, len(count))):
        prob.add_row(arrays.affine([x[i] for i in members] + [slack[r]]), total[r], total[r])
    site_rows = pd.Index(np.unique(sy[pos])).get_indexer(sy[pos])
    for members in _positions(site_rows, int(site_rows.max()) + 1):
        prob.add_row(arrays.affine([x[i] for i in members], m[pos[members]]), -math.inf, float(room[sy[pos[members[0]]]]))
    t = time.perf_counter()
    result = prob.solve(msg=False, time_limit=run.remaining(), gap=1e-6, threads=run.params.solver.threads)
    run.solve_s += time.perf_counter() - t
    if not result.has_solution or prob.x[len(pos) :].max(initial=0.0) > 1e-6:
        return None
    out[pos] = np.round(prob.x[: len(pos)])
    return out


def _positions(key: np.ndarray, n: int) -> list[np.ndarray]:
    """Positions of each key 0..n-1 (in order)."""
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


#: The placements LP frees a single child's placement the units plan leaves empty only when its
#: reduced cost in the pricing LP is at most this (alternative optima): the LP stays small.
_RC_FREE = 1e-6


def placements_lp(
    lp: SufficiencyModel,
    v: np.ndarray,
    n_fix: np.ndarray,
    z_fix: np.ndarray,
    group_values: np.ndarray,
    run: Run,
    free_all: bool = False,
) -> SolverOutcome:
    """Solve the pricing LP ``lp`` with units, closures and sibling groups fixed, and the single
    children free where the units plan ``v`` places some or the reduced cost is zero (the rest stay
    empty; the unmet is free): a presolved LP over about a fifth of the columns. The plan stays in
    ``lp``'s values, which the caller restores (with its bounds and duals) once it has read it.
    ``free_all``: every single child's placement free (none kept empty)."""
    d = lp.data
    single = d.group_size[d.e_cohort[lp.ey_edge]] == 1
    shut = single & (v <= 1e-9) & (reduced_costs(lp, d, lp.ey_edge, lp.ey_year) > _RC_FREE) & (not free_all)
    nz = list(lp.n) + list(lp.z)
    prob = lp.problem
    if isinstance(prob, arrays.ArrayProblem):  # bounds set as arrays
        at = np.fromiter((x.j for x in nz), dtype=np.int64, count=len(nz))
        v_at = np.fromiter((x.j for x in lp.v), dtype=np.int64, count=len(lp.v))
        prob.lb[at] = prob.ub[at] = np.r_[n_fix, z_fix]
        prob.lb[v_at[~single]] = prob.ub[v_at[~single]] = group_values[~single]
        prob.ub[v_at[shut]] = 0.0
        return run.solve(lp)
    for var, val in zip(nz, np.r_[n_fix, z_fix]):
        var.lowBound = var.upBound = float(val)
    for p in np.flatnonzero(~single):
        lp.v[p].lowBound = lp.v[p].upBound = float(group_values[p])
    for p in np.flatnonzero(shut):
        lp.v[p].upBound = 0.0
    return run.solve(lp)
