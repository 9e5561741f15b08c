"""How results look: a short text card (``repr``), an HTML card for notebooks (``_repr_html_``), readable numbers.

Every result class (:class:`rcc.Region`, :class:`rcc.Plan`, :class:`rcc.SufficiencyPlan`,
:class:`rcc.Comparison`) shows a :class:`Card`: its status, a few headline numbers and where
to look next, never a table dump. Numbers are formatted here and nowhere else: counts with
thousands separators, shares as percentages with one decimal, money in GBP, provider
concentration (HHI) on its 0-10,000 scale.

:class:`Metrics` is a float Series that prints readably: the values stay the numbers you
compute with (``plan.metrics["weekly_cost_gbp"]`` is a float in GBP), only the display changes.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pandas as pd

__all__ = ["Card", "Metrics", "METRIC_KINDS", "SHORT_HEADINGS", "fmt_count", "fmt_gap", "fmt_gbp", "fmt_metric", "fmt_pct", "status_colour", "wrap_lines"]

#: How each metric is shown: ``count``, ``pct``, ``miles``, ``gbp`` or ``hhi`` (0-10,000).
METRIC_KINDS: Mapping[str, str] = {
    "children": "count",
    "placed": "count",
    "unmet": "count",
    "pct_within_20_miles": "pct",
    "pct_over_20_miles": "pct",
    "pct_inside_own_council": "pct",
    "pct_inside_own_region": "pct",
    "mean_distance_miles": "miles",
    "weekly_cost_gbp": "gbp",
    "utilisation_pct": "pct",
    "provider_hhi": "hhi",
    "cost_objective": "number",
}

#: Short headings of printed tables (``rcc compare``) -> the column or metric each stands for; each is in the
#: glossary (``rcc glossary "no home"``) as "short for <code>".
SHORT_HEADINGS: Mapping[str, str] = {
    "no home": "unmet",
    "<=20mi %": "pct_within_20_miles",
    "own LA %": "pct_inside_own_council",
    "own reg %": "pct_inside_own_region",
    "cost/week": "weekly_cost_gbp",
    "used %": "utilisation_pct",
    "taken": "places_taken_from_neighbours",
    "freed": "places_freed_for_neighbours",
    "net taken": "net_places_taken",
    "nbrs losing": "neighbours_losing_places",
    "new in RCC": "places_created_in_rcc",
    "RCC inside +/-": "rcc_children_placed_inside_rcc_change",
    "nbrs unmet +/-": "neighbours_unmet_change",
}

_STATUS_COLOURS = {
    "optimal": "#1a7f37",
    "heuristic": "#57606a",
    "time_limit": "#9a6700",
    "infeasible": "#cf222e",
    "not_solved": "#cf222e",
}


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def fmt_count(value: Any) -> str:
    """``1,234`` (a whole number of children), ``-`` when missing; fractions keep one decimal."""
    if _missing(value):
        return "-"
    v = float(value)
    return f"{v:,.0f}" if v == round(v) else f"{v:,.1f}"


def fmt_pct(value: Any) -> str:
    """``56.3%``, ``-`` when missing."""
    return "-" if _missing(value) else f"{float(value):.1f}%"


def wrap_lines(text: str, width: int = 100) -> str:
    """``text`` with every line longer than ``width`` wrapped at spaces, its continuation
    lines indented two more than the line's own indentation (for printed summaries)."""
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(line.strip(), width, initial_indent=indent, subsequent_indent=indent + "  ",
                             break_on_hyphens=False, break_long_words=False)
    return "\n".join(out)


def fmt_gap(gap: Any, missing: str = "-") -> str:
    """A solver's relative gap (a fraction) in percent, never in scientific notation:
    ``0%``, ``< 0.001%``, ``0.0412%``, ``2.5%``; ``missing`` when there is none."""
    if _missing(gap):
        return missing
    pct = 100 * float(gap)
    if pct == 0:
        return "0%"
    if abs(pct) < 0.001:
        return "< 0.001%"
    if abs(pct) >= 100:
        return f"{pct:,.0f}%"
    return f"{pct:.3g}%" if abs(pct) >= 0.01 else f"{pct:.4f}".rstrip("0") + "%"


def fmt_gbp(value: Any, *, short: bool = False) -> str:
    """Money in GBP: ``£7,845,600`` or, with ``short``, ``£7.85m`` / ``£12.3k`` / ``£950``."""
    if _missing(value):
        return "-"
    v = float(value)
    if math.isinf(v):
        return "no limit"
    sign = "-" if v < 0 else ""
    a = abs(v)
    if not short:
        return f"{sign}£{a:,.0f}"
    if a >= 1e9:
        return f"{sign}£{a / 1e9:,.2f}bn"
    if a >= 1e6:
        return f"{sign}£{a / 1e6:,.2f}m"
    if a >= 1e4:
        return f"{sign}£{a / 1e3:,.0f}k"
    if a >= 1e3:
        return f"{sign}£{a / 1e3:,.1f}k"
    return f"{sign}£{a:,.0f}"


