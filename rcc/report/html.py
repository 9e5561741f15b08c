"""The self-contained HTML report of a plan, a sufficiency plan or a comparison
(:func:`write_html`), from Jinja2 templates (``rcc/report/templates``, autoescaped)."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import Plan
from rcc.analysis.comparison import Comparison
from rcc.core.display import fmt_gap
from rcc.core.errors import InvalidInputError
from rcc.core.glossary import GLOSSARY
from rcc.core.progress import progress_shown
from rcc.report.formatting import _attribution, _fmt_value, _method_label, _plan_facts, _suppression_note
from rcc.report.glossary import _band_words
from rcc.report.plots import ComparisonPlots, PlanPlots, SufficiencyPlots, flow_map, tables_of
from rcc.report.release import _is_c
from rcc.report.tables import DISTANCE_BANDS
from rcc.sufficiency.result import SufficiencyPlan

#: Report words whose glossary entry is about another use of the word (or that are not codes of the library).
_REPORT_WORDS = {
    "council": ("column", "the name of the council of the council_id beside it"),
    "placement_council": ("column", "the name of the council where the home is (placement_council_id)"),
    "optimised": ("plan", "the optimised plan: every cohort placed together by the optimiser (method optimise)"),
    "greedy baseline": ("plan", "the greedy baseline: each child placed referral by referral in the nearest home "
                        "with a free place, as today (method greedy)"),
}

_BANDS = {b: ("distance band, miles", _band_words(lo, hi) + " from home") for b, lo, hi in DISTANCE_BANDS}
#: Columns whose values are codes (each value is explained in the report's glossary).
_CODE_COLUMNS = frozenset({"scenario", "pooling", "market", "status", "method", "need", "home_type", "reason_code",
                           "age_band", "band", "sector"})
_COUNT_METRICS = ("children", "placed", "unmet")
_MAX_ROWS = 500
#: Columns of a sufficiency plan's released ``builds`` the report shows.
_BUILD_COLUMNS = ("year_started", "year_available", "name", "council_name", "home_type", "units", "places", "capital_gbp",
                  "start_up_gbp", "annual_running_gbp")


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_html(
    result: Plan | SufficiencyPlan | Comparison,
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
    progress: bool = True,
) -> Path:
    """Write one self-contained HTML report (inline SVG charts, no scripts, works offline).

    A plan's report: its facts (region, method, status, solver gap) and headline metrics
    (beside ``compare_with``'s when given); charts of placements by distance band (0-5,
    5-10, 10-20, 20-50, 50+ miles), children by home council (inside own council, in
    another council, without a home), children without a home by need and reason, and a
    grid cartogram of flows between councils; then the tables of :func:`report_tables`
    (placements and shortfall detail capped at 500 rows: the Excel workbook has all rows).

    A sufficiency plan's report: children each year by where they are placed, new places
    by year and option, spend against budgets, distance bands per year and each council's
    children per year. A comparison's report: the RCC's children in each scenario side by
    side, distance bands per scenario and each council's children per scenario. Both are
    one release each (:func:`rcc.report.sufficiency_tables`, :func:`rcc.report.comparison_tables`,
    the same the Excel workbook shows), suppressed and audited like a plan's report.

    The charts are those of ``plan.plot`` (matplotlib); without
    matplotlib the report has the tables and says the charts were not drawn.

    Parameters
    ----------
    result : Plan, SufficiencyPlan or Comparison
    path : str or Path
        The ``.html`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`; applies to every table and chart. Suppressed values are
        never drawn at their size.
    compare_with : Plan, optional
        Another plan of the same region (e.g. the greedy baseline), shown beside a plan.
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
        ``result`` is none of the three, or ``compare_with`` is given for a result that is not a plan.
    """
    with progress_shown(progress):
        return _write_html(result, Path(path), int(suppress_below), compare_with)


def _write_html(result: Plan | SufficiencyPlan | Comparison, path: Path, t: int, compare_with: Plan | None) -> Path:
    if isinstance(result, Plan):
        template, context = "plan.html.j2", _plan_context(result, t, compare_with)
    elif compare_with is not None:
        raise InvalidInputError("write_html", None, "compare_with", "a Plan's report only", type(result).__name__)
    elif isinstance(result, SufficiencyPlan):
        template, context = "sufficiency.html.j2", _sufficiency_context(result, t)
    elif isinstance(result, Comparison):
        template, context = "comparison.html.j2", _comparison_context(result, t)
    else:
        raise InvalidInputError("write_html", None, "result", "a Plan, SufficiencyPlan or Comparison", type(result).__name__)
    context.update(
        suppression_note=_suppression_note(t),
        attribution=_attribution(),
        generated=f"{_dt.datetime.now():%Y-%m-%d %H:%M}",
    )
    context.setdefault("warnings", [])
    context["glossary_rows"] = _glossary(context, context.pop("codes", {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_environment().get_template(template).render(**context), encoding="utf-8")
    return path


# ------------------------------------------------------------------ tables and figures


def _numeric_column(values: pd.Series) -> bool:
    """Numbers (or suppressed numbers): right-aligned."""
    vals = [v for v in values.tolist() if not _is_c(v) and v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(vals) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals)


def _table(df: pd.DataFrame, *, caption: str = "", max_rows: int | None = None, formats: dict[str, str] | None = None) -> dict[str, Any]:
    """A table for the ``table`` macro: column names and labels, formatted cells, whether each is a number."""
    shown = df if max_rows is None else df.head(max_rows)
    numeric = [_numeric_column(shown[c]) for c in shown.columns]
    fmt = formats or {}
    rows = [
        [_cell(_fmt_value(fmt.get(str(col), str(col)), v), isnum or _is_c(v), str(col)) for col, v, isnum in zip(shown.columns, rec, numeric)]
        for rec in shown.itertuples(index=False)
    ]
    return {
        "caption": caption,
        "columns": [{"name": str(c), "label": str(c).replace("_", " "), "title": (_lookup(str(c), None) or ("", str(c)))[1]} for c in shown.columns],
        "rows": rows,
        "more": max_rows is not None and len(df) > max_rows,
        "shown": len(shown),
        "total": len(df),
    }


def _lookup(code: str, column: str | None, extra: dict[str, tuple[str, str]] | None = None) -> tuple[str, str] | None:
    """(kind, meaning) of a code shown in a report (in ``column``), or None: a ``band`` column's values are
    distance bands (``5-10`` is also an age band); ``extra`` are the result's own codes (its scenarios)."""
    extra = extra or {}
    if column == "band" and code in _BANDS:
        return _BANDS[code]
    if code in _REPORT_WORDS or (code in extra and code not in GLOSSARY):
        return _REPORT_WORDS.get(code) or extra[code]
    e = GLOSSARY.get(code)
    return None if e is None else (e.kind + (f", {e.unit}" if e.unit else ""), e.meaning)


