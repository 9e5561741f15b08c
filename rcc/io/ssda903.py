"""Read SSDA903 (children looked after) returns into rcc demand tables.

SSDA903 is the Department for Education's children-looked-after return: one CSV
per table, with the DfE column names. This module reads the *header* table
(one row per child), the *episodes* table (one row per episode of care) and,
optionally, the *UASC* table, checks every row, and derives the children in
care on a reference date and the demand cohorts (council x need x age band)
that :mod:`rcc` plans for.

Nothing is dropped silently: every row that is not used is listed in
``Ssda903Result.rejected`` with the table, the 0-based row of the source, the
column, what was expected, what was received and a reason taken from
:data:`REJECTION_REASONS`. Children who are in care on the reference date but
are not part of the demand the plan meets (placed for adoption, short breaks,
health or "other" placements) are kept in ``placements`` with an ``excluded``
reason and counted in ``Ssda903Result.excluded``.

Child ids never leave this module. The result carries a pseudonym,
``child_id`` = the first 12 hex digits of
``sha256(salt + "|" + council_id + "|" + CHILD)``; the national pupil number
(UPN) is dropped. The readers :func:`read_header` and :func:`read_episodes`
return the file's own ``CHILD`` values, because they are readers. Errors, warnings and
``rejected.received`` never show a child id: a file without its header row is reported by
its line and field count, unknown column names are counted rather than listed, and a bad
value in a column that could hold an id (columns swapped or shifted) is shown only when it
looks like a date or code and is no child's id of the table, otherwise by its shape
(``"a value that is not a date, shaped AAAA999"``).

CSV files are read by :mod:`rcc.core._csv`: UTF-8 (with or without a byte-order mark), UTF-16
with a byte-order mark, or cp1252/latin-1 with a warning; an empty file, an unclosed quote,
a record with more or fewer fields than the header are errors naming the file and line.

Examples
--------
>>> import pandas as pd
>>> header = pd.DataFrame({"CHILD": ["A1"], "SEX": ["1"], "DOB": ["01/06/2010"]})
>>> episodes = pd.DataFrame(
...     {"CHILD": ["A1"], "DECOM": ["2017-05-01"], "LS": ["C2"], "PLACE": ["U4"],
...      "PLACE_PROVIDER": ["PR4"], "DEC": [""]}
... )
>>> result = load_ssda903(header, episodes, reference_date="2018-03-31", council_id="E08000003")
>>> result.cohorts[["council_id", "need", "age_band", "children"]].to_dict("records")
[{'council_id': 'E08000003', 'need': 'mainstream', 'age_band': '5-10', 'children': 1}]
>>> result.placements.loc[0, "home_type"]
'ifa_fostering'
"""

from __future__ import annotations

import hashlib
import os
import secrets
import warnings
from typing import Any, TypeAlias

import attrs
import numpy as np
import pandas as pd

from rcc.core._csv import file_label, parse_whole_numbers, read_csv_table
from rcc.core._problems import RowProblems
from rcc.core.errors import InvalidInputError
from rcc.core.geo import haversine_miles
from rcc.core.schema import AGE_BANDS, COHORTS, HOME_TYPES, NEEDS, cohort_ids

__all__ = [
    "EPISODE_COLUMNS",
    "HEADER_COLUMNS",
    "PLACE_CODES",
    "PLACE_MAPPING",
    "PLACE_PROVIDER_CODES",
    "REJECTION_REASONS",
    "SHORT_BREAK_LEGAL_STATUSES",
    "Ssda903Result",
    "UASC_COLUMNS",
    "load_ssda903",
    "normalise_postcodes",
    "pseudonymise",
    "read_episodes",
    "read_header",
    "read_uasc",
]

#: A path to a CSV file, or a DataFrame already in memory.
Source: TypeAlias = "str | os.PathLike[str] | pd.DataFrame"

#: Columns of the DfE header table (one row per child).
HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")

#: Columns of the DfE episodes table (one row per episode of care).
EPISODE_COLUMNS: tuple[str, ...] = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)

#: Columns of the DfE UASC table (unaccompanied asylum-seeking children).
UASC_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "DUC")

#: Columns of multi-council extracts, kept when present: council (LA) and return year (YEAR).
EXTRA_COLUMNS: tuple[str, ...] = ("LA", "YEAR")

_COLUMNS = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}
_KNOWN_COLUMNS = frozenset(HEADER_COLUMNS + EPISODE_COLUMNS + UASC_COLUMNS + EXTRA_COLUMNS)
_REQUIRED = {"header": ("CHILD", "DOB"), "episodes": ("CHILD", "DECOM", "PLACE"), "uasc": ("CHILD",)}
_DATE_COLUMNS = {"header": ("DOB", "MC_DOB"), "episodes": ("DECOM", "DEC"), "uasc": ("DOB", "DUC")}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_DATE_EXPECTED = "a date as dd/mm/yyyy or yyyy-mm-dd"

