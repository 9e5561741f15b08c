"""The tables rcc reads and writes, described as data.

Every table is a :class:`Table` made of :class:`Column` records (name, dtype,
unit, required, default, description, allowed values or range). Input tables
(:data:`TABLES` here, the sufficiency tables in :mod:`rcc.sufficiency.tables`)
are validated by :func:`rcc.core.validate.normalise`; output tables
(:mod:`rcc.core.outputs`) are checked by :func:`rcc.core.outputs.check_output`.
Validation, documentation (``docs/schema.md``) and the Hypothesis strategies
(:mod:`rcc.testing.strategies`) all read these records, so there is one place
to change a column.

The vocabulary of needs, age bands and home types is also here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import pandas as pd

__all__ = [
    "AGE_BANDS",
    "Column",
    "HOME_TYPES",
    "MAX_COUNT",
    "MAX_WEEKLY_COST_GBP",
    "MAX_YEARS",
    "NEEDS",
    "SCOPES",
    "SECTORS",
    "TABLES",
    "Table",
    "DTYPES",
    "SUPPRESSED_CELL",
    "age_band_bounds",
    "allowed",
    "cohort_ids",
    "schema_frame",
]

#: Largest count accepted in one row (places of a home, children of a cohort or placement): England has
#: about 82,000 children in care, so a larger number is a data error, not a plan.
MAX_COUNT = 1_000_000
#: Largest weekly cost accepted (GBP): the dearest placements reported cost tens of thousands a week.
MAX_WEEKLY_COST_GBP = 1_000_000.0
#: Longest horizon accepted (years) for a forecast or a plan: a longer one is a data error, not a plan.
MAX_YEARS = 100

#: Need categories (the first part of a cohort's key besides council and age).
NEEDS: tuple[str, ...] = (
    "mainstream",  # family-based care, no additional registered need
    "complex",  # complex / therapeutic residential need
    "disability",  # disabled children (residential special schools, short breaks)
    "parent_child",  # parent-and-child arrangements
    "sibling_group",  # siblings to be placed together
    "secure",  # secure welfare or justice placement
    "supported_16plus",  # supported accommodation for 16-17 year olds
    "uasc",  # unaccompanied asylum-seeking children
)

#: Age bands as label -> (youngest age, oldest age), inclusive, in years.
AGE_BANDS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"0-4": (0, 4), "5-10": (5, 10), "11-15": (11, 15), "16-17": (16, 17)}
)

def cohort_ids(council: Any, need: Any, band: Any) -> Any:
    """The standard cohort key ``council:need:age_band`` (strings or pandas Series).

    The embedded data, the SSDA903 reader and the demand forecast all name
    cohorts this way, so their tables join on ``cohort_id``.

    >>> cohort_ids("E08000003", "complex", "11-15")
    'E08000003:complex:11-15'
    """
    parts = [x.astype(str) if isinstance(x, pd.Series) else str(x) for x in (council, need, band)]
    return parts[0] + ":" + parts[1] + ":" + parts[2]


#: Home types: a unit of supply.
HOME_TYPES: tuple[str, ...] = (
    "in_house_fostering",  # a council's own foster carers
    "ifa_fostering",  # independent fostering agency carers in an area
    "kinship",  # family and friends carers / placed with parents: own council only
    "childrens_home",
    "secure_home",
    "residential_school",  # residential special school registered as a children's home
    "supported_accommodation",  # 16+ supported accommodation
)

#: Provider sectors.
SECTORS: tuple[str, ...] = ("council", "private", "voluntary", "other_public", "unknown")

#: Who a candidate sufficiency option may serve: ``council`` (the usual distance limits),
#: ``regional`` (any child of a council in the same DfE region, whatever the
#: distance) or ``national`` (any child).
SCOPES: tuple[str, ...] = ("council", "regional", "national")


def age_band_bounds(label: str) -> tuple[int, int]:
    """Youngest and oldest age (inclusive) of an age band label.

    >>> age_band_bounds("11-15")
    (11, 15)
    """
    return AGE_BANDS[label]


#: Column dtypes: ``bool`` appears only in output tables; ``cell`` only in released
#: report tables: a number, or :data:`SUPPRESSED_CELL` where small numbers are suppressed.
DTYPES: tuple[str, ...] = ("str", "int", "float", "bool", "cell")
#: What a suppressed report cell holds.
SUPPRESSED_CELL = "c"


@attrs.frozen
class Column:
    """One column of a table (input or output).

    Parameters
    ----------
    name : str
        snake_case, with its unit where it has one (``places``, ``weekly_cost_gbp``).
    dtype : str
        One of ``"str"``, ``"int"``, ``"float"``; ``"bool"`` in output tables only.
    unit : str
        Unit of measure, or ``""``.
    required : bool
        Whether the column must be present.
    default : object
        Value used where an optional column is absent.
    description : str
        One line, shown in generated docs and error messages.
    minimum, maximum : float or None
        Inclusive bounds for numeric columns.
    choices : tuple of str or None
        Allowed values for a categorical column.
    nullable : bool
        Output tables: whether a value may be missing (NaN for a float, ``<NA>``
        for an int, e.g. a percentage of no children or a limit for all years).
    item_choices : tuple of str or None
        Allowed values of each item of a column holding a ``;``-separated list (``homes.needs``).
    """

    name: str
    dtype: str = attrs.field(validator=attrs.validators.in_(DTYPES))
    unit: str = ""
    required: bool = True
    default: Any = None
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    item_choices: tuple[str, ...] | None = None


@attrs.frozen
class Table:
    """A table: its name, id column (output tables: the column naming a row in
    messages), columns, description and kind (``"input"`` or ``"output"``)."""

    name: str
    id_column: str
    columns: tuple[Column, ...]
    description: str = ""
    kind: str = attrs.field(default="input", validator=attrs.validators.in_(("input", "output")))

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in schema order."""
        return tuple(c.name for c in self.columns)


