"""Simulated referrals, moves and endings over years, and the stock on a census date (issue: today's England).

:func:`simulate` builds a :class:`rcc.flows.Engine` from a Region (:func:`build_engine`: candidate homes
by the need, age and distance rules of :func:`rcc.eligible_edges`, sorted by type preference then
distance; :func:`steady_rates` as placeholder rates), runs it month by month and returns a
:class:`Simulation`: the census placements (schema ``placements``), the flows and the metrics.
"""

from rcc.simulate.build import band_of_age, build_engine, initial_population, key_frame, steady_rates
from rcc.simulate.metrics import FAR_MILES, census_metrics, council_metrics, published_beside
from rcc.simulate.simulation import Simulation, simulate, simulate_seed

__all__ = [
    "FAR_MILES",
    "Simulation",
    "band_of_age",
    "build_engine",
    "census_metrics",
    "council_metrics",
    "initial_population",
    "key_frame",
    "published_beside",
    "simulate",
    "simulate_seed",
    "steady_rates",
]
