"""Reports of a plan: an Excel workbook and one self-contained HTML page.

Both carry aggregate data only (children counted per council, placement council, home type,
need; never a row per cohort and home: each home's places are public) and never a child id. Every count of children below the threshold (``suppress_below``,
default 5, as DfE publishes: counts of 1 to 4) is shown as ``"c"`` in every table and
chart label. A report is one release: all its tables are derived from one base table
(placement rows, their held children, shortfall rows) and suppressed together, with
secondary suppression across tables and a linear-programming audit, so that no
suppressed count can be worked out from any combination of the numbers it publishes
(see :func:`audit_suppression`). Text cells of the workbook are stored as text, never as
formulas (names beginning ``=``, ``+``, ``-``, ``@``, tab or CR come from outside data).

* :func:`write_excel`: a workbook of a plan, a sufficiency plan (per year) or a comparison
  (per scenario, one release): a Summary sheet (headline metrics), one sheet per table
  (placements, shortfall, by_council, unmet_by_need, distance_bands, ...), native charts
  and a Notes sheet (facts, sources, the suppression rule, a glossary). In a workbook a
  suppressed cell is empty, with TRUE in the ``<column>_suppressed`` column beside it, so
  numeric columns stay numeric.
* :func:`write_html`: one file, from Jinja2 templates, with inline SVG charts (no script,
  no web fonts, nothing fetched: it works offline) and the tables, for a plan, a
  sufficiency plan or a comparison.
* :func:`report_tables`: the suppressed tables both writers use; :func:`sufficiency_tables`
  and :func:`comparison_tables` those of a sufficiency plan (per year) and a comparison (per
  scenario), each one release suppressed and audited together, which the workbook, the HTML
  report and the charts all read (each shows some of its tables, never another table).
* ``plan.plot``, ``suff.plot``, ``cmp.plot`` (:class:`PlanPlots`, :class:`SufficiencyPlots`,
  :class:`ComparisonPlots`), :func:`plot_forecast`, :func:`plot_monthly_forecast` and :func:`plot_monthly_total` (``fc.plot()`` of a monthly forecast): matplotlib charts (matplotlib, a dependency of rcc), the same ones the HTML report shows.
* :func:`forecast_figure` (``fc.plot.interactive()``) and :func:`timeline_figure` (``suff.plot.interactive()``):
  the same charts as plotly figures, hover and zoom (optional: ``pip install "rcc[interactive]"``).
* :func:`audit_suppression`: the feasible interval of every suppressed count of a report.

What ``rcc report`` runs (plan a region of the embedded data, write both reports) is
:func:`rcc.cli.report.report_cli`; ``rcc.report.report_cli`` still finds it, with a
:class:`DeprecationWarning`.

Modules: :mod:`~rcc.report.tables` (the tables), :mod:`~rcc.report.suppression`
(:func:`suppress`, :func:`audit_suppression`), :mod:`~rcc.report.release` and
:mod:`~rcc.report.audit` (the linear system of a release and its LP audit),
:mod:`~rcc.report.grouped` (the release of several plans: years, scenarios), :mod:`~rcc.report.excel`
(with :mod:`~rcc.report.workbook` and :mod:`~rcc.report.glossary`),
:mod:`~rcc.report.html` (templates in ``rcc/report/templates``), :mod:`~rcc.report.plots` (the
accessors), :mod:`~rcc.report.charts` and :mod:`~rcc.report.cartogram` (the charts),
:mod:`~rcc.report.svg` (a chart as inline SVG), :mod:`~rcc.report.interactive` (plotly) and
:mod:`~rcc.report.formatting` (text both writers share).

Councils are listed in name order, not ranked: outcomes depend on each council's
children and local supply (report in context, not league tables).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from rcc.report.excel import write_excel
from rcc.report.grouped import comparison_tables, sufficiency_tables
from rcc.report.html import write_html
from rcc.report.interactive import forecast_figure, timeline_figure
from rcc.report.plots import (
    ComparisonPlots,
    PlanPlots,
    SufficiencyPlots,
    plot_forecast,
    plot_monthly_forecast,
    plot_monthly_total,
)
from rcc.report.release import SUPPRESSED
from rcc.report.suppression import audit_suppression, suppress
from rcc.report.tables import CHILD_COUNT_COLUMNS, DISTANCE_BANDS, report_tables

__all__ = [
    "CHILD_COUNT_COLUMNS",
    "DISTANCE_BANDS",
    "SUPPRESSED",
    "ComparisonPlots",
    "PlanPlots",
    "SufficiencyPlots",
    "audit_suppression",
    "comparison_tables",
    "forecast_figure",
    "plot_forecast",
    "plot_monthly_forecast",
    "plot_monthly_total",
    "report_tables",
    "sufficiency_tables",
    "suppress",
    "timeline_figure",
    "write_excel",
    "write_html",
]


def __getattr__(name: str) -> Any:
    """``rcc.report.report_cli``: moved to :mod:`rcc.cli.report` (a deprecated name).

    The command-line layer sits above this one, so it is looked up only when the old name
    is asked for (never at import), with a :class:`DeprecationWarning` naming the new home.
    """
    if name == "report_cli":
        warnings.warn(
            "rcc.report.report_cli is deprecated: it moved to rcc.cli.report in rcc 0.2 (it is what `rcc report` "
            "runs); import it from rcc.cli.report",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module("rcc.cli.report").report_cli
    raise AttributeError(f"module 'rcc.report' has no attribute {name!r}")
