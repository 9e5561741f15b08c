"""Forecast benchmark: rcc's monthly forecast against the known truth of synthetic SSDA903 returns.

Run:  python benchmarks/bench_forecast.py [--seeds 0 1 ... 11] [--sims 200] [--runs 200] [--scenarios steady growing]

For each scenario of :data:`rcc.forecast.synthetic.SCENARIOS` (steady, growing +15% a year, shrinking
-10% a year, changing mix) and each seed: one council, about 600 entries a year, five annual returns
(:func:`rcc.forecast.synthetic.synthetic_ssda903`), loaded with :func:`rcc.io.ssda903.load_ssda903`, and
forecast 24 months with :func:`rcc.forecast_monthly`. The truth is the mean of ``--runs`` continuations
of the same process from the children in care on the last day; a band's coverage is the share of those
continuations inside its p10-p90. Beside it, the reference measured in the same run: the annual
:func:`rcc.forecast_demand` (by need, no placement groups) total at two years.

Measures (mean abs % error vs truth over cells with a true mean of at least 5 children):
``group x age`` averaged over months 1-24 and at 12 and 24 months; ``supported`` (supported
accommodation); ``total @24`` signed; ``coverage`` of every placement group (mean over its age bands
and months; min and max over groups). The issue's error targets are printed for every seed: met only when each
seed meets it (the seeds that miss are named), not the mean over seeds. Its coverage target ("an 80% band holds
about 80% of outcomes in backtests, for every group") is met when each placement group's share of true futures
inside the band, over all the seeds' backtests, is 70-90%; beside it, how many seeds meet it alone. Then the
centre's error at 24 months in units of the parameter uncertainty the band claims (sd about 1 over the seeds when
the band is as wide as it should be). All separately for seeds 0-3 (those the methods were developed on) and the
others (default 4-11: held out, so a method fitted to seeds 0-3 shows there), and over all seeds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.core.schema import AGE_BANDS, HOME_TYPES  # noqa: E402
from rcc.forecast.synthetic import GROUPS, SCENARIOS, synthetic_ssda903  # noqa: E402
from rcc.io.ssda903 import load_ssda903  # noqa: E402

MONTHS = 24
#: Seeds the forecast's methods were developed against; the others check that they were not fitted to them.
DEVELOPED = (0, 1, 2, 3)


def score(fc: pd.DataFrame, truth: np.ndarray) -> dict[str, float]:
    """Errors and coverage of a forecast (one council) against ``truth`` (runs, months + 1, groups, bands)."""
    f = fc[fc.kind == "forecast"].set_index(["month", "placement", "age_band"]).sort_index()
    months = sorted(f.index.get_level_values(0).unique())
    shape = (len(months), len(GROUPS), len(AGE_BANDS))
    idx = pd.MultiIndex.from_product([months, GROUPS, list(AGE_BANDS)])
    get = {c: f[c].reindex(idx).to_numpy(dtype=float).reshape(shape) for c in
           ("children_expected", "children_p10", "children_p90")}
    true = truth[:, 1:].astype(float)
    mean = true.mean(axis=0)
    cells = mean >= 5
    err = np.where(cells, np.abs(get["children_expected"] - mean) / np.maximum(mean, 1e-9) * 100, np.nan)
    inside = (true >= get["children_p10"][None]) & (true <= get["children_p90"][None])
    cover = np.where(cells, inside.mean(axis=0), np.nan)  # months, groups, bands
    by_group = np.nanmean(cover.transpose(1, 0, 2).reshape(len(GROUPS), -1), axis=1)
    sup = GROUPS.index("supported_accommodation")
    total = (get["children_expected"][-1].sum() - mean[-1].sum()) / mean[-1].sum() * 100
    # the centre's error at 24 months beside the parameter uncertainty the forecast claims (its spread less the
    # truth's process noise), for each group's total: over many backtests the mean square error should be about
    # the mean claimed variance (see main)
    draws = fc.attrs["draws"]["stock"][:, -1, 0].astype(float)  # sims, groups (HOME_TYPES)
    at24 = true[:, -1].sum(axis=2)  # runs, groups (GROUPS)
    centre = {}
    for i, g in enumerate(GROUPS):
        d = draws[:, HOME_TYPES.index(g)]
        centre[f"err {g}"] = float(d.mean() - at24[:, i].mean())
        centre[f"pvar {g}"] = float(d.var() - at24[:, i].var())
    return {
        "group x age": float(np.nanmean(err)),
        "@12": float(np.nanmean(err[11])),
        "@24": float(np.nanmean(err[23])),
        "supported": float(np.nanmean(err[:, sup])),
        "total @24": float(total),
        "cover min": float(np.nanmin(by_group)),
        "cover max": float(np.nanmax(by_group)),
        **{f"cover {g}": float(c) for g, c in zip(GROUPS, by_group)},
        **centre,
    }


def annual_total_error(result: object, truth: np.ndarray) -> float:
    """The annual forecast's (rcc.forecast_demand) total at two years against the truth, signed %."""
    fc = rcc.forecast_demand(result, years=2, n_sims=50)
    total = fc[fc.year == fc.year.max()].children_expected.sum()
    true = truth[:, MONTHS].sum(axis=(1, 2)).mean()
    return float((total - true) / true * 100)


