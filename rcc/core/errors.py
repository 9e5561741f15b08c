"""All errors raised by rcc, in one place.

Every error subclasses the nearest built-in so that callers can catch either
the rcc type or the built-in one. Messages say what went wrong, where (table,
row id, column), what was expected and what was received.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RccError", "InvalidInputError", "InfeasibleError", "SolverError"]


class RccError(Exception):
    """Base class of every error raised by rcc."""


class InvalidInputError(RccError, ValueError):
    """Input data broke a rule of its table.

    Parameters
    ----------
    table : str
        Name of the table (``"homes"``, ``"cohorts"``...).
    row_id : object
        The id of the offending row (its id column), or ``None`` for a
        table-level problem.
    column : str or None
        The offending column, or ``None``.
    expected : str
        What the rule expects.
    received : object
        What was found.
    """

    def __init__(
        self,
        table: str,
        row_id: Any,
        column: str | None,
        expected: str,
        received: Any,
        *,
        more: int = 0,
    ) -> None:
        self.table = table
        self.row_id = row_id
        self.column = column
        self.expected = expected
        self.received = received
        self.more = more
        where = f"{'option' if str(table).startswith('--') else 'table'} {table!r}"  # a CLI option is no table
        if row_id is not None:
            where += f", row {row_id!r}"
        if column is not None:
            where += f", column {column!r}"
        msg = f"{where}: expected {expected}; received {received!r}"
        if more:
            msg += f" (and {more} more row(s) with the same problem)"
        super().__init__(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with its fields, so the error crosses a process pool as itself (the default pickles the
        message alone and the pool breaks rebuilding it)."""
        return (
            _rebuild_invalid,
            (type(self), self.table, self.row_id, self.column, self.expected, self.received, self.more),
        )


def _rebuild_invalid(cls: type, table: str, row_id: Any, column: str | None, expected: str, received: Any, more: int):
    return cls(table, row_id, column, expected, received, more=more)


class InfeasibleError(RccError, RuntimeError):
    """A model has no feasible solution; the message says which rules clash."""


class SolverError(RccError, RuntimeError):
    """The solver failed, is not installed, or returned no usable answer."""
