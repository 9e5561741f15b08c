"""Table-level validation: every rule raises one :class:`InvalidInputError`.

Nothing is silently dropped, clipped or coerced: a value that does not fit its
column is reported with the table, the row id, the column, what was expected
and what was received.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import NEEDS, TABLES, Column, Table

__all__ = ["normalise", "check_references", "collecting", "is_real", "require_columns", "split_needs"]

#: While :func:`collecting` is active: the list each broken rule is added to instead of raised.
_COLLECTED: ContextVar[list[InvalidInputError] | None] = ContextVar("rcc_validate_collected", default=None)


@contextmanager
def collecting() -> Iterator[list[InvalidInputError]]:
    """Within the block every broken rule is recorded, not raised: the list yielded gets them all.

    A column's rules are checked in order and each row counts against the first rule it breaks
    only (a cell that is not a number is not reported again as missing); a problem with a table's
    shape (a required column absent) still raises at once.

    Examples
    --------
    >>> import pandas as pd
    >>> cohorts = pd.DataFrame({"cohort_id": ["a", "b", "c"], "council_id": "X", "need": "complex",
    ...                         "age_band": "11-15", "children": [2.5, -1, 3]})
    >>> with collecting() as found:
    ...     _ = normalise(cohorts, "cohorts")
    >>> [(p.row_id, p.expected) for p in found]
    [('a', 'a whole number'), ('b', 'a value >= 0')]
    """
    found: list[InvalidInputError] = []
    token = _COLLECTED.set(found)
    try:
        yield found
    finally:
        _COLLECTED.reset(token)


def _fail(table: Table, df: pd.DataFrame, mask: np.ndarray | pd.Series, column: str | None, expected: str) -> None:
    """Raise (or, while :func:`collecting`, record) the first row where ``mask`` is true, counting the others."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    pos = int(np.flatnonzero(mask)[0])
    row_id = _row_id(table, df, pos)
    received = df[column].iloc[pos] if column is not None and column in df.columns else None
    error = InvalidInputError(table.name, row_id, column, expected, received, more=int(mask.sum()) - 1)
    found = _COLLECTED.get()
    if found is None:
        raise error
    found.append(error)


def _column_rules(table: Table, df: pd.DataFrame, column: str) -> tuple[Callable[[Any, str], None], np.ndarray]:
    """A ``fail(mask, expected)`` for one column's rules in order, and the rows already failed:
    each row counts against the first rule it breaks only."""
    seen = np.zeros(len(df), dtype=bool)

    def fail(mask: Any, expected: str) -> None:
        new = np.asarray(mask, dtype=bool) & ~seen
        seen[new] = True
        _fail(table, df, new, column, expected)

    return fail, seen


def _row_id(table: Table, df: pd.DataFrame, pos: int) -> Any:
    if table.id_column in df.columns:
        value = df[table.id_column].iloc[pos]
        if isinstance(value, str) and value != "":
            return value
    return f"#{pos}"  # position in the table (0-based)


def normalise(df: pd.DataFrame, table_name: str | Table) -> pd.DataFrame:
    """Return a validated copy of ``df`` with the schema's columns and dtypes.

    ``table_name`` is a name from :data:`rcc.core.schema.TABLES` or a
    :class:`rcc.core.schema.Table` (modules with tables of their own use that).

    Optional columns that are absent get their default; extra columns are kept
    after the schema's columns. The input is never mutated.

    Raises
    ------
    InvalidInputError
        Missing required column, missing value, wrong type, non-integer count,
        value out of range, unknown category, or duplicate id.
    """
    table = table_name if isinstance(table_name, Table) else TABLES[table_name]
    out = _with_schema_columns(df, table)
    for col in table.columns:
        if col.dtype == "str":
            out[col.name] = _checked_text(table, out, col)
        else:
            out[col.name] = _checked_number(table, out, col)
    if table.id_column in out.columns and table.column(table.id_column).required:
        dup = out[table.id_column].duplicated().to_numpy()
        _fail(table, out, dup, table.id_column, "unique ids (this id appears more than once)")
    extra = [c for c in out.columns if c not in table.names]
    return out[list(table.names) + extra]


def _with_schema_columns(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """A copy with text column names, each once, every schema column (absent optional ones at
    their default) and a fresh 0-based index."""
    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(table.name, None, None, "a pandas DataFrame", type(df).__name__)
    names = [str(c) for c in df.columns]
    dup_cols = sorted({n for n in names if names.count(n) > 1})
    if dup_cols:
        raise InvalidInputError(table.name, None, dup_cols[0], "each column name once", names)
    out = df.copy()
    out.columns = names
    for col in table.columns:
        if col.name not in out.columns:
            if col.required:
                raise InvalidInputError(
                    table.name, None, col.name, f"a column {col.name!r} ({col.description})", list(df.columns)
                )
            out[col.name] = col.default
    return out.reset_index(drop=True)


def _checked_text(table: Table, out: pd.DataFrame, col: Column) -> pd.Series:
    """A text column: present (or defaulted), text, unpadded, non-empty if required, a known choice.
    Sets ``out[col.name]`` to the checked text (so errors show it) and returns it."""
    s = out[col.name]
    if not col.required:
        s = s.fillna("" if col.default is None else col.default)
    fail, _ = _column_rules(table, out, col.name)
    fail(s.isna().to_numpy(), f"a value ({col.description})")
    not_text = ~s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool) if len(s) else np.zeros(0, bool)
    fail(not_text, f"text ({col.description}); convert ids to text yourself")
    text = s.astype(object)
    padded = (text.str.strip() != text).to_numpy(dtype=bool) if len(s) else np.zeros(0, bool)
    fail(padded, "a value without leading or trailing spaces")
    out[col.name] = text  # the errors below show the value as checked (a blank optional one at its default)
    if col.required:
        fail((out[col.name] == "").to_numpy(), "a non-empty value")
    if col.choices is not None:
        fail(~out[col.name].isin(col.choices).to_numpy(), f"one of {list(col.choices)}")
    return text