def run(scenarios: list[str], seeds: list[int], sims: int, runs: int) -> pd.DataFrame:
    rows = []
    for name in scenarios:
        for seed in seeds:
            ret = synthetic_ssda903(SCENARIOS[name], seed=seed)
            result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E0",
                                  salt="bench")  # fixed pseudonyms: the same children in the same order each run
            t0 = time.perf_counter()
            fc = rcc.forecast_monthly(result, MONTHS, n_sims=sims, seed=seed)
            wall = time.perf_counter() - t0
            truth = ret.truth(months=MONTHS, runs=runs)
            trend = fc.attrs["trends"].query("chosen").iloc[0]
            exits = fc.attrs["exit_trends"].query("chosen").iloc[0]
            rows.append({"scenario": name, "seed": seed, "seconds": wall, **score(fc, truth),
                         "annual total @24": annual_total_error(result, truth),
                         "trend": f"{trend.trend} {trend.months or 'all'}",
                         "exit trend": f"{exits.trend} {exits.months or 'all'}"})
    return pd.DataFrame(rows)


def targets(df: pd.DataFrame) -> pd.DataFrame:
    """The issue's targets. Errors: for every single seed (``met`` only when each seed meets it; ``seeds missing``
    lists the misses). Coverage: the share of true futures inside the band over all the seeds' backtests, for
    every placement group (``met`` when each group's is 70-90%), and beside it the stricter reading, each seed
    alone (a band right on average still misses in some single histories: supported accommodation is one age
    band, so one seed's estimation error moves all of its cells together)."""
    out = []

    def add(what: str, rows: pd.DataFrame, value: str, ok: pd.Series | bool, per_seed: pd.Series | None = None) -> None:
        per_seed = ok if per_seed is None else per_seed
        misses = ", ".join(str(s) for s in rows.seed[~per_seed])
        out.append({"target": what, "value": value, "met": "met" if np.all(ok) else "NOT MET",
                    "seeds meeting it alone": f"{int(per_seed.sum())} of {len(per_seed)}", "seeds missing": misses or "-"})

    def show(values: pd.Series) -> str:
        return " ".join(f"{v:.2f}" for v in values)

    by = {s: d for s, d in df.groupby("scenario", sort=False)}
    if "steady" in by:
        d = by["steady"]
        add("steady: group x age error < 3% (each seed)", d, show(d["group x age"]), d["group x age"] < 3)
    if "growing" in by:
        d = by["growing"]
        add("growing: |total @24| < 5% (each seed)", d, show(d["total @24"]), d["total @24"].abs() < 5)
        add("growing: group x age error < 6% (each seed)", d, show(d["group x age"]), d["group x age"] < 6)
    groups = [f"cover {g}" for g in GROUPS]
    for s, d in by.items():
        pooled = d[groups].mean()
        each = (d["cover min"] >= 0.7) & (d["cover max"] <= 0.9)
        add(f"{s}: coverage 70-90% in every group (over the seeds' backtests)", d,
            f"{100 * pooled.min():.0f}-{100 * pooled.max():.0f}% (seeds alone: " + " ".join(
                f"{100 * lo:.0f}-{100 * hi:.0f}" for lo, hi in zip(d["cover min"], d["cover max"])) + ")",
            bool(((pooled >= 0.7) & (pooled <= 0.9)).all()), each)
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--seeds", nargs="+", type=int, default=list(range(12)))
    ap.add_argument("--sims", type=int, default=200, help="forecast simulations")
    ap.add_argument("--runs", type=int, default=200, help="continuations of the truth")
    args = ap.parse_args()
    df = run(args.scenarios, args.seeds, args.sims, args.runs)
    pd.set_option("display.width", 200)
    main_cols = ["scenario", "seed", "group x age", "@12", "@24", "supported", "total @24", "annual total @24",
                 "cover min", "cover max", "trend", "exit trend", "seconds"]
    print("rcc.forecast_monthly vs truth (mean abs % error unless signed; coverage = share of true futures in p10-p90)")
    print(df[main_cols].round(2).to_string(index=False))
    print("\ncoverage by placement group (mean over seeds)")
    cov = [c for c in df.columns if c.startswith("cover ") and c not in ("cover min", "cover max")]
    print(df.groupby("scenario")[cov].mean().rename(columns=lambda c: c[6:]).round(2).to_string())
    print("\nthe centre's error at 24 months against the parameter uncertainty the band claims, by group: root mean"
          "\nsquare error over the seeds / root of the mean claimed variance (about 1 when the band is as wide as"
          "\nit should be; over 1: too narrow; under 1: too wide; from 12 seeds, +-0.2 is noise)")
    ratio = {g: lambda d, g=g: np.sqrt((d[f"err {g}"] ** 2).mean() / max(d[f"pvar {g}"].mean(), 1e-9)) for g in GROUPS}
    table = pd.DataFrame({g: df.groupby("scenario").apply(f, include_groups=False) for g, f in ratio.items()})
    table.loc["all scenarios"] = [f(df) for f in ratio.values()]
    print(table.round(2).to_string())
    print("\nmean over seeds")
    print(df.groupby("scenario")[main_cols[2:-3]].mean().round(2).to_string())
    for label, part in (("seeds 0-3 (those the method was developed on)", df[df.seed.isin(DEVELOPED)]),
                        ("other seeds (held out: never used to choose the method)", df[~df.seed.isin(DEVELOPED)]),
                        ("all seeds", df)):
        if len(part):
            print(f"\ntargets (issue 14), for each seed: {label}")
            print(targets(part).to_string(index=False))


if __name__ == "__main__":
    main()
