"""The core layer: tables (schema), regions, settings, errors, validation, geometry and solver plumbing.

Nothing in :mod:`rcc.core` imports any other part of rcc; every other layer
builds on it. The layers, each importing only the ones before it::

    core <- datasets <- io <- allocation, forecast <- sufficiency, analysis <- report <- cli
"""

from rcc.core import pickling as _pickling  # noqa: F401  (registers: mapping proxies pickle)
from rcc.core.solvers import SolverOutcome
from rcc.core.version import __version__

__all__ = ["SolverOutcome", "__version__"]
