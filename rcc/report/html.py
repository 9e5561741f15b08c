"""The self-contained HTML report of a plan (:func:`write_html`)."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from pathlib import Path

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.result import Plan
from rcc.report.formatting import _attribution, _fmt_value, _method_label, _plan_facts, _suppression_note
from rcc.report.release import _is_c
from rcc.report.svg import _BLUE, _FONT, _ORANGE, _SKY, _VERMILLION, _e, _flow_map, _hbar_stacked, _vbar_chart
from rcc.report.tables import report_tables

_COUNT_METRICS = ("children", "placed", "unmet")


_CSS = (
    """
body { font-family: FONT; color: #1d1d1d; margin: 0; background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
p.lead { color: #444; margin-top: 4px; } .note { color: #555; font-size: 13px; }
.facts { display: grid; grid-template-columns: repeat(4, auto); gap: 4px 18px; font-size: 14px; margin: 12px 0; justify-content: start; }
.facts dt { font-weight: 600; } .facts dd { margin: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 4px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e4e4e4; white-space: nowrap; } th { background: #eef3f8; text-align: left; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr:nth-child(even) td { background: #fafcfe; }
.scroll { max-height: 460px; overflow: auto; border: 1px solid #e4e4e4; display: inline-block; max-width: 100%; }
figure { margin: 12px 0 20px; } figcaption { font-size: 13px; color: #555; max-width: 880px; }
svg { max-width: 100%; height: auto; }
footer { margin-top: 36px; font-size: 12px; color: #555; border-top: 1px solid #ddd; padding-top: 10px; }
"""
).replace("FONT", _FONT.replace("'", '"'))



def _numeric_column(values: pd.Series) -> bool:
    """Numbers (or suppressed numbers): right-aligned."""
    vals = [v for v in values.tolist() if not _is_c(v) and v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(vals) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals)


def _html_table(df: pd.DataFrame, *, max_rows: int | None = None, caption: str = "") -> str:
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f'<th title="{_e(c)}">{_e(str(c).replace("_", " "))}</th>' for c in shown.columns)
    body = []
    numeric = [_numeric_column(shown[c]) for c in shown.columns]
    for rec in shown.itertuples(index=False):
        cells = []
        for col, v, isnum in zip(shown.columns, rec, numeric):
            cls = ' class="n"' if isnum or _is_c(v) else ""
            cells.append(f"<td{cls}>{_e(_fmt_value(str(col), v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f'<p class="note">First {max_rows:,} of {len(df):,} rows; the Excel workbook has them all.</p>'
    cap = f'<p class="note">{_e(caption)}</p>' if caption else ""
    return f'{cap}<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{more}'


def _tidy(df: pd.DataFrame, drop: Iterable[str] = ()) -> pd.DataFrame:
    return df.drop(columns=[c for c in drop if c in df.columns])


@attrs.frozen
class _Page:
    """What every section of one HTML report reads: the plan, its suppressed tables, and the
    plan shown beside it (``other``), if any, with its tables."""

    plan: Plan
    tables: dict[str, pd.DataFrame]
    threshold: int
    other: Plan | None = None
    other_tables: dict[str, pd.DataFrame] | None = None

    @property
    def me(self) -> str:
        return _method_label(self.plan)

    @property
    def them(self) -> str:
        return _method_label(self.other) if self.other is not None else ""


def write_html(
    plan: Plan,
    path: str | Path,
    *,
    suppress_below: int = 5,
    compare_with: Plan | None = None,
) -> Path:
    """Write one self-contained HTML report (inline SVG charts, no scripts, works offline).

    Sections: the plan's facts (region, method, status, solver gap) and headline metrics
    (beside ``compare_with``'s when given); charts of placements by distance band (0-5,
    5-10, 10-20, 20-50, 50+ miles), children by home council (inside own council, in
    another council, without a home), children without a home by need and reason, and a
    map of flows between councils; then the tables of :func:`report_tables` (placements
    and shortfall detail capped at 500 rows: the Excel workbook has all rows).

    Parameters
    ----------
    plan : Plan
    path : str or Path
        The ``.html`` file to write (parent folders are created).
    suppress_below : int
        See :func:`report_tables`; applies to every table and chart label. Suppressed
        values are never drawn at their size.
    compare_with : Plan, optional
        Another plan of the same region (e.g. the greedy baseline), shown beside.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = int(suppress_below)
    page = _Page(
        plan=plan,
        tables=report_tables(plan, suppress_below=t),
        threshold=t,
        other=compare_with,
        other_tables=report_tables(compare_with, suppress_below=t) if compare_with is not None else None,
    )
    sections = (_intro, _headline, _distance, _by_council, _without_a_home, _flows, _homes_and_placements, _footer)
    path.write_text(_document(plan.region.name, "".join(section(page) for section in sections)), encoding="utf-8")
    return path


def _document(region_name: str, body: str) -> str:
    """The page around the sections: head, title, inline style."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>rcc report: {_e(region_name)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _intro(page: _Page) -> str:
    """Title, what the plan is, its facts and the suppression note."""
    return (
        f"<h1>Homes for children in care: {_e(page.plan.region.name)}</h1>"
        '<p class="lead">A placement plan made by rcc: children of each council (cohorts of need and age band) '
        "matched to homes with places, close to home. An optimised plan on the embedded data is an idealised "
        "benchmark of what matching alone could do, not what councils achieve today.</p>"
        + '<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _plan_facts(page.plan)) + "</dl>"
        + f'<p class="note">{_e(_suppression_note(page.threshold))}</p>'
    )


def _headline(page: _Page) -> str:
    """The headline metrics, the other plan's beside them."""
    summary = page.tables["summary"]
    head = summary[["label", "value"]].rename(columns={"label": "metric", "value": page.me})
    if page.other_tables is not None:
        head[page.them] = page.other_tables["summary"].value.to_numpy()
    rows = []
    for rec in head.itertuples(index=False):
        key = summary.metric[summary.label == rec[0]].iloc[0]
        rows.append(
            "<tr><td>"
            + _e(rec[0])
            + "</td>"
            + "".join(f'<td class="n">{_e(_fmt_value(_metric_col(key), v))}</td>' for v in rec[1:])
            + "</tr>"
        )
    out = (
        "<h2>Headline</h2>"
        "<table><thead><tr>"
        + "".join(f"<th>{_e(c)}</th>" for c in head.columns)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if page.other is not None:
        out += (
            f'<p class="note">The {_e(page.them)} places children referral by referral in the nearest home with a free '
            "place; the optimised plan places all cohorts together.</p>"
        )
    return out


def _distance(page: _Page) -> str:
    """Children placed by distance band (the other plan's bars beside)."""
    bands = page.tables["distance_bands"]
    series = [(page.me, bands.children.tolist(), _BLUE)]
    if page.other_tables is not None:
        series.append((page.them, page.other_tables["distance_bands"].children.tolist(), _ORANGE))
    return (
        "<h2>Distance from home</h2>"
        "<figure>"
        + _vbar_chart(bands.band.tolist(), series, "Children placed, by distance from home", "children")
        + "<figcaption>Straight-line distance between the home council and the placement (DfE measure; within a "
        "council, the typical distance across it). Bands include their upper bound: 20 miles is within 20 miles."
        "</figcaption></figure>"
    )


def _by_council(page: _Page) -> str:
    """Each council's children by where they are placed: a chart and the table."""
    bc = page.tables["by_council"]
    rows_h = [
        (
            str(r.council),
            [r.placed_inside_own_council, r.placed_outside_own_council, r.unmet],
            r.children,
        )
        for r in bc.itertuples()
    ]
    chart = _hbar_stacked(
        rows_h,
        [("placed inside own council", _BLUE), ("placed in another council", _SKY), ("without a home", _VERMILLION)],
        "Children of each council, by where they are placed",
        "children",
    )
    return (
        "<h2>By council</h2>"
        "<figure>"
        + chart
        + "<figcaption>Councils in name order, not ranked: each council's outcome depends on its children's needs "
        "and on the homes near it.</figcaption></figure>"
        + _html_table(
            bc,
            caption="Outcomes for each council's children. Shares are of children placed; HHI is provider "
            "concentration (0-10,000) over provider groups.",
        )
    )


def _without_a_home(page: _Page) -> str:
    """Children without a home by need and reason (chart, tables), or a note that every child has one."""
    out = ["<h2>Children without a home</h2>"]
    un = page.tables["unmet_by_need"]
    if len(page.plan.shortfall):
        rows_n = [(str(r.need), [r.unreachable, r.capacity, r.weights], r.children) for r in un.itertuples()]
        chart = _hbar_stacked(
            rows_n,
            [
                ("no eligible home within reach", _VERMILLION),
                ("eligible homes within reach full", _ORANGE),
                ("a free place, but the weights prefer no placement", _SKY),
            ],
            "Children without a home, by need and reason",
            "children",
        )
        out.append("<figure>" + chart + "</figure>")
        out.append(_html_table(un))
        shortfall = _tidy(page.tables["shortfall"])
        out.append(_html_table(shortfall, max_rows=500, caption="Cohorts with children left without a home."))
    else:
        out.append('<p class="note">Every child has a home in this plan.</p>')
    if page.other is not None and page.other_tables is not None and len(page.other.shortfall):
        n = page.other_tables["summary"].set_index("metric").value["unmet"]
        out.append(
            f'<p class="note">The {_e(page.them)} leaves {_e(_fmt_value("value", n))} children without a home '
            "(its own report has the detail).</p>"
        )
    return "".join(out)


def _flows(page: _Page) -> str:
    """The map of flows between councils and the table of placements outside a child's own council."""
    fl = page.tables["flows"]
    return (
        "<h2>Flows between councils</h2>"
        + "<figure>" + _flow_map(page.plan, fl, page.tables["by_council"], page.threshold)
        + "<figcaption>Dots are council centroids (ONS); positions are longitude scaled by the cosine of the mean "
        "latitude, so distances look right at this scale. Placements inside a child's own council are not lines "
        "(see the table above).</figcaption></figure>"
        + _html_table(
            fl[fl.council_id != fl.placement_council_id],
            max_rows=500,
            caption="Children placed outside their own council, by home council and placement council.",
        )
    )


def _homes_and_placements(page: _Page) -> str:
    """Places and use by home type, and the placements (cohort x home)."""
    placements = page.tables["placements"]
    return (
        "<h2>Places and use by home type</h2>"
        + _html_table(page.tables["utilisation"])
        + "<h2>Placements (cohort x home)</h2>"
        + _html_table(
            _tidy(placements, ["held"]) if not page.plan.placements.held.any() else placements,
            max_rows=500,
            caption="Children of each cohort (home council, need, age band) placed in each home.",
        )
    )


def _footer(page: _Page) -> str:
    """Data attribution, the cost caveat and when the page was made."""
    return (
        "<footer>"
        + _e(_attribution())
        + "<br>Weekly costs are editable order-of-magnitude defaults (rcc.datasets.DEFAULT_WEEKLY_COST_GBP), not "
        f"published prices. Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by rcc. Cohort-level data only: no child "
        "ids.</footer>"
    )


def _metric_col(key: str) -> str:
    return {"weekly_cost_gbp": "weekly_cost_gbp", "utilisation_pct": "utilisation_pct"}.get(
        key, key if key.startswith("pct") else ("value" if key in _COUNT_METRICS else key)
    )
