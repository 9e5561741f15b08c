"""rcc: planning homes for children in care close to where they live.

``import rcc`` is the only import you need::

    import rcc
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    print(plan.summary())
"""

from . import datasets, forecast, report
from .errors import InfeasibleError, InvalidInputError, RccError, SolverError
from .forecast import forecast_demand, forecast_from_region
from .io.ofsted import read_ofsted_providers
from .network import council_graph, eligibility_graph, eligible_edges, unreachable_cohorts
from .params import PlanParams, SolverOptions, Weights
from .plan import Plan, PlanStatus, SolveInfo
from .region import Region
from .report import report_tables, suppress, write_excel, write_html
from .schema import AGE_BANDS, HOME_TYPES, NEEDS, TABLES, schema_frame
from .solve import plan

__version__ = "0.1.0"

__all__ = [
    "write_html",
    "write_excel",
    "suppress",
    "report_tables",
    "read_ofsted_providers",
    "forecast_from_region",
    "forecast_demand",
    "report",
    "forecast",
    "AGE_BANDS",
    "HOME_TYPES",
    "InfeasibleError",
    "InvalidInputError",
    "NEEDS",
    "Plan",
    "PlanParams",
    "PlanStatus",
    "RccError",
    "Region",
    "SolveInfo",
    "SolverError",
    "SolverOptions",
    "TABLES",
    "Weights",
    "council_graph",
    "datasets",
    "eligibility_graph",
    "eligible_edges",
    "plan",
    "schema_frame",
    "unreachable_cohorts",
]
