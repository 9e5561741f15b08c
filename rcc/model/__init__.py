"""PuLP models: small ``define_*`` functions, each stating its maths."""

from .allocation import AllocationModel, build_allocation

__all__ = ["AllocationModel", "build_allocation"]
