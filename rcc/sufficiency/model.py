"""The sufficiency model: a multi-year capacity expansion MILP.

Sets
    years y = 0..Y-1 (plan years 1..Y); cohorts c with forecast demand D_cy;
    sites s = existing homes h (places p_h) and candidate options o (P_o places
    per unit); eligible edges e = (c, s) from :func:`rcc.allocation.network.eligible_edges`;
    closable homes k; hard-constraint rows r (budgets, inside-region shares,
    provider-group shares, committed units).

Variables
    n_ot in Z+, n_ot <= max_per_year_o      units of option o started in year t
                                           (only for earliest_o <= t <= Y-1-lag_o)
    A_oy = sum_t a_o,y-t n_ot             units of o counted in year y: a unit started at the
                                           start of year t opens lead_time_months_o L_o later; rule
                                           "census" (default): a_o,k = 1 when 12 k >= L_o (open by
                                           the census date of year t + k), else 0; rule "share":
                                           a_o,k = clip(12 (k+1) - L_o, 0, 12) / 12, the share of
                                           year t + k it is open. Running costs: for the months open.
    z_ky in {0, 1}, z_ky >= z_k,y-1        home k closed in year y (y >= earliest_k)
    v_ey >= 0 (integer for whole children  groups of m_c children of cohort c at
               or sibling groups)          site s in year y; x_ey = m_c v_ey children
    u_cy >= 0                              children of cohort c without a home in year y

Constraints
    demand      sum_s x_ey + u_cy = D_cy - H_cy                       (c, y)
    homes       sum_c x_ey <= p_h (1 - z_hy) - H_hy                    (h, y)

    where H are today's placements held (:mod:`rcc.sufficiency.held`): H_cy children of
    cohort c and H_hy places of home h still taken in year y (a home holding children
    has no closure in those years; inside-region, provider-share and all-placements
    budget rows count the held children on their right-hand side). With step-downs
    (``SufficiencyParams.step_downs``), m_py children of held placement p moved by year y
    enter the demand row of p's cohort (-m), the capacity row of p's home (-m) and those
    hard rows, with rows m_py >= r_py m_p,y-1 (:mod:`rcc.sufficiency.stepdowns`).
    options     sum_c x_ey <= P_o A_oy                                 (o, y)
    linking     x_ey <= min(D_cy, P_o) sum_{t: a_o,y-t > 0} n_ot        (e to an option, y)
    units       min_units_o <= sum_t n_ot <= max_units_o               (o)
    capital     sum_{y in b} sum_{o in b} capital_o n_oy <= B^cap_b    (budget row b)
    revenue     sum_{y in b} [sum_{o in b} (start_up_o n_oy + running_o A_oy)
                 + sum_{k in b} (closure_k (z_ky - z_k,y-1) - saving_k z_ky)
                 (+ weeks sum_{e: c in b} weekly_e x_ey  if basis "all")] <= B^rev_b
    inside      sum_{e: c in r, s in r} x_ey >= share_min sum_{c in r} D_cy    (RCC r, y)
    provider    sum_{e: s in group g} x_ey <= share_max sum_c D_cy             (group g, y)

Objective (weekly equivalent summed over years, as :mod:`rcc.allocation.model`)
    min sum_cy W_c u_cy + sum_ey (w_mile d_e + w_out [outside own council]) x_ey
        + (w_gbp / weeks) sum_y delta_y money_y
    with money_y = weeks sum_e weekly_e x_ey + capital + start-up + running
    + closure costs - closure savings of year y, and delta_y = (1 + rate)^-y.

In elastic mode every hard row gets a slack s_r >= 0 (``lhs - s_r <= rhs`` or
``lhs + s_r >= rhs``) and the objective becomes sum_r s_r / scale_r: the
smallest relative violation that makes the rules consistent (used to explain
infeasibility).

Rows come in named blocks (:class:`~rcc.sufficiency.records.RowBlock`), one
``define_*`` function each in :mod:`rcc.sufficiency.constraints`; edge pricing
(:func:`reduced_costs`) reads the duals of every block through its pricing
rule, so a new block without one stops pricing loudly instead of wrongly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import pulp

from rcc.allocation.model import group_positions
from rcc.core import solvers
from rcc.core.errors import SolverError
from rcc.sufficiency import arrays, constraints, stepdowns
from rcc.sufficiency.constraints import (  # noqa: F401 - the define_* functions stay importable from here
    ROW_DEFINITIONS,
    Building,
    add_hard_rows,
    define_budgets,
    define_capacity,
    define_closure_order,
    define_demand,
    define_shares,
    define_units,
    money_coefficients,
    slack_scale,
)
from rcc.sufficiency.records import (  # noqa: F401 - the records stay importable from here
    BoolArray,
    BudgetRow,
    FloatArray,
    HardRow,
    IntArray,
    ModelData,
    RowBlock,
    SufficiencyModel,
)

__all__ = [
    "BudgetRow",
    "HardRow",
    "ModelData",
    "RowBlock",
    "SufficiencyModel",
    "build_sufficiency",
    "placement_costs",
    "reduced_costs",
    "solution_values",
]


def define_variables(
    prob: pulp.LpProblem, data: ModelData, relaxed: bool = False, lazy: bool = False, units_only: bool = False
) -> dict[str, Any]:
    """Edge-year placements v (active when the site exists that year and the
    cohort has demand), unmet u per cohort-year with demand, units n per
    option and start year (0 <= n_ot <= max_per_year_o, integer), closures z
    per closable home and year (binary).

    ``relaxed``: every variable continuous (the LP relaxation). ``lazy``: only
    sibling-group placements integer; single children continuous (whole at
    transportation vertices; the caller checks and repairs). ``units_only``: every placement
    continuous, units and closures integer (a relaxation that chooses the capacity)."""
    Y = data.n_years
    ey_edge, ey_year = np.nonzero(data.edge_years())
    integer = ((data.whole_children and not lazy) | (data.group_size[data.e_cohort[ey_edge]] > 1)) & (not relaxed or units_only)
    integer &= not units_only
    v: list[Any] = [None] * len(ey_edge)
    for flag, name in ((True, "vi"), (False, "vc")):
        pos = np.flatnonzero(integer == flag)
        if len(pos):
            made = arrays.add_variables(prob, name, len(pos), integer=flag)
            for p, var in zip(pos, made):
                v[p] = var
    has_demand = data.demand > 0
    u_index = np.full(data.demand.shape, -1, dtype=np.int64)
    u_index[has_demand] = np.arange(int(has_demand.sum()))
    u = arrays.add_variables(prob, "u", int(has_demand.sum()))
    n_option, n_year = [], []
    for o in range(data.n_options):
        last = Y - 1 - int(data.opt_lag[o])
        if data.opt_max_units[o] <= 0 or data.opt_max_per_year[o] <= 0:
            continue
        for t in range(int(data.opt_earliest[o]), last + 1):
            n_option.append(o)
            n_year.append(t)
    n_opt = np.asarray(n_option, dtype=np.int64)
    n_yr = np.asarray(n_year, dtype=np.int64)
    n: list[Any] = []
    if len(n_opt):
        ubs = np.minimum(data.opt_max_per_year[n_opt], data.opt_max_units[n_opt])
        n = arrays.add_variables(prob, "n", len(n_opt), integer=not relaxed)
        for var, ub in zip(n, ubs):
            var.upBound = float(ub)
    z_close, z_year = [], []
    for k in range(len(data.close_site)):
        for y in range(int(data.close_earliest[k]), Y):
            z_close.append(k)
            z_year.append(y)
    z = arrays.add_variables(prob, "z", len(z_close), low=0.0, up=1.0, integer=not relaxed)
    steps = stepdowns.variables(prob, data, data.whole_children and not (relaxed or lazy or units_only))
    return dict(
        **steps,
        ey_edge=ey_edge.astype(np.int64),
        ey_year=ey_year.astype(np.int64),
        v=v,
        u_index=u_index,
        u=u,
        n_option=n_opt,
        n_year=n_yr,
        n=n,
        z_close=np.asarray(z_close, dtype=np.int64),
        z_year=np.asarray(z_year, dtype=np.int64),
        z=z,
    )


def _available(
    n_option: IntArray, n_year: IntArray, lag: IntArray, n_years: int, n_options: int
) -> list[list[np.ndarray]]:
    """For each option and year, the positions of n variables that make A_oy."""
    out: list[list[np.ndarray]] = [[np.zeros(0, dtype=np.int64)] * n_years for _ in range(n_options)]
    groups = group_positions(n_option, n_options) if len(n_option) else [np.zeros(0, dtype=np.int64)] * n_options
    for o, pos in enumerate(groups):
        if not len(pos):
            continue
        arrive = n_year[pos] + lag[o]
        for y in range(n_years):
            out[o][y] = pos[arrive <= y]
    return out


def placement_costs(data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    """Objective coefficient of v_ey (per placement unit of m_c children): the one definition, used by
    the objective and by pricing. Distance and out-of-area penalty per child (``data.e_penalty``,
    from :func:`rcc.allocation.model.edge_costs`) plus the discounted weekly cost at
    ``per_gbp / weeks`` per pound."""
    delta = (1.0 + data.discount_rate) ** -np.arange(data.n_years, dtype=float)
    m = data.group_size[data.e_cohort[edge]].astype(float)
    k = data.per_gbp / data.weeks_per_year
    v_placement = data.weeks_per_year * data.e_weekly[edge] * data.group_size[data.e_cohort[edge]] * delta[year]
    return data.e_penalty[edge] * m + k * v_placement


def define_objective(prob: pulp.LpProblem, data: ModelData, var: dict[str, Any], hard: list[HardRow], elastic: bool) -> None:
    """Weekly-equivalent objective summed over years (see module docstring); in
    elastic mode, the sum of relative violations."""
    if elastic:
        slacks = [r.slack for r in hard]
        arrays.set_objective(prob, arrays.affine(slacks, [1.0 / slack_scale(r) for r in hard]))
        return
    Y = data.n_years
    delta = (1.0 + data.discount_rate) ** -np.arange(Y, dtype=float)
    coefs = money_coefficients(data, var, delta)
    k = data.per_gbp / data.weeks_per_year
    v_cost = placement_costs(data, var["ey_edge"], var["ey_year"])
    c_idx, _ = np.nonzero(var["u_index"] >= 0)
    u_cost = data.unmet_cost[c_idx]
    w, w_cost = stepdowns.objective_terms(data, var)
    variables = list(var["v"]) + list(var["u"]) + list(var["n"]) + list(var["z"]) + w
    costs = np.concatenate([v_cost, u_cost, k * coefs["n_capital"] + k * coefs["n_revenue"], k * coefs["z_revenue"], w_cost])
    arrays.set_objective(prob, arrays.affine(variables, costs.tolist()))


def build_sufficiency(
    data: ModelData,
    option_labels: Sequence[str],
    elastic: bool = False,
    relaxed: bool = False,
    lazy: bool = False,
    units_only: bool = False,
    extra: Callable[[SufficiencyModel], None] | None = None,
    in_arrays: bool = False,
) -> SufficiencyModel:
    """Build the sufficiency MILP (its elastic version, its LP relaxation, or
    with single children's placements continuous: ``lazy``; with every placement continuous
    and units and closures integer: ``units_only``) from prepared arrays.

    The rows are the blocks of :data:`rcc.sufficiency.constraints.ROW_DEFINITIONS`,
    then the hard rows. ``extra`` (``SufficiencyParams.extra_constraints``) is
    called with the built model to add the user's own rows to ``model.problem``.
    ``in_arrays``: the problem is an :class:`rcc.sufficiency.arrays.ArrayProblem`
    (the same rows, solved by HiGHS in one call) instead of a PuLP problem; not with ``extra``.
    """
    name = "rcc_sufficiency_elastic" if elastic else "rcc_sufficiency"
    if in_arrays and extra is not None:
        raise ValueError("build_sufficiency: extra rows are PuLP rows: build with in_arrays=False")
    prob = arrays.ArrayProblem(name) if in_arrays else solvers.new_problem(name)
    var = define_variables(prob, data, relaxed, lazy, units_only)
    avail = _available(var["n_option"], var["n_year"], data.opt_lag, data.n_years, data.n_options)
    building = Building(prob, data, var, avail, option_labels)
    for define in constraints.ROW_DEFINITIONS:
        define(building)
    add_hard_rows(building, elastic)
    define_objective(prob, data, var, building.hard, elastic)
    model = SufficiencyModel(problem=prob, data=data, hard=building.hard, elastic=elastic, blocks=building.blocks, **var)
    if extra is None:
        return model
    before = prob.numConstraints()
    extra(model)
    return attrs.evolve(model, extra_rows=prob.numConstraints() - before)


def solution_values(model: SufficiencyModel) -> dict[str, FloatArray]:
    """Solution arrays: children per edge-year (x), unmet (C, Y), units (n), closures (z)."""
    d = model.data
    m = d.group_size[d.e_cohort[model.ey_edge]].astype(float)
    x = np.asarray(arrays.values(model.v), dtype=float) * m
    u_vals = np.asarray(arrays.values(model.u), dtype=float)
    unmet = np.zeros(d.demand.shape)
    has = model.u_index >= 0
    unmet[has] = u_vals[model.u_index[has]]
    n = np.asarray(arrays.values(model.n), dtype=float)
    z = np.asarray(arrays.values(model.z), dtype=float)
    moved = stepdowns.moved(d, np.asarray(arrays.values(model.w), dtype=float), model.w_step, model.w_year)
    return {"x": x, "unmet": unmet, "n": np.round(n), "z": np.round(z), "moved": moved}


def hard_row_values(model: SufficiencyModel) -> tuple[FloatArray, FloatArray]:
    """Left-hand side (without slack) and slack value of every hard row."""
    lhs = np.array([float(np.dot(arrays.values(r.variables), r.coefs)) if r.variables else 0.0 for r in model.hard])
    slack = np.array([arrays.values([r.slack])[0] if r.slack is not None else 0.0 for r in model.hard])
    return lhs, slack


def reduced_costs(model: SufficiencyModel, data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    """Reduced cost c_ey - a_ey' pi of edge-years of ``data`` (the full edge set)
    from the duals of ``model`` (an LP relaxation over a subset of the edges).

    Each named row block of ``model`` adds its duals through its pricing rule
    (the rows a new column would enter: its demand and capacity rows, the
    inside-region share rows of its RCCs, its provider group's share row and
    every all-placements revenue budget covering its cohort and year). Rows
    absent from ``model`` (and the linking row of a new option edge) take
    dual 0, which keeps the duals feasible for the larger LP: with every
    reduced cost >= 0 the LP is optimal over all edges.

    Raises
    ------
    rcc.SolverError
        When a block that placements may enter has no pricing rule, or the
        model has rows of ``extra_constraints`` (pricing would be wrong).
    """
    if model.extra_rows:
        raise SolverError("sufficiency pricing: the model has extra_constraints rows, which pricing cannot read (a bug in rcc)")
    price = np.zeros(len(edge))
    for block in model.blocks.values():
        if block.price is not None:
            price = block.price(block, data, edge, year, price)
        elif block.placements:
            raise SolverError(f"sufficiency pricing: row block {block.name!r} has no pricing rule (a bug in rcc)")
    m = data.group_size[data.e_cohort[edge]].astype(float)
    return placement_costs(data, edge, year) - m * price


def __getattr__(name: str) -> object:
    """``placement_objective`` (rcc 0.1) forwards to :func:`placement_costs` with a DeprecationWarning."""
    if name == "placement_objective":
        warnings.warn(
            "rcc.sufficiency.model.placement_objective is deprecated: renamed placement_costs in rcc 0.2 "
            "(the one objective coefficient of a placement, used by the objective and pricing)",
            DeprecationWarning,
            stacklevel=2,
        )
        return placement_costs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
