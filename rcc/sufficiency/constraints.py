"""The rows of the sufficiency model, one ``define_*`` function per named block, each with its place in pricing.

Each ``define_*`` function takes the :class:`Building` in progress and adds its
rows as a :class:`~rcc.sufficiency.records.RowBlock` (or, for hard rows, adds
:class:`~rcc.sufficiency.records.HardRow` records that :func:`add_hard_rows`
turns into one block per family). Adding a constraint to the model is one
``define_*`` function in :data:`ROW_DEFINITIONS` whose block says how a
placement column enters its rows (its pricing rule) or that none does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import pulp

from rcc.allocation.model import group_positions
from rcc.core import solvers
from rcc.sufficiency import arrays, stepdowns
from rcc.sufficiency.records import BoolArray, FloatArray, HardRow, IntArray, ModelData, RowBlock

__all__ = [
    "ROW_DEFINITIONS",
    "Building",
    "add_hard_rows",
    "define_budgets",
    "define_capacity",
    "define_closure_order",
    "define_demand",
    "define_shares",
    "define_units",
    "dual",
    "money_coefficients",
    "slack_scale",
]


@attrs.define(eq=False)
class Building:
    """A sufficiency model being built: the problem, its data and variables, and the rows so far.

    Attributes
    ----------
    problem : pulp.LpProblem
    data : ModelData
    var : dict
        Variables and index arrays by name (from :func:`rcc.sufficiency.model.define_variables`).
    avail : list of list of numpy.ndarray
        For each option and year, the positions of the n variables whose units are available.
    labels : Sequence[str]
        Option ids (for the words of hard rows).
    hard : list of HardRow
        Hard rows so far (added to the problem by :func:`add_hard_rows`).
    blocks : dict of str to RowBlock
        Named row blocks so far.
    """

    problem: pulp.LpProblem
    data: ModelData
    var: dict[str, Any]
    avail: list[list[np.ndarray]]
    labels: Sequence[str]
    hard: list[HardRow] = attrs.field(factory=list)
    blocks: dict[str, RowBlock] = attrs.field(factory=dict)

    def constraint(self, row: Any) -> Any:
        """Add one PuLP constraint (``expr <= rhs``, ``>=`` or ``==``) to the problem; its handle,
        whose dual :func:`dual` reads after a solve."""
        return arrays.add_constraint(self.problem, row)

    def add(self, block: RowBlock) -> None:
        """Register a named block (its rows already added to the problem); names are unique."""
        if block.name in self.blocks:
            raise ValueError(f"sufficiency model: two row blocks named {block.name!r}")
        self.blocks[block.name] = block


def dual(handle: Any) -> float:
    """The dual value of a row handle after an LP solve (0.0 when the solver gave none)."""
    return solvers.dual(handle)


def _duals(block: RowBlock, shape: tuple[int, int]) -> FloatArray:
    """The block's duals as an array indexed by its (i, y) row keys (0 where no row)."""
    pi = np.zeros(shape)
    for key, handle in block.rows.items():
        pi[key] = solvers.dual(handle)
    return pi


# ---------------------------------------------------------------------------- demand and capacity
def _positions_of(variables: list[Any], start: int) -> dict[int, int]:
    """Position in a row's variable list of each of ``variables`` (appended from ``start``), by identity."""
    return {id(x): start + i for i, x in enumerate(variables)}


def price_demand(block: RowBlock, data: ModelData, edge: IntArray, year: IntArray, acc: FloatArray) -> FloatArray:
    """A column enters its cohort-year's demand row with one per child."""
    return acc + _duals(block, (data.n_cohorts, data.n_years))[data.e_cohort[edge], year]


