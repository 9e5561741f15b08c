"""The monthly forecast by placement group and age on the stock-and-flow engine of :mod:`rcc.flows`.

Model
    Each child in care on the end date is one entry of a :class:`rcc.flows.Population` whose "home" is
    its placement group (a home type of :data:`rcc.core.schema.HOME_TYPES`); the month of birth comes from
    the date of birth, so a child ages at its birthday month and leaves care at 18 in the month of its
    18th birthday (:data:`rcc.flows.LEAVING_AGE_MONTHS`). Every month :class:`rcc.flows.Engine` runs,
    in order: leaving at 18 and exits (a monthly chance by council, group and age band), moves between
    groups (a monthly chance of a change, and where to: a transition matrix by council, group and age
    band), and entries (Poisson, by age in years; the group entered by age band).

Estimation (:mod:`rcc.forecast.flowdata`, :mod:`rcc.forecast.hazards`)
    Occurrence over exposure in the window: hazard ``events / days in the group and band``, shrunk
    towards all councils' hazard with ``prior_years`` child-years of weight (small councils borrow
    strength), then each cell towards the council's group x age-band model by empirical Bayes
    (:func:`rcc.forecast.hazards.shrunk_hazards`); monthly chance ``1 - exp(-hazard * 30.44)``. Moves: a hazard
    per move (group to group) and age band, one for all bands unless the counts reject it
    (:func:`rcc.forecast.hazards.move_hazards`). Exits follow a trend when the council's history shows one:
    flat, the last 24 months' level or log-linear in time, chosen by backtest
    (:func:`rcc.forecast.hazards.select_exit_trend`). Entries: counts per calendar month, their trends fitted
    and scored by backtest on the council's own history (flat, linear or log-linear over several windows),
    never fixed by default; the simulations draw a trend by weight from their backtest errors
    (:func:`rcc.forecast.flowdata.trend_mixture`: trends the backtest cannot tell apart all count, and the band
    holds the doubt between them); their ages and the groups they enter from the recent years that best
    predicted the next year's entries (:func:`rcc.forecast.flowdata.select_mix_window`). Children enter on
    average mid-month, so the entries a month are those still in care at its end (each entry's chance of
    staying half a month).

Bands
    Each of ``n_sims`` simulations draws the parameters from their posteriors (Gamma hazards, Dirichlet
    destinations and entry shares, the trend's coefficients) and then runs the engine once (process
    noise), so the p10-p90 band holds both. Counts are whole children: never negative. The expected count is the
    mean over the same draws of the rates of the engine's exact expectation given each
    (:func:`rcc.forecast.expected.expected_stock`), not of the simulated children: the same mean without their
    noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, HOME_TYPES
from rcc.flows import EVENTS, LEAVING_AGE_MONTHS, NO_HOME, Engine, Network, Population
from rcc.forecast.adjust import Adjustment, apply_adjustments
from rcc.forecast.expected import Expectation, expected_stock
from rcc.forecast.flowdata import (
    BAND_OF_AGE,
    FlowCounts,
    check_segments,
    count_flows,
    month_index,
    monthly_stock,
    placement_segments,
    trend_mixture,
    truncate,
)
from rcc.forecast.hazards import ExitTrend, move_hazards, select_exit_trend, shrunk_hazards
from rcc.forecast.leaving import forecast_leaving, leaving_counts, leaving_history
from rcc.forecast.result import MonthlyForecast

__all__ = ["MONTHLY_COLUMNS", "backtest_monthly", "compare_scenarios", "forecast_monthly", "transitions"]

#: Columns of :func:`forecast_monthly`.
MONTHLY_COLUMNS: tuple[str, ...] = (
    "council_id", "placement", "age_band", "month", "kind", "children", "children_expected",
    "children_p10", "children_p50", "children_p90",
)
_DAYS_MONTH = 365.25 / 12
_G, _B = len(HOME_TYPES), len(AGE_BANDS)


def _gamma(rng: np.random.Generator | None, shape: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Posterior mean (no ``rng``) or a draw of a Gamma(shape, rate); 0 where shape is 0."""
    rate = np.maximum(rate, 1e-12)
    return shape / rate if rng is None else rng.gamma(np.maximum(shape, 0.0)) / rate


