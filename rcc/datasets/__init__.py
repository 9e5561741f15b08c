"""Embedded datasets: real English councils (ONS, DfE, Ofsted; OGL v3.0)."""

from rcc.datasets.calibration import CALIBRATED_PARAMETERS, simulation_calibration
from rcc.datasets.england import (
    DEFAULT_WEEKLY_COST_GBP,
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
    CouncilGeometry,
    council_geometry,
    council_travel,
    districts,
    england_geometry,
)

__all__ = [
    "CALIBRATED_PARAMETERS",
    "DEFAULT_WEEKLY_COST_GBP",
    "FAR_MILES",
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
]
