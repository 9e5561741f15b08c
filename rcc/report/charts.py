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
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def grouped_bars(
    ax: Any, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Any], str]], title: str, y_label: str
) -> Any:
    """Grouped vertical bars; a suppressed value is a small grey mark labelled 'c'.

    Each bar's value is written above it, across when the widest label fits the bar's slot,
    upright (rotated) when only the line height fits, and not at all when neither fits (the
    chart says so: the values are in the table beside it), so labels never overlap. The legend
    is under the axes, clear of the bars and labels.
    """
    n_ser, n_cat = max(len(series), 1), max(len(categories), 1)
    width = 0.8 / n_ser
    x = np.arange(len(categories))
    top = max([num(v) or 0 for _, vs, _ in series for v in vs] + [1.0])
    texts = [label(v) for _, vs, _ in series for v in vs]
    layout, size = label_layout(ax, texts, slot_units=width, units_across=n_cat)
    any_c = False
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
            if layout != "none":
                ax.annotate(label(h), (p, h or top * GAP_SHARE), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=size, color="#333", gid="value-label",
                            rotation=90 if layout == "upright" else 0)
    ax.set_xticks(x, list(categories))
    ax.set_xlim(-0.5, n_cat - 0.5)
    ax.yaxis.set_major_formatter(thousands())
    ax.set_ylabel(y_label)
    ax.set_ylim(0, top * (1.4 if layout == "upright" else 1.12))
    if layout == "none":
        ax.set_title("values: see the table", loc="right", fontsize=8, color="#555")
    items = [(name + (f" (its counts {SUPPRESSED}: withheld)" if _withheld(vs) else ""), colour)
             for name, vs, colour in series] if len(series) > 1 else []
    if any_c:
        items.append((f"suppressed ({SUPPRESSED}): a mark, its size not shown", "hatch"))
    if items:
        _legend_below(ax, items, ncols=len(items) if len(items) <= 5 else 4)
    _tidy(ax, title)
    return ax


def _withheld(values: Sequence[Any]) -> bool:
    """Every count of a series suppressed (but zeros): the legend says so, or the series looks missing."""
    return any(num(v) is None for v in values) and all(num(v) in (None, 0.0) for v in values)


def thousands() -> Any:
    """A tick formatter writing 12,000 (never 1.2e4 with an offset above the axis)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def label_layout(ax: Any, texts: Sequence[str], *, slot_units: float, units_across: float) -> tuple[str, float]:
    """How to write value labels of bars ``slot_units`` wide on an x axis ``units_across`` wide:
    ``("across", 8)`` when the widest label fits the slot, ``("upright", 7)`` (rotated) when a
    line of text fits it, else ``("none", 0)``. The axes' width is read from their position in
    the figure before layout (constrained layout only widens them), with a 15% margin for the
    browser's font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    fig = ax.figure
    axes_pt = ax.get_position().width * fig.get_figwidth() * 72.0
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
) -> Any:
    """Horizontal stacked bars (label, segment values, total), top to bottom.

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
    ax.xaxis.set_major_formatter(thousands())
    ax.set_title(x_label, loc="right", fontsize=8, color="#555")
    _legend_below(ax, [*series, (f"suppressed ({SUPPRESSED}): a mark, its size not shown", "hatch"),
                       ("rest of the total, split suppressed", "rest")])
    _tidy(ax, title)
    return ax


def _legend_below(ax: Any, items: Sequence[tuple[str, str]], ncols: int = 3) -> None:
    """A legend under the axes: coloured boxes, the hatched mark and the dotted outline."""
    from matplotlib.patches import Patch

    handles = []
    for name, colour in items:
        if colour == "hatch":
            handles.append(Patch(facecolor="white", edgecolor=GREY, hatch="////", label=name))
        elif colour == "rest":
            handles.append(Patch(fill=False, edgecolor=GREY, ls=":", label=name))
        else:
            handles.append(Patch(color=colour, label=name))
    from matplotlib.transforms import offset_copy

    below = offset_copy(ax.transAxes, fig=ax.figure, x=0, y=-16, units="points")  # under the tick labels
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=below, ncols=ncols)


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
    if not len(b):
        ax.text(0.5, 0.5, "No new places in this plan", transform=ax.transAxes, ha="center", color="#555")
    ax.set_xticks(year_axis, [f"year {y}" for y in year_axis])
    ax.set_ylabel("new places started")
    if len(b):
        ax.legend(frameon=False, fontsize=8)
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
    seen = dict(zip(names, handles))
    ax.legend(seen.values(), seen.keys(), frameon=False, fontsize=8)
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
    ax.legend(frameon=False, fontsize=8)
    _tidy(ax, "Children in care: forecast")
    return ax
