"""rcc: planning homes for children in care close to where they live.

``import rcc`` is the only import you need::

    import rcc
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    print(plan.summary())
"""

from . import datasets, forecast, report, scenarios, sharing, sufficiency, sweeps
from .errors import InfeasibleError, InvalidInputError, RccError, SolverError
from .forecast import forecast_demand, forecast_from_region, to_sufficiency_forecast
from .io.ofsted import read_ofsted_providers
from .network import council_graph, eligibility_graph, eligible_edges, unreachable_cohorts
from .params import PlanParams, SolverOptions, Weights
from .plan import Plan, PlanStatus, SolveInfo
from .region import Region
from .report import audit_suppression, report_tables, suppress, write_excel, write_html
from .scenarios import Comparison, Scenario, compare, new_homes, standard_scenarios, with_neighbours
from .schema import AGE_BANDS, HOME_TYPES, NEEDS, TABLES, schema_frame
from .sharing import CostSharing, Game, PoolingGame, core_check, least_core, shapley_value, share_savings
from .solve import plan
from .sufficiency import SufficiencyParams, SufficiencyPlan, default_options, sufficiency_plan
from .sweeps import sweep, sweep_summary

__version__ = "0.1.0"

__all__ = [
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
    "forecast",
    "forecast_demand",
    "forecast_from_region",
    "Game",
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
    "Region",
    "audit_suppression",
    "report",
    "report_tables",
    "Scenario",
    "scenarios",
    "schema_frame",
    "shapley_value",
    "share_savings",
    "sharing",
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
    "sweeps",
    "TABLES",
    "to_sufficiency_forecast",
    "unreachable_cohorts",
    "Weights",
    "with_neighbours",
    "write_excel",
    "write_html",
]
