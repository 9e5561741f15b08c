"""Calibrate the referral simulation (rcc.simulate) on England to DfE's 31 March 2025 per-council figures.

Usage::

    python scripts/calibrate_simulation.py [--seeds 0 1] [--years 5] [--out rcc/datasets/data/simulation_calibration.json]
    python scripts/calibrate_simulation.py --quick       # a coarse grid, one seed: a look, never written

Two global parameters (one value for all of England, none per region) are fitted on a grid with common
random numbers (every grid point runs the same seeds, and every draw of the simulation depends only on
the seed and the month, so differences between grid points are the parameters', not the dice's):

* ``suit_scale``: multiplies every home type's chance that a free place suits a child
  (:data:`rcc.flows.DEFAULT_SUIT_CHANCE`, capped at 1): scarcity, so how far children go for a place;
* ``district_spread``: the radius of each district's disc as a multiple of a disc of its area
  (:func:`rcc.datasets.council_geometry`): how tightly children live around their district's centre,
  which the share over 20 miles is measured with. It needs no new simulation: the census stock of
  each ``suit_scale`` is measured at every spread.

Fixed, not fitted: inside a council placing is nearest first (``rcc.datasets.LOCALITY_MILES``, the 20-mile
threshold itself), and the supply is built from its published figures (``rcc.datasets.supply_figures()``,
``rcc.datasets.weekly_costs()``), none of them tuned to these targets.

Targets (fitted): per council, the share of children placed outside the council (of those with a known
locality) and the share placed more than 20 miles from home (of those with a known distance), DfE 2025.
The loss is the sum of the two mean absolute errors in percentage points over councils with a published
figure; each council's simulated share is the mean over the seeds.

Held out (printed beside the model, never fitted to): the same shares in 2021-2024, the share over 20
miles of children placed inside their own council (2025), and the net gain per council (other councils'
children placed in it minus its own placed outside, DfE 2024 release, per 100 of its children placed).

The output (parameters, fit, held-out agreement, date, sources, seeds, grid) is written as package data;
``rcc.simulate`` and ``rcc.datasets.council_geometry`` use it by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import pandas as pd

import rcc
from rcc.datasets import council_geometry, published_by_council
from rcc.simulate import agreement, calibrated_rule, placement_matrix, shares_by_council

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "rcc" / "datasets" / "data" / "simulation_calibration.json"
SUIT_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
SPREAD_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0)
SOURCES = (
    "DfE, Children looked after in England including adoptions, 2025 release: per-council placements inside "
    "and outside the council and by distance from home at 31 March 2025 (fitted); 2021-2024 (held out)",
    "DfE, la_cla_on_31_march_la_of_placement_netgain, 2024 release (held out)",
    "ONS LAD May 2023 centroids and areas, LTLA to UTLA lookup April 2023 (district geometry)",
    "rcc.datasets.england(): ONS, DfE and Ofsted figures as described in ATTRIBUTION.md; supply figures and "
    "weekly costs with their sources in supply_figures.csv and weekly_costs.csv (NCERCC 2020, CMA 2021-22, LGA 2023)",
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--quick", action="store_true", help="coarse grid, first seed, nothing written")
    args = ap.parse_args(argv)
    suits, spreads = (SUIT_GRID[::3], SPREAD_GRID[::3]) if args.quick else (SUIT_GRID, SPREAD_GRID)
    seeds = args.seeds[:1] if args.quick else args.seeds
    region = rcc.datasets.england(today=False)  # an empty system at month 0
    ids = region.council_ids
    fars = {s: council_geometry(ids, spread=s).far_share for s in spreads}
    target = published_by_council(2025)
    loss, means, metrics = {}, {}, {}
    t0 = time.perf_counter()
    for suit in suits:
        counts = []
        for seed in seeds:
            sim = rcc.simulate.simulate(region, years=args.years, seed=seed, rule=calibrated_rule(suit))
            counts.append(placement_matrix(region, sim.population))
            metrics[(suit, seed)] = sim.metrics
        for spread in spreads:
            mean = pd.concat([shares_by_council(n, fars[spread]) for n in counts]).groupby(level=0).mean()
            mean.index = ids
            means[(suit, spread)] = mean
            loss[(suit, spread)] = sum(agreement(mean[c], target[c])["mae"] for c in ("outside", "over_20"))
        print(f"suit_scale {suit:.2f}: {len(seeds)} seeds simulated ({time.perf_counter() - t0:.0f} s so far)")
    grid = pd.Series(loss).unstack()
    grid.index.name, grid.columns.name = "suit_scale", "district_spread"
    print("\nloss (MAE outside + MAE over 20 miles, points) by suit_scale (rows) and district_spread (columns):")
    print(grid.round(2).to_string())
    suit, spread = min(loss, key=loss.get)
    best = means[(suit, spread)]
    print(f"\nfitted: suit_scale {suit}, district_spread {spread} (loss {loss[(suit, spread)]:.2f})")
    fit = {c: agreement(best[c], target[c]) for c in ("outside", "over_20")}
    england = pd.concat([metrics[(suit, s)] for s in seeds], axis=1).mean(axis=1)
    held = {"inside_over_20_2025": agreement(best.inside_over_20, target.inside_over_20)}
    for year in (2021, 2022, 2023, 2024):
        old = published_by_council(year)
        held |= {f"{c}_{year}": agreement(best[c], old[c]) for c in ("outside", "over_20")}
    held["netgain_per_100_2024"] = agreement(best.netgain_per_100, published_by_council(2024).netgain_per_100)
    print("\nper council against DfE (r, MAE in points, councils): fitted to 2025")
    print(pd.DataFrame(fit).T.round(3).to_string())
    print("\nheld out, never fitted to (the same model beside other published figures):")
    print(pd.DataFrame(held).T.round(3).to_string())
    print(f"\nEngland: {england['pct_inside_own_council']:.1f}% inside own council (DfE 55.7%)")
    if args.quick:
        return
    record = {
        "parameters": {"suit_scale": float(suit), "district_spread": float(spread)},
        "created": dt.date.today().isoformat(),
        "rcc_version": rcc.__version__,
        "method": (
            "grid search with common random numbers over suit_scale and district_spread; loss = MAE of the "
            "per-council share placed outside the council + MAE of the share more than 20 miles from home "
            "(percentage points, DfE 31 March 2025, councils with a published figure; simulated share = mean "
            "over seeds); England, rcc.simulate.simulate(years, seed) from rcc.datasets.england(), with its other "
            "defaults (own_provision: a council's in-house carers foster only its children; placeholder rates); "
            "the geometry's nearest-first placing inside a council (rcc.datasets.LOCALITY_MILES) is fixed, not fitted"
        ),
        "seeds": list(seeds),
        "years": args.years,
        "grid": {"suit_scale": list(suits), "district_spread": list(spreads)},
        "sources": list(SOURCES),
        "fit": fit,
        "held_out": held,
        "england_pct_inside_own_council": float(england["pct_inside_own_council"]),
        "england_pct_within_20_miles": float(england["pct_within_20_miles"]),
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