def fmt_metric(key: str, value: Any) -> str:
    """One metric value formatted by its kind (:data:`METRIC_KINDS`; others with 3 significant decimals)."""
    kind = METRIC_KINDS.get(key, "number")
    if _missing(value):
        return "-"
    if kind == "count":
        return fmt_count(value)
    if kind == "pct":
        return fmt_pct(value)
    if kind == "miles":
        return f"{float(value):,.1f} miles"
    if kind == "gbp":
        return fmt_gbp(value) + " a week"
    if kind == "hhi":
        return f"{float(value):,.0f} of 10,000"
    return f"{float(value):,.1f}"


def status_colour(status: str) -> str:
    """The colour of a status badge (green optimal, grey heuristic, amber time limit, red failures)."""
    return _STATUS_COLOURS.get(status, "#57606a")


@attrs.frozen
class Card:
    """A short display of one result.

    Parameters
    ----------
    kind : str
        What it is (``"Plan"``, ``"Region"``...).
    title : str
        Its name (the region's name, the method...).
    status : str
        Status code ('' for none), shown as a badge.
    rows : sequence of (label, value, ...)
        Headline numbers, already formatted (a label and one value, or several under ``header``).
    notes : sequence of str
        Short sentences (gap, time limit, what the optimiser traded...).
    next_steps : sequence of str
        Where to look next (attribute names and calls).
    header : sequence of str
        Column names when rows have several values ('' for the label column).
    """

    kind: str
    title: str
    status: str = ""
    rows: Sequence[tuple[str, ...]] = ()
    notes: Sequence[str] = ()
    next_steps: Sequence[str] = ()
    header: Sequence[str] = ()

    def text(self) -> str:
        """The card as plain text (what ``repr`` shows)."""
        head = f"<rcc.{self.kind} {self.title}" + (f" | status: {self.status}" if self.status else "") + ">"
        table = [tuple(self.header)] * bool(self.header) + [tuple(r) for r in self.rows]
        ncol = max((len(r) for r in table), default=0)
        widths = [max((len(r[i]) for r in table if i < len(r)), default=0) for i in range(ncol)]
        lines = [head]
        for r in table:
            cells = [f"{r[0]:<{widths[0]}}", *(f"{v:>{w}}" for v, w in zip(r[1:], widths[1:]))]
            lines.append(("  " + "  ".join(cells)).rstrip())
        lines += [f"  {n}" for n in self.notes]
        if self.next_steps:
            lines.append("  next: " + ", ".join(self.next_steps))
        return "\n".join(lines)

    def html(self) -> str:
        """The card as one escaped HTML fragment (what a notebook shows)."""
        e = html.escape
        badge = ""
        if self.status:
            badge = (
                f' <span style="background:{status_colour(self.status)};color:#fff;border-radius:3px;'
                f'padding:1px 6px;font-size:85%">{e(self.status)}</span>'
            )
        cell = "padding:1px 0 1px 12px;text-align:right"
        first = "text-align:left;padding:1px 12px 1px 0"
        head = ""
        if self.header:
            head = f'<tr><th style="{first}">{e(self.header[0])}</th>' + "".join(
                f'<th style="{cell};font-weight:normal;color:#57606a">{e(h)}</th>' for h in self.header[1:]
            ) + "</tr>"
        rows = "".join(
            f'<tr><td style="{first}">{e(r[0])}</td>' + "".join(f'<td style="{cell}">{e(v)}</td>' for v in r[1:]) + "</tr>"
            for r in self.rows
        )
        notes = "".join(f'<div style="margin-top:4px">{e(n)}</div>' for n in self.notes)
        nxt = ""
        if self.next_steps:
            nxt = '<div style="margin-top:6px;color:#57606a">next: ' + ", ".join(
                f"<code>{e(s)}</code>" for s in self.next_steps
            ) + "</div>"
        return (
            '<div class="rcc-card" style="font-family:sans-serif;font-size:90%;border:1px solid #d0d7de;'
            'border-radius:6px;padding:8px 12px;display:inline-block;max-width:52em">'
            f"<div><b>rcc.{e(self.kind)}</b> {e(self.title)}{badge}</div>"
            f'<table style="border-collapse:collapse;margin-top:4px">{head}{rows}</table>{notes}{nxt}</div>'
        )


class Metrics(pd.Series):
    """A Series of metrics (float values) that prints readably.

    Only the display changes: ``metrics["weekly_cost_gbp"]`` is the float in GBP,
    ``metrics.to_numpy()`` the float array, and any operation on it returns a plain
    :class:`pandas.Series`. :meth:`formatted` gives the strings shown.
    """

    @property
    def _constructor(self) -> type[pd.Series]:  # operations return plain Series
        return pd.Series

    @property
    def _constructor_expanddim(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def formatted(self) -> pd.Series:
        """The values as display strings (counts, %, miles, GBP, HHI of 10,000)."""
        return pd.Series([fmt_metric(str(k), v) for k, v in self.items()], index=self.index, name=self.name, dtype=object)

    def __repr__(self) -> str:
        f = self.formatted()
        width = max((len(str(k)) for k in f.index), default=0)
        return "\n".join(f"{str(k):<{width}}  {v}" for k, v in f.items())

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(
            f'<tr><td style="text-align:left">{e(str(k))}</td><td style="text-align:right">{e(v)}</td></tr>'
            for k, v in self.formatted().items()
        )
        return f'<table class="rcc-metrics">{rows}</table>'