C = Column

COUNCILS = Table(
    "councils",
    "council_id",
    (
        C("council_id", "str", description="Council code (ONS GSS code for English councils)."),
        C("name", "str", description="Council name."),
        C("region", "str", description="Region the council belongs to (e.g. 'North West')."),
        C("lat", "float", "degrees", description="Centroid latitude (WGS84).", minimum=-90, maximum=90),
        C("lon", "float", "degrees", description="Centroid longitude (WGS84).", minimum=-180, maximum=180),
        C(
            "area_km2",
            "float",
            "km2",
            required=False,
            default=0.0,
            minimum=0,
            description="Land area; gives the typical distance of a placement inside the council.",
        ),
    ),
    "Councils (local authorities) with their centroid and region.",
)

PROVIDERS = Table(
    "providers",
    "provider_id",
    (
        C("provider_id", "str", description="Provider id."),
        C("name", "str", required=False, default="", description="Provider name."),
        C("sector", "str", description="Ownership sector.", choices=SECTORS),
        C(
            "group",
            "str",
            required=False,
            default=None,
            description="Ownership group, for market concentration (defaults to provider_id).",
        ),
    ),
    "Owners of homes: councils (in-house), private and voluntary providers.",
)

HOMES = Table(
    "homes",
    "home_id",
    (
        C("home_id", "str", description="Home id."),
        C("council_id", "str", description="Council the home is located in."),
        C("provider_id", "str", description="Provider that owns the home."),
        C("home_type", "str", description="Kind of home.", choices=HOME_TYPES),
        C("places", "int", "children", minimum=0, maximum=MAX_COUNT, description="Places available for the plan."),
        C(
            "needs",
            "str",
            description="Needs the home is registered for, separated by ';' (e.g. 'mainstream;sibling_group').",
            item_choices=NEEDS,
        ),
        C("min_age", "int", "years", required=False, default=0, minimum=0, maximum=17, description="Youngest age accepted."),
        C("max_age", "int", "years", required=False, default=17, minimum=0, maximum=17, description="Oldest age accepted."),
        C("weekly_cost_gbp", "float", "GBP/week", minimum=0, maximum=MAX_WEEKLY_COST_GBP, description="Weekly cost of one placement."),
        C(
            "serves_council_id",
            "str",
            required=False,
            default="",
            description="If set, only children of this council may be placed (kinship, placed with parents).",
        ),
    ),
    "Units of supply: a children's home, a council's fostering pool, an IFA's carers in an area...",
)

