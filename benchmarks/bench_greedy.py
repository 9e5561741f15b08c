"""Greedy baseline: on merged homes (rcc.plan, method="greedy") against the home-level greedy it replaced,
measured in the same run.

Run:  python benchmarks/bench_greedy.py [--regions "Greater Manchester RCC" England] [--seeds 0 1 2] [--repeat 3]

Each (region, implementation) runs in a fresh process, so its peak memory is its own:
- ``home_level``: the former greedy, every home's eligible edges then the referral loop over them, with the
  same tables (the reference lives in tests/test_greedy_classes.py, which proves the two identical);
- ``merged``: ``rcc.plan(region, PlanParams(method="greedy"))`` end to end.
Columns: ``region_mib`` (resident memory of the process with the region loaded), ``first_s`` (the first run
of seed 0), ``_s`` (best of ``--repeat`` runs of seed 0), ``peak_mib`` (peak resident memory during the
runs, counted from the loaded region: the process's high-water mark is reset after loading), ``ratio``
(home_level / merged, for time and memory), ``_cpu_s`` (the process's CPU seconds, ``time.process_time``, best
of the runs of seed 0: the time on an unshared machine; wall times on a loaded one are several times these),
and ``same`` (placements and shortfall of every seed equal between the two, compared exactly; objectives within 1e-12 relative: the same terms summed in another order).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402

REGIONS = ["Greater Manchester RCC", "England"]


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(region_name: str, impl: str, seeds: list[int], repeat: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_greedy_classes import home_level_plan

    region = rcc.datasets.england(None if region_name == "England" else region_name)

    def run(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, float]:
        params = rcc.PlanParams(method="greedy", seed=seed)
        if impl == "home_level":
            return home_level_plan(region, params)
        p = rcc.plan(region, params)
        return p.placements, p.shortfall, p.objective

    loaded = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark: count from the loaded region
    times, cpu, results = [], [], {}
    first = None
    for seed in seeds:
        for _ in range(repeat if seed == seeds[0] else 1):
            t0, c0 = time.perf_counter(), time.process_time()
            placements, shortfall, objective = run(seed)
            if seed == seeds[0]:
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                first = times[0] if first is None else first
        results[seed] = {
            "placements": placements.to_json(orient="split"),
            "shortfall": shortfall.to_json(orient="split"),
            "objective": objective.hex(),
        }
    return {
        "first_s": first,
        "best_s": min(times),
        "cpu_s": min(cpu),
        "region_mib": loaded / 1024,
        "peak_mib": (_status_kib("VmHWM") - loaded) / 1024,
        "results": results,
    }


def _same(ref: dict, new: dict) -> bool:
    """Placements and shortfall of every seed equal exactly; objectives within 1e-12 relative (the same
    terms summed over fewer edges may differ in the last bit, as tests/test_greedy_classes.py allows)."""
    def close(a: str, b: str) -> bool:
        return abs(float.fromhex(a) - float.fromhex(b)) <= 1e-12 * abs(float.fromhex(a))

    return ref.keys() == new.keys() and all(
        ref[s]["placements"] == new[s]["placements"] and ref[s]["shortfall"] == new[s]["shortfall"]
        and close(ref[s]["objective"], new[s]["objective"])
        for s in ref
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="+", default=REGIONS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], args.one[1], args.seeds, args.repeat)))
        return
    rows = []
    for name in args.regions:
        out = {}
        for impl in ("home_level", "merged"):
            cmd = [sys.executable, __file__, "--one", name, impl, "--repeat", str(args.repeat), "--seeds"]
            done = subprocess.run(cmd + [str(s) for s in args.seeds], capture_output=True, text=True, check=True)
            out[impl] = json.loads(done.stdout.splitlines()[-1])
        ref, new = out["home_level"], out["merged"]
        rows.append(
            {
                "region": name,
                "region_mib": round(new["region_mib"]),
                "home_level_first_s": round(ref["first_s"], 3),
                "merged_first_s": round(new["first_s"], 3),
                "home_level_s": round(ref["best_s"], 3),
                "merged_s": round(new["best_s"], 3),
                "time_ratio": round(ref["best_s"] / new["best_s"], 2),
                "home_level_cpu_s": round(ref["cpu_s"], 3),
                "merged_cpu_s": round(new["cpu_s"], 3),
                "home_level_peak_mib": round(ref["peak_mib"]),
                "merged_peak_mib": round(new["peak_mib"]),
                "memory_ratio": round(ref["peak_mib"] / max(new["peak_mib"], 1e-9), 2),
                "same": _same(ref["results"], new["results"]),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"seeds compared: {args.seeds}; times: best of {args.repeat} runs of seed {args.seeds[0]}")


if __name__ == "__main__":
    main()
