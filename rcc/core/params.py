"""Settings of a plan, in frozen objects (no long keyword lists)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from rcc.core.errors import InvalidInputError
from rcc.core.schema import NEEDS

__all__ = ["Weights", "SolverOptions", "PlanParams", "DistanceRules"]


def number(
    *,
    minimum: float = 0.0,
    above: bool = False,
    finite: bool = True,
    optional: bool = False,
    whole: bool = False,
    maximum: float = math.inf,
) -> Callable[[object, attrs.Attribute, object], None]:  # type: ignore[type-arg]
    """An attrs validator: a real number (never text or a bool), ``>= minimum``
    (``> minimum`` with ``above``), finite unless ``finite=False``, a whole
    number with ``whole``, ``None`` allowed with ``optional``."""

    def check(instance: object, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
        if value is None and optional:
            return
        kind = "a whole number" if whole else "a number"
        expected = f"{kind} {'>' if above else '>='} {minimum:g}" + ("" if finite else " (inf allowed)")
        if maximum < math.inf:
            expected += f" and <= {maximum:g}"
        if optional:
            expected += " or None"
        ok_type = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(value, bool)
        if not ok_type:
            raise InvalidInputError("params", type(instance).__name__, attribute.name, expected, value)
        v = float(value)  # type: ignore[arg-type]
        if math.isnan(v) or (finite and math.isinf(v)) or v < minimum or (above and v == minimum) or v > maximum:
            raise InvalidInputError("params", type(instance).__name__, attribute.name, expected, value)

    return check


_non_negative = number()

#: Most solver threads accepted (HiGHS starts that many threads: more than a machine has only slows it down).
MAX_THREADS = 256


def one_of(choices: tuple[str, ...]) -> Callable[[object, attrs.Attribute, object], None]:  # type: ignore[type-arg]
    """An attrs validator: one of ``choices`` (an InvalidInputError otherwise)."""

    def check(instance: object, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
        if not isinstance(value, str) or value not in choices:
            raise InvalidInputError("params", type(instance).__name__, attribute.name, f"one of {list(choices)}", value)

    return check


def optional_function(instance: object, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
    """An attrs validator: a function (e.g. a user's ``extra_constraints(model)``) or None."""
    if value is not None and not callable(value):
        raise InvalidInputError("params", type(instance).__name__, attribute.name, "a function f(model) or None", value)


def instance(kind: type) -> Callable[[object, attrs.Attribute, object], None]:  # type: ignore[type-arg]
    """An attrs validator: an instance of ``kind`` (``bool`` means True or False, not 0/1 or text)."""

    def check(instance_: object, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
        if not isinstance(value, kind):
            raise InvalidInputError(
                "params", type(instance_).__name__, attribute.name, f"a {kind.__name__}", value
            )

    return check


def _freeze(value: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("params", None, None, "a mapping of need -> number", value)
    return MappingProxyType(dict(value))


@attrs.frozen
class Weights:
    """Weights of the allocation objective, per child placed per week.

    The objective is lexicographic in spirit: an unmet child costs far more than
    any distance, and a mile costs more than the typical cost difference.

    Parameters
    ----------
    unmet_child : float
        Penalty for each child left without a home (default 10,000).
    per_mile : float
        Penalty per mile between home council and placement (default 1).
    out_of_area : float
        Extra penalty for a placement outside the child's own council (default 10,
        i.e. worth 10 miles).
    per_gbp : float
        Weight of one pound of weekly cost (default 0.001: GBP 1,000/week = 1 mile).
    unmet_by_need : Mapping[str, float]
        Optional multipliers of ``unmet_child`` by need (e.g. ``{"secure": 2}``).
    """

    unmet_child: float = attrs.field(default=10_000.0, validator=_non_negative)
    per_mile: float = attrs.field(default=1.0, validator=_non_negative)
    out_of_area: float = attrs.field(default=10.0, validator=_non_negative)
    per_gbp: float = attrs.field(default=0.001, validator=_non_negative)
    unmet_by_need: Mapping[str, float] = attrs.field(factory=dict, converter=_freeze)

    @unmet_by_need.validator
    def _check_needs(self, attribute: attrs.Attribute, value: Mapping[str, float]) -> None:  # type: ignore[type-arg]
        for k, v in value.items():
            if k not in NEEDS:
                raise InvalidInputError("params", None, "unmet_by_need", f"a need from {list(NEEDS)}", k)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (0 <= v < math.inf):
                raise InvalidInputError("params", k, "unmet_by_need", "a finite multiplier >= 0", v)


@attrs.frozen
class SolverOptions:
    """Which solver and its limits.

    Parameters
    ----------
    name : {"highs", "cbc"}
        HiGHS runs in process through highspy (default); CBC through PuLP.
    time_limit_s : float or None
        Wall-clock limit; a plan stopped by it says so (status ``time_limit``).
    mip_gap : float or None
        Relative gap at which a MIP may stop; the achieved gap is reported.
    threads : int or None
        Solver threads (sweeps use 1 per worker).
    msg : bool
        Show the solver log.
    """

    name: str = attrs.field(default="highs", validator=one_of(("highs", "cbc")))
    time_limit_s: float | None = attrs.field(default=None, validator=number(above=True, optional=True))
    mip_gap: float | None = attrs.field(default=None, validator=number(optional=True))
    threads: int | None = attrs.field(
        default=None, validator=number(minimum=1, maximum=MAX_THREADS, whole=True, optional=True)
    )
    msg: bool = attrs.field(default=False, validator=instance(bool))


def _check_distance_by_need(instance: object, attribute: attrs.Attribute, value: Mapping[str, float]) -> None:  # type: ignore[type-arg]
    for k, v in value.items():
        if k not in NEEDS:
            raise InvalidInputError("params", None, "max_distance_by_need", f"a need from {list(NEEDS)}", k)
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (v >= 0):
            raise InvalidInputError("params", k, "max_distance_by_need", "miles >= 0 (inf: no limit)", v)


# The settings a plan and a sufficiency plan share, defined once: each params class declares them with these.
def weights_field() -> Weights:
    """The ``weights`` field (:class:`Weights`, default ``Weights()``)."""
    return attrs.field(factory=Weights, validator=instance(Weights))  # type: ignore[no-any-return]


def max_distance_field() -> float:
    """The ``max_distance_miles`` field (default 150 miles; inf allowed)."""
    return attrs.field(default=150.0, validator=number(finite=False))  # type: ignore[no-any-return]


def distance_by_need_field() -> Mapping[str, float]:
    """The ``max_distance_by_need`` field (default: secure placements have no limit)."""
    return attrs.field(  # type: ignore[no-any-return]
        factory=lambda: {"secure": math.inf}, converter=_freeze, validator=_check_distance_by_need
    )


class DistanceLimits:
    """The distance rule of a params class with ``max_distance_miles`` and ``max_distance_by_need``."""

    __slots__ = ()

    def distance_limit(self, need: str) -> float:
        """The distance limit in miles for a need."""
        return float(self.max_distance_by_need.get(need, self.max_distance_miles))  # type: ignore[attr-defined]


@attrs.frozen
class DistanceRules(DistanceLimits):
    """Distance limits on their own (what :func:`rcc.allocation.network.eligible_edges` reads).

    Parameters
    ----------
    max_distance_miles : float
        No placement further than this from home (default 150 miles).
    max_distance_by_need : Mapping[str, float]
        Per-need overrides (default: secure placements have no limit).

    Examples
    --------
    >>> DistanceRules(max_distance_miles=math.inf, max_distance_by_need={}).distance_limit("secure")
    inf
    """

    max_distance_miles: float = max_distance_field()
    max_distance_by_need: Mapping[str, float] = distance_by_need_field()


@attrs.frozen
class PlanParams(DistanceLimits):
    """Settings of :func:`rcc.plan`.

    Parameters
    ----------
    method : {"optimise", "greedy"}
        ``"optimise"`` solves the allocation model; ``"greedy"`` places each
        referral in the nearest home with a free place, the way
        referral-by-referral placing works today (the baseline).
    weights : Weights
    max_distance_miles : float
        No placement further than this from home (default 150 miles).
    max_distance_by_need : Mapping[str, float]
        Per-need overrides (default: secure placements have no limit).
    hold_current : bool
        Keep children already placed where they are (stability). Default True.
    solver : SolverOptions
    seed : int
        Seed of the greedy baseline's referral order.
    pricing_radius_miles : float or None
        The optimiser first builds only edges within this distance (and held
        placements), then adds every further edge whose reduced cost is
        negative and solves again, until none is: the result is optimal over
        all edges, from a much smaller model. ``None`` builds all edges at once.
    extra_constraints : callable or None
        Your own rules, as in energy-system modelling libraries (PyPSA's
        ``extra_functionality``): ``f(model)`` receives the PuLP
        :class:`~rcc.allocation.model.AllocationModel` of the plan (``model.problem``,
        ``model.x`` one variable per row of ``model.edges``, whose ``cohort`` and
        ``home`` are row positions in ``model.region.cohorts`` / ``model.region.homes``,
        ``model.u`` one per cohort) and adds rows with ``model.add(expression <= number)``. With it,
        every eligible edge is built at once (no pricing: your rows may involve any edge),
        homes are not merged, and the PuLP model is solved by ``solver`` (HiGHS or CBC).
        A model your rows make infeasible raises :class:`~rcc.InfeasibleError`.
        Optimiser only; use a module-level function for process executors.
    extra_rows : tuple of RowBlock
        Further rules of the model's own shape (each edge enters at most one row of a
        block: a cap per council, per provider ...), as
        :class:`~rcc.allocation.model.RowBlock` s. Unlike ``extra_constraints`` they
        are priced like the demand and capacity rows (duals read by the block's name),
        so the optimiser still builds only the edges it needs. Homes are not merged
        (a block may tell homes apart that are otherwise interchangeable). Optimiser only.
    split_network : bool
        Solve each independent part of the network (cohorts and homes joined by edges)
        as its own HiGHS LP (default): the same optimal value, and the solve grows about
        linearly with the region (the simplex's work on one LP grows faster than the
        model). Where the plan has ties (several optimal plans) it may pick another of
        them than one model over the whole network does (``False``). HiGHS without a time
        limit or ``extra_rows`` only; ignored otherwise.

    Examples
    --------
    >>> PlanParams(max_distance_miles=50).distance_limit("secure")
    inf
    >>> PlanParams(max_distance_miles=50).distance_limit("mainstream")
    50.0
    """

    method: str = attrs.field(default="optimise", validator=one_of(("optimise", "greedy")))
    weights: Weights = weights_field()
    max_distance_miles: float = max_distance_field()
    max_distance_by_need: Mapping[str, float] = distance_by_need_field()
    hold_current: bool = attrs.field(default=True, validator=instance(bool))
    solver: SolverOptions = attrs.field(factory=SolverOptions, validator=instance(SolverOptions))
    seed: int = attrs.field(default=0, validator=number(whole=True))
    pricing_radius_miles: float | None = attrs.field(default=25.0, validator=number(finite=False, optional=True))
    extra_constraints: Callable[[object], None] | None = attrs.field(default=None, validator=optional_function)
    extra_rows: tuple[Any, ...] = attrs.field(default=(), converter=tuple)
    split_network: bool = attrs.field(default=True, validator=instance(bool))

    @extra_rows.validator
    def _check_rows(self, attribute: attrs.Attribute, value: tuple[Any, ...]) -> None:  # type: ignore[type-arg]
        names = [getattr(b, "name", None) for b in value]
        for b, name in zip(value, names):
            if not (isinstance(name, str) and callable(getattr(b, "rows", None)) and callable(getattr(b, "bounds", None))):
                raise InvalidInputError("params", "PlanParams", "extra_rows", "rcc.allocation.model.RowBlock records", b)
            if name in ("demand", "capacity") or names.count(name) > 1:
                raise InvalidInputError("params", "PlanParams", "extra_rows", "blocks with new, distinct names", name)
        if value and self.method != "optimise":
            raise InvalidInputError(
                "params", "PlanParams", "extra_rows", "method 'optimise' (the greedy has no model)", self.method
            )

    @extra_constraints.validator
    def _check_hook(self, attribute: attrs.Attribute, value: object) -> None:  # type: ignore[type-arg]
        if value is not None and self.method != "optimise":
            raise InvalidInputError(
                "params", "PlanParams", "extra_constraints", "method 'optimise' (the greedy has no model)", self.method
            )

    def evolve(self, **changes: object) -> PlanParams:
        """A copy with some settings changed."""
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]
