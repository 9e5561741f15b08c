"""Today's placements in the default England: what loading them and planning with them costs.

Run:  python benchmarks/bench_census.py [--repeat 3] [--no-plan]

Each measure in fresh interpreters (``--repeat`` times, the median), beside its reference measured in the
same run (ratio = measure / reference):

1. Loading: ``import rcc`` (reference) and ``import rcc; rcc.datasets.england()`` with the shipped census
   (package data, the way rcc works) against ``england(today=False)`` (no placements, as before) and against
   simulating the census on load (``rcc.simulate.census`` of England, what a cache would cost once per key).
2. ``rcc plan`` on the default England end to end (``python -m rcc.cli plan``: today, greedy, optimised)
   against the same plans without today's placements (``england(today=False)``, greedy and optimised: the
   ``rcc plan`` of before); and each plan alone (library), with its status and children without a home.
Printed, never asserted (the machine is shared: compare ratios within one run).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOAD = {
    "import rcc (reference)": "import rcc",
    "england(today=False)": "import rcc; rcc.datasets.england(today=False)",
    "england() (shipped census)": "import rcc; rcc.datasets.england()",
    "england() + simulate the census on load": (
        "import rcc; e = rcc.datasets.england(today=False); rcc.simulate.census(e); rcc.datasets.england()"
    ),
    "england() twice (second call)": (
        "import rcc, time; rcc.datasets.england(); t = time.perf_counter(); rcc.datasets.england(); "
        "print('SECOND', time.perf_counter() - t)"
    ),
}

PLAN_BEFORE = """
import rcc
r = rcc.datasets.england(today=False)
rcc.plan(r, rcc.PlanParams(method="greedy")); rcc.plan(r)
"""


def wall(code: str, repeat: int) -> tuple[float, str]:
    """Median wall time of ``python -c code`` in fresh interpreters from the repository root, and its output."""
    times, out = [], ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
        out = done.stdout
    return statistics.median(times), out


def plans_alone() -> list[str]:
    sys.path.insert(0, str(ROOT))  # this checkout's rcc, as the fresh interpreters above
    import rcc

    lines = [f"{'plan (library, England)':<40}{'seconds':>9}{'status':>12}{'without a home':>16}"]
    for label, today in (("without today's placements", False), ("today's placements held", True)):
        region = rcc.datasets.england(today=today)
        if today:
            t0 = time.perf_counter()
            p = rcc.simulate.today_plan(region)
            lines.append(f"{'today (' + label + ')':<40}{time.perf_counter() - t0:>9.2f}{p.status.value:>12}"
                         f"{int(p.metrics['unmet']):>16,}")
        for method in ("greedy", "optimise"):
            t0 = time.perf_counter()
            p = rcc.plan(region, rcc.PlanParams(method=method))
            lines.append(f"{method + ' (' + label + ')':<40}{time.perf_counter() - t0:>9.2f}{p.status.value:>12}"
                         f"{int(p.metrics['unmet']):>16,}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-plan", action="store_true")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}; median of {args.repeat} fresh interpreters; ratio against the reference")
    ref, _ = wall(LOAD["import rcc (reference)"], args.repeat)
    base, _ = wall(LOAD["england(today=False)"], args.repeat)
    print(f"{'loading':<44}{'seconds':>9}{'x import':>10}{'x today=False':>15}")
    for label, code in LOAD.items():
        t, out = (ref, "") if code == "import rcc" else wall(code, args.repeat)
        if "SECOND" in out:
            second = float(out.split("SECOND")[1])
            print(f"{'england() second call (in process)':<44}{second:>9.2f}{'':>10}{'':>15}")
            continue
        print(f"{label:<44}{t:>9.2f}{t / ref:>10.2f}{t / base:>15.2f}")
    if args.no_plan:
        return
    before, _ = wall(PLAN_BEFORE, args.repeat)
    after, _ = wall("import sys; from rcc.cli import main; sys.exit(main(['plan', '--quiet']))", args.repeat)
    print(f"\n{'rcc plan on the default England':<44}{'seconds':>9}{'x before':>10}")
    print(f"{'before: greedy + optimised, no placements':<44}{before:>9.2f}{1.0:>10.2f}")
    print(f"{'after: rcc plan (today, greedy, optimised)':<44}{after:>9.2f}{after / before:>10.2f}")
    print()
    print("\n".join(plans_alone()))


if __name__ == "__main__":
    main()
