"""``rcc report``: plan a region (embedded data or ``--data``) and write its HTML report and Excel workbook."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rcc import datasets
from rcc.allocation.engine import plan as make_plan
from rcc.cli._common import SEED, Run, StageLog, command_parser, noise_options, number, out_options
from rcc.cli._data import add_data_options, data_epilog, load_region
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.region import Region
from rcc.report import write_excel, write_html

__all__ = ["add_parser", "add_report_option", "cmd_report", "report_cli", "report_region", "write_reports"]


def _check_formats(formats: Sequence[str]) -> None:
    bad = [f for f in formats if f not in ("html", "xlsx")]
    if bad or not formats:
        raise InvalidInputError("parameters", None, "formats", "'html' and/or 'xlsx'", list(formats))


def report_cli(
    region_name: str | None,
    out_dir: str | Path,
    formats: Sequence[str] = ("html", "xlsx"),
    suppress_below: int = 5,
    seed: int = 0,
) -> list[Path]:
    """What ``rcc report`` runs: plan a region of the embedded data and write the reports.

    Builds :func:`rcc.datasets.england` (``region_name``, ``seed``), makes the optimised
    plan and the greedy baseline, and writes ``report.html`` (optimised beside greedy) and
    ``report.xlsx`` (the optimised plan's tables, greedy metrics beside on the Summary)
    into ``out_dir``. (Until rcc 0.2 this was ``rcc.report.report_cli``; that name still
    finds it, with a :class:`DeprecationWarning`.)

    Parameters
    ----------
    region_name : str or None
        A name from :func:`rcc.datasets.region_names`; England when None.
    out_dir : str or Path
        Created if needed.
    formats : sequence of str
        Any of ``"html"`` and ``"xlsx"``.
    suppress_below : int
        See :func:`rcc.report.report_tables`.
    seed : int
        Seed of the embedded data generator and of the greedy baseline's order.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    rcc.InvalidInputError
        ``formats`` is empty or names something other than ``"html"`` and ``"xlsx"``.
    """
    _check_formats(formats)
    region = datasets.england(region_name, seed=seed)
    return report_region(region, out_dir, formats, suppress_below, seed)


def report_region(
    region: Region,
    out_dir: str | Path,
    formats: Sequence[str] = ("html", "xlsx"),
    suppress_below: int = 5,
    seed: int = 0,
    msg: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Plan ``region`` (optimised and greedy) and write its reports; see :func:`report_cli`.

    Parameters
    ----------
    region : Region
    out_dir, formats, suppress_below, seed
        As in :func:`report_cli`.
    msg : bool
        Show the solver's log.
    progress : callable, optional
        Called with a line as each step starts (optimising, greedy baseline, each report).

    Returns
    -------
    list of Path
    """
    _check_formats(formats)
    say = progress or (lambda message: None)
    params = PlanParams(seed=seed, solver=SolverOptions(msg=msg))
    say("optimising")
    optimised = make_plan(region, params)
    say("greedy baseline")
    greedy = make_plan(region, params.evolve(method="greedy"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        say(f"writing the {fmt} report")
        if fmt == "html":
            written.append(write_html(optimised, out / "report.html", suppress_below=suppress_below, compare_with=greedy,
                                      progress=progress is None))
        else:
            written.append(write_excel(optimised, out / "report.xlsx", suppress_below=suppress_below, compare_with=greedy,
                                       progress=progress is None))
    return written


def cmd_report(args: argparse.Namespace, run: Run) -> int:
    """``rcc report``: the reports of the optimised plan (greedy beside) written under ``--out``."""
    assert run.out is not None  # --out has a default
    progress = StageLog(args.quiet)
    formats = args.format or ["html", "xlsx"]
    _check_formats(formats)
    region = load_region(args, progress)
    run.region = region.name
    progress(repr(region))
    with progress:  # the suppression audit's rounds, on a large region
        report_region(region, run.out.staging, formats, args.suppress_below, args.seed, msg=args.verbose, progress=progress)
    progress.done()
    return run.finish()


def _report_path(text: str) -> Path:
    """An argparse ``type``: a file ending ``.html`` or ``.xlsx``."""
    path = Path(text)
    if path.suffix.lower() not in (".html", ".xlsx") or path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file ending .html or .xlsx; received {text!r}")
    return path


def add_report_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--report FILE`` (repeatable): an HTML report or Excel workbook of ``what``, and ``--suppress-below``."""
    p.add_argument("--report", action="append", type=_report_path, default=None, metavar="FILE",
                   help=f"also write {what} as a self-contained HTML report (FILE.html) or an Excel workbook "
                   "(FILE.xlsx); repeatable; small numbers suppressed as in rcc report")
    p.add_argument("--suppress-below", type=number("a whole number >= 0", integer=True, low=0), default=5,
                   help="in --report, counts of children below this are shown as 'c' (default 5, as DfE publishes)")


def write_reports(result: Any, args: argparse.Namespace, progress: StageLog) -> list[Path]:
    """Write ``result`` (a plan, sufficiency plan or comparison) to each ``--report`` file and say where."""
    written = []
    for path in args.report or []:
        progress(f"writing the report {path}")
        writer = write_html if path.suffix.lower() == ".html" else write_excel
        with progress:  # the audit's rounds
            written.append(writer(result, path, suppress_below=args.suppress_below, progress=False))
    if written:
        print("wrote the report" + ("s " if len(written) > 1 else " ") + ", ".join(map(str, written)))
    return written


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``report`` sub-command's options (``sub``: the ``add_subparsers`` action)."""
    r = command_parser(sub, "report", "write a self-contained HTML report and an Excel workbook of a regional plan")
    add_data_options(r, None)
    out_options(r, "report", "report.html / report.xlsx")
    r.add_argument("--format", action="append", choices=("html", "xlsx"), help="repeatable; default both")
    r.add_argument("--suppress-below", type=number("a whole number >= 0", integer=True, low=0), default=5,
                   help="counts of children below this are shown as 'c' (default 5, as DfE publishes)")
    r.add_argument("--seed", type=SEED, default=0)
    noise_options(r)
    data_epilog(r)
    r.set_defaults(func=cmd_report)
    return r
