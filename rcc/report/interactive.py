"""Interactive charts (plotly, optional: ``pip install "rcc[interactive]"``).

Where hovering and zooming help -- a monthly forecast over several years, with its band -- rcc draws the
same chart as its matplotlib one as a plotly figure::

    fig = fc.plot.interactive()                     # history, forecast and p10-p90 band of the total
    fig = fc.plot.interactive(placement="fostering", council="E08000001")
    fig.write_html("forecast.html")                  # a self-contained page (plotly.js inside)
    fig = suff.plot.interactive()                    # new places by year opened and option, hover for cost

``rcc forecast ... --interactive`` writes ``forecast.html`` beside ``forecast.png``. The HTML and Excel
reports stay static (matplotlib SVG): they must open anywhere, offline, at a few hundred kilobytes.
The numbers drawn are exactly those of the matplotlib charts (:func:`monthly_series` feeds both).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.report.charts import PALETTE

__all__ = ["forecast_figure", "monthly_series", "plotly_graph_objects", "timeline_figure"]

BLUE, SKY, INK = "#08519c", "rgba(158,202,225,0.6)", "#222222"


def plotly_graph_objects() -> Any:
    """``plotly.graph_objects``, or :class:`ImportError` saying how to install it."""
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - exercised only without plotly
        raise ImportError('interactive charts need plotly: pip install "rcc[interactive]" (or pip install plotly)') from exc
    return go


def monthly_series(forecast: pd.DataFrame, placement: str = "all",
                   council: str | None = None) -> tuple[pd.DataFrame, pd.Series, bool, str]:
    """The band, the history and the title of one chart of a monthly forecast.

    Returns ``(band, observed, several, title)``: ``band`` indexed by month with ``children_expected``,
    ``children_p10`` and ``children_p90`` (starting at the last observed month, so the lines join);
    ``observed`` children per month; ``several`` when the band sums several councils' bands.
    """
    tot = forecast.attrs.get("totals") if hasattr(forecast, "attrs") else None
    if tot is None:
        raise InvalidInputError("forecast", None, "attrs", "a forecast of rcc.forecast_monthly", "no totals")
    tot = tot[tot.placement == placement]
    obs = pd.DataFrame(forecast.loc[forecast.kind == "observed", ["council_id", "month", "placement", "children"]])
    obs.attrs = {}  # a forecast's attrs hold frames, which pandas cannot compare when it concatenates
    if placement != "all":
        obs = obs[obs.placement == placement]
    if council is not None:
        tot, obs = tot[tot.council_id == council], obs[obs.council_id == council]
    if tot.empty:
        raise InvalidInputError("forecast", council, "placement", "a placement group (or 'all') and council of the "
                                "forecast", placement)
    several = tot.council_id.nunique() > 1
    band = tot.groupby("month")[["children_expected", "children_p10", "children_p90"]].sum()
    hist = obs.groupby("month").children.sum()
    end = forecast.attrs.get("end")
    if end in hist.index:  # the forecast starts from the observed end date
        band = pd.concat([pd.DataFrame({c: [float(hist[end])] for c in band.columns}, index=[end]), band])
    what = "all placements" if placement == "all" else placement.replace("_", " ")
    return band, hist, several, f"Children in care, {what}" + (f", {council}" if council else "")


def forecast_figure(forecast: pd.DataFrame, placement: str = "all", council: str | None = None) -> Any:
    """History, forecast and p10-p90 band of a monthly forecast (:func:`rcc.forecast_monthly`) as an
    interactive plotly figure (``fc.plot.interactive()``): hover shows each month's counts and band.

    Parameters
    ----------
    forecast : pandas.DataFrame
        A result of :func:`rcc.forecast_monthly`.
    placement : str, default "all"
        ``"all"`` or one placement group.
    council : str, optional
        One council (default: every council's; the band is then the councils' bands summed, said in the legend).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_graph_objects()
    band, hist, several, title = monthly_series(forecast, placement, council)
    months = list(band.index)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=months, y=band.children_p90, mode="lines", line={"width": 0}, name="p90",
                             showlegend=False, hovertemplate="p90 %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=months, y=band.children_p10, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=SKY, name="p10-p90" + (" (councils' bands summed)" if several else ""),
                             hovertemplate="p10 %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=months, y=band.children_expected, mode="lines", line={"color": BLUE, "width": 2},
                             name="forecast (expected)", hovertemplate="%{x|%b %Y}: %{y:,.0f} expected<extra></extra>"))
    if len(hist):
        fig.add_trace(go.Scatter(x=list(hist.index), y=hist.to_numpy(), mode="lines", line={"color": INK, "width": 1.6},
                                 name="observed", hovertemplate="%{x|%b %Y}: %{y:,} observed<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="children", hovermode="x unified", template="plotly_white",
                      legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(rangemode="tozero")
    return fig


def timeline_figure(plan: Any) -> Any:
    """New places of a sufficiency plan (:func:`rcc.plan_sufficiency`) by the year they start, stacked by option
    (home type when there are many options), as an interactive plotly figure (``suff.plot.interactive()``);
    hover shows each part's places and capital. The same numbers as ``suff.plot.timeline()``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_graph_objects()
    b = plan.builds
    years = [f"year {y}" for y in range(1, plan.years + 1)]
    fig = go.Figure()
    if len(b):
        key = "name" if b.name.nunique() <= len(PALETTE) else "home_type"
        g = b.groupby([key, "year_started"], as_index=False)[["places", "capital_gbp"]].sum()
        for j, (name, part) in enumerate(g.groupby(key, sort=True)):
            fig.add_trace(go.Bar(x=[f"year {y}" for y in part.year_started], y=part.places, name=str(name),
                                 marker_color=PALETTE[j % len(PALETTE)],
                                 customdata=part.capital_gbp, hovertemplate=f"{name}: "
                                 + "%{y:,} places, £%{customdata:,.0f} capital<extra></extra>"))
    fig.update_layout(barmode="stack", title="New places by year started" if len(b) else "No new places in this plan",
                      yaxis_title="new places started", template="plotly_white", legend={"orientation": "h", "y": -0.2})
    # every plan year on the axis, a year without new places too (as the matplotlib chart)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
    return fig
