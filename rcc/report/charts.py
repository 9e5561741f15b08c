"""Matplotlib charts drawn from report tables (internal to :mod:`rcc.report`): the same
figures back ``plan.plot`` and the HTML reports. A suppressed value (``"c"``) is never
drawn at its size: it is a small marked gap labelled ``c``.

matplotlib (a dependency of rcc) is imported only when a
chart is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.report.release import SUPPRESSED, _is_c

BLUE, ORANGE, VERMILLION, GREEN, SKY, GREY, PURPLE = (
    "#0072B2", "#E69F00", "#D55E00", "#009E73", "#56B4E9", "#8c8c8c", "#CC79A7",
)
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, "#F0E442", GREY)
#: Series of the "where are the children" bars.
OUTCOMES = (("placed inside own council", BLUE), ("placed in another council", SKY), ("without a home", VERMILLION))
#: Width of the mark a suppressed segment gets, as a share of the axis.
GAP_SHARE = 0.012


def matplotlib() -> Any:
    """The matplotlib module, or an ImportError saying how to install it."""
    try:
        import matplotlib as mpl
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "rcc's charts need matplotlib: pip install matplotlib"
        ) from exc
    return mpl


def new_axes(ax: Any, size: tuple[float, float]) -> Any:
    """``ax``, or the axes of a new figure (pyplot's, so it shows in a notebook)."""
    if ax is not None:
        return ax
    matplotlib()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def num(v: Any) -> float | None:
    """A published number, or None (suppressed or missing)."""
    if _is_c(v) or v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def label(v: Any) -> str:
    f = num(v)
    return SUPPRESSED if f is None else f"{f:,.0f}"


def _tidy(ax: Any, title: str) -> None:
    _set_title(ax, title)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def grouped_bars(
    ax: Any, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Any], str]], title: str, y_label: str
) -> Any:
    """Grouped vertical bars; a suppressed value is a small grey mark labelled 'c'.

    Each bar's value is written above it, across when the widest label fits the bar's slot,
    upright (rotated) when only the line height fits, and not at all when neither fits (a note
    under the title says the values are in the table), so labels never overlap. The slot is
    measured on the laid-out axes, and the y axis is then raised until every label (with 15%
    spare for a browser's font) is inside the axes. The legend is under the axes.
    """
    n_ser, n_cat = max(len(series), 1), max(len(categories), 1)
    width = 0.8 / n_ser
    x = np.arange(len(categories))
    top = max([num(v) or 0 for _, vs, _ in series for v in vs] + [1.0])
    any_c = False
    anchors = []
    for j, (name, values, colour) in enumerate(series):
        pos = x - 0.4 + width * (j + 0.5)
        heights = [num(v) for v in values]
        bars = ax.bar(pos, [h or 0 for h in heights], width * 0.92, color=colour, label=name)
        for b, h, p in zip(bars.patches, heights, pos):
            b.set_gid(SUPPRESSED if h is None else "value")
            if h is None:
                any_c = True
                b.set_height(top * GAP_SHARE)
                b.set_facecolor("white")
                b.set_edgecolor(GREY)
                b.set_hatch("////")
            anchors.append((p, h))
    ax.set_xticks(x, list(categories))
    ax.set_xlim(-0.5, n_cat - 0.5)
    counts_axis(ax.yaxis)
    ax.set_ylabel(y_label)
    ax.set_ylim(0, top * 1.05)
    items = [(name + (f" (its counts {SUPPRESSED}: withheld)" if _withheld(vs) else ""), colour)
             for name, vs, colour in series] if len(series) > 1 else []
    if any_c:
        items.append((f"suppressed ({SUPPRESSED}): a mark, its size not shown", "hatch"))
    if items:
        _legend_below(ax, items, ncols=len(items) if len(items) <= 5 else 4)
    _tidy(ax, title)
    layout, size = label_layout(ax, [label(h) for _, h in anchors], slot_units=width, units_across=n_cat)
    if anchors and all(h in (None, 0.0) for _, h in anchors) and any_c:
        note(ax, f"every count suppressed ({SUPPRESSED}) or zero")
    if layout == "none":
        note(ax, "values: see the table")
        return ax
    for p, h in anchors:
        ax.annotate(label(h), (p, h or top * GAP_SHARE), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=size, color="#333", gid="value-label",
                    rotation=90 if layout == "upright" else 0)
    _labels_inside(ax)
    return ax


