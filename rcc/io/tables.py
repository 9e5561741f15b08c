"""A council's own tables: a folder of CSV files or one Excel workbook, read whole, every problem listed.

The tables are the documented input tables (:data:`rcc.core.schema.TABLES`): ``councils``,
``homes`` and ``cohorts`` are required; ``providers``, ``placements`` and ``travel`` are
optional (a missing file or sheet, or one with a header row and no rows, is absent).

* A folder holds one CSV file per table, ``<table>.csv`` (read as :meth:`rcc.Region.from_dir`
  reads them: text, blank cells missing, integer columns whole numbers written in digits).
* A workbook (``.xlsx``) holds one sheet per table, named as the table (any case), the
  column names in its first row. Other sheets (e.g. ``guide``) are ignored. Text columns
  must hold text: an id typed as a number (``1000001``) is an error, format the column as
  text (the template does).

:func:`read_region` checks every column of every table and every reference between tables
before it stops, and raises one :class:`InputProblemsError` listing every problem found (the
first row of each broken rule, with the number of other rows breaking it; every rule of a
column, each row counted against the first it breaks): a column a table does not have is a
problem too (never ignored). The rules across tables (ages ordered, held placements within
places) are checked, all of them, once every table is clean.

:func:`write_template` writes the empty tables with a ``guide`` of every column (type,
unit, required, default, allowed values, description), for a council to fill in.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.csvfiles import read_csv_table
from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import TABLES, Table, schema_frame
from rcc.core.validate import collecting, normalise

__all__ = [
    "GUIDE_SHEET",
    "REFERENCES",
    "REQUIRED_TABLES",
    "InputProblemsError",
    "guide_frame",
    "problems_frame",
    "read_region",
    "read_tables",
    "write_template",
]

#: Tables a region must have; the others are optional.
REQUIRED_TABLES = ("councils", "homes", "cohorts")
#: Name of the sheet (or CSV file) that describes every column in a template.
GUIDE_SHEET = "guide"
_PROBLEM_COLUMNS = ("table", "row", "column", "expected", "received", "more_rows")


class InputProblemsError(InvalidInputError):
    """Every problem found in a set of input tables, in one error.

    It is an :class:`rcc.InvalidInputError` (its ``table``, ``row_id``, ``column``,
    ``expected`` and ``received`` are the first problem's), so code that catches
    that still does.

    Attributes
    ----------
    problems : list of InvalidInputError
        Each problem: the first row breaking a rule, with ``more`` other rows breaking it.
    """

    def __init__(self, problems: Iterable[InvalidInputError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.table, first.row_id, first.column, first.expected, first.received, more=first.more)
        lines = [f"{len(self.problems)} problem(s) in the input:"] + [f"  {p}" for p in self.problems]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with its problems (see :meth:`rcc.InvalidInputError.__reduce__`)."""
        return (type(self), (self.problems,))

    def frame(self) -> pd.DataFrame:
        """One row per problem: table, row, column, expected, received, more_rows."""
        return problems_frame(self)


def _shown(value: Any) -> str:
    """A received value as plain text: numbers as written (``200``, ``2.5``, never ``np.float64(200.0)``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problems_frame(error: InvalidInputError) -> pd.DataFrame:
    """The problems an error carries (every one of an :class:`InputProblemsError`, else the error itself).

    Returns
    -------
    pandas.DataFrame
        One row per problem: table, row (the row id or ``line N``, blank for a table-level
        problem), column, expected, received (at most 80 characters), more_rows (other rows
        with the same problem).
    """
    problems = error.problems if isinstance(error, InputProblemsError) else [error]
    rows = [
        {"table": p.table, "row": "" if p.row_id is None else str(p.row_id), "column": p.column or "",
         "expected": p.expected, "received": _shown(p.received), "more_rows": p.more}
        for p in problems
    ]
    return pd.DataFrame(rows, columns=list(_PROBLEM_COLUMNS))


# ---------------------------------------------------------------- reading
def read_tables(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """The tables present in a folder of CSV files or an ``.xlsx`` workbook, unvalidated.

    Parameters
    ----------
    path : str or os.PathLike
        A folder holding ``<table>.csv`` files, or an ``.xlsx`` workbook with a sheet per table.

    Returns
    -------
    dict of str to pandas.DataFrame
        By table name, only the tables present with at least one row.

    Raises
    ------
    InputProblemsError
        The path is neither; a file cannot be read (every file's problem listed).
    """
    frames, problems = _read(Path(path))
    if problems:
        raise InputProblemsError(problems)
    return frames


def _read(src: Path) -> tuple[dict[str, pd.DataFrame], list[InvalidInputError]]:
    """The tables read, and the problems of those that could not be."""
    if src.is_dir():
        return _read_folder(src)
    if src.is_file() and src.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(src)
    received = "no such file or folder" if not src.exists() else f"a {src.suffix or 'file'} file"
    raise InputProblemsError([InvalidInputError(
        "--data", None, None, "a folder of <table>.csv files or an .xlsx workbook with a sheet per table",
        f"{src}: {received}")])


def _read_folder(src: Path) -> tuple[dict[str, pd.DataFrame], list[InvalidInputError]]:
    """Each ``<table>.csv`` as a workbook sheet is read: cells that are numbers written in digits become
    numbers in the number columns, every other cell stays text (blank: missing), so that the one checking
    path (:func:`_column_problems`) reports every bad cell of every column, as for a workbook."""
    frames: dict[str, pd.DataFrame] = {}
    problems: list[InvalidInputError] = []
    for name in TABLES:
        file = src / f"{name}.csv"
        if not file.exists():
            continue
        try:
            raw = read_csv_table(file, name)
        except InvalidInputError as exc:
            problems.append(exc)
            continue
        kinds = {c.name: c.dtype for c in TABLES[name].columns}
        df = pd.DataFrame({c: _cells(raw[c].reset_index(drop=True), kinds.get(str(c))) for c in raw.columns},
                          index=pd.RangeIndex(len(raw)))
        if len(df):
            frames[name] = df
    return frames, problems


_WHOLE_TEXT = re.compile(r"[+-]?\d+")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _cells(text: pd.Series, kind: str | None) -> pd.Series:
    """A CSV column as cells: blank -> missing; in a number column, numbers written in digits -> Python
    numbers (``int`` columns: whole numbers as ``int``); anything else stays the text written."""

    def cell(v: Any) -> Any:
        if not isinstance(v, str) or not v.strip():
            return None
        t = v.strip()
        if kind == "int" and _WHOLE_TEXT.fullmatch(t):
            return int(t)
        if kind in ("int", "float") and _DECIMAL_TEXT.fullmatch(t):  # 2.5 in an int column: a number, not whole
            return float(t)
        return v

    return text.map(cell).astype(object)


def _formula_cells(src: Path, sheets: dict[Any, pd.DataFrame]) -> dict[str, list[tuple[int, str, str]]]:
    """By table: (sheet row, column name, formula) of each table cell holding a formula without a stored value
    (a workbook saved by a program that does not compute formulas: pandas would read it as missing)."""
    from openpyxl import load_workbook

    wb = load_workbook(src, data_only=False, read_only=True)
    found: dict[str, list[tuple[int, str, str]]] = {}
    try:
        for ws in wb.worksheets:
            table = str(ws.title).strip().lower()
            if table not in TABLES:
                continue
            values = sheets[ws.title]
            header: list[Any] = []
            for r, row in enumerate(ws.iter_rows(), start=1):
                if r == 1:
                    header = [c.value for c in row]
                    continue
                for c, cell in enumerate(row):
                    text = cell.value
                    if not (isinstance(text, str) and text.startswith("=")) or c >= len(header):
                        continue
                    name = str(header[c])
                    if name in values.columns and r - 2 < len(values) and pd.isna(values[name].iloc[r - 2]):
                        found.setdefault(table, []).append((r, name, text))
    finally:
        wb.close()
    return found


def _read_workbook(src: Path) -> tuple[dict[str, pd.DataFrame], list[InvalidInputError]]:
    try:
        sheets = pd.read_excel(src, sheet_name=None, dtype=object, engine="openpyxl")
    except ImportError:
        raise InputProblemsError([InvalidInputError(
            "--data", None, None, "openpyxl installed to read .xlsx (pip install openpyxl)", "not installed")]) from None
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:  # not a workbook, damaged
        raise InputProblemsError([InvalidInputError(
            "--data", None, None, "an .xlsx workbook", f"{src.name}: {type(exc).__name__}: {exc}")]) from None
    by_name = {str(k).strip().lower(): k for k in sheets}
    formulas = _formula_cells(src, sheets)
    frames: dict[str, pd.DataFrame] = {}
    problems = []
    for name in TABLES:
        if name not in by_name:
            continue
        cells = formulas.get(name, [])
        for r, column, formula in cells[:1]:  # the first, with the count of the others
            problems.append(InvalidInputError(
                f"{name} (sheet {by_name[name]!r})", f"row {r}", column,
                "a value: rcc reads values, not formulas (copy the cells and paste them as values)",
                f"a formula ({_shown(formula)}) with no value stored in the workbook", more=len(cells) - 1))
        df = sheets[by_name[name]].drop(index=[r - 2 for r, _, _ in cells])  # their rows: only the formula reported
        df = df.dropna(how="all")  # rows left blank in the sheet
        df = df.loc[:, [not str(c).startswith("Unnamed:") or df[c].notna().any() for c in df.columns]]
        if len(df):
            frames[name] = df.reset_index(drop=True)
    return frames, problems


def _column_problems(df: pd.DataFrame, table: Table) -> list[InvalidInputError]:
    """One problem per column rule broken (the first row, with the count of others): every rule of
    every column, each row counted against the first rule of its column it breaks.

    Each column is checked on its own with the id column beside it (to name rows); the id
    column's own problems are then reported once, by its own check.
    """
    problems: dict[str, InvalidInputError] = {}
    id_col = next((c for c in table.columns if c.name == table.id_column), None)
    beside = [attrs.evolve(id_col, required=False, default="")] if id_col is not None else []
    for col in table.columns:
        cols = (col,) if col.name == table.id_column else (*beside, col)
        one = Table(table.name, table.id_column, cols, kind=table.kind)
        present = [c.name for c in cols if c.name in df.columns]
        with collecting() as found:
            try:
                normalise(df[present], one)
            except InvalidInputError as exc:  # the table's shape (a required column absent)
                found.append(exc)
        for exc in found:
            problems.setdefault(str(exc), exc)
    return list(problems.values())


def _unknown_columns(df: pd.DataFrame, table: Table) -> list[InvalidInputError]:
    """One problem per column the table does not have: named, its values never shown (they may be child ids)."""
    allowed = list(table.names)
    return [
        InvalidInputError(table.name, None, str(c), f"only the columns of table {table.name!r}: {', '.join(allowed)} "
                          "(rcc reads nothing else: remove the column or rename it)",
                          "an unknown column (its values are not shown)")
        for c in df.columns if str(c) not in allowed
    ]


#: Columns that name a row of another table: (table, column, other table). Blank cells are left to each
#: table's own checks (required columns must not be blank; ``homes.serves_council_id`` may be).
REFERENCES = (
    ("homes", "council_id", "councils"),
    ("homes", "provider_id", "providers"),
    ("homes", "serves_council_id", "councils"),
    ("cohorts", "council_id", "councils"),
    ("placements", "cohort_id", "cohorts"),
    ("placements", "home_id", "homes"),
    ("travel", "from_council_id", "councils"),
    ("travel", "to_council_id", "councils"),
)


def _text_cells(s: pd.Series) -> pd.Series:
    """The cells that are text, stripped; anything else missing (the table's own checks report it)."""
    return s.map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)


def _reference_problems(frames: dict[str, pd.DataFrame]) -> list[InvalidInputError]:
    """Every reference to a row that is not there, checked on the cells that are text.

    Run with the tables' own checks so that one report lists every problem: a cell that is
    not text, or a table missing or unreadable, is reported by those checks and skipped here;
    any id written in the other table counts as known, even on a row with problems of its own.
    """
    problems = []
    for table, column, other in REFERENCES:
        df, target = frames.get(table), frames.get(other)
        id_column = TABLES[other].id_column
        if df is None or column not in df.columns or target is None or id_column not in target.columns:
            continue
        cells = _text_cells(df[column])
        known = set(_text_cells(target[id_column]).dropna())
        bad = (cells.notna() & ~cells.isin(known)).to_numpy()
        if not bad.any():
            continue
        pos = int(bad.argmax())
        own_id = TABLES[table].id_column
        row = _text_cells(df[own_id]).iloc[pos] if own_id in df.columns else None
        problems.append(InvalidInputError(table, row or f"#{pos}", column, f"an id of a row of table {other!r}",
                                          cells.iloc[pos], more=int(bad.sum()) - 1))
    return problems


def read_region(path: str | os.PathLike[str], name: str | None = None) -> Region:
    """Read and validate a region from a folder of CSV files or an ``.xlsx`` workbook.

    Parameters
    ----------
    path : str or os.PathLike
        See :func:`read_tables`.
    name : str, optional
        The region's name (default: the folder's or workbook's name).

    Returns
    -------
    Region

    Raises
    ------
    InputProblemsError
        Listing every problem: a required table missing or empty, a file that cannot be
        read (its first unreadable cell: the file's other columns are then not checked),
        a column the table does not have (named, its values never shown), every column
        rule broken in every other table, and every reference to a row of another table
        that is not there (:data:`REFERENCES`); once all of those are clean, every rule across
        tables that is broken (ages ordered, needs known, held placements within places).

    Examples
    --------
    >>> import tempfile, rcc
    >>> from rcc.io.tables import read_region
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> folder = gm.to_dir(tempfile.mkdtemp())
    >>> read_region(folder).cohorts.children.sum() == gm.cohorts.children.sum()
    np.True_
    """
    src = Path(path)
    frames, problems = _read(src)
    unread = {p.table.split(" (")[0] for p in problems}
    for t in REQUIRED_TABLES:
        if t not in frames and t not in unread:
            where = f"a file {t}.csv in {src}" if src.is_dir() else f"a sheet {t!r} in {src.name}"
            problems.append(InvalidInputError(t, None, None, f"{where} with at least one row", "no rows"))
    for t, df in frames.items():
        problems += _unknown_columns(df, TABLES[t]) + _column_problems(df, TABLES[t])
    problems += _reference_problems(frames)
    if problems:
        raise InputProblemsError(problems)
    with collecting() as found:  # the rules across tables (ages ordered, held children within places): all
        try:
            region = Region.from_frames(
                frames["councils"], frames["homes"], frames["cohorts"], providers=frames.get("providers"),
                placements=frames.get("placements"), travel=frames.get("travel"), name=name or src.stem,
            )
        except InvalidInputError as exc:
            found.append(exc)
    if found:
        raise InputProblemsError(found)
    return region


# ---------------------------------------------------------------- template
def guide_frame() -> pd.DataFrame:
    """Every column of every input table: table, column, type, unit, required, default, allowed, description."""
    g = schema_frame()
    g["required"] = g.required.map({True: "required", False: "optional"})
    g["default"] = g["default"].map(lambda v: "" if v is None else str(v))
    table_needed = {t: ("required table" if t in REQUIRED_TABLES else "optional table") for t in TABLES}
    g.insert(1, "table_is", g.table.map(table_needed))
    return g[["table", "table_is", "column", "dtype", "unit", "required", "default", "allowed", "description"]]


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write empty input tables for a council to fill: an ``.xlsx`` workbook or a folder of CSVs.

    A workbook has a ``guide`` sheet first (every column: type, unit, required or optional,
    default, allowed values, description) and one sheet per table with its column names in
    the first row (text columns formatted as text, no formulas). A folder gets one
    ``<table>.csv`` per table (the header row only) and ``guide.csv``.

    Parameters
    ----------
    path : str or os.PathLike
        A path ending ``.xlsx`` for a workbook; anything else is a folder (created).

    Returns
    -------
    Path
        What was written.
    """
    out = Path(path)
    guide = guide_frame()
    if out.suffix.lower() != ".xlsx":
        out.mkdir(parents=True, exist_ok=True)
        guide.to_csv(out / f"{GUIDE_SHEET}.csv", index=False)
        for name, table in TABLES.items():
            pd.DataFrame(columns=list(table.names)).to_csv(out / f"{name}.csv", index=False)
        return out
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = GUIDE_SHEET
    ws.append(["rcc input tables: fill one sheet per table (required tables: " + ", ".join(REQUIRED_TABLES)
               + "); leave optional tables empty if you have none. Each row below is one column of a sheet."])
    ws.append(list(guide.columns))
    for row in guide.itertuples(index=False):
        ws.append(list(row))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for name, table in TABLES.items():
        sheet = wb.create_sheet(name)
        sheet.append(list(table.names))
        for i, col in enumerate(table.columns, start=1):
            sheet.cell(1, i).font = Font(bold=True)
            letter = sheet.cell(1, i).column_letter
            sheet.column_dimensions[letter].width = max(12, len(col.name) + 2)
            if col.dtype == "str":  # the whole column formatted as text: ids typed as digits stay text
                sheet.column_dimensions[letter].number_format = "@"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
