"""The machinery under :mod:`rcc.testing.strategies`: a table's columns drawn from its schema record.

:func:`column_elements` and :func:`table_frames` are public (re-exported by
:mod:`rcc.testing.strategies`); the rest are the argument checks and row
helpers the table strategies share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import pandas as hpd

from rcc.core.schema import AGE_BANDS, Column, Table

__all__ = ["column_elements", "table_frames"]


# a box around England, so distances look like English ones
_LAT = (50.0, 55.5)
_LON = (-5.5, 1.7)
#: Upper end of a drawn count or amount when a column's range is wider (keeps problems small).
_CAP = {"int": 10, "float": 10_000.0}
_DTYPE = {"str": object, "int": np.int64, "float": np.float64}
_BAND_STARTS = tuple(sorted({lo for lo, _ in AGE_BANDS.values()}))
_BAND_ENDS = tuple(sorted({hi for _, hi in AGE_BANDS.values()}))


def _check_size(name_min: str, lo: int, name_max: str, hi: int, floor: int = 0) -> None:
    if not isinstance(lo, int) or not isinstance(hi, int):
        raise InvalidArgument(f"{name_min} and {name_max} must be integers, got {lo!r} and {hi!r}")
    if lo < floor:
        raise InvalidArgument(f"{name_min} must be >= {floor}, got {lo}")
    if hi < lo:
        raise InvalidArgument(f"{name_max}={hi} must be >= {name_min}={lo}")


def _check_min(floor: int, **values: int) -> None:
    for name, v in values.items():
        if not isinstance(v, int) or v < floor:
            raise InvalidArgument(f"{name} must be an integer >= {floor}, got {v!r}")


def _check_values(name: str, values: Sequence[str], allowed: Sequence[str] | None = None) -> tuple[str, ...]:
    values = tuple(values)
    if not values:
        raise InvalidArgument(f"{name} must name at least one value")
    bad = [v for v in values if allowed is not None and v not in allowed]
    if bad:
        raise InvalidArgument(f"unknown {name} {bad}; expected values from {list(allowed or ())}")
    return values


def column_elements(column: Column) -> st.SearchStrategy[Any]:
    """Values of one column from its record: its allowed values, else its range
    (the upper end capped at 10 for counts and 10,000 for amounts), else short
    ids without spaces (a required text column never gets "").

    >>> from rcc.core.schema import TABLES
    >>> column_elements(TABLES["cohorts"].column("age_band")).example() in AGE_BANDS
    True
    """
    if column.choices is not None:
        return st.sampled_from(column.choices)
    if column.dtype == "str":
        return st.text("abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=8)
    lo = 0 if column.minimum is None else column.minimum
    hi = _CAP[column.dtype] if column.maximum is None else min(column.maximum, lo + _CAP[column.dtype])
    if column.dtype == "int":
        return st.integers(int(lo), int(hi))
    return st.integers(int(np.ceil(lo)), int(hi)).map(float)


def table_frames(
    table: Table,
    *,
    min_size: int = 0,
    max_size: int = 6,
    elements: Mapping[str, st.SearchStrategy[Any]] | None = None,
    id_prefix: str | None = None,
) -> st.SearchStrategy[pd.DataFrame]:
    """Frames of a schema record: every column in the record's order and dtype.

    Parameters
    ----------
    table : rcc.core.schema.Table
    min_size, max_size : int
        Rows.
    elements : Mapping[str, SearchStrategy], optional
        Values of some columns (default :func:`column_elements` of the record).
    id_prefix : str, optional
        Ids ``<prefix>0, <prefix>1, ...`` in the id column instead of drawn ones.

    >>> from rcc.sufficiency import CLOSURES
    >>> table_frames(CLOSURES, min_size=2, max_size=2, id_prefix="h").example().home_id.tolist()
    ['h0', 'h1']
    """
    _check_size("min_size", min_size, "max_size", max_size)
    chosen = dict(elements or {})
    unknown = sorted(set(chosen) - set(table.names))
    if unknown:
        raise InvalidArgument(f"elements for columns {unknown} not in table {table.name!r} {list(table.names)}")
    ids = id_prefix is not None and table.id_column not in chosen
    cols = [
        hpd.column(
            c.name,
            elements=st.just("") if ids and c.name == table.id_column else chosen.get(c.name, column_elements(c)),
            dtype=_DTYPE[c.dtype],
            unique=c.name == table.id_column and not ids and c.required,
        )
        for c in table.columns
    ]
    frames = hpd.data_frames(cols, index=hpd.range_indexes(min_size, max_size))
    if not ids:
        return frames
    return frames.map(lambda df: df.assign(**{table.id_column: id_prefix + df.index.astype(str)}))


def _renumber(df: pd.DataFrame, id_column: str, prefix: str, min_size: int = 0) -> pd.DataFrame:
    """Ids ``<prefix>0, <prefix>1, ...`` after rows were dropped (rejects a draw left below ``min_size``)."""
    assume(len(df) >= min_size)
    out = df.reset_index(drop=True)
    return out.assign(**{id_column: prefix + out.index.astype(str)})


def _band_ages(df: pd.DataFrame) -> pd.DataFrame:
    """min_age <= max_age, both at band edges (drawn independently, then ordered)."""
    lo, hi = df.min_age.to_numpy(), df.max_age.to_numpy()
    return df.assign(min_age=np.minimum(lo, hi), max_age=np.maximum(lo, hi))


def _need_lists(needs: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(needs), min_size=1, max_size=3, unique=True).map(";".join)
