"""The Excel workbook of a report (:func:`write_excel`)."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import METRIC_LABELS, Plan
from rcc.report.formatting import _attribution, _method_label, _plan_facts, _suppression_note
from rcc.report.release import SUPPRESSED, _is_c
from rcc.report.tables import _check_no_child_ids, _suppress_frames, report_tables

_SHEETS = ("placements", "shortfall", "by_council", "unmet_by_need", "utilisation", "distance_bands", "flows")


def write_excel(
    plan_or_frames: Plan | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
) -> Path:
    """Write an Excel workbook: a Summary sheet and one sheet per table.

    Parameters
    ----------
    plan_or_frames : Plan or Mapping[str, pandas.DataFrame]
        A plan (tables from :func:`report_tables`), or result tables such as
        :meth:`Plan.to_frames`: a ``placements`` table (and ``shortfall``) is the base;
        a long ``metrics`` table (``metric``/``value``, it fills the Summary) and
        per-council tables (``council_id`` and count columns of
        :data:`CHILD_COUNT_COLUMNS`) must add up from it, and all are suppressed and
        audited together as in :func:`report_tables`.
    path : str or Path
        The ``.xlsx`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`.
    compare_with : Plan, optional
        Another plan of the same region (e.g. the greedy baseline): its headline metrics
        are shown beside the plan's on the Summary sheet.

    Returns
    -------
    Path

    Raises
    ------
    rcc.InvalidInputError
        A table has a child id column (reports are cohort-level only); frames without a
        placements table, with counts that do not add up from it, or with counts in a
        table that cannot be related to it.
    rcc.SolverError
        HiGHS failed while auditing the suppression.
    """
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = int(suppress_below)
    if isinstance(plan_or_frames, Plan):
        plan: Plan | None = plan_or_frames
        tables = report_tables(plan_or_frames, suppress_below=t)
    else:
        plan = None
        _check_no_child_ids(plan_or_frames)
        tables = _suppress_frames(plan_or_frames, t)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(["rcc placement plan report"])
    ws["A1"].font = _font(size=14)
    ws.append([])
    if plan is not None:
        _plan_summary(ws, plan, tables["summary"], compare_with, t)
    elif "metrics" in tables:
        _metrics_summary(ws, tables["metrics"])
    _notes(ws, t)
    names = [n for n in _SHEETS if n in tables] + [n for n in tables if n not in _SHEETS and n not in ("summary", "metrics")]
    for name in names:
        _table_sheet(wb.create_sheet(name[:31]), tables[name])
    _defuse_formulas(wb)
    wb.save(path)
    return path


def _font(size: float | None = None) -> Any:
    """Bold (at ``size`` when given)."""
    from openpyxl.styles import Font

    return Font(bold=True) if size is None else Font(bold=True, size=size)


def _header(ws: Any, n_cols: int) -> None:
    """Style the last row's first ``n_cols`` cells as a header: bold on a light blue fill."""
    from openpyxl.styles import PatternFill

    for c in range(1, n_cols + 1):
        ws.cell(ws.max_row, c).font = _font()
        ws.cell(ws.max_row, c).fill = PatternFill("solid", fgColor="DDE7F0")


def _plan_summary(ws: Any, plan: Plan, summary: pd.DataFrame, compare_with: Plan | None, threshold: int) -> None:
    """The Summary sheet of a plan: its facts, then its headline metrics (``compare_with``'s beside)."""
    from openpyxl.styles import Alignment

    for k, v in _plan_facts(plan):
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = _font()
    ws.append([])
    other = report_tables(compare_with, suppress_below=threshold)["summary"] if compare_with is not None else None
    header = ["Metric", _method_label(plan)] + ([_method_label(compare_with)] if compare_with is not None else [])
    ws.append(header)
    _header(ws, len(header))
    for i, r in summary.iterrows():
        row = [r.label, _excel_value(r.value)]
        if other is not None:
            row.append(_excel_value(other.value.iloc[i]))
        ws.append(row)
        for c in range(2, len(row) + 1):
            ws.cell(ws.max_row, c).number_format = _number_format(str(r.metric))
            ws.cell(ws.max_row, c).alignment = Alignment(horizontal="right")


def _metrics_summary(ws: Any, metrics: pd.DataFrame) -> None:
    """The Summary sheet of result frames: their long ``metrics`` table."""
    from openpyxl.styles import Alignment

    ws.append(["Metric", "Value"])
    _header(ws, 2)
    for r in metrics.itertuples():
        ws.append([METRIC_LABELS.get(r.metric, r.metric), _excel_value(r.value)])
        ws.cell(ws.max_row, 2).number_format = _number_format(str(r.metric))
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="right")


def _notes(ws: Any, threshold: int) -> None:
    """The Summary sheet's closing notes (suppression, data, costs, when made) and its column widths."""
    from openpyxl.styles import Alignment

    ws.append([])
    for k, v in (
        ("Suppression", _suppression_note(threshold)),
        ("Data", _attribution()),
        ("Costs", "Weekly costs are editable order-of-magnitude defaults (rcc.datasets.DEFAULT_WEEKLY_COST_GBP), not published prices."),
        ("Generated", f"{_dt.datetime.now():%Y-%m-%d %H:%M} by rcc"),
    ):
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = _font()
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 30


def _table_sheet(sh: Any, df: pd.DataFrame) -> None:
    """One table on its own sheet: a header row, number formats by column, a frozen header and a filter."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    cols = [str(c) for c in df.columns]
    sh.append(cols)
    _header(sh, len(cols))
    for rec in df.itertuples(index=False):
        sh.append([_excel_value(v) for v in rec])
    for j, col in enumerate(cols, start=1):
        fmt = _number_format(col)
        letter = get_column_letter(j)
        width = max([len(col)] + [len(str(v)) for v in df.iloc[:200, j - 1].tolist()]) + 2
        sh.column_dimensions[letter].width = min(60, max(8, width))
        for cell in sh[letter][1:]:
            if isinstance(cell.value, (int, float)):
                cell.number_format = fmt
            elif cell.value == SUPPRESSED:
                cell.alignment = Alignment(horizontal="right")
    sh.freeze_panes = "A2"
    if len(df):
        sh.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"


#: First characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _defuse_formulas(wb: Any) -> int:
    """Store every text cell of a workbook as text, never as a formula.

    openpyxl turns any string starting with ``=`` into a live formula; names and ids come
    from outside data (Ofsted owner names become provider groups), so every string cell
    is set to the string type, and the ones starting like a formula (``= + - @``, tab, CR,
    LF) also get Excel's quote prefix, so editing the cell keeps it text. Returns how many
    cells started like a formula.
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


def _excel_value(v: Any) -> Any:
    if _is_c(v):
        return SUPPRESSED
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _number_format(col: str) -> str:
    if col.startswith("pct") or col.endswith("_pct"):
        return "0.0"
    if "gbp" in col:
        return '"£"#,##0'
    if col in ("mean_distance_miles", "distance_miles", "provider_hhi") or col.endswith("_miles"):
        return "#,##0.0"
    return "#,##0"
