"""Charts of plans, sufficiency plans, comparisons and forecasts (matplotlib).

``plan.plot``, ``suff.plot`` and ``cmp.plot`` are accessors registered here (the result
classes live in lower layers and never import this module)::

    ax = plan.plot.distance_bands()      # children placed by distance band
    plan.plot.by_council()               # each council's children: inside / another council / without a home
    plan.plot.flows()                    # grid cartogram of councils, arrows between them
    suff.plot.timeline()                 # new places by year started and option
    suff.plot.spend()                    # capital and revenue per year against the budgets
    cmp.plot()                           # the RCC's children in each scenario, side by side
    rcc.plot_forecast(forecast)          # history (base year) and forecast, with its band
    fc.plot.interactive()                # plotly (rcc[interactive]): rcc.report.interactive

Every method takes ``ax=`` (draw into your axes) and returns the Axes. Counts are drawn on
whole-number axes.

Suppression: a notebook chart is for the analyst who already holds the data, so by default
(``suppress_below=None``) it draws the true counts, from the same report tables with
suppression off (building them takes seconds, not the minutes of a release's audit). Pass
``suppress_below=5`` (say) for a chart to publish: it then draws the suppressed release of
:func:`rcc.report.report_tables` (counts of 1 to ``suppress_below - 1`` shown as ``c``, with
secondary suppression and its audit) and says so in a small note under the title. The HTML
and Excel reports always suppress (``write_html(..., suppress_below=5)``) and draw these same
charts from their release.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.result import Plan
from rcc.analysis.comparison import Comparison
from rcc.core.accessors import register_accessor
from rcc.core.glossary import legend
from rcc.forecast.result import Forecast, MonthlyForecast
from rcc.report import charts
from rcc.report.cartogram import draw_flow_map
from rcc.report.grouped import comparison_tables, sufficiency_tables
from rcc.report.interactive import forecast_figure, monthly_series, timeline_figure
from rcc.report.release import SUPPRESSED
from rcc.report.tables import DISTANCE_BANDS, report_tables
from rcc.sufficiency.result import SufficiencyPlan

__all__ = ["ComparisonPlots", "ForecastPlots", "PlanPlots", "SufficiencyPlots", "plot_forecast"]

_CACHE: weakref.WeakKeyDictionary[Any, dict[int, dict[str, pd.DataFrame]]] = weakref.WeakKeyDictionary()


def threshold(suppress_below: int | None) -> int:
    """A chart's suppression threshold: None (the default: true counts) is 0.

    Raises
    ------
    rcc.InvalidInputError
        Not None and not a whole number >= 0.
    """
    from rcc.core.errors import InvalidInputError

    if suppress_below is None:
        return 0
    if isinstance(suppress_below, bool) or not isinstance(suppress_below, int | np.integer) or suppress_below < 0:
        raise InvalidInputError("plot", None, "suppress_below", "None (true counts) or a whole number >= 0", suppress_below)
    return int(suppress_below)


def marked(ax: Any, suppress_below: int | None) -> Any:
    """``ax``, with a note under its title when its counts are suppressed."""
    t = threshold(suppress_below)
    if t > 1:
        charts.note(ax, f"published counts: 1 to {t - 1} shown as {SUPPRESSED}" if t > 2 else f"published counts: 1 shown as {SUPPRESSED}")
    return ax


def tables_of(result: Plan | SufficiencyPlan | Comparison, suppress_below: int | None) -> dict[str, pd.DataFrame]:
    """The tables of a result at a threshold (None: 0, unsuppressed), computed once per result and threshold."""
    per = _CACHE.setdefault(result, {})
    t = threshold(suppress_below)
    if t not in per:
        if isinstance(result, Plan):
            per[t] = report_tables(result, suppress_below=t)
        elif isinstance(result, SufficiencyPlan):
            per[t] = sufficiency_tables(result, suppress_below=t)
        else:
            per[t] = comparison_tables(result, suppress_below=t)
    return per[t]


def outcome_rows(df: pd.DataFrame, key: str) -> list[tuple[str, list[Any], Any]]:
    """Rows of a stacked outcome chart: (label, [inside, another council, without a home], children)."""
    return [
        (str(getattr(r, key)), [r.placed_inside_own_council, r.placed_outside_own_council, r.unmet], r.children)
        for r in df.itertuples()
    ]


class PlanPlots:
    """``plan.plot``: charts of a :class:`rcc.Plan` from its report tables (true counts unless ``suppress_below`` is given)."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan

    def distance_bands(self, ax: Any = None, *, suppress_below: int | None = None, compare_with: Plan | None = None) -> Any:
        """Children placed by distance band (0-5, 5-10, 10-20, 20-50, 50+ miles); ``compare_with``'s bars beside."""
        ax = charts.new_axes(ax, (7.5, 3.4))
        series = [(_method(self._plan), tables_of(self._plan, suppress_below)["distance_bands"].children.tolist(), charts.BLUE)]
        if compare_with is not None:
            other = tables_of(compare_with, suppress_below)["distance_bands"].children.tolist()
            series.append((_method(compare_with), other, charts.ORANGE))
        bands = [b[0] + " miles" for b in DISTANCE_BANDS]
        return marked(charts.grouped_bars(ax, bands, series, "Children placed, by distance from home", "children"), suppress_below)

    def by_council(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """Each council's children: placed inside it, in another council, without a home (name order)."""
        bc = tables_of(self._plan, suppress_below)["by_council"]
        ax = charts.new_axes(ax, (8.5, 1.2 + 0.28 * len(bc)))
        return marked(charts.stacked_rows(ax, outcome_rows(bc, "council"), charts.OUTCOMES,
                                          "Children of each council, by where they are placed", "children"), suppress_below)

    def unmet(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """Children without a home by need and reason."""
        un = tables_of(self._plan, suppress_below)["unmet_by_need"]
        ax = charts.new_axes(ax, (8.5, 1.4 + 0.3 * len(un)))
        rows = [(str(r.need), [r.unreachable, r.capacity, r.weights], r.children) for r in un.itertuples()]
        series = (("no eligible home within reach", charts.VERMILLION), ("eligible homes within reach full", charts.ORANGE),
                  ("a free place, but the weights prefer none", charts.SKY))
        return marked(charts.stacked_rows(ax, rows, series, "Children without a home, by need and reason", "children"),
                      suppress_below)

    def flows(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """A grid cartogram of the councils (equal squares near their centroids, names inside)
        with arrows for the children placed in another council (flows below the threshold not drawn)."""
        t = tables_of(self._plan, suppress_below)
        return marked(flow_map(self._plan.region.councils, t["flows"], t["by_council"], threshold(suppress_below), ax),
                      suppress_below)


def flow_map(councils: pd.DataFrame, flows: pd.DataFrame, by_council: pd.DataFrame, threshold: int, ax: Any = None) -> Any:
    """The flow cartogram of suppressed ``flows`` and ``by_council`` tables (see :meth:`PlanPlots.flows`)."""
    if ax is None:
        from rcc.report.cartogram import grid_layout

        g = grid_layout(councils[["council_id", "lat", "lon"]])
        ratio = (g.row.max() + 1.4) / (g.col.max() + 1.4)
        ax = charts.new_axes(ax, (8.0, max(3.0, min(12.0, 8.0 * ratio + 0.6))))
    children = by_council.set_index("council_id").children if len(by_council) else pd.Series(dtype=object)
    return draw_flow_map(ax, councils, flows, children, threshold)


class SufficiencyPlots:
    """``suff.plot``: charts of a :class:`rcc.SufficiencyPlan`."""

    def __init__(self, suff: SufficiencyPlan) -> None:
        self._suff = suff

    def timeline(self, ax: Any = None) -> Any:
        """New places by the year they start, stacked by option (home type when there are many options)."""
        ax = charts.new_axes(ax, (7.5, 3.4))
        return charts.timeline(ax, self._suff.builds, self._suff.years)

    def interactive(self) -> Any:
        """:meth:`timeline` as a plotly figure (hover for places and capital):
        :func:`rcc.report.interactive.timeline_figure`."""
        return timeline_figure(self._suff)

    def spend(self, ax: Any = None) -> Any:
        """Capital and programme revenue per year, cumulative capital, and the budget limits."""
        ax = charts.new_axes(ax, (7.5, 3.4))
        return charts.spend(ax, self._suff.costs, self._suff.budget_use)

    def children(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """Each year's children: placed inside own council, in another council, without a home."""
        by_year = tables_of(self._suff, suppress_below)["by_year"]
        ax = charts.new_axes(ax, (8.5, 1.4 + 0.35 * len(by_year)))
        rows = outcome_rows(by_year.assign(year=[f"year {y}" for y in by_year.year]), "year")
        return marked(charts.stacked_rows(ax, rows, charts.OUTCOMES, "Children each year, by where they are placed", "children"),
                      suppress_below)

    def distance_bands(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """Children placed by distance band, a bar per year."""
        return marked(_bands_by(tables_of(self._suff, suppress_below)["distance_bands"], "year", ax), suppress_below)


class ComparisonPlots:
    """``cmp.plot``: charts of a :class:`rcc.Comparison` (the RCC's children in each scenario).
    Calling it (``cmp.plot()``) draws :meth:`outcomes`."""

    def __init__(self, cmp: Comparison) -> None:
        self._cmp = cmp

    def __call__(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        return self.outcomes(ax, suppress_below=suppress_below)

    def outcomes(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """The RCC's children in each scenario, side by side: inside own council, another council, without a home."""
        by = tables_of(self._cmp, suppress_below)["by_scenario"]
        ax = charts.new_axes(ax, (9.0, 2.6 + 0.5 * len(by)))
        whose = "The RCC's children" if self._cmp.rcc else "Children"
        meanings = scenario_lines(self._cmp, [str(s) for s in by.scenario])
        return marked(charts.stacked_rows(ax, outcome_rows(by, "scenario"), charts.OUTCOMES,
                                          f"{whose} in each scenario, by where they are placed", "children",
                                          caption_lines=meanings), suppress_below)

    def distance_bands(self, ax: Any = None, *, suppress_below: int | None = None) -> Any:
        """Children placed by distance band, a bar per scenario (every child planned, the RCC's and its neighbours')."""
        return marked(_bands_by(tables_of(self._cmp, suppress_below)["distance_bands"], "scenario", ax), suppress_below)


def scenario_lines(cmp: Comparison, codes: list[str], width: int = 130) -> list[str]:
    """``name: meaning`` for each scenario of ``codes``, wrapped to ``width``: the glossary's meaning of a
    standard scenario (:mod:`rcc.core.glossary`), else the scenario's own description. No column alignment
    (an SVG in a browser collapses runs of spaces)."""
    import textwrap

    from rcc.core.glossary import GLOSSARY

    described = {s.name: s.description for s in cmp.scenarios}
    lines = ["scenarios:"]
    for code in codes:
        if code in GLOSSARY and "scenario" in GLOSSARY[code].kind.split(" / "):
            (_, entry) = legend([code], "x", "scenario", width=10_000)  # one unwrapped line: "  code   meaning"
            meaning = entry.strip()[len(code):].strip()
        else:
            meaning = described.get(code) or "a scenario of your own (no description given)"
        lines += textwrap.wrap(f"{code}: {meaning}", width, subsequent_indent="    ")
    return lines


def _bands_by(bands: pd.DataFrame, part: str, ax: Any) -> Any:
    ax = charts.new_axes(ax, (8.0, 3.4))
    parts = list(dict.fromkeys(bands[part]))
    series = [
        (f"{part} {p}" if part == "year" else str(p), bands[bands[part] == p].children.tolist(), charts.PALETTE[i % len(charts.PALETTE)])
        for i, p in enumerate(parts)
    ]
    labels = [b[0] + " miles" for b in DISTANCE_BANDS]
    return charts.grouped_bars(ax, labels, series, "Children placed, by distance from home", "children")


def plot_forecast(forecast: pd.DataFrame, ax: Any = None) -> Any:
    """Children in care per year from a forecast of :func:`rcc.forecast_demand` (or
    :func:`rcc.forecast_from_region`): the expected total, the p10-p90 of each cohort summed
    (shaded; wider than the band of the total, said in the legend) and the observed base
    year when the forecast includes it (``include_base=True``).

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``year``, ``children`` and, where available, ``children_expected``, ``children_p10``, ``children_p90``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from rcc.core.errors import InvalidInputError

    for col in ("year", "children"):
        if col not in forecast.columns:
            raise InvalidInputError("forecast", None, col, "a forecast of rcc.forecast_demand", list(forecast.columns))
    ax = charts.new_axes(ax, (7.5, 3.4))
    return charts.forecast(ax, forecast)


def plot_monthly_forecast(forecast: pd.DataFrame) -> Any:
    """History, forecast and p10-p90 band of the total and of each placement group, one panel each, from
    :func:`rcc.forecast_monthly` (the chart ``rcc forecast`` writes as forecast.png).

    Parameters
    ----------
    forecast : pandas.DataFrame
        A result of :func:`rcc.forecast_monthly` (its ``attrs["totals"]`` hold the band).

    Returns
    -------
    matplotlib.figure.Figure
    """
    charts.matplotlib()
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    tot = forecast.attrs["totals"]
    obs = pd.DataFrame(forecast.loc[forecast.kind == "observed", ["month", "placement", "children"]])
    obs.attrs = {}  # a forecast's attrs hold frames, which pandas cannot compare when it concatenates
    hist = pd.concat([obs.groupby("month").children.sum().rename("all").to_frame(),
                      obs.pivot_table(index="month", columns="placement", values="children", aggfunc="sum")], axis=1)
    panels = ["all"] + [g for g in tot.placement.unique() if g != "all" and
                        (tot[tot.placement == g].children_p90.max() > 0 or hist.get(g, pd.Series(0)).max() > 0)]
    fig, axes = plt.subplots((len(panels) + 2) // 3, 3, figsize=(12, 3.2 * ((len(panels) + 2) // 3)), squeeze=False)
    for ax, name in zip(axes.ravel(), panels):
        f = tot[tot.placement == name].groupby("month")[["children_expected", "children_p10", "children_p90"]].sum()
        ax.fill_between(f.index, f.children_p10, f.children_p90, color="#9ecae1", alpha=0.6, label="p10-p90")
        ax.plot(f.index, f.children_expected, color="#08519c", lw=1.6, label="forecast")
        if name in hist:
            ax.plot(hist.index, hist[name], color="#222", lw=1.4, label="observed")
        ax.set_title("all placements" if name == "all" else name.replace("_", " "), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    axes[0, 0].legend(frameon=False, fontsize=8)
    fig.suptitle("Children in care: observed, forecast and p10-p90 band", fontsize=11)
    fig.tight_layout()
    return fig


def plot_monthly_total(forecast: pd.DataFrame, ax: Any = None, *, placement: str = "all",
                       council: str | None = None) -> Any:
    """History, forecast and p10-p90 band of children in care month by month, on one Axes, from
    :func:`rcc.forecast_monthly` (``forecast.plot()``).

    Parameters
    ----------
    forecast : pandas.DataFrame
        A result of :func:`rcc.forecast_monthly` (its ``attrs["totals"]`` hold the band).
    ax : matplotlib Axes, optional
    placement : str, default "all"
        ``"all"`` or one placement group.
    council : str, optional
        One council (default: every council's; the band of a sum of councils is the councils' bands summed,
        said in the legend).

    Returns
    -------
    matplotlib.axes.Axes
    """
    f, hist, several, title = monthly_series(forecast, placement, council)
    ax = charts.new_axes(ax, (7.5, 3.4))
    ax.fill_between(f.index, f.children_p10, f.children_p90, color="#9ecae1", alpha=0.6,
                    label="p10-p90" + (" (councils' bands summed)" if several else ""))
    ax.plot(f.index, f.children_expected, color="#08519c", lw=1.6, label="forecast (expected)")
    if len(hist):
        ax.plot(hist.index, hist.to_numpy(), color="#222", lw=1.4, label="observed")
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("children")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    return ax


class MonthlyForecastPlots:
    """``fc.plot``: ``fc.plot()`` draws :func:`plot_monthly_total` (``placement=``, ``council=``, ``ax=``); with
    pandas' arguments (``kind=``, ``x=``...) or methods (``fc.plot.bar(...)``) it is pandas' own plot."""

    def __init__(self, forecast: pd.DataFrame) -> None:
        self._forecast = forecast

    def __call__(self, *args: Any, ax: Any = None, placement: str = "all", council: str | None = None,
                 **kwargs: Any) -> Any:
        if args or kwargs:
            return pd.DataFrame(self._forecast).plot(*args, ax=ax, **kwargs)
        return plot_monthly_total(self._forecast, ax, placement=placement, council=council)

    def interactive(self, placement: str = "all", council: str | None = None) -> Any:
        """The same chart as a plotly figure (hover, zoom): :func:`rcc.report.interactive.forecast_figure`."""
        return forecast_figure(self._forecast, placement, council)

    def __getattr__(self, name: str) -> Any:
        return getattr(pd.DataFrame(self._forecast).plot, name)


def _method(plan: Plan) -> str:
    return {"optimise": "optimised", "greedy": "greedy baseline"}.get(plan.method, plan.method)


class ForecastPlots:
    """``forecast.plot``: ``forecast.plot()`` draws :func:`plot_forecast` (history and forecast with
    the band); with pandas' arguments (``kind=``, ``x=``, ``y=``...) or its methods
    (``forecast.plot.bar(...)``) it is pandas' own ``DataFrame.plot``."""

    def __init__(self, forecast: pd.DataFrame) -> None:
        self._forecast = forecast

    def __call__(self, *args: Any, ax: Any = None, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._pandas()(*args, ax=ax, **kwargs)
        return plot_forecast(self._forecast, ax=ax)

    def _pandas(self) -> Any:
        return pd.DataFrame(self._forecast).plot

    def __getattr__(self, name: str) -> Any:  # forecast.plot.bar(...), .line(...): pandas' plots
        return getattr(self._pandas(), name)


register_accessor("plot", Forecast, ForecastPlots)
register_accessor("plot", MonthlyForecast, MonthlyForecastPlots)
register_accessor("plot", Plan, PlanPlots)
register_accessor("plot", SufficiencyPlan, SufficiencyPlots)
register_accessor("plot", Comparison, ComparisonPlots)
