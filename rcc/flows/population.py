"""`Population`: the children in care as parallel arrays (no ids, no names).

Months are whole numbers (``month`` 0 is the first simulated month); a
child's age in months is ``month - birth_month``, so ageing happens exactly at
the child's birth month, and a child leaves care on reaching 216 months (18).
"""

from __future__ import annotations

import attrs
import numpy as np

from rcc.core.errors import InvalidInputError

__all__ = ["LEAVING_AGE_MONTHS", "NO_HOME", "Population"]

#: Age in months at which a child leaves care (18th birthday).
LEAVING_AGE_MONTHS = 18 * 12
#: ``Population.home`` of a child in care without a placement (waiting for a free suitable place).
NO_HOME = -1


def _whole(values: object) -> np.ndarray:
    """An int64 array (empty arrays of any dtype included); a fractional value is an error."""
    a = np.asarray(values)
    if a.size and a.dtype.kind not in "iu":
        raise InvalidInputError("population", None, None, "whole numbers (months, positions)", str(a.dtype))
    return a.astype(np.int64, copy=False)


_FIELDS = ("council", "need", "birth_month", "home", "care_since", "placed_since")


@attrs.frozen(eq=False)
class Population:
    """Children in care: one entry per child in every array, all of the same length.

    Attributes
    ----------
    council : numpy.ndarray of int
        Home council (row position in the region's councils table).
    need : numpy.ndarray of int
        Need (position in the engine's needs).
    birth_month : numpy.ndarray of int
        Month of birth on the engine's month scale (may be negative).
    home : numpy.ndarray of int
        Home (row position in the region's homes table), :data:`NO_HOME` when waiting.
    care_since : numpy.ndarray of int
        Month the child came into care.
    placed_since : numpy.ndarray of int
        Month the current placement (or the wait for one) began.
    """

    council: np.ndarray = attrs.field(converter=_whole)
    need: np.ndarray = attrs.field(converter=_whole)
    birth_month: np.ndarray = attrs.field(converter=_whole)
    home: np.ndarray = attrs.field(converter=_whole)
    care_since: np.ndarray = attrs.field(converter=_whole)
    placed_since: np.ndarray = attrs.field(converter=_whole)

    def __attrs_post_init__(self) -> None:
        n = len(self.council)
        for f in _FIELDS:
            if getattr(self, f).shape != (n,):
                raise InvalidInputError(
                    "population", None, f, f"a flat array of {n} entries (as council)", str(getattr(self, f).shape)
                )

    @classmethod
    def empty(cls) -> Population:
        """No children."""
        return cls(*(np.zeros(0, dtype=np.int64) for _ in _FIELDS))

    def __len__(self) -> int:
        return len(self.council)

    def age_months(self, month: int) -> np.ndarray:
        """Each child's age in whole months at the start of ``month``."""
        return month - self.birth_month

    def take(self, which: np.ndarray) -> Population:
        """The children selected by a boolean mask or positions."""
        return Population(*(getattr(self, f)[which] for f in _FIELDS))

    def with_home(self, home: np.ndarray, placed_since: np.ndarray) -> Population:
        """The same children with new homes and placement start months."""
        return attrs.evolve(
            self, home=np.asarray(home, dtype=np.int64), placed_since=np.asarray(placed_since, dtype=np.int64)
        )

    def concat(self, other: Population) -> Population:
        """These children followed by ``other``'s."""
        return Population(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in _FIELDS))
