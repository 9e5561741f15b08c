"""Pooling benchmark: what pooling changes, for whom, and who pays, on the embedded England data.

Run:  python benchmarks/bench_pooling.py [--draws 200] [--workers 2] [--no-sweep] [--no-dask] [--no-shapley]
                                          [--from-scratch]

1. Pooling levels on all of England, the calibrated default (rcc.datasets.england(): today's placements,
   the simulated census of 31 March 2025, held in every plan): today, then one plan per scenario, every
   council in it: each council standalone, RCCs everywhere (regions pool; Greater Manchester as its own
   RCC), national, and each pathfinder alone (Greater Manchester, South East). One row per region /
   pathfinder x scenario; each region's own-region share beside the published one, and DfE's published
   outcomes for the same councils. ``--from-scratch``: the plans move every child (hold_current=False).
2. Capacity skew of each pathfinder against the standalone baseline.
3. Sweep of ``--draws`` Monte Carlo demand draws for Greater Manchester:
   serially, on a local process pool and on a local Dask cluster, checked
   identical, with timings.
4. Shapley split of Greater Manchester's pooling saving (10 councils, exact).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import attrs
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.analysis.comparison import compare  # noqa: E402
from rcc.analysis.rules import Scenario  # noqa: E402
from rcc.analysis.sharing import share_savings  # noqa: E402
from rcc.analysis.sweeps import sweep  # noqa: E402
from rcc.cli.compare import with_today  # noqa: E402

#: Published share of children looked after placed inside their own region, %, 31 March 2024: DfE via FOI,
#: every region and England (rcc.datasets.PUBLISHED_IN_REGION_PCT, rcc.datasets.IN_REGION_SOURCE).
PUBLISHED_INSIDE_REGION_PCT = {k: v[2024] for k, v in rcc.datasets.PUBLISHED_IN_REGION_PCT.items()}

GM = "Greater Manchester RCC"
SE = "South East RCC"


def pooling_table(workers: int, hold: bool = True) -> tuple[pd.DataFrame, rcc.analysis.scenarios.Comparison, float]:
    groups = rcc.datasets.regions()
    eng = rcc.datasets.england()
    gm, se = groups[GM], groups[SE]
    scenarios = [
        Scenario("standalone", description="each council alone: own in-house supply + the spot market"),
        Scenario("rcc_pooled", "rcc", gm, "Greater Manchester", description="RCCs everywhere (regions; GM its own)"),
        Scenario("national", "national", description="every home open to every council within reach"),
        Scenario("pathfinder_gm", "pathfinder_only", gm, "Greater Manchester", description="only GM pools"),
        Scenario("pathfinder_se", "pathfinder_only", se, "South East", description="only the South East pools"),
    ]
    named = {k: v for k, v in groups.items() if k != "England"}
    t0 = time.perf_counter()
    params = rcc.PlanParams(hold_current=hold)
    executor = "process" if workers > 1 else "serial"
    cmp = compare(eng, scenarios, params, executor=executor, rcc=gm, groups=named, progress=True)
    wall = time.perf_counter() - t0
    cmp = with_today(cmp, named)
    w = cmp.wide().set_index(["scenario", "council_id"])
    rows = []
    for area in ["England", *[k for k in groups if k != "England"]]:
        key = "group:all" if area == "England" else f"group:{area}"
        pub = rcc.datasets.published_metrics(None if area == "England" else groups[area])
        wanted = ["today", "standalone", "rcc_pooled", "national"]
        if area == GM:
            wanted.append("pathfinder_gm")
        if area == SE:
            wanted.append("pathfinder_se")
        for i, s in enumerate(wanted):
            m = w.loc[(s, key)]
            rows.append(
                {
                    "area": area if i == 0 else "",
                    "scenario": s,
                    "children": int(m.children),
                    "unmet": int(m.unmet),
                    "within20_%": round(m.pct_within_20_miles, 1),
                    "own_council_%": round(m.pct_inside_own_council, 1),
                    "own_region_%": round(m.pct_inside_own_region, 1),
                    "pub_own_region_%": PUBLISHED_INSIDE_REGION_PCT.get(area, "-") if i == 0 else "",
                    "cost_gbp_m_wk": round(m.weekly_cost_gbp / 1e6, 2),
                    "util_%": round(m.utilisation_pct, 1),
                    "| pub_within20_%": round(pub.pct_within_20_miles, 1) if i == 0 else "",
                    "pub_own_council_%": round(pub.pct_inside_own_council, 1) if i == 0 else "",
                }
            )
    return pd.DataFrame(rows), cmp, wall


def skew_report(cmp: rcc.analysis.scenarios.Comparison) -> str:
    groups = rcc.datasets.regions()
    out = []
    for name, scen in ((GM, "pathfinder_gm"), (SE, "pathfinder_se")):
        c = attrs.evolve(cmp, rcc=tuple(groups[name]))
        summary = c.skew_summary(within_miles=30)
        out.append(f"\n{name}: capacity skew against standalone (neighbours within 30 miles or exchanging children)")
        out.append(summary.round(1).to_string(index=False))
        sk = c.skew(within_miles=30)
        top = sk[sk.scenario == scen].reindex(
            sk[sk.scenario == scen].places_taken.abs().sort_values(ascending=False).index
        ).head(6)
        cols = ["council_name", "rcc_children_here_base", "rcc_children_here", "children_in_rcc_base",
                "children_in_rcc", "places_taken", "unmet_change", "mean_distance_change"]
        out.append(f"  most affected neighbours under {scen}:")
        out.append(top[cols].round(2).to_string(index=False))
    return "\n".join(out)


def sweep_check(draws: int, workers: int, dask: bool) -> str:
    region = rcc.datasets.england(GM)
    lines = [f"\nSweep: {draws} Poisson demand draws for {GM} (seed 2025), one solver thread per worker"]
    t0 = time.perf_counter()
    serial = sweep(region, draws, seed=2025, executor="serial", progress=False)
    t_serial = time.perf_counter() - t0
    lines.append(f"  serial                          {t_serial:6.1f} s")
    t0 = time.perf_counter()
    pooled = sweep(region, draws, seed=2025, executor="process", workers=workers, progress=True)
    t_pool = time.perf_counter() - t0
    same = serial.equals(pooled)
    lines.append(f"  process pool ({workers} workers, spawn)   {t_pool:6.1f} s  identical to serial: {same}")
    if dask:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            lines.append("  dask: not installed (pip install 'dask[distributed]')")
        else:
            t0 = time.perf_counter()
            with LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster, Client(cluster) as client:
                t_up = time.perf_counter() - t0
                on_dask = sweep(region, draws, seed=2025, executor=client.get_executor(), workers=workers, progress=True)
            t_dask = time.perf_counter() - t0
            lines.append(
                f"  dask LocalCluster ({workers} x 1 thread)  {t_dask:6.1f} s (cluster start {t_up:.1f} s)"
                f"  identical to serial: {serial.equals(on_dask)}"
            )
    s = serial.describe().loc[["mean", "std", "min", "max"], ["children", "unmet", "pct_within_20_miles", "weekly_cost_gbp"]]
    lines.append(s.round(1).to_string())
    return "\n".join(lines)


def shapley_report(workers: int) -> str:
    region = rcc.datasets.england(GM)
    t0 = time.perf_counter()
    cs = share_savings(region, executor="process" if workers > 1 else "serial", workers=workers, progress=True)
    wall = time.perf_counter() - t0
    return f"\nShapley split of the pooling saving ({wall:.1f} s)\n" + cs.summary()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-shapley", action="store_true")
    ap.add_argument("--from-scratch", action="store_true", help="plans move every child (today's placements not held)")
    args = ap.parse_args()
    table, cmp, wall = pooling_table(args.workers, hold=not args.from_scratch)
    held = "every child placed anew" if args.from_scratch else "today's placements held in every plan"
    print(f"Pooling on England, the calibrated default ({len(cmp.scenarios) - 1} scenarios, {wall:.1f} s; {held}; "
          "'today': the simulated census of 31 March 2025): model vs published")
    print("own_region_% beside pub_own_region_% (DfE/FOI figures quoted in issue 4; '-': not published); "
          "| pub_within20 / pub_own_council: DfE 31 March 2025 for the same councils")
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))
        print(skew_report(cmp))
    if not args.no_sweep:
        print(sweep_check(args.draws, args.workers, not args.no_dask))
    if not args.no_shapley:
        print(shapley_report(args.workers))


if __name__ == "__main__":
    main()
