"""Command line: ``rcc plan``, ``rcc sufficiency``, ``rcc compare``, ``rcc report``.

Run ``rcc --help`` or ``rcc <command> --help``.

Exit codes (also in ``rcc --help``):

* 0: every plan solved to optimality (or the greedy baseline); results written.
* 3: a plan stopped at the time limit: its best solution is written, marked
  ``time_limit`` with its gap in the manifest, the summary table and the metrics.
* 1: the run failed (the solver gave no usable plan, or the rules cannot all be met):
  no result tables are written, only a manifest saying why.
* 2: bad usage or input (an option out of range, an output folder that cannot be
  used, bad data): nothing is solved, nothing is written.

Every folder given as ``--out`` holds only files rcc owns: ``manifest.json`` and the
files it lists (see :mod:`rcc.io.output`).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from rcc import datasets
from rcc.allocation.engine import plan as make_plan
from rcc.allocation.result import METRIC_LABELS, Plan, PlanStatus, _fmt
from rcc.core.errors import InfeasibleError, RccError, SolverError
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.schema import NEEDS
from rcc.io.output import OutputFolder, now_utc, plan_record, versions, write_frames
from rcc.sufficiency.defaults import EXAMPLE_GROWTH

__all__ = ["main", "side_by_side", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_TIME_LIMIT"]

EXIT_OK = 0  #: every plan optimal (or the greedy baseline)
EXIT_FAILED = 1  #: no usable plan: nothing but a manifest written
EXIT_USAGE = 2  #: bad usage or input: nothing solved, nothing written
EXIT_TIME_LIMIT = 3  #: a plan stopped at the time limit: written, marked time_limit

EXIT_CODES_HELP = f"""\
exit codes:
  {EXIT_OK}  every plan optimal (or the greedy baseline); results written
  {EXIT_TIME_LIMIT}  a plan stopped at the time limit: its best solution written, marked time_limit with its gap
  {EXIT_FAILED}  the run failed (no usable plan, or the rules cannot all be met): only a manifest written, saying why
  {EXIT_USAGE}  bad usage or input (an option out of range, an unusable --out, bad data): nothing solved or written

--out: the folder holds only files rcc owns: manifest.json (command, versions, settings, region, status and gap of
each plan, times, every file with its size and sha256) and the files it lists. Files of an earlier rcc run there
(listed unchanged in its manifest) are replaced; any other file makes rcc refuse before solving, unless --force,
which moves them into rcc-set-aside-<time>/ (never deletes them). The manifest is written last: "complete": false
means an interrupted write."""

_USABLE = (PlanStatus.OPTIMAL, PlanStatus.TIME_LIMIT, PlanStatus.HEURISTIC)


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
    gaps = ["-" if plans[n].info.gap is None else f"{100 * plans[n].info.gap:.3g}%" for n in names]
    lines.append(f"{'gap':<34}" + "".join(f"{g:>{width + 2}}" for g in gaps))
    lines.append(f"{'run time (s)':<34}" + "".join(f"{plans[n].info.runtime_s:>{width + 2}.1f}" for n in names))
    return "\n".join(lines)


# ---------------------------------------------------------------- option types (checked at parse time)
def _number(expected: str, *, integer: bool = False, low: float | None = None, strict: bool = False,
            high: float | None = None) -> Callable[[str], float | int]:
    """An argparse ``type``: a finite number (int if ``integer``) within bounds, else a message naming expected and received."""

    def parse(text: str) -> float | int:
        try:
            value: float | int = int(text) if integer else float(text)
        except ValueError:
            value = math.nan
        bad = (
            not math.isfinite(value)
            or (low is not None and (value <= low if strict else value < low))
            or (high is not None and value > high)
        )
        if bad:
            raise argparse.ArgumentTypeError(f"expected {expected}; received {text!r}")
        return value

    parse.__name__ = expected
    return parse


_SEED = _number("a whole number >= 0", integer=True, low=0)
_SECONDS = _number("a finite number of seconds > 0", low=0, strict=True)
_MILES = _number("a finite number of miles >= 0", low=0)


def _growth_item(text: str) -> tuple[str, float]:
    """``need=rate`` (e.g. ``complex=0.03``): a need of the schema and a finite yearly rate > -1."""
    need, sep, rate = text.partition("=")
    if not sep or need not in NEEDS:
        raise argparse.ArgumentTypeError(f"expected NEED=RATE with NEED one of {list(NEEDS)}; received {text!r}")
    value = _number("a finite yearly rate > -1 (e.g. 0.03)", low=-1, strict=True)
    try:
        return need, float(value(rate))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{need}: {exc}; received {text!r}") from None


class _Growth(argparse.Action):
    """``--growth NEED=RATE ...`` into a dict; a need given twice is an error."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        out: dict[str, float] = {}
        for need, rate in values:
            if need in out:
                raise argparse.ArgumentError(self, f"expected each need at most once; received {need!r} twice")
            out[need] = rate
        setattr(namespace, self.dest, out or dict(EXAMPLE_GROWTH))


