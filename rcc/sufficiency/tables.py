"""Input tables of a sufficiency plan, described as data (see :mod:`rcc.core.schema`).

The same :class:`rcc.core.schema.Table` records as the region's tables; the
tables a sufficiency plan returns are in :mod:`rcc.core.outputs`.

``options`` (candidate new capacity), ``forecast`` (demand per cohort and
year), ``budgets`` (capital and revenue limits), ``closures`` (existing homes
that may close) and ``costs`` (a price per cohort x home-or-option that
replaces the site's weekly cost). Validate any of them with
``rcc.core.validate.normalise(df, OPTIONS)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

from rcc.core.schema import HOME_TYPES, MAX_COUNT, MAX_WEEKLY_COST_GBP, SCOPES, SECTORS, Column, Table, schema_frame

__all__ = [
    "BUDGETS",
    "CLOSURES",
    "MAX_GBP",
    "COSTS",
    "FORECAST",
    "NO_LIMIT",
    "OPTIONS",
    "SCOPES",
    "SUFFICIENCY_TABLES",
    "sufficiency_schema_frame",
]

C = Column

#: Default of ``max_units_per_year`` ("empty: max_units"), and of a budget
#: limit column left out of ``budgets`` (no limit). In a budgets table, write
#: ``inf`` for no limit: an empty cell (NaN) or a negative number is an error.
NO_LIMIT = -1.0

#: Largest amount of money accepted in one cell (GBP): a larger one is a data error, not a plan.
MAX_GBP = 1e12

OPTIONS = Table(
    "options",
    "option_id",
    (
        C("option_id", "str", description="Option id (unique; must not equal a home_id)."),
        C("name", "str", required=False, default="", description="Words for reports (defaults to option_id)."),
        C("council_id", "str", description="Council where the new capacity is located."),
        C("home_type", "str", description="Kind of home the option creates.", choices=HOME_TYPES),
        C("needs", "str", description="Needs served, separated by ';'."),
        C("min_age", "int", "years", required=False, default=0, minimum=0, maximum=17, description="Youngest age accepted."),
        C("max_age", "int", "years", required=False, default=17, minimum=0, maximum=17, description="Oldest age accepted."),
        C("provider_id", "str", description="Provider that will run it (a providers row, or a new id)."),
        C(
            "provider_group",
            "str",
            required=False,
            default="",
            description="Ownership group for market concentration (default: the provider's group, else provider_id).",
        ),
        C(
            "sector",
            "str",
            required=False,
            default="council",
            choices=SECTORS,
            description="Ownership sector of a new provider (council = in-house or RCC-run, exempt from the share cap).",
        ),
        C("scope", "str", required=False, default="council", choices=SCOPES, description="Tier: who it may serve."),
        C("places_per_unit", "int", "places", minimum=1, maximum=MAX_COUNT, description="Places one unit adds (a carer step, a home)."),
        C("min_units", "int", "units", required=False, default=0, minimum=0, maximum=MAX_COUNT, description="Units already committed (must be built)."),
        C("max_units", "int", "units", required=False, default=1, minimum=0, maximum=MAX_COUNT, description="Most units over the plan."),
        C(
            "max_units_per_year",
            "int",
            "units/year",
            required=False,
            default=NO_LIMIT,
            minimum=NO_LIMIT,
            maximum=MAX_COUNT,
            description="Most units started in one year, e.g. a recruitment limit (empty: max_units).",
        ),
        C("capital_cost_gbp", "float", "GBP/unit", required=False, default=0.0, minimum=0, maximum=MAX_GBP, description="One-off capital per unit, in its start year."),
        C(
            "start_up_cost_gbp",
            "float",
            "GBP/unit",
            required=False,
            default=0.0,
            minimum=0,
            maximum=MAX_GBP,
            description="One-off revenue per unit in its start year (recruitment, assessment, registration).",
        ),
        C(
            "annual_running_cost_gbp",
            "float",
            "GBP/unit/year",
            required=False,
            default=0.0,
            minimum=0,
            maximum=MAX_GBP,
            description="Fixed revenue per unit per year once open, occupied or not (staffing).",
        ),
        C("weekly_cost_gbp", "float", "GBP/week", required=False, default=0.0, minimum=0, maximum=MAX_WEEKLY_COST_GBP, description="Cost per occupied place per week."),
        C(
            "lead_time_months",
            "int",
            "months",
            required=False,
            default=0,
            minimum=0,
            description=(
                "Property, staff and registration: the unit opens this many months after its start (the start of its plan "
                "year); its places count from the first census date after (SufficiencyParams.lead_time_rule)."
            ),
        ),
        C("earliest_year", "int", "plan year", required=False, default=1, minimum=1, maximum=MAX_COUNT, description="First plan year it may start."),
        C("serves_council_id", "str", required=False, default="", description="If set, only this council's children."),
    ),
    "Candidate new capacity: recruit foster carers, open or expand homes, regional or national specialist provision.",
)

FORECAST = Table(
    "forecast",
    "forecast_id",
    (
        C("forecast_id", "str", required=False, default="", description="Row id (optional)."),
        C("cohort_id", "str", description="Cohort (a row of the region's cohorts)."),
        C("year", "int", "plan year", minimum=1, maximum=MAX_COUNT, description="Plan year (1 = the first year)."),
        C("children", "int", "children", minimum=0, maximum=MAX_COUNT, description="Children of the cohort needing a home that year."),
        C(
            "group_size",
            "int",
            "children",
            required=False,
            default=1,
            minimum=1,
            description="Children placed together (siblings): placements in whole multiples of it.",
        ),
    ),
    "Demand per cohort and plan year.",
)

BUDGETS = Table(
    "budgets",
    "budget_id",
    (
        C("budget_id", "str", required=False, default="", description="Row id (optional, used in reports)."),
        C("scope", "str", choices=("total", "rcc", "council"), description="Whose money: everyone, an RCC, a council."),
        C("scope_id", "str", required=False, default="", description="RCC name or council id (empty for total)."),
        C("year", "str", "plan year", required=False, default="all", description="A plan year, or 'all' for the whole plan."),
        C("capital_gbp", "float", "GBP", required=False, default=NO_LIMIT, minimum=NO_LIMIT, maximum=MAX_GBP, description="Capital limit, >= 0 (inf or column left out: none; empty or negative: an error)."),
        C("revenue_gbp", "float", "GBP", required=False, default=NO_LIMIT, minimum=NO_LIMIT, maximum=MAX_GBP, description="Revenue limit, >= 0 (inf or column left out: none; empty or negative: an error)."),
        C(
            "revenue_basis",
            "str",
            required=False,
            default="programme",
            choices=("programme", "all"),
            description="'programme': start-up, running and closure costs of the plan's changes; "
            "'all': also every placement's weekly cost for the scope's children.",
        ),
    ),
    "Budgets: capital and revenue limits per council, RCC or in total, per year or for the whole plan.",
)

CLOSURES = Table(
    "closures",
    "home_id",
    (
        C("home_id", "str", description="An existing home that may close (decommissioned: all its places)."),
        C("earliest_year", "int", "plan year", required=False, default=1, minimum=1, maximum=MAX_COUNT, description="First year it may be closed."),
        C("closure_cost_gbp", "float", "GBP", required=False, default=0.0, minimum=0, maximum=MAX_GBP, description="One-off revenue cost of closing."),
        C(
            "annual_saving_gbp",
            "float",
            "GBP/year",
            required=False,
            default=0.0,
            minimum=0,
            maximum=MAX_GBP,
            description="Fixed revenue saved each year it is closed.",
        ),
    ),
    "Existing homes a user allows to close.",
)

COSTS = Table(
    "costs",
    "cost_id",
    (
        C("cost_id", "str", required=False, default="", description="Row id (optional)."),
        C("cohort_id", "str", description="Cohort."),
        C("site_id", "str", description="A home_id or an option_id."),
        C("weekly_cost_gbp", "float", "GBP/week", minimum=0, maximum=MAX_WEEKLY_COST_GBP, description="Price per child per week for this pair."),
    ),
    "A cost matrix: prices per cohort x home-or-option replacing the site's weekly cost (e.g. negotiated prices).",
)

#: The sufficiency tables by name.
SUFFICIENCY_TABLES: Mapping[str, Table] = MappingProxyType(
    {t.name: t for t in (OPTIONS, FORECAST, BUDGETS, CLOSURES, COSTS)}
)


def sufficiency_schema_frame(table: str | None = None) -> pd.DataFrame:
    """The sufficiency tables' columns as a DataFrame: :func:`rcc.core.schema.schema_frame`
    of :data:`SUFFICIENCY_TABLES`.

    >>> sufficiency_schema_frame("options").loc[lambda d: d.column == "lead_time_months", "unit"].item()
    'months'
    """
    return schema_frame(table, tables=SUFFICIENCY_TABLES.values())
