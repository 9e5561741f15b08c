"""Simulated referrals, moves and endings over years, and the stock on a census date: today's England as councils place children.

:func:`simulate` builds a :class:`rcc.flows.Engine` from a Region (:func:`build_engine`: candidate homes
by the need, age and distance rules of :func:`rcc.eligible_edges`, by default no distance limit
(:data:`TODAY_PARAMS`: today's placing has none), sorted by type preference then
distance, the preference per need where it differs (:data:`rcc.flows.DEFAULT_NEED_TIERS`: UASC of
16 and 17 to supported accommodation first); :func:`steady_rates` as placeholder rates), runs it month by month and returns a
:class:`Simulation`: the census placements (schema ``placements``), the flows and the metrics.

Calibration (``scripts/calibrate_simulation.py``, its record :func:`rcc.datasets.simulation_calibration`):
global parameters fitted with common random numbers to DfE's 2025 per-council shares placed outside
the council and more than 20 miles from home: ``suit_scale`` (every suit chance of the choice rule,
:func:`calibrated_rule`, the default), ``match_spread`` (how unequal children are to match with agency and
residential places, :attr:`rcc.flows.ChoiceRule.match_spread`: the long tail of distances),
``residential_suit`` (the chance a free place in a children's home or residential school suits a child,
:data:`RESIDENTIAL_MATCH`: specialist places are scarce for a given child), ``residential_spread`` (a multiple
of ``match_spread`` for those homes, :attr:`rcc.flows.ChoiceRule.type_spread`: a child hard to match is harder
to match with a home's group of children than with a foster carer), ``carer_local_share`` (the share
of a council's family carers who are its residents whatever its size,
:func:`rcc.datasets.carers.carer_inside_share`: the rest follow DfE's published national inside shares by
kind of placement, never a council's own inside share) and ``district_spread`` (how tightly children
gather inside their districts, :func:`rcc.datasets.council_geometry`, which the over-20-miles share is
measured with); then two parameters per region with the global ones fixed
(:data:`rcc.datasets.calibration.REGIONAL_PARAMETERS`: ``carer_local_share`` of the region's councils and
``match_spread_scale``, a multiple of ``match_spread`` for the region's homes,
:attr:`rcc.flows.ChoiceRule.region_spread`; :func:`rcc.datasets.calibration.regional_parameter`).
Published figures never fitted to are printed beside the
model (:func:`in_region_shares`, :func:`region_flows`, :func:`childrens_home_metrics`, :func:`locality_by_type`,
:func:`distance_band_shares`;
``benchmarks/bench_realism.py``). As
councils place today, a council's in-house foster carers take only its own children
(:data:`OWN_PROVISION`, :func:`provision_council`; a plan may pool them), a council's own family carers
living beyond its boundary live near its children (:data:`NEAR_CARERS`: measured by the geometry's
nearest-first figures, :func:`mixed_far_share`; its relatives inside it nearer still,
:attr:`rcc.datasets.CouncilGeometry.kin_far_share`), and a referral weighs every council's places by the
geometry's nearest-first distance from where the council's children live
(:attr:`rcc.datasets.CouncilGeometry.near_mean_miles`: a neighbour is as near as its nearest part). The rates stay
placeholders.
Hooks left for the next steps:

- other supply and geometry: the engine reads only ``region.homes`` (places, type) and the candidate
  lists, so new supply tables or within-council distances change :func:`build_engine`'s inputs only;
- today in every plan: :func:`census` is the census stock re-weighted to a region's cohorts, the
  placements :func:`rcc.datasets.england` carries (:mod:`rcc.datasets.census`); :func:`today_plan` measures
  them as a :class:`rcc.Plan`, so plans are compared with today;
- sufficiency from today: :meth:`Simulation.census_region` is the region with the census stock in
  ``placements``; :attr:`Simulation.population` is the stock as arrays to run on;
- the monthly forecast: any object with the :class:`rcc.flows.Rates` methods (trends, scenario
  multipliers, per-council shrinkage) drives the same :class:`rcc.flows.Engine`.
"""

from rcc.datasets import register_census_builder
from rcc.simulate.build import (
    NEAR_CARERS,
    OWN_PROVISION,
    RESIDENTIAL_MATCH,
    TODAY_PARAMS,
    band_of_age,
    build_engine,
    calibrated_rule,
    initial_population,
    key_frame,
    provision_council,
    steady_rates,
)
from rcc.simulate.census import Census, census, today_plan
from rcc.simulate.metrics import (
    FAR_MILES,
    UNKNOWN_DISTANCE_NEEDS,
    agreement,
    census_metrics,
    childrens_home_metrics,
    council_metrics,
    distance_band_shares,
    far_share,
    in_region_shares,
    known_distance,
    locality_by_type,
    mixed_far_share,
    own_carer_matrix,
    placement_matrix,
    published_beside,
    region_flows,
    shares_by_council,
    within_20_miles_as_dfe,
)
from rcc.simulate.simulation import Simulation, simulate, simulate_seed

register_census_builder(lambda region: census(region).placements)  # rcc.datasets.england()'s placements

__all__ = [
    "FAR_MILES",
    "NEAR_CARERS",
    "OWN_PROVISION",
    "RESIDENTIAL_MATCH",
    "TODAY_PARAMS",
    "UNKNOWN_DISTANCE_NEEDS",
    "Census",
    "Simulation",
    "agreement",
    "band_of_age",
    "build_engine",
    "calibrated_rule",
    "census",
    "census_metrics",
    "childrens_home_metrics",
    "far_share",
    "council_metrics",
    "distance_band_shares",
    "in_region_shares",
    "region_flows",
    "known_distance",
    "initial_population",
    "key_frame",
    "locality_by_type",
    "mixed_far_share",
    "own_carer_matrix",
    "placement_matrix",
    "provision_council",
    "published_beside",
    "shares_by_council",
    "within_20_miles_as_dfe",
    "simulate",
    "simulate_seed",
    "steady_rates",
    "today_plan",
]
