"""Sweep benchmark: milliseconds a Monte Carlo draw, per-draw ``rcc.plan`` against the prepared draw engine.

Run (from the checkout):  python -m benchmarks.bench_sweep [--regions "Greater Manchester RCC" ...] [--draws 40] [--rounds 3]

Both paths run in the same process, on the same draws, one solver thread:

* ``plan_ms``: what :func:`rcc.sweep` did for every draw before
  :class:`rcc.analysis.sweeps.DrawSolver`: a Region with the drawn children,
  :func:`rcc.plan` (merging homes, eligible edges, the HiGHS model, the Plan's
  tables) and the row from :attr:`rcc.Plan.metrics`.
* ``sweep_ms``: ``rcc.sweep(region, draws, executor="serial")`` (homes, class
  edges and costs prepared once per batch, the same HiGHS solve per draw, the
  row from arrays), wall time over the draws, preparation included.
* ``hi_ms``: of which HiGHS ``run`` (the solve itself, the same on both paths).

The paths alternate ``--rounds`` times; each path's best round is reported
(the machine may be shared). ``identical`` checks every column of the two
tables, exactly, in every round.

Measured (40 draws, best of 4 alternating rounds, Python 3.11, 2 cores shared with
other jobs: load average about 100, so absolute numbers are noisy; the ratio is
of the same run). ``plan_ms`` uses this checkout's :func:`rcc.plan` (its
vectorised flow split included); main's ``rcc.sweep`` measured alongside was
27.6 ms a draw on Greater Manchester::

                    region  draws  plan_ms  sweep_ms  highs_ms  ratio  identical
         three GM councils     40     15.9       2.4       1.4   6.55       True
    Greater Manchester RCC     40     29.2      13.5      11.1   2.16       True

HiGHS's own solve (``highs_ms``) is most of what is left: each draw is solved
from scratch, as :func:`rcc.plan` solves it, so the plan (and every number of
the row) is the one :func:`rcc.plan` gives. Re-solving one model from the
previous draw's basis takes about 4 ms a draw but lands on other optimal
vertices of these degenerate LPs (same objective value, different rows, so
sums differ in the last bits), so it is not used.
"""

from __future__ import annotations

import argparse
import time

import attrs
import numpy as np
import pandas as pd

import rcc
from rcc.allocation import highs as allocation_highs
from rcc.analysis.parallel import single_thread
from rcc.analysis.sweeps import SWEEP_METRICS, draw_demand, sweep, sweep_row

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
    t0 = time.perf_counter()
    rows = []
    for k in range(draws):
        drawn = attrs.evolve(region, cohorts=region.cohorts.assign(children=draw_demand(mean, seed, k)))  # tables valid
        rows.append(sweep_row(rcc.plan(drawn, params), k))
    return pd.DataFrame(rows, columns=["draw", *SWEEP_METRICS, "status"]), time.perf_counter() - t0


def run(names: list[str], draws: int, rounds: int = 3, seed: int = 1) -> pd.DataFrame:
    """Alternate the two paths ``rounds`` times per region; report each path's best round (the machine is shared)."""
    out = []
    for name in names:
        region = _region(name)
        sweep(region, 2, seed=0, executor="serial", progress=False)  # warm imports and caches
        old_s = new_s = highs_s = np.inf
        identical = True
        for _ in range(rounds):
            old, seconds = per_plan(region, draws, seed)
            old_s = min(old_s, seconds)
            with _HighsClock() as clock:
                t0 = time.perf_counter()
                new = sweep(region, draws, seed=seed, executor="serial", progress=False)
                seconds = time.perf_counter() - t0
            if seconds < new_s:
                new_s, highs_s = seconds, clock.seconds
            identical &= old.equals(new) and np.array_equal(old.to_numpy(), new.to_numpy())
        out.append(
            {
                "region": name,
                "draws": draws,
                "plan_ms": round(1000 * old_s / draws, 1),
                "sweep_ms": round(1000 * new_s / draws, 1),
                "highs_ms": round(1000 * highs_s / draws, 1),
                "ratio": round(old_s / new_s, 2),
                "identical": identical,
            }
        )
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="+", default=DEFAULT_REGIONS)
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"rcc from {rcc.__file__}")
    table = run(args.regions, args.draws, args.rounds)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
