"""Greater Manchester: a five-year sufficiency plan within a budget.

What a pathfinder team would run: the embedded Greater Manchester RCC
(10 councils, real homes and providers, calibrated demand), a five-year
forecast with growth in complex and 16+ need, candidate options per council
(foster-carer recruitment, new 4-bed children's homes, 16+ supported
accommodation) and a regional secure / high-support unit, a capital and a
programme-revenue budget for the RCC. It prints, per year, what to start
where, what it costs, children placed, within 20 miles, and who is left
without a home and why.

Costs are editable, order-of-magnitude defaults
(``rcc.sufficiency.DEFAULT_OPTION_ASSUMPTIONS``), not published prices.

Run:  python examples/02_greater_manchester_sufficiency.py
"""

from __future__ import annotations

import math
import time

import pandas as pd

import rcc
from rcc.sufficiency import EXAMPLE_GROWTH, SufficiencyParams, default_options, forecast_from_region, sufficiency_plan

RCC = "Greater Manchester RCC"


def main() -> None:
    t0 = time.perf_counter()
    region = rcc.datasets.england(RCC)
    forecast = forecast_from_region(
        region,
        years=5,
        growth_by_need=EXAMPLE_GROWTH,  # yearly rates: complex +3%/yr, 16+ +3%, secure +5%, mainstream +1%, UASC +2%
        group_size={"sibling_group": 2},  # brothers and sisters placed together, in pairs
    )
    options = default_options(region)
    budgets = pd.DataFrame(
        {
            "budget_id": ["GM capital programme", "GM sufficiency revenue"],
            "scope": ["rcc", "rcc"],
            "scope_id": [RCC, RCC],
            "year": ["all", "all"],
            "capital_gbp": [10_000_000.0, math.inf],  # GBP 10m over five years (inf: this row limits no capital)
            "revenue_gbp": [math.inf, 15_000_000.0],  # start-up + running costs of new provision, five years
        }
    )
    params = SufficiencyParams(
        years=5,
        min_inside_region_share=0.9,  # at least 90% of GM's children placed inside GM
        # stop when proven within 0.1% of optimal (HiGHS's own default is 0.01%);
        # the achieved gap is printed either way
        solver=rcc.SolverOptions(time_limit_s=50.0, mip_gap=1e-3),
    )
    plan = sufficiency_plan(region, options, forecast, budgets, params)
    elapsed = time.perf_counter() - t0

    print(plan.summary())
    print()
    print("Children per year")
    m = plan.metrics_by_year[["children", "placed", "unmet", "pct_within_20_miles", "pct_inside_own_council", "weekly_cost_gbp"]]
    print(m.round(1).to_string())
    print()
    print("Places per council at the end of the plan (existing, new, net change)")
    cap = plan.capacity[plan.capacity.year == plan.years]
    print(cap[["council_name", "existing_places", "new_places", "closed_places", "net_new_places"]].to_string(index=False))
    print()
    print("Growth versus moves: GM children by where they live")
    g = plan.growth_vs_moves
    print(
        g[["year", "children", "children_inside_existing", "children_in_new_places", "children_outside", "children_without_home", "net_new_places"]]
        .round(0)
        .to_string(index=False)
    )
    if len(plan.shortfall):
        print()
        print("Children without a home, by year, need and reason")
        print(plan.shortfall_by_reason().to_string(index=False))
        print("  e.g.", plan.shortfall.reason.iloc[0])
    print()
    gap = "-" if plan.info.gap is None else f"{100 * plan.info.gap:.3f}%"
    print(f"status {plan.status.value}, gap {gap}, solver {plan.info.solver}; whole run {elapsed:.1f}s")


if __name__ == "__main__":
    main()
