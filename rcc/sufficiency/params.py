"""Settings of a sufficiency plan, in one frozen object."""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from rcc.core.errors import InvalidInputError
from rcc.core.params import (
    DistanceLimits,
    SolverOptions,
    Weights,
    distance_by_need_field,
    instance,
    max_distance_field,
    number,
    optional_function,
    weights_field,
)
from rcc.core.schema import MAX_COUNT, MAX_YEARS

__all__ = ["MAX_YEARS", "SufficiencyParams"]


def _share(instance: object, attribute: attrs.Attribute, value: float | None) -> None:  # type: ignore[type-arg]
    if value is None and attribute.name == "max_provider_group_share":
        return
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not (0.0 <= float(value) <= 1.0):  # type: ignore[arg-type]
        raise InvalidInputError("params", "SufficiencyParams", attribute.name, "a share between 0 and 1", value)


def _at_most(limit: float) -> object:
    """An attrs validator: None or a number <= limit (after the type and range checks)."""

    def check(instance: object, attribute: attrs.Attribute, value: float | None) -> None:  # type: ignore[type-arg]
        if value is not None and value > limit:
            raise InvalidInputError("params", "SufficiencyParams", attribute.name, f"at most {limit:,g}", value)

    return check


def _solver(instance: object, attribute: attrs.Attribute, value: SolverOptions) -> None:  # type: ignore[type-arg]
    """SolverOptions checks its own numbers; a time limit must also be below 2**63 seconds."""
    if not isinstance(value, SolverOptions):
        raise InvalidInputError("params", "SufficiencyParams", "solver", "an rcc.SolverOptions", type(value).__name__)
    if value.time_limit_s is not None and not value.time_limit_s < 2**63:
        raise InvalidInputError("params", "SolverOptions", "time_limit_s", "seconds > 0 and below 2**63", value.time_limit_s)


