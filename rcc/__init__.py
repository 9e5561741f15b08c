"""rcc: planning homes for children in care close to where they live.

``import rcc`` is the only import you need::

    import rcc
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    print(plan.summary())
"""

from . import datasets
from .errors import InfeasibleError, InvalidInputError, RccError, SolverError
from .network import council_graph, eligibility_graph, eligible_edges, unreachable_cohorts
from .params import PlanParams, SolverOptions, Weights
from .plan import Plan, PlanStatus, SolveInfo
from .region import Region
from .schema import AGE_BANDS, HOME_TYPES, NEEDS, TABLES, schema_frame
from .solve import plan

__version__ = "0.1.0"

__all__ = [
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
