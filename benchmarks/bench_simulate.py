"""The referral simulation (rcc.simulate) on England: speed, and the census beside DfE's published figures.

Run:  python benchmarks/bench_simulate.py [--region England] [--years 5] [--seeds 0 1 2]

Prints, per seed: wall time to build the engine (candidate lists from rcc.eligible_edges) and to run,
children simulated (initial stock + entries), and the census metrics; then the reference measured in the
same run, the greedy plan (``rcc.plan(method="greedy")``, one pass over an empty system), with its time and
metrics; then the headline metrics side by side with DfE 31 March 2025 (the greedy plan's share within 20 miles
measured as the simulation's and DfE's are, rcc.simulate.within_20_miles_as_dfe, and by its own travel table)
and, per council, Pearson r and mean
absolute error of the outside-own-council and over-20-miles shares against the published ones. The simulation
runs with its calibrated defaults (scripts/calibrate_simulation.py fitted them to those per-council shares;
the rates are placeholders); benchmarks/bench_realism.py compares it in full, with held-out figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.simulate import build_engine, council_metrics, initial_population  # noqa: E402

SHOWN = ["pct_inside_own_council", "pct_within_20_miles", "pct_inside_own_region", "waiting", "mean_distance_miles"]


def _agreement(sim: pd.DataFrame) -> dict[str, float]:
    """Per council, simulated against DfE 2025: r, MAE and councils of the outside and over-20 shares."""
    published = rcc.datasets.published_by_council(2025)
    model = sim.set_index("council_id")
    out = {}
    for column, label in (("pct_inside_own_council", "outside"), ("pct_within_20_miles", "over_20")):
        a = rcc.simulate.agreement(100 - model[column], published[label])
        out |= {f"{label}_r": a["r"], f"{label}_mae": a["mae"], f"{label}_councils": a["councils"]}
    return out


def _greedy(region: rcc.Region) -> tuple[float, pd.Series]:
    t0 = time.perf_counter()
    plan = rcc.plan(region, rcc.PlanParams(method="greedy"))
    seconds = time.perf_counter() - t0
    p = plan.placements
    home_council = region.homes.set_index("home_id").council_id
    child_council = region.cohorts.set_index("cohort_id").council_id
    inside = child_council[p.cohort_id].to_numpy() == home_council[p.home_id].to_numpy()
    far = p.distance_miles.to_numpy() > rcc.simulate.FAR_MILES
    n = p.children.to_numpy()
    return seconds, pd.Series(
        {
            "pct_inside_own_council": 100 * n[inside].sum() / n.sum(),
            # as the simulation's and DfE's: district geometry, children with a known distance
            "pct_within_20_miles": rcc.simulate.within_20_miles_as_dfe(region, p),
            "pct_within_20_miles_plan": 100 * n[~far].sum() / n.sum(),  # the plan's travel table, every child
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--region", default="England")
    ap.add_argument("--years", type=float, default=5.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    region = rcc.datasets.england(None if args.region == "England" else args.region, today=False)
    print(region)
    t0 = time.perf_counter()
    build_engine(region)
    build_s = time.perf_counter() - t0
    rows, by_council = [], []
    for seed in args.seeds:
        t0 = time.perf_counter()
        sim = rcc.simulate.simulate(region, years=args.years, seed=seed)
        wall = time.perf_counter() - t0
        starts = int(sim.flows.loc[sim.flows.event == "start", "children"].sum())
        simulated = len(initial_population(region, seed)) + starts
        rows.append(
            {
                "seed": seed,
                "wall_s": wall,
                "children_simulated": simulated,
                "child_months": None,
                **{k: float(sim.metrics[k]) for k in SHOWN},
            }
        )
        by_council.append(council_metrics(region, sim.population))
    table = pd.DataFrame(rows).drop(columns="child_months")
    greedy_s, greedy = _greedy(region)
    print(f"\nengine build (candidate lists) {build_s:.2f} s; simulate {args.years:g} years incl. build, per seed:")
    print(table.round(2).to_string(index=False))
    print(
        f"\nreference: greedy plan {greedy_s:.2f} s; simulate / greedy time ratio {table.wall_s.mean() / greedy_s:.2f}"
    )
    published = rcc.datasets.published_metrics(list(region.councils.council_id))
    side = pd.DataFrame(
        {
            "simulated (mean of seeds)": [table[k].mean() for k in ("pct_inside_own_council", "pct_within_20_miles")],
            "greedy": [greedy[k] for k in ("pct_inside_own_council", "pct_within_20_miles")],
            "published DfE 2025": [published[k] for k in ("pct_inside_own_council", "pct_within_20_miles")],
        },
        index=["% inside own council", "% within 20 miles"],
    )
    side.loc["% within 20 miles, the plan's own distances (its travel table, every child)"] = [
        float("nan"),
        greedy["pct_within_20_miles_plan"],
        float("nan"),
    ]
    print("\ncensus beside the published figures (per-council shares fitted by the calibration):")
    print(side.round(1).to_string())
    agreement = _agreement(pd.concat(by_council).groupby("council_id", as_index=False).mean())
    print("\nper council against DfE 2025 (mean over seeds):")
    print(pd.Series(agreement).round(2).to_string())


if __name__ == "__main__":
    main()
