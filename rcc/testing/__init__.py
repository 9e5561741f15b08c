"""Testing helpers for rcc users: public Hypothesis strategies in :mod:`rcc.testing.strategies`."""

from rcc.testing import strategies

__all__ = ["strategies"]
