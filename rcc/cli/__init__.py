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

Each command is a module: :mod:`rcc.cli.plan`, :mod:`rcc.cli.sufficiency`,
:mod:`rcc.cli.report` (and ``rcc compare`` here); what they share (exit codes, option
types, the run writing into ``--out``) is in ``rcc.cli._common``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from rcc import datasets
from rcc.cli import plan as _plan
from rcc.cli import report as _report
from rcc.cli import sufficiency as _sufficiency
from rcc.cli._common import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TIME_LIMIT,
    EXIT_USAGE,
    MILES,
    SEED,
    Run,
    command_parser,
    out_options,
    side_by_side,
)
from rcc.core.errors import InfeasibleError, RccError, SolverError

__all__ = ["main", "side_by_side", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_TIME_LIMIT"]


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


# ---------------------------------------------------------------- parser
def _add_compare_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``compare`` sub-command's options."""
    c = command_parser(sub, "compare", "pooling scenarios: each council alone vs the RCC pooled vs national")
    c.add_argument("region", choices=datasets.region_names(), metavar="NAME",
                   help="a region or pathfinder (its councils form the RCC; neighbours within --within-miles join the base)")
    c.add_argument("--scenarios", nargs="+", default=None,
                   help="standalone rcc_pooled national pathfinder_only demand_growth new_capacity local_incentive")
    out_options(c, None, "long.csv, table.csv, skew.csv, skew_summary.csv")
    c.add_argument("--within-miles", type=MILES, default=60.0)
    c.add_argument("--seed", type=SEED, default=0)
    c.add_argument("--parallel", action="store_true", help="solve scenarios in a local process pool")
    c.add_argument("--quiet", action="store_true")
    c.set_defaults(func=cmd_compare, format="csv")
    return c


def build_parser() -> argparse.ArgumentParser:
    """The ``rcc`` command line: ``plan``, ``report``, ``compare`` and ``sufficiency`` (in that order in ``--help``)."""
    parser = argparse.ArgumentParser(prog="rcc", description="Plan homes for children in care close to home.",
                                     epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    _plan.add_parser(sub)
    _report.add_parser(sub)
    _add_compare_parser(sub)
    _sufficiency.add_parser(sub)
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
