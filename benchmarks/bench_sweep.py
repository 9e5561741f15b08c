"""Sweep benchmark: milliseconds a Monte Carlo draw, warm against cold, beside per-draw ``rcc.plan``.

Run (from the checkout):  python -m benchmarks.bench_sweep [--regions "Greater Manchester RCC" ...] [--draws 48] [--rounds 3]

Three paths run in the same process, on the same draws, one solver thread:

* ``plan_ms``: a Region with the drawn children and :func:`rcc.plan` for every
  draw (merging homes, eligible edges, the HiGHS model, the Plan's tables) and
  the row from :attr:`rcc.Plan.metrics`: the reference.
* ``cold_ms``: ``rcc.sweep(region, draws, executor="serial", warm_chunk=None)``:
  homes, class edges and costs prepared once, a new HiGHS model per draw,
  the row from arrays. Every row equals ``plan_ms``'s (``cold_identical``).
* ``warm_ms``: ``rcc.sweep(...)`` with its default ``warm_chunk``
  (:data:`rcc.analysis.sweeps.WARM_CHUNK`): one HiGHS model per chunk of
  draws, each draw after a chunk's first re-solved from the previous draw's
  basis with only its demand rows changed. ``obj_rel`` is the largest relative
  difference of a draw's objective from the cold solve's; ``tie_rows`` counts
  draws whose row differs from the cold one anywhere (another optimal plan
  among ties, or the last bits of a sum).
* ``*_highs_ms``: of which HiGHS ``run``.
* ``cold_cpu_ms``, ``warm_cpu_ms``: the process's CPU time a draw (``time.process_time``, one solver
  thread), best round: what a draw costs when the machine is not shared (on a loaded machine the wall
  times above are several times these).

The paths alternate ``--rounds`` times; each path's best round is reported
(the machine is shared: compare the ratios, measured side by side).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import attrs
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.allocation import highs as allocation_highs  # noqa: E402
from rcc.analysis.parallel import single_thread  # noqa: E402
from rcc.analysis.sweeps import SWEEP_METRICS, WARM_CHUNK, draw_demand, sweep, sweep_row  # noqa: E402

DEFAULT_REGIONS = ["three GM councils", "Greater Manchester RCC"]


def _region(name: str) -> rcc.Region:
    if name == "three GM councils":
        gm = rcc.datasets.england("Greater Manchester RCC")
        return gm.subset(gm.council_ids[:3], name=name)
    return rcc.datasets.england(name)


class _HighsClock:
    """Seconds spent in HighsAllocation.solve while active."""

    def __enter__(self) -> _HighsClock:
        self.seconds = 0.0
        self._solve = allocation_highs.HighsAllocation.solve
        clock = self

        def timed(model: allocation_highs.HighsAllocation, time_limit_s: float | None) -> dict:
            t0 = time.perf_counter()
            try:
                return clock._solve(model, time_limit_s)
            finally:
                clock.seconds += time.perf_counter() - t0

        allocation_highs.HighsAllocation.solve = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        allocation_highs.HighsAllocation.solve = self._solve  # type: ignore[method-assign]


def per_plan(region: rcc.Region, draws: int, seed: int) -> tuple[pd.DataFrame, float]:
    """The per-draw rcc.plan path; returns the table and seconds."""
    params = single_thread(None)
    mean = region.cohorts.children.to_numpy()
    held = region.placements.groupby("cohort_id").children.sum().reindex(region.cohorts.cohort_id, fill_value=0)
    t0 = time.perf_counter()
    rows = []
    for k in range(draws):  # the sweep's draws: children held today bound each draw from below
        children = draw_demand(mean, seed, k, None, held.to_numpy())
        drawn = attrs.evolve(region, cohorts=region.cohorts.assign(children=children))  # tables valid
        rows.append(sweep_row(rcc.plan(drawn, params), k))
    return pd.DataFrame(rows, columns=["draw", *SWEEP_METRICS, "status"]), time.perf_counter() - t0


def timed_sweep(
    region: rcc.Region, draws: int, seed: int, warm_chunk: int | None
) -> tuple[pd.DataFrame, float, float, float]:
    """rcc.sweep in this process: the table, its seconds, HiGHS's seconds and the process's CPU seconds."""
    with _HighsClock() as clock:
        t0, c0 = time.perf_counter(), time.process_time()
        out = sweep(region, draws, seed=seed, executor="serial", progress=False, warm_chunk=warm_chunk)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return out, seconds, clock.seconds, cpu


def run(names: list[str], draws: int, rounds: int = 3, seed: int = 1) -> pd.DataFrame:
    """Alternate the three paths ``rounds`` times per region; report each path's best round (the machine is shared)."""
    out = []
    for name in names:
        region = _region(name)
        sweep(region, 2, seed=0, executor="serial", progress=False)  # warm imports and caches
        best = {"plan": (np.inf, 0.0), "cold": (np.inf, np.inf), "warm": (np.inf, np.inf)}
        cpu = {"cold": np.inf, "warm": np.inf}
        cold_identical, obj_rel, tie_rows = True, 0.0, 0
        for _ in range(rounds):
            ref, seconds = per_plan(region, draws, seed)
            best["plan"] = min(best["plan"], (seconds, 0.0))
            cold, seconds, hi, c = timed_sweep(region, draws, seed, None)
            best["cold"], cpu["cold"] = min(best["cold"], (seconds, hi)), min(cpu["cold"], c)
            warm, seconds, hi, c = timed_sweep(region, draws, seed, WARM_CHUNK)
            best["warm"], cpu["warm"] = min(best["warm"], (seconds, hi)), min(cpu["warm"], c)
            cold_identical &= ref.equals(cold)
            obj_rel = max(obj_rel, float((np.abs(warm.objective - cold.objective) / np.abs(cold.objective)).max()))
            tie_rows = max(tie_rows, int((~(warm == cold).all(axis=1)).sum()))
        ms = {k: 1000 * v[0] / draws for k, v in best.items()}
        out.append(
            {
                "region": name,
                "draws": draws,
                "plan_ms": round(ms["plan"], 1),
                "cold_ms": round(ms["cold"], 1),
                "cold_highs_ms": round(1000 * best["cold"][1] / draws, 1),
                "warm_ms": round(ms["warm"], 1),
                "warm_highs_ms": round(1000 * best["warm"][1] / draws, 1),
                "cold_cpu_ms": round(1000 * cpu["cold"] / draws, 1),
                "warm_cpu_ms": round(1000 * cpu["warm"] / draws, 1),
                "cold/warm": round(ms["cold"] / ms["warm"], 2),
                "plan/warm": round(ms["plan"] / ms["warm"], 2),
                "cold_identical": cold_identical,
                "obj_rel": f"{obj_rel:.1e}",
                "tie_rows": tie_rows,
            }
        )
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="+", default=DEFAULT_REGIONS)
    ap.add_argument("--draws", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"rcc from {rcc.__file__}")
    table = run(args.regions, args.draws, args.rounds)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