#: Valid PLACE codes: the union over collection years 2022/23 to 2025/26 (rule 146 of the
#: DfE validator). H5, P2 and Z1 end in 2024/25; K3 starts in 2024/25; Z11-Z14 replace Z1
#: from 2025/26. Codes are compared upper-case.
PLACE_CODES: frozenset[str] = frozenset(
    ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1"]
    + ["T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6"]
    + ["Z1", "Z11", "Z12", "Z13", "Z14"]
)

#: Valid PLACE_PROVIDER codes (rule 178): PR0 parents, PR1 own council, PR2 another council,
#: PR3 other public, PR4 private, PR5 voluntary.
PLACE_PROVIDER_CODES: frozenset[str] = frozenset(["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"])

#: Legal statuses of short-break care (V3, V4). DfE's "looked after at 31 March" counts leave
#: these children out, so they are excluded from demand (and counted in ``excluded``).
SHORT_BREAK_LEGAL_STATUSES: frozenset[str] = frozenset(["V3", "V4"])

_FOSTER_OTHER = frozenset(["U4", "U5", "U6"])  # need PLACE_PROVIDER to tell in-house from IFA


def _mapping_rows() -> list[tuple[str, str, Any, Any, str, str]]:
    rows: list[tuple[str, str, Any, Any, str, str]] = []
    for code in ("U1", "U2", "U3"):
        rows.append((code, "*", "mainstream", "kinship", "plan", "foster care with relatives or friends"))
    for code in ("U4", "U5", "U6"):
        rows.append(
            (
                code,
                "*",
                "mainstream",
                "in_house_fostering",
                "plan",
                "foster care with council carers (own council PR1, another council PR2, other public PR3)",
            )
        )
        for provider in ("PR4", "PR5"):
            rows.append(
                (
                    code,
                    provider,
                    "mainstream",
                    "ifa_fostering",
                    "plan",
                    "foster care through a private or voluntary agency",
                )
            )
    rows += [
        ("P1", "*", "mainstream", "kinship", "plan", "placed with parents: served by the own council only"),
        ("K1", "*", "secure", "secure_home", "plan", "secure children's home"),
        ("R5", "*", "secure", "secure_home", "plan", "young offender institution: justice secure place"),
        ("K2", "*", "complex", "childrens_home", "plan", "children's home"),
        ("R1", "*", "complex", "childrens_home", "plan", "residential care home"),
        (
            "R3",
            "*",
            "parent_child",
            "childrens_home",
            "plan",
            "family centre or mother-and-baby unit: nearest home type is residential",
        ),
        ("S1", "*", "disability", "residential_school", "plan", "residential school"),
        ("H5", "*", "supported_16plus", "supported_accommodation", "plan", "semi-independent living"),
        ("K3", "*", "supported_16plus", "supported_accommodation", "plan", "registered supported accommodation"),
        ("P2", "*", "supported_16plus", "supported_accommodation", "plan", "independent living"),
        ("P3", "*", "supported_16plus", "supported_accommodation", "plan", "residential employment"),
        ("R2", "*", None, None, "exclude", "health placement (NHS or medical/nursing establishment)"),
    ]
    for code in ("A3", "A4", "A5", "A6"):
        rows.append((code, "*", None, None, "exclude", "placed for adoption"))
    for code in ("T0", "T1", "T2", "T3", "T4"):
        rows.append((code, "*", None, None, "inherit", "temporary placement"))
    for code in ("Z1", "Z11", "Z12", "Z13", "Z14"):
        rows.append((code, "*", None, None, "exclude", "other placement (Z1/Z11-Z14), type not known"))
    return rows


#: How a current placement becomes demand: PLACE (and PLACE_PROVIDER) -> need and home type.
#:
#: Columns: ``place``, ``place_provider`` (a PR code, or ``"*"`` for any provider; the exact
#: provider row wins), ``need`` (:data:`rcc.core.schema.NEEDS`), ``home_type``
#: (:data:`rcc.core.schema.HOME_TYPES`), ``action`` and ``note``. ``action`` is
#:
#: * ``"plan"``: the child is demand of cohort (council, need, age band);
#: * ``"exclude"``: the child is in care but not demand the plan meets; ``note`` is the reason
#:   written to ``placements.excluded`` (placed for adoption A3-A6, health placement R2,
#:   other placement Z1/Z11-Z14);
#: * ``"inherit"``: a temporary placement (T0-T4); the child keeps the need and home type of
#:   their latest earlier non-temporary episode, or is excluded when there is none.
#:
#: Choices worth knowing: U1-U3 and P1 (placed with parents) are kinship; U4-U6 are in-house
#: fostering unless the provider is private or voluntary (PR4/PR5: IFA); K2 and R1 are
#: children's homes for complex need; K1 and R5 (young offender institution) are secure;
#: R3 (family centre, mother and baby unit) is parent-and-child in residential care; S1
#: (residential school) is disability in a residential school; H5, K3, P2 and P3 are 16+
#: supported accommodation. UASC status (from the UASC table) turns a ``mainstream`` or
#: ``supported_16plus`` need into ``uasc``. Children on short breaks (legal status V3/V4) are
#: excluded whatever their PLACE. Pass ``place_mapping=`` to :func:`load_ssda903` to change
#: any of this.
PLACE_MAPPING: pd.DataFrame = pd.DataFrame(
    _mapping_rows(), columns=["place", "place_provider", "need", "home_type", "action", "note"]
)

