"""Deprecated: moved to :mod:`rcc.allocation.highs` (rcc 0.2); this old path forwards with a DeprecationWarning."""

from rcc._deprecated import forward

__getattr__ = forward(__name__)
