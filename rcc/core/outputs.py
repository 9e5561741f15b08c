"""The tables rcc returns, described as data, and a check that a frame conforms.

The same :class:`rcc.core.schema.Table` / :class:`rcc.core.schema.Column`
records as the input tables (``kind="output"``): :attr:`rcc.Plan.placements`,
:attr:`rcc.Plan.shortfall` and the metrics; the tables of a
:class:`rcc.SufficiencyPlan`; a demand forecast; a :class:`rcc.Comparison`;
a :func:`rcc.sweep` and its summary. :func:`check_output` raises when a frame
does not match its table (columns, order, dtypes, missing values, allowed
values, ranges), so a result is right or loudly wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS, SCOPES, SUPPRESSED_CELL, Column, Table
from rcc.core.validate import _fail, is_real

__all__ = [
    "COMPARISON_LONG",
    "COMPARISON_WIDE",
    "DEMAND_FORECAST",
    "METRIC_NAMES",
    "OUTPUT_TABLES",
    "PLAN_BY_COUNCIL",
    "PLAN_METRICS",
    "PLAN_PLACEMENTS",
    "PLAN_SHORTFALL",
    "REGION_FORECAST",
    "REPORT_TABLES",
    "SUFFICIENCY_OUTPUT_TABLES",
    "SWEEP_DRAWS",
    "SWEEP_SUMMARY",
    "check_output",
]


def C(name: str, dtype: str, unit: str = "", description: str = "", **kw: object) -> Column:
    """An output column: always present (``required``), no default."""
    return Column(name=name, dtype=dtype, unit=unit, description=description, **kw)  # type: ignore[arg-type]


def _table(name: str, id_column: str, columns: tuple[Column, ...], description: str) -> Table:
    return Table(name=name, id_column=id_column, columns=columns, description=description, kind="output")


_METRIC_COLUMNS: tuple[Column, ...] = (
    C("children", "float", "children", "Children (placed + without a home).", minimum=0),
    C("placed", "float", "children", "Children placed.", minimum=0),
    C("unmet", "float", "children", "Children without a home.", minimum=0),
    C("pct_within_20_miles", "float", "%", "Placed children within 20 miles (NaN: none placed).", minimum=0, maximum=100, nullable=True),
    C("pct_inside_own_council", "float", "%", "Placed children inside their own council (NaN: none placed).", minimum=0, maximum=100, nullable=True),
    C("mean_distance_miles", "float", "miles", "Mean distance of a placed child (NaN: none placed).", minimum=0, nullable=True),
    C("weekly_cost_gbp", "float", "GBP/week", "Weekly cost of the placements.", minimum=0),
    C("utilisation_pct", "float", "%", "Children placed per place (NaN per council, or with no places).", minimum=0, nullable=True),
    C("provider_hhi", "float", "0-10,000", "Provider groups' concentration (HHI; NaN: none placed).", minimum=0, maximum=10_000, nullable=True),
)
#: Headline metrics of a plan, in order (:attr:`rcc.Plan.metrics`, the keys of
#: ``rcc.allocation.result.METRIC_LABELS``).
METRIC_NAMES: tuple[str, ...] = tuple(c.name for c in _METRIC_COLUMNS)
_UNMET_BY_NEED: tuple[Column, ...] = tuple(
    C(f"unmet_{n}", "float", "children", f"Children needing {n} without a home.", minimum=0) for n in NEEDS
)

_COHORT_KEY: tuple[Column, ...] = (
    C("cohort_id", "str", description="Cohort."),
    C("council_id", "str", description="Home council of the cohort."),
    C("need", "str", description="Need category.", choices=NEEDS),
    C("age_band", "str", description="Age band.", choices=tuple(AGE_BANDS)),
)
_PLACEMENT_COLUMNS: tuple[Column, ...] = (
    *_COHORT_KEY,
    C("home_id", "str", description="Home (a sufficiency plan: or the option id of new capacity)."),
    C("home_council_id", "str", description="Council the home is in."),
    C("home_type", "str", description="Kind of home.", choices=HOME_TYPES),
    C("provider_id", "str", description="Provider of the home."),
    C("provider_group", "str", description="Ownership group of the provider."),
    C("children", "int", "children", "Children of the cohort in the home.", minimum=0),
    C("held", "int", "children", "Of them, children already living there (held placements).", minimum=0),
    C("distance_miles", "float", "miles", "Distance from the home council to the home.", minimum=0),
    C("inside_own_council", "bool", description="Whether the home is in the cohort's council."),
    C("weekly_cost_gbp", "float", "GBP/week", "Weekly cost of one placement.", minimum=0),
)
#: Plan shortfall reasons (``reason_code``).
_PLAN_REASONS = ("unreachable", "capacity", "weights")
_SUFFICIENCY_REASONS = ("unreachable", "lead_time", "budget", "capacity", "provider_share", "weights")
_SHORTFALL_COLUMNS: tuple[Column, ...] = (
    *_COHORT_KEY,
    C("children", "int", "children", "Children of the cohort without a home.", minimum=0),
    C("reason_code", "str", description="Why.", choices=_PLAN_REASONS),
    C("reason", "str", description="Why, in words."),
)

PLAN_PLACEMENTS = _table(
    "plan.placements", "cohort_id", _PLACEMENT_COLUMNS, "`rcc.Plan.placements`: one row per cohort x home used."
)
PLAN_SHORTFALL = _table(
    "plan.shortfall", "cohort_id", _SHORTFALL_COLUMNS, "`rcc.Plan.shortfall`: one row per cohort with children left without a home."
)
PLAN_METRICS = _table(
    "plan.metrics",
    "metric",
    (
        C("metric", "str", description="Metric name (the index of `rcc.Plan.metrics`).", choices=METRIC_NAMES),
        C("value", "float", description="Its value (NaN: not defined, e.g. a percentage of no children).", nullable=True),
    ),
    "`rcc.Plan.to_frames()['metrics']`: the headline metrics (`rcc.Plan.metrics` as a table).",
)
PLAN_BY_COUNCIL = _table(
    "plan.by_council",
    "council_id",
    (C("council_id", "str", description="Home council."), *_METRIC_COLUMNS),
    "`rcc.Plan.metrics_by_council()`: the metrics per home council.",
)

_FORECAST_COUNTS: tuple[Column, ...] = (
    C("children", "int", "children", "Children expected, rounded.", minimum=0),
    C("children_expected", "float", "children", "Children expected (mean).", minimum=0),
    C("children_p10", "int", "children", "10th percentile.", minimum=0),
    C("children_p50", "int", "children", "Median.", minimum=0),
    C("children_p90", "int", "children", "90th percentile.", minimum=0),
)
DEMAND_FORECAST = _table(
    "demand_forecast",
    "cohort_id",
    (
        *_COHORT_KEY,
        C("year", "int", "calendar year", "Year forecast (the year of the data's end date + 1, + 2...)."),
        *_FORECAST_COUNTS,
    ),
    "`rcc.forecast_demand`: children per cohort and calendar year, with the band from parameter uncertainty.",
)
REGION_FORECAST = _table(
    "region_forecast",
    "cohort_id",
    (
        *_COHORT_KEY,
        C("year", "int", "plan year", "Plan year (1 = the region's cohorts as they are).", minimum=1),
        *_FORECAST_COUNTS,
        C("group_size", "int", "children", "Children placed together (siblings), 1 for single children.", minimum=1),
    ),
    "`rcc.forecast_from_region`: children per cohort and plan year, grown by yearly rates (percentiles equal "
    "`children`: no uncertainty is claimed); the `forecast` input of `rcc.sufficiency_plan`.",
)

_COMPARISON_KEY: tuple[Column, ...] = (
    C("scenario", "str", description="Scenario name."),
    C("council_id", "str", description="Council id, or a group (`group:all`, `group:rcc`, ...)."),
    C("council_name", "str", description="Council or group name."),
)
COMPARISON_LONG = _table(
    "comparison.long",
    "council_id",
    (
        *_COMPARISON_KEY,
        C("metric", "str", description="Metric name (see `rcc.analysis.scenarios.METRICS`)."),
        C("value", "float", description="Its value (NaN: not defined).", nullable=True),
    ),
    "`rcc.Comparison.long`: every scenario x council or group x metric.",
)
COMPARISON_WIDE = _table(
    "comparison.wide",
    "council_id",
    (
        *_COMPARISON_KEY,
        *_METRIC_COLUMNS[:5],
        C("pct_inside_own_region", "float", "%", "Placed children inside their own region (NaN: none placed).", minimum=0, maximum=100, nullable=True),
        *_METRIC_COLUMNS[5:],
        C("cost_objective", "float", "Weights units", "The plan's objective restricted to the council or group."),
        *_UNMET_BY_NEED,
    ),
    "`rcc.Comparison.wide()`: one row per scenario x council or group, one column per metric.",
)
SWEEP_DRAWS = _table(
    "sweep",
    "draw",
    (
        C("draw", "int", description="Draw number (0, 1, ...).", minimum=0),
        *_METRIC_COLUMNS,
        C("objective", "float", "Weights units", "Objective of the draw's plan.", nullable=True),
        *_UNMET_BY_NEED,
        C("status", "str", description="Plan status of the draw (`rcc.PlanStatus` value)."),
    ),
    "`rcc.sweep`: one row per demand draw.",
)
SWEEP_SUMMARY = _table(
    "sweep_summary",
    "metric",
    (
        C("metric", "str", description="Metric (the index of the frame)."),
        C("mean", "float", description="Mean over the draws.", nullable=True),
        C("std", "float", description="Standard deviation (ddof 1; NaN with one draw).", nullable=True),
        C("p5", "float", description="5th percentile.", nullable=True),
        C("p50", "float", description="Median.", nullable=True),
        C("p95", "float", description="95th percentile.", nullable=True),
    ),
    "`rcc.sweep_summary(draws).reset_index()` with the default quantiles (one `p<q>` column per quantile).",
)

# ----------------------------------------------------------------------------- sufficiency plan

_YEAR = C("year", "int", "plan year", "Plan year (1 = the first year).", minimum=1)
_GBP = "GBP"


def _money(name: str, description: str, unit: str = _GBP, **kw: object) -> Column:
    return C(name, "float", unit, description, **kw)


_SUFFICIENCY = (
    _table(
        "sufficiency.builds",
        "option_id",
        (
            C("option_id", "str", description="Option chosen."),
            C("name", "str", description="Its name."),
            C("council_id", "str", description="Council where it is located."),
            C("council_name", "str", description="That council's name."),
            C("home_type", "str", description="Kind of home it creates.", choices=HOME_TYPES),
            C("scope", "str", description="Who it may serve.", choices=SCOPES),
            C("provider_id", "str", description="Provider that runs it."),
            C("year_started", "int", "plan year", "Year the units start.", minimum=1),
            C("year_available", "int", "plan year", "Year their places arrive (may be after the plan).", minimum=1),
            C("units", "int", "units", "Units started.", minimum=1),
            C("places", "int", "places", "Places they add.", minimum=0),
            _money("capital_gbp", "Capital spent.", minimum=0),
            _money("start_up_gbp", "Start-up revenue spent.", minimum=0),
            _money("annual_running_gbp", "Running cost per year once open.", "GBP/year", minimum=0),
        ),
        "`rcc.SufficiencyPlan.builds`: chosen options per start year.",
    ),
    _table(
        "sufficiency.closures",
        "home_id",
        (
            C("home_id", "str", description="Home closed."),
            C("council_id", "str", description="Council it is in."),
            C("home_type", "str", description="Kind of home.", choices=HOME_TYPES),
            C("places", "int", "places", "Places lost.", minimum=0),
            C("year_closed", "int", "plan year", "Year it closes.", minimum=1),
            _money("closure_cost_gbp", "One-off cost of closing.", minimum=0),
            _money("annual_saving_gbp", "Saving per year closed.", "GBP/year", minimum=0),
        ),
        "`rcc.SufficiencyPlan.closures`: homes closed.",
    ),
    _table(
        "sufficiency.placements",
        "cohort_id",
        (
            _YEAR,
            *_PLACEMENT_COLUMNS,
            C("new_capacity", "bool", description="Whether `home_id` is an option (new capacity)."),
        ),
        "`rcc.SufficiencyPlan.placements`: one row per year x cohort x home or option.",
    ),
    _table(
        "sufficiency.shortfall",
        "cohort_id",
        (
            _YEAR,
            *_SHORTFALL_COLUMNS[:-2],
            C("reason_code", "str", description="Why.", choices=_SUFFICIENCY_REASONS),
            _SHORTFALL_COLUMNS[-1],
        ),
        "`rcc.SufficiencyPlan.shortfall`: children without a home per year and cohort.",
    ),
    _table(
        "sufficiency.costs",
        "year",
        (
            _YEAR,
            _money("capital_gbp", "Capital.", minimum=0),
            _money("start_up_gbp", "Start-up revenue.", minimum=0),
            _money("running_gbp", "Running cost of new capacity.", minimum=0),
            _money("closure_cost_gbp", "Closure costs.", minimum=0),
            _money("savings_gbp", "Savings of closed homes.", minimum=0),
            _money("placements_gbp", "Weekly costs of every placement over the year.", minimum=0),
            _money("programme_revenue_gbp", "Start-up + running + closure costs - savings."),
            _money("revenue_gbp", "Programme revenue + placements."),
            _money("total_gbp", "Capital + revenue."),
        ),
        "`rcc.SufficiencyPlan.costs`: money per plan year (nominal GBP).",
    ),
    _table(
        "sufficiency.budget_use",
        "budget",
        (
            C("budget", "str", description="Budget (its budget_id, else its scope)."),
            C("kind", "str", description="Capital or revenue.", choices=("capital", "revenue")),
            C("year", "int", "plan year", "Year limited (missing: the whole plan).", minimum=1, nullable=True),
            _money("limit_gbp", "Limit.", minimum=0),
            _money("used_gbp", "Spent."),
            _money("headroom_gbp", "Limit - spent."),
            C("budget_row", "int", description="Row of the budgets table (0-based).", minimum=0),
            C("binding", "bool", description="Whether the limit is met with no headroom."),
        ),
        "`rcc.SufficiencyPlan.budget_use`: every budget limit and its use.",
    ),
    _table(
        "sufficiency.capacity",
        "council_id",
        (
            C("council_id", "str", description="Council."),
            C("council_name", "str", description="Its name."),
            _YEAR,
            C("existing_places", "int", "places", "Places of existing homes still open.", minimum=0),
            C("closed_places", "int", "places", "Places of homes closed.", minimum=0),
            C("new_places", "int", "places", "Places of new capacity available.", minimum=0),
            C("net_new_places", "int", "places", "New minus closed places."),
        ),
        "`rcc.SufficiencyPlan.capacity`: places per council and year.",
    ),
    _table(
        "sufficiency.growth_vs_moves",
        "rcc",
        (
            C("rcc", "str", description="RCC (or the region's name)."),
            _YEAR,
            C("children", "float", "children", "Its forecast children.", minimum=0),
            C("children_inside_existing", "float", "children", "Placed in existing homes inside it.", minimum=0),
            C("children_in_new_places", "float", "children", "Placed in new places inside it.", minimum=0),
            C("children_outside", "float", "children", "Placed in homes outside it.", minimum=0),
            C("children_without_home", "float", "children", "Without a home.", minimum=0),
            C("others_children_inside", "float", "children", "Other areas' children in its homes.", minimum=0),
            C("new_places", "float", "places", "New places inside it.", minimum=0),
            C("closed_places", "float", "places", "Closed places inside it.", minimum=0),
            C("net_new_places", "int", "places", "New minus closed places inside it."),
            C("moved_in_from_outside", "float", "children", "Fewer of its children outside than in year 1."),
        ),
        "`rcc.SufficiencyPlan.growth_vs_moves`: growing capacity versus moving it, per RCC and year.",
    ),
    _table(
        "sufficiency.explanation",
        "rule",
        (
            C("rule", "str", description="Rule that must give."),
            C("scope", "str", description="Whose rule."),
            C("year", "int", "plan year", "Year (missing: all years).", minimum=1, nullable=True),
            C("limit", "float", description="The rule's limit."),
            C("needed", "float", description="What a plan needs."),
            C("violation", "float", description="By how much the rule must give.", minimum=0),
            C("unit", "str", description="Unit of limit, needed and violation."),
            C("words", "str", description="The relaxation in words."),
        ),
        "`rcc.SufficiencyPlan.explanation`: rules that must give for a plan to exist (empty unless infeasible).",
    ),
    _table(
        "sufficiency.metrics",
        "year",
        (_YEAR, *_METRIC_COLUMNS),
        "`rcc.SufficiencyPlan.to_frames()['metrics']`: the metrics of a plan per year.",
    ),
)

#: The tables of :meth:`rcc.SufficiencyPlan.to_frames`, by its keys.
SUFFICIENCY_OUTPUT_TABLES: Mapping[str, Table] = MappingProxyType({t.name.split(".", 1)[1]: t for t in _SUFFICIENCY})

# ----------------------------------------------------------------------------- released report tables
def _cell(name: str, unit: str, description: str, **kw: object) -> Column:
    return C(name, "cell", unit, description + " ('c': suppressed).", minimum=0, **kw)


_COUNT = "children"
_REPORT = "`rcc.report_tables` (and the Excel/HTML reports)"
REPORT_TABLES: tuple[Table, ...] = (
    _table("report.summary", "metric", (
        C("metric", "str", description="Metric name (as `rcc.Plan.metrics`)."),
        C("label", "str", description="The metric in words."),
        _cell("value", "", "Its value", nullable=True),
    ), f"{_REPORT}: the headline metrics."),
    _table("report.distance_bands", "band", (
        C("band", "str", "miles", "Distance band from home (e.g. `0-5`, `50+`)."),
        _cell("children", _COUNT, "Children placed within the band"),
    ), f"{_REPORT}: placed children by distance from home."),
    _table("report.by_council", "council_id", (
        C("council_id", "str", description="Home council."),
        C("council", "str", description="Its name."),
        *(_cell(n, _COUNT, d) for n, d in (
            ("children", "Children"), ("placed", "Children placed"), ("unmet", "Children without a home"),
            ("placed_inside_own_council", "Placed inside their own council"),
            ("placed_outside_own_council", "Placed outside it"), ("placed_within_20_miles", "Placed within 20 miles"),
            ("placed_over_20_miles", "Placed over 20 miles away"))),
        _cell("pct_inside_own_council", "%", "Share placed inside own council", maximum=100, nullable=True),
        _cell("pct_within_20_miles", "%", "Share placed within 20 miles", maximum=100, nullable=True),
        _cell("mean_distance_miles", "miles", "Mean distance of a placed child", nullable=True),
        _cell("weekly_cost_gbp", "GBP/week", "Weekly cost", nullable=True),
        _cell("provider_hhi", "0-10,000", "Provider groups' concentration (HHI)", maximum=10_000, nullable=True),
    ), f"{_REPORT}: the metrics per home council."),
    _table("report.flows", "council_id", (
        C("council_id", "str", description="Home council."),
        C("council", "str", description="Its name."),
        C("placement_council_id", "str", description="Council where the children live ('(elsewhere)': the councils not "
          "listed on their own, as in the placements table)."),
        C("placement_council", "str", description="Its name."),
        _cell("children", _COUNT, "Children placed from one council in the other"),
        _cell("mean_distance_miles", "miles", "Their mean distance from home", nullable=True),
    ), f"{_REPORT}: children by home council and placement council."),
    _table("report.unmet_by_need", "need", (
        C("need", "str", description="Need.", choices=NEEDS),
        *(_cell(n, _COUNT, d) for n, d in (
            ("children", "Children without a home"), ("unreachable", "... because no suitable home is within reach"),
            ("capacity", "... because suitable homes within reach are full"),
            ("weights", "... because the weights make leaving them cheaper"), ("cohorts", "Cohorts with children without a home"))),
    ), f"{_REPORT}: children without a home by need and reason."),
    _table("report.utilisation", "home_type", (
        C("home_type", "str", description="Home type.", choices=HOME_TYPES),
        _cell("places", "places", "Places"),
        _cell("placed", _COUNT, "Children placed"),
        _cell("utilisation_pct", "%", "Children placed per place", nullable=True),
    ), f"{_REPORT}: use of places by home type."),
    _table("report.placements", "council_id", (
        C("council_id", "str", description="Home council."),
        C("council", "str", description="Its name."),
        C("placement_council_id", "str", description="Council where the children live; '(elsewhere)': the councils not "
          "listed on their own for this home council (their homes have few places for it)."),
        C("placement_council", "str", description="Its name."),
        C("home_type", "str", description="Home type; 'other types (few places)' or 'all types' where a type's few places "
          "would give a small row away.", choices=(*HOME_TYPES, "other types (few places)", "all types")),
        _cell("children", _COUNT, "Children placed from the home council in homes of this type there"),
        _cell("held", _COUNT, "... of whom held where they already live"),
    ), f"{_REPORT}: children by home council, placement council and home type (never a row per cohort and home: "
       "with each home's places public, such rows give small counts away)."),
    _table("report.shortfall", "cohort_id", tuple(
        _cell("children", _COUNT, "Children of the cohort without a home") if c.name == "children" else c
        for c in _SHORTFALL_COLUMNS
    ), f"{_REPORT}: `rcc.Plan.shortfall` as released."),
)


#: Every output table by name.
OUTPUT_TABLES: Mapping[str, Table] = MappingProxyType(
    {
        t.name: t
        for t in (
            PLAN_PLACEMENTS,
            PLAN_SHORTFALL,
            PLAN_METRICS,
            PLAN_BY_COUNCIL,
            *_SUFFICIENCY,
            DEMAND_FORECAST,
            REGION_FORECAST,
            COMPARISON_LONG,
            COMPARISON_WIDE,
            SWEEP_DRAWS,
            SWEEP_SUMMARY,
            *REPORT_TABLES,
        )
    }
)


# ----------------------------------------------------------------------------- the check


def check_output(table: str | Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Check that ``frame`` conforms to an output table; return it unchanged.

    The same columns in the same order; each column's dtype compatible with
    its record (``str``: text, or an empty object column; ``int``: an integer
    dtype, ``Int64`` where nullable; ``float``: a float dtype; ``bool``: bool);
    no missing value unless the column is nullable; values among the allowed
    ones and within the range.

    Parameters
    ----------
    table : str or Table
        A name from :data:`OUTPUT_TABLES` (e.g. ``"plan.placements"``) or a Table.
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Raises
    ------
    InvalidInputError
        Naming the table, the row (its ``id_column`` value), the column, what
        was expected and what was received.

    >>> m = pd.DataFrame({"metric": ["children", "placed"], "value": [3.0, float("nan")]})
    >>> check_output("plan.metrics", m) is m
    True
    >>> check_output("plan.metrics", m.assign(value=[3, 2]))
    Traceback (most recent call last):
    ...
    rcc.core.errors.InvalidInputError: ...
    """
    t = table if isinstance(table, Table) else OUTPUT_TABLES[table]
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(t.name, None, None, "a pandas DataFrame", type(frame).__name__)
    got = [str(c) for c in frame.columns]
    if got != list(t.names):
        missing = [c for c in t.names if c not in got]
        extra = [c for c in got if c not in t.names]
        expected = f"columns {list(t.names)} in this order (missing {missing}, extra {extra})"
        raise InvalidInputError(t.name, None, None, expected, got)
    df = frame.reset_index(drop=True)
    for col in t.columns:
        _check_column(t, df, col)
    return frame