def _labels_inside(ax: Any) -> None:
    """Raise the y limit until every value label (15% taller, for a browser's font) ends inside the axes."""
    labels = [t for t in ax.texts if t.get_gid() == "value-label"]
    for _ in range(3):
        ax.figure.draw_without_rendering()
        box = ax.get_window_extent()
        y_top = ax.get_ylim()[1]
        need = y_top
        for t in labels:
            ext = t.get_window_extent()
            above = 1.15 * ext.height + (ext.y0 - ax.transData.transform(t.xy)[1]) + 2.0  # text, offset, spare
            share = 1.0 - above / box.height
            if share <= 0.2:
                return  # no room at any height: leave it (the axes are too short to label)
            need = max(need, t.xy[1] / share)
        if need <= y_top * 1.001:
            return
        ax.set_ylim(0, need)


def _withheld(values: Sequence[Any]) -> bool:
    """Every count of a series suppressed (but zeros): the legend says so, or the series looks missing."""
    return any(num(v) is None for v in values) and all(num(v) in (None, 0.0) for v in values)


def counts_axis(axis: Any) -> None:
    """An axis of counts: whole-number ticks (never 0, 0, 1, 1) written 12,000."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(thousands())


def note(ax: Any, text: str) -> None:
    """A small grey line under the title (the title moves up to make room); notes add up, ``·`` between."""
    old = next((t for t in ax.texts if t.get_gid() == "note"), None)
    if old is not None:
        old.set_text(old.get_text() + " · " + text)
        return
    ax.annotate(text, (0, 1), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points", ha="left",
                va="bottom", fontsize=7.5, color="#555", gid="note")
    _set_title(ax, ax.get_title(loc="left"))


def _set_title(ax: Any, title: str) -> None:
    """The bold title, on the left; higher when a note sits under it."""
    has_note = any(t.get_gid() == "note" for t in ax.texts)
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold", pad=17.0 if has_note else 6.0)


def caption(ax: Any, lines: Sequence[str], below_pt: float) -> None:
    """Lines of small text under the axes, ``below_pt`` points below them (under the legend)."""
    ax.annotate("\n".join(lines), (0, 0), xycoords="axes fraction", xytext=(0, -below_pt), textcoords="offset points",
                ha="left", va="top", fontsize=7.5, color="#444", gid="caption")


def thousands() -> Any:
    """A tick formatter writing 12,000 (never 1.2e4 with an offset above the axis)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def label_layout(ax: Any, texts: Sequence[str], *, slot_units: float, units_across: float) -> tuple[str, float]:
    """How to write value labels of bars ``slot_units`` wide on an x axis ``units_across`` wide:
    ``("across", 8)`` when the widest label fits the slot, ``("upright", 7)`` (rotated) when a
    line of text fits it, else ``("none", 0)``. The axes' width is read after layout, with a 15%
    margin for the browser's font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    fig = ax.figure
    fig.draw_without_rendering()  # the laid-out width (constrained layout narrows the axes for the tick labels)
    axes_pt = ax.get_window_extent().width * 72.0 / fig.dpi
    slot_pt = axes_pt * slot_units / max(units_across, 1e-9)
    measure = TextToPath()
    widest = max([measure.get_text_width_height_descent(t, FontProperties(size=8.0), ismath=False)[0] for t in texts] + [0.0])
    if 1.15 * widest + 2.0 <= slot_pt:
        return "across", 8.0
    if 1.15 * 1.3 * 7.0 <= slot_pt:
        return "upright", 7.0
    return "none", 0.0


def stacked_rows(
    ax: Any,
    rows: Sequence[tuple[str, Sequence[Any], Any]],
    series: Sequence[tuple[str, str]],
    title: str,
    x_label: str,
    caption_lines: Sequence[str] = (),
) -> Any:
    """Horizontal stacked bars (label, segment values, total), top to bottom; ``caption_lines``
    (what the row labels mean, say) are printed under the legend.

    Published segments are drawn at their size. A suppressed segment is a small hatched
    mark labelled ``c`` (its size is not shown); the rest of a published total that the
    suppressed segments make up together is a dotted outline, not a filled bar. A row
    whose total is suppressed is only its label and ``c``.
    """
    totals = [num(t) for _, _, t in rows]
    vmax = max([t for t in totals if t is not None] + [1.0])
    gap = vmax * GAP_SHARE
    for i, (_, segs, total) in enumerate(rows):
        y = -i
        tot = num(total)
        if tot is None:
            ax.text(0, y, f" {SUPPRESSED}", va="center", fontsize=8, color="#333", gid="total-label")
            continue
        x = 0.0
        hidden = 0
        for (_, colour), v in zip(series, segs):
            f = num(v)
            if f is None:
                hidden += 1
                ax.barh(y, gap, left=x, height=0.7, color="white", edgecolor=GREY, hatch="////", lw=0.6, gid=SUPPRESSED)
                x += gap
                continue
            if f > 0:
                ax.barh(y, f, left=x, height=0.7, color=colour, gid="value")
                if f > 0.08 * vmax:
                    ax.text(x + f / 2, y, label(f), ha="center", va="center", fontsize=7, color="white", gid="value-label")
                x += f
        if hidden:
            rest = max(tot - sum(num(v) or 0 for v in segs), 0.0)
            ax.barh(y, rest, left=x - hidden * gap, height=0.7, fill=False, edgecolor=GREY, ls=":", lw=0.8, gid="rest")
            ax.text(x + vmax * 0.004, y, SUPPRESSED, va="center", fontsize=7, color="#555", gid="value-label")
            x = max(x, x - hidden * gap + rest)
        ax.text(x + vmax * 0.01, y, label(tot), va="center", fontsize=8, color="#333", gid="total-label")
    ax.set_yticks([-i for i in range(len(rows))], [r[0] for r in rows])
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.set_xlim(0, vmax * 1.12)
    counts_axis(ax.xaxis)
    ax.set_xlabel(x_label, fontsize=8, color="#555", loc="right")
    marks = [(f"suppressed ({SUPPRESSED}): a mark, its size not shown", "hatch"), ("rest of the total, split suppressed", "rest")]
    drop = _legend_below(ax, [*series, *(marks if any(num(v) is None for _, vs, t in rows for v in [*vs, t]) else [])])
    if caption_lines:
        caption(ax, caption_lines, drop)
    _tidy(ax, title)
    return ax


def _legend_below(ax: Any, items: Sequence[tuple[str, str]], ncols: int = 3) -> float:
    """A legend under the axes (and under their x label): coloured boxes, the hatched mark and the dotted outline."""
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for name, colour in items:
        if colour == "hatch":
            handles.append(Patch(facecolor="white", edgecolor=GREY, hatch="////", label=name))
        elif colour == "rest":
            handles.append(Patch(fill=False, edgecolor=GREY, ls=":", label=name))
        else:
            handles.append(Patch(color=colour, label=name))
    return legend_below(ax, handles, ncols)


def legend_below(ax: Any, handles: Sequence[Any], ncols: int = 3) -> float:
    """``handles`` as a legend under the axes, clear of the tick labels and the x label; returns its
    height in points (for a caption under it)."""
    from matplotlib.transforms import offset_copy

    item_pt = max([len(h.get_label()) for h in handles] + [1]) * 8 * 0.6 + 24.0  # a generous width per column
    room_pt = ax.figure.get_figwidth() * 72.0 * 0.85
    ncols = max(1, min(ncols, int(room_pt // item_pt)))  # fewer columns than fit: never wider than the figure
    drop = 16.0 + (12.0 if ax.get_xlabel() else 0.0)
    below = offset_copy(ax.transAxes, fig=ax.figure, x=0, y=-drop, units="points")
    ax.legend(handles=list(handles), frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(0, 0),
              bbox_transform=below, ncols=ncols)
    rows = -(-len(handles) // max(ncols, 1))
    return drop + rows * 14.0 + 10.0


def timeline(ax: Any, builds: pd.DataFrame, years: int) -> Any:
    """New places by the year they start, stacked by option (or home type when there are many)."""
    year_axis = np.arange(1, years + 1)
    b = builds
    key = "name" if len(b) and b.name.nunique() <= len(PALETTE) else "home_type"
    bottom = np.zeros(len(year_axis))
    groups = b.groupby(key, sort=True) if len(b) else []
    for j, (name, g) in enumerate(groups):
        per_year = g.groupby("year_started").places.sum().reindex(year_axis, fill_value=0).to_numpy(dtype=float)
        ax.bar(year_axis, per_year, 0.7, bottom=bottom, color=PALETTE[j % len(PALETTE)], label=str(name))
        bottom += per_year
    for yr, v in zip(year_axis, bottom):
        ax.annotate(f"{v:,.0f}", (yr, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 0.0, 1.0) * 1.15)  # room for the totals
    if not len(b):
        ax.text(0.5, 0.5, "No new places in this plan", transform=ax.transAxes, ha="center", color="#555")
    ax.set_xticks(year_axis, [f"year {y}" for y in year_axis])
    ax.set_ylabel("new places started")
    counts_axis(ax.yaxis)
    if len(b):
        legend_below(ax, ax.get_legend_handles_labels()[0], ncols=4)
    _tidy(ax, "New places by year started")
    return ax


def spend(ax: Any, costs: pd.DataFrame, budget_use: pd.DataFrame) -> Any:
    """Capital and programme revenue per year (bars), cumulative capital (line) and the budgets."""
    c = costs.sort_values("year")
    yrs = c.year.to_numpy()
    ax.bar(yrs - 0.18, c.capital_gbp / 1e6, 0.36, color=BLUE, label="capital")
    ax.bar(yrs + 0.18, c.programme_revenue_gbp / 1e6, 0.36, color=ORANGE, label="programme revenue")
    ax.plot(yrs, c.capital_gbp.cumsum() / 1e6, color=BLUE, marker="o", lw=1.2, label="capital, cumulative")
    bu = budget_use[np.isfinite(budget_use.limit_gbp.to_numpy(dtype=float))] if len(budget_use) else budget_use
    for r in bu.itertuples():
        colour = BLUE if r.kind == "capital" else ORANGE
        if pd.isna(r.year):
            ax.axhline(r.limit_gbp / 1e6, color=colour, ls="--", lw=1, label=f"{r.budget} {r.kind} budget (all years)")
        else:
            ax.plot([r.year - 0.4, r.year + 0.4], [r.limit_gbp / 1e6] * 2, color=colour, ls="--", lw=1.5,
                    label=f"{r.budget} {r.kind} budget, year {int(r.year)}")
    ax.set_xticks(yrs, [f"year {int(y)}" for y in yrs])
    ax.set_ylabel("GBP million (nominal)")
    handles, names = ax.get_legend_handles_labels()
    legend_below(ax, list(dict(zip(names, handles)).values()), ncols=3)  # under the axes: never across a line
    _tidy(ax, "Spend against budgets")
    return ax


def forecast(ax: Any, fc: pd.DataFrame) -> Any:
    """Children per year: central forecast, the summed p10-p90 of the cohorts, the base year observed."""
    g = fc.groupby("year").sum(numeric_only=True).sort_index()
    central = g.children_expected if "children_expected" in g.columns else g.children
    band = {"children_p10", "children_p90"} <= set(g.columns)
    flat = np.isclose(g.children_p10.to_numpy(float), g.children_p90.to_numpy(float)) if band else np.zeros(len(g), dtype=bool)
    base = g.index.min() if len(g) > 1 and flat[0] and not flat[1:].all() else None  # include_base: observed, no band
    fut = g.index if base is None else g.index[g.index > base]
    if band and not flat[len(g) - len(fut):].all():
        ax.fill_between(fut, g.children_p10[fut], g.children_p90[fut], color=SKY, alpha=0.35,
                        label="p10-p90 of each cohort, summed (wider than the band of the total)")
    ax.plot(fut, central[fut], color=BLUE, marker="o", lw=1.6, label="forecast (expected)")
    if base is not None:
        ax.plot([base], [g.children[base]], color="#222", marker="s", ls="", label="observed (base year)")
        ax.plot([base, fut.min()], [g.children[base], central[fut.min()]], color=BLUE, ls=":", lw=1)
    ax.set_xlabel("year")
    ax.set_xticks(list(g.index))
    ax.set_ylabel("children")
    ax.set_ylim(bottom=0)
    counts_axis(ax.yaxis)
    legend_below(ax, ax.get_legend_handles_labels()[0], ncols=3)
    _tidy(ax, "Children in care: forecast")
    return ax
