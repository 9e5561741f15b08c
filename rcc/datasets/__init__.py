"""Embedded datasets: real English councils (ONS, DfE, Ofsted; OGL v3.0)."""

from rcc.datasets.england import (
    DEFAULT_WEEKLY_COST_GBP,
    attribution,
    cla_2025,
    councils,
    england,
    england_demand_summary,
    ofsted_providers,
    published_metrics,
    region_cla_2025,
    region_names,
    regions,
)

__all__ = [
    "DEFAULT_WEEKLY_COST_GBP",
    "attribution",
    "cla_2025",
    "councils",
    "england",
    "england_demand_summary",
    "ofsted_providers",
    "published_metrics",
    "region_cla_2025",
    "region_names",
    "regions",
]