def define_demand(b: Building) -> None:
    """sum_s m_c v_ey + u_cy = D_cy for every cohort-year with demand (block ``demand``, keys (c, y))."""
    data, prob = b.data, b.problem
    Y = data.n_years
    v, u, u_index = b.var["v"], b.var["u"], b.var["u_index"]
    cohort = data.e_cohort[b.var["ey_edge"]]
    m = data.group_size[cohort].astype(float)
    groups = group_positions(cohort * Y + b.var["ey_year"], data.n_cohorts * Y)
    rows = {}
    moved = stepdowns.demand_terms(data, b.var)  # held children stepped down join their cohort's demand
    w = list(b.var.get("w", []))
    allv = list(v) + list(u) + w  # rows are sums over positions in it
    at = arrays.positions(allv)
    w_at = _positions_of(w, len(v) + len(u))
    for c, y in zip(*np.nonzero(u_index >= 0)):
        pos = groups[c * Y + y]
        wx, wc = moved.get((int(c), int(y)), ([], []))
        idx = np.concatenate((pos, [len(v) + u_index[c, y]], [w_at[id(x)] for x in wx])).astype(np.int64)
        expr = arrays.affine_at(allv, at, idx, np.concatenate((m[pos], [1.0], wc)))
        rows[int(c), int(y)] = arrays.add_constraint(prob, expr == float(data.demand[c, y]))
    b.add(RowBlock("demand", rows, price=price_demand))


def price_capacity(block: RowBlock, data: ModelData, edge: IntArray, year: IntArray, acc: FloatArray) -> FloatArray:
    """A column enters its site-year's capacity row with one per child."""
    return acc + _duals(block, (len(data.site_option), data.n_years))[data.e_site[edge], year]


def price_nothing(block: RowBlock, data: ModelData, edge: IntArray, year: IntArray, acc: FloatArray) -> FloatArray:
    """Linking rows: a built row holds one built column; an unbuilt column's own row is absent
    from the restricted LP (dual 0, which keeps the duals feasible for the larger LP)."""
    return acc


def define_capacity(b: Building) -> None:
    """Homes: sum_c m_c v_ey + p_h z_hy <= p_h (less the places held children take that year); options: sum_c m_c v_ey - P_o A_oy <= 0 (block
    ``capacity``, keys (s, y)); with strong linking, m_c v_ey - min(D_cy, P_o) A_oy <= 0 for each
    option edge-year, A_oy here counting every unit open for any part of year y (block ``linking``, keys: position of v)."""
    data, prob, var = b.data, b.problem, b.var
    Y = data.n_years
    v, n, z = var["v"], var["n"], var["z"]
    ey_site = data.e_site[var["ey_edge"]]
    cohort = data.e_cohort[var["ey_edge"]]
    m = data.group_size[cohort].astype(float)
    groups = group_positions(ey_site * Y + var["ey_year"], len(data.site_option) * Y)
    z_at = {(int(data.close_site[k]), int(y)): i for i, (k, y) in enumerate(zip(var["z_close"], var["z_year"]))}
    held = data.held_places()
    freed = stepdowns.capacity_terms(data, var)  # places held children stepped down leave
    most = data.most_demand()  # children a cohort-year may place (moved held children too)
    rows, linking = {}, {}
    # one list of every placement, unit, closure and step-down variable: rows are sums over positions in it
    w = list(var.get("w", []))
    allv = list(v) + list(n) + list(z) + w
    at = arrays.positions(allv)
    w_at = _positions_of(w, len(v) + len(n) + len(z))
    n0, z0 = len(v), len(v) + len(n)
    for key, pos in enumerate(groups):
        if not len(pos):
            continue
        s, y = divmod(key, Y)
        o = int(data.site_option[s])
        places = float(data.site_places[s])
        if o < 0:
            zi = z_at.get((s, y))  # a home holding children today has no closure in the years it holds them
            if zi is None:
                free = places - float(held[s, y])
                wx, wc = freed.get((s, y), ([], []))
                idx = np.concatenate((pos, [w_at[id(x)] for x in wx])).astype(np.int64)
                rows[s, y] = arrays.add_constraint(prob, arrays.affine_at(allv, at, idx, np.concatenate((m[pos], wc))) <= free)
            else:
                expr = arrays.affine_at(allv, at, np.append(pos, z0 + zi), np.append(m[pos], places))
                rows[s, y] = arrays.add_constraint(prob, expr <= places)
            continue
        units = n0 + b.avail[o][y]
        share = data.unit_share(np.full(len(units), o), y - var["n_year"][units - n0])  # open for a share of year y
        expr = arrays.affine_at(allv, at, np.concatenate((pos, units)), np.concatenate((m[pos], -places * share)))
        rows[s, y] = arrays.add_constraint(prob, expr <= 0.0)
        if data.strong_linking:
            bounds = np.minimum(most[cohort[pos], y], places)  # moved held children count as demand
            ones = np.ones(len(units))
            for p, bound in zip(pos.tolist(), bounds.tolist()):
                expr = arrays.affine_at(allv, at, np.concatenate(([p], units)), np.concatenate(([m[p]], -bound * ones)))
                linking[p] = arrays.add_constraint(prob, expr <= 0.0)
    b.add(RowBlock("capacity", rows, price=price_capacity))
    b.add(RowBlock("linking", linking, price=price_nothing))


