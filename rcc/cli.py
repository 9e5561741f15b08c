"""Command line: ``rcc plan``, ``rcc sufficiency``, ``rcc compare``, ``rcc report``.

Run ``rcc --help`` or ``rcc <command> --help``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from . import datasets
from .errors import InvalidInputError, RccError
from .params import PlanParams, SolverOptions
from .plan import METRIC_LABELS, Plan, PlanStatus, _fmt
from .schema import NEEDS
from .solve import plan as make_plan
from .sufficiency.defaults import EXAMPLE_GROWTH

__all__ = ["main", "side_by_side"]


class Progress:
    """Stage-by-stage progress on stderr, with elapsed times."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


def side_by_side(plans: dict[str, Plan]) -> str:
    """The headline metrics of several plans as one readable table."""
    names = list(plans)
    width = max(12, *(len(n) for n in names))
    head = f"{'metric':<34}" + "".join(f"{n:>{width + 2}}" for n in names)
    lines = [head, "-" * len(head)]
    metrics = {n: p.metrics for n, p in plans.items()}
    for key, label in METRIC_LABELS.items():
        lines.append(f"{label:<34}" + "".join(f"{_fmt(key, metrics[n][key]):>{width + 2}}" for n in names))
    lines.append(f"{'status':<34}" + "".join(f"{plans[n].status.value:>{width + 2}}" for n in names))
    lines.append(f"{'run time (s)':<34}" + "".join(f"{plans[n].info.runtime_s:>{width + 2}.1f}" for n in names))
    return "\n".join(lines)


def _write(frames: dict[str, pd.DataFrame], out: Path, fmt: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False)
        else:
            df.to_parquet(path, index=False)
        written.append(path)
    return written


def cmd_plan(args: argparse.Namespace) -> int:
    progress = Progress(args.quiet)
    progress(f"loading embedded data: {args.region or 'England'} (seed {args.seed})")
    region = datasets.england(args.region, seed=args.seed)
    progress(repr(region))
    params = PlanParams(
        max_distance_miles=args.max_distance,
        solver=SolverOptions(name=args.solver, time_limit_s=args.time_limit, threads=args.threads),
        seed=args.seed,
    )
    plans: dict[str, Plan] = {}
    if not args.no_greedy:
        progress("greedy baseline: nearest home with a free place, referral by referral")
        plans["greedy"] = make_plan(region, params.evolve(method="greedy"))
    progress(f"optimising with {args.solver}")
    plans["optimised"] = make_plan(region, params)
    progress("done")
    print(f"rcc plan: {region.name}: {len(region.councils)} councils, {int(region.cohorts.children.sum()):,} children, "
          f"{int(region.homes.places.sum()):,} places")
    print(side_by_side(plans))
    pub = datasets.published_metrics(list(region.councils.council_id))
    print(
        f"published (DfE, 31 March 2025, same councils): {pub['children']:,.0f} children looked after, "
        f"{pub['pct_within_20_miles']:.1f}% within 20 miles (known distance), "
        f"{pub['pct_inside_own_council']:.1f}% inside own council"
    )
    opt = plans["optimised"]
    if opt.info.note:
        print(f"note: {opt.info.note}")
    un = opt.unmet_by_need()
    if len(un):
        print("children without a home (optimised), by need and reason:")
        print(un.to_string(index=False))
    if args.out:
        out = Path(args.out)
        written: list[Path] = []
        for name, p in plans.items():
            written += _write(p.to_frames(), out / name, args.format)
        print(f"wrote {len(written)} tables under {out}/")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import report_cli

    progress = Progress(args.quiet)
    progress(f"planning {args.region or 'England'} (optimised and greedy) and writing the report")
    for path in report_cli(args.region, Path(args.out), args.format or ["html", "xlsx"], args.suppress_below, args.seed):
        print(f"wrote {path}")
    progress("done")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .scenarios import compare_cli

    executor = "process" if args.parallel else "serial"
    print(compare_cli(args.region, args.scenarios, args.out, seed=args.seed, within_miles=args.within_miles,
                      executor=executor, progress=not args.quiet))
    return 0


def _growth(items: Sequence[str] | None) -> dict[str, float]:
    """``need=rate`` pairs (e.g. ``complex=0.03``) into a dict; bad ones raise InvalidInputError."""
    if not items:
        return dict(EXAMPLE_GROWTH)
    out: dict[str, float] = {}
    for item in items:
        need, _, rate = item.partition("=")
        if need not in NEEDS:
            raise InvalidInputError("--growth", item, "need", f"one of {list(NEEDS)}", need)
        try:
            out[need] = float(rate)
        except ValueError:
            raise InvalidInputError("--growth", item, "rate", "a yearly rate such as 0.03", rate) from None
    return out


