"""Simulated referrals, moves and endings over years, and the stock on a census date (issue: today's England).

:func:`simulate` builds a :class:`rcc.flows.Engine` from a Region (:func:`build_engine`: candidate homes
by the need, age and distance rules of :func:`rcc.eligible_edges`, sorted by type preference then
distance; :func:`steady_rates` as placeholder rates), runs it month by month and returns a
:class:`Simulation`: the census placements (schema ``placements``), the flows and the metrics.

Hooks left for the next steps (nothing here is calibrated):

- calibration to DfE figures: the global knobs are :class:`rcc.flows.ChoiceRule` (``suit_chance`` per
  home type, ``tiers``) and :meth:`rcc.flows.FlowRates.scaled`; common random numbers come for free, as
  every draw depends only on ``(seed, month)`` and suit draws on a counter hash of (batch, referral,
  home); :meth:`Simulation.by_council` gives the per-council shares to fit against;
- other supply and geometry: the engine reads only ``region.homes`` (places, type) and the candidate
  lists, so new supply tables or within-council distances change :func:`build_engine`'s inputs only;
- today in every plan / sufficiency from today: :meth:`Simulation.census_region` is the region with the
  census stock in ``placements``; :attr:`Simulation.population` is the stock as arrays to run on;
- the monthly forecast: any object with the :class:`rcc.flows.Rates` methods (trends, scenario
  multipliers, per-council shrinkage) drives the same :class:`rcc.flows.Engine`.
"""

from rcc.simulate.build import band_of_age, build_engine, initial_population, key_frame, steady_rates
from rcc.simulate.metrics import FAR_MILES, census_metrics, council_metrics, far_share, published_beside
from rcc.simulate.simulation import Simulation, simulate, simulate_seed

__all__ = [
    "FAR_MILES",
    "Simulation",
    "band_of_age",
    "build_engine",
    "census_metrics",
    "far_share",
    "council_metrics",
    "initial_population",
    "key_frame",
    "published_beside",
    "simulate",
    "simulate_seed",
    "steady_rates",
]