# ---------------------------------------------------------------------------- closures and units
def define_closure_order(b: Building) -> None:
    """A closed home stays closed: z_ky >= z_k,y-1 (block ``closure_order``, no placements)."""
    z, zk, zy = b.var["z"], b.var["z_close"], b.var["z_year"]
    rows = {}
    for i in range(1, len(z)):
        if zk[i] == zk[i - 1] and zy[i] == zy[i - 1] + 1:
            rows[i] = arrays.add_constraint(b.problem, arrays.affine([z[i], z[i - 1]], [1.0, -1.0]) >= 0.0)
    b.add(RowBlock("closure_order", rows, placements=False))


def define_units(b: Building) -> None:
    """sum_t n_ot <= max_units_o (block ``unit_limits``, no placements); sum_t n_ot >= min_units_o
    is a hard row (committed units)."""
    data, n = b.data, b.var["n"]
    groups = group_positions(b.var["n_option"], data.n_options) if len(n) else [np.zeros(0, dtype=np.int64)] * data.n_options
    rows = {}
    for o, pos in enumerate(groups):
        ns = [n[i] for i in pos]
        if ns and data.opt_max_units[o] < data.opt_max_per_year[o] * len(ns):
            rows[o] = arrays.add_constraint(b.problem, arrays.affine(ns) <= float(data.opt_max_units[o]))
        if data.opt_min_units[o] > 0:
            label = f"option {b.labels[o]}"
            b.hard.append(
                HardRow("committed_units", label, None, ">=", float(data.opt_min_units[o]), "units", ns, [1.0] * len(ns), o)
            )
    b.add(RowBlock("unit_limits", rows, placements=False))


# ---------------------------------------------------------------------------- budgets
def money_coefficients(data: ModelData, var: dict[str, Any], year_weight: FloatArray) -> dict[str, FloatArray]:
    """Coefficients of GBP spent, weighted by year (``year_weight`` per 0-based year).

    Returns arrays aligned with the n, z and v variables: ``n_capital``,
    ``n_revenue`` (start-up when started + running cost for the share of each year open),
    ``z_revenue`` (closure cost when closed - saving every year closed) and
    ``v_placement`` (weeks x weekly cost x children per unit).
    """
    Y = data.n_years
    w = np.asarray(year_weight, dtype=float)
    no, ny = var["n_option"], var["n_year"]
    n_capital = data.opt_capital[no] * w[ny] if len(no) else np.zeros(0)
    open_w = np.zeros(len(no))  # sum_y w_y x share of year y the unit is open
    for y in range(Y):
        open_w += w[y] * data.open_months_share(no, y - ny)
    n_revenue = data.opt_start_up[no] * w[ny] + data.opt_running[no] * open_w if len(no) else np.zeros(0)
    zk, zy = var["z_close"], var["z_year"]
    if len(zk):
        w_next = np.where(zy + 1 < Y, w[np.minimum(zy + 1, Y - 1)], 0.0)
        z_revenue = w[zy] * (data.close_cost[zk] - data.close_saving[zk]) - w_next * data.close_cost[zk]
    else:
        z_revenue = np.zeros(0)
    cohort = data.e_cohort[var["ey_edge"]]
    v_placement = data.weeks_per_year * data.e_weekly[var["ey_edge"]] * data.group_size[cohort] * w[var["ey_year"]]
    return dict(n_capital=n_capital, n_revenue=n_revenue, z_revenue=z_revenue, v_placement=v_placement)


def _terms(variables: list[Any], coefs: FloatArray, mask: BoolArray) -> tuple[list[Any], list[float]]:
    pos = np.flatnonzero(mask & (coefs != 0))
    return [variables[p] for p in pos], coefs[pos].tolist()