# ---------------------------------------------------------------- running and writing
class Run:
    """One command's run: where it writes, and the manifest it leaves there.

    Parameters
    ----------
    args : argparse.Namespace
    argv : sequence of str
        The command line (without the program name).
    """

    def __init__(self, args: argparse.Namespace, argv: Sequence[str]) -> None:
        self.args = args
        self.argv = ["rcc", *argv]
        self.started = now_utc()
        self.region: str | None = None
        self.plans: dict[str, dict[str, Any]] = {}
        self.out: OutputFolder | None = None
        out = getattr(args, "out", None)
        if out is not None:
            fmt = args.format  # a list for rcc report (None: both), else one of csv / parquet
            formats = fmt if isinstance(fmt, list) else ["html", "xlsx"] if fmt is None else [fmt]
            self.out = OutputFolder.prepare(out, force=args.force, formats=formats)

    def manifest(self, outcome: str, exit_code: int, error: str | None = None) -> dict[str, Any]:
        """What the run was and how it ended."""
        settings = {k: v for k, v in vars(self.args).items() if k != "func"}
        return {
            "command": self.args.command, "argv": self.argv, "versions": versions(), "settings": settings,
            "region": self.region, "outcome": outcome, "exit_code": exit_code, "error": error,
            "plans": self.plans, "started_at": self.started, "finished_at": now_utc(),
        }

    def record(self, name: str, plan: Any, method: str) -> None:
        """Note how a plan ended; raise if it is no usable plan (it is never written as one)."""
        self.plans[name] = plan_record(plan, method)
        if plan.status not in _USABLE:
            raise SolverError(f"{name} plan: the solver ended with status {plan.status.value} and no usable plan"
                              + (f" ({plan.info.note})" if plan.info.note else ""))

    def finish(self) -> int:
        """Write the staged results and the manifest; the exit code (0, or 3 if a plan stopped at its time limit)."""
        limited = [n for n, p in self.plans.items() if p["status"] == PlanStatus.TIME_LIMIT.value]
        code = EXIT_TIME_LIMIT if limited else EXIT_OK
        if limited:
            print(f"rcc {self.args.command}: warning: {', '.join(limited)} stopped at the time limit: the best plan "
                  f"found, not proven optimal (status time_limit, see its gap); exit code {code}", file=sys.stderr)
        if self.out is not None:
            files = self.out.commit(self.manifest("time_limit" if limited else "ok", code))
            print(f"wrote {len(files)} files and manifest.json under {self.out.path}/")
        return code

    def fail(self, exc: BaseException, code: int) -> None:
        """Leave only a manifest saying the run failed and why (the previous run's files are removed)."""
        if self.out is None:
            return
        try:
            self.out.commit(self.manifest("failed", code, f"{type(exc).__name__}: {exc}"), tables=False)
        except (RccError, OSError) as why:  # e.g. files appeared in --out during the run
            print(f"rcc {self.args.command}: no results written; could not write manifest.json: {why}", file=sys.stderr)
        else:
            print(f"rcc {self.args.command}: no results written; {self.out.path / 'manifest.json'} says why",
                  file=sys.stderr)


def _summary_frame(run: Run) -> pd.DataFrame:
    """One row per plan: how it ended (status, objective, gap, bound, solver, time)."""
    return pd.DataFrame([{"plan": n, "region": run.region, **p} for n, p in run.plans.items()])