def cmd_sufficiency(args: argparse.Namespace) -> int:
    from .sufficiency import SufficiencyParams, default_options, forecast_from_region, sufficiency_plan

    progress = Progress(args.quiet)
    progress(f"loading embedded data: {args.region} (seed {args.seed})")
    region = datasets.england(args.region, seed=args.seed)
    growth = _growth(args.growth)
    forecast = forecast_from_region(region, years=args.years, growth=growth, group_size={"sibling_group": args.sibling_group})
    options = default_options(region)
    capital = args.capital_per_council * len(region.councils)
    budgets = pd.DataFrame({"budget_id": ["total"], "scope": ["total"], "capital_gbp": [capital]})
    params = SufficiencyParams(
        years=args.years,
        min_inside_region_share=args.min_inside_share,
        solver=SolverOptions(name=args.solver, time_limit_s=args.time_limit, mip_gap=args.gap),
    )
    progress(
        f"{args.years}-year plan, {len(options)} candidate options, capital GBP {capital / 1e6:,.1f}m, growth "
        + ", ".join(f"{k} {v:+.0%}" for k, v in growth.items())
        + f", {args.solver}, time limit {args.time_limit:g}s"
    )
    plan = sufficiency_plan(region, options, forecast, budgets, params)
    progress("done")
    print(plan.summary())
    if args.out:
        written = _write(plan.to_frames(), Path(args.out), args.format)
        print(f"wrote {len(written)} tables under {args.out}/")
    return 0 if plan.status in (PlanStatus.OPTIMAL, PlanStatus.TIME_LIMIT) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rcc", description="Plan homes for children in care close to home.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="allocate children to homes on the embedded England data")
    p.add_argument(
        "--region",
        default=None,
        choices=datasets.region_names(),
        metavar="NAME",
        help="a region or RCC name (default: England); one of: " + ", ".join(datasets.region_names()),
    )
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=float, default=None, help="solver time limit in seconds")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--max-distance", type=float, default=150.0, help="miles (default 150; secure has no limit)")
    p.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    p.add_argument("--out", default=None, help="directory for result tables")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_plan)

    r = sub.add_parser("report", help="write a self-contained HTML report and an Excel workbook of a regional plan")
    r.add_argument("--region", default=None, choices=datasets.region_names(), metavar="NAME",
                   help="a region or RCC name (default: England)")
    r.add_argument("--out", default="report", help="output directory (default: report/)")
    r.add_argument("--format", action="append", choices=("html", "xlsx"), help="repeatable; default both")
    r.add_argument("--suppress-below", type=int, default=5,
                   help="counts of children below this are shown as 'c' (default 5, as DfE publishes)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_report)

    c = sub.add_parser("compare", help="pooling scenarios: each council alone vs the RCC pooled vs national")
    c.add_argument("region", choices=datasets.region_names(), metavar="NAME",
                   help="a region or pathfinder (its councils form the RCC; neighbours within --within-miles join the base)")
    c.add_argument("--scenarios", nargs="+", default=None,
                   help="standalone rcc_pooled national pathfinder_only demand_growth new_capacity local_incentive")
    c.add_argument("--out", default=None, help="directory for long.csv, table.csv, skew.csv, skew_summary.csv")
    c.add_argument("--within-miles", type=float, default=60.0)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--parallel", action="store_true", help="solve scenarios in a local process pool")
    c.add_argument("--quiet", action="store_true")
    c.set_defaults(func=cmd_compare)

    f = sub.add_parser("sufficiency", help="a multi-year sufficiency plan: what capacity to add, where and when")
    f.add_argument("--region", default="Greater Manchester RCC", choices=datasets.region_names(), metavar="NAME",
                   help="a region or RCC name (default: Greater Manchester RCC; England: the whole country)")
    f.add_argument("--years", type=int, default=5, help="plan years (default 5)")
    f.add_argument("--growth", nargs="*", metavar="NEED=RATE",
                   help="yearly growth per need, e.g. complex=0.03 (default: " +
                   " ".join(f"{k}={v:g}" for k, v in EXAMPLE_GROWTH.items()) + ")")
    f.add_argument("--sibling-group", type=int, default=2, help="children per sibling group placed together (default 2)")
    f.add_argument("--capital-per-council", type=float, default=1_000_000.0,
                   help="total capital budget over the plan, GBP per council (default 1,000,000)")
    f.add_argument("--min-inside-share", type=float, default=0.0, help="minimum share placed inside the region (0-1)")
    f.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    f.add_argument("--time-limit", type=float, default=300.0,
                   help="whole-run time limit in seconds (default 300: England takes about 260 s on 2 cores)")
    f.add_argument("--gap", type=float, default=1e-3, help="stop at this relative gap (default 0.001)")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--out", default=None, help="directory for result tables")
    f.add_argument("--format", choices=("csv", "parquet"), default="csv")
    f.add_argument("--quiet", action="store_true")
    f.set_defaults(func=cmd_sufficiency)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rcc`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except RccError as exc:  # bad input or an infeasible rule: the message says which, no traceback
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
