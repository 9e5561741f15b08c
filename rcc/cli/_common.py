"""What every ``rcc`` command shares: exit codes, progress lines, option types, the
run that writes into ``--out`` with its manifest, and the side-by-side metrics table.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import io
import logging
import math
import os
import sys
import textwrap
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rcc.allocation.result import PlanStatus
from rcc.analysis.summary import side_by_side as side_by_side  # the library function, its rcc.cli name kept
from rcc.core import progress
from rcc.core.errors import RccError, SolverError
from rcc.io.output import CSV_ROUNDING, OutputFolder, now_utc, plan_record, versions

EXIT_OK = 0  #: every plan optimal (or the greedy baseline)
EXIT_FAILED = 1  #: no usable plan: nothing but a manifest written
EXIT_USAGE = 2  #: bad usage or input: nothing solved, nothing written
EXIT_TIME_LIMIT = 3  #: a plan stopped at the time limit: written, marked time_limit

EXIT_CODES_HELP = f"""\
exit codes:
  {EXIT_OK}  every plan optimal (or the greedy baseline); results written
  {EXIT_TIME_LIMIT}  a plan stopped at the time limit: its best solution written, marked time_limit with its gap
  {EXIT_FAILED}  the run failed (no usable plan, or the rules cannot all be met): only a manifest written,
     saying why
  {EXIT_USAGE}  bad usage or input (an option out of range, an unusable --out, bad data): nothing solved or
     written; every problem in the input is listed

