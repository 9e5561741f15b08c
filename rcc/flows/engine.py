"""The monthly stock-and-flow engine: ageing, leaving at 18, exits, moves, entries and placing.

One engine serves the referral simulation of today's England
(:mod:`rcc.simulate`) and the monthly forecast: a :class:`Engine` holds the
supply (homes, places, the candidate :class:`~rcc.flows.choice.Network`) and
the :class:`~rcc.flows.rates.Rates`; :meth:`Engine.run` moves a
:class:`~rcc.flows.population.Population` month by month. Each month, in order:

1. children reaching 18 (their 216th month of age) leave care; others leave with
   the exit hazard;
2. placed children move with the move hazard, and must move when a birthday takes
   them into an age band their home does not take;
3. new children enter (Poisson around the expected entries per council, need
   and age in years; birth month uniform within the year of age);
4. every child without a home (new, moved, or still waiting) is placed by the
   choice rule (:func:`~rcc.flows.choice.place`) in a random priority order.

Every random number comes from a generator seeded with ``(seed, month)``, so a
run depends only on its inputs and seed, never on the executor or the process.
"""

from __future__ import annotations

from typing import Protocol

import attrs
import numpy as np

from rcc.flows.choice import Network, place
from rcc.flows.population import LEAVING_AGE_MONTHS, NO_HOME, Population
from rcc.flows.rates import Rates

__all__ = ["EVENTS", "Assign", "Engine"]

#: Events counted by month, home council, need and age band: entries into care, exits before 18, leaving
#: at 18, moves (a placement ended, the child still in care) and placements begun.
EVENTS: tuple[str, ...] = ("start", "end", "aged_out", "move", "placed")
_START, _END, _AGED_OUT, _MOVE, _PLACED = range(len(EVENTS))


class Assign(Protocol):
    """Homes given directly instead of by the choice rule (the monthly forecast's transition matrix)."""

    def __call__(
        self, population: Population, previous: np.ndarray, month: int, rng: np.random.Generator
    ) -> np.ndarray:
        """A home for each child of ``population`` (``previous``: its last home, :data:`NO_HOME` on entry)."""
        ...


