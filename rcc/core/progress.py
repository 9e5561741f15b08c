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
import threading
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


_lock = threading.Lock()
_attached = 0  # handlers attached through attach() and not yet detached
_saved: dict[str, tuple[int, bool]] = {}  # each stage logger's level and propagation before the first of them


def attach(handler: logging.Handler) -> None:
    """Add ``handler`` to every stage logger. While any handler is attached this way the loggers let INFO
    through and do not pass their lines on to the loggers above (a root handler of ``logging.basicConfig``
    would print each line again); the first attach saves their settings and the last :func:`detach` restores
    them, whatever the order of nested or concurrent calls."""
    global _attached
    with _lock:
        if _attached == 0:
            _saved.update({name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in STAGE_LOGGERS})
        _attached += 1
        for name in STAGE_LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.propagate = False
            if logger.getEffectiveLevel() > logging.INFO:
                logger.setLevel(logging.INFO)


def detach(handler: logging.Handler) -> None:
    """Undo :func:`attach`: remove ``handler``; the last one detached restores the loggers' settings."""
    global _attached
    with _lock:
        for name in STAGE_LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        _attached = max(_attached - 1, 0)
        if _attached == 0:
            for name, (level, propagate) in _saved.items():
                logging.getLogger(name).setLevel(level)
                logging.getLogger(name).propagate = propagate
            _saved.clear()


def _shown_already() -> bool:
    """Whether the stage loggers' INFO lines already reach a handler: one attached here, or the user's own
    logging (a handler above them, e.g. ``logging.basicConfig(level=logging.INFO)``)."""
    for name in STAGE_LOGGERS:
        logger = logging.getLogger(name)
        if logger.handlers or (logger.isEnabledFor(logging.INFO) and logger.hasHandlers()):
            return True
    return False


_shown: _StderrLines | None = None  # show_progress's handler


def show_progress(enabled: bool = True) -> None:
    """Show (or, with ``enabled=False``, stop showing) the stages of long library steps on
    stderr: the sufficiency engine's stages and the report audit's rounds. Calling it again
    restarts the clock; the loggers' other handlers are left alone."""
    global _shown
    if _shown is not None:
        detach(_shown)
        _shown = None
    if enabled:
        _shown = _StderrLines()
        attach(_shown)


@contextlib.contextmanager
def progress_shown(enabled: bool = True) -> Iterator[None]:
    """Show the stages of long library steps on stderr while the block runs (a report's audit rounds come at
    most one every few seconds, so a short audit says little: a line for each pooling retry), unless
    ``enabled`` is False or something already shows them (:func:`show_progress`, the command line's stage
    lines, the user's own logging at INFO)."""
    if not enabled or _shown_already():
        yield
        return
    handler = _StderrLines()
    attach(handler)
    try:
        yield
    finally:
        detach(handler)
