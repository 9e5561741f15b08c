"""Today's placements: the simulated census stock re-weighted to a region's cohorts, and today as a Plan.

:func:`census` is how :func:`rcc.datasets.england` gets ``region.placements`` (shipped as package data
by ``scripts/build_census.py``; :func:`rcc.datasets.census_placements` says how it is read and checked).
"""

from __future__ import annotations

import time

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.frames import placements_frame
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.result import Plan, PlanStatus, SolveInfo
from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, NEEDS
from rcc.datasets import CENSUS_SEED, CENSUS_START, CENSUS_YEARS
from rcc.flows import Population
from rcc.flows.population import NO_HOME
from rcc.simulate.build import TODAY_PARAMS, build_engine, key_frame
from rcc.simulate.metrics import census_metrics
from rcc.simulate.simulation import Simulation, _placements, simulate

__all__ = ["Census", "census", "today_plan"]


@attrs.frozen(eq=False)
class Census:
    """A region's children on the census date, as simulated and re-weighted to its cohorts.

    Attributes
    ----------
    region : Region
        The region simulated, without placements (:meth:`today` is the region with the census placements).
    placements : pandas.DataFrame
        Children placed on the census date, ``placements`` schema (one row per cohort and home).
    waiting : pandas.DataFrame
        Children of the cohorts without a place on the census date (``cohort_id, children``): no suitable
        place was free for them under the choice rule.
    reweighting : pandas.DataFrame
        Per cohort: ``simulated`` (the simulation's census stock), ``children`` (the cohort), ``removed``
        (simulated children beyond the cohort, left out at random) and ``added`` (children the simulation
        did not have, placed on the census date by the choice rule, as referrals are).
    metrics : pandas.Series
        :func:`rcc.simulate.census_metrics` of the re-weighted stock.
    simulation : Simulation
        The simulation behind it.
    params : PlanParams
        The distance and need rules its candidate homes were built by (:data:`rcc.simulate.TODAY_PARAMS` unless
        :func:`census` was given others).
    """

    region: Region
    placements: pd.DataFrame
    waiting: pd.DataFrame
    reweighting: pd.DataFrame
    metrics: pd.Series
    simulation: Simulation
    params: PlanParams = TODAY_PARAMS

    def today(self) -> Region:
        """The region with the census placements in ``placements`` (held by :func:`rcc.plan` by default)."""
        return self.region.replace(placements=self.placements)


def census(
    region: Region,
    seed: int = CENSUS_SEED,
    years: float = CENSUS_YEARS,
    start: str = CENSUS_START,
    params: PlanParams | None = None,
) -> Census:
    """The region's placements on a census date, simulated and re-weighted to its cohorts.

    The region (without placements) is simulated from ``start`` for ``years`` (:func:`rcc.simulate.simulate`,
    calibrated defaults; five years from April 2020 end on 31 March 2025, DfE's census day). The simulated
    stock by cohort drifts from the region's cohorts (the entry rates are placeholders), so it is
    re-weighted to them: in a cohort with more simulated children than the cohort, the surplus is left out
    at random; a cohort's missing children arrive on the census date and are placed by the same choice
    rule on the places still free (nearest suitable, by type preference); those it cannot place wait. Every
    count is in :attr:`Census.reweighting`. The same region, seed and params give the same census.

    Parameters
    ----------
    region : Region
        Its ``placements`` are ignored (the simulation starts from an empty system).
    seed : int
        Simulation seed (:data:`rcc.datasets.CENSUS_SEED` for the embedded England).
    years : float
    start : str
        The first simulated month.
    params : PlanParams, optional
        The distance and need rules of the candidate homes, in the simulation and on the census date
        (:func:`rcc.simulate.simulate`; default :data:`rcc.simulate.TODAY_PARAMS`: no distance limit, as today's
        placing has none). ``rcc.PlanParams()`` gives a plan's rules (nothing beyond 150 miles but secure).

    Returns
    -------
    Census

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC", today=False)
    >>> c = rcc.simulate.census(gm, years=1)
    >>> held = c.placements.groupby("cohort_id").children.sum()
    >>> bool((held <= gm.cohorts.set_index("cohort_id").children.reindex(held.index)).all())
    True
    """
    params = params or TODAY_PARAMS
    empty = region.replace(placements=region.placements.iloc[:0])
    sim = simulate(empty, years=years, seed=seed, start=start, params=params)
    engine = build_engine(empty, params=params)
    month = max(sim.months - 1, 0)
    rng = np.random.default_rng([seed, 2**31 + 2])
    keys = key_frame(empty)
    row_of_key = pd.Index(empty.cohorts.cohort_id).get_indexer(keys.cohort_id)
    pop = sim.population
    row = row_of_key[engine.key(pop, month)]
    target = empty.cohorts.children.to_numpy(dtype=np.int64)
    simulated = np.bincount(row[row >= 0], minlength=len(target))
    order = rng.permutation(len(pop))
    order = order[np.argsort(row[order], kind="stable")]  # a random order within each cohort
    rank = np.empty(len(pop), dtype=np.int64)
    rank[order] = np.arange(len(pop)) - np.searchsorted(row[order], row[order])
    keep = (row >= 0) & (rank < np.where(row >= 0, target[np.maximum(row, 0)], 0))
    pop = pop.take(keep)
    added = target - np.minimum(simulated, target)
    pop = pop.concat(_arrivals(empty, added, month, rng))
    pop = engine.place_waiting(pop, month, rng)
    placements = _placements(empty, pop, month, engine)
    held = placements.groupby("cohort_id").children.sum().reindex(empty.cohorts.cohort_id, fill_value=0)
    cohorts = empty.cohorts
    return Census(
        region=empty,
        placements=placements,
        waiting=pd.DataFrame(
            {"cohort_id": cohorts.cohort_id, "children": target - held.to_numpy(dtype=np.int64)}
        ).query("children > 0").reset_index(drop=True),
        reweighting=pd.DataFrame(
            {
                "cohort_id": cohorts.cohort_id,
                "simulated": simulated,
                "children": target,
                "removed": np.maximum(simulated - target, 0),
                "added": added,
            }
        ),
        metrics=census_metrics(empty, pop),
        simulation=sim,
        params=params,
    )


