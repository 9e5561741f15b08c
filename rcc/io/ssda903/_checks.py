"""Reading one raw SSDA903 table and checking it row by row (without ever echoing a child id)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from rcc.core._problems import RowProblems
from rcc.core.csvfiles import Source, file_label, parse_whole_numbers, read_csv_table
from rcc.core.errors import InvalidInputError
from rcc.io.ssda903._layout import (
    _BAD_CODE,
    _BAD_DATE,
    _BAD_YEAR,
    _CHILD_ID_ELSEWHERE,
    _COLUMNS,
    _DATE_COLUMNS,
    _DATE_EXPECTED,
    _DATE_FORMATS,
    _ENDS_BEFORE_START,
    _FOSTER_OTHER,
    _KNOWN_COLUMNS,
    _MISSING,
    _REQUIRED,
    _TABLE_ORDER,
    EXTRA_COLUMNS,
    PLACE_CODES,
    PLACE_PROVIDER_CODES,
)
from rcc.io.ssda903._postcodes import normalise_postcodes


def _parse_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return values.dt.normalize()
    out = pd.to_datetime(values, format=_DATE_FORMATS[0], errors="coerce")
    for fmt in _DATE_FORMATS[1:]:
        out = out.fillna(pd.to_datetime(values, format=fmt, errors="coerce"))
    return out.dt.normalize()


def _as_date(value: Any, name: str) -> pd.Timestamp:
    if isinstance(value, str):
        parsed = _parse_dates(pd.Series([value.strip()], dtype="str")).iloc[0]
    else:
        try:
            parsed = pd.Timestamp(value).normalize()
        except (TypeError, ValueError):
            parsed = pd.NaT
    if pd.isna(parsed):
        raise InvalidInputError("parameters", None, name, _DATE_EXPECTED + " (or a date object)", value)
    return pd.Timestamp(parsed)


def _fmt_dates(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d").fillna("blank")


def _shown_columns(columns: pd.Index) -> list[str]:
    """Column names safe to print: the known DfE ones, and a count of the others.

    A file without its header row has data (child ids) where the names should be, so
    unknown names are never echoed.
    """
    shown = [str(c) for c in columns if c in _KNOWN_COLUMNS]
    others = len(columns) - len(shown)
    if others:
        shown.append(f"{others} other column(s), names not shown (they may be data)")
    return shown


def _read_raw(source: Source, table: str) -> pd.DataFrame:
    """The table as trimmed strings (blank -> missing), DfE columns upper-case, index = row."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        label, first_line = table, None
    elif isinstance(source, (str, os.PathLike)):
        df = read_csv_table(source, table)
        label, first_line = file_label(table, source), "line 1"
    else:
        raise TypeError(f"{table}: expected a path or a pandas DataFrame, got {type(source).__name__}")
    df.columns = [str(c).strip().upper() for c in df.columns]
    missing = [c for c in _REQUIRED[table] if c not in df.columns]
    if missing and not any(c in _KNOWN_COLUMNS for c in df.columns):
        raise InvalidInputError(
            label,
            first_line,
            None,
            f"a header row naming the columns ({', '.join(_COLUMNS[table])})",
            f"a first row with no known column name ({len(df.columns)} fields, not shown: it looks like data)",
        )
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        shown = str(dup[0]) if dup[0] in _KNOWN_COLUMNS else None
        raise InvalidInputError(label, None, shown, "unique column names", _shown_columns(df.columns))
    if missing:
        raise InvalidInputError(label, None, missing[0], f"a column named {missing[0]}", _shown_columns(df.columns))
    known = _COLUMNS[table]
    keep = list(known) + [c for c in EXTRA_COLUMNS if c in df.columns]
    out = pd.DataFrame(index=pd.RangeIndex(len(df), name="row"))
    for column in keep:
        if column not in df.columns:
            out[column] = pd.Series(np.nan, index=out.index, dtype="str")
            continue
        values = df[column].reset_index(drop=True)
        values.index = out.index
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values
            continue
        text = values.astype("str").str.strip()
        out[column] = text.mask(text == "")
    return out


class _Problems(RowProblems):
    """Rejected rows of the SSDA903 tables, keyed by table name."""

    def __init__(self) -> None:
        super().__init__(("table", "row", "column", "expected", "received", "reason"))

    def add(  # type: ignore[override]
        self,
        table: str,
        mask: pd.Series,
        column: str,
        expected: str,
        received: pd.Series | str | None,
        reason: str,
    ) -> None:
        super().add(mask, column, expected, received, reason, table=table)


def _shape(values: pd.Series) -> pd.Series:
    """The shape of each value: letters as ``A``, digits as ``9`` (at most 20 characters shown)."""
    s = values.astype("str").str.replace(r"[^\W\d_]", "A", regex=True).str.replace(r"\d", "9", regex=True)
    return s.where(s.str.len() <= 20, s.str[:20] + "...")


def _not_a(values: pd.Series, what: str) -> pd.Series:
    """``received`` for a bad value of a column that may hold child ids: its shape, not the value."""
    return f"a value that is not {what}, shaped " + _shape(values)


_CODE_LIKE = r"[A-Z]{1,3}[0-9]{0,2}"
_DATE_LIKE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"