def _check_column(t: Table, df: pd.DataFrame, col: Column) -> None:
    s = df[col.name]
    if not _dtype_ok(s, col):
        raise InvalidInputError(t.name, None, col.name, f"a {col.dtype} column{' (nullable)' if col.nullable else ''}", str(s.dtype))
    missing = s.isna().to_numpy(dtype=bool)
    if not col.nullable:
        _fail(t, df, missing, col.name, "a value (this column has no missing values)")
    if col.dtype == "str":
        text = ~missing & ~s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool) if len(s) else missing
        _fail(t, df, text, col.name, "text")
    if col.choices is not None:
        _fail(t, df, ~missing & ~s.isin(col.choices).to_numpy(dtype=bool), col.name, f"one of {list(col.choices)}")
    if col.dtype == "cell":
        s = _cell_numbers(t, df, s, missing, col.name)
    if col.dtype in ("int", "float", "cell") and (col.minimum is not None or col.maximum is not None):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        if col.minimum is not None:
            _fail(t, df, arr < col.minimum, col.name, f"a value >= {col.minimum:g}")
        if col.maximum is not None:
            _fail(t, df, arr > col.maximum, col.name, f"a value <= {col.maximum:g}")


def _cell_numbers(t: Table, df: pd.DataFrame, s: pd.Series, missing: np.ndarray, column: str) -> pd.Series:
    """A report cell is a real number or the suppression mark: the numbers (marks as NaN)."""
    mark = s.map(lambda v: isinstance(v, str) and v == SUPPRESSED_CELL).to_numpy(dtype=bool)
    number = s.map(is_real).to_numpy(dtype=bool)
    _fail(t, df, ~missing & ~mark & ~number, column, f"a number or {SUPPRESSED_CELL!r} (suppressed)")
    return s.where(number, np.nan).astype(float)


def _dtype_ok(s: pd.Series, col: Column) -> bool:
    dt = s.dtype
    types = pd.api.types
    if col.dtype == "cell":  # numbers, with the suppression mark where released
        return types.is_object_dtype(dt) or (types.is_numeric_dtype(dt) and not types.is_bool_dtype(dt))
    if col.dtype == "str":
        return isinstance(dt, pd.StringDtype) or pd.api.types.is_object_dtype(dt)
    if col.dtype == "bool":
        return types.is_bool_dtype(dt)
    if col.dtype == "int":
        return types.is_integer_dtype(dt) and not types.is_bool_dtype(dt) and (col.nullable or not isinstance(dt, pd.Int64Dtype))
    return types.is_float_dtype(dt)
