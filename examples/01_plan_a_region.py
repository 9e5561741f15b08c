"""Plan placements for one region and compare with referral-by-referral placing.

Run:  python examples/01_plan_a_region.py ["North West"]
"""

from __future__ import annotations

import sys

import rcc
from rcc import side_by_side

name = sys.argv[1] if len(sys.argv) > 1 else "Greater Manchester RCC"
region = rcc.datasets.england(name)
print(region)

optimised = rcc.plan(region)
greedy = rcc.plan(region, rcc.PlanParams(method="greedy"))
print(side_by_side({"greedy": greedy, "optimised": optimised}))
print(rcc.trade_off(greedy, optimised))  # what the optimiser traded, in one sentence

# each council sees its own outcome
by_council = optimised.metrics_by_council().merge(
    region.councils[["council_id", "name"]], on="council_id"
)[["name", "children", "placed", "pct_within_20_miles", "pct_inside_own_council", "mean_distance_miles"]]
print(by_council.round(1).to_string(index=False))

# what happens if 20% of in-house foster carers leave?
homes = region.homes.copy()
fostering = homes.home_type == "in_house_fostering"
homes.loc[fostering, "places"] = (homes.loc[fostering, "places"] * 0.8).astype(int)
# (every child re-placed: today's placements would not all fit in the fewer places)
fewer = rcc.plan(region.replace(homes=homes, placements=region.placements.iloc[:0]))
print("\nwith 20% fewer in-house foster places:")
print(side_by_side({"as planned": optimised, "fewer carers": fewer}))
print(fewer.unmet_by_need().to_string(index=False))