def _echo_or_shape(values: pd.Series, pattern: str, child_ids: pd.Index, what: str) -> pd.Series:
    """``received`` for bad values: the value itself when it fits ``pattern`` (a code, a
    date with a typo) and is no child's id of the table; otherwise only its shape."""
    echo = values.astype("str").str.fullmatch(pattern).fillna(False).astype(bool)
    echo &= ~values.astype("str").str.upper().isin(child_ids)
    return values.astype("str").where(echo, _not_a(values, what))


def _check_rows(raw: pd.DataFrame, table: str, problems: _Problems) -> pd.DataFrame:
    """Row-by-row checks of one table; returns the parsed table (all rows).

    A bad value is never echoed when the column could hold a child id (a file whose
    columns are swapped or shifted): dates and years are described by their shape.
    """
    df = raw.copy()
    child_ids = pd.Index(raw["CHILD"].dropna().astype("str").str.upper().unique())
    for column in _REQUIRED[table]:
        received = None if column == "CHILD" else "blank"
        problems.add(table, df[column].isna(), column, "a value", received, _MISSING)
    for column in _DATE_COLUMNS[table]:
        parsed = _parse_dates(df[column])
        bad = df[column].notna() & parsed.isna()
        if bad.any():
            received = _echo_or_shape(df[column], _DATE_LIKE, child_ids, "a date")
            problems.add(table, bad, column, _DATE_EXPECTED, received, _BAD_DATE)
        df[column] = parsed
    if "YEAR" in df.columns:
        year, bad = parse_whole_numbers(df["YEAR"])
        if bad.any():
            problems.add(table, bad, "YEAR", "a whole year such as 2021", _not_a(df["YEAR"], "a whole year"), _BAD_YEAR)
        df["YEAR"] = pd.array(year.tolist(), dtype="Int64")
    if table == "episodes":
        _check_episode_codes(df, child_ids, problems)
    _withhold_child_ids(raw, df, table, child_ids, problems)
    return df


def _check_episode_codes(df: pd.DataFrame, child_ids: pd.Index, problems: _Problems) -> None:
    """Episode checks, in place: codes upper-cased and known (PLACE_PROVIDER given for U4-U6),
    DEC not before DECOM; postcodes normalised."""
    table = "episodes"
    for column in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"):
        df[column] = df[column].astype("str").str.upper()
    place, provider = df["PLACE"], df["PLACE_PROVIDER"]
    problems.add(
        table,
        place.notna() & ~place.isin(PLACE_CODES),
        "PLACE",
        "a PLACE code (" + " ".join(sorted(PLACE_CODES)) + ")",
        _echo_or_shape(place, _CODE_LIKE, child_ids, "a code"),
        _BAD_CODE,
    )
    problems.add(
        table,
        provider.notna() & ~provider.isin(PLACE_PROVIDER_CODES),
        "PLACE_PROVIDER",
        "a PLACE_PROVIDER code (PR0-PR5)",
        _echo_or_shape(provider, _CODE_LIKE, child_ids, "a code"),
        _BAD_CODE,
    )
    problems.add(
        table,
        place.isin(_FOSTER_OTHER) & provider.isna(),
        "PLACE_PROVIDER",
        "PR0-PR5 for foster placements U4-U6 (tells in-house from IFA fostering)",
        "blank",
        _MISSING,
    )
    problems.add(
        table,
        df["DEC"] < df["DECOM"],
        "DEC",
        "DEC on or after DECOM",
        _fmt_dates(df["DEC"]),
        _ENDS_BEFORE_START,
    )
    df["HOME_POST"] = normalise_postcodes(df["HOME_POST"])
    df["PL_POST"] = normalise_postcodes(df["PL_POST"])


def _withhold_child_ids(
    raw: pd.DataFrame, df: pd.DataFrame, table: str, child_ids: pd.Index, problems: _Problems
) -> None:
    """A child id in any other column (a shifted or swapped cell): the row is rejected and the cell
    cleared, so no clean table can carry it. Dates, YEAR, PLACE and PLACE_PROVIDER are checked above
    (their bad values are described by shape); values of up to 4 characters are codes (LS C2, SEX 1,
    ETHNIC WBRI), whoever shares them."""
    checked = {"CHILD", "YEAR", "PLACE", "PLACE_PROVIDER", *_DATE_COLUMNS[table]}
    for column in raw.columns:
        if column in checked:
            continue
        text = raw[column].astype("str").str.strip().str.upper()
        leaked = raw[column].notna() & text.isin(child_ids) & (text.str.len() > 4)
        if leaked.any():
            problems.add(
                table, leaked, column, "a value that is not a child id", "a child id (not shown)", _CHILD_ID_ELSEWHERE
            )
            df[column] = df[column].where(~leaked.to_numpy(), None)


def _raise_first(problems: pd.DataFrame) -> None:
    order = problems.assign(_t=problems["table"].map(_TABLE_ORDER)).sort_values(["_t", "row"], kind="stable")
    first = order.iloc[0]
    more = int((problems["reason"] == first["reason"]).sum()) - 1
    raise InvalidInputError(
        str(first["table"]),
        int(first["row"]),
        str(first["column"]),
        f"{first['expected']} ({first['reason']})",
        first["received"],
        more=more,
    )
