"""Reading Ofsted's list (CSV, Excel or a DataFrame), with title lines above the heading row."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from rcc.core.csvfiles import Source, file_label, read_records, records_frame
from rcc.core.errors import InvalidInputError
from rcc.io.ofsted._layout import _REQUIRED, OFSTED_COLUMNS


def _heading_key(text: Any) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold().replace("\u2019", "'"))


_HEADING_SEARCH_ROWS = 30


def _is_heading(values: Any) -> bool:
    """Whether a row of cells is Ofsted's heading row: one cell reads 'URN'."""
    return any(_heading_key(v) == "urn" for v in values)


def _locate_heading(raw: pd.DataFrame, table: str = "ofsted") -> pd.DataFrame:
    """Ofsted's spreadsheets put title lines above the heading row: find the row with 'URN'."""
    for i in range(min(len(raw), _HEADING_SEARCH_ROWS)):
        if _is_heading(raw.iloc[i].tolist()):
            out = raw.iloc[i + 1 :].reset_index(drop=True)
            out.columns = [str(v).strip() for v in raw.iloc[i].tolist()]
            return out
    raise InvalidInputError(
        table, None, "URN", f"a heading row with a 'URN' column in the first {_HEADING_SEARCH_ROWS} rows", "none"
    )


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV file whose heading row (the one with 'URN') may follow title lines.

    Title lines may have any number of fields; every record below the heading must
    have as many fields as the heading (see :mod:`rcc.core.csvfiles`).
    """
    records = read_records(path, "ofsted")
    label = file_label("ofsted", path)
    for i, (_, fields) in enumerate(records[:_HEADING_SEARCH_ROWS]):
        if _is_heading(fields):
            out = records_frame(records[i:], label)
            out.columns = [str(c).strip() for c in out.columns]
            return out
    expected = f"a heading row with a 'URN' column in the first {_HEADING_SEARCH_ROWS} non-blank lines"
    raise InvalidInputError(label, None, "URN", expected, "none")


def _read_source(source: Source, sheet_name: str | int | None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        if _is_heading(source.columns):
            return source.copy()
        return _locate_heading(source.astype(object))
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"ofsted: expected a path or a pandas DataFrame, got {type(source).__name__}")
    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        label = file_label("ofsted", path)
        sheets = pd.read_excel(path, sheet_name=sheet_name if sheet_name is not None else None, header=None, dtype=str)
        if isinstance(sheets, pd.DataFrame):
            return _locate_heading(sheets.fillna(""), label)
        for frame in sheets.values():
            try:
                return _locate_heading(frame.fillna(""), label)
            except InvalidInputError:
                continue
        raise InvalidInputError(label, None, "URN", f"a sheet of {path.name} with a 'URN' heading", list(sheets))
    return _read_csv(path)


def _columns(df: pd.DataFrame, code_column: str | None) -> dict[str, str]:
    """rcc name -> the source's column name."""
    keys: dict[str, str] = {}
    for c in df.columns:
        keys.setdefault(_heading_key(c), c)
    found = {}
    for name, heading in OFSTED_COLUMNS.items():
        k = _heading_key(heading)
        if k in keys:
            found[name] = keys[k]
        elif name in _REQUIRED:
            raise InvalidInputError("ofsted", None, heading, f"a column named {heading!r}", list(df.columns))
    if code_column is not None:
        k = _heading_key(code_column)
        if k not in keys:
            raise InvalidInputError(
                "ofsted", None, code_column, "the council code column named by code_column", list(df.columns)
            )
        found["code"] = keys[k]
    return found


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
