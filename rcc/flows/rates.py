"""Rates of the stock-and-flow engine: entries, exits and moves, pluggable.

The engine asks a :class:`Rates` object three questions each month; any object
with these methods will do (the hook for trends, scenario multipliers and
calibrated rates). :class:`FlowRates` is the plain one: constant rates held in
arrays. Its defaults (:func:`default_exit_hazard`, :data:`DEFAULT_MOVE_HAZARD`)
are round placeholders in the published order of magnitude, *not calibrated*
to DfE figures (that is the calibration step's job).
"""

from __future__ import annotations

from typing import Protocol

import attrs
import numpy as np

from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES
from rcc.flows.population import Population

__all__ = [
    "DEFAULT_MOVE_HAZARD",
    "DURATION_EDGES_MONTHS",
    "FlowRates",
    "Rates",
    "default_exit_hazard",
]

#: Lower edges (months in care) of the duration buckets of the exit hazard.
DURATION_EDGES_MONTHS = (0, 6, 12, 24, 48)

#: Monthly chance a placement of each home type ends in a move (placeholder: DfE's placement stability
#: indicator has about one child in ten with three or more placements in a year).
DEFAULT_MOVE_HAZARD: dict[str, float] = {
    "in_house_fostering": 0.015,
    "ifa_fostering": 0.015,
    "kinship": 0.005,
    "childrens_home": 0.025,
    "secure_home": 0.08,
    "residential_school": 0.01,
    "supported_accommodation": 0.02,
}


def default_exit_hazard() -> np.ndarray:
    """Monthly chance of leaving care by duration bucket (rows, :data:`DURATION_EDGES_MONTHS`) and age in
    years 0-17 (columns): high in the first months, lower later; leaving at 18 is separate and exact.

    Placeholder values of the right order (about a third of the stock leaves in a year), not calibrated.
    """
    by_duration = np.array([0.06, 0.035, 0.025, 0.015, 0.01])
    by_age = np.ones(18)
    by_age[:1] = 1.6  # babies: many short episodes and adoptions
    by_age[1:5] = 1.3
    by_age[16:] = 1.2
    return by_duration[:, None] * by_age[None, :]


class Rates(Protocol):
    """What the engine needs to know each month (implement it for trends, scenarios, calibration)."""

    def entries(self, month: int) -> np.ndarray:
        """Expected children entering care in ``month``: shape (councils, needs, 18 ages in years)."""
        ...

    def exit_probability(self, population: Population, month: int) -> np.ndarray:
        """Each child's chance of leaving care during ``month`` (before 18)."""
        ...

    def move_probability(self, population: Population, home_type: np.ndarray, month: int) -> np.ndarray:
        """Each placed child's chance its placement ends in a move during ``month`` (``home_type``: type index)."""
        ...


def _check_probabilities(name: str, values: np.ndarray) -> None:
    bad = ~((values >= 0) & (values <= 1))
    if bad.any():
        raise InvalidInputError(
            "rates",
            str(int(bad.ravel().argmax())),
            name,
            "a monthly chance from 0 to 1",
            float(values.ravel()[bad.ravel().argmax()]),
        )


@attrs.frozen(eq=False)
class FlowRates:
    """Constant monthly rates in arrays.

    Parameters
    ----------
    entry : numpy.ndarray
        Expected entries a month, shape (councils, needs, 18): by home council, need and age in years.
    exit_hazard : numpy.ndarray
        Monthly chance of leaving care, shape (len(DURATION_EDGES_MONTHS), 18): by months in care and age.
    move_hazard : numpy.ndarray
        Monthly chance a placement ends in a move, one per :data:`rcc.core.schema.HOME_TYPES` entry.
    exit_by_need : numpy.ndarray, optional
        A multiplier of the exit hazard per need (default 1).
    """

    entry: np.ndarray = attrs.field(converter=lambda a: np.asarray(a, dtype=float))
    exit_hazard: np.ndarray = attrs.field(factory=default_exit_hazard, converter=lambda a: np.asarray(a, dtype=float))
    move_hazard: np.ndarray = attrs.field(
        factory=lambda: np.array([DEFAULT_MOVE_HAZARD[t] for t in HOME_TYPES]),
        converter=lambda a: np.asarray(a, dtype=float),
    )
    exit_by_need: np.ndarray | None = None

    def __attrs_post_init__(self) -> None:
        if self.entry.ndim != 3 or self.entry.shape[2] != 18:
            raise InvalidInputError("rates", None, "entry", "an array (councils, needs, 18)", str(self.entry.shape))
        if not (np.isfinite(self.entry).all() and (self.entry >= 0).all()):
            raise InvalidInputError(
                "rates", None, "entry", "finite expected entries >= 0", "a negative or missing rate"
            )
        if self.exit_hazard.shape != (len(DURATION_EDGES_MONTHS), 18):
            expected = f"an array ({len(DURATION_EDGES_MONTHS)}, 18)"
            raise InvalidInputError("rates", None, "exit_hazard", expected, str(self.exit_hazard.shape))
        if self.move_hazard.shape != (len(HOME_TYPES),):
            raise InvalidInputError(
                "rates", None, "move_hazard", f"{len(HOME_TYPES)} chances", str(self.move_hazard.shape)
            )
        _check_probabilities("exit_hazard", self.exit_hazard)
        _check_probabilities("move_hazard", self.move_hazard)

    def entries(self, month: int) -> np.ndarray:
        """The same expected entries every month."""
        return self.entry

    def exit_probability(self, population: Population, month: int) -> np.ndarray:
        """From months in care (bucket) and age in years."""
        bucket = np.searchsorted(DURATION_EDGES_MONTHS, month - population.care_since, side="right") - 1
        age = np.clip(population.age_months(month) // 12, 0, 17)
        p = self.exit_hazard[np.clip(bucket, 0, None), age]
        if self.exit_by_need is not None:
            p = np.minimum(1.0, p * np.asarray(self.exit_by_need, dtype=float)[population.need])
        return p

    def move_probability(self, population: Population, home_type: np.ndarray, month: int) -> np.ndarray:
        """From the type of the child's home."""
        return self.move_hazard[home_type]

    def scaled(self, *, entry: float = 1.0, exit: float = 1.0, move: float = 1.0) -> FlowRates:
        """The rates multiplied (a scenario or a calibration parameter; chances capped at 1 is an error)."""
        return FlowRates(self.entry * entry, self.exit_hazard * exit, self.move_hazard * move, self.exit_by_need)

    @classmethod
    def zero(cls, councils: int, needs: int) -> FlowRates:
        """No entries, exits or moves: the stock only ages (and leaves at 18)."""
        return cls(
            np.zeros((councils, needs, 18)), np.zeros((len(DURATION_EDGES_MONTHS), 18)), np.zeros(len(HOME_TYPES))
        )
