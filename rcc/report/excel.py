"""The Excel workbook of a result (:func:`write_excel`): a plan, a sufficiency plan or a comparison."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.result import METRIC_LABELS, Plan
from rcc.analysis.comparison import Comparison
from rcc.core.errors import InvalidInputError
from rcc.core.progress import progress_shown
from rcc.report.formatting import _attribution, _method_label, _plan_facts, _suppression_note
from rcc.report.glossary import COLUMN_NOTES, glossary_rows
from rcc.report.grouped import comparison_tables, sufficiency_tables
from rcc.report.release import SUPPRESSED
from rcc.report.tables import _check_no_child_ids, _suppress_frames, report_tables
from rcc.report.workbook import FLAG, bar_chart, defuse_formulas, notes_sheet, released, write_table
from rcc.sufficiency.result import SufficiencyPlan

_SHEETS = ("placements", "shortfall", "by_council", "unmet_by_need", "utilisation", "distance_bands", "flows")
_HEADLINE = tuple(METRIC_LABELS)


@attrs.define
class _Chart:
    """A native bar chart: data columns (by name) against a category column, on ``sheet``;
    ``groups``: one series per group of ``rows_per_group`` rows of one value column."""

    sheet: str
    title: str
    y_title: str
    values: tuple[str, ...]
    category: str
    percent: bool = False
    groups: tuple[str, ...] = ()
    anchor: str = ""


@attrs.define
class _Book:
    title: str
    facts: list[tuple[str, Any]]
    sheets: dict[str, pd.DataFrame]
    charts: list[_Chart] = attrs.Factory(list)
    extra_notes: list[tuple[str, str]] = attrs.Factory(list)


def write_excel(
    result: Plan | SufficiencyPlan | Comparison | Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
    progress: bool = True,
) -> Path:
    """Write an Excel workbook of a result: a Summary sheet, one sheet per table, native
    charts and a Notes sheet (sources, the suppression rule, a glossary of codes).

    Every sheet is one release with small-number suppression (see
    :func:`report_tables`): a suppressed cell is left **empty** and the column
    ``<column>_suppressed`` beside it is TRUE there, so numeric columns stay numeric
    (``pandas.read_excel`` gives numbers; counts are whole numbers shown ``#,##0``,
    percentages fractions shown ``0.0%``, money whole pounds shown ``£#,##0``). Council
    names are beside council codes. No cell holds a formula, and text that starts like
    one (``= + - @``) is stored as text with Excel's quote prefix.

    Parameters
    ----------
    result : Plan, SufficiencyPlan, Comparison or Mapping[str, pandas.DataFrame]
        A plan (tables from :func:`report_tables`); a sufficiency plan (per year: summary
        with children placed in new places, places by year, new capacity, closures,
        costs, budgets, per council, distance bands, unmet by need and reason, placements,
        shortfall); a comparison (the same per scenario, side by side, one release in
        which each cohort's children are the same in every scenario); or result tables
        such as :meth:`Plan.to_frames`: a ``placements`` table (and ``shortfall``) is the
        base; a long ``metrics`` table (``metric``/``value``) and per-council tables
        (``council_id`` and count columns of :data:`CHILD_COUNT_COLUMNS`) must add up from
        it, and all are suppressed and audited together.
    path : str or Path
        The ``.xlsx`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`.
    compare_with : Plan, optional
        Only with a plan: another plan of the same region (e.g. the greedy baseline), its
        headline metrics as a second Summary row (cells its own report suppresses are
        suppressed, and so is anything that would reveal the region's number of children
        where the plan's row hides it).
    progress : bool
        Show how far a long suppression audit has gone on stderr (its rounds at most one line every few
        seconds, a line for each pooling retry), unless something shows them already:
        :func:`rcc.core.progress.progress_shown`.

    Returns
    -------
    Path

    Raises
    ------
    rcc.InvalidInputError
        A table has a child id column (reports are cohort-level only); frames without a
        placements table, with counts that do not add up from it, or with counts in a
        table that cannot be related to it; ``compare_with`` with anything but a plan.
    rcc.SolverError
        HiGHS failed while auditing the suppression.
    """
    path = Path(path)
    t = int(suppress_below)
    if compare_with is not None and not isinstance(result, Plan):
        raise InvalidInputError("write_excel", None, "compare_with", "only with a Plan", type(result).__name__)
    with progress_shown(progress):
        return _write_excel(result, path, t, compare_with)


def _write_excel(result: Any, path: Path, t: int, compare_with: Plan | None) -> Path:
    from openpyxl import Workbook

    if isinstance(result, Plan):
        book = _plan_book(result, t, compare_with)
    elif isinstance(result, SufficiencyPlan):
        book = _sufficiency_book(result, t)
    elif isinstance(result, Comparison):
        book = _comparison_book(result, t)
    elif isinstance(result, Mapping):
        book = _frames_book(result, t)
    else:
        raise InvalidInputError(
            "write_excel", None, "result", "a Plan, SufficiencyPlan, Comparison or a mapping of tables", type(result).__name__
        )
    wb = Workbook()
    wb.remove(wb.active)
    positions = {}
    for name, df in book.sheets.items():
        positions[name] = write_table(wb.create_sheet(name[:31]), df, COLUMN_NOTES)
    for ch in book.charts:
        _add_chart(wb, book.sheets[ch.sheet], positions[ch.sheet], ch)
    notes_sheet(wb.create_sheet("Notes"), _notes(book, t))
    defuse_formulas(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _add_chart(wb: Any, df: pd.DataFrame, pos: dict[str, int], ch: _Chart) -> None:
    ws = wb[ch.sheet[:31]]
    if not len(df):
        return  # nothing to draw: the sheet says so (no rows)
    anchor = ch.anchor or f"{_letter(len(df.columns) + 2)}2"
    if not ch.groups:
        bar_chart(ws, ch.title, ch.y_title, [pos[c] for c in ch.values], pos[ch.category], len(df), anchor, percent=ch.percent)
        return
    from openpyxl.chart import BarChart, Reference, Series

    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", ch.title, 8, 16
    chart.y_axis.title = ch.y_title
    chart.y_axis.delete = chart.x_axis.delete = False
    per = len(df) // len(ch.groups)
    col = pos[ch.values[0]]
    for i, g in enumerate(ch.groups):
        ref = Reference(ws, min_col=col, min_row=2 + i * per, max_row=1 + (i + 1) * per)
        chart.series.append(Series(ref, title=str(g)))
    chart.set_categories(Reference(ws, min_col=pos[ch.category], min_row=2, max_row=1 + per))
    ws.add_chart(chart, anchor)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j)


# -------------------------------------------------------------------- a plan


def _plan_book(plan: Plan, t: int, compare_with: Plan | None) -> _Book:
    tables = report_tables(plan, suppress_below=t)
    rows = [_headline_row(_method_label(plan), tables["summary"])]
    if compare_with is not None:
        other = report_tables(compare_with, suppress_below=t)["summary"]
        rows.append(_guard_children(_headline_row(_method_label(compare_with), other), rows[0]))
    sheets = {"Summary": pd.concat(rows, ignore_index=True)}
    names = _names(plan.region)
    for name in _SHEETS:
        sheets[name] = _with_names(released(tables[name]), names)
    facts = [_gap_fact(plan.info.gap) if k == "Solver gap" and v.endswith("%") else (k, _number(v))
             for k, v in _plan_facts(plan)]
    charts = [_Chart("distance_bands", "Children placed by distance from home", "children", ("children",), "band")]
    return _Book(f"rcc placement plan: {plan.region.name}", facts, sheets, charts)


def _headline_row(label: str, summary: pd.DataFrame) -> pd.DataFrame:
    """The long released summary (metric, label, value) as one typed row."""
    mask = summary.attrs["suppressed"]["value"].to_numpy(dtype=bool)
    row: dict[str, Any] = {"plan": label}
    for i, metric in enumerate(summary.metric):
        row[metric] = None if mask[i] else summary.value.iloc[i]
        row[metric + FLAG] = bool(mask[i])
    df = pd.DataFrame([row])
    return df.astype({m: float for m in summary.metric})


def _guard_children(other: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """The second plan's row: its region's children (the same children) never shown where
    the first row hides them, nor placed and unmet both (they add up to them)."""
    other = other.copy()
    if bool(first["children" + FLAG].iloc[0]):
        hide = ["children"] + ([] if other["placed" + FLAG].iloc[0] or other["unmet" + FLAG].iloc[0] else ["placed"])
        for m in hide:
            other[m] = np.nan
            other[m + FLAG] = True
        for m in _HEADLINE:  # shares and means of the hidden placed go with it
            if m not in ("children", "unmet") and "placed" in hide:
                other[m], other[m + FLAG] = np.nan, True
    return other


def _frames_book(frames: Mapping[str, pd.DataFrame], t: int) -> _Book:
    _check_no_child_ids(frames)
    tables = _suppress_frames(frames, t)
    sheets: dict[str, pd.DataFrame] = {}
    if "metrics" in tables:
        m = tables["metrics"]
        sheets["Summary"] = _headline_row("plan", m.assign(label=m.metric))
    order = [n for n in _SHEETS if n in tables] + [n for n in tables if n not in _SHEETS and n != "metrics"]
    for name in order:
        sheets[name] = released(tables[name])
    return _Book("rcc result tables", [], sheets)


# -------------------------------------------------------------------- a sufficiency plan


def _sufficiency_book(plan: SufficiencyPlan, t: int) -> _Book:
    tables = sufficiency_tables(plan, suppress_below=t)
    names = _names(plan.region)
    summary = released(tables["by_year"])
    sheets = {"Summary": summary, "places_by_year": _places_by_year(tables["capacity"])}
    sheets["new_capacity"] = tables["builds"].rename(columns={"council_name": "council"})
    sheets["closures"] = _with_names(tables["closures"], names)
    sheets["capacity"] = tables["capacity"].rename(columns={"council_name": "council"})
    sheets["costs"] = _costs(tables["costs"], summary)
    sheets["budgets"] = released(tables["budget_use"])
    for name in ("by_council", "distance_bands", "unmet_by_need", "placements", "shortfall"):
        sheets[name] = _with_names(released(tables[name]), names)
    years = tuple(str(y) for y in tables["distance_bands"].year.unique())
    charts = [
        _Chart("places_by_year", "New places by year (available)", "places", ("new_places", "closed_places"), "year"),
        _Chart("Summary", "Children placed in new and existing places", "children",
               ("placed_in_new_places", "placed_in_existing_homes"), "year"),
        _Chart("distance_bands", "Children placed by distance from home, per year", "children", ("children",), "band",
               groups=tuple(f"year {y}" for y in years)),
    ]
    facts: list[tuple[str, Any]] = [
        ("Region", plan.region.name), ("Councils", len(plan.region.councils)), ("Years", plan.years),
        ("Status", plan.status.value), ("Solver", plan.info.solver),
        ("Solver gap", "-") if plan.info.gap is None else _gap_fact(plan.info.gap),
        ("Run time (s)", round(float(plan.info.runtime_s), 1)), ("New places", plan.new_places),
    ]
    if plan.info.note:
        facts.append(("Note", plan.info.note))
    extra = [
        ("Costs sheet", "placements_gbp (the year's cost of placements, as on the Summary sheet), revenue_gbp and "
         "total_gbp add up children's placements: they are suppressed (empty, flagged) in a year whose placements_gbp "
         "is suppressed on the Summary sheet (with its weekly cost)."),
        ("Budgets sheet", "used_gbp, headroom_gbp and binding of a revenue budget include placement costs: suppressed "
         "whenever suppression is on. Capital budgets are shown."),
        ("Not in this workbook", "growth_vs_moves (children per RCC inside, outside, in new places) is not released here: "
         "its counts are not part of the audited release; see SufficiencyPlan.growth_vs_moves."),
    ]
    return _Book(f"rcc sufficiency plan: {plan.region.name}", facts, sheets, charts, extra)


def _places_by_year(capacity: pd.DataFrame) -> pd.DataFrame:
    """Places per plan year over the region (capacity, not children: never suppressed)."""
    cols = ["existing_places", "closed_places", "new_places", "net_new_places"]
    out = capacity.groupby("year", as_index=False)[[c for c in cols if c in capacity.columns]].sum()
    return out.astype({c: np.int64 for c in out.columns if c != "year"})


def _costs(costs: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Money per year: the released costs and, from the released cost of placements of the
    Summary sheet (``placements_gbp``), the revenue and totals that add it (empty and
    flagged in a year where it is suppressed)."""
    by_year = summary.set_index("year")
    hidden = costs.year.map(by_year["placements_gbp" + FLAG]).fillna(True).astype(bool).to_numpy()
    place = costs.year.map(by_year.placements_gbp).astype(float).where(~hidden)
    revenue = costs.programme_revenue_gbp.astype(float) + place
    out: dict[str, Any] = {}
    for c in costs.columns:
        out[c] = costs[c]
        if c == "savings_gbp":
            out["placements_gbp"], out["placements_gbp" + FLAG] = place, hidden
    out["revenue_gbp"], out["revenue_gbp" + FLAG] = revenue, hidden
    out["total_gbp"], out["total_gbp" + FLAG] = costs.capital_gbp.astype(float) + revenue, hidden
    return pd.DataFrame(out)


# -------------------------------------------------------------------- a comparison


def _comparison_book(cmp: Comparison, t: int) -> _Book:
    tables = comparison_tables(cmp, suppress_below=t)
    names = _names(cmp.base)
    sheets = {"Summary": released(tables["summary"]), "scenarios": tables["scenarios"]}
    for name in ("by_council", "distance_bands", "unmet_by_need", "placements", "shortfall"):
        sheets[name] = _with_names(released(tables[name]), names)
    order = tuple(str(s) for s in cmp.plans)
    charts = [
        _Chart("Summary", "Placed within 20 miles and inside own council, by scenario", "share of children placed",
               ("pct_within_20_miles", "pct_inside_own_council"), "scenario", percent=True),
        _Chart("Summary", "Children placed and without a home, by scenario", "children", ("placed", "unmet"), "scenario",
               anchor=f"{_letter(len(sheets['Summary'].columns) + 2)}20"),
        _Chart("distance_bands", "Children placed by distance from home, per scenario", "children", ("children",), "band",
               groups=order),
    ]
    facts: list[tuple[str, Any]] = [
        ("Region", cmp.base.name), ("Councils", len(cmp.base.councils)), ("Scenarios", len(cmp.plans)),
        ("Baseline", cmp.baseline), ("RCC councils", ", ".join(cmp.rcc)),
    ]
    extra = [("Scenarios", "one release: a council with the same children in two scenarios is audited as such, so no "
              "scenario's tables can be set against another's to work out a suppressed count.")]
    return _Book(f"rcc scenario comparison: {cmp.base.name}", facts, sheets, charts, extra)


# -------------------------------------------------------------------- shared


def _names(region: Any) -> pd.Series:
    return region.councils.set_index("council_id").name


def _with_names(df: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Council names beside council codes (``council`` after ``council_id``,
    ``home_council`` after ``home_council_id``) where the table has none."""
    out = df.copy()
    for code, name in (("council_id", "council"), ("home_council_id", "home_council")):
        if code in out.columns and name not in out.columns:
            out.insert(out.columns.get_loc(code) + 1, name, out[code].astype(str).map(names))
    return out


def _gap_fact(gap: float) -> tuple[str, float]:
    """The solver's relative gap as a number, in percent (a workbook keeps numbers numeric)."""
    return ("Solver gap (%)", round(100 * float(gap), 4))


def _number(v: Any) -> Any:
    """A fact given as text ("1,234", "0.5") as a number."""
    if isinstance(v, str) and re.fullmatch(r"-?\d[\d,]*(\.\d+)?", v):
        f = float(v.replace(",", ""))
        return int(f) if f.is_integer() and "." not in v else f
    return v


def _notes(book: _Book, t: int) -> list[tuple[str, list[tuple[str, Any]]]]:
    rule = _suppression_note(t).replace(
        f"are shown as '{SUPPRESSED}' (suppressed)", "are suppressed (left empty, TRUE in the <column>_suppressed column beside them)"
    )
    reading = [
        ("Suppressed cells", f"Empty, with TRUE in the column <column>{FLAG} right after (FALSE elsewhere). An empty cell "
         "whose flag is FALSE has no value (e.g. a share of no children)."),
        ("Suppression rule", rule),
        ("Numbers", "Counts are whole numbers; percentages are stored as fractions shown as % (0.557 is 55.7%); money is "
         "in pounds (GBP), weekly where the column is weekly_cost_gbp; distances in miles. No cell holds a formula."),
        ("Charts", "Native Excel charts draw the cells of their sheet: a suppressed cell is a gap."),
        *book.extra_notes,
    ]
    sources = [
        ("Data", _attribution()),
        ("Costs", "Weekly costs of the embedded England: children's homes from published averages (NCERCC 2020) with a "
         "high-cost tail (LGA 2023), rcc defaults elsewhere; every figure's source in rcc.datasets.weekly_costs()."),
        ("Generated", f"{_dt.datetime.now():%Y-%m-%d %H:%M} by rcc"),
    ]
    return [(book.title, book.facts), ("How to read this workbook", reading), ("Sources", sources),
            ("Glossary of codes", glossary_rows())]
