"""Embedded datasets: real English councils (ONS, DfE, Ofsted; OGL v3.0)."""

from rcc.datasets.calibration import CALIBRATED_PARAMETERS, simulation_calibration
from rcc.datasets.england import (
    attribution,
    cla_2025,
    cla_history,
    councils,
    england,
    england_demand_summary,
    ofsted_providers,
    published_by_council,
    published_metrics,
    region_cla_2025,
    region_names,
    regions,
)
from rcc.datasets.geometry import (
    FAR_MILES,
    LOCALITY_MILES,
    CouncilGeometry,
    council_geometry,
    council_travel,
    districts,
    england_geometry,
)
from rcc.datasets.supply import DEFAULT_WEEKLY_COST_GBP, WEEKLY_COSTS, WeeklyCost, supply_figures, weekly_costs

__all__ = [
    "CALIBRATED_PARAMETERS",
    "DEFAULT_WEEKLY_COST_GBP",
    "FAR_MILES",
    "LOCALITY_MILES",
    "WEEKLY_COSTS",
    "WeeklyCost",
    "CouncilGeometry",
    "attribution",
    "cla_2025",
    "cla_history",
    "council_geometry",
    "council_travel",
    "councils",
    "districts",
    "england",
    "england_geometry",
    "england_demand_summary",
    "ofsted_providers",
    "published_by_council",
    "published_metrics",
    "region_cla_2025",
    "region_names",
    "regions",
    "simulation_calibration",
    "supply_figures",
    "weekly_costs",
]