def _arrivals(region: Region, added: np.ndarray, month: int, rng: np.random.Generator) -> Population:
    """``added[i]`` children of cohort row ``i`` arriving in ``month``, without a home, ages uniform in the band."""
    rows = np.repeat(np.arange(len(added)), added)
    cohorts = region.cohorts
    council = pd.Index(region.councils.council_id).get_indexer(cohorts.council_id.to_numpy()[rows])
    need = pd.Index(NEEDS).get_indexer(cohorts.need.to_numpy()[rows])
    bounds = np.array([AGE_BANDS[b] for b in cohorts.age_band.to_numpy()[rows]], dtype=np.int64).reshape(-1, 2)
    age = bounds[:, 0] * 12 + (rng.random(len(rows)) * ((bounds[:, 1] - bounds[:, 0] + 1) * 12)).astype(np.int64)
    since = np.full(len(rows), month, dtype=np.int64)
    return Population(council, need, month - age, np.full(len(rows), NO_HOME), since, since)


def today_plan(region: Region, params: PlanParams | None = None) -> Plan:
    """Today as a :class:`rcc.Plan`: the region's current placements (``region.placements``, e.g. the
    simulated census of :func:`rcc.datasets.england`), measured as plans are, so every plan of the region
    can be compared with today (:func:`rcc.trade_off`, :func:`rcc.side_by_side`).

    ``method`` is ``"today"``, status ``heuristic`` (no optimality claim); distances, costs and the objective
    as :func:`rcc.plan` computes them (``params``' weights); the children of each cohort not in a placement
    are its ``shortfall`` (reason ``capacity``: no suitable place was free for them on the census date).

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> today = rcc.simulate.today_plan(gm)
    >>> int(today.metrics["placed"]) == int(gm.placements.children.sum())
    True
    """
    t0 = time.perf_counter()
    params = params or PlanParams()
    cohorts, homes, p = region.cohorts, region.homes, region.placements
    cohort = pd.Index(cohorts.cohort_id).get_indexer(p.cohort_id)
    home = pd.Index(homes.home_id).get_indexer(p.home_id)
    councils = pd.Index(region.councils.council_id)
    c_council, h_council = councils.get_indexer(cohorts.council_id)[cohort], councils.get_indexer(homes.council_id)[home]
    held = p.children.to_numpy(dtype=np.int64)
    edges = pd.DataFrame(
        {
            "cohort": cohort,
            "home": home,
            "distance_miles": region.council_distances()[c_council, h_council],
            "inside_own_council": c_council == h_council,
            "weekly_cost_gbp": homes.weekly_cost_gbp.to_numpy(dtype=float)[home],
            "held": held,
        }
    )
    unmet = cohorts.children.to_numpy(dtype=np.int64) - np.bincount(cohort, weights=held, minlength=len(cohorts))
    rows = unmet > 0
    shortfall = cohorts.loc[rows, ["cohort_id", "council_id", "need", "age_band"]].assign(
        children=unmet[rows].astype(np.int64),
        reason_code="capacity",
        reason="not placed on the census date: no suitable place was free for them",
    )
    objective = float(edge_costs(edges, params) @ held + unmet_costs(region, params) @ unmet)
    return Plan(
        region=region,
        method="today",
        status=PlanStatus.HEURISTIC,
        objective=objective,
        placements=placements_frame(region, edges, held.astype(float)),
        shortfall=shortfall.reset_index(drop=True),
        info=SolveInfo(solver="today", runtime_s=time.perf_counter() - t0, note="today: the current placements"),
    )
