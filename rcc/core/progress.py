"""Progress of long library steps, for scripts and notebooks.

The sufficiency engine logs each stage it starts to ``rcc.sufficiency.stages``; the report's
suppression audit its rounds and pooling retries to ``rcc.report.stages`` (:data:`STAGE_LOGGERS`).
The command line shows them as stage lines; :func:`show_progress` shows them anywhere else::

    rcc.show_progress()            # from now on: "[rcc 12.3s] stage: pricing" lines on stderr
    suff = rcc.sufficiency_plan(region, options, forecast)
    rcc.show_progress(False)       # quiet again
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator

__all__ = ["STAGE_LOGGERS", "attach", "detach", "progress_shown", "show_progress"]

#: The loggers the library reports the stages of long steps to: the sufficiency engine's stages;
#: the report's suppression audit (its rounds, at most one every few seconds, and pooling retries).
STAGE_LOGGERS = ("rcc.sufficiency.stages", "rcc.report.stages")


class _StderrLines(logging.Handler):
    """One line per event on the current ``sys.stderr`` (a notebook's, when run in one), with the time since shown."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.t0 = time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        print(f"[rcc {time.perf_counter() - self.t0:6.1f}s] {record.getMessage()}", file=sys.stderr, flush=True)


def attach(handler: logging.Handler) -> dict[str, int]:
    """Add ``handler`` to every stage logger, each letting INFO through; returns their levels
    before (for :func:`detach`)."""
    levels = {}
    for name in STAGE_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        levels[name] = logger.level
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    return levels


def detach(handler: logging.Handler, levels: dict[str, int]) -> None:
    """Undo :func:`attach`: remove ``handler`` and restore the loggers' ``levels``."""
    for name in STAGE_LOGGERS:
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.setLevel(levels[name])


_shown: tuple[_StderrLines, dict[str, int]] | None = None  # show_progress's handler and the levels before it


def show_progress(enabled: bool = True) -> None:
    """Show (or, with ``enabled=False``, stop showing) the stages of long library steps on
    stderr: the sufficiency engine's stages and the report audit's rounds. Calling it again
    restarts the clock; the loggers' other handlers are left alone."""
    global _shown
    if _shown is not None:
        detach(*_shown)
        _shown = None
    if enabled:
        handler = _StderrLines()
        _shown = (handler, attach(handler))


@contextlib.contextmanager
def progress_shown(enabled: bool = True) -> Iterator[None]:
    """Show the stages of long library steps on stderr while the block runs (a report's audit rounds come at
    most one every few seconds, so a short step says nothing), unless ``enabled`` is False or something
    already shows them (:func:`show_progress`, the command line's stage lines)."""
    shown = any(logging.getLogger(name).handlers for name in STAGE_LOGGERS)
    if not enabled or shown:
        yield
        return
    handler = _StderrLines()
    levels = attach(handler)
    try:
        yield
    finally:
        detach(handler, levels)
