"""What every ``rcc`` command shares: exit codes, progress lines, option types, the
run that writes into ``--out`` with its manifest, and the side-by-side metrics table.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from rcc.allocation.result import PlanStatus
from rcc.analysis.summary import side_by_side as side_by_side  # the library function, its rcc.cli name kept
from rcc.core.errors import RccError, SolverError
from rcc.io.output import OutputFolder, now_utc, plan_record, versions

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


class StageLog:
    """Stage-by-stage progress on stderr, with elapsed times."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- option types (checked at parse time)
def number(expected: str, *, integer: bool = False, low: float | None = None, strict: bool = False,
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


SEED = number("a whole number >= 0", integer=True, low=0)
SECONDS = number("a finite number of seconds > 0", low=0, strict=True)
MILES = number("a finite number of miles >= 0", low=0)


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


def summary_frame(run: Run) -> pd.DataFrame:
    """One row per plan: how it ended (status, objective, gap, bound, solver, time)."""
    return pd.DataFrame([{"plan": n, "region": run.region, **p} for n, p in run.plans.items()])


def marked(frames: dict[str, pd.DataFrame], record: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The frames, with the plan's status and gap as columns of its metrics table."""
    out = dict(frames)
    out["metrics"] = frames["metrics"].assign(status=record["status"], gap=record["gap"])
    return out


# ---------------------------------------------------------------- parser
def command_parser(sub: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command's parser (``sub``: the ``add_subparsers`` action) with the exit codes as its epilog."""
    return sub.add_parser(name, help=help, description=help, epilog=EXIT_CODES_HELP,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def out_options(p: argparse.ArgumentParser, default: str | None, what: str) -> None:
    """``--out`` (default ``default``) and ``--force``: where ``what`` and manifest.json are written."""
    p.add_argument("--out", default=default,
                   help=f"folder for {what} and manifest.json; checked before solving"
                   + (f" (default: {default}/)" if default else ""))
    p.add_argument("--force", action="store_true",
                   help="if --out holds files rcc did not write, move them into rcc-set-aside-<time>/ there "
                   "(default: refuse before solving)")

