"""rcc: planning homes for children in care close to where they live.

``import rcc`` is the only import you need::

    import rcc
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    print(plan.summary())
"""

from rcc import analysis, datasets, flows, forecast, report, simulate, sufficiency
from rcc.allocation.engine import plan
from rcc.allocation.network import council_graph, eligibility_graph, eligible_edges, unreachable_cohorts
from rcc.allocation.result import Plan, PlanStatus, SolveInfo
from rcc.analysis.scenarios import Comparison, Scenario, compare, new_homes, standard_scenarios, with_neighbours
from rcc.analysis.sharing import CostSharing, Game, PoolingGame, core_check, least_core, shapley_value, share_savings
from rcc.analysis.summary import TradeOff, side_by_side, trade_off
from rcc.analysis.sweeps import sweep, sweep_summary
from rcc.core.errors import InfeasibleError, InvalidInputError, RccError, SolverError
from rcc.core.glossary import GLOSSARY as glossary
from rcc.core.glossary import GlossaryEntry, explain, glossary_frame
from rcc.core.params import PlanParams, SolverOptions, Weights
from rcc.core.progress import show_progress
from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS, TABLES, schema_frame
from rcc.core.version import __version__
from rcc.forecast import (
    backtest_monthly,
    forecast_demand,
    forecast_from_region,
    forecast_monthly,
    to_sufficiency_forecast,
)
from rcc.io.ofsted import read_ofsted_providers
from rcc.io.pds import read_pds
from rcc.report import audit_suppression, plot_forecast, report_tables, suppress, write_excel, write_html
from rcc.sufficiency import SufficiencyParams, SufficiencyPlan, default_options, sufficiency_plan


def __getattr__(name: str) -> object:
    """Modules of rcc 0.1 reached as attributes (``rcc.scenarios``, ``rcc.errors``, ...): moved (deprecated names)."""
    import importlib

    from rcc._deprecated import MOVED, warn_moved

    if f"rcc.{name}" in MOVED:
        warn_moved(f"rcc.{name}")
        return importlib.import_module(MOVED[f"rcc.{name}"])
    raise AttributeError(f"module 'rcc' has no attribute {name!r}")

__all__ = [
    "analysis",
    "backtest_monthly",
    "__version__",
    "AGE_BANDS",
    "compare",
    "Comparison",
    "core_check",
    "CostSharing",
    "council_graph",
    "datasets",
    "default_options",
    "eligibility_graph",
    "eligible_edges",
    "explain",
    "flows",
    "forecast",
    "forecast_demand",
    "forecast_monthly",
    "forecast_from_region",
    "Game",
    "glossary",
    "glossary_frame",
    "GlossaryEntry",
    "HOME_TYPES",
    "InfeasibleError",
    "InvalidInputError",
    "least_core",
    "NEEDS",
    "new_homes",
    "Plan",
    "plan",
    "PlanParams",
    "PlanStatus",
    "PoolingGame",
    "RccError",
    "read_ofsted_providers",
    "read_pds",
    "Region",
    "audit_suppression",
    "report",
    "plot_forecast",
    "report_tables",
    "Scenario",
    "schema_frame",
    "shapley_value",
    "show_progress",
    "side_by_side",
    "simulate",
    "share_savings",
    "SolveInfo",
    "SolverError",
    "SolverOptions",
    "standard_scenarios",
    "sufficiency",
    "sufficiency_plan",
    "SufficiencyParams",
    "SufficiencyPlan",
    "suppress",
    "sweep",
    "sweep_summary",
    "TABLES",
    "to_sufficiency_forecast",
    "trade_off",
    "TradeOff",
    "unreachable_cohorts",
    "Weights",
    "with_neighbours",
    "write_excel",
    "write_html",
]