def define_budgets(b: Building) -> None:
    """Capital and revenue rows of every budget (hard rows, added by :func:`add_hard_rows`)."""
    data, var = b.data, b.var
    opt_council = data.site_council[data.opt_site]
    close_council = data.site_council[data.close_site] if len(data.close_site) else np.zeros(0, dtype=np.int64)
    v_council = data.cohort_council[data.e_cohort[var["ey_edge"]]]
    for bi, budget in enumerate(data.budgets):
        coefs = money_coefficients(data, var, budget.years.astype(float))
        n_in = budget.councils[opt_council[var["n_option"]]] if len(var["n"]) else np.zeros(0, dtype=bool)
        z_in = budget.councils[close_council[var["z_close"]]] if len(var["z"]) else np.zeros(0, dtype=bool)
        years = np.flatnonzero(budget.years)
        year = int(years[0]) + 1 if len(years) == 1 else None
        if np.isfinite(budget.capital_gbp):
            xs, cs = _terms(var["n"], coefs["n_capital"], n_in)
            b.hard.append(HardRow("capital_budget", budget.label, year, "<=", budget.capital_gbp, "GBP", xs, cs, bi))
        if np.isfinite(budget.revenue_gbp):
            xs, cs = _terms(var["n"], coefs["n_revenue"], n_in)
            zx, zc = _terms(var["z"], coefs["z_revenue"], z_in)
            xs, cs = xs + zx, cs + zc
            if budget.basis == "all":
                vx, vc = _terms(var["v"], coefs["v_placement"], budget.councils[v_council])
                xs, cs = xs + vx, cs + vc
            limit = budget.revenue_gbp - held_budget_gbp(data, budget)
            b.hard.append(HardRow("revenue_budget", budget.label, year, "<=", limit, "GBP", xs, cs, bi))


# ---------------------------------------------------------------------------- shares
def define_shares(b: Building) -> None:
    """Minimum share of each RCC's children placed inside it; maximum share of
    children with one provider group (hard rows)."""
    data, var = b.data, b.var
    Y = data.n_years
    edge, year = var["ey_edge"], var["ey_year"]
    cohort = data.e_cohort[edge]
    m = data.group_size[cohort].astype(float)
    by_year = group_positions(year, Y)
    if data.min_inside_share > 0:
        c_council = data.cohort_council[cohort]
        s_council = data.site_council[data.e_site[edge]]
        for r, (name, mask) in enumerate(zip(data.rcc_names, data.rcc_councils)):
            inside = mask[c_council] & mask[s_council]
            demand = data.total_demand()[mask[data.cohort_council]].sum(axis=0)
            for y in range(Y):
                rhs = data.min_inside_share * float(demand[y]) - (float(data.held.inside[r, y]) if data.held is not None else 0.0)
                if rhs <= 0:
                    continue
                pos = by_year[y][inside[by_year[y]]]
                variables = [var["v"][p] for p in pos]
                b.hard.append(HardRow("inside_region_share", name, y + 1, ">=", rhs, "children", variables, m[pos].tolist(), r))
    if data.max_group_share is not None and data.n_groups:
        group = data.site_group[data.e_site[edge]]
        total = data.total_demand().sum(axis=0)
        for y in range(Y):
            pos_y = by_year[y]
            g_pos = group_positions(group[pos_y] + 1, data.n_groups + 1)[1:]  # code -1 (exempt) dropped
            for g, pos in enumerate(g_pos):
                if not len(pos):
                    continue
                pos = pos_y[pos]
                label = f"provider group {data.group_names[g]}"
                rhs = group_share_limit(data, g, y, float(total[y]))
                variables = [var["v"][p] for p in pos]
                b.hard.append(HardRow("provider_share", label, y + 1, "<=", rhs, "children", variables, m[pos].tolist(), g))


def group_share_limit(data: ModelData, g: int, y: int, total: float) -> float:
    """Children the optimiser may place with provider group ``g`` in 0-based year ``y``: the share cap of
    all ``total`` forecast children less the group's held children (never below 0: held children stay)."""
    held = float(data.held.group[g, y]) if data.held is not None else 0.0
    return max(0.0, float(data.max_group_share) * total - held)  # type: ignore[arg-type]


def held_budget_gbp(data: ModelData, budget: Any) -> float:
    """GBP of held placements a revenue budget of basis ``all`` covers (its councils and years)."""
    if data.held is None or budget.basis != "all":
        return 0.0
    return float(data.held.council_gbp[budget.councils][:, budget.years].sum())