_MISSING = "missing required value"
_BAD_DATE = "unparseable date"
_BAD_CODE = "unknown code"
_BAD_YEAR = "unparseable year"
_CHILD_ID_ELSEWHERE = "a child id outside the CHILD column (shifted or swapped cells)"
_ENDS_BEFORE_START = "episode ends before it starts"
_CONFLICT = "conflicting header rows for one child"
_DUP_HEADER = "duplicate header row"
_DUP_UASC = "duplicate UASC row"
_DUP_EPISODE = "duplicate episode start"
_SUPERSEDED = "superseded by a later YEAR return"
_ORPHAN = "child not in header"
_HEADER_REJECTED = "child's header row rejected"
_BORN_AFTER = "born after reference date"
_BEFORE_BIRTH = "episode starts before date of birth"
_SEVERAL_OPEN = "several episodes open at reference date"
_ADULT = "aged 18 or over at reference date"

#: Every reason a row can be rejected for. All are data errors (``strict=True`` raises on
#: them) except ``"superseded by a later YEAR return"``: multi-year extracts repeat a child or
#: episode in each YEAR's return and only the latest YEAR's row is used.
REJECTION_REASONS: tuple[str, ...] = (
    _MISSING,
    _BAD_DATE,
    _BAD_CODE,
    _BAD_YEAR,
    _ENDS_BEFORE_START,
    _CONFLICT,
    _DUP_HEADER,
    _DUP_UASC,
    _DUP_EPISODE,
    _SUPERSEDED,
    _ORPHAN,
    _HEADER_REJECTED,
    _BORN_AFTER,
    _BEFORE_BIRTH,
    _CHILD_ID_ELSEWHERE,
    _SEVERAL_OPEN,
    _ADULT,
)

_REJECTED_COLUMNS = ("table", "row", "child", "column", "expected", "received", "reason")
_TABLE_ORDER = {"header": 0, "uasc": 1, "episodes": 2, "placements": 3}
_WITHHELD = "<child id withheld>"


# --------------------------------------------------------------------------- helpers


def pseudonymise(child: pd.Series, council: pd.Series, salt: str) -> pd.Series:
    """Salted, one-way pseudonyms of child ids.

    Parameters
    ----------
    child : pandas.Series
        Child ids (``CHILD``) as strings; missing values stay missing.
    council : pandas.Series
        Council of each child (child ids are unique within a council only).
    salt : str
        Secret salt. The same salt gives the same pseudonyms.

    Returns
    -------
    pandas.Series
        12 hex digits of ``sha256(salt + "|" + council + "|" + child)``, same index.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pseudonymise(pd.Series(["123"]), pd.Series(["E08000003"]), salt="s")
    >>> len(p[0]), p[0] == pseudonymise(pd.Series(["123"]), pd.Series(["E08000003"]), "s")[0]
    (12, True)
    """
    out = [
        hashlib.sha256(f"{salt}|{c}|{k}".encode()).hexdigest()[:12] if isinstance(k, str) else None
        for k, c in zip(child.tolist(), council.fillna("").tolist(), strict=True)
    ]
    return pd.Series(out, index=child.index, dtype="str")


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """UK postcodes upper-case with one space before the inward code.

    Whitespace is removed, then a single space is put before the last three characters when
    the code has at least five. Shorter (truncated) values are kept upper-case without spaces.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_postcodes(pd.Series([" m1  1ae", "SW1A1AA", "2tr", None])).tolist()
    ['M1 1AE', 'SW1A 1AA', '2TR', nan]
    """
    s = postcodes.astype("str").str.upper().str.replace(r"\s+", "", regex=True)
    s = s.mask(s == "")
    long = s.str.len() >= 5
    return s.where(~long, s.str[:-3] + " " + s.str[-3:])


def _postcode_key(postcodes: pd.Series) -> pd.Series:
    return postcodes.astype("str").str.upper().str.replace(r"\s+", "", regex=True)


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
    _withhold_child_ids(raw, df, table, child_ids, problems)
    return df


def _withhold_child_ids(raw: pd.DataFrame, df: pd.DataFrame, table: str, child_ids: pd.Index, problems: _Problems) -> None:
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
            problems.add(table, leaked, column, "a value that is not a child id", "a child id (not shown)", _CHILD_ID_ELSEWHERE)
            df[column] = df[column].where(~leaked.to_numpy(), None)


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


# --------------------------------------------------------------------------- readers


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


# --------------------------------------------------------------------------- result


