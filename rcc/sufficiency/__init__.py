"""Sufficiency plans: what capacity to add, where, of which type and when.

A multi-year capacity expansion MILP (:mod:`rcc.sufficiency.model`) on top of
the allocation model: candidate options (recruit foster carers, open or
expand homes, regional or national specialist provision) with capital,
start-up and running costs and lead times; a demand forecast per cohort and
year; budgets per council, RCC and in total (capital and revenue
separately); sibling groups placed together; a minimum share of each RCC's
children inside it; a maximum share per provider group; homes that may
close. The result, :class:`SufficiencyPlan`, has the chosen options per year
with costs, placements per year, the remaining shortfall with reasons, the
metrics of a Plan per year, net new places versus places moved between
areas, and an explanation when the rules cannot all be met.

    import rcc
    from rcc.sufficiency import sufficiency_plan, default_options, forecast_from_region, SufficiencyParams
    region = rcc.datasets.england("Greater Manchester RCC")
    forecast = forecast_from_region(region, years=5, growth_by_need={"complex": 0.03})
    plan = sufficiency_plan(region, default_options(region), forecast, params=SufficiencyParams(years=5))
    print(plan.summary())
"""

from rcc.sufficiency.defaults import DEFAULT_OPTION_ASSUMPTIONS, EXAMPLE_GROWTH, default_options, forecast_from_region
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.result import SufficiencyPlan
from rcc.sufficiency.solve import sufficiency_plan
from rcc.sufficiency.tables import (
    BUDGETS,
    CLOSURES,
    COSTS,
    FORECAST,
    OPTIONS,
    SCOPES,
    SUFFICIENCY_TABLES,
    sufficiency_schema_frame,
)

__all__ = [
    "BUDGETS",
    "CLOSURES",
    "COSTS",
    "DEFAULT_OPTION_ASSUMPTIONS",
    "EXAMPLE_GROWTH",
    "FORECAST",
    "OPTIONS",
    "SCOPES",
    "SUFFICIENCY_TABLES",
    "SufficiencyParams",
    "SufficiencyPlan",
    "default_options",
    "forecast_from_region",
    "sufficiency_plan",
    "sufficiency_schema_frame",
]
