"""The public readers of single SSDA903 tables: header, episodes, UASC."""

from __future__ import annotations

import warnings

import pandas as pd

from rcc.core.csvfiles import Source
from rcc.io.ssda903._checks import _check_rows, _Problems, _raise_first, _read_raw
from rcc.io.ssda903._layout import _WITHHELD


def _read_table(source: Source, table: str, strict: bool) -> pd.DataFrame:
    raw = _read_raw(source, table)
    problems = _Problems()
    parsed = _check_rows(raw, table, problems)
    found = problems.frame()
    if found.empty:
        return parsed
    found["received"] = found["received"].where(found["column"] != "CHILD", _WITHHELD)
    if strict:
        _raise_first(found)
    counts = found["reason"].value_counts()
    detail = ", ".join(f"{reason}: {n}" for reason, n in counts.items())
    warnings.warn(
        f"{table}: {found['row'].nunique()} row(s) rejected ({detail}); "
        "load_ssda903 lists them row by row in Ssda903Result.rejected",
        UserWarning,
        stacklevel=3,
    )
    return parsed.drop(index=found["row"].unique())


def read_header(path_or_frame: Source, *, strict: bool = False) -> pd.DataFrame:
    """Read an SSDA903 header table (one row per child).

    Column names are stripped and upper-cased; values are stripped and blanks become
    missing; ``DOB`` and ``MC_DOB`` are parsed (``dd/mm/yyyy`` or ``yyyy-mm-dd``); the
    optional ``LA`` and ``YEAR`` columns of multi-council extracts are kept (``YEAR`` as an
    integer); other extra columns are dropped and missing optional DfE columns are added
    blank.

    Parameters
    ----------
    path_or_frame : str, os.PathLike or pandas.DataFrame
        A CSV file in the DfE layout, or the same table in memory (not modified).
    strict : bool, default False
        Raise on the first bad row instead of leaving it out with a warning.

    Returns
    -------
    pandas.DataFrame
        The rows that pass the row checks (required ``CHILD`` and ``DOB``, parseable dates),
        indexed by their 0-based row in the source (``row``; file line = row + 2).
        ``CHILD`` holds the source's own child ids.

    Raises
    ------
    rcc.core.errors.InvalidInputError
        The file is empty, not text, or malformed CSV (``table`` names the file, ``row_id``
        is ``"line N"``); it has no header row; a required column is missing; or (with
        ``strict``) a row is bad.

    Warns
    -----
    UserWarning
        When rows are left out; the message counts them by reason (never naming a child).
        :func:`load_ssda903` lists them row by row. Also when the file is not UTF-8 and is
        read as cp1252 or latin-1.
    """
    return _read_table(path_or_frame, "header", strict)


def read_episodes(path_or_frame: Source, *, strict: bool = False) -> pd.DataFrame:
    """Read an SSDA903 episodes table (one row per episode of care).

    Column names are stripped and upper-cased; values are stripped and blanks become
    missing; ``DECOM`` and ``DEC`` are parsed (``dd/mm/yyyy`` or ``yyyy-mm-dd``); codes are
    upper-cased; ``HOME_POST`` and ``PL_POST`` are normalised
    (:func:`normalise_postcodes`); ``LA`` and ``YEAR`` are kept when present.

    Parameters
    ----------
    path_or_frame : str, os.PathLike or pandas.DataFrame
        A CSV file in the DfE layout, or the same table in memory (not modified).
    strict : bool, default False
        Raise on the first bad row instead of leaving it out with a warning.

    Returns
    -------
    pandas.DataFrame
        Rows that pass the row checks: ``CHILD``, ``DECOM`` and ``PLACE`` present, dates
        parseable, ``PLACE`` in :data:`PLACE_CODES`, ``PLACE_PROVIDER`` in
        :data:`PLACE_PROVIDER_CODES` (and present for U4-U6), ``DEC`` not before ``DECOM``.
        Indexed by the 0-based source row (``row``).

    Raises
    ------
    rcc.core.errors.InvalidInputError
        As :func:`read_header`: a file that is empty, not text or malformed; no header row;
        a required column missing; or (with ``strict``) a bad row.

    Warns
    -----
    UserWarning
        When rows are left out (counts by reason only), or the file is read as cp1252/latin-1.
    """
    return _read_table(path_or_frame, "episodes", strict)


def read_uasc(path_or_frame: Source, *, strict: bool = False) -> pd.DataFrame:
    """Read an SSDA903 UASC table (``CHILD``, ``SEX``, ``DOB``, ``DUC``).

    ``DUC`` is the date the child stopped being an unaccompanied asylum-seeking child.
    Same cleaning, index and warnings as :func:`read_header`.
    """
    return _read_table(path_or_frame, "uasc", strict)
