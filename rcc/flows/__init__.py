"""The stock-and-flow engine: children in care month by month, which the simulation and the forecasts run on.

- :mod:`rcc.flows.population`: :class:`Population`, the children as arrays (no ids).
- :mod:`rcc.flows.rates`: the :class:`Rates` protocol and :class:`FlowRates` (constant rates).
- :mod:`rcc.flows.choice`: :class:`ChoiceRule`, the candidate :class:`Network` and :func:`place`.
- :mod:`rcc.flows.engine`: :class:`Engine`, the monthly step (leave, move, enter, place).

:mod:`rcc.simulate` builds an engine from a Region; the monthly forecast is to use the same engine.
"""

from rcc.flows.choice import DEFAULT_NEED_TIERS, DEFAULT_SUIT_CHANCE, DEFAULT_TIERS, ChoiceRule, Network, place
from rcc.flows.engine import EVENTS, Assign, Engine
from rcc.flows.population import LEAVING_AGE_MONTHS, NO_HOME, Population
from rcc.flows.rates import DEFAULT_MOVE_HAZARD, DURATION_EDGES_MONTHS, FlowRates, Rates, default_exit_hazard

__all__ = [
    "Assign",
    "ChoiceRule",
    "DEFAULT_MOVE_HAZARD",
    "DEFAULT_NEED_TIERS",
    "DEFAULT_SUIT_CHANCE",
    "DEFAULT_TIERS",
    "DURATION_EDGES_MONTHS",
    "EVENTS",
    "Engine",
    "FlowRates",
    "LEAVING_AGE_MONTHS",
    "NO_HOME",
    "Network",
    "Population",
    "Rates",
    "default_exit_hazard",
    "place",
]