@attrs.frozen(eq=False)
class Ssda903Result:
    """What :func:`load_ssda903` found.

    Attributes
    ----------
    reference_date : pandas.Timestamp
        Date the placements and ages are taken at.
    header : pandas.DataFrame
        Clean header rows, one per child: ``child_id`` (pseudonym), ``council_id``, ``SEX``,
        ``DOB``, ``ETHNIC``, ``MOTHER``, ``MC_DOB`` (+ ``LA``, ``YEAR``). Index: source row.
        ``UPN`` is dropped.
    episodes : pandas.DataFrame
        Clean episodes: ``child_id``, ``council_id`` and the DfE columns but ``CHILD``
        (+ ``LA``, ``YEAR``). Index: source row.
    rejected : pandas.DataFrame
        One row per problem: ``table`` (header, uasc, episodes or placements), ``row``
        (0-based row of the source table; for ``placements`` the episode's row), ``child``
        (pseudonym, missing when the source had none), ``column``, ``expected``,
        ``received``, ``reason`` (one of :data:`REJECTION_REASONS`). A row that breaks
        several row rules appears once per rule.
    placements : pandas.DataFrame
        One row per child in care on the reference date (episode with
        ``DECOM <= reference_date`` and ``DEC`` blank or after it): ``child_id``,
        ``council_id``, ``episode_row``, ``decom``, ``legal_status``, ``place``,
        ``place_provider``, ``mapped_place`` / ``mapped_provider`` (the codes the mapping
        used: an earlier episode's for temporary placements), ``uasc``, ``age``,
        ``age_band``, ``need``, ``home_type``, ``excluded`` (reason, missing when the child
        is demand), ``cohort_id``, ``home_post``, ``pl_post``, ``distance_miles``.
    cohorts : pandas.DataFrame
        Demand in the :data:`rcc.core.schema.COHORTS` layout: ``cohort_id``, ``council_id``,
        ``need``, ``age_band``, ``children``. Sums to the placements not excluded.
    excluded : pandas.DataFrame
        Children in care but not demand: ``council_id``, ``reason``, ``children``.
    """

    reference_date: pd.Timestamp
    header: pd.DataFrame
    episodes: pd.DataFrame
    rejected: pd.DataFrame
    placements: pd.DataFrame
    cohorts: pd.DataFrame
    excluded: pd.DataFrame

    def summary(self) -> str:
        """A few lines: rows kept and rejected, children in care, demand and exclusions."""
        rej = self.rejected
        lines = [f"SSDA903 at {self.reference_date:%Y-%m-%d}"]
        for table, kept in (("header", self.header), ("episodes", self.episodes)):
            n_rej = rej.loc[rej["table"] == table, "row"].nunique()
            lines.append(f"  {table}: {len(kept)} rows kept, {n_rej} rejected")
        lines.append(
            f"  in care on the reference date: {len(self.placements)}; demand "
            f"{int(self.cohorts['children'].sum())} in {len(self.cohorts)} cohorts; "
            f"excluded {int(self.excluded['children'].sum())}"
        )
        for (table, reason), n in rej.groupby(["table", "reason"]).size().items():
            lines.append(f"  rejected {table}: {reason}: {n}")
        for reason, n in self.excluded.groupby("reason")["children"].sum().items():
            lines.append(f"  excluded: {reason}: {n}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- loader


def _councils(raw: pd.DataFrame, table: str, council_id: str | None) -> pd.Series:
    if "LA" in raw.columns:
        la = raw["LA"]
        return la.fillna(council_id) if council_id is not None else la
    if council_id is None:
        raise InvalidInputError(table, None, "LA", "an LA column, or the council_id argument", "neither")
    return pd.Series(council_id, index=raw.index, dtype="str")


def _check_mapping(mapping: pd.DataFrame | None) -> dict[tuple[str, str], tuple[Any, Any, str, str]]:
    table = PLACE_MAPPING if mapping is None else mapping
    cols = ["place", "place_provider", "need", "home_type", "action", "note"]
    for column in cols:
        if column not in table.columns:
            raise InvalidInputError("place_mapping", None, column, f"a column named {column}", list(table.columns))
    out: dict[tuple[str, str], tuple[Any, Any, str, str]] = {}
    for i, rec in enumerate(table[cols].itertuples(index=False)):
        place, provider, need, home_type, action, note = rec
        if action not in ("plan", "exclude", "inherit"):
            raise InvalidInputError("place_mapping", i, "action", "plan, exclude or inherit", action)
        if action == "plan":
            if need not in NEEDS:
                raise InvalidInputError("place_mapping", i, "need", f"one of {NEEDS}", need)
            if home_type not in HOME_TYPES:
                raise InvalidInputError("place_mapping", i, "home_type", f"one of {HOME_TYPES}", home_type)
        elif action == "exclude" and not (isinstance(note, str) and note):
            raise InvalidInputError("place_mapping", i, "note", "the exclusion reason", note)
        key = (str(place).upper(), str(provider).upper() if isinstance(provider, str) else "*")
        if key in out:
            raise InvalidInputError("place_mapping", i, "place", "one row per place and provider", key)
        out[key] = (need, home_type, action, str(note))
    return out


def _dedupe(
    df: pd.DataFrame, key: list[str], table: str, column: str, duplicate: str, problems: _Problems
) -> pd.DataFrame:
    """Keep one row per key: the latest YEAR, then the first row; report the others."""
    if df.empty:
        return df
    year = df["YEAR"] if "YEAR" in df.columns else pd.Series(pd.NA, index=df.index, dtype="Int64")
    order = df.assign(_year=year, _row=df.index).sort_values(
        ["_year", "_row"], ascending=[False, True], na_position="last", kind="stable"
    )
    kept_first = ~order.duplicated(key, keep="first")
    kept = order.loc[kept_first, key + ["_row", "_year"]].rename(columns={"_row": "_kept_row", "_year": "_kept_year"})
    others = order.loc[~kept_first].reset_index(drop=True).merge(kept, on=key, how="left")
    others.index = pd.Index(others["_row"].to_numpy(), name="row")
    same_year = (others["_year"] == others["_kept_year"]).fillna(False) | (
        others["_year"].isna() & others["_kept_year"].isna()
    )
    received = "same as row " + others["_kept_row"].astype("str")
    expected = f"one row per {' and '.join(k for k in key if not k.startswith('_'))}"
    problems.add(table, same_year, column, expected, received, duplicate)
    problems.add(table, ~same_year, "YEAR", expected + " (the latest YEAR is used)", received, _SUPERSEDED)
    return df.loc[order.index[kept_first]].sort_index()


def _age_years(dob: pd.Series, ref: pd.Timestamp) -> pd.Series:
    before_birthday = (dob.dt.month > ref.month) | ((dob.dt.month == ref.month) & (dob.dt.day > ref.day))
    return (ref.year - dob.dt.year - before_birthday.astype("int64")).astype("Int64")


def _age_band(age: pd.Series) -> pd.Series:
    band = pd.Series(np.nan, index=age.index, dtype="str")
    for label, (lo, hi) in AGE_BANDS.items():
        band = band.mask((age >= lo) & (age <= hi), label)
    return band


def load_ssda903(
    header: Source,
    episodes: Source,
    *,
    reference_date: Any,
    council_id: str | None = None,
    uasc: Source | None = None,
    postcode_coords: Source | None = None,
    place_mapping: pd.DataFrame | None = None,
    salt: str | None = None,
    strict: bool = False,
) -> Ssda903Result:
    """Load an SSDA903 return: clean tables, rejected rows, placements and demand cohorts.

    Steps: read and check every row of each table (see :func:`read_header`,
    :func:`read_episodes`); keep one header row per child (``conflicting`` DOBs reject all of
    the child's rows; copies of a child in several ``YEAR`` returns keep the latest);
    reject header rows born after ``reference_date``; reject episodes of children without a
    header row, duplicate episode starts (same child and ``DECOM``; across ``YEAR`` returns
    the latest is kept) and episodes starting before birth; take the episode in progress on
    ``reference_date`` for each child (the latest ``DECOM`` when several are open; the
    others are rejected); reject children aged 18 or over; map ``PLACE`` to need and home
    type with :data:`PLACE_MAPPING`; count the cohorts.

    Parameters
    ----------
    header, episodes : str, os.PathLike or pandas.DataFrame
        The header and episodes tables (CSV path or DataFrame in the DfE layout).
    reference_date : str, datetime.date or pandas.Timestamp
        Date of the snapshot (``yyyy-mm-dd`` or ``dd/mm/yyyy`` if a string), e.g. 31 March.
    council_id : str, optional
        Council of every row, used where a table has no ``LA`` column (or ``LA`` is blank).
        Required when a table has no ``LA`` column. ``LA`` values are used as they are (a
        name such as ``"Southwark"`` stays a name): map them to council codes afterwards if
        the rest of rcc needs codes.
    uasc : str, os.PathLike or pandas.DataFrame, optional
        The UASC table. A child in it whose ``DUC`` is blank or after ``reference_date`` is
        UASC: a ``mainstream`` or ``supported_16plus`` need becomes ``uasc``.
    postcode_coords : str, os.PathLike or pandas.DataFrame, optional
        Columns ``postcode``, ``lat``, ``lon`` (postcode centroids, WGS84), in memory or as
        a CSV file. Every row must have a postcode and numeric coordinates in range, and a
        postcode listed twice must have one position (otherwise ``InvalidInputError``). Gives
        ``placements.distance_miles``: the straight line between the ``HOME_POST`` and
        ``PL_POST`` centroids (haversine, Earth radius 3958.8 miles), as DfE's PL_DISTANCE.
        Missing when either postcode is unknown.
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`PLACE_MAPPING` (same columns). A PLACE with no row is excluded with
        reason ``"no mapping for PLACE <code>"``.
    salt : str, optional
        Secret salt of the child pseudonyms. Default: a new random salt on each call, so
        pseudonyms cannot be linked to child ids or across calls; pass the same secret salt
        to link loads.
    strict : bool, default False
        Raise :class:`~rcc.core.errors.InvalidInputError` on the first data error (in table order
        header, uasc, episodes, placements, then by row) instead of listing it in
        ``rejected``. Rows superseded by a later ``YEAR`` return are not errors.

    Returns
    -------
    Ssda903Result

    Raises
    ------
    rcc.core.errors.InvalidInputError
        A file is empty, not text or malformed CSV; a table has no header row or misses a
        required column; no ``LA`` column and no ``council_id``; a bad ``reference_date``,
        ``postcode_coords`` (any row without a postcode or with a coordinate that is not a
        number in range) or ``place_mapping``; or, with ``strict``,
        the first bad row (``row_id`` is the row index in the source table, never a child
        id).

    Notes
    -----
    Child ids are never logged, printed, or written to the result or to error messages.
    """
    ref = _as_date(reference_date, "reference_date")
    salt = secrets.token_hex(16) if salt is None else str(salt)
    mapping = _check_mapping(place_mapping)
    coords = _check_coords(postcode_coords)

    sources: dict[str, Source] = {"header": header, "episodes": episodes}
    if uasc is not None:
        sources["uasc"] = uasc
    problems = _Problems()
    parsed: dict[str, pd.DataFrame] = {}
    ids: dict[str, pd.DataFrame] = {}
    for table, source in sources.items():
        raw = _read_raw(source, table)
        council = _councils(raw, table, council_id)
        problems.add(table, council.isna(), "LA", "a council (LA value or the council_id argument)", "blank", _MISSING)
        df = _check_rows(raw, table, problems)
        df["_council"] = council
        parsed[table] = df
        ids[table] = pd.DataFrame({"CHILD": raw["CHILD"], "_council": council})
    first_pass = problems.frame()

    def valid(table: str) -> pd.DataFrame:
        bad = first_pass.loc[first_pass["table"] == table, "row"]
        return parsed[table].drop(index=bad.unique())

    key = ["_council", "CHILD"]

    # header: one row per child, born by the reference date
    hdr = valid("header")
    conflict = hdr.groupby(key)["DOB"].transform("nunique") > 1
    problems.add("header", conflict, "DOB", "one DOB per child", _fmt_dates(hdr["DOB"]), _CONFLICT)
    hdr = _dedupe(hdr.loc[~conflict], key, "header", "CHILD", _DUP_HEADER, problems)
    born_after = hdr["DOB"] > ref
    problems.add("header", born_after, "DOB", f"DOB on or before {ref:%Y-%m-%d}", _fmt_dates(hdr["DOB"]), _BORN_AFTER)
    hdr = hdr.loc[~born_after]
    hdr_keys = pd.MultiIndex.from_frame(hdr[key].astype("object"))
    all_hdr_keys = pd.MultiIndex.from_frame(ids["header"][key].astype("object"))

    def orphans(df: pd.DataFrame, table: str) -> pd.DataFrame:
        keys = pd.MultiIndex.from_frame(df[key].astype("object"))
        missing = pd.Series(~keys.isin(hdr_keys), index=df.index)
        had_row = pd.Series(keys.isin(all_hdr_keys), index=df.index)
        problems.add(table, missing & had_row, "CHILD", "a valid header row for the child", None, _HEADER_REJECTED)
        problems.add(table, missing & ~had_row, "CHILD", "a header row for the child", None, _ORPHAN)
        return df.loc[~missing]

    # UASC status on the reference date
    uasc_keys = pd.MultiIndex.from_tuples([], names=key)
    if "uasc" in parsed:
        uas = _dedupe(orphans(valid("uasc"), "uasc"), key, "uasc", "CHILD", _DUP_UASC, problems)
        current = uas["DUC"].isna() | (uas["DUC"] > ref)
        uasc_keys = pd.MultiIndex.from_frame(uas.loc[current, key].astype("object"))

    # episodes
    eps = orphans(valid("episodes"), "episodes")
    eps = _dedupe(eps, key + ["DECOM"], "episodes", "DECOM", _DUP_EPISODE, problems)
    dob = eps[key].merge(hdr[key + ["DOB"]], on=key, how="left")["DOB"].to_numpy()
    before_birth = pd.Series(eps["DECOM"].to_numpy() < dob, index=eps.index)
    problems.add(
        "episodes",
        before_birth,
        "DECOM",
        "DECOM on or after the child's DOB",
        _fmt_dates(eps["DECOM"]),
        _BEFORE_BIRTH,
    )
    eps = eps.loc[~before_birth]

    placements = _placements(eps, hdr, ref, key, mapping, uasc_keys, problems)
    placements["distance_miles"] = _distances(placements, coords)

    # pseudonymise and assemble
    found = problems.frame()
    if strict:
        errors = found.loc[found["reason"] != _SUPERSEDED]
        if not errors.empty:
            _raise_first(_with_children(errors, ids, salt))
    rejected = _with_children(found, ids, salt)

    placements.insert(0, "child_id", pseudonymise(placements.pop("CHILD"), placements["council_id"], salt))
    cohorts, excluded = _cohorts(placements)
    return Ssda903Result(
        reference_date=ref,
        header=_public(hdr, _COLUMNS["header"], salt, drop=("UPN",)),
        episodes=_public(eps, _COLUMNS["episodes"], salt),
        rejected=rejected,
        placements=placements.reset_index(drop=True),
        cohorts=cohorts,
        excluded=excluded,
    )


def _with_children(found: pd.DataFrame, ids: dict[str, pd.DataFrame], salt: str) -> pd.DataFrame:
    """Add the pseudonymous ``child`` of each problem; never the raw id."""
    out = found.copy()
    child = pd.Series(np.nan, index=out.index, dtype="str")
    for table in out["table"].unique():
        source = "episodes" if table == "placements" else str(table)
        sel = out["table"] == table
        lookup = ids[source]
        rows = out.loc[sel, "row"].to_numpy()
        child.loc[sel] = pseudonymise(
            lookup["CHILD"].loc[rows].reset_index(drop=True), lookup["_council"].loc[rows].reset_index(drop=True), salt
        ).to_numpy()
    out["child"] = child
    is_child_col = out["column"] == "CHILD"
    out["received"] = out["received"].astype("object").where(~is_child_col, child.fillna("blank"))
    out = out.assign(_t=out["table"].map(_TABLE_ORDER)).sort_values(["_t", "row"], kind="stable")
    out = out.loc[:, list(_REJECTED_COLUMNS)].reset_index(drop=True)
    for column in _REJECTED_COLUMNS:
        out[column] = out[column].astype("int64" if column == "row" else "str")
    return out


def _public(df: pd.DataFrame, columns: tuple[str, ...], salt: str, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["child_id"] = pseudonymise(df["CHILD"], df["_council"], salt)
    out["council_id"] = df["_council"]
    for column in list(columns) + list(EXTRA_COLUMNS):
        if column in df.columns and column != "CHILD" and column not in drop:
            out[column] = df[column]
    return out


def _placements(
    eps: pd.DataFrame,
    hdr: pd.DataFrame,
    ref: pd.Timestamp,
    key: list[str],
    mapping: dict[tuple[str, str], tuple[Any, Any, str, str]],
    uasc_keys: pd.MultiIndex,
    problems: _Problems,
) -> pd.DataFrame:
    """One row per child in care on ``ref``, mapped to need and home type (raw CHILD kept)."""
    current = eps.loc[(eps["DECOM"] <= ref) & (eps["DEC"].isna() | (eps["DEC"] > ref))]
    latest = current.sort_values("DECOM", ascending=False, kind="stable")
    several = latest.duplicated(key, keep="first").reindex(current.index)
    problems.add(
        "placements",
        several,
        "DEC",
        "one episode per child open on the reference date (a later one is used)",
        _fmt_dates(current["DEC"]),
        _SEVERAL_OPEN,
    )
    current = current.loc[~several]
    cur = current.reset_index().merge(hdr[key + ["DOB"]], on=key, how="left")
    cur.index = pd.Index(cur["row"].to_numpy(), name="row")
    age = _age_years(cur["DOB"], ref)
    adult = age >= 18
    problems.add("placements", adult, "DOB", "age 0-17 on the reference date", "age " + age.astype("str"), _ADULT)
    cur, age = cur.loc[~adult], age.loc[~adult]

    # temporary placements take the mapping of the latest earlier non-temporary episode
    def action(place: str, provider: Any) -> tuple[Any, Any, str, str]:
        prov = provider if isinstance(provider, str) else "*"
        hit = mapping.get((place, prov)) or mapping.get((place, "*"))
        return hit if hit is not None else (None, None, "exclude", f"no mapping for PLACE {place}")

    acts = [action(p, q) for p, q in zip(cur["PLACE"], cur["PLACE_PROVIDER"], strict=True)]
    mapped_place = cur["PLACE"].copy()
    mapped_provider = cur["PLACE_PROVIDER"].copy()
    inherit = pd.Series([a[2] == "inherit" for a in acts], index=cur.index, dtype=bool)
    if inherit.any():
        non_temp = eps.loc[
            [action(p, q)[2] != "inherit" for p, q in zip(eps["PLACE"], eps["PLACE_PROVIDER"], strict=True)]
        ]
        pairs = (
            cur.loc[inherit, key + ["DECOM"]]
            .reset_index()
            .merge(non_temp[key + ["DECOM", "PLACE", "PLACE_PROVIDER"]], on=key, how="inner", suffixes=("", "_prev"))
        )
        pairs = pairs.loc[pairs["DECOM_prev"] < pairs["DECOM"]]
        prior = pairs.sort_values("DECOM_prev").groupby("row").tail(1).set_index("row")
        mapped_place.loc[prior.index] = prior["PLACE"]
        mapped_provider.loc[prior.index] = prior["PLACE_PROVIDER"]
        for i, row in enumerate(cur.index):
            if inherit.loc[row]:
                acts[i] = (
                    action(prior.at[row, "PLACE"], prior.at[row, "PLACE_PROVIDER"])
                    if row in prior.index
                    else (None, None, "exclude", "temporary placement with no earlier placement")
                )
                if acts[i][2] == "inherit":  # a custom mapping may inherit from a code we skipped
                    acts[i] = (None, None, "exclude", "temporary placement with no earlier placement")

    need = pd.Series([a[0] if a[2] == "plan" else np.nan for a in acts], index=cur.index, dtype="str")
    home_type = pd.Series([a[1] if a[2] == "plan" else np.nan for a in acts], index=cur.index, dtype="str")
    excluded = pd.Series([a[3] if a[2] == "exclude" else np.nan for a in acts], index=cur.index, dtype="str")
    short_break = cur["LS"].isin(SHORT_BREAK_LEGAL_STATUSES)
    excluded = excluded.mask(short_break, "short breaks (legal status V3/V4)")
    need = need.where(excluded.isna())
    home_type = home_type.where(excluded.isna())

    is_uasc = pd.Series(pd.MultiIndex.from_frame(cur[key].astype("object")).isin(uasc_keys), index=cur.index)
    need = need.mask(is_uasc & need.isin(["mainstream", "supported_16plus"]), "uasc")
    band = _age_band(age)
    cohort_id = cohort_ids(cur["_council"], need, band).where(excluded.isna())

    return pd.DataFrame(
        {
            "CHILD": cur["CHILD"],
            "council_id": cur["_council"],
            "episode_row": cur.index.to_numpy(dtype="int64"),
            "decom": cur["DECOM"],
            "legal_status": cur["LS"],
            "place": cur["PLACE"],
            "place_provider": cur["PLACE_PROVIDER"],
            "mapped_place": mapped_place,
            "mapped_provider": mapped_provider,
            "uasc": is_uasc.astype(bool),
            "age": age.astype("int64"),
            "age_band": band,
            "need": need,
            "home_type": home_type,
            "excluded": excluded,
            "cohort_id": cohort_id,
            "home_post": cur["HOME_POST"],
            "pl_post": cur["PL_POST"],
        },
        index=cur.index,
    ).sort_values(["council_id", "episode_row"], kind="stable")


def _check_coords(coords: Source | None) -> pd.DataFrame | None:
    """Postcode centroids indexed by postcode key; every row checked, none dropped."""
    if coords is None:
        return None
    table = "postcode_coords"
    if isinstance(coords, (str, os.PathLike)):
        table = file_label(table, coords)
        coords = read_csv_table(coords, "postcode_coords")
        row_ids: list[Any] = [f"line {line}" for line in coords.index]
    elif isinstance(coords, pd.DataFrame):
        row_ids = list(range(len(coords)))
    else:
        raise TypeError(f"{table}: expected a path or a pandas DataFrame, got {type(coords).__name__}")
    df = coords.rename(columns=lambda c: str(c).strip().lower()).reset_index(drop=True)
    for column in ("postcode", "lat", "lon"):
        if column not in df.columns:
            raise InvalidInputError(table, None, column, f"a column named {column}", list(df.columns))
    key = _postcode_key(df["postcode"])
    blank = key.isna() | (key == "")
    if blank.any():
        i = int(blank.to_numpy().argmax())
        raise InvalidInputError(table, row_ids[i], "postcode", "a postcode", "blank", more=int(blank.sum()) - 1)
    out = pd.DataFrame({"key": key})
    for column, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        value = pd.to_numeric(df[column].astype("str").str.strip(), errors="coerce").astype("float64")
        bad = value.isna() | ~value.between(low, high)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            expected = f"a number in [{low}, {high}] (degrees, WGS84)"
            raise InvalidInputError(table, row_ids[i], column, expected, df.at[i, column], more=int(bad.sum()) - 1)
        out[column] = value
    clash = out.groupby("key")[["lat", "lon"]].transform("nunique").max(axis=1) > 1
    if clash.any():
        i = int(clash.to_numpy().argmax())
        received = f"{df.at[i, 'postcode']} at several positions"
        raise InvalidInputError(table, row_ids[i], "postcode", "one position per postcode", received)
    return out.drop_duplicates("key").set_index("key")


def _distances(placements: pd.DataFrame, coords: pd.DataFrame | None) -> pd.Series:
    if coords is None or placements.empty:
        return pd.Series(np.nan, index=placements.index, dtype="float64")
    home = coords.reindex(_postcode_key(placements["home_post"]).to_numpy())
    place = coords.reindex(_postcode_key(placements["pl_post"]).to_numpy())
    miles = haversine_miles(
        home["lat"].to_numpy(), home["lon"].to_numpy(), place["lat"].to_numpy(), place["lon"].to_numpy()
    )
    return pd.Series(np.asarray(miles, dtype="float64"), index=placements.index)


def _cohorts(placements: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    demand = placements.loc[placements["excluded"].isna()]
    cohorts = (
        demand.groupby(["cohort_id", "council_id", "need", "age_band"], sort=True)
        .size()
        .rename("children")
        .reset_index()
    )
    cohorts = cohorts.loc[:, list(COHORTS.names)].astype({"children": "int64"})
    excluded = (
        placements.loc[placements["excluded"].notna()]
        .groupby(["council_id", "excluded"], sort=True)
        .size()
        .rename("children")
        .reset_index()
        .rename(columns={"excluded": "reason"})
        .astype({"children": "int64"})
    )
    return cohorts, excluded
