"""Inline SVG charts of a report: no script, no web fonts, nothing fetched. Suppressed
values are never drawn at their size.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.result import Plan
from rcc.report.release import SUPPRESSED, _is_c

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_BLUE, _ORANGE, _VERMILLION, _GREEN, _SKY, _GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#56B4E9", "#8c8c8c"
_HATCH_ID = "rcc-hatch"
_HBAR_ROW_H = 22  #: pixels per bar of a horizontal bar chart


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _num(v: Any) -> float | None:
    if _is_c(v) or v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _label(v: Any) -> str:
    f = _num(v)
    return SUPPRESSED if f is None else f"{f:,.0f}"


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(title)}" font-family="{_FONT}" font-size="12">'
        f"<title>{_e(title)}</title>"
        f'<defs><pattern id="{_HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>'
        f"</pattern></defs>{body}</svg>"
    )


def _axis(v: float, max_ticks: int = 6) -> tuple[float, float]:
    """A round axis maximum >= v and its tick step (1, 2, 2.5 or 5 x 10^k), at most
    ``max_ticks`` intervals, as little headroom as possible."""
    if v <= 0:
        return 1.0, 0.25
    k = math.floor(math.log10(v))
    best: tuple[float, float] | None = None
    for e in range(k - 2, k + 2):
        for m in (1, 2, 2.5, 5):
            step = m * 10.0**e
            n = math.ceil(v / step - 1e-9)
            if 2 <= n <= max_ticks and (best is None or n * step < best[0] or (n * step == best[0] and step < best[1])):
                best = (n * step, step)
    return best if best is not None else (v, v)


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> str:
    out = []
    for name, colour in items:
        fill = f"url(#{_HATCH_ID})" if colour == "hatch" else colour
        out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{fill}" stroke="#666" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 17:.1f}" y="{y:.1f}">{_e(name)}</text>')
        x += 24 + 7.0 * len(name)
    return "".join(out)


def _vbar_chart(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Any], str]], title: str, y_label: str
) -> str:
    """Grouped vertical bars; suppressed values are not drawn and labelled 'c'."""
    width, height = 760, 340
    left, right, top, bottom = 84, 20, 44, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    vals = [_num(v) for _, vs, _ in series for v in vs]
    vmax, step = _axis(1.08 * max([v for v in vals if v is not None] + [0]))  # room for the labels
    n_cat, n_ser = len(categories), len(series)
    slot = plot_w / max(n_cat, 1)
    bar_w = min(56.0, slot * 0.8 / n_ser)
    parts = [f'<text x="{left}" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    for k in range(int(round(vmax / step)) + 1):
        tick = step * k
        y = top + plot_h - plot_h * tick / vmax
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:,.0f}</text>')
    parts.append(
        f'<text x="18" y="{top + plot_h / 2:.1f}" transform="rotate(-90 18 {top + plot_h / 2:.1f})" '
        f'text-anchor="middle" fill="#555">{_e(y_label)}</text>'
    )
    for i, cat in enumerate(categories):
        x0 = left + slot * i + (slot - bar_w * n_ser) / 2
        for j, (name, vs, colour) in enumerate(series):
            v = _num(vs[i])
            x = x0 + j * bar_w
            if v is None:
                parts.append(
                    f'<text class="v" x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4:.1f}" text-anchor="middle" fill="#333">'
                    f"{SUPPRESSED}</text>"
                )
                continue
            h = plot_h * v / vmax
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{_e(name)}, {_e(cat)}: {_label(v)}</title></rect>"
            )
            parts.append(
                f'<text class="v" x="{x + bar_w / 2 - 1:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#333">{_label(v)}</text>'
            )
        parts.append(
            f'<text x="{left + slot * (i + 0.5):.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle">{_e(cat)}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#444"/>')
    if n_ser > 1:
        parts.append(_legend([(n, c) for n, _, c in series], left, height - 12))
    return _svg(width, height, "".join(parts), title)


def _hbar_stacked(
    rows: Sequence[tuple[str, Sequence[Any], Any]],
    series: Sequence[tuple[str, str]],
    title: str,
    x_label: str,
) -> str:
    """Horizontal stacked bars, one per row (label, segment values, total).

    Suppressed segments are not drawn at their size: where the total is published, the
    part of the bar they make up together is one hatched block labelled 'c'.
    """
    label_w = max([len(r[0]) for r in rows] + [8]) * 7 + 16
    width = 900
    left, right, top = label_w, 70, 46
    row_h = _HBAR_ROW_H
    height = top + row_h * len(rows) + 58
    plot_w = width - left - right
    totals = [_num(r[2]) for r in rows]
    vmax, step = _axis(max([t for t in totals if t is not None] + [0]))
    parts = [f'<text x="8" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    for k in range(int(round(vmax / step)) + 1):
        x = left + plot_w * step * k / vmax
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + row_h * len(rows)}" stroke="#e3e3e3"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{top + row_h * len(rows) + 16}" text-anchor="middle" fill="#555">{step * k:,.0f}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{top + row_h * len(rows) + 34}" text-anchor="middle" fill="#555">'
        f"{_e(x_label)}</text>"
    )
    for i, (label, segs, total) in enumerate(rows):
        parts += _hbar_row(label, segs, total, series, top + i * row_h, left, plot_w, vmax)
    legend = list(series) + [(f"suppressed ({SUPPRESSED})", "hatch")]
    parts.append(_legend(legend, left, height - 8))
    return _svg(width, height, "".join(parts), title)


def _hbar_row(
    label: str, segs: Sequence[Any], total: Any, series: Sequence[tuple[str, str]], y: float, left: float,
    plot_w: float, vmax: float,
) -> list[str]:
    """One bar of :func:`_hbar_stacked` at height ``y``: its label, its segments (``vmax``
    children across ``plot_w`` pixels), a hatched block for the suppressed ones, and its total."""
    row_h = _HBAR_ROW_H
    parts = []
    parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_e(label)}</text>')
    tot = _num(total)
    if tot is None:
        parts.append(f'<text class="v" x="{left + 4}" y="{y + 15}" fill="#333">{SUPPRESSED}</text>')
        return parts
    x = left
    hidden = False
    for (name, colour), v in zip(series, segs):
        f = _num(v)
        if f is None:
            hidden = True
            continue
        if f <= 0:
            continue
        w = plot_w * f / vmax
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
            f"<title>{_e(label)}: {_e(name)} {_label(f)}</title></rect>"
        )
        if w > 34:
            parts.append(
                f'<text class="v" x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" font-size="11" fill="#fff">'
                f"{_label(f)}</text>"
            )
        x += w
    if hidden:
        shown = sum(_num(v) or 0 for v in segs)
        w = plot_w * max(tot - shown, 0) / vmax
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="url(#{_HATCH_ID})" '
            f'stroke="#999" stroke-width="0.5"><title>{_e(label)}: suppressed counts ({SUPPRESSED})</title></rect>'
        )
        x += w
    parts.append(f'<text class="v" x="{x + 6:.1f}" y="{y + 15}" fill="#333">{_label(tot)}</text>')
    return parts


@attrs.frozen
class _MapFrame:
    """Where each council sits on the flow map (pixels, by council id) and the map's size;
    ``many``: more than 40 councils (smaller dots and lines, no names)."""

    px: pd.Series
    py: pd.Series
    many: bool
    width: int
    height: int
    top: int


def _map_frame(councils: pd.DataFrame) -> _MapFrame:
    """Council centroids projected (equirectangular, longitude scaled by cos(mean latitude)) into the map."""
    c = councils
    lat0 = float(np.radians(c.lat.mean()))
    x = c.lon.to_numpy() * math.cos(lat0)
    y = -c.lat.to_numpy()
    many = len(c) > 40
    width, height, pad = 900, (820 if many else 640), 40
    top = 44
    span_x = max(float(x.max() - x.min()), 1e-6)
    span_y = max(float(y.max() - y.min()), 1e-6)
    scale = min((width - 2 * pad - 180) / span_x, (height - top - 2 * pad) / span_y)
    ox = pad + ((width - 2 * pad - 180) - span_x * scale) / 2
    oy = top + pad + ((height - top - 2 * pad) - span_y * scale) / 2
    px = pd.Series(ox + (x - x.min()) * scale, index=c.index)
    py = pd.Series(oy + (y - y.min()) * scale, index=c.index)
    return _MapFrame(px=px, py=py, many=many, width=width, height=height, top=top)


def _flow_map(plan: Plan, flows: pd.DataFrame, by_council: pd.DataFrame, threshold: int) -> str:
    """Councils as dots (equirectangular projection scaled by cos(latitude)), lines from
    the home council to the placement council, width by children; suppressed flows are not
    drawn."""
    c = plan.region.councils.set_index("council_id")
    m = _map_frame(c)
    title = "Where children are placed: flows between councils"
    parts = [f'<text x="8" y="22" font-size="15" font-weight="600">{_e(title)}</text>']
    f = flows[flows.council_id != flows.placement_council_id]
    keep = np.array([_num(v) is not None and (_num(v) or 0) >= max(threshold, 1) for v in f.children], dtype=bool)
    drawn = f[keep]
    parts += _flow_lines(m, drawn)
    parts += _council_dots(m, c.name, by_council)
    parts += _flow_map_legend(m, len(f) - len(drawn), threshold)
    return _svg(m.width, m.height, "".join(parts), title)


def _flow_lines(m: _MapFrame, drawn: pd.DataFrame) -> list[str]:
    """A curved line per flow drawn, smallest first, width by children (bending right of travel)."""
    parts = []
    px, py, many = m.px, m.py, m.many
    vmax = max([_num(v) or 0 for v in drawn.children] + [1])
    for r in drawn.sort_values("children", key=lambda s: s.map(lambda v: _num(v) or 0)).itertuples():
        x1, y1 = px[r.council_id], py[r.council_id]
        x2, y2 = px[r.placement_council_id], py[r.placement_council_id]
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        cx, cy = mx - dy * 0.18, my + dx * 0.18  # bend to the right of travel: A->B and B->A apart
        v = _num(r.children) or 0
        w = (0.6 + 4.5 * math.sqrt(v / vmax)) if many else (0.8 + 7.0 * math.sqrt(v / vmax))
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" stroke="{_BLUE}" '
            f'stroke-opacity="0.55" stroke-width="{w:.2f}" stroke-linecap="round">'
            f"<title>{_e(r.council)} -> {_e(r.placement_council)}: {_label(v)} children</title></path>"
        )
    return parts


def _council_dots(m: _MapFrame, names: pd.Series, by_council: pd.DataFrame) -> list[str]:
    """A dot per council, area by its children, with its name when there are few councils."""
    parts = []
    px, py, many = m.px, m.py, m.many
    inside = by_council.set_index("council_id").placed_inside_own_council if len(by_council) else pd.Series(dtype=object)
    demand = by_council.set_index("council_id").children if len(by_council) else pd.Series(dtype=object)
    dmax = max([_num(v) or 0 for v in demand] + [1])
    r_min, r_add = (2.0, 4.0) if many else (3.0, 9.0)
    for cid in names.index:
        d = _num(demand.get(cid))
        r_dot = r_min + r_add * math.sqrt((d or 0) / dmax)
        ins = inside.get(cid)
        tip = f"{names[cid]}: {_label(demand.get(cid, 0))} children; {_label(ins)} placed inside the council"
        parts.append(
            f'<circle cx="{px[cid]:.1f}" cy="{py[cid]:.1f}" r="{r_dot:.1f}" fill="{_ORANGE}" fill-opacity="{0.7 if many else 0.85}" '
            f'stroke="#7a4f00" stroke-width="{0.5 if many else 0.8}"><title>{_e(tip)}</title></circle>'
        )
        if not many:
            parts.append(
                f'<text x="{px[cid] + r_dot + 3:.1f}" y="{py[cid] + 4:.1f}" font-size="11" fill="#222" '
                f'paint-order="stroke" stroke="#fff" stroke-width="3">{_e(names[cid])}</text>'
            )
    return parts


def _flow_map_legend(m: _MapFrame, hidden: int, threshold: int) -> list[str]:
    """What the dots and lines mean, and how many flows are not drawn."""
    parts = []
    width, top = m.width, m.top
    lx = width - 175
    parts.append(f'<circle cx="{lx + 8}" cy="{top + 30}" r="7" fill="{_ORANGE}" stroke="#7a4f00" stroke-width="0.8"/>')
    parts.append(f'<text x="{lx + 22}" y="{top + 34}" font-size="11">council (size: children)</text>')
    parts.append(
        f'<path d="M{lx},{top + 56} Q{lx + 9},{top + 48} {lx + 18},{top + 56}" stroke="{_BLUE}" stroke-width="4" '
        'stroke-opacity="0.55" fill="none"/>'
    )
    parts.append(f'<text x="{lx + 22}" y="{top + 60}" font-size="11">placements in another</text>')
    parts.append(f'<text x="{lx + 22}" y="{top + 74}" font-size="11">council (width: children;</text>')
    parts.append(f'<text x="{lx + 22}" y="{top + 88}" font-size="11">bends right of travel)</text>')
    parts.append(
        f'<text x="{lx}" y="{top + 112}" font-size="11" fill="#555">{hidden:,} flow(s) of fewer than</text>'
        f'<text x="{lx}" y="{top + 126}" font-size="11" fill="#555">{max(threshold, 1)} children (or suppressed)</text>'
        f'<text x="{lx}" y="{top + 140}" font-size="11" fill="#555">not drawn</text>'
    )
    return parts
