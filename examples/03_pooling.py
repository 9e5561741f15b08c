"""What pooling changes, for whom, and who pays: Greater Manchester as an RCC.

Run:  python examples/03_pooling.py

1. The standard scenarios (standalone, RCCs everywhere, national, the
   pathfinder alone, demand growth, new capacity, a local incentive) on
   Greater Manchester and its neighbours within 40 miles.
2. Capacity skew: places the RCC gains from its neighbours versus places it creates.
3. Who pays: the saving of pooling split by the Shapley value (exact, 5 councils).
4. A Monte Carlo sweep of demand (20 draws, local process pool).
"""

from __future__ import annotations

import pandas as pd

import rcc
from rcc.analysis.scenarios import compare, standard_scenarios, with_neighbours
from rcc.analysis.sharing import share_savings
from rcc.analysis.sweeps import sweep, sweep_summary


def main() -> None:
    gm_ids = rcc.datasets.regions()["Greater Manchester RCC"]
    base = with_neighbours(rcc.datasets.england(), gm_ids, within_miles=40, name="Greater Manchester and neighbours")
    print(base)

    # 1. scenarios on the same data; each council sees its own outcome
    cmp = compare(base, standard_scenarios(gm_ids, "Greater Manchester"))
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(cmp.table())
        print("\nManchester and Bolton, council by council:")
        print(cmp.table(councils=["E08000003", "E08000001"], metrics=["pct_within_20_miles", "pct_inside_own_council", "weekly_cost_gbp"]))

        # 2. the sector's warning: does the pathfinder move capacity instead of growing it?
        print("\ncapacity skew against standalone:")
        print(cmp.skew_summary().round(1).to_string(index=False))

    # 3. who pays: five councils, 32 coalitions, each an LP; the split is of the weekly bill in GBP (the default;
    #    measure="objective" splits the planning cost instead, for analysts)
    gm = rcc.datasets.england("Greater Manchester RCC")
    sharing = share_savings(gm, gm.council_ids[:5], executor="serial", progress=False)
    print()
    print(sharing.summary())

    # 4. how sure are we? 20 demand draws on a local process pool (one solver thread each)
    draws = sweep(gm, 20, seed=1, progress=False)
    print("\n20 demand draws for Greater Manchester:")
    print(sweep_summary(draws).loc[["children", "unmet", "pct_within_20_miles", "weekly_cost_gbp"]].round(1))


if __name__ == "__main__":  # process pools start new interpreters that import this file
    main()
