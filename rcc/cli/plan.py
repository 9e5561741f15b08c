"""``rcc plan``: allocate the children of a region (embedded data or ``--data``) to homes."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

import pandas as pd

from rcc import datasets
from rcc.allocation.engine import plan as make_plan
from rcc.allocation.result import METRIC_LABELS, Plan
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
from rcc.core.region import Region
from rcc.io.output import write_frames
from rcc.simulate import today_plan, within_20_miles_as_dfe


def cmd_plan(args: argparse.Namespace, run: Run) -> int:
    """``rcc plan``: today (the region's current placements: on the embedded data, the simulated census of
    31 March 2025), the greedy baseline and the optimised plan of a region side by side, each measured
    against today; their tables under ``--out`` (``today/``, ``greedy/``, ``optimised/``, ``summary``)."""
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
    if len(region.placements):
        progress("today: the children in their current placements (held in the plans below)")
        plans["today"] = today_plan(region, params)
        run.record("today", plans["today"], "today")
    if not args.no_greedy:
        progress("greedy baseline: nearest home with a free place, referral by referral")
        plans["greedy"] = make_plan(region, params.evolve(method="greedy"))
        run.record("greedy", plans["greedy"], "greedy")
    progress(f"optimising with {args.solver}")
    plans["optimised"] = make_plan(region, params)
    run.record("optimised", plans["optimised"], "optimise")
    if args.replan and len(region.placements):
        progress(f"optimising with every child movable (--replan) with {args.solver}")
        plans["re-planned"] = make_plan(region, params.evolve(hold_current=False))
        run.record("re-planned", plans["re-planned"], "optimise")
    progress.done()
    print(f"rcc plan: {region.name}: {len(region.councils)} councils, {int(region.cohorts.children.sum()):,} children, "
          f"{int(region.homes.places.sum()):,} places")
    known = [c for c in region.council_ids if c in set(datasets.councils().council_id)]
    published = datasets.published_metrics(known) if len(known) == len(region.councils) else None
    print(with_published(side_by_side(plans), published))
    for line in trade_off_lines(plans):
        print(textwrap.fill(line, 100, subsequent_indent="  "))
    for line in _notes(region, args, plans, published):
        print(textwrap.fill(line, 100, subsequent_indent="  "))
    opt = plans["optimised"]
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


#: ``rcc plan``'s published column: DfE's figure for each metric row it has one for.
_PUBLISHED_ROWS = {"children": "children", "pct_within_20_miles": "pct_within_20_miles",
                   "pct_inside_own_council": "pct_inside_own_council"}


def with_published(table: str, published: pd.Series | None) -> str:
    """:func:`rcc.side_by_side`'s text table with a ``published`` column (DfE, 31 March 2025, the same councils:
    children looked after; % of those with a known distance within 20 miles; % of those with a known locality
    inside their own council); the table unchanged without ``published``."""
    if published is None:
        return table
    labels = {label: key for key, label in METRIC_LABELS.items()}
    lines = table.splitlines()
    out = [lines[0] + f"{'published':>14}", lines[1] + "-" * 14]
    for line in lines[2:]:
        key = labels.get(line[:40].strip())
        if key is None:  # status, gap, run time: not published
            out.append(line)
            continue
        value = "-" if key not in _PUBLISHED_ROWS else f"{float(published[_PUBLISHED_ROWS[key]]):,.{0 if key == 'children' else 1}f}"
        out.append(line + f"{value:>14}")
    return "\n".join(out)


def trade_off_lines(plans: dict[str, Plan]) -> list[str]:
    """What each plan trades against today (the first plan, when there is one), else the optimised plan
    against greedy: every improvement is measured against today."""
    if "today" in plans:
        return [f"against today: {trade_off(plans['today'], p, ('today', name)).sentence}"
                for name, p in plans.items() if name != "today"]
    if "greedy" in plans:
        return [f"trade-off: {trade_off(plans['greedy'], plans['optimised']).sentence}"]
    return []


#: What each status in ``rcc plan``'s table says, in words that fit the columns shown (the glossary,
#: rcc.core.glossary, has the whole words; its heuristic names the greedy baseline, a column --no-greedy drops).
STATUS_MEANING = {
    "optimal": "solved to optimality",
    "heuristic": "no optimality claim",
    "time_limit": "stopped by the time limit: the best plan found, with its gap",
}


def _notes(region: Region, args: argparse.Namespace, plans: dict[str, Plan], published: pd.Series | None) -> list[str]:
    """What today is, what a named part of England leaves out of England's census, the published figures."""
    notes = []
    if "today" in plans:
        held = int(region.placements.children.sum())
        what = (f"the simulated census of 31 March 2025 (rcc.simulate, calibrated; seed {datasets.CENSUS_SEED})"
                if args.data is None else "the placements in your data")
        notes.append(f"today: {what}: {held:,} children in their placements, held in every plan "
                     f"(--replan adds a plan moving every child); "
                     f"{int(plans['today'].metrics['unmet']):,} of the region's children are not in one of its homes.")
        if args.data is None and not args.ssda903 and args.ofsted is None:  # the embedded census as it is: these
            # councils' children wherever England's census places them, as DfE counts them
            whole = len(region.councils) == len(datasets.councils())
            england = region if whole else datasets.england(seed=args.seed)
            council_of = england.cohorts.set_index("cohort_id").council_id
            mine = council_of.reindex(england.placements.cohort_id).isin(region.council_ids).to_numpy()
            share = within_20_miles_as_dfe(england, england.placements[mine])
            notes.append(f"today measured as DfE measures it (each council's districts; children with a known distance, "
                         f"all but UASC; wherever they live): {share:.1f}% within 20 miles; this table's distances are "
                         "the plans' own (between council centres and across each council's districts, every child).")
        if args.data is None and len(region.councils) < len(datasets.councils()):
            out = datasets.census_left_out(region.council_ids, seed=args.seed).sum(numeric_only=True)
            notes.append(f"left out of England's census: {int(out.placed_outside):,} of these councils' children are "
                         f"placed outside {region.name} today (the plans place them here); {int(out.others_placed_inside):,} "
                         "other councils' children live in its homes today (their places count as free here).")
    if published is not None:
        notes.append(f"published: DfE, 31 March 2025, same councils: {published['children']:,.0f} children looked after, "
                     f"{published['pct_within_20_miles']:.1f}% within 20 miles (of a known distance), "
                     f"{published['pct_inside_own_council']:.1f}% inside own council (of a known locality).")
    if plans["optimised"].info.note:
        notes.append(f"note: {plans['optimised'].info.note}")
    by_status: dict[str, list[str]] = {}
    for name, p in plans.items():
        by_status.setdefault(p.status.value, []).append(name)
    notes.append("status: " + "; ".join(f"{s} ({', '.join(names)}) = {STATUS_MEANING.get(s, 'see rcc glossary')}"
                                        for s, names in by_status.items()) + ". Every code in this output: rcc glossary")
    return notes


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``plan`` sub-command's options (``sub``: the ``add_subparsers`` action)."""
    p = command_parser(sub, "plan", "allocate children to homes: the embedded England data or your own (--data)")
    add_data_options(p, None)
    p.add_argument("--seed", type=SEED, default=0,
                   help="generator seed (default 0; another seed simulates today's placements on load, ~10 s)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=SECONDS, default=None, help="solver time limit in seconds (> 0)")
    p.add_argument("--threads", type=number("a whole number of threads >= 1", integer=True, low=1), default=None)
    p.add_argument("--max-distance", type=MILES, default=150.0, help="miles (default 150; secure has no limit)")
    p.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    p.add_argument("--replan", action="store_true",
                   help="add a plan that moves every child (today's placements not held): what the homes could do "
                   "from scratch, not a plan to move children")
    out_options(p, None, "result tables (today/, greedy/, optimised/, re-planned/ with --replan, summary)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="csv (default): rounded for reading (counts as integers, %% to 1 decimal, whole GBP, miles to "
                   "1 decimal) with council names beside codes; parquet: full precision")
    noise_options(p)
    data_epilog(p)
    p.set_defaults(func=cmd_plan)
    return p
