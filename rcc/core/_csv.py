"""The former private name of :mod:`rcc.core.csvfiles`, kept only so that code written
against it before the module became public keeps importing; import from :mod:`rcc.core.csvfiles`."""

from __future__ import annotations

from rcc.core.csvfiles import *  # noqa: F403  (the same public names)
from rcc.core.csvfiles import __all__  # noqa: F401