def _sectors(value: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError("params", "SufficiencyParams", "share_exempt_sectors", "a list of sector names", value)
    return tuple(value)


def _freeze_rccs(value: Mapping[str, Sequence[str]]) -> Mapping[str, tuple[str, ...]]:
    ok = isinstance(value, Mapping) and all(
        isinstance(k, str) and not isinstance(v, str) and isinstance(v, Sequence) and all(isinstance(c, str) for c in v)
        for k, v in value.items()
    )
    if not ok:
        raise InvalidInputError("params", "SufficiencyParams", "rccs", "a mapping of RCC name -> list of council ids", value)
    return MappingProxyType({k: tuple(v) for k, v in value.items()})


def _one_of(*allowed: str) -> Callable[[object, attrs.Attribute, object], None]:  # type: ignore[type-arg]
    """An attrs validator: one of ``allowed``."""

    def check(instance: object, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
        if value not in allowed:
            raise InvalidInputError("params", "SufficiencyParams", attribute.name, f"one of {list(allowed)}", value)

    return check


def _default_solver() -> SolverOptions:
    return SolverOptions(time_limit_s=120.0)


@attrs.frozen
class SufficiencyParams(DistanceLimits):
    """Settings of :func:`rcc.sufficiency.sufficiency_plan`.

    Parameters
    ----------
    years : int, optional
        Plan horizon in years (1 to :data:`MAX_YEARS`); default: the forecast's
        last year (1 without a forecast).
    weights : Weights
        The allocation weights of :class:`rcc.Weights` (the same field as
        :class:`rcc.PlanParams`': one definition), per child per week,
        summed over the plan years. Money (capital, start-up, running,
        closures) enters at ``per_gbp / weeks_per_year`` per pound.
    max_distance_miles, max_distance_by_need
        Distance limits of council-scope homes and options: the fields and
        :meth:`distance_limit` of :class:`rcc.PlanParams` (secure: no limit).
    rccs : Mapping[str, Sequence[str]]
        Named RCCs (council ids) for ``rcc`` budgets, the inside-region share
        and the growth-versus-moves report. Default: one RCC, the region.
    min_inside_region_share : float
        In every year, at least this share of each RCC's forecast children must
        be placed in homes inside the RCC (hard: an infeasible target is explained).
    max_provider_group_share : float, optional
        In every year, no provider group outside ``share_exempt_sectors`` may
        hold more than this share of all forecast children (market concentration).
    share_exempt_sectors : tuple of str
        Sectors not capped by ``max_provider_group_share`` (default: council in-house).
    discount_rate : float
        Yearly discount rate of money in the objective (budgets and reported
        costs stay nominal). Default 0.
    weeks_per_year : float
        Weeks of placement cost per year (52).
    whole_children : bool
        Place whole children (integer placements). ``False`` allows fractional
        splits (e.g. splittable demand in facility-location benchmarks).
    strong_linking : bool
        Add ``x <= min(demand, places) * units`` per option edge: a tighter
        relaxation, usually faster for facility-location structure.
    seed_radius_miles : float or None
        Lagrangian edge pricing of the sufficiency model (not the plain column
        generation of ``PlanParams.pricing_radius_miles``, default 25 miles, which
        adds every negative reduced cost each round): first build only
        placements within this distance (plus
        each cohort's 3 cheapest homes, its cheapest homes until their places
        cover 16 times its largest yearly demand, its 3 nearest options and
        every regional or national option). Each round solves the LP
        relaxation and adds, per cohort, the 10 left-out edges with the most
        negative reduced cost (with HiGHS: to the same model, re-solved from
        its last basis), until the Lagrangian bound (the LP value plus
        every negative reduced cost times the most its edge can carry) is
        within 1% of the gap tolerance of the LP value: a lower bound valid
        for all edges. The LP is rounded and then searched nearby (units and
        closures between the floor and ceiling of their LP values): starting
        plans only. Unless one is within the gap tolerance of that bound, a
        full branch and bound follows over the built edges plus every edge
        the reduced-cost test cannot rule out (reduced cost below the
        incumbent's distance to the bound), so ``optimal`` always holds for
        the whole model. ``None`` builds every edge at once (default 10 miles).
        The old spelling ``pricing_radius_miles`` is accepted, as a keyword and
        an attribute, with a DeprecationWarning.
    max_homes_per_cohort : int, optional
        Model reduction: keep only each cohort's this-many cheapest existing
        homes (all options are kept). Not exact; the plan's note says so.
    solver : SolverOptions
        Default HiGHS with a 120 s time limit; the gap is always reported.
    explain_infeasible : bool
        When the hard rules clash, solve an elastic model to say which rules
        must give and by how much (else: status infeasible without detail).
    extra_constraints : callable, optional
        The user's own rules: called with every
        :class:`rcc.sufficiency.model.SufficiencyModel` built (the MILP, its LP
        relaxations and, when rules clash, the elastic model) to add rows with
        ``model.add_constraint(pulp.lpSum(...) <= rhs)`` (variables ``model.v`` (placement
        units of edge-year ``model.ey_edge``/``model.ey_year``), ``model.u``,
        ``model.n`` (units of option ``model.n_option`` started in
        ``model.n_year``), ``model.z``; arrays in ``model.data``). Its rows are
        hard and never relaxed by the explanation. Pricing cannot read them, so
        with a hook every edge is built at once (no edge pricing).
    hold_placements : bool
        Start from today (default): the children of ``region.placements`` stay in their
        homes while still in care (expected survivors by the exit rates of
        :mod:`rcc.flows` and leaving at 18, see :mod:`rcc.sufficiency.held`), taking
        those places and that part of their cohort's demand; only the rest is placed.
        ``False`` plans afresh: every forecast child is placed anew each year.
    lead_time_rule : str
        When new capacity counts. A unit started in plan year t starts at the start
        of that year and opens ``lead_time_months`` later (months, never rounded).
        ``"census"`` (default): its places count from the first plan year whose
        census date (the start of the year; plan year 1 is today) is on or after the
        opening, as demand is counted on census dates (8 months: from year t + 1;
        18 months: from year t + 2). ``"share"``: they count in each year for the
        share of it the unit is open (8 months: a third of year t, then whole years).
        Either way running costs are paid for the months open.
    step_downs : bool
        With ``hold_placements``: the optimiser may move held children by plan, as step-downs
        (:mod:`rcc.sufficiency.stepdowns`: from children's homes and residential schools, or from
        outside the child's council; a move only where the new placement and its cost are cheaper
        than staying). Default ``False``: held children never move.
    step_down_cost_gbp : float
        One-off cost of each planned move (default GBP 5,000: an assumption for the planning of a
        transition, not a published figure).

    Examples
    --------
    >>> SufficiencyParams(years=5, min_inside_region_share=0.8).years
    5
    """

    years: int | None = attrs.field(
        default=None, validator=[number(minimum=1, whole=True, optional=True), _at_most(MAX_YEARS)]  # type: ignore[list-item]
    )
    weights: Weights = weights_field()
    max_distance_miles: float = max_distance_field()
    max_distance_by_need: Mapping[str, float] = distance_by_need_field()
    rccs: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_freeze_rccs)
    min_inside_region_share: float = attrs.field(default=0.0, validator=_share)
    max_provider_group_share: float | None = attrs.field(default=None, validator=_share)
    share_exempt_sectors: tuple[str, ...] = attrs.field(default=("council",), converter=_sectors)
    discount_rate: float = attrs.field(default=0.0, validator=number())
    weeks_per_year: float = attrs.field(default=52.0, validator=[number(above=True), _at_most(366.0)])  # type: ignore[list-item]
    whole_children: bool = attrs.field(default=True, validator=instance(bool))
    strong_linking: bool = attrs.field(default=True, validator=instance(bool))
    seed_radius_miles: float | None = attrs.field(default=10.0, validator=number(finite=False, optional=True))
    max_homes_per_cohort: int | None = attrs.field(
        default=None, validator=[number(minimum=1, whole=True, optional=True), _at_most(MAX_COUNT)]  # type: ignore[list-item]
    )
    solver: SolverOptions = attrs.field(factory=_default_solver, validator=_solver)
    explain_infeasible: bool = attrs.field(default=True, validator=instance(bool))
    extra_constraints: Callable[[Any], None] | None = attrs.field(default=None, validator=optional_function)
    hold_placements: bool = attrs.field(default=True, validator=instance(bool))
    lead_time_rule: str = attrs.field(default="census", validator=_one_of("census", "share"))
    step_downs: bool = attrs.field(default=False, validator=instance(bool))
    step_down_cost_gbp: float = attrs.field(default=5_000.0, validator=number(minimum=0.0))

    @property
    def pricing_radius_miles(self) -> float | None:
        """Deprecated spelling of :attr:`seed_radius_miles`."""
        _warn_radius()
        return self.seed_radius_miles

    def evolve(self, **changes: object) -> SufficiencyParams:
        """A copy with some settings changed."""
        if _OLD_RADIUS in changes:
            _warn_radius()
            changes[_NEW_RADIUS] = changes.pop(_OLD_RADIUS)
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]


_OLD_RADIUS, _NEW_RADIUS = "pricing_radius_miles", "seed_radius_miles"


def _warn_radius() -> None:
    warnings.warn(
        "SufficiencyParams.pricing_radius_miles is deprecated: renamed seed_radius_miles in rcc 0.2 "
        "(the sufficiency model's Lagrangian pricing, not PlanParams.pricing_radius_miles)",
        DeprecationWarning,
        stacklevel=3,
    )


_attrs_init = SufficiencyParams.__init__


@functools.wraps(_attrs_init)
def _init(self: SufficiencyParams, *args: Any, **kwargs: Any) -> None:
    """The attrs __init__, also accepting the old keyword ``pricing_radius_miles`` (with a warning)."""
    if _OLD_RADIUS in kwargs:
        _warn_radius()
        kwargs[_NEW_RADIUS] = kwargs.pop(_OLD_RADIUS)
    _attrs_init(self, *args, **kwargs)


SufficiencyParams.__init__ = _init  # type: ignore[method-assign]
