"""`Forecast`: a demand forecast table that shows itself as a short card."""

from __future__ import annotations

import pandas as pd

from rcc.core.accessors import Accessor
from rcc.core.display import Card, fmt_count

__all__ = ["Forecast"]


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
