"""The placement allocation model (a transportation LP with unmet demand).

Sets: cohorts c (demand d_c children), homes h (places p_h), eligible edges
E (from :func:`rcc.allocation.network.eligible_edges`).

Variables: x_ch >= held_ch children of cohort c in home h, for (c,h) in E;
u_c >= 0 children of cohort c left without a home.

    min   sum_c W_unmet(need_c) u_c + sum_(c,h) (w_mile dist_ch
              + w_out [h outside c's council] + w_gbp cost_h) x_ch
    s.t.  sum_h x_ch + u_c = d_c          for every cohort c   (demand)
          sum_c x_ch      <= p_h          for every home h     (capacity)
          held_ch <= x_ch <= cap_ch                            (held children stay;
                                           an edge the rules exclude carries only them)

The constraint matrix is that of a transportation problem (totally
unimodular), so with whole-number demand and places every vertex solution is
whole: the LP returns whole children without integer variables.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
import pulp

from rcc.core import _compat
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = ["AllocationModel", "build_allocation", "edge_costs", "group_positions", "unmet_costs"]


@attrs.frozen(eq=False)
class AllocationModel:
    """A built allocation model: the PuLP problem and its variables by position."""

    problem: pulp.LpProblem
    x: list  # one variable per edge row  # type: ignore[type-arg]
    u: list  # one variable per cohort row  # type: ignore[type-arg]
    edges: pd.DataFrame
    demand: list  # demand constraint handle per cohort  # type: ignore[type-arg]
    capacity: dict  # capacity constraint handle per home position  # type: ignore[type-arg]

    def duals(self, n_homes: int) -> tuple[np.ndarray, np.ndarray]:
        """The duals after a solve: y_c of each cohort's demand row and z_h of each of
        ``n_homes`` homes' capacity row (0 for a home without a row)."""
        y = np.array([_compat.dual(h) for h in self.demand])
        z = np.zeros(n_homes)
        for h, handle in self.capacity.items():
            z[h] = _compat.dual(handle)
        return y, z


def group_positions(keys: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Positions of ``keys`` grouped by key value 0..n_groups-1 (one argsort)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(n_groups)]


def edge_costs(edges: pd.DataFrame, params: PlanParams) -> np.ndarray:
    """Objective coefficient of each edge: w_mile d + w_out [outside] + w_gbp cost."""
    w = params.weights
    return (
        w.per_mile * edges.distance_miles.to_numpy(dtype=float)
        + w.out_of_area * (~edges.inside_own_council.to_numpy(dtype=bool))
        + w.per_gbp * edges.weekly_cost_gbp.to_numpy(dtype=float)
    )


def unmet_costs(region: Region, params: PlanParams) -> np.ndarray:
    """Penalty of each cohort's unmet child: W_unmet * multiplier(need)."""
    w = params.weights
    mult = region.cohorts.need.map(lambda n: w.unmet_by_need.get(n, 1.0)).to_numpy(dtype=float)
    return w.unmet_child * mult


def define_variables(prob: pulp.LpProblem, edges: pd.DataFrame, n_cohorts: int) -> tuple[list, list]:  # type: ignore[type-arg]
    """x_ch >= held_ch for every edge; u_c >= 0 for every cohort."""
    x = _compat.add_variables(prob, "x", len(edges))
    held = edges.held.to_numpy()
    for pos in np.flatnonzero(held > 0):
        x[pos].lowBound = float(held[pos])
    u = _compat.add_variables(prob, "u", n_cohorts)
    return x, u


def define_demand(prob: pulp.LpProblem, x: list, u: list, edges: pd.DataFrame, demand: np.ndarray) -> list:  # type: ignore[type-arg]
    """sum_h x_ch + u_c = d_c for every cohort c (one batch expression per row)."""
    groups = group_positions(edges.cohort.to_numpy(), len(demand))
    return [
        _compat.add_constraint(prob, _compat.affine([x[p] for p in pos] + [u[c]]) == float(demand[c]))
        for c, pos in enumerate(groups)
    ]


def define_capacity(prob: pulp.LpProblem, x: list, edges: pd.DataFrame, places: np.ndarray) -> dict:  # type: ignore[type-arg]
    """sum_c x_ch <= p_h for every home h that has an edge."""
    groups = group_positions(edges.home.to_numpy(), len(places))
    return {
        h: _compat.add_constraint(prob, _compat.affine([x[p] for p in pos]) <= float(places[h]))
        for h, pos in enumerate(groups)
        if len(pos)
    }


def define_objective(prob: pulp.LpProblem, x: list, u: list, edge_cost: np.ndarray, unmet_cost: np.ndarray) -> None:  # type: ignore[type-arg]
    """min sum W_unmet u_c + sum cost_ch x_ch."""
    prob.setObjective(_compat.affine(list(x) + list(u), np.concatenate([edge_cost, unmet_cost]).tolist()))


def define_caps(x: list, cap: np.ndarray) -> None:  # type: ignore[type-arg]
    """x_ch <= cap_ch where the cap is finite (children held on an edge a scenario forbids: no more)."""
    for i in np.flatnonzero(np.isfinite(cap)):
        x[i].upBound = float(cap[i])


def build_allocation(
    region: Region,
    edges: pd.DataFrame,
    params: PlanParams,
    cost: np.ndarray | None = None,
    unmet_cost: np.ndarray | None = None,
    cap: np.ndarray | None = None,
) -> AllocationModel:
    """Build the allocation LP for ``region`` over ``edges``.

    ``cost`` (per edge) and ``unmet_cost`` (per cohort) default to
    :func:`edge_costs` and :func:`unmet_costs`; ``cap`` is an optional upper
    bound per edge (``inf``: none; by default the edges' ``cap`` column, which
    holds children placed beyond the rules at their number). Upper bounds keep the matrix totally
    unimodular, so solutions stay whole.
    """
    prob = _compat.new_problem("rcc_allocation")
    x, u = define_variables(prob, edges, len(region.cohorts))
    if cap is None and "cap" in edges:
        cap = edges.cap.to_numpy(dtype=float)
    if cap is not None:
        define_caps(x, cap)
    demand = define_demand(prob, x, u, edges, region.cohorts.children.to_numpy())
    capacity = define_capacity(prob, x, edges, region.homes.places.to_numpy())
    define_objective(
        prob,
        x,
        u,
        edge_costs(edges, params) if cost is None else cost,
        unmet_costs(region, params) if unmet_cost is None else unmet_cost,
    )
    return AllocationModel(prob, x, u, edges, demand, capacity)
