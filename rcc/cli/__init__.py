"""Command line: ``rcc plan``, ``rcc report``, ``rcc compare``, ``rcc sufficiency``, ``rcc template``,
``rcc glossary``.

Run ``rcc --help``, ``rcc <command> --help`` or ``rcc glossary`` (what every code in the output
means). ``rcc --version`` prints the version.

Every planning command reads the embedded England data or a council's own: ``--data PATH`` (a
folder of CSV tables or an ``.xlsx`` workbook, see :mod:`rcc.io.tables`; ``rcc template PATH``
writes an empty one with a guide), ``--ssda903 FILES`` with ``--reference-date`` (demand) and
``--ofsted FILE`` (children's homes). ``--region`` takes a region, RCC or council name in any case;
a council is planned with its neighbours (:mod:`rcc.cli._data`). Bad input is reported whole:
every problem found, as one table on stderr (``--problems-csv`` writes it to a file), exit code 2.

Progress lines (with elapsed times, including each stage of the sufficiency engine) go to stderr;
``--quiet`` silences them, ``--verbose`` adds the solver's log (on stderr, stdout keeps the results). HiGHS's banner never prints.

Exit codes (also in ``rcc --help``):

* 0: every plan solved to optimality (or the greedy baseline); results written.
* 3: a plan stopped at the time limit: its best solution is written, marked
  ``time_limit`` with its gap in the manifest, the summary table and the metrics.
* 1: the run failed (the solver gave no usable plan, or the rules cannot all be met):
  no result tables are written, only a manifest saying why.
* 2: bad usage or input (an option out of range, an output folder that cannot be
  used, bad data): nothing is solved, nothing is written.

A reader that stops early (``rcc glossary | head``) ends no run: the rest of the output is
dropped quietly and the files under ``--out`` are still written.

Every folder given as ``--out`` holds only files rcc owns: ``manifest.json`` and the
files it lists (see :mod:`rcc.io.output`). CSV files are written for people
(:func:`rcc.io.output.csv_ready`, the manifest's ``csv`` says so): counts as integers, percentages
to 1 decimal, money in whole GBP, miles to 1 decimal, and the council's name beside every council
code; Parquet (and the Python API) keep full precision.

Each command is a module: :mod:`rcc.cli.plan`, :mod:`rcc.cli.sufficiency`,
:mod:`rcc.cli.report`, :mod:`rcc.cli.compare` (``compare``, ``template`` and ``glossary``
are wired here); what they share (exit codes, option types, the run writing into ``--out``)
is in ``rcc.cli._common``; where the data comes from in ``rcc.cli._data``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rcc.cli import forecast as _forecast
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
    StageLog,
    command_parser,
    council_names,
    noise_options,
    out_options,
    side_by_side,
    solver_log_on_stderr,
)
from rcc.cli._data import DATA_HELP, add_data_options, data_epilog, load_regions, report_problems
from rcc.cli._glossary import glossary_text
from rcc.cli.report import add_report_option, write_reports
from rcc.core.errors import InfeasibleError, InvalidInputError, RccError, SolverError
from rcc.core.glossary import explain
from rcc.core.schema import TABLES
from rcc.core.solvers import silence_highs_banner
from rcc.core.version import __version__
from rcc.io.output import write_frames
from rcc.io.tables import write_template

__all__ = ["main", "side_by_side", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_TIME_LIMIT"]


def cmd_compare(args: argparse.Namespace, run: Run) -> int:
    """``rcc compare``: the standard scenarios for the councils ``--region`` names, their neighbours around."""
    from rcc.cli.compare import compare_region, compare_text, comparison_frames

    if args.name is not None and args.region is not None and args.name != args.region:
        raise InvalidInputError("--region", None, None, "the region given once (as NAME or --region)",
                                [args.name, args.region])
    args.region = args.name if args.name is not None else args.region
    progress = StageLog(args.quiet)
    full, chosen, kind = load_regions(args, progress)
    rcc_ids = () if kind is None or len(chosen.councils) == len(full.councils) else tuple(chosen.council_ids)
    run.region = chosen.name
    executor = "process" if args.parallel else "serial"
    progress(f"comparing scenarios for {chosen.name}")
    progress.close()  # the comparison shows its own progress line
    widened = f"{chosen.name}, widened by {args.within_miles:g} miles" if kind == "council" else None  # named once
    cmp = compare_region(full, rcc_ids, chosen.name, args.scenarios, within_miles=args.within_miles,
                         executor=executor, progress=not args.quiet, msg=args.verbose, base_name=widened)
    print(compare_text(cmp, chosen.name))
    write_reports(cmp, args, progress)
    if run.out is not None:
        write_frames(comparison_frames(cmp), run.out.staging, "csv", council_names(full))
    return run.finish()


def cmd_template(args: argparse.Namespace, run: Run) -> int:
    """``rcc template PATH``: the empty input tables with their guide, to fill in."""
    out = Path(args.path)
    if out.exists() and not args.force and (out.is_file() or any(out.iterdir())):
        raise InvalidInputError("template", None, "path", "a new file or an empty folder (or --force)", str(out))
    written = write_template(out)
    what = "workbook" if written.suffix.lower() == ".xlsx" else "folder of CSV files"
    print(f"wrote an empty {what} at {written}: a guide and one table each for " + ", ".join(TABLES)
          + f"; fill it in and run: rcc plan --data {written}")
    return EXIT_OK


def cmd_glossary(args: argparse.Namespace, run: Run) -> int:
    """``rcc glossary [CODE ...]``: what every code in the output means, or the codes asked for."""
    for code in args.codes:
        explain(code)  # an unknown code: an InvalidInputError before anything is printed
    print("\n".join(explain(code) for code in args.codes) if args.codes else glossary_text())
    return EXIT_OK


# ---------------------------------------------------------------- parser
def _add_compare_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``compare`` sub-command's options."""
    c = command_parser(sub, "compare", "pooling scenarios: each council alone vs the RCC pooled vs national")
    c.add_argument("name", nargs="?", default=None, metavar="NAME",
                   help="the RCC: a region, RCC or council name (or --region); neighbours within --within-miles "
                   "join the base; none: every council, pooling levels only")
    add_data_options(c, None)
    c.add_argument("--scenarios", nargs="+", default=None,
                   help="standalone rcc_pooled national pathfinder_only demand_growth new_capacity local_incentive "
                   "(rcc glossary says what each is)")
    out_options(c, None, "long.csv, table.csv, skew.csv, skew_summary.csv")
    add_report_option(c, "the comparison")
    c.add_argument("--within-miles", type=MILES, default=60.0)
    c.add_argument("--seed", type=SEED, default=0)
    c.add_argument("--parallel", action="store_true", help="solve scenarios in a local process pool")
    noise_options(c)
    data_epilog(c)
    c.epilog = glossary_text() + "\n\n" + c.epilog
    c.set_defaults(func=cmd_compare, format="csv")
    return c


