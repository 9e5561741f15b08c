"""`simulate`: referrals and endings month by month over several years, and the stock on a census date."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, NEEDS, cohort_ids
from rcc.flows import EVENTS, ChoiceRule, Engine, Population
from rcc.simulate.build import OWN_PROVISION, build_engine, initial_population
from rcc.simulate.metrics import census_metrics, council_metrics

__all__ = ["Simulation", "simulate", "simulate_seed"]

_BANDS = tuple(AGE_BANDS)


@attrs.frozen(eq=False)
class Simulation:
    """A simulated history and its census.

    Attributes
    ----------
    region : Region
        The region simulated (its homes and councils; ``placements`` is the census stock:
        :meth:`census_region`).
    census_date : pandas.Timestamp
        The census day: the last day of the last simulated month.
    months : int
        Months simulated.
    seed : int
    initial : pandas.DataFrame
        The stock at month 0 by cohort (``cohort_id, council_id, need, age_band, children``).
    cohorts : pandas.DataFrame
        The stock on the census date by cohort, placed or waiting (same columns).
    placements : pandas.DataFrame
        The placed stock on the census date, in the ``placements`` schema (one row per cohort and home).
    waiting : pandas.DataFrame
        Children in care without a place on the census date, by cohort.
    flows : pandas.DataFrame
        ``month`` (first day), ``council_id, need, age_band, event, children``: every non-zero count
        (events: :data:`rcc.flows.EVENTS`; ages at the event, ``aged_out`` in the 16-17 band).
    metrics : pandas.Series
        England-style census metrics (:func:`rcc.simulate.census_metrics`).
    population : Population
        The census stock as arrays (the hook for a forecast starting from it).
    """

    region: Region
    census_date: pd.Timestamp
    months: int
    seed: int
    initial: pd.DataFrame
    cohorts: pd.DataFrame
    placements: pd.DataFrame
    waiting: pd.DataFrame
    flows: pd.DataFrame
    metrics: pd.Series
    population: Population

    def by_council(self) -> pd.DataFrame:
        """Census metrics per home council (:func:`rcc.simulate.council_metrics`)."""
        return council_metrics(self.region, self.population)

    def census_region(self) -> Region:
        """The region with its cohorts and placements replaced by the census stock (children waiting
        for a place are in ``cohorts`` and not in ``placements``)."""
        return self.region.replace(cohorts=self.cohorts, placements=self.placements)

    def totals(self) -> pd.DataFrame:
        """Initial, census stock and each event's total per home council and need (the conservation check:
        ``initial + start = stock + end + aged_out``)."""
        keys = ["council_id", "need"]
        columns = ["initial", "stock", *EVENTS]
        parts = [
            self.initial.assign(what="initial"),
            self.cohorts.assign(what="stock"),
            self.flows.rename(columns={"event": "what"}),
        ]
        rows = pd.concat([p[[*keys, "what", "children"]].astype({"children": np.int64}) for p in parts])
        if not len(rows):
            return pd.DataFrame(0, index=pd.MultiIndex.from_tuples([], names=keys), columns=columns, dtype=np.int64)
        out = rows.groupby([*keys, "what"]).children.sum().unstack("what")
        return out.reindex(columns=["initial", "stock", *EVENTS], fill_value=0).fillna(0).astype(np.int64)


def _check(years: float | None, months: int | None) -> int:
    if (years is None) == (months is None):
        raise InvalidInputError(
            "simulate", None, "years", "years or months (one of them)", f"years={years}, months={months}"
        )
    n = months if months is not None else round(12 * float(years))  # type: ignore[arg-type]
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= 1200:
        raise InvalidInputError("simulate", None, "months", "whole months from 0 to 1200", n)
    return int(n)


def simulate(
    region: Region,
    years: float | None = None,
    *,
    months: int | None = None,
    seed: int = 0,
    rates: object | None = None,
    rule: ChoiceRule | None = None,
    params: PlanParams | None = None,
    start: str = "2020-04",
    own_provision: tuple[str, ...] = OWN_PROVISION,
) -> Simulation:
    """Simulate referrals, moves and endings in a region month by month, and the stock on the census date.

    Month 0 holds the region's children: those in ``region.placements`` in their homes, the rest of each
    cohort placed by the choice rule in a random order (a cold start: simulate a few years so turnover
    spreads them). Each month: children leave (exit hazard; all at 18), move (move hazard, or a birthday
    into an age band their home does not take), enter (the rates), and every child without a home is
    offered the nearest suitable free place by type preference (:class:`rcc.flows.ChoiceRule`);
    a child with none free within the distance rules waits, in care, for the next month.

    Parameters
    ----------
    region : Region
    years : float, optional
        How long to simulate (or ``months``).
    months : int, optional
    seed : int
        The same seed gives the same result, on any executor.
    rates : rcc.flows.Rates, optional
        Default :func:`rcc.simulate.steady_rates` (placeholders, not calibrated).
    rule : rcc.flows.ChoiceRule, optional
        Default :func:`rcc.simulate.calibrated_rule` (suit chances scaled by the calibrated ``suit_scale``).
    params : PlanParams, optional
        The distance limits (as :func:`rcc.eligible_edges` applies them). Default
        :data:`rcc.simulate.TODAY_PARAMS`: none (today's placing has no limit; a plan's 150 miles is a
        planning rule).
    start : str
        The first simulated month (``"2020-04"``: five years end on 31 March 2025).
    own_provision : tuple of str
        Home types a council's own provider runs for its own children only
        (:data:`rcc.simulate.OWN_PROVISION`: in-house fostering); ``()`` lets any council use them.

    Returns
    -------
    Simulation

    Examples
    --------
    >>> import rcc
    >>> sim = rcc.simulate.simulate(rcc.datasets.england("Greater Manchester RCC"), years=1, seed=1)
    >>> int(sim.cohorts.children.sum()) == int(sim.metrics["children"])
    True
    """
    n_months = _check(years, months)
    engine = build_engine(region, rates, rule, params, own_provision)
    population = initial_population(region, seed)
    initial = _cohort_table(region, population, 0, engine)
    population = engine.place_waiting(population, 0, np.random.default_rng([seed, 2**31 + 1]))
    population, events = engine.run(population, n_months, seed)
    first = pd.Period(start, freq="M")
    last = max(n_months - 1, 0)  # ages (and age bands) on the census day: those of the last month simulated
    census = (first + max(n_months - 1, -1)).end_time.normalize()
    return Simulation(
        region=region,
        census_date=census,
        months=n_months,
        seed=seed,
        initial=initial,
        cohorts=_cohort_table(region, population, last, engine),
        placements=_placements(region, population, last, engine),
        waiting=_cohort_table(region, population.take(population.home < 0), last, engine),
        flows=_flows(region, events, first),
        metrics=census_metrics(region, population),
        population=population,
    )


def _labels(region: Region, population: Population, month: int, engine: Engine) -> pd.DataFrame:
    band = engine.band_of_age[np.clip(population.age_months(month) // 12, 0, 17)]
    council = region.councils.council_id.to_numpy(dtype=object)[population.council]
    need = np.array(NEEDS, dtype=object)[population.need]
    age_band = np.array(_BANDS, dtype=object)[band]
    return pd.DataFrame({"council_id": council, "need": need, "age_band": age_band})


def _cohort_table(region: Region, population: Population, month: int, engine: Engine) -> pd.DataFrame:
    t = _labels(region, population, month, engine)
    out = t.groupby(["council_id", "need", "age_band"], sort=True).size().rename("children").reset_index()
    out.insert(0, "cohort_id", cohort_ids(out.council_id, out.need, out.age_band))
    return out.astype({"children": np.int64})


def _placements(region: Region, population: Population, month: int, engine: Engine) -> pd.DataFrame:
    placed = population.take(population.home >= 0)
    t = _labels(region, placed, month, engine)
    t["cohort_id"] = cohort_ids(t.council_id, t.need, t.age_band)
    t["home_id"] = region.homes.home_id.to_numpy(dtype=object)[placed.home]
    out = t.groupby(["cohort_id", "home_id"], sort=True).size().rename("children").reset_index()
    out.insert(0, "placement_id", [f"sim{i + 1}" for i in range(len(out))])
    return out.astype({"children": np.int64})


def _flows(region: Region, events: np.ndarray, first: pd.Period) -> pd.DataFrame:
    m, c, n, b, e = np.nonzero(events)
    stamps = pd.period_range(first, periods=max(events.shape[0], 1), freq="M").to_timestamp()
    return pd.DataFrame(
        {
            "month": stamps[m],
            "council_id": region.councils.council_id.to_numpy(dtype=object)[c],
            "need": np.array(NEEDS, dtype=object)[n],
            "age_band": np.array(_BANDS, dtype=object)[b],
            "event": np.array(EVENTS, dtype=object)[e],
            "children": events[m, c, n, b, e],
        }
    )


def simulate_seed(seed: int, region: Region, **kwargs: object) -> Simulation:
    """:func:`simulate` with the seed first: one task of a seed sweep on any executor, e.g.
    ``rcc.analysis.parallel.run_tasks(functools.partial(simulate_seed, region=r, years=5), seeds, "process")``."""
    return simulate(region, seed=seed, **kwargs)  # type: ignore[arg-type]
