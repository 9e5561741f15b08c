"""Sheets of the Excel workbook (internal to :mod:`rcc.report`): released tables as typed
columns (a suppressed cell is empty, with a ``<column>_suppressed`` flag beside it),
number formats, widths, a frozen header, native charts, the Notes sheet and the guard
against text read as a formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.report.release import _is_c

#: Suffix of the flag column beside every column that can hold a suppressed cell.
FLAG = "_suppressed"

FORMATS = {
    "pct": "0.0%",
    "gbp": '"£"#,##0',
    "miles": "#,##0.0",
    "int": "#,##0",
    "year": "0",
    "num": "#,##0.00",
}
_YEARS = ("year", "year_started", "year_available", "year_closed")

#: First characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def column_kind(col: str, values: pd.Series) -> str:
    """How a column is stored and formatted: ``pct`` (stored as a fraction), ``gbp``,
    ``miles``, ``year``, ``int``, ``num``, ``bool`` or ``text``."""
    if pd.api.types.is_bool_dtype(values.dtype) or col.endswith(FLAG):
        return "bool"
    present = values[values.notna()]
    if len(present) and not all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in present):
        return "text"
    if not len(present) and values.dtype == object:
        return "text"
    if col.startswith("pct") or col.endswith("_pct"):
        return "pct"
    if "gbp" in col:
        return "gbp"
    if "hhi" in col:
        return "int"
    if col.endswith("_miles") and "distance" in col:
        return "miles"
    if col in _YEARS:
        return "year"
    as_float = pd.to_numeric(present, errors="coerce").to_numpy(dtype=float)
    return "int" if np.all(np.isclose(as_float, np.round(as_float))) else "num"


def released(df: pd.DataFrame) -> pd.DataFrame:
    """A released table (``"c"`` where suppressed, ``attrs["suppressed"]`` its mask) as
    typed columns: each suppressed cell empty and a ``<column>_suppressed`` flag column
    right after every column that can hold one (the same columns for every threshold).

    Raises
    ------
    rcc.InvalidInputError
        A ``"c"`` outside the mask (a cell suppressed by nobody knows what).
    """
    mask = df.attrs.get("suppressed")
    mask = mask if isinstance(mask, pd.DataFrame) else pd.DataFrame(index=df.index)
    out: dict[str, pd.Series] = {}
    for c in df.columns:
        col = df[c]
        if c in mask.columns:
            m = mask[c].to_numpy(dtype=bool)
            stray = ~m & col.map(_is_c).to_numpy(dtype=bool)
            if stray.any():
                raise InvalidInputError(str(c), int(np.flatnonzero(stray)[0]), str(c), "a number (or a cell of the mask)", "c")
            col = pd.Series(np.where(m, None, col.to_numpy(dtype=object)), index=df.index, dtype=object)
            flags = col.notna().any() and col.dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all()
            if not flags:  # true / false stays so (a budget's binding), empty where suppressed
                col = pd.to_numeric(col, errors="raise") if col.notna().any() else col.astype(float)
            out[str(c)] = col
            out[f"{c}{FLAG}"] = pd.Series(m, index=df.index)
        else:
            out[str(c)] = col
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def stored(kind: str, v: Any) -> Any:
    """A value as the workbook stores it (Python types; percentages as fractions, rounded)."""
    if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if kind == "text":
        return str(v)
    if kind in ("int", "year") or (kind == "gbp"):
        return int(round(float(v)))
    if kind == "pct":
        return round(float(v) / 100.0, 4)
    if kind == "miles":
        return round(float(v), 2)
    if isinstance(v, (np.integer, int)):
        return int(v)
    return round(float(v), 6)


def write_table(ws: Any, df: pd.DataFrame, notes: dict[str, str] | None = None, first_row: int = 1) -> dict[str, int]:
    """One table from ``first_row``: a bold header (with a comment where ``notes`` explains
    a column), typed values with number formats, widths, a frozen header and a filter.
    Returns the column position (1-based) of each column."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    cols = [str(c) for c in df.columns]
    kinds = {c: column_kind(c, df[c]) for c in cols}
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(first_row, j, c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        if notes and c in notes:
            cell.comment = Comment(notes[c], "rcc")
    for i, rec in enumerate(df.itertuples(index=False), start=first_row + 1):
        for j, (c, v) in enumerate(zip(cols, rec), start=1):
            value = stored(kinds[c], v)
            if value is not None:
                cell = ws.cell(i, j, value)
                if kinds[c] in FORMATS:
                    cell.number_format = FORMATS[kinds[c]]
    for j, c in enumerate(cols, start=1):
        shown = [len(c)] + [len(_shown(kinds[c], v)) for v in df[c].iloc[:300].tolist()]
        ws.column_dimensions[get_column_letter(j)].width = min(50, max(7, max(shown) + 2))
    if first_row == 1:
        ws.freeze_panes = "A2"
        if len(df):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    return {c: j for j, c in enumerate(cols, start=1)}


def _shown(kind: str, v: Any) -> str:
    """Roughly how a value is displayed (for column widths)."""
    value = stored(kind, v)
    if value is None:
        return ""
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, (int, float)):
        return f"£{value:,.0f}" if kind == "gbp" else f"{value:,.1f}"
    return str(value)


def bar_chart(
    ws: Any, title: str, y_title: str, data_cols: Sequence[int], cat_col: int, n_rows: int, anchor: str,
    *, percent: bool = False, header_row: int = 1, source: Any = None,
) -> None:
    """A native clustered bar chart of columns ``data_cols`` (series named by their header)
    against categories ``cat_col``, over rows ``header_row + 1 ..`` of ``source`` (default
    ``ws``), placed at ``anchor`` on ``ws``."""
    from openpyxl.chart import BarChart, Reference

    src = source if source is not None else ws
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    if percent:
        chart.y_axis.number_format = "0%"
    chart.height, chart.width = 8, 16
    for c in data_cols:
        chart.add_data(Reference(src, min_col=c, min_row=header_row, max_row=header_row + n_rows), titles_from_data=True)
    chart.set_categories(Reference(src, min_col=cat_col, min_row=header_row + 1, max_row=header_row + n_rows))
    ws.add_chart(chart, anchor)


def notes_sheet(ws: Any, sections: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> None:
    """The Notes sheet: titled sections of (term, text) rows, wrapped."""
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110
    for i, (title, rows) in enumerate(sections):
        if i:
            ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=13 if i else 15)
        for term, text in rows:
            ws.append([term, text])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            ws.cell(ws.max_row, 1).alignment = Alignment(vertical="top")
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")


def defuse_formulas(wb: Any) -> int:
    """Store every text cell of a workbook as text, never as a formula.

    openpyxl turns any string starting with ``=`` into a live formula; names and ids come
    from outside data (Ofsted owner names become provider groups, scenario names come from
    users), so every string cell is set to the string type, and the ones starting like a
    formula (``= + - @``, tab, CR, LF) also get Excel's quote prefix, so editing the cell
    keeps it text. Returns how many cells started like a formula.
    """
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(_FORMULA_STARTS):
                        cell.quotePrefix = True
                        risky += 1
    return risky
