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
    A_oy = sum_{t <= y - lag_o} n_ot       units of o available in year y, where
                                           lag_o = ceil(lead_time_months_o / 12)
    z_ky in {0, 1}, z_ky >= z_k,y-1        home k closed in year y (y >= earliest_k)
    v_ey >= 0 (integer for whole children  groups of m_c children of cohort c at
               or sibling groups)          site s in year y; x_ey = m_c v_ey children
    u_cy >= 0                              children of cohort c without a home in year y

Constraints
    demand      sum_s x_ey + u_cy = D_cy                              (c, y)
    homes       sum_c x_ey <= p_h (1 - z_hy)                           (h, y)
    options     sum_c x_ey <= P_o A_oy                                 (o, y)
    linking     x_ey <= min(D_cy, P_o) A_oy                            (e to an option, y)
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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pulp

from rcc.allocation.model import group_positions
from rcc.core import _compat

__all__ = ["ModelData", "BudgetRow", "HardRow", "SufficiencyModel", "build_sufficiency", "solution_values"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class BudgetRow:
    """One budget: which councils and years it covers, and its limits (inf = none)."""

    label: str
    councils: BoolArray  # mask over councils
    years: BoolArray  # mask over plan years
    capital_gbp: float
    revenue_gbp: float
    basis: str  # "programme" or "all"


@attrs.frozen(eq=False)
class ModelData:
    """Arrays the model is built from (prepared by :mod:`rcc.sufficiency`).

    Councils, cohorts, sites and options are row positions; years are 0-based.
    """

    n_years: int
    demand: FloatArray  # (C, Y) children
    unmet_cost: FloatArray  # (C,) objective per unmet child per year
    group_size: IntArray  # (C,) children per placement unit (siblings kept together)
    cohort_council: IntArray  # (C,)
    site_council: IntArray  # (S,)
    site_places: FloatArray  # (S,) places of a home / places per unit of an option
    site_option: IntArray  # (S,) option position, -1 for an existing home
    site_group: IntArray  # (S,) provider group code, -1 when exempt from the share cap
    group_names: Sequence[str]  # provider group of each code
    opt_site: IntArray  # (O,)
    opt_lag: IntArray  # (O,) years between start and availability
    opt_earliest: IntArray  # (O,) 0-based first start year
    opt_max_units: FloatArray
    opt_max_per_year: FloatArray
    opt_min_units: FloatArray
    opt_capital: FloatArray  # GBP per unit, when started
    opt_start_up: FloatArray  # GBP per unit, when started (revenue)
    opt_running: FloatArray  # GBP per unit per year available (revenue)
    close_site: IntArray  # (K,) site of each closable home
    close_earliest: IntArray  # (K,) 0-based
    close_cost: FloatArray  # (K,) one-off GBP (revenue)
    close_saving: FloatArray  # (K,) GBP per year closed (revenue)
    e_cohort: IntArray  # (E,)
    e_site: IntArray  # (E,)
    e_penalty: FloatArray  # (E,) w_mile d + w_out [outside], per child per week
    e_weekly: FloatArray  # (E,) GBP per child per week
    rcc_councils: Sequence[BoolArray]  # one council mask per RCC
    rcc_names: Sequence[str]
    budgets: Sequence[BudgetRow]
    per_gbp: float  # objective weight of GBP 1 per week
    weeks_per_year: float
    discount_rate: float
    min_inside_share: float
    max_group_share: float | None
    whole_children: bool
    strong_linking: bool

    @property
    def n_cohorts(self) -> int:
        return int(self.demand.shape[0])

    @property
    def n_groups(self) -> int:
        return len(self.group_names)

    @property
    def n_options(self) -> int:
        return len(self.opt_site)

    def first_year(self) -> IntArray:
        """0-based first year each site can hold children (options: earliest start + lag)."""
        first = np.zeros(len(self.site_option), dtype=np.int64)
        is_opt = self.site_option >= 0
        o = self.site_option[is_opt]
        first[is_opt] = self.opt_earliest[o] + self.opt_lag[o]
        return first

    def edge_years(self) -> BoolArray:
        """(E, Y): whether edge e can carry children in year y (its cohort has
        demand that year and its site exists by then): the placement variables."""
        years = np.arange(self.n_years)
        return (self.demand[self.e_cohort] > 0) & (years[None, :] >= self.first_year()[self.e_site][:, None])


@attrs.define(eq=False)
class HardRow:
    """A hard constraint that may make the model infeasible (reported when violated)."""

    family: str  # capital_budget, revenue_budget, inside_region_share, provider_share, committed_units
    label: str  # scope in words
    year: int | None  # 1-based plan year, None = all years of the row
    sense: str  # "<=" or ">="
    rhs: float
    unit: str  # "GBP" or "children" or "units"
    variables: list[Any]
    coefs: list[float]
    ref: int = -1  # budget, RCC, provider group or option position
    slack: Any = None
    handle: Any = None


@attrs.frozen(eq=False)
class SufficiencyModel:
    """A built sufficiency model: the PuLP problem and its variables by position."""

    problem: pulp.LpProblem
    data: ModelData
    ey_edge: IntArray  # edge of each v variable
    ey_year: IntArray  # 0-based year of each v variable
    v: list[Any]
    u_index: IntArray  # (C, Y) position in u, -1 when no variable
    u: list[Any]
    n_option: IntArray
    n_year: IntArray
    n: list[Any]
    z_close: IntArray
    z_year: IntArray
    z: list[Any]
    hard: list[HardRow]
    elastic: bool
    n_constraints: int
    demand_rows: dict[tuple[int, int], Any]
    capacity_rows: dict[tuple[int, int], Any]

    @property
    def n_variables(self) -> int:
        return len(self.v) + len(self.u) + len(self.n) + len(self.z) + sum(r.slack is not None for r in self.hard)


# ---------------------------------------------------------------------------- variables
def define_variables(prob: pulp.LpProblem, data: ModelData, relaxed: bool = False, lazy: bool = False) -> dict[str, Any]:
    """Edge-year placements v (active when the site exists that year and the
    cohort has demand), unmet u per cohort-year with demand, units n per
    option and start year (0 <= n_ot <= max_per_year_o, integer), closures z
    per closable home and year (binary).

    ``relaxed``: every variable continuous (the LP relaxation). ``lazy``: only
    sibling-group placements integer; single children continuous (whole at
    transportation vertices; the caller checks and repairs)."""
    Y = data.n_years
    ey_edge, ey_year = np.nonzero(data.edge_years())
    integer = ((data.whole_children and not lazy) | (data.group_size[data.e_cohort[ey_edge]] > 1)) & (not relaxed)
    v: list[Any] = [None] * len(ey_edge)
    for flag, name in ((True, "vi"), (False, "vc")):
        pos = np.flatnonzero(integer == flag)
        if len(pos):
            made = _compat.add_variables(prob, name, len(pos), integer=flag)
            for p, var in zip(pos, made):
                v[p] = var
    has_demand = data.demand > 0
    u_index = np.full(data.demand.shape, -1, dtype=np.int64)
    u_index[has_demand] = np.arange(int(has_demand.sum()))
    u = _compat.add_variables(prob, "u", int(has_demand.sum()))
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
        n = _compat.add_variables(prob, "n", len(n_opt), integer=not relaxed)
        for var, ub in zip(n, ubs):
            var.upBound = float(ub)
    z_close, z_year = [], []
    for k in range(len(data.close_site)):
        for y in range(int(data.close_earliest[k]), Y):
            z_close.append(k)
            z_year.append(y)
    z = _compat.add_variables(prob, "z", len(z_close), low=0.0, up=1.0, integer=not relaxed)
    return dict(
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


# ---------------------------------------------------------------------------- constraints
def define_demand(prob: pulp.LpProblem, data: ModelData, var: dict[str, Any]) -> dict[tuple[int, int], Any]:
    """sum_s m_c v_ey + u_cy = D_cy for every cohort-year with demand (handles by (c, y))."""
    Y = data.n_years
    v, u, u_index = var["v"], var["u"], var["u_index"]
    cohort = data.e_cohort[var["ey_edge"]]
    m = data.group_size[cohort].astype(float)
    groups = group_positions(cohort * Y + var["ey_year"], data.n_cohorts * Y)
    rows = {}
    for c, y in zip(*np.nonzero(u_index >= 0)):
        pos = groups[c * Y + y]
        expr = _compat.affine([v[p] for p in pos] + [u[u_index[c, y]]], m[pos].tolist() + [1.0])
        rows[int(c), int(y)] = _compat.add_constraint(prob, expr == float(data.demand[c, y]))
    return rows


def define_capacity(
    prob: pulp.LpProblem, data: ModelData, var: dict[str, Any], avail: list[list[np.ndarray]]
) -> tuple[dict[tuple[int, int], Any], int]:
    """Homes: sum_c m_c v_ey + p_h z_hy <= p_h; options: sum_c m_c v_ey - P_o A_oy <= 0;
    with strong linking, m_c v_ey - min(D_cy, P_o) A_oy <= 0 for each option edge-year."""
    Y = data.n_years
    v, n, z = var["v"], var["n"], var["z"]
    ey_site = data.e_site[var["ey_edge"]]
    cohort = data.e_cohort[var["ey_edge"]]
    m = data.group_size[cohort].astype(float)
    groups = group_positions(ey_site * Y + var["ey_year"], len(data.site_option) * Y)
    z_at = {(int(data.close_site[k]), int(y)): i for i, (k, y) in enumerate(zip(var["z_close"], var["z_year"]))}
    count = 0
    rows = {}
    for key, pos in enumerate(groups):
        if not len(pos):
            continue
        s, y = divmod(key, Y)
        o = int(data.site_option[s])
        places = float(data.site_places[s])
        xs = [v[p] for p in pos]
        if o < 0:
            zi = z_at.get((s, y))
            if zi is None:
                rows[s, y] = _compat.add_constraint(prob, _compat.affine(xs, m[pos].tolist()) <= places)
            else:
                expr = _compat.affine(xs + [z[zi]], m[pos].tolist() + [places])
                rows[s, y] = _compat.add_constraint(prob, expr <= places)
            count += 1
            continue
        npos = avail[o][y]
        ns = [n[i] for i in npos]
        expr = _compat.affine(xs + ns, m[pos].tolist() + [-places] * len(ns))
        rows[s, y] = _compat.add_constraint(prob, expr <= 0.0)
        count += 1
        if data.strong_linking:
            for p in pos:
                bound = min(float(data.demand[cohort[p], y]), places)
                _compat.add_constraint(prob, _compat.affine([v[p]] + ns, [m[p]] + [-bound] * len(ns)) <= 0.0)
                count += 1
    return rows, count


def define_closure_order(prob: pulp.LpProblem, data: ModelData, var: dict[str, Any]) -> int:
    """A closed home stays closed: z_ky >= z_k,y-1."""
    z, zk, zy = var["z"], var["z_close"], var["z_year"]
    count = 0
    for i in range(1, len(z)):
        if zk[i] == zk[i - 1] and zy[i] == zy[i - 1] + 1:
            _compat.add_constraint(prob, _compat.affine([z[i], z[i - 1]], [1.0, -1.0]) >= 0.0)
            count += 1
    return count


def define_units(prob: pulp.LpProblem, data: ModelData, var: dict[str, Any], hard: list[HardRow], labels: Sequence[str]) -> int:
    """sum_t n_ot <= max_units_o; sum_t n_ot >= min_units_o is a hard row (committed units)."""
    n = var["n"]
    groups = group_positions(var["n_option"], data.n_options) if len(n) else [np.zeros(0, dtype=np.int64)] * data.n_options
    count = 0
    for o, pos in enumerate(groups):
        ns = [n[i] for i in pos]
        if ns and data.opt_max_units[o] < data.opt_max_per_year[o] * len(ns):
            _compat.add_constraint(prob, _compat.affine(ns) <= float(data.opt_max_units[o]))
            count += 1
        if data.opt_min_units[o] > 0:
            hard.append(
                HardRow(
                    "committed_units", f"option {labels[o]}", None, ">=", float(data.opt_min_units[o]), "units", ns, [1.0] * len(ns), o
                )
            )
    return count


def money_coefficients(
    data: ModelData, var: dict[str, Any], year_weight: FloatArray
) -> dict[str, FloatArray]:
    """Coefficients of GBP spent, weighted by year (``year_weight`` per 0-based year).

    Returns arrays aligned with the n, z and v variables: ``n_capital``,
    ``n_revenue`` (start-up when started + running cost every year available),
    ``z_revenue`` (closure cost when closed - saving every year closed) and
    ``v_placement`` (weeks x weekly cost x children per unit).
    """
    Y = data.n_years
    w = np.asarray(year_weight, dtype=float)
    suffix = np.concatenate([np.cumsum(w[::-1])[::-1], [0.0]])  # suffix[k] = sum_{y >= k} w_y
    no, ny = var["n_option"], var["n_year"]
    n_capital = data.opt_capital[no] * w[ny] if len(no) else np.zeros(0)
    n_revenue = (
        data.opt_start_up[no] * w[ny] + data.opt_running[no] * suffix[np.minimum(ny + data.opt_lag[no], Y)]
        if len(no)
        else np.zeros(0)
    )
    zk, zy = var["z_close"], var["z_year"]
    if len(zk):
        w_next = np.where(zy + 1 < Y, w[np.minimum(zy + 1, Y - 1)], 0.0)
        z_revenue = w[zy] * (data.close_cost[zk] - data.close_saving[zk]) - w_next * data.close_cost[zk]
    else:
        z_revenue = np.zeros(0)
    cohort = data.e_cohort[var["ey_edge"]]
    v_placement = (
        data.weeks_per_year * data.e_weekly[var["ey_edge"]] * data.group_size[cohort] * w[var["ey_year"]]
    )
    return dict(n_capital=n_capital, n_revenue=n_revenue, z_revenue=z_revenue, v_placement=v_placement)


def _terms(variables: list[Any], coefs: FloatArray, mask: BoolArray) -> tuple[list[Any], list[float]]:
    pos = np.flatnonzero(mask & (coefs != 0))
    return [variables[p] for p in pos], coefs[pos].tolist()


def define_budgets(data: ModelData, var: dict[str, Any], hard: list[HardRow]) -> None:
    """Capital and revenue rows of every budget (hard rows, added later)."""
    opt_council = data.site_council[data.opt_site]
    close_council = data.site_council[data.close_site] if len(data.close_site) else np.zeros(0, dtype=np.int64)
    v_council = data.cohort_council[data.e_cohort[var["ey_edge"]]]
    for bi, b in enumerate(data.budgets):
        coefs = money_coefficients(data, var, b.years.astype(float))
        n_in = b.councils[opt_council[var["n_option"]]] if len(var["n"]) else np.zeros(0, dtype=bool)
        z_in = b.councils[close_council[var["z_close"]]] if len(var["z"]) else np.zeros(0, dtype=bool)
        years = np.flatnonzero(b.years)
        year = int(years[0]) + 1 if len(years) == 1 else None
        if np.isfinite(b.capital_gbp):
            xs, cs = _terms(var["n"], coefs["n_capital"], n_in)
            hard.append(HardRow("capital_budget", b.label, year, "<=", b.capital_gbp, "GBP", xs, cs, bi))
        if np.isfinite(b.revenue_gbp):
            xs, cs = _terms(var["n"], coefs["n_revenue"], n_in)
            zx, zc = _terms(var["z"], coefs["z_revenue"], z_in)
            xs, cs = xs + zx, cs + zc
            if b.basis == "all":
                vx, vc = _terms(var["v"], coefs["v_placement"], b.councils[v_council])
                xs, cs = xs + vx, cs + vc
            hard.append(HardRow("revenue_budget", b.label, year, "<=", b.revenue_gbp, "GBP", xs, cs, bi))


def define_shares(data: ModelData, var: dict[str, Any], hard: list[HardRow]) -> None:
    """Minimum share of each RCC's children placed inside it; maximum share of
    children with one provider group (hard rows)."""
    Y = data.n_years
    edge, year = var["ey_edge"], var["ey_year"]
    cohort = data.e_cohort[edge]
    m = data.group_size[cohort].astype(float)
    c_council = data.cohort_council[cohort]
    s_council = data.site_council[data.e_site[edge]]
    by_year = group_positions(year, Y)
    if data.min_inside_share > 0:
        for r, (name, mask) in enumerate(zip(data.rcc_names, data.rcc_councils)):
            inside = mask[c_council] & mask[s_council]
            demand = data.demand[mask[data.cohort_council]].sum(axis=0)
            for y in range(Y):
                rhs = data.min_inside_share * float(demand[y])
                if rhs <= 0:
                    continue
                pos = by_year[y][inside[by_year[y]]]
                hard.append(
                    HardRow(
                        "inside_region_share", name, y + 1, ">=", rhs, "children", [var["v"][p] for p in pos], m[pos].tolist(), r
                    )
                )
    if data.max_group_share is not None and data.n_groups:
        group = data.site_group[data.e_site[edge]]
        total = data.demand.sum(axis=0)
        for y in range(Y):
            pos_y = by_year[y]
            g_pos = group_positions(group[pos_y] + 1, data.n_groups + 1)[1:]  # code -1 (exempt) dropped
            for g, pos in enumerate(g_pos):
                if not len(pos):
                    continue
                pos = pos_y[pos]
                hard.append(
                    HardRow(
                        "provider_share",
                        f"provider group {data.group_names[g]}",
                        y + 1,
                        "<=",
                        data.max_group_share * float(total[y]),
                        "children",
                        [var["v"][p] for p in pos],
                        m[pos].tolist(),
                        g,
                    )
                )


def add_hard_rows(prob: pulp.LpProblem, hard: list[HardRow], elastic: bool) -> None:
    """Add the hard rows; in elastic mode each gets a slack variable."""
    slacks = _compat.add_variables(prob, "slack", len(hard)) if elastic else [None] * len(hard)
    for row, s in zip(hard, slacks):
        xs, cs = list(row.variables), list(row.coefs)
        if s is not None:
            row.slack = s
            xs.append(s)
            cs.append(-1.0 if row.sense == "<=" else 1.0)
        expr = _compat.affine(xs, cs)
        row.handle = _compat.add_constraint(prob, expr <= row.rhs if row.sense == "<=" else expr >= row.rhs)


def slack_scale(row: HardRow) -> float:
    """Normaliser of a slack: violations are compared relative to the limit
    (at least GBP 1,000, one child or one unit)."""
    floor = 1_000.0 if row.unit == "GBP" else 1.0
    return max(abs(row.rhs), floor)


def define_objective(prob: pulp.LpProblem, data: ModelData, var: dict[str, Any], hard: list[HardRow], elastic: bool) -> None:
    """Weekly-equivalent objective summed over years (see module docstring); in
    elastic mode, the sum of relative violations."""
    if elastic:
        slacks = [r.slack for r in hard]
        prob.setObjective(_compat.affine(slacks, [1.0 / slack_scale(r) for r in hard]))
        return
    Y = data.n_years
    delta = (1.0 + data.discount_rate) ** -np.arange(Y, dtype=float)
    coefs = money_coefficients(data, var, delta)
    k = data.per_gbp / data.weeks_per_year
    edge = var["ey_edge"]
    m = data.group_size[data.e_cohort[edge]].astype(float)
    v_cost = data.e_penalty[edge] * m + k * coefs["v_placement"]
    c_idx, _ = np.nonzero(var["u_index"] >= 0)
    u_cost = data.unmet_cost[c_idx]
    variables = list(var["v"]) + list(var["u"]) + list(var["n"]) + list(var["z"])
    costs = np.concatenate([v_cost, u_cost, k * coefs["n_capital"] + k * coefs["n_revenue"], k * coefs["z_revenue"]])
    prob.setObjective(_compat.affine(variables, costs.tolist()))


def build_sufficiency(
    data: ModelData, option_labels: Sequence[str], elastic: bool = False, relaxed: bool = False, lazy: bool = False
) -> SufficiencyModel:
    """Build the sufficiency MILP (its elastic version, its LP relaxation, or
    with single children's placements continuous: ``lazy``) from prepared arrays."""
    prob = _compat.new_problem("rcc_sufficiency_elastic" if elastic else "rcc_sufficiency")
    var = define_variables(prob, data, relaxed, lazy)
    avail = _available(var["n_option"], var["n_year"], data.opt_lag, data.n_years, data.n_options)
    hard: list[HardRow] = []
    demand_rows = define_demand(prob, data, var)
    capacity_rows, count = define_capacity(prob, data, var, avail)
    count += len(demand_rows)
    count += define_closure_order(prob, data, var)
    count += define_units(prob, data, var, hard, option_labels)
    define_budgets(data, var, hard)
    define_shares(data, var, hard)
    add_hard_rows(prob, hard, elastic)
    define_objective(prob, data, var, hard, elastic)
    return SufficiencyModel(
        problem=prob,
        data=data,
        hard=hard,
        elastic=elastic,
        n_constraints=count + len(hard),
        demand_rows=demand_rows,
        capacity_rows=capacity_rows,
        **var,
    )


def solution_values(model: SufficiencyModel) -> dict[str, FloatArray]:
    """Solution arrays: children per edge-year (x), unmet (C, Y), units (n), closures (z)."""
    d = model.data
    m = d.group_size[d.e_cohort[model.ey_edge]].astype(float)
    x = np.asarray(_compat.values(model.v), dtype=float) * m
    u_vals = np.asarray(_compat.values(model.u), dtype=float)
    unmet = np.zeros(d.demand.shape)
    has = model.u_index >= 0
    unmet[has] = u_vals[model.u_index[has]]
    n = np.asarray(_compat.values(model.n), dtype=float)
    z = np.asarray(_compat.values(model.z), dtype=float)
    return {"x": x, "unmet": unmet, "n": np.round(n), "z": np.round(z)}


def hard_row_values(model: SufficiencyModel) -> tuple[FloatArray, FloatArray]:
    """Left-hand side (without slack) and slack value of every hard row."""
    lhs = np.array([float(np.dot(_compat.values(r.variables), r.coefs)) if r.variables else 0.0 for r in model.hard])
    slack = np.array([_compat.values([r.slack])[0] if r.slack is not None else 0.0 for r in model.hard])
    return lhs, slack


def placement_objective(data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    """Objective coefficient of v_ey (per placement unit of m_c children)."""
    m = data.group_size[data.e_cohort[edge]].astype(float)
    delta = (1.0 + data.discount_rate) ** -year.astype(float)
    return m * (data.e_penalty[edge] + data.per_gbp * data.e_weekly[edge] * delta)


def reduced_costs(model: SufficiencyModel, data: ModelData, edge: IntArray, year: IntArray) -> FloatArray:
    """Reduced cost c_ey - a_ey' pi of edge-years of ``data`` (the full edge set)
    from the duals of ``model`` (an LP relaxation over a subset of the edges).

    Rows a new column would enter: its demand and capacity rows, the
    inside-region share rows of its RCCs, its provider group's share row and
    every all-placements revenue budget covering its cohort and year. Rows
    absent from ``model`` (and the linking row of a new option edge) take
    dual 0, which keeps the duals feasible for the larger LP: with every
    reduced cost >= 0 the LP is optimal over all edges.
    """
    Y = data.n_years
    C, S = data.n_cohorts, len(data.site_option)
    pi_dem = np.zeros((C, Y))
    for (c, y), h in model.demand_rows.items():
        pi_dem[c, y] = _compat.dual(h)
    pi_cap = np.zeros((S, Y))
    for (s, y), h in model.capacity_rows.items():
        pi_cap[s, y] = _compat.dual(h)
    cohort = data.e_cohort[edge]
    site = data.e_site[edge]
    m = data.group_size[cohort].astype(float)
    price = pi_dem[cohort, year] + pi_cap[site, year]
    c_council = data.cohort_council[cohort]
    s_council = data.site_council[data.e_site[edge]]
    group = data.site_group[site]
    for r in model.hard:
        pi = _compat.dual(r.handle)
        if pi == 0.0:
            continue
        if r.family == "inside_region_share":
            mask = data.rcc_councils[r.ref]
            price = price + pi * ((year == (r.year or 0) - 1) & mask[c_council] & mask[s_council])
        elif r.family == "provider_share":
            price = price + pi * ((year == (r.year or 0) - 1) & (group == r.ref))
        elif r.family == "revenue_budget" and data.budgets[r.ref].basis == "all":
            b = data.budgets[r.ref]
            weekly = data.weeks_per_year * data.e_weekly[edge]
            price = price + pi * weekly * (b.years[year] & b.councils[c_council])
    return placement_objective(data, edge, year) - m * price