# ---------------------------------------------------------------------------- hard rows and their pricing
def _price_hard(enters: Callable[[HardRow, ModelData, IntArray, IntArray], FloatArray]) -> Any:
    """A pricing rule over a family's hard rows: each row's dual times ``enters`` (the column's
    coefficient per child in the row), added row by row in row order."""

    def rule(block: RowBlock, data: ModelData, edge: IntArray, year: IntArray, acc: FloatArray) -> FloatArray:
        for r in block.hard:
            pi = solvers.dual(r.handle)
            if pi != 0.0:
                acc = acc + pi * enters(r, data, edge, year)
        return acc

    return rule


def _inside_share(r: HardRow, data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    mask = data.rcc_councils[r.ref]
    return (year == (r.year or 0) - 1) & mask[data.cohort_council[data.e_cohort[edge]]] & mask[data.site_council[data.e_site[edge]]]


def _provider_share(r: HardRow, data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    return (year == (r.year or 0) - 1) & (data.site_group[data.e_site[edge]] == r.ref)


def _revenue_budget(r: HardRow, data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    b = data.budgets[r.ref]
    if b.basis != "all":
        return np.zeros(len(edge))
    weekly = data.weeks_per_year * data.e_weekly[edge]
    return weekly * (b.years[year] & b.councils[data.cohort_council[data.e_cohort[edge]]])


#: Placement columns' coefficient per child in a hard row, by family: the one definition that pricing
#: (:data:`HARD_FAMILIES`) and the pricing LP's new columns (:mod:`rcc.sufficiency.growth`) read.
HARD_ENTERS: dict[str, Callable[[HardRow, ModelData, IntArray, IntArray], FloatArray]] = {
    "revenue_budget": _revenue_budget,
    "inside_region_share": _inside_share,
    "provider_share": _provider_share,
}

#: Hard-row families: (whether placement columns enter them, how they enter).
HARD_FAMILIES: dict[str, tuple[bool, Any]] = {
    "committed_units": (False, None),
    "capital_budget": (False, None),
    **{name: (True, _price_hard(enters)) for name, enters in HARD_ENTERS.items()},
}


def add_hard_rows(b: Building, elastic: bool) -> None:
    """Add the hard rows (in elastic mode each gets a slack variable), one named block per family."""
    prob = b.problem
    slacks = arrays.add_variables(prob, "slack", len(b.hard)) if elastic else [None] * len(b.hard)
    families: dict[str, RowBlock] = {}
    for i, (row, s) in enumerate(zip(b.hard, slacks)):
        xs, cs = list(row.variables), list(row.coefs)
        if s is not None:
            row.slack = s
            xs.append(s)
            cs.append(-1.0 if row.sense == "<=" else 1.0)
        expr = arrays.affine(xs, cs)
        row.handle = arrays.add_constraint(prob, expr <= row.rhs if row.sense == "<=" else expr >= row.rhs)
        if row.family not in families:
            placements, rule = HARD_FAMILIES[row.family]
            families[row.family] = RowBlock(row.family, {}, placements=placements, price=rule)
        families[row.family].rows[i] = row.handle
        families[row.family].hard.append(row)
    for block in families.values():
        b.add(block)


def slack_scale(row: HardRow) -> float:
    """Normaliser of a slack: violations are compared relative to the limit
    (at least GBP 1,000, one child or one unit)."""
    floor = 1_000.0 if row.unit == "GBP" else 1.0
    return max(abs(row.rhs), floor)


#: The row blocks of the model, in order; :func:`add_hard_rows` follows (hard rows of budgets and shares,
#: with the step-downs' terms).
ROW_DEFINITIONS: tuple[Callable[[Building], None], ...] = (
    define_demand,
    define_capacity,
    define_closure_order,
    define_units,
    define_budgets,
    define_shares,
    stepdowns.add_step_down_rows,
)

#: The built-in blocks, written through :mod:`rcc.sufficiency.arrays` (so they build either problem).
#: A model whose :data:`ROW_DEFINITIONS` add another (e.g. written with PuLP's ``lpSum``) is built in PuLP.
ARRAY_DEFINITIONS: frozenset[Callable[[Building], None]] = frozenset(ROW_DEFINITIONS)
