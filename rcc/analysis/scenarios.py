"""Scenarios: pooling levels, demand growth, new capacity and incentives, compared.

What pooling changes, for whom, and who pays: the modelling choices (in-house
and market supply, the pooling levels, incentives) are described in
:mod:`rcc.analysis.rules`.

This module keeps the names of rcc 0.2's ``rcc.analysis.scenarios``; they
live in :mod:`rcc.analysis.rules` (Scenario and its rules),
:mod:`rcc.analysis.metrics`, :mod:`rcc.analysis.comparison` (compare,
Comparison) and :mod:`rcc.analysis.parallel`; plans come from
:func:`rcc.plan` (``rcc.plan(region, params, scenario=...)``).
"""

from __future__ import annotations

import warnings
from typing import Any

from rcc.allocation.engine import PreparedAllocation, plan, prepare_allocation
from rcc.allocation.result import Plan
from rcc.analysis.comparison import Comparison, compare
from rcc.analysis.metrics import GROUP_PREFIX, METRICS, TABLE_METRICS, plan_cost, plan_metrics
from rcc.analysis.parallel import (
    DEFAULT_EXECUTOR,
    Progress,
    default_executor,
    from_payload,
    run_tasks,
    single_thread,
    to_payload,
)
from rcc.analysis.rules import (
    IN_HOUSE_SECTOR,
    MARKET_RULES,
    NATIONAL_HOME_TYPES,
    POOLING_LEVELS,
    Scenario,
    new_homes,
    standard_scenarios,
    supply_owners,
    with_neighbours,
)
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = [
    "DEFAULT_EXECUTOR",
    "GROUP_PREFIX",
    "IN_HOUSE_SECTOR",
    "MARKET_RULES",
    "METRICS",
    "NATIONAL_HOME_TYPES",
    "POOLING_LEVELS",
    "TABLE_METRICS",
    "Comparison",
    "Progress",
    "Scenario",
    "compare",
    "default_executor",
    "from_payload",
    "new_homes",
    "plan_cost",
    "plan_metrics",
    "prepare",
    "run_tasks",
    "single_thread",
    "solve_prepared",
    "solve_scenario",
    "standard_scenarios",
    "supply_owners",
    "to_payload",
    "with_neighbours",
]


# ---------------------------------------------------------------- deprecated solve paths
def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"rcc.analysis.scenarios.{old} is deprecated: use {new}", DeprecationWarning, stacklevel=3)


def prepare(region: Region, params: PlanParams | None = None) -> PreparedAllocation:
    """Deprecated: :func:`rcc.allocation.engine.prepare_allocation` (with a Scenario for its home keys)."""
    _deprecated("prepare(region, params)", "rcc.allocation.engine.prepare_allocation(region, params, rcc.Scenario(...))")
    return prepare_allocation(region, params, Scenario("prepared"))


def solve_prepared(prep: PreparedAllocation, scenario: Scenario) -> Plan:
    """Deprecated: ``rcc.plan(prep, scenario=scenario)``."""
    _deprecated("solve_prepared(prep, scenario)", "rcc.plan(prep, scenario=scenario)")
    return plan(prep, scenario=scenario)


def solve_scenario(region: Region, scenario: Scenario, params: PlanParams | None = None, *, applied: bool = False) -> Plan:
    """Deprecated: ``rcc.plan(region, params, scenario)``.

    With ``applied=True`` (``region`` is already ``scenario.apply(base)``):
    ``rcc.plan(prepare_allocation(region, params, scenario), scenario=scenario)``.
    """
    _deprecated("solve_scenario(region, scenario, params)", "rcc.plan(region, params, scenario=scenario)")
    if applied:
        return plan(prepare_allocation(region, params, scenario), scenario=scenario)
    return plan(region, params, scenario)


def __getattr__(name: str) -> Any:
    """Deprecated names: ``Prepared`` (:class:`rcc.allocation.engine.PreparedAllocation`) and
    ``compare_cli`` (:func:`rcc.cli.compare.compare_cli`)."""
    if name == "Prepared":
        _deprecated("Prepared", "rcc.allocation.engine.PreparedAllocation")
        return PreparedAllocation
    if name == "compare_cli":
        _deprecated("compare_cli", "rcc.cli.compare.compare_cli")
        import importlib

        return importlib.import_module("rcc.cli.compare").compare_cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
