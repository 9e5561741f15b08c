"""`Forecast` and `MonthlyForecast`: forecast tables that show themselves as a short card and plot themselves."""

from __future__ import annotations

import pandas as pd

from rcc.core.accessors import Accessor
from rcc.core.display import Card, fmt_count

__all__ = ["Forecast", "MonthlyForecast"]


class Forecast(pd.DataFrame):
    """A demand forecast: a :class:`pandas.DataFrame` (one row per cohort and year) with a short display.

    Everything a DataFrame does works unchanged, and any operation on it (``head()``,
    filtering, ``groupby``...) returns a plain DataFrame; only ``repr`` and the notebook
    view differ: children per year and where to look next, not the table. ``forecast.to_string()``
    or ``pd.DataFrame(forecast)`` show the rows.
    """

    #: ``forecast.plot()``: history and forecast with the band (:func:`rcc.plot_forecast`); pandas'
    #: plots with arguments (``forecast.plot(kind="bar", ...)``, ``forecast.plot.line(...)``).
    plot = Accessor("plot")  # registered by rcc.report

    @property
    def _constructor(self) -> type[pd.DataFrame]:  # operations return plain DataFrames
        return pd.DataFrame

    def card(self) -> Card:
        """The short display: cohorts, councils, children per year (expected, and the p10-p90 sums)."""
        per_year = self.groupby("year")[["children", "children_p10", "children_p90"]].sum()
        years = list(per_year.index)
        shown = years if len(years) <= 6 else [*years[:3], *years[-2:]]
        plan_years = "group_size" in self.columns
        rows = [("councils", fmt_count(self.council_id.nunique())), ("cohorts", fmt_count(self.cohort_id.nunique()))]
        for y in shown:
            r = per_year.loc[y]
            band = "" if plan_years else f" (cohort p10-p90 sums {fmt_count(r.children_p10)}-{fmt_count(r.children_p90)})"
            rows.append((f"{'plan year' if plan_years else 'year'} {y}", f"{fmt_count(r.children)} children{band}"))
        kind = "grown from the region's cohorts" if plan_years else "from episodes of care"
        nxt = ["forecast.head()", "forecast.groupby('year').children.sum()"]
        nxt.append("rcc.sufficiency_plan(region, options, forecast, budgets)" if plan_years
                   else "rcc.to_sufficiency_forecast(forecast, region)")
        return Card("Forecast", f"{len(years)} year(s), {kind}", "", rows, (), nxt)

    def __repr__(self) -> str:
        if not {"year", "children", "council_id", "cohort_id"} <= set(self.columns):
            return super().__repr__()
        return self.card().text()

    def _repr_html_(self) -> str:
        if not {"year", "children", "council_id", "cohort_id"} <= set(self.columns):
            return str(super()._repr_html_())
        return self.card().html()


def _band(row: pd.Series) -> str:
    return (f"{fmt_count(round(row.children_expected))} ({fmt_count(row.children_p10)}-"
            f"{fmt_count(row.children_p90)})")


class MonthlyForecast(pd.DataFrame):
    """The monthly forecast of :func:`rcc.forecast.forecast_monthly`: a :class:`pandas.DataFrame` (one row per
    council, placement group, age band and month, :data:`rcc.forecast.MONTHLY_COLUMNS`; its ``attrs`` hold the
    totals, flows, trends, draws...) that shows itself as a short card and plots itself.

    Everything a DataFrame does works unchanged (``fc[fc.kind == "forecast"]``, ``groupby``, ``to_csv``...), and
    any operation on it returns a plain DataFrame; ``fc.table`` is the rows as a plain DataFrame (with the
    ``attrs``). Only ``repr`` and the notebook view differ: the status, children now and at 12 months and at the
    end with the p10-p90 band, the trends chosen, who leaves at 18, and what to look at next.
    ``fc.plot()`` draws the history, forecast and band of the total on one matplotlib Axes
    (:func:`rcc.report.plot_monthly_total`; ``placement=`` or ``council=`` for one part, ``ax=`` to draw into);
    with pandas' arguments it is pandas' own plot.
    """

    #: ``fc.plot()``: history, forecast and band (:func:`rcc.report.plot_monthly_total`), registered by rcc.report.
    plot = Accessor("plot")

    @property
    def _constructor(self) -> type[pd.DataFrame]:  # operations return plain DataFrames
        return pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        """The rows as a plain DataFrame (a copy, with the same ``attrs``)."""
        out = pd.DataFrame(self, copy=True)
        out.attrs = dict(self.attrs)
        return out

    def card(self) -> Card:
        """The short display (see the class)."""
        a = self.attrs
        tot = a["totals"]
        allc = tot[tot.placement == "all"].groupby("month")[["children_expected", "children_p10",
                                                               "children_p90"]].sum()
        months = list(allc.index)
        now = self[(self.kind == "observed") & (self.month == a["end"])].children.sum()
        rows = [("councils", fmt_count(self.council_id.nunique())),
                (f"children in care on {a['end']:%Y-%m-%d}", fmt_count(now))]
        for m in sorted({months[min(11, len(months) - 1)], months[-1]}):
            rows.append((f"forecast {m:%Y-%m} (p10-p90)", _band(allc.loc[m])))
        trends = a["trends"][a["trends"].chosen]
        exits = a["exit_trends"][a["exit_trends"].chosen]
        if len(trends) == 1:
            rows.append(("entry trend (backtest)", f"{trends.trend.iloc[0]}, "
                         f"{'all months' if trends.months.iloc[0] == 0 else f'last {trends.months.iloc[0]} months'}"))
            change = exits.yearly_change.iloc[0]
            rows.append(("exit trend (backtest)", exits.trend.iloc[0] + (f" {change:+.1%} a year" if change else "")))
        leaving = a["leaving_at_18"]
        first = leaving[leaving.month <= months[min(11, len(months) - 1)]].groupby("outcome").young_people_expected.sum(
            min_count=1)
        if pd.notna(first.get("staying_put")):
            rows.append(("leaving at 18, next 12 months", f"{first.sum():,.0f} ({first['staying_put']:,.0f} "
                         "staying put)"))
        else:
            rows.append(("leaving at 18, next 12 months", f"{first.sum():,.0f} (Staying Put: not in the data)"))
        notes = [f"band: p10-p90 of {a['n_sims']} simulations (rates drawn from their posteriors, then children)"]
        if a.get("filters"):
            notes.append("only children with " + "; ".join(f"{c} in {v}" for c, v in a["filters"].items()))
        if a.get("adjust"):
            notes.append(f"scenario: {len(a['adjust'])} adjustment(s) of the estimated rates")
        nxt = ["fc.plot()", "fc.attrs['totals']", "rcc.backtest_monthly(result)", "rcc.forecast.forecast_costs(fc)",
               "rcc.forecast.monthly_demand(fc, result)"]
        status = "scenario" if a.get("adjust") else "as estimated"
        return Card("MonthlyForecast", f"{len(months)} months from {a['end']:%Y-%m-%d}", status, rows, notes, nxt)

    def _shows_card(self) -> bool:
        return {"totals", "trends", "exit_trends", "leaving_at_18", "end", "n_sims"} <= set(self.attrs) and {
            "kind", "month", "children", "council_id"} <= set(self.columns)

    def __repr__(self) -> str:
        return self.card().text() if self._shows_card() else super().__repr__()

    def _repr_html_(self) -> str:
        return self.card().html() if self._shows_card() else str(super()._repr_html_())
