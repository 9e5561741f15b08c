"""Where many plans run: here, a local process pool, or any ``concurrent.futures`` executor.

One module for :func:`rcc.compare`, :func:`rcc.sweep` and the pooling games
(:class:`rcc.PoolingGame`, :func:`rcc.share_savings`). The executor is:

``"serial"`` (:data:`DEFAULT_EXECUTOR`, the default everywhere)
    In this process, one task after the other: no start-up cost, nothing to
    pickle, no ``if __name__ == "__main__":`` guard needed.
``"process"``
    A local process pool of ``workers`` started with ``spawn`` (safe with
    in-process HiGHS; scripts need the ``__main__`` guard: without it the
    workers die and rcc raises ``BrokenProcessPool`` with
    :data:`BROKEN_POOL_HELP`, saying so).
any :class:`concurrent.futures.Executor`
    Used as given and not shut down (e.g. a Dask cluster's
    ``Client.get_executor()``).

Workers receive plain data (:func:`to_payload`) and rebuild regions and
models themselves (PuLP models cannot be pickled); every parallel task
solves with one solver thread (:func:`single_thread`), so the numbers do not
depend on the executor, the batching or the number of workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = [
    "BROKEN_POOL_HELP",
    "DEFAULT_EXECUTOR",
    "Progress",
    "batches",
    "default_executor",
    "from_payload",
    "run_tasks",
    "single_thread",
    "to_payload",
]

#: The executor of compare, sweep, PoolingGame and share_savings when none is given.
DEFAULT_EXECUTOR = "serial"

#: The message of the error a process pool whose workers died raises (most often a script without the guard).
BROKEN_POOL_HELP = (
    "rcc's process pool stopped: its worker processes died before finishing their tasks. Workers start with "
    "'spawn' and import your script again, so a script that uses executor='process' must put its code under "
    "`if __name__ == \"__main__\":` (or use the default executor='serial', which needs no guard). "
    "Other causes: a worker ran out of memory or was killed."
)


def to_payload(obj: Any) -> Any:
    """Plain, picklable data for a worker: Regions become dicts of tables,
    attrs records (PlanParams, Scenario...) ``(class, fields)``, mappings dicts.

    PuLP 4 models and ``MappingProxyType`` cannot be pickled; workers get data
    and rebuild everything with :func:`from_payload`.
    """
    if isinstance(obj, Region):
        return ("__region__", {k: getattr(obj, k) for k in ("name", "councils", "providers", "homes", "cohorts", "placements", "travel")})
    if attrs.has(type(obj)):
        return ("__attrs__", type(obj), {f.name: to_payload(getattr(obj, f.name)) for f in attrs.fields(type(obj))})
    if isinstance(obj, Mapping):
        return {k: to_payload(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return type(obj)(to_payload(v) for v in obj)
    return obj


def from_payload(data: Any) -> Any:
    """Inverse of :func:`to_payload` (tables are trusted: they were validated)."""
    if isinstance(data, tuple) and len(data) == 2 and data[0] == "__region__":
        t = data[1]
        return Region(**t)  # keywords; the tables were validated before they were sent
    if isinstance(data, tuple) and len(data) == 3 and data[0] == "__attrs__":
        cls, fields = data[1], data[2]
        kwargs = {k: from_payload(v) for k, v in fields.items()}
        alias = {f.name: f.alias for f in attrs.fields(cls)}
        return cls(**{alias[k]: v for k, v in kwargs.items()})
    if isinstance(data, dict):
        return {k: from_payload(v) for k, v in data.items()}
    if isinstance(data, tuple | list):
        return type(data)(from_payload(v) for v in data)
    return data


def single_thread(params: PlanParams | None) -> PlanParams:
    """The params with one solver thread (what every parallel worker uses)."""
    params = params or PlanParams()
    return params.evolve(solver=attrs.evolve(params.solver, threads=1))


class Progress:
    """A progress line on stderr (tqdm's bar if tqdm is installed)."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.done, self.t0, self._last = 0, time.perf_counter(), -1.0
        self._bar: Any = None
        if self.enabled:
            try:
                from tqdm.auto import tqdm  # optional

                self._bar = tqdm(total=total, desc=label, file=sys.stderr, leave=False)
            except ImportError:
                self._bar = None

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.perf_counter()
        finished = self.done >= self.total
        if finished or now - self._last >= 1.0:
            self._last = now
            line = f"{self.label}: {self.done}/{self.total} ({now - self.t0:.1f}s)"
            if sys.stderr.isatty():
                sys.stderr.write("\r" + line + ("\n" if finished else ""))
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def default_executor(workers: int = 2) -> cf.ProcessPoolExecutor:
    """A local process pool started with ``spawn`` (safe with in-process HiGHS)."""
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    *,
    workers: int = 2,
    label: str = "rcc",
    progress: bool = True,
    sizes: Sequence[int] | None = None,
) -> list[Any]:
    """``[fn(t) for t in tasks]``, in task order, on an executor.

    ``executor``: ``"serial"`` (or None) runs here; ``"process"`` a local
    spawn process pool of ``workers``; any :class:`concurrent.futures.Executor`
    (e.g. dask's ``Client.get_executor()``) is used as given and not shut
    down. ``fn`` must be a module-level function and tasks plain data.
    ``sizes`` (units per task, e.g. draws per batch) drive the progress line.
    """
    sizes = list(sizes) if sizes is not None else [1] * len(tasks)
    bar = Progress(int(sum(sizes)), label, progress)
    try:
        if executor is None or executor == "serial":
            out = []
            for t, n in zip(tasks, sizes):
                out.append(fn(t))
                bar.update(n)
            return out
        own = executor == "process"
        ex: cf.Executor = default_executor(workers) if own else executor  # type: ignore[assignment]
        if isinstance(ex, str):
            raise InvalidInputError("executor", None, None, "'serial', 'process' or a concurrent.futures.Executor", ex)
        try:
            futures = {ex.submit(fn, t): i for i, t in enumerate(tasks)}
            results: list[Any] = [None] * len(tasks)
            for f in cf.as_completed(futures):
                i = futures[f]
                results[i] = f.result()
                bar.update(sizes[i])
            return results
        except cf.process.BrokenProcessPool as err:
            raise cf.process.BrokenProcessPool(BROKEN_POOL_HELP) from err
        finally:
            if own:
                ex.shutdown(wait=True)
    finally:
        bar.close()


def batches(items: Sequence[Any], workers: int, batch_size: int | None = None) -> list[list[Any]]:
    """``items`` in consecutive batches: ``batch_size`` each, by default about 4 batches per worker."""
    size = batch_size or max(1, -(-len(items) // (4 * max(1, workers))))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