def _shares(rng: np.random.Generator | None, counts: np.ndarray) -> np.ndarray:
    """Shares along the last axis: posterior mean or a Dirichlet draw (all-zero rows stay zero)."""
    w = counts if rng is None else rng.gamma(np.maximum(counts, 0.0))
    total = w.sum(axis=-1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


@attrs.frozen(eq=False)
class MonthlyRates:
    """Monthly rates by council, placement group and age band: the engine's :class:`rcc.flows.Rates` and its
    :class:`rcc.flows.Assign` (where entries and moves go).

    Attributes
    ----------
    entry : numpy.ndarray
        Expected entries, shape (councils, months, 18 ages).
    exit_p, move_p : numpy.ndarray
        Monthly chances, shape (councils, groups, bands).
    destination : numpy.ndarray
        Where a move goes, shares over groups, shape (councils, groups, bands, groups).
    entry_mix : numpy.ndarray
        Group entered by age band, shares, shape (councils, bands, groups).
    exit_trend : numpy.ndarray, optional
        Multiplier of the exit hazards by council and month (councils, months): the exit trend.
    mix_beta : numpy.ndarray, optional
        Yearly log drift of the groups' shares of entries by council (councils, groups): the mix trend.
    """

    entry: np.ndarray
    exit_p: np.ndarray
    move_p: np.ndarray
    destination: np.ndarray
    entry_mix: np.ndarray
    exit_trend: np.ndarray | None = None
    mix_beta: np.ndarray | None = None

    def entries(self, month: int) -> np.ndarray:
        return self.entry[:, min(month, self.entry.shape[1] - 1), None, :]

    def _band(self, population: Population, month: int) -> np.ndarray:
        return BAND_OF_AGE[np.clip(population.age_months(month) // 12, 0, 17)]

    def exit_probability(self, population: Population, month: int) -> np.ndarray:
        g = np.maximum(population.home, 0)
        p = self.exit_p[population.council, g, self._band(population, month)]
        if self.exit_trend is None:
            return p
        mult = self.exit_trend[population.council, min(month, self.exit_trend.shape[1] - 1)]
        return 1 - (1 - p) ** mult

    def move_probability(self, population: Population, home_type: np.ndarray, month: int) -> np.ndarray:
        return self.move_p[population.council, home_type, self._band(population, month)]

    def __call__(self, population: Population, previous: np.ndarray, month: int,
                 rng: np.random.Generator) -> np.ndarray:
        band = self._band(population, month)
        mix = self.entry_mix[population.council, band]
        if self.mix_beta is not None:  # the shares drift month by month
            mix = mix * np.exp(self.mix_beta[population.council] * (month + 0.5) / 12)
            mix = mix / np.maximum(mix.sum(axis=1, keepdims=True), 1e-300)
        shares = np.where((previous == NO_HOME)[:, None], mix,
                          self.destination[population.council, np.maximum(previous, 0), band])
        pick = (rng.random(len(previous))[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
        return np.minimum(pick, _G - 1)


def _rates(counts: FlowCounts, trends: list[Any], months: int, prior_years: float,
           rng: np.random.Generator | None, adjust: Sequence[Adjustment] = (),
           exit_trends: Sequence[ExitTrend] = ()) -> MonthlyRates:
    """Expected rates (no ``rng``) or one draw from their posteriors."""
    exit_h = _gamma(rng, *shrunk_hazards(counts.exits, counts.exposure, prior_years))
    pair = np.moveaxis(_gamma(rng, *move_hazards(counts.moves, counts.exposure, prior_years)), 2, 3)  # (c, g, b, h)
    move_h = pair.sum(-1)
    destination = _shares(None, pair)
    mix_counts, beta = counts.entry_mix, None
    if counts.mix_trend is not None:  # the drifting mix, in its weight's share of the simulations
        drift, cov, today, weight = counts.mix_trend
        if (weight >= 0.5) if rng is None else (rng.random() < weight):
            mix_counts, beta = today, drift if rng is None else np.stack(
                [rng.multivariate_normal(d, v, method="eigh") for d, v in zip(drift, cov)])
    pool_mix = _shares(None, mix_counts.sum(0))
    mix = _shares(rng, mix_counts + pool_mix[None])
    ages = _shares(rng, counts.entry_ages + 0.5)
    t = np.arange(months)
    level = np.stack([tr.mean(t, None if rng is None else tr.draw(rng)) for tr in trends])
    # entries counted are those still in care at the end of their first month: on average they arrive
    # mid-month and are at risk of leaving for half a month, which the monthly step does not see
    stay = (mix * np.exp(-0.5 * _DAYS_MONTH * np.moveaxis(exit_h, 1, 2))).sum(axis=2)  # (councils, bands)
    entry = level[:, :, None] * (ages * stay[:, BAND_OF_AGE])[:, None, :]
    if adjust:
        exit_h, move_h, entry, mix = apply_adjustments(adjust, exit_h, move_h, entry, mix, ages, BAND_OF_AGE)
        destination = _fill_destinations(destination, move_h, pair, mix)
    trend = None
    if exit_trends:
        mid = (t + 0.5) / 12  # years after the end, mid-month
        trend = np.stack([tr.multiplier(mid, None if rng is None else tr.draw(rng)) for tr in exit_trends])
    return MonthlyRates(entry, 1 - np.exp(-exit_h * _DAYS_MONTH),
                        1 - np.exp(-move_h * _DAYS_MONTH), destination, mix, trend, beta)


def _fill_destinations(destination: np.ndarray, move_h: np.ndarray, pair: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """Where a scenario gives a group moves its history never had (no destination), where they go: where the
    council's children of that age band move to from any group, else the groups its children of that band enter,
    else every other group alike; never the group itself. (The engine would otherwise send them to the last group.)"""
    empty = (move_h > 0) & (destination.sum(axis=-1) <= 0)  # (councils, groups, bands)
    if not empty.any():
        return destination
    out = destination.copy()
    own = np.eye(destination.shape[1], dtype=bool)[None, :, None, :]  # (1, from, 1, to)
    for source in (np.broadcast_to(pair.sum(axis=1, keepdims=True), pair.shape),  # into each group, this band
                   np.broadcast_to(mix[:, None], pair.shape),  # entered at this band
                   np.ones(pair.shape)):
        w = np.where(own, 0.0, source)
        total = w.sum(axis=-1)
        use = empty & (total > 0) & (out.sum(axis=-1) <= 0)
        out[use] = w[use] / total[use][:, None]
    return out


def _engine(rates: MonthlyRates, councils: int) -> Engine:
    keys = councils * _B
    network = Network(np.arange(keys + 1) * _G, np.tile(np.arange(_G), keys))
    return Engine(network, np.arange(_G), np.full(_G, 2**40), np.ones(_G), BAND_OF_AGE, councils, 1, rates,
                  assign=rates)


def _initial(seg: pd.DataFrame, councils: tuple[str, ...], end: pd.Timestamp) -> Population:
    now = truncate(seg, end)
    now = now[now.end.isna()]
    m0 = month_index([end])[0] + 1
    council = pd.Index(councils).get_indexer(now.council_id)
    home = pd.Index(HOME_TYPES).get_indexer(now.placement)
    since = month_index(now.start) - m0
    return Population(council, np.zeros(len(now), dtype=np.int64), month_index(now.dob) - m0, home, since, since)


def _stock(pop: Population, month: int, councils: int) -> np.ndarray:
    out = np.zeros((councils, _G, _B), dtype=np.int64)
    band = BAND_OF_AGE[np.clip(pop.age_months(month) // 12, 0, 17)]
    np.add.at(out, (pop.council, pop.home, band), 1)
    return out


def _simulate(counts: FlowCounts, trends: list[Any], start: Population, months: int, n_sims: int, seed: int,
              prior_years: float, adjust: Sequence[Adjustment],
              exit_trends: Sequence[ExitTrend] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Expectation]]:
    """Stock (sims, months, councils, groups, bands), events (sims, months, councils, :data:`rcc.flows.EVENTS`),
    children reaching 18 (sims, months, councils, groups) and each simulation's expectation given its rates
    (:func:`rcc.forecast.expected.expected_stock`)."""
    c = len(counts.councils)
    stock = np.zeros((n_sims, months, c, _G, _B), dtype=np.int64)
    events = np.zeros((n_sims, months, c, len(EVENTS)), dtype=np.int64)
    adults = np.zeros((n_sims, months, c, _G), dtype=np.int64)
    expected = []
    for s in range(n_sims):
        rng = np.random.default_rng([seed, s, 7])
        rates = _rates(counts, trends, months, prior_years, rng, adjust, exit_trends)
        expected.append(expected_stock(rates, start, months, c))
        engine = _engine(rates, c)
        pop, ev = start, engine.new_events(months)
        for m in range(months):
            adult = pop.age_months(m) >= LEAVING_AGE_MONTHS  # those the step takes out at 18, by their group
            np.add.at(adults[s, m], (pop.council[adult], pop.home[adult]), 1)
            pop = engine.step(pop, m, seed * 100_003 + s, ev[m], check_all=False)
            stock[s, m] = _stock(pop, m, c)
        events[s] = ev.sum(axis=(2, 3))
    return stock, events, adults, expected


def _segments_of(data: Any, place_mapping: pd.DataFrame | None, filters: Any = None) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        if filters:
            raise InvalidInputError("forecast", None, "filters", "an Ssda903Result to filter", "segments")
        return data
    if hasattr(data, "episodes") and hasattr(data, "header"):
        return placement_segments(data, place_mapping=place_mapping, filters=filters)
    raise InvalidInputError("forecast", None, "data", "an Ssda903Result or placement segments", type(data).__name__)


def forecast_monthly(
    data: Any,
    months: int = 24,
    *,
    end: Any = None,
    n_sims: int = 200,
    seed: int = 0,
    window_years: float | None = None,
    prior_years: float = 1.0,
    history_months: int = 24,
    place_mapping: pd.DataFrame | None = None,
    adjust: Sequence[Adjustment] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Children in care by council, placement group and age band at each month end, with the p10-p90 band.

    Parameters
    ----------
    data : rcc.io.ssda903.Ssda903Result or pandas.DataFrame
        A loaded SSDA903 return (several years of episodes), or its
        :func:`rcc.forecast.flowdata.placement_segments`.
    months : int, default 24
        Months to forecast after ``end``.
    end : date-like, optional
        Last day of the data used (default: the return's ``reference_date``, or the last date in the
        segments).
    n_sims : int, default 200
        Simulations (parameter draw + one engine run each).
    seed : int
    window_years : float, optional
        Years of history the exit and move hazards are estimated from (default: all).
    prior_years : float, default 1
        Child-years of weight of all councils' hazards in each council's.
    history_months : int, default 24
        Observed months before ``end`` included as rows of ``kind == "observed"``.
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`rcc.io.ssda903.PLACE_MAPPING`.
    adjust : sequence of Adjustment, optional
        A scenario: changes to the estimated rates (:class:`rcc.forecast.adjust.Adjustment`, or its dicts),
        applied to every simulation's draw.
    filters : Mapping[str, Sequence[str]], optional
        Only some children, by header column: ``{"SEX": ["1"]}``, ``{"ETHNIC": [...]}``, ``{"UASC": ["1"]}``
        (with the return's UASC table); the forecast of the filtered children is the forecast of a return of
        their episodes only (:func:`rcc.forecast.flowdata.placement_segments`).

    Returns
    -------
    MonthlyForecast
        A :class:`pandas.DataFrame` (a subclass that shows a short card and has ``.plot()``; ``.table`` is the
        plain frame) of :data:`MONTHLY_COLUMNS`: ``month`` is a month end; ``kind`` ``"observed"`` (the end date's stock and
        ``history_months`` before it; the band is the observed count) or ``"forecast"``; ``children`` the
        expected count rounded, ``children_expected`` the expected count (over the simulations' draws of the
        rates, exact for each draw: :func:`rcc.forecast.expected.expected_stock`), ``children_p10`` /
        ``children_p50`` / ``children_p90`` their percentiles. ``attrs``: ``flows`` (expected entries, exits,
        leaving at 18 and moves per month and council), ``totals`` (the expected count and p10-p90 band of
        each council's total, ``placement == "all"``, and of each placement group's), ``region_totals`` (the
        same for all the councils together: ``month``, ``placement``, the expected count and band), ``trends``
        (the entry trends tried per council, their ``weight`` in the simulations and the ``chosen`` one, the
        simplest close to the best), ``exit_trends`` (the exit trends tried and chosen per council; ``yearly_change`` of the
        chosen one's hazards), ``end``, ``n_sims``, ``adjust`` (the scenario, as dicts), ``mix_years`` and
        ``mix_windows`` (the years of entries the entry mix is from, chosen by backtest), ``filters``,
        ``draws`` (each simulation's children by month, council and placement group, and the expected
        children, which :func:`rcc.forecast.adjust.forecast_costs` prices; ``events``: each simulation's events
        by month and council, :data:`rcc.flows.EVENTS`), ``leaving_at_18`` (young people
        leaving care at 18 each month by outcome: ``staying_put``, ``supported_living`` (incl. Staying Close),
        ``other``, ``unknown``; :mod:`rcc.forecast.leaving`), ``leaving_history`` (those who did, by year) and
        ``transitions`` (the estimated monthly chances of moving between placement groups and of leaving care,
        by council, group and age band: :func:`transitions`; the needs of :func:`rcc.forecast.monthly_demand`
        follow the groups, so a move from foster care to a children's home is a move from mainstream to complex
        need).
    """
    if int(months) != months or months < 1 or int(n_sims) != n_sims or n_sims < 1:
        raise InvalidInputError("parameters", None, "months", "months >= 1 and n_sims >= 1", (months, n_sims))
    if int(seed) != seed or seed < 0:
        raise InvalidInputError("parameters", None, "seed", "a whole number >= 0", seed)
    seg = check_segments(_segments_of(data, place_mapping, filters))  # in content order: the same for any pseudonyms
    end = getattr(data, "reference_date", None) if end is None else end
    counts = count_flows(seg, end, window_years=window_years)
    horizon = min(int(months), 24)  # trends are compared over the horizon they are used for
    chosen = [trend_mixture(counts.entries[c], horizon) for c in range(len(counts.councils))]
    exits = [select_exit_trend(counts.period_exits[c], counts.period_exposure[c]) for c in range(len(counts.councils))]
    start = _initial(seg, counts.councils, counts.end)
    adjust = [a if isinstance(a, Adjustment) else Adjustment.from_dict(a) for a in adjust]
    stock, sim_events, adults, expectations = _simulate(counts, [t for t, _ in chosen], start, int(months),
                                                        int(n_sims), seed, prior_years, adjust, [t for t, _ in exits])
    month_ends = pd.DatetimeIndex([counts.end + pd.offsets.MonthEnd(m + 1) for m in range(int(months))])
    expected = np.mean([e.stock for e in expectations], axis=0)
    out = _frame(stock, expected, counts.councils, month_ends)
    hist = [counts.end + pd.offsets.MonthEnd(-m) for m in range(history_months, 0, -1)] + [counts.end]
    observed = monthly_stock(seg[seg.start <= counts.end], hist).assign(kind="observed")
    for c in ("children_expected", "children_p10", "children_p50", "children_p90"):
        observed[c] = observed.children.astype(float)
    result = MonthlyForecast(pd.concat([observed, out], ignore_index=True)[list(MONTHLY_COLUMNS)])
    leaving = forecast_leaving(adults, leaving_counts(seg, counts.end, counts.councils), counts.councils,
                               month_ends, seed, np.stack([e.aged_out for e in expectations]))
    result.attrs.update(leaving_at_18=leaving, leaving_history=leaving_history(seg, counts.end),
                        filters={k: list(v) for k, v in (filters or {}).items()})
    events = np.mean([e.events for e in expectations], axis=0)
    mean_rates = _rates(counts, [t for t, _ in chosen], int(months), prior_years, None, adjust)
    result.attrs.update(end=counts.end, n_sims=int(n_sims), flows=_flows(events, counts.councils, month_ends),
                        totals=_totals(stock, expected, counts.councils, month_ends),
                        region_totals=_region_totals(stock, expected, month_ends),
                        adjust=[attrs.asdict(a) for a in adjust],
                        transitions=transitions(mean_rates, counts.councils),
                        draws={"stock": stock.sum(axis=4), "expected": expected.sum(axis=3), "events": sim_events,
                               "councils": counts.councils, "months": month_ends},
                        mix_windows=counts.mix_windows, mix_years=counts.mix_years,
                        trends=pd.concat([t.assign(council_id=c) for c, (_, t) in zip(counts.councils, chosen)],
                                         ignore_index=True),
                        exit_trends=pd.concat([t.assign(council_id=c, yearly_change=_yearly(tr))
                                               for c, (tr, t) in zip(counts.councils, exits)], ignore_index=True))
    return result


def transitions(rates: MonthlyRates, councils: tuple[str, ...]) -> pd.DataFrame:
    """The monthly transition matrix of ``rates``: by council, placement group and age band, the chance of moving
    to each other group in a month and of leaving care (``to == "leaves care"``, before any exit trend).

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``placement``, ``age_band``, ``to``, ``monthly_chance``; only chances of at least one in
        a million a month.
    """
    move = rates.move_p[..., None] * rates.destination  # (councils, groups, bands, groups)
    both = np.concatenate([move, rates.exit_p[..., None]], axis=3)
    to = [*HOME_TYPES, "leaves care"]
    idx = pd.MultiIndex.from_product([councils, HOME_TYPES, list(AGE_BANDS), to],
                                     names=["council_id", "placement", "age_band", "to"])
    out = pd.DataFrame({"monthly_chance": both.ravel()}, index=idx).reset_index()
    return out[out.monthly_chance >= 1e-6].reset_index(drop=True)


def _yearly(trend: ExitTrend) -> float:
    """The chosen exit trend's yearly change of the hazards (0 when flat)."""
    return float(np.expm1(trend.coef[1])) if trend.kind == "log-linear" else 0.0


def _frame(stock: np.ndarray, expected: np.ndarray, councils: tuple[str, ...],
           month_ends: pd.DatetimeIndex) -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([range(len(month_ends)), councils, HOME_TYPES, list(AGE_BANDS)])
    flat = stock.reshape(stock.shape[0], -1).astype(float)
    mean = expected.ravel()
    df = idx.to_frame(index=False, name=["m", "council_id", "placement", "age_band"])
    df["month"] = month_ends[df.m.to_numpy()]
    df["kind"] = "forecast"
    df["children"] = np.round(mean).astype(np.int64)
    df["children_expected"] = mean
    for p, method in ((10, "lower"), (50, "nearest"), (90, "higher")):
        df[f"children_p{p}"] = np.percentile(flat, p, axis=0, method=method)
    return df.drop(columns="m")


def _totals(stock: np.ndarray, expected: np.ndarray, councils: tuple[str, ...],
            month_ends: pd.DatetimeIndex) -> pd.DataFrame:
    """The band of each council's total and of each placement group's total (percentiles of the sums)."""
    parts = []
    by_group, mean = stock.sum(axis=4), expected.sum(axis=3)  # sims, months, councils, groups; without sims
    for name, arr, e in (("all", by_group.sum(axis=3, keepdims=True), mean.sum(axis=2, keepdims=True)),
                         *(((g, by_group[..., [i]], mean[..., [i]]) for i, g in enumerate(HOME_TYPES)))):
        a = arr[..., 0].astype(float)
        idx = pd.MultiIndex.from_product([month_ends, councils], names=["month", "council_id"])
        df = pd.DataFrame({"children_expected": e[..., 0].ravel(),
                           "children_p10": np.percentile(a, 10, axis=0, method="lower").ravel(),
                           "children_p90": np.percentile(a, 90, axis=0, method="higher").ravel()}, index=idx)
        parts.append(df.reset_index().assign(placement=name))
    return pd.concat(parts, ignore_index=True)


def _region_totals(stock: np.ndarray, expected: np.ndarray, month_ends: pd.DatetimeIndex) -> pd.DataFrame:
    """The band of all the councils' total, and of each placement group's: :func:`_totals` of each simulation's sum
    over councils (so the councils' doubts add up as they are correlated), without a council column."""
    one = _totals(stock.sum(axis=2, keepdims=True), expected.sum(axis=1, keepdims=True), ("all",), month_ends)
    return one[["month", "placement", "children_expected", "children_p10", "children_p90"]]


def _flows(mean: np.ndarray, councils: tuple[str, ...], month_ends: pd.DatetimeIndex) -> pd.DataFrame:
    """Expected events by month and council, from ``mean`` (months, councils, events)."""
    idx = pd.MultiIndex.from_product([month_ends, councils], names=["month", "council_id"])
    df = pd.DataFrame(mean.reshape(-1, len(EVENTS)), index=idx, columns=list(EVENTS)).reset_index()
    return df.rename(columns={"start": "entries", "end": "exits", "move": "moves"}).drop(columns="placed")


def backtest_monthly(data: Any, holdout_years: int = 1, **options: Any) -> pd.DataFrame:
    """Forecast the last ``holdout_years`` from the data before them and compare with what was observed.

    Parameters
    ----------
    data : rcc.io.ssda903.Ssda903Result or pandas.DataFrame
        As :func:`forecast_monthly`.
    holdout_years : int, default 1
        Years held out (1 or 2).
    **options
        Passed to :func:`forecast_monthly` (``n_sims``, ``seed``, ``window_years``...).

    Returns
    -------
    pandas.DataFrame
        One row per council, placement and age band: ``observed`` and ``forecast`` (expected) at the end
        of the holdout, ``children_p10``, ``children_p90``, ``error_pct`` (forecast vs observed, % of
        observed; missing when none observed), ``coverage`` (share of the holdout's month ends where the
        observed count is inside the p10-p90 band). ``attrs``: ``cut`` (last day used), ``end``.
    """
    if holdout_years not in (1, 2):
        raise InvalidInputError("parameters", None, "holdout_years", "1 or 2", holdout_years)
    seg = check_segments(_segments_of(data, options.pop("place_mapping", None), options.pop("filters", None)))
    end = options.pop("end", None)
    end = getattr(data, "reference_date", None) if end is None else end
    end = pd.Timestamp(end).normalize() if end is not None else max(seg.start.max(), seg.end.max())
    cut = end - pd.DateOffset(years=holdout_years)
    # the history is complete from the first recorded end (before it the extract holds only the children still in
    # care); the years before the cut must hold at least one year of it
    first = seg.end.min()
    if pd.isna(first) or cut - pd.DateOffset(years=1) < first:
        have = "no placement ending" if pd.isna(first) else f"history from {first:%Y-%m-%d}"
        raise InvalidInputError("parameters", None, "holdout_years", f"a year of history before the cut at "
                                f"{cut:%Y-%m-%d} (fewer years held out, or more years of returns)",
                                f"{holdout_years} ({have})")
    months = 12 * holdout_years
    fc = forecast_monthly(truncate(seg, cut), months, end=cut, history_months=0, **options)
    fc = fc[fc.kind == "forecast"]
    obs = monthly_stock(seg, fc.month.unique()).rename(columns={"children": "observed"})
    both = fc.merge(obs, on=["council_id", "placement", "age_band", "month"], how="outer")
    both = both.fillna({"observed": 0, "children_expected": 0, "children_p10": 0, "children_p90": 0})
    both["inside"] = (both.observed >= both.children_p10) & (both.observed <= both.children_p90)
    keys = ["council_id", "placement", "age_band"]
    cover = both.groupby(keys).inside.mean().rename("coverage")
    last = both[both.month == both.month.max()].set_index(keys)
    out = last[["observed", "children_expected", "children_p10", "children_p90"]].join(cover)
    out = out.rename(columns={"children_expected": "forecast"}).reset_index()
    out["error_pct"] = (out.forecast - out.observed) / out.observed.where(out.observed > 0) * 100
    out.attrs.update(cut=cut, end=end)
    return out


def compare_scenarios(data: Any, scenarios: Mapping[str, Sequence[Adjustment]], months: int = 24,
                      **options: Any) -> pd.DataFrame:
    """Forecasts of named scenarios side by side (the same data, seed and simulations for each).

    Parameters
    ----------
    data : rcc.io.ssda903.Ssda903Result or pandas.DataFrame
        As :func:`forecast_monthly`.
    scenarios : Mapping[str, sequence of Adjustment]
        Name -> adjustments (an empty list: the forecast as estimated). Saved scenarios are dicts
        (:meth:`rcc.forecast.adjust.Adjustment.from_dict`).
    months : int, default 24
    **options
        Passed to :func:`forecast_monthly`.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``council_id``, ``placement`` (and ``"all"``), ``month``, ``children_expected``,
        ``children_p10``, ``children_p90``.
    """
    if not scenarios:
        raise InvalidInputError("scenarios", None, None, "at least one named scenario", "none")
    parts = []
    for name, adjust in scenarios.items():
        fc = forecast_monthly(data, months, adjust=adjust, history_months=0, **options)
        parts.append(fc.attrs["totals"].assign(scenario=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["scenario", "council_id", "placement", "month", "children_expected", "children_p10", "children_p90"]]