def _cell(text: str, numeric: bool, column: str) -> tuple[str, bool, str]:
    """A formatted cell: its text, whether it is a number, its tooltip (a code's meaning, else '')."""
    found = None if numeric else _lookup(text, column)
    return text, numeric, "" if found is None else found[1]


def _glossary(context: dict[str, Any], extra: dict[str, tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(code, kind, meaning) of every code the report's tables show, in order of first appearance: every
    column name, every value of a code column (:data:`_CODE_COLUMNS`) and every other cell that is a code
    of the glossary (:func:`_lookup`). A column name or code value with no meaning raises: a report never
    shows a code it cannot explain."""
    out: dict[tuple[str, str], tuple[str, str, str]] = {}

    def add(code: str, column: str | None) -> None:
        found = _lookup(code, column, extra)
        if found is None:
            raise InvalidInputError("glossary", None, "code", "a code explained in rcc.core.glossary", code)
        out.setdefault((code, found[0]), (code, *found))

    for t in context.values():
        if not (isinstance(t, dict) and "columns" in t and "rows" in t):
            continue
        names = [c["name"] for c in t["columns"]]
        for name in names:
            add(name, None)
        for row in t["rows"]:
            for name, (text, numeric, _) in zip(names, row):
                if not numeric and text and (name in _CODE_COLUMNS or _lookup(text, name) is not None):
                    add(text, name)
    return list(out.values())


def _tidy(df: pd.DataFrame, drop: Iterable[str] = ()) -> pd.DataFrame:
    return df.drop(columns=[c for c in drop if c in df.columns])


def _figure(draw: Callable[[Any], Any], size: tuple[float, float], salt: str) -> Any:
    """The chart as inline SVG markup, or None without matplotlib (the template says so)."""
    from markupsafe import Markup

    from rcc.report.charts import matplotlib
    from rcc.report.svg import figure_svg

    try:
        matplotlib()
    except ImportError:
        return None
    return Markup(figure_svg(draw, size, salt))  # matplotlib's SVG: it escapes the text it writes


def _rows_height(n: int) -> tuple[float, float]:
    return (9.0, 1.3 + 0.27 * max(n, 1))


# ------------------------------------------------------------------ a plan


def _plan_context(plan: Plan, t: int, other: Plan | None) -> dict[str, Any]:
    tables = tables_of(plan, t)
    other_tables = tables_of(other, t) if other is not None else None
    me, them = _method_label(plan), (_method_label(other) if other is not None else "")
    pp = PlanPlots(plan)
    fig = {
        "distance": _figure(lambda ax: pp.distance_bands(ax, suppress_below=t, compare_with=other), (9.0, 3.6), "distance"),
        "by_council": _figure(lambda ax: pp.by_council(ax, suppress_below=t), _rows_height(len(tables["by_council"])), "by_council"),
        "unmet": _figure(lambda ax: pp.unmet(ax, suppress_below=t), _rows_height(len(tables["unmet_by_need"]) + 1), "unmet"),
        "flows": _flows_figure(plan, tables, t),
    }
    fl = tables["flows"]
    placements = tables["placements"]
    context: dict[str, Any] = {
        "title": plan.region.name,
        "heading": f"Homes for children in care: {plan.region.name}",
        "lead": "A placement plan made by rcc: children of each council (cohorts of need and age band) matched to homes "
        "with places, close to home. An optimised plan on the embedded data is an idealised benchmark of what matching "
        "alone could do, not what councils achieve today.",
        "facts": _plan_facts(plan),
        "fig": fig,
        "headline": _headline(tables["summary"], me, other_tables["summary"] if other_tables is not None else None, them),
        "withheld": _withheld(tables["summary"], other_tables["summary"] if other_tables is not None else None),
        "other_note": (f"The {them} places children referral by referral in the nearest home with a free place; the "
                       "optimised plan places all cohorts together.") if other is not None else "",
        "by_council": _table(tables["by_council"], caption="Outcomes for each council's children. Shares are of children "
                             "placed; HHI is provider concentration (0-10,000) over provider groups."),
        "unmet": _table(tables["unmet_by_need"]) if len(plan.shortfall) else None,
        "shortfall": _table(tables["shortfall"], max_rows=_MAX_ROWS, caption="Cohorts with children left without a home."),
        "other_unmet": "",
        "flows": _table(fl[fl.council_id != fl.placement_council_id], max_rows=_MAX_ROWS,
                        caption="Children placed outside their own council, by home council and placement council."),
        "utilisation": _table(tables["utilisation"]),
        "placements": _table(_tidy(placements, ["held"]) if not plan.placements.held.any() else placements, max_rows=_MAX_ROWS,
                             caption="Children placed from each home council in each placement council, by home type."),
    }
    if other is not None and other_tables is not None and len(other.shortfall):
        n = other_tables["summary"].set_index("metric").value["unmet"]
        context["other_unmet"] = f"The {them} leaves {_fmt_value('value', n)} children without a home (its own report has the detail)."
    return context


def _flows_figure(plan: Plan, tables: dict[str, pd.DataFrame], t: int) -> Any:
    from rcc.report.cartogram import grid_layout

    g = grid_layout(plan.region.councils[["council_id", "lat", "lon"]])
    ratio = (g.row.max() + 1.4) / (g.col.max() + 1.4) if len(g) else 1.0
    width = 9.0 if len(g) <= 40 else 11.0
    size = (width, max(3.0, min(16.0, width * ratio + 0.8)))
    return _figure(lambda ax: flow_map(plan.region.councils, tables["flows"], tables["by_council"], t, ax), size, "flows")


def _headline(summary: pd.DataFrame, me: str, other: pd.DataFrame | None, them: str) -> dict[str, Any]:
    """The headline metrics (the other plan's beside), each formatted as its metric."""
    head = pd.DataFrame({"metric": summary.label.to_numpy(), me: summary.value.to_numpy()})
    if other is not None:
        head[them] = other.value.to_numpy()
    out = _table(head)
    for row, key, (_, rec) in zip(out["rows"], summary.metric, head.iterrows()):
        row[1:] = [(_fmt_value(_metric_col(str(key)), v), True, "") for v in rec.iloc[1:]]
    return out


#: Why a headline statistic is 'c' (it weighs every placement row, suppressed counts included).
_WITHHELD = {
    "mean_distance_miles": "mean distance",
    "weekly_cost_gbp": "weekly cost",
    "provider_hhi": "provider concentration (HHI)",
}


def _withheld(summary: pd.DataFrame, other: pd.DataFrame | None) -> str:
    """The reason, said beside the headline, that its mean distance, weekly cost or HHI is 'c' ('' when none is)."""
    frames = [summary] + ([other] if other is not None else [])
    hidden = [word for key, word in _WITHHELD.items() if any(_is_c(v) for f in frames for v in f.value[f.metric == key])]
    if not hidden:
        return ""
    weighted = [w for w in hidden if "HHI" not in w]
    parts = []
    if weighted:
        parts.append(f"{' and '.join(weighted)} are sums over every placement row, each row's children weighted by its "
                     "own distance or weekly cost, suppressed rows included: published beside the counts in the tables "
                     "below, that is one more equation on the suppressed counts, and with distinct weights one such "
                     "equation can single out a hidden count of 1 to 4 (the audit publishes such a figure only where "
                     "the counts shown already determine it)")
    if len(weighted) < len(hidden):
        parts.append("provider concentration sums the squared share of every provider group, so it covers the "
                     "suppressed counts too")
    return ("Withheld (c), not small: " + "; ".join(parts) + ". The unsuppressed figures are in plan.metrics, "
            "for internal use only.")


def _metric_col(key: str) -> str:
    return {"weekly_cost_gbp": "weekly_cost_gbp", "utilisation_pct": "utilisation_pct"}.get(
        key, key if key.startswith("pct") else ("value" if key in _COUNT_METRICS else key)
    )


# ------------------------------------------------------------------ a sufficiency plan, a comparison


def _sufficiency_context(suff: SufficiencyPlan, t: int) -> dict[str, Any]:
    tables = tables_of(suff, t)
    budget = tables["budget_use"]
    sp = SufficiencyPlots(suff)
    gap = fmt_gap(suff.info.gap)
    facts = [("Region", suff.region.name), ("Councils", f"{len(suff.region.councils):,}"), ("Years", str(suff.years)),
             ("Status", suff.status.value), ("Solver", suff.info.solver), ("Solver gap", gap),
             ("Run time (s)", f"{suff.info.runtime_s:.1f}"), ("New places", f"{suff.new_places:,}")]
    if suff.info.note:
        facts.append(("Note", suff.info.note))
    return {
        "title": f"sufficiency, {suff.region.name}",
        "heading": f"Sufficiency plan: {suff.region.name}",
        "lead": "What capacity to add, where and when, within the budgets, and where each year's forecast children would "
        "be placed (rcc sufficiency plan). Forecast children are expected numbers, not named children.",
        "facts": facts,
        "warnings": [suff.explain()] if len(suff.explanation) else [],
        "fig": {
            "children": _figure(lambda ax: sp.children(ax, suppress_below=t), _rows_height(suff.years + 1), "children"),
            "timeline": _figure(sp.timeline, (9.0, 3.6), "timeline"),
            "spend": _figure(sp.spend, (9.0, 3.8), "spend"),
            "distance": _figure(lambda ax: sp.distance_bands(ax, suppress_below=t), (9.0, 3.6), "distance"),
        },
        "by_year": _table(tables["by_year"]),
        "builds": _table(tables["builds"][[c for c in _BUILD_COLUMNS if c in tables["builds"].columns]],
                         caption="Options started, by year.", max_rows=_MAX_ROWS),
        "costs": _table(tables["costs"], caption="Money per year (nominal GBP)."),
        "budget_use": _table(budget.assign(year=budget.year.astype(object).where(budget.year.notna(), "all years")),
                             caption="Every budget limit and its use.") if len(budget) else None,
        "distance_bands": _table(tables["distance_bands"]),
        "by_council": _table(tables["by_council"], max_rows=_MAX_ROWS, caption="Each council's children, each plan year."),
    }


def _rcc_name(cmp: Comparison) -> str:
    """The RCC's name given to its scenarios (with its neighbours), else the base region's name."""
    names = {s.rcc_name for s in cmp.scenarios if s.rcc and s.rcc_name != "RCC"}
    if cmp.rcc and len(names) == 1:
        return f"{names.pop()} and its neighbours" if len(cmp.base.councils) > len(cmp.rcc) else names.pop()
    return cmp.base.name


def _comparison_context(cmp: Comparison, t: int) -> dict[str, Any]:
    tables = tables_of(cmp, t)
    cp = ComparisonPlots(cmp)
    scope = f"the RCC's {len(cmp.rcc)} councils" if cmp.rcc else "every council of the region"
    scenarios = tables["scenarios"][["scenario", "pooling", "status"]]
    by_council = tables["by_council"]
    if cmp.rcc:  # the RCC's councils: a subset of the released rows
        by_council = by_council[by_council.council_id.isin(cmp.rcc)]
    return {
        "title": f"pooling comparison, {cmp.base.name}",
        "heading": f"Pooling comparison: {_rcc_name(cmp)}",
        "lead": f"The same children planned under each scenario (which homes each council may use), on the same data. "
        f"The scenarios side by side and the council table count the children of {scope}; the distance bands count "
        f"every child planned ({len(cmp.base.councils)} councils).",
        "codes": {s.name: ("scenario", s.description or "a scenario of this comparison") for s in cmp.scenarios},
        "facts": [("Region", cmp.base.name), ("Councils", f"{len(cmp.base.councils):,}"), ("Scenarios", str(len(cmp.scenarios))),
                  ("Baseline", cmp.baseline)],
        "fig": {
            "outcomes": _figure(lambda ax: cp.outcomes(ax, suppress_below=t), (9.0, 2.6 + 0.45 * len(cmp.scenarios)), "outcomes"),  # room for the scenarios' meanings under the legend
            "distance": _figure(lambda ax: cp.distance_bands(ax, suppress_below=t), (9.0, 3.8), "distance"),
        },
        "by_scenario": _table(tables["by_scenario"]),
        "scenarios": _table(scenarios, caption="The scenarios (pooling: which homes each council may use)."),
        "distance_bands": _table(tables["distance_bands"]),
        "by_council": _table(by_council, max_rows=_MAX_ROWS, caption="Each council's children, each scenario."),
    }