COHORTS = Table(
    "cohorts",
    "cohort_id",
    (
        C("cohort_id", "str", description="Cohort id (pseudonymous; never a child id)."),
        C("council_id", "str", description="Home council: the council responsible for the children."),
        C("need", "str", description="Need category.", choices=NEEDS),
        C("age_band", "str", description="Age band.", choices=tuple(AGE_BANDS)),
        C("children", "int", "children", minimum=0, maximum=MAX_COUNT, description="Number of children in the cohort."),
    ),
    "Demand: children of one home council x need x age band.",
)

PLACEMENTS = Table(
    "placements",
    "placement_id",
    (
        C("placement_id", "str", description="Placement id."),
        C("cohort_id", "str", description="Cohort of the placed children."),
        C("home_id", "str", description="Home they live in now."),
        C("children", "int", "children", minimum=0, maximum=MAX_COUNT, description="Number of children of the cohort in the home."),
    ),
    "Current placements (optional): children already living in a home; held in place for stability.",
)

TRAVEL = Table(
    "travel",
    "travel_id",
    (
        C("travel_id", "str", required=False, default="", description="Row id (optional)."),
        C("from_council_id", "str", description="Home council of the children."),
        C("to_council_id", "str", description="Council where the home is."),
        C("distance_miles", "float", "miles", minimum=0, description="Distance used for the pair."),
    ),
    "Optional travel matrix between councils; replaces straight-line distances for the pairs given.",
)

#: All tables by name.
TABLES: Mapping[str, Table] = MappingProxyType(
    {t.name: t for t in (COUNCILS, PROVIDERS, HOMES, COHORTS, PLACEMENTS, TRAVEL)}
)


def schema_frame(table: str | None = None, *, tables: Iterable[Table] | None = None) -> pd.DataFrame:
    """The schema as a DataFrame (one row per column), for docs and notebooks.

    Parameters
    ----------
    table : str, optional
        Only this table.
    tables : iterable of Table, optional
        The tables to describe (default the region's input tables, :data:`TABLES`;
        e.g. ``rcc.sufficiency.SUFFICIENCY_TABLES.values()`` or
        ``rcc.core.outputs.OUTPUT_TABLES.values()``).

    Returns
    -------
    pandas.DataFrame
        table, column, dtype, unit, required, default, description, allowed
        (choices or range in words, "" when any value is allowed), nullable.

    >>> schema_frame("homes").loc[lambda d: d.column == "places", "unit"].item()
    'children'
    """
    chosen = TABLES.values() if tables is None else tables
    rows = [
        {
            "table": t.name,
            "column": c.name,
            "dtype": c.dtype,
            "unit": c.unit,
            "required": c.required,
            "default": c.default,
            "description": c.description,
            "allowed": allowed(c),
            "nullable": c.nullable,
        }
        for t in chosen
        if table is None or t.name == table
        for c in t.columns
    ]
    return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))


_FRAME_COLUMNS = ("table", "column", "dtype", "unit", "required", "default", "description", "allowed", "nullable")


def allowed(column: Column) -> str:
    """A column's allowed values or range in words ("" when any value is allowed).

    >>> allowed(TABLES["homes"].column("min_age"))
    '0 to 17'
    >>> allowed(TABLES["homes"].column("needs"))[:30]
    'one or more of mainstream, com'
    """
    parts = []
    if column.choices:
        parts.append(", ".join(column.choices))
    if column.item_choices:
        parts.append("one or more of " + ", ".join(column.item_choices) + ", separated by ';'")
    lo = "" if column.minimum is None else f"{column.minimum:g}"
    hi = "" if column.maximum is None else f"{column.maximum:g}"
    if lo and hi:
        parts.append(f"{lo} to {hi}")
    elif lo or hi:
        parts.append(f">= {lo}" if lo else f"<= {hi}")
    return "; ".join(parts)