def _checked_number(table: Table, out: pd.DataFrame, col: Column) -> np.ndarray:
    """A numeric column: numbers (not text or bools), present (or defaulted), finite, whole for
    counts, within the column's range."""
    s = out[col.name]
    fail, seen = _column_rules(table, out, col.name)
    fail(_not_a_number(s), f"a number ({col.unit or col.dtype}), not text or true/false")
    num = pd.to_numeric(s.where(~seen), errors="coerce")
    if not col.required and col.default is not None:
        num = num.fillna(col.default)
    fail(num.isna().to_numpy(), f"a value ({col.description})")
    arr = num.to_numpy(dtype=float)
    fail(~np.isfinite(arr), "a finite number")
    if col.dtype == "int":
        fail(arr != np.round(arr), "a whole number")
    if col.minimum is not None:
        fail(arr < col.minimum, f"a value >= {col.minimum:g}")
    if col.maximum is not None:
        fail(arr > col.maximum, f"a value <= {col.maximum:g}")
    if col.dtype == "int":
        fail(np.abs(arr) > 2**53, "a whole number of at most 2**53 (exact in a float)")
    arr = np.where(seen, 0.0, arr)  # rows reported while collecting: a placeholder, never returned as data
    return arr.astype(np.int64) if col.dtype == "int" else arr


def require_columns(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Raise unless ``df`` has every one of ``columns`` (the first missing one is reported).

    Parameters
    ----------
    df : pandas.DataFrame
        The table given.
    table : str
        Its name in the error (e.g. ``"place_mapping"``).
    columns : Iterable[str]
        The column names it needs.

    Raises
    ------
    InvalidInputError
        ``column`` is the first missing name, ``received`` the columns ``df`` has.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), "t", ["a", "b"])
    Traceback (most recent call last):
    ...
    rcc.core.errors.InvalidInputError: table 't', column 'b': expected a column named b; received ['a']
    """
    for column in columns:
        if column not in df.columns:
            raise InvalidInputError(table, None, column, f"a column named {column}", list(df.columns))


def is_real(value: object) -> bool:
    """A real number (numpy's too), never a bool or text."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _not_a_number(s: pd.Series) -> np.ndarray:
    """Rows holding text, a bool or another non-number (missing values pass: checked after)."""
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_complex_dtype(s.dtype):
        return np.ones(len(s), dtype=bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    return s.map(lambda v: not (is_real(v) or v is None or v is pd.NA)).to_numpy(dtype=bool)


def split_needs(needs: pd.Series) -> pd.Series:
    """Split ';'-separated need lists into lists of stripped codes."""
    return needs.str.split(";").map(lambda xs: [x.strip() for x in xs if x.strip()])


def _check_ref(table: Table, df: pd.DataFrame, column: str, known: Iterable[str], what: str) -> None:
    known_set = pd.Index(pd.unique(pd.Series(list(known), dtype=object)))
    bad = ~df[column].isin(known_set).to_numpy()
    _fail(table, df, bad, column, f"an id of a row of table {what!r}")


def check_references(
    councils: pd.DataFrame,
    providers: pd.DataFrame,
    homes: pd.DataFrame,
    cohorts: pd.DataFrame,
    placements: pd.DataFrame,
    travel: pd.DataFrame,
) -> None:
    """Cross-table rules: references resolve, needs are known, ages are ordered,
    held placements fit their home and cohort, the region is not empty."""
    t = TABLES
    if len(councils) == 0:
        raise InvalidInputError("councils", None, None, "at least one council (empty region)", 0)
    _check_ref(t["homes"], homes, "council_id", councils.council_id, "councils")
    _check_ref(t["homes"], homes, "provider_id", providers.provider_id, "providers")
    served = homes.serves_council_id
    _fail(
        t["homes"],
        homes,
        (served != "").to_numpy() & ~served.isin(councils.council_id).to_numpy(),
        "serves_council_id",
        "empty or an id of a row of table 'councils'",
    )
    _fail(t["homes"], homes, (homes.min_age > homes.max_age).to_numpy(), "min_age", "min_age <= max_age")
    needs = split_needs(homes.needs)
    bad_need = needs.map(lambda xs: len(xs) == 0 or any(x not in NEEDS for x in xs)).to_numpy(dtype=bool)
    _fail(t["homes"], homes, bad_need, "needs", f"';'-separated codes from {list(NEEDS)}")
    _check_ref(t["cohorts"], cohorts, "council_id", councils.council_id, "councils")
    if len(placements):
        _check_ref(t["placements"], placements, "cohort_id", cohorts.cohort_id, "cohorts")
        _check_ref(t["placements"], placements, "home_id", homes.home_id, "homes")
        for key, limit, expected in (
            ("home_id", homes.set_index("home_id").places, "children held in a home to total at most its places"),
            ("cohort_id", cohorts.set_index("cohort_id").children,
             "children placed from a cohort to total at most the cohort's children"),
        ):
            total = placements.groupby(key, sort=False).children.transform("sum")
            _fail(t["placements"], placements, (total > placements[key].map(limit)).to_numpy(), "children", expected)
    if len(travel):
        _check_ref(t["travel"], travel, "from_council_id", councils.council_id, "councils")
        _check_ref(t["travel"], travel, "to_council_id", councils.council_id, "councils")
        dup = travel.duplicated(["from_council_id", "to_council_id"]).to_numpy()
        _fail(t["travel"], travel, dup, "to_council_id", "one row per (from_council_id, to_council_id) pair")