@attrs.frozen(eq=False)
class Engine:
    """Supply and rates for the monthly engine.

    Parameters
    ----------
    network : Network
        Candidate homes per key ``(council * needs + need) * bands + band``.
    home_type : numpy.ndarray
        Type index of each home (:data:`rcc.core.schema.HOME_TYPES`).
    places : numpy.ndarray
        Places of each home.
    suits : numpy.ndarray
        Chance a free place of each home suits an eligible child.
    band_of_age : numpy.ndarray
        Age band index of each age in years 0-17.
    councils, needs : int
        How many councils and needs the keys are made of.
    rates : Rates
    match_spread : float or numpy.ndarray
        How unequal children are to match, per home or one for all
        (:meth:`rcc.flows.ChoiceRule.spread_array`; 0: alike).
    assign : Assign, optional
        When given, children who enter or move get the home it returns (supply unlimited: ``places``
        are not checked), not one chosen by the choice rule: a forecast by placement type, where each
        "home" is a placement type and moves follow a transition matrix.
    """

    network: Network
    home_type: np.ndarray
    places: np.ndarray
    suits: np.ndarray
    band_of_age: np.ndarray
    councils: int
    needs: int
    rates: Rates
    assign: Assign | None = None
    match_spread: float | np.ndarray = 0.0

    @property
    def bands(self) -> int:
        """Number of age bands."""
        return int(self.band_of_age.max()) + 1

    def key(self, population: Population, month: int) -> np.ndarray:
        """Each child's network key in ``month`` (age band from its birth month)."""
        band = self.band_of_age[np.clip(population.age_months(month) // 12, 0, 17)]
        return (population.council * self.needs + population.need) * self.bands + band

    def occupancy(self, population: Population) -> np.ndarray:
        """Children living in each home."""
        placed = population.home[population.home >= 0]
        return np.bincount(placed, minlength=len(self.places))

    def new_events(self, months: int) -> np.ndarray:
        """A zero count per month, council, need, band and event."""
        return np.zeros((months, self.councils, self.needs, self.bands, len(EVENTS)), dtype=np.int64)

    def run(
        self, population: Population, months: int, seed: int, *, first_month: int = 0
    ) -> tuple[Population, np.ndarray]:
        """The population after ``months`` months from ``first_month``, and the event counts by month."""
        events = self.new_events(months)
        for m in range(months):
            population = self.step(population, first_month + m, seed, events[m], check_all=m == 0)
        return population, events

    def step(
        self, population: Population, month: int, seed: int, events: np.ndarray, *, check_all: bool = True
    ) -> Population:
        """One month: leave, move, enter, place (``events`` of this month counted in place).

        ``check_all``: whether every placed child's home is checked against its age band (else only children
        whose birthday this month took them into a new band: :meth:`run` checks all in its first month).
        """
        rng = np.random.default_rng([seed, month])
        population = self._leave(population, month, rng, events)
        population = self._move(population, month, rng, events, check_all)
        population = population.concat(self._enter(month, rng, events))
        return self.place_waiting(population, month, rng, events)

    def _count(self, events: np.ndarray, population: Population, month: int, event: int) -> None:
        band = self.band_of_age[np.clip(population.age_months(month) // 12, 0, 17)]
        np.add.at(events, (population.council, population.need, band, event), 1)

    def _leave(self, population: Population, month: int, rng: np.random.Generator, events: np.ndarray) -> Population:
        adult = population.age_months(month) >= LEAVING_AGE_MONTHS
        leave = ~adult & (rng.random(len(population)) < self.rates.exit_probability(population, month))
        self._count(events, population.take(adult), month - 1, _AGED_OUT)
        self._count(events, population.take(leave), month, _END)
        return population.take(~(adult | leave))

    def _move(
        self, population: Population, month: int, rng: np.random.Generator, events: np.ndarray, check_all: bool
    ) -> Population:
        home = population.home
        placed = home >= 0
        kind = self.home_type[np.where(placed, home, 0)]
        chance = rng.random(len(population)) < self.rates.move_probability(population, kind, month)
        age = population.age_months(month)
        band_now = self.band_of_age[np.clip(age // 12, 0, 17)]
        new_band = band_now != self.band_of_age[np.clip((age - 1) // 12, 0, 17)]
        look = placed if check_all else placed & new_band
        outgrown = np.zeros(len(population), dtype=bool)
        outgrown[look] = ~self.network.contains(self.key(population.take(look), month), home[look])
        moving = placed & (chance | outgrown)
        self._count(events, population.take(moving), month, _MOVE)
        if self.assign is not None:
            new = home.copy()
            new[moving] = self.assign(population.take(moving), home[moving], month, rng)
            return population.with_home(new, np.where(moving, month, population.placed_since))
        return population.with_home(np.where(moving, NO_HOME, home), np.where(moving, month, population.placed_since))

    def _enter(self, month: int, rng: np.random.Generator, events: np.ndarray) -> Population:
        counts = rng.poisson(self.rates.entries(month))
        council, need, age = np.nonzero(counts)
        n = counts[council, need, age]
        council, need, age = (np.repeat(a, n).astype(np.int64) for a in (council, need, age))
        birth = month - age * 12 - rng.integers(0, 12, len(age))
        since = np.full(len(age), month, dtype=np.int64)
        new = Population(council, need, birth, np.full(len(age), NO_HOME, dtype=np.int64), since, since)
        self._count(events, new, month, _START)
        return new

    def place_waiting(
        self, population: Population, month: int, rng: np.random.Generator, events: np.ndarray | None = None
    ) -> Population:
        """Every child without a home placed by the choice rule where a suitable place is free."""
        waiting = np.flatnonzero(population.home == NO_HOME)
        if not len(waiting):
            return population
        if self.assign is not None:
            got = self.assign(population.take(waiting), population.home[waiting], month, rng)
            return self._placed(population, waiting, got, month, events)
        free = self.places - self.occupancy(population)
        salt = int(rng.integers(0, 2**62))
        priority = rng.permutation(len(waiting))
        keys = self.key(population.take(waiting), month)
        got = place(keys, np.arange(len(waiting)), priority, self.network, free, self.suits, salt, self.match_spread)
        return self._placed(population, waiting, got, month, events)

    def _placed(
        self, population: Population, waiting: np.ndarray, got: np.ndarray, month: int, events: np.ndarray | None
    ) -> Population:
        home = population.home.copy()
        home[waiting] = got
        since = population.placed_since.copy()
        since[waiting[got >= 0]] = month
        if events is not None:
            self._count(events, population.take(waiting[got >= 0]), month, _PLACED)
        return population.with_home(home, since)
