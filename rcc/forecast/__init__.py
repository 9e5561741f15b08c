"""Demand forecasts: children per cohort (council x need x age band) year by year.

A stock-and-flow model per cohort, estimated from several years of episodes of care
(SSDA903) and projected forward, with an uncertainty band.

Estimation (:func:`estimate_rates`)
    Episodes are turned into *spells* (:func:`spells_from_ssda903`): unbroken time of one
    child in care with one need. With dates of birth, each spell is cut at the birthdays
    that move the child to the next age band (5, 11, 16; 18 ends care), so every piece
    belongs to one cohort. Over an observation window (``start``, ``end``], per cohort:

    * entries = pieces that start a spell in the window (a child coming into care, or into
      this need); children who age into a band are not entries;
    * exits = pieces that end in the window for any reason but ageing (leaving care,
      changing need);
    * exposure = child-years in the cohort within the window;
    * entry rate ``E = entries / window years``; exit hazard ``lambda = exits / exposure``
      (shrunk towards the need x age band hazard of all councils with ``prior_years``
      child-years of weight, so small cohorts borrow strength); mean duration ``1/lambda``;
    * stock = children in the cohort on ``end``.

    Without dates of birth (a frame with an ``age_band`` column) each spell stays in its
    age band and ageing is off by default.

Projection (:func:`project`)
    Years ``t = 1..T`` after ``end``. Children leave a band by exit (hazard ``lambda``) or
    by ageing into the next band (hazard ``alpha = 1 / band width`` in years: a yearly
    transition share of one band's width; from 16-17 ageing means leaving care at 18).
    With ``mu = lambda + alpha``, ``q = exp(-mu)`` and ``f = (1 - q) / mu`` (the share of a
    year's arrivals still in the band at year end)::

        stock_{t+1} = stock_t * q + (E_t + aged_in_t) * f
        aged_out_t  = alpha / mu * (stock_t * (1 - q) + (E_t + aged_in_t) * (1 - f))

    which is the exact solution over a year for constant rates. Without ageing it is
    ``stock_{t+1} = stock_t * (1 - exit_rate) + entries * f`` with
    ``exit_rate = 1 - exp(-lambda)``, and it converges to ``E / lambda`` (entries x mean
    duration, Little's law). ``E_t`` grows by ``entries_growth`` a year.

Uncertainty
    ``n_sims`` seeded simulations draw the rates from their Gamma posteriors (parameter
    uncertainty: ``lambda ~ Gamma(exits + prior, exposure + prior_years)``,
    ``E ~ Gamma(entries, years)``) and then simulate whole children (process noise:
    Poisson entries, binomial stays, exits and ageing). ``children_p10`` and
    ``children_p90`` are percentiles of the simulations; ``children`` is the central
    (expected) projection, rounded.

:func:`forecast_from_region` is a simple deterministic alternative: a region's cohorts
grown by a yearly RATE per need (``0.10`` = +10% a year), in plan years (year 1 = the
cohorts as they are), the one :mod:`rcc.sufficiency` re-exports.

Monthly forecast by placement group (:func:`forecast_monthly`, :func:`backtest_monthly`)
    Stock by placement group (home type) x age band at each month end on the one stock-and-flow
    engine of :mod:`rcc.flows`: exits and moves between groups (a transition matrix) by age band,
    ageing at each child's birthday month, leaving at 18 exactly, entries with a trend chosen by
    backtest; see :mod:`rcc.forecast.monthly`. :func:`monthly_demand` turns it into the sufficiency
    planner's demand (council x need x age band by plan year; :mod:`rcc.forecast.demand`). :mod:`rcc.forecast.synthetic` makes SSDA903 returns
    from a known process, with the truth, to test it (``benchmarks/bench_forecast.py``).

Modules: :mod:`rcc.forecast.spells` (spells from SSDA903 episodes),
:mod:`rcc.forecast.rates` (estimation), :mod:`rcc.forecast.projection` (projection and
simulation), :mod:`rcc.forecast.region` (from a Region, and to the sufficiency planner).

Forecasts are cohort-level tables: no child id, pseudonymised or not, leaves this module.
"""

from rcc.forecast.adjust import DEFAULT_COSTS, Adjustment, forecast_costs
from rcc.forecast.demand import NEED_OF_GROUP, monthly_demand
from rcc.forecast.monthly import MONTHLY_COLUMNS, backtest_monthly, compare_scenarios, forecast_monthly
from rcc.forecast.projection import FORECAST_COLUMNS, forecast_demand, project
from rcc.forecast.rates import RATE_COLUMNS, estimate_rates
from rcc.forecast.region import EXAMPLE_GROWTH, REGION_FORECAST_COLUMNS, forecast_from_region, to_sufficiency_forecast
from rcc.forecast.result import MonthlyForecast
from rcc.forecast.spells import spells_from_ssda903
from rcc.forecast.synthetic import SyntheticProcess, SyntheticReturn, synthetic_ssda903

__all__ = [
    "Adjustment",
    "DEFAULT_COSTS",
    "EXAMPLE_GROWTH",
    "FORECAST_COLUMNS",
    "MONTHLY_COLUMNS",
    "MonthlyForecast",
    "NEED_OF_GROUP",
    "RATE_COLUMNS",
    "SyntheticProcess",
    "SyntheticReturn",
    "backtest_monthly",
    "compare_scenarios",
    "REGION_FORECAST_COLUMNS",
    "estimate_rates",
    "forecast_costs",
    "forecast_demand",
    "forecast_from_region",
    "forecast_monthly",
    "monthly_demand",
    "project",
    "spells_from_ssda903",
    "synthetic_ssda903",
    "to_sufficiency_forecast",
]
