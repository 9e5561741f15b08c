"""Entry-trend benchmark: the bias of the weighted entry trends when the truth is exponential or linear.

Run:  python benchmarks/bench_entry_trends.py [--reps 200] [--seed 0]

The monthly forecast's entries follow :func:`rcc.forecast.flowdata.trend_mixture`: every candidate trend (flat,
linear, log-linear over several windows) weighted by its backtest on the council's own monthly entries. From five
years of history the backtest cannot tell a linear trend from a log-linear one: weighted together, the mixture
hedges and is biased towards the other form whichever is true, so the trends kept are of one form, log-linear unless
a linear one beats it by more than the noise (:func:`rcc.forecast.flowdata._trend_form`). This prints, for Poisson monthly entries from known
trends (five years of history, about 50 entries a month), the mean % error (bias) and root mean square % error of
the next 24 months' entries: the mixture, the log-linear trend alone and the linear trend alone. A method that
looks better on the forecast benchmark's growing scenario (exponential growth) only because it drops the linear
candidates shows here as a bias when the truth is linear.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
from rcc.forecast.flowdata import fit_trend, trend_mixture  # noqa: E402

HISTORY, HORIZON, LEVEL = 60, 24, 50.0

#: Truths: expected entries in month ``t`` (0 = the first month of the history).
TRUTHS = {
    "steady": lambda t: np.full(len(t), LEVEL),
    "exponential +15% a year": lambda t: LEVEL * 1.15 ** (t / 12),
    "exponential -10% a year": lambda t: LEVEL * 0.90 ** (t / 12),
    "linear +15% of the start a year": lambda t: LEVEL * (1 + 0.15 * t / 12),
    "linear -10% of the start a year": lambda t: LEVEL * 1.6 * (1 - 0.0625 * t / 12),
    "steady, small council (10 a month)": lambda t: np.full(len(t), 10.0),
}


def run(reps: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    past, future = np.arange(HISTORY), np.arange(HISTORY, HISTORY + HORIZON)
    ahead = np.arange(HORIZON)
    rows = []
    for name, mu in TRUTHS.items():
        err: dict[str, list[float]] = {"mixture": [], "log-linear": [], "linear": []}
        for _ in range(reps):
            y = rng.poisson(mu(past)).astype(float)
            true = mu(future).sum()
            mix, _ = trend_mixture(y, HORIZON)
            err["mixture"].append(mix.mean(ahead).sum() / true - 1)
            for kind in ("log-linear", "linear"):
                err[kind].append(fit_trend(y, kind, 0).mean(ahead).sum() / true - 1)
        for how, e in err.items():
            a = 100 * np.asarray(e)
            rows.append({"truth": name, "forecast": how, "bias %": a.mean(), "rmse %": np.sqrt((a**2).mean())})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="histories per truth")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    df = run(args.reps, args.seed)
    print(f"entries over the next {HORIZON} months from {HISTORY} months of history ({args.reps} histories each)")
    print(df.pivot(index="truth", columns="forecast", values=["bias %", "rmse %"]).round(2).to_string())


if __name__ == "__main__":
    main()
