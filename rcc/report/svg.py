"""A matplotlib figure as inline SVG for the HTML reports: text kept as text (searchable,
selectable), no metadata dates, ids salted per figure so several figures share a page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from rcc.report.charts import matplotlib


def figure_svg(draw: Callable[[Any], Any], size: tuple[float, float], salt: str) -> str:
    """Draw into the axes of a new figure (no pyplot, no window) and return it as an ``<svg>`` element.

    Parameters
    ----------
    draw : callable
        Called with the Axes; draws into them.
    size : (float, float)
        Figure size in inches.
    salt : str
        Makes the figure's element ids unique on the page.
    """
    mpl = matplotlib()
    from matplotlib.figure import Figure

    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt, "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig.add_subplot())
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    start = text.index("<svg")
    svg = re.sub(r"<metadata>.*?</metadata>", "", text[start:], flags=re.S)
    # ids unique on the page: charts repeat their element ids (value-label, c, ...) per element
    count = iter(range(1_000_000))
    svg = re.sub(r'<g id="(value-label|total-label|value|c|rest)"', lambda m: f'<g id="{salt}-{m.group(1)}-{next(count)}"', svg)
    # scale with the page: drop the fixed size, keep the viewBox
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart"', svg, count=1)