--out: the folder holds only files rcc owns: manifest.json (command, versions, settings, region,
status and gap of each plan, times, every file with its size and sha256) and the files it lists.
Files of an earlier rcc run there (listed unchanged in its manifest) are replaced; any other file
makes rcc refuse before solving, unless --force, which moves them into rcc-set-aside-<time>/ (never
deletes them). The manifest is written last: "complete": false means an interrupted write. CSV
files are rounded for reading: counts as integers, percentages to 1 decimal, money in whole GBP,
miles to 1 decimal, shares to 3 decimals, monthly chances to 6, and a council_name column beside every council code
(home_council_name beside home_council_id, ...); --format parquet keeps full precision."""

_USABLE = (PlanStatus.OPTIMAL, PlanStatus.TIME_LIMIT, PlanStatus.HEURISTIC)


class StageLog:
    """Stage-by-stage progress on stderr, with elapsed times (nothing with ``quiet``).

    On a terminal (``live``, default: stderr is a terminal) a status line below the last
    stage says how long the current step has run, redrawn every half second once it has
    run a second; :meth:`close` (or the next message) clears it.

    Used as a context manager it also shows the stage events the library logs while a
    step runs (:data:`rcc.core.progress.STAGE_LOGGERS`: the sufficiency engine logs each stage it starts, the
    report's suppression audit its passes and rounds).
    """

    _open: weakref.WeakSet[StageLog] = weakref.WeakSet()

    def __init__(self, quiet: bool = False, live: bool | None = None) -> None:
        self.quiet = quiet
        self.live = (not quiet) and (sys.stderr.isatty() if live is None else live)
        self.t0 = time.perf_counter()
        self._handler: logging.Handler | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._step = ("", self.t0)

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        now = time.perf_counter()
        with self._lock:
            if self._thread is not None:
                sys.stderr.write("\r\033[K")
            print(f"[{now - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)
            self._step = (message.strip(), now)
        if self.live and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._tick, name="rcc-progress", daemon=True)
            self._thread.start()
            StageLog._open.add(self)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                message, since = self._step
                running = time.perf_counter() - since
                if running >= 1.0 and not self._stop.is_set():
                    sys.stderr.write(f"\r\033[K  ... {message[:60]}: {running:.0f}s")
                    sys.stderr.flush()

    def done(self) -> None:
        """Say ``done`` and stop the status line (the results follow on stdout)."""
        self("done")
        self.close()

    def close(self) -> None:
        """Stop and clear the status line (the next message starts it again)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    @classmethod
    def close_all(cls) -> None:
        """Clear every status line (before an error message or the results are printed)."""
        for log in list(cls._open):
            log.close()

    def __enter__(self) -> StageLog:
        self._depth = getattr(self, "_depth", 0) + 1  # nested: the outer one forwards already
        if not self.quiet and self._depth == 1:
            log = self

            class _Forward(logging.Handler):
                def emit(self, record: logging.LogRecord) -> None:
                    log(f"  {record.getMessage()}")

            self._handler = _Forward(logging.INFO)
            progress.attach(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._handler is not None and self._depth == 0:
            progress.detach(self._handler)
            self._handler = None


def _flush_c_stdout() -> None:
    with contextlib.suppress(Exception):  # no C library to flush: nothing buffered there
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def solver_log_on_stderr(enabled: bool = True) -> Any:
    """While it runs, what the solvers print to the process's stdout (HiGHS's log, CBC's) goes to stderr;
    what Python prints to ``sys.stdout`` (the results) still goes to stdout.

    The solvers write to file descriptor 1 from C (or a child process); it is pointed at stderr and
    ``sys.stdout``, if it writes to descriptor 1, is given a copy of the original descriptor.
    """
    if not enabled:
        yield
        return
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    _flush_c_stdout()
    saved = os.dup(1)
    real = getattr(sys.stdout, "_stream", sys.stdout)  # the stream under rcc.cli's broken-pipe guard
    try:
        writes_fd1 = real.fileno() == 1
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        writes_fd1 = False  # e.g. captured in memory: Python's prints never reach descriptor 1
    swapped = None
    if writes_fd1:
        swapped = real
        stream = io.TextIOWrapper(io.FileIO(saved, "w", closefd=False), encoding=real.encoding,
                                  errors=real.errors, line_buffering=True)
        _set_stream(stream)
    os.dup2(2, 1)
    try:
        yield
    finally:
        _flush_c_stdout()
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        if swapped is not None:
            _set_stream(swapped)


def _set_stream(stream: Any) -> None:
    """Make Python's prints go to ``stream`` (under rcc.cli's broken-pipe guard when there is one)."""
    if hasattr(sys.stdout, "_stream"):
        sys.stdout._stream = stream
    else:
        sys.stdout = stream


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
        settings = {k: v for k, v in vars(self.args).items() if k != "func" and not k.startswith("_")}
        record = {
            "command": self.args.command, "argv": self.argv, "versions": versions(), "settings": settings,
            "region": self.region, "outcome": outcome, "exit_code": exit_code, "error": error,
            "plans": self.plans, "started_at": self.started, "finished_at": now_utc(),
        }
        if getattr(self.args, "format", None) == "csv":
            record["csv"] = CSV_ROUNDING
        return record

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
            rejected = getattr(self.args, "_rejected_rows", None)  # rows of an SSDA903 return (rcc.cli._data)
            if rejected is not None:
                self.out.staging.mkdir(parents=True, exist_ok=True)
                rejected.to_csv(self.out.staging / "rejected_rows.csv", index=False)
            files = self.out.commit(self.manifest("time_limit" if limited else "ok", code))
            print(written(self.out.path, [f["path"] for f in files]))
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


def written(root: Path, paths: Sequence[str]) -> str:
    """Where the files went, folder by folder (``wrote 9 files and manifest.json in out:``, then
    ``greedy/ (4 files), optimised/ (4 files), summary.csv`` on the next lines)."""
    folders: dict[str, int] = {}
    top: list[str] = []
    for p in paths:
        first, sep, _ = p.partition("/")
        if sep:
            folders[first] = folders.get(first, 0) + 1
        else:
            top.append(first)
    parts = [f"{d}/ ({n} files)" for d, n in folders.items()] + top
    listed = textwrap.fill(", ".join(parts), 100, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
    return f"wrote {len(paths)} files and manifest.json in {root}:\n{listed}"


def council_names(region: Any) -> dict[str, str]:
    """Council code -> name of a region's councils, for the name columns of the CSV files."""
    c = region.councils
    return dict(zip(c.council_id.astype(str), c.name.astype(str)))


def summary_frame(run: Run) -> pd.DataFrame:
    """One row per plan: how it ended (status, objective, gap, bound, solver, time).

    The objective and bound are in Weights units (``objective_weights_units``, ``bound_weights_units``:
    the planning cost, not GBP; with the default Weights 1 unit = GBP 1,000 a week or 1 mile, see
    ``rcc glossary objective``); the gap is in percent (``gap_pct``: 0.026 is 0.026%)."""
    rows = []
    for name, p in run.plans.items():
        row = {"plan": name, "region": run.region}
        for key, value in p.items():
            if key in ("objective", "bound"):
                row[f"{key}_weights_units"] = value
            elif key == "gap":
                row["gap_pct"] = None if value is None else 100.0 * value
            else:
                row[key] = value
        rows.append(row)
    return pd.DataFrame(rows)


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


def noise_options(p: argparse.ArgumentParser) -> None:
    """``--quiet`` (no progress lines) and ``--verbose`` (the solver's own log)."""
    p.add_argument("--quiet", action="store_true", help="no progress lines (results and errors still print)")
    p.add_argument("--verbose", action="store_true", help="also show the solver's log (on stderr)")


def out_options(p: argparse.ArgumentParser, default: str | None, what: str) -> None:
    """``--out`` (default ``default``) and ``--force``: where ``what`` and manifest.json are written."""
    p.add_argument("--out", default=default,
                   help=f"folder for {what} and manifest.json; checked before solving"
                   + (f" (default: {default}/)" if default else ""))
    p.add_argument("--force", action="store_true",
                   help="if --out holds files rcc did not write, move them into rcc-set-aside-<time>/ there "
                   "(default: refuse before solving)")