def _add_small_parsers(sub: Any) -> None:
    """``template`` and ``glossary``."""
    t = sub.add_parser("template", help="write empty input tables (an .xlsx workbook or a folder of CSVs) to fill in",
                       description="Write the input tables rcc reads with --data, empty, with a guide to every "
                       "column (type, unit, required, allowed values). PATH ending .xlsx: a workbook with a guide "
                       "sheet and a sheet per table; otherwise a folder of CSV files with guide.csv.")
    t.add_argument("path", metavar="PATH")
    t.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    t.set_defaults(func=cmd_template)
    g = sub.add_parser("glossary", help="what the codes in the output mean (scenarios, statuses, HHI...)")
    g.add_argument("codes", nargs="*", metavar="CODE", help="codes to explain, e.g. rcc_pooled HHI 'no home' "
                   "(default: the whole glossary)")
    g.set_defaults(func=cmd_glossary)


def build_parser() -> argparse.ArgumentParser:
    """The ``rcc`` command line: ``plan``, ``report``, ``compare``, ``sufficiency``, ``template``, ``glossary``."""
    parser = argparse.ArgumentParser(prog="rcc", description="Plan homes for children in care close to home.",
                                     epilog=glossary_text() + "\n\n" + DATA_HELP + "\n\n" + EXIT_CODES_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"rcc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _plan.add_parser(sub)
    _report.add_parser(sub)
    _add_compare_parser(sub)
    _sufficiency.add_parser(sub)
    _forecast.add_parser(sub)
    _add_small_parsers(sub)
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
    stdout = sys.stdout
    sys.stdout = _ReaderMayLeave(stdout)
    try:
        return _main(argv)
    finally:
        sys.stdout.flush()
        sys.stdout = stdout


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the message
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    func: Callable[[argparse.Namespace, Run], int] = args.func
    silence_highs_banner()  # HiGHS's banner is no result: solver logs print only with --verbose
    try:
        run = Run(args, argv)
    except InvalidInputError as exc:  # an unusable --out or format: nothing solved
        _one_line_error(args.command, exc)
        return EXIT_USAGE
    try:
        try:
            with solver_log_on_stderr(getattr(args, "verbose", False)):  # stdout keeps only the results
                return func(args, run)
        finally:
            StageLog.close_all()  # no status line left under the results or an error
    except (SolverError, InfeasibleError) as exc:  # no usable plan: a manifest says so, no tables
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        run.fail(exc, EXIT_FAILED)
        return EXIT_FAILED
    except InvalidInputError as exc:  # bad input: every problem found, as one table; the folder is left as it was
        report_problems(exc, args.command, getattr(args, "problems_csv", None))
        return EXIT_USAGE
    except RccError as exc:
        print(f"rcc {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # writing the results failed: manifest.json, if written, says "complete": false
        print(f"rcc {args.command}: error: writing the results failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if run.out is not None:
            run.out.discard()


class _ReaderMayLeave(io.TextIOBase):
    """stdout for a reader that may stop early (``rcc glossary | head``): once the pipe is broken the
    rest of the output goes to devnull, quietly, and the run goes on (its files are still written)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._gone = False

    def _left(self) -> None:
        self._gone = True
        try:  # what is still buffered in the real stdout goes nowhere at exit, without a traceback
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass

    def write(self, text: str) -> int:  # type: ignore[override]
        if not self._gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._left()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._left()

    def isatty(self) -> bool:
        return not self._gone and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


def _one_line_error(command: str, exc: InvalidInputError) -> None:
    """An option's problem on one line: ``rcc plan: error: --format parquet needs pyarrow ...``."""
    print(f"rcc {command}: error: {exc.table}: expected {exc.expected}; received {exc.received}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
