"""Records of the sufficiency model: its input arrays, budget rows, hard rows, named row blocks and the built model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pulp

from rcc.core import solvers

__all__ = ["BudgetRow", "HardRow", "HeldArrays", "ModelData", "RowBlock", "StepDowns", "SufficiencyModel"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: A pricing rule: ``rule(block, data, edge, year, acc)`` returns ``acc`` plus, for each placement
#: column (edge-year, possibly not built), the sum over the block's rows of the row's dual times the
#: column's coefficient in that row per child placed.
PricingRule = Callable[["RowBlock", "ModelData", "IntArray", "IntArray", "FloatArray"], "FloatArray"]


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
class StepDowns:
    """Held placements that may step down (:mod:`rcc.sufficiency.stepdowns`): P of them, per plan year (0-based)."""

    held: IntArray  # (P,) row of the held stock (HeldStock arrays)
    cohort: IntArray  # (P,)
    site: IntArray  # (P,)
    children: FloatArray  # (P, Y) held children
    allowed: BoolArray  # (P, Y) years a move may stand (a variable m_py)
    stay_cost: FloatArray  # (P, Y) objective per child-year held (as a placement of the same edge)
    gbp: FloatArray  # (P,) GBP a year per child held
    move_gbp: float  # one-off GBP per child moved
    inside: BoolArray  # (R, P) child and home inside RCC r
    group: IntArray  # (P,) provider group code of the home (-1 exempt)


@attrs.frozen(eq=False)
class HeldArrays:
    """Today's held children in the model's terms (:mod:`rcc.sufficiency.held`), per plan year (0-based)."""

    site: FloatArray  # (S, Y) places taken by held children
    demand: FloatArray  # (C, Y) held children per cohort (not in ModelData.demand)
    inside: FloatArray  # (R, Y) held children of each RCC placed inside it
    group: FloatArray  # (G, Y) held children per provider group code
    council_gbp: FloatArray  # (councils, Y) GBP a year of held placements by the children's council
    remainder: FloatArray  # (C, Y) children of group cohorts less than a group once the held are counted (not in demand)
    #: (J,) the cohort of each remainder group cohort appended after the region's cohorts (:func:`rcc.sufficiency.held.group_remainders`)
    cohort_of: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    steps: StepDowns | None = None  # placements that may step down (SufficiencyParams.step_downs)


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
    opt_lag: IntArray  # (O,) years from start to the first year with the unit open (floor of lead months / 12)
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
    held: HeldArrays | None = None  # today's placements held (demand above is then the rest)
    opt_lead_months: FloatArray | None = None  # (O,) lead time in months (None: 12 x opt_lag)
    lead_time_rule: str = "census"  # "census" or "share" (SufficiencyParams.lead_time_rule)

    def _lead(self, option: IntArray) -> FloatArray:
        return 12.0 * self.opt_lag[option] if self.opt_lead_months is None else self.opt_lead_months[option]

    def open_months_share(self, option: IntArray, k: IntArray) -> FloatArray:
        """Share of plan year ``t + k`` (months ``12 k`` to ``12 (k + 1)`` after the start of year ``t``)
        in which a unit of ``option`` started at the start of year ``t`` is open: it opens
        ``lead_time_months`` after its start, so ``clip(12 (k + 1) - lead, 0, 12) / 12``. Running
        costs are paid for this share (months, not whole years)."""
        option, k = np.asarray(option, dtype=np.int64), np.asarray(k)
        return np.clip(12.0 * (k + 1) - self._lead(option), 0.0, 12.0) / 12.0

    def unit_share(self, option: IntArray, k: IntArray) -> FloatArray:
        """Places per place of a unit of ``option`` started at the start of year ``t`` that count in plan year ``t + k``.

        ``lead_time_rule`` ``"census"``: 1 from the first year whose census date (the start of the plan
        year: plan year 1 is today's census) is on or after the unit opens (``12 k >= lead``), else 0;
        ``"share"``: the share of the year it is open (:meth:`open_months_share`; a lead of 8 months: a
        third of its first year). ``opt_lag`` is the first ``k`` with a share above 0."""
        if self.lead_time_rule == "share":
            return self.open_months_share(option, k)
        option, k = np.asarray(option, dtype=np.int64), np.asarray(k)
        return (12.0 * k >= self._lead(option) - 1e-9).astype(float)

    def units_open(self, units: FloatArray, months: bool = False) -> FloatArray:
        """(O, Y) units counted in each year (``units``: (O, Y) units started per year), by
        :meth:`unit_share` (``months``: by :meth:`open_months_share`, the share of the year open)."""
        Y = self.n_years
        t, y = np.meshgrid(np.arange(Y), np.arange(Y), indexing="ij")  # start year, year
        share = self.open_months_share if months else self.unit_share
        out = np.zeros((self.n_options, Y))
        for o in range(self.n_options):
            out[o] = units[o] @ share(np.full((Y, Y), o), y - t)
        return out

    def held_places(self) -> FloatArray:
        """(S, Y) places taken by held children (zeros when none are held)."""
        if self.held is None:
            return np.zeros((len(self.site_option), self.n_years))
        return self.held.site

    def most_demand(self) -> FloatArray:
        """(C, Y) the most children of each cohort-year the optimiser may place: the demand to place and,
        with step-downs, every held child of the cohort who may be moved that year."""
        steps = self.held.steps if self.held is not None else None
        if steps is None:
            return self.demand
        out = self.demand.copy()
        np.add.at(out, steps.cohort, np.where(steps.allowed, steps.children, 0.0))
        return out

    def total_demand(self) -> FloatArray:
        """(C, Y) forecast children: the demand to place plus the held children (and group remainders)."""
        return self.demand if self.held is None else self.demand + self.held.demand + self.held.remainder

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


@attrs.define(eq=False)
class RowBlock:
    """A named block of rows of the sufficiency model and its place in pricing.

    Edge pricing (:func:`rcc.sufficiency.model.reduced_costs`) needs, for every
    row a placement column could enter, the row's dual times the column's
    coefficient. Each block says how (``price``), or that no placement column
    enters its rows (``placements=False``). A block whose rows placements may
    enter and that has no pricing rule makes :func:`reduced_costs` raise: a
    new constraint cannot silently make pricing stop at a wrong "optimal".

    Attributes
    ----------
    name : str
        The block's name (``demand``, ``capacity``, ``linking``, ``closure_order``,
        ``unit_limits``, a hard-row family such as ``revenue_budget``, ...).
    rows : dict
        Row key (e.g. ``(cohort, year)``) -> PuLP constraint.
    placements : bool
        Whether placement columns (v) may enter the block's rows.
    price : callable, optional
        The pricing rule (see :data:`PricingRule`); needed when ``placements``.
    hard : list of HardRow
        The block's hard rows (hard-row families only), in row order.
    """

    name: str
    rows: dict[Any, Any]
    placements: bool = True
    price: PricingRule | None = None
    hard: list[HardRow] = attrs.field(factory=list)


@attrs.frozen(eq=False)
class SufficiencyModel:
    """A built sufficiency model: the PuLP problem, its variables by position and its named row blocks."""

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
    blocks: dict[str, RowBlock]  # named row blocks, in the order they were added
    extra_rows: int = 0  # rows added by params.extra_constraints (not priced: every edge is built)
    w: list[Any] = attrs.field(factory=list)  # step-downs m_py (rcc.sufficiency.stepdowns)
    w_step: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))  # eligible placement of each
    w_year: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))  # 0-based year of each

    @property
    def n_variables(self) -> int:
        return len(self.v) + len(self.u) + len(self.n) + len(self.z) + len(self.w) + sum(r.slack is not None for r in self.hard)

    @property
    def n_constraints(self) -> int:
        """Rows of the model (every block's, plus those of ``extra_constraints``)."""
        return sum(len(b.rows) for b in self.blocks.values()) + self.extra_rows

    @property
    def demand_rows(self) -> dict[tuple[int, int], Any]:
        """Demand rows by (cohort, year)."""
        return self.blocks["demand"].rows

    @property
    def capacity_rows(self) -> dict[tuple[int, int], Any]:
        """Capacity rows by (site, year)."""
        return self.blocks["capacity"].rows

    def add_constraint(self, row: Any) -> Any:
        """Add one PuLP constraint (``expr <= rhs``, ``>=`` or ``==`` over the model's variables) to
        ``problem`` (as :attr:`rcc.sufficiency.SufficiencyParams.extra_constraints` does); returns its handle."""
        return solvers.add_constraint(self.problem, row)

    def variables(self) -> dict[str, Any]:
        """The variables and their index arrays by name (as the ``define_*`` functions take them)."""
        names = ("ey_edge", "ey_year", "v", "u_index", "u", "n_option", "n_year", "n", "z_close", "z_year", "z")
        return {k: getattr(self, k) for k in names}
