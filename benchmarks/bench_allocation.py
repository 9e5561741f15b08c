"""Allocation benchmark: speed, memory and quality on the embedded England data.

Run:  python benchmarks/bench_allocation.py [--regions "North West" England ...] [--solver highs|cbc]

Prints one row per region x method: size, build+solve time, peak memory of the
process (RSS high-water mark), and the quality figures beside the published
DfE outcomes for the same councils. Targets (checked by eye, not by tests):
England optimised under 30 s and 4 GB on 2 cores; optimised places at least
as many children as greedy with a lower mean distance.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402

DEFAULT_REGIONS = ["Greater Manchester RCC", "North West", "South East RCC", "London", "England"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(regions: list[str], solver: str) -> pd.DataFrame:
    rows = []
    for name in regions:
        region = rcc.datasets.england(name)
        pub = rcc.datasets.published_metrics(list(region.councils.council_id))
        edges = len(rcc.eligible_edges(region))
        for method in ("greedy", "optimise"):
            params = rcc.PlanParams(method=method, solver=rcc.SolverOptions(name=solver))
            t0 = time.perf_counter()
            plan = rcc.plan(region, params)
            wall = time.perf_counter() - t0
            m = plan.metrics
            rows.append(
                {
                    "region": name,
                    "method": method if method == "greedy" else f"optimise/{solver}",
                    "councils": len(region.councils),
                    "children": int(m.children),
                    "edges": edges,
                    "built": plan.info.variables or None,
                    "wall_s": round(wall, 2),
                    "peak_rss_mb": round(peak_rss_mb()),
                    "status": plan.status.value,
                    "unmet": int(m.unmet),
                    "within20_pct": round(m.pct_within_20_miles, 1),
                    "own_council_pct": round(m.pct_inside_own_council, 1),
                    "mean_miles": round(m.mean_distance_miles, 2),
                    "weekly_cost_gbp_m": round(m.weekly_cost_gbp / 1e6, 2),
                    "hhi": round(m.provider_hhi),
                    "published_within20_pct": round(pub.pct_within_20_miles, 1),
                    "published_own_council_pct": round(pub.pct_inside_own_council, 1),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="+", default=DEFAULT_REGIONS)
    ap.add_argument("--solver", default="highs", choices=("highs", "cbc"))
    args = ap.parse_args()
    table = run(args.regions, args.solver)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
