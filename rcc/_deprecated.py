"""Old import paths of modules that moved into the layer packages (rcc 0.2).

Each old module is a few lines that forward attribute lookups to the new
home with a :class:`DeprecationWarning` naming it, so code written for rcc
0.1 keeps working while it is updated. The public names themselves did not
move: ``rcc.plan``, ``rcc.Scenario``, ``rcc.sweep`` ... are where they were.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

MOVED = {
    "rcc.errors": "rcc.core.errors",
    "rcc.schema": "rcc.core.schema",
    "rcc.params": "rcc.core.params",
    "rcc.region": "rcc.core.region",
    "rcc.network": "rcc.allocation.network",
    "rcc.solve": "rcc.allocation.engine",
    "rcc.model": "rcc.allocation.model",
    "rcc.model.allocation": "rcc.allocation.model",
    "rcc.model.sufficiency": "rcc.sufficiency.model",
    "rcc.scenarios": "rcc.analysis.scenarios",
    "rcc.sweeps": "rcc.analysis.sweeps",
    "rcc.sharing": "rcc.analysis.sharing",
    "rcc.io.orlib": "rcc.sufficiency.orlib",
    "rcc.validate": "rcc.core.validate",
    "rcc.geo": "rcc.core.geo",
    "rcc.greedy": "rcc.allocation.greedy",
    "rcc.model.allocation_highs": "rcc.allocation.highs",
}


def warn_moved(old: str, name: str | None = None, stacklevel: int = 3) -> str:
    """Warn that ``old`` (or ``old.name``) moved; return the new module's name."""
    new = MOVED[old]
    what = f"{old}.{name}" if name else old
    warnings.warn(
        f"{what} is deprecated: {old} moved to {new} in rcc 0.2; import from {new} "
        f"(public names are also on the rcc package itself)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return new


def forward(old: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that forwards ``old.<name>`` to the new module with a warning."""

    def __getattr__(name: str) -> Any:
        target = importlib.import_module(MOVED[old])
        if name.startswith("__") or not hasattr(target, name):  # probes (doctest, pytest) find nothing
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warn_moved(old, name)
        return getattr(target, name)

    return __getattr__
