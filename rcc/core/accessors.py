"""Accessors that a higher layer fills in (dependency inversion for ``plan.plot``).

A result class in a lower layer (``Plan`` in :mod:`rcc.allocation`, ``SufficiencyPlan``,
``Comparison``) declares ``plot = Accessor("plot")``; :mod:`rcc.report` registers the
class that draws it with :func:`register_accessor` when it is imported (``import rcc``
imports it). The lower layer never imports the higher one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_REGISTRY: dict[tuple[str, str], Callable[[Any], Any]] = {}


def register_accessor(name: str, owner: type, factory: Callable[[Any], Any]) -> None:
    """Make ``owner().<name>`` return ``factory(obj)`` (called by a higher layer at import).

    Parameters
    ----------
    name : str
        The accessor's attribute name (``"plot"``).
    owner : type
        The result class that declares ``<name> = Accessor(name)``.
    factory : callable
        Called with the result object; what it returns is the accessor.
    """
    _REGISTRY[(name, owner.__qualname__)] = factory


class Accessor:
    """A class attribute whose value is made by the factory registered for it.

    Raises :class:`ImportError` naming the module to import when nothing is registered
    (``rcc.report``, imported by ``import rcc``).
    """

    def __init__(self, name: str, provider: str = "rcc.report") -> None:
        self.name = name
        self.provider = provider

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        for cls in type(obj).__mro__:
            factory = _REGISTRY.get((self.name, cls.__qualname__))
            if factory is not None:
                return factory(obj)
        raise ImportError(
            f"{type(obj).__name__}.{self.name} is provided by {self.provider}: import it (import rcc does) first"
        )
