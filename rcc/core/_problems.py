"""Rejected rows of a reader, collected with vectorised masks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RowProblems"]

_BASE = ("row", "column", "expected", "received", "reason")


class RowProblems:
    """Collects rejected rows: one record per (source row, rule broken).

    ``columns`` is the order of the frame's columns: the base columns
    (row, column, expected, received, reason) plus key columns (e.g. the table
    name, or an id) whose values :meth:`add` receives as keywords. Nothing is
    dropped: every masked row becomes a record.
    """

    def __init__(self, columns: Sequence[str], empty_dtype: str = "object") -> None:
        missing = [c for c in _BASE if c not in columns]
        if missing:
            raise ValueError(f"columns must include {missing}")
        self.columns = tuple(columns)
        self.keys = tuple(c for c in columns if c not in _BASE)
        self.empty_dtype = empty_dtype
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: pd.Series,
        column: str,
        expected: str,
        received: pd.Series | str | None,
        reason: str,
        **keys: Any,
    ) -> None:
        """Record every row where ``mask`` is true. ``received`` and key values
        may be scalars or Series aligned with ``mask``; blank values read "blank"."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = mask.index[mask]

        def pick(value: Any) -> Any:
            return value.loc[rows].to_numpy() if isinstance(value, pd.Series) else value

        if isinstance(received, pd.Series):
            rec: Any = received.loc[rows].astype("str").fillna("blank").replace("", "blank").to_numpy()
        else:
            rec = received
        record = {"row": np.asarray(rows, dtype="int64"), "column": column, "expected": expected,
                  "received": rec, "reason": reason}
        record.update({k: pick(keys[k]) for k in self.keys})
        self.parts.append(pd.DataFrame(record)[list(self.columns)])

    def frame(self) -> pd.DataFrame:
        """All records, in the order added."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else self.empty_dtype) for c in self.columns})
        return pd.concat(self.parts, ignore_index=True)[list(self.columns)]
