"""``rcc plan``: allocate the children of a region (embedded data or ``--data``) to homes."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from rcc import datasets
from rcc.allocation.engine import plan as make_plan
from rcc.allocation.result import Plan
from rcc.analysis.summary import trade_off
from rcc.cli._common import (
    MILES,
    SECONDS,
    SEED,
    Run,
    StageLog,
    command_parser,
    council_names,
    marked,
    noise_options,
    number,
    out_options,
    side_by_side,
    summary_frame,
)
from rcc.cli._data import add_data_options, data_epilog, load_region
from rcc.core.params import PlanParams, SolverOptions
from rcc.io.output import write_frames


def cmd_plan(args: argparse.Namespace, run: Run) -> int:
    """``rcc plan``: the greedy baseline and the optimised plan of a region, side by side; their tables
    under ``--out`` (``greedy/``, ``optimised/``, ``summary``)."""
    progress = StageLog(args.quiet)
    region = load_region(args, progress)
    run.region = region.name
    progress(repr(region))
    params = PlanParams(
        max_distance_miles=args.max_distance,
        solver=SolverOptions(name=args.solver, time_limit_s=args.time_limit, threads=args.threads, msg=args.verbose),
        seed=args.seed,
    )
    plans: dict[str, Plan] = {}
    if not args.no_greedy:
        progress("greedy baseline: nearest home with a free place, referral by referral")
        plans["greedy"] = make_plan(region, params.evolve(method="greedy"))
        run.record("greedy", plans["greedy"], "greedy")
    progress(f"optimising with {args.solver}")
    plans["optimised"] = make_plan(region, params)
    run.record("optimised", plans["optimised"], "optimise")
    progress.done()
    print(f"rcc plan: {region.name}: {len(region.councils)} councils, {int(region.cohorts.children.sum()):,} children, "
          f"{int(region.homes.places.sum()):,} places")
    print(side_by_side(plans))
    if "greedy" in plans:
        print(textwrap.fill(f"trade-off: {trade_off(plans['greedy'], plans['optimised']).sentence}", 100,
                            subsequent_indent="  "))
    known = [c for c in region.council_ids if c in set(datasets.councils().council_id)]
    if len(known) == len(region.councils):
        pub = datasets.published_metrics(known)
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
    if run.out is not None:
        names = council_names(region)
        for name, p in plans.items():
            write_frames(marked(p.to_frames(), run.plans[name]), run.out.staging / name, args.format, names)
        write_frames({"summary": summary_frame(run)}, run.out.staging, args.format, names)
    return run.finish()



def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``plan`` sub-command's options (``sub``: the ``add_subparsers`` action)."""
    p = command_parser(sub, "plan", "allocate children to homes: the embedded England data or your own (--data)")
    add_data_options(p, None)
    p.add_argument("--seed", type=SEED, default=0, help="generator seed (default 0)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=SECONDS, default=None, help="solver time limit in seconds (> 0)")
    p.add_argument("--threads", type=number("a whole number of threads >= 1", integer=True, low=1), default=None)
    p.add_argument("--max-distance", type=MILES, default=150.0, help="miles (default 150; secure has no limit)")
    p.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    out_options(p, None, "result tables (greedy/, optimised/, summary)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="csv (default): rounded for reading (counts as integers, %% to 1 decimal, whole GBP, miles to "
                   "1 decimal) with council names beside codes; parquet: full precision")
    noise_options(p)
    data_epilog(p)
    p.set_defaults(func=cmd_plan)
    return p