def _marked(frames: dict[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The frames, with the plan's status and gap as columns of its metrics table."""
    out = dict(frames)
    out["metrics"] = frames["metrics"].assign(status=record["status"], gap=record["gap"])
    return out


def cmd_plan(args: argparse.Namespace, run: Run) -> int:
    progress = Progress(args.quiet)
    progress(f"loading embedded data: {args.region or 'England'} (seed {args.seed})")
    region = datasets.england(args.region, seed=args.seed)
    run.region = region.name
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
        run.record("greedy", plans["greedy"], "greedy")
    progress(f"optimising with {args.solver}")
    plans["optimised"] = make_plan(region, params)
    run.record("optimised", plans["optimised"], "optimise")
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
    if run.out is not None:
        for name, p in plans.items():
            write_frames(_marked(p.to_frames(), run.plans[name]), run.out.staging / name, args.format)
        write_frames({"summary": _summary_frame(run)}, run.out.staging, args.format)
    return run.finish()


def cmd_report(args: argparse.Namespace, run: Run) -> int:
    from rcc.report import report_cli

    assert run.out is not None  # --out has a default
    run.region = args.region or "England"
    progress = Progress(args.quiet)
    progress(f"planning {run.region} (optimised and greedy) and writing the report")
    report_cli(args.region, run.out.staging, args.format or ["html", "xlsx"], args.suppress_below, args.seed)
    progress("done")
    return run.finish()


def cmd_compare(args: argparse.Namespace, run: Run) -> int:
    from rcc.cli.compare import compare_cli

    run.region = args.region
    executor = "process" if args.parallel else "serial"
    staging = None if run.out is None else run.out.staging
    text = compare_cli(args.region, args.scenarios, None if staging is None else str(staging), seed=args.seed,
                       within_miles=args.within_miles, executor=executor, progress=not args.quiet)
    if staging is not None:
        text = text.replace(str(staging), str(run.out.path))  # type: ignore[union-attr]
    print(text)
    return run.finish()


def cmd_sufficiency(args: argparse.Namespace, run: Run) -> int:
    from rcc.sufficiency import SufficiencyParams, default_options, forecast_from_region, sufficiency_plan

    progress = Progress(args.quiet)
    progress(f"loading embedded data: {args.region} (seed {args.seed})")
    region = datasets.england(args.region, seed=args.seed)
    run.region = region.name
    growth = args.growth if args.growth is not None else dict(EXAMPLE_GROWTH)
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
    if plan.status is PlanStatus.INFEASIBLE:
        run.plans["sufficiency"] = plan_record(plan, "sufficiency")
        plan.raise_if_infeasible()
    run.record("sufficiency", plan, "sufficiency")
    print(plan.summary())
    if run.out is not None:
        frames = _marked(plan.to_frames(), run.plans["sufficiency"])
        write_frames({**frames, "summary": _summary_frame(run)}, run.out.staging, args.format)
    return run.finish()


# ---------------------------------------------------------------- parser
def _out_options(p: argparse.ArgumentParser, default: str | None, what: str) -> None:
    p.add_argument("--out", default=default,
                   help=f"folder for {what} and manifest.json; checked before solving"
                   + (f" (default: {default}/)" if default else ""))
    p.add_argument("--force", action="store_true",
                   help="if --out holds files rcc did not write, move them into rcc-set-aside-<time>/ there "
                   "(default: refuse before solving)")


def build_parser() -> argparse.ArgumentParser:
    def sub_parser(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=EXIT_CODES_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    parser = argparse.ArgumentParser(prog="rcc", description="Plan homes for children in care close to home.",
                                     epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub_parser("plan", "allocate children to homes on the embedded England data")
    p.add_argument(
        "--region",
        default=None,
        choices=datasets.region_names(),
        metavar="NAME",
        help="a region or RCC name (default: England); one of: " + ", ".join(datasets.region_names()),
    )
    p.add_argument("--seed", type=_SEED, default=0, help="generator seed (default 0)")
    p.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    p.add_argument("--time-limit", type=_SECONDS, default=None, help="solver time limit in seconds (> 0)")
    p.add_argument("--threads", type=_number("a whole number of threads >= 1", integer=True, low=1), default=None)
    p.add_argument("--max-distance", type=_MILES, default=150.0, help="miles (default 150; secure has no limit)")
    p.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    _out_options(p, None, "result tables (greedy/, optimised/, summary)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_plan)

    r = sub_parser("report", "write a self-contained HTML report and an Excel workbook of a regional plan")
    r.add_argument("--region", default=None, choices=datasets.region_names(), metavar="NAME",
                   help="a region or RCC name (default: England)")
    _out_options(r, "report", "report.html / report.xlsx")
    r.add_argument("--format", action="append", choices=("html", "xlsx"), help="repeatable; default both")
    r.add_argument("--suppress-below", type=_number("a whole number >= 0", integer=True, low=0), default=5,
                   help="counts of children below this are shown as 'c' (default 5, as DfE publishes)")
    r.add_argument("--seed", type=_SEED, default=0)
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_report)

    c = sub_parser("compare", "pooling scenarios: each council alone vs the RCC pooled vs national")
    c.add_argument("region", choices=datasets.region_names(), metavar="NAME",
                   help="a region or pathfinder (its councils form the RCC; neighbours within --within-miles join the base)")
    c.add_argument("--scenarios", nargs="+", default=None,
                   help="standalone rcc_pooled national pathfinder_only demand_growth new_capacity local_incentive")
    _out_options(c, None, "long.csv, table.csv, skew.csv, skew_summary.csv")
    c.add_argument("--within-miles", type=_MILES, default=60.0)
    c.add_argument("--seed", type=_SEED, default=0)
    c.add_argument("--parallel", action="store_true", help="solve scenarios in a local process pool")
    c.add_argument("--quiet", action="store_true")
    c.set_defaults(func=cmd_compare, format="csv")

    f = sub_parser("sufficiency", "a multi-year sufficiency plan: what capacity to add, where and when")
    f.add_argument("--region", default="Greater Manchester RCC", choices=datasets.region_names(), metavar="NAME",
                   help="a region or RCC name (default: Greater Manchester RCC; England: the whole country)")
    f.add_argument("--years", type=_number("a whole number of years >= 1", integer=True, low=1), default=5,
                   help="plan years (default 5)")
    f.add_argument("--growth", nargs="*", metavar="NEED=RATE", type=_growth_item, action=_Growth,
                   help="yearly growth per need, finite and > -1, e.g. complex=0.03 (default: " +
                   " ".join(f"{k}={v:g}" for k, v in EXAMPLE_GROWTH.items()) + ")")
    f.add_argument("--sibling-group", type=_number("a whole number of children >= 1", integer=True, low=1), default=2,
                   help="children per sibling group placed together (default 2)")
    f.add_argument("--capital-per-council", type=_number("a finite amount of GBP >= 0", low=0), default=1_000_000.0,
                   help="total capital budget over the plan, GBP per council, finite and >= 0 (default 1,000,000)")
    f.add_argument("--min-inside-share", type=_number("a share between 0 and 1", low=0, high=1), default=0.0,
                   help="minimum share placed inside the region (0-1)")
    f.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    f.add_argument("--time-limit", type=_SECONDS, default=300.0,
                   help="whole-run time limit in seconds, > 0 (default 300: England takes about 260 s on 2 cores)")
    f.add_argument("--gap", type=_number("a finite relative gap >= 0", low=0), default=1e-3,
                   help="stop at this relative gap, >= 0 (default 0.001)")
    f.add_argument("--seed", type=_SEED, default=0)
    _out_options(f, None, "result tables (with summary and the status in metrics)")
    f.add_argument("--format", choices=("csv", "parquet"), default="csv")
    f.add_argument("--quiet", action="store_true")
    f.set_defaults(func=cmd_sufficiency)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rcc`` command; returns the exit code (see the module docstring).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 optimal, 3 a plan stopped at its time limit (written, marked), 1 failed
        (only a manifest written), 2 bad usage or input (nothing written).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the message
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    func: Callable[[argparse.Namespace, Run], int] = args.func
    try:
        run = Run(args, argv)
    except RccError as exc:  # an unusable --out or format: nothing solved
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return func(args, run)
    except (SolverError, InfeasibleError) as exc:  # no usable plan: a manifest says so, no tables
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        run.fail(exc, EXIT_FAILED)
        return EXIT_FAILED
    except RccError as exc:  # bad input: the message says what and where; the folder is left as it was
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # writing the results failed: manifest.json, if written, says "complete": false
        print(f"rcc {args.command}: error: writing the results failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if run.out is not None:
            run.out.discard()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
