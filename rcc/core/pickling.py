"""Results that users cache: every rcc result pickles and round-trips.

rcc keeps read-only mappings as :class:`types.MappingProxyType` (settings such as
``Weights.unmet_by_need``, a comparison's plans, the default assumptions). The standard
library cannot pickle a mapping proxy, so a :class:`~rcc.Comparison`, a
:class:`~rcc.core.params.PlanParams` and everything holding one could not be cached in a
notebook or sent to a process pool. Importing :mod:`rcc.core` registers a reducer with
:mod:`copyreg`: a mapping proxy pickles as a read-only proxy of a copy of its mapping (the
same keys and values, still read-only), and :func:`copy.deepcopy` works the same way.

>>> import pickle
>>> from types import MappingProxyType
>>> m = pickle.loads(pickle.dumps(MappingProxyType({"complex": 2.0})))
>>> type(m).__name__, dict(m)
('mappingproxy', {'complex': 2.0})
"""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["read_only"]


def read_only(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only view of a copy of ``mapping`` (a :class:`types.MappingProxyType`; how one unpickles)."""
    return MappingProxyType(dict(mapping))


def _reduce_mapping_proxy(proxy: MappingProxyType) -> tuple[Any, tuple[dict[Any, Any]]]:  # type: ignore[type-arg]
    return read_only, (dict(proxy),)


copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)
