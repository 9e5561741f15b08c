"""Checking every field of every record against the standard (without ever echoing a child id)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from rcc.core._problems import RowProblems
from rcc.core.schema import AGE_BANDS, MAX_WEEKLY_COST_GBP
from rcc.io.pds._layout import (
    _BAD_CODE,
    _BAD_VALUE,
    _CHILD_ID_ELSEWHERE,
    _CONFLICT,
    _DATE_EXPECTED,
    _DATE_FORMATS,
    _FREE_TEXT,
    _MISSING,
    _OPTIONS,
    PDS_FIELDS,
    header_key,
)
from rcc.io.pds._records import Conflict, _blank

_TABLE = "records"
#: Child ids this long or longer are looked for in every other text field.
_ID_TOKEN_DIGITS = 5
_SHOWN_CHARS = 60
_MAX_SIBLINGS = 20


class Problems(RowProblems):
    """Rejected records: one line per (record, rule broken)."""

    def __init__(self) -> None:
        super().__init__(("table", "row", "column", "expected", "received", "reason"))

    def add(self, mask: pd.Series, column: str, expected: str, received: Any, reason: str) -> None:  # type: ignore[override]
        super().add(mask, column, expected, received, reason, table=_TABLE)


class Bad(Exception):
    """A value that does not parse."""


def _int(value: Any, minimum: int = 0, maximum: float = math.inf) -> int:
    if isinstance(value, bool):
        raise Bad
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\+?\d+(\.0*)?", value.strip()):
        value = int(float(value.strip())) if "." in value else int(value.strip())
    if not isinstance(value, int) or not minimum <= value <= maximum:
        raise Bad
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise Bad
    try:
        x = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise Bad from None
    if not (math.isfinite(x) and 0 <= x <= MAX_WEEKLY_COST_GBP):
        raise Bad
    return x


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = header_key(value) if isinstance(value, str) else ""
    if key in ("y", "yes", "true"):
        return True
    if key in ("n", "no", "false"):
        return False
    raise Bad


def _date(value: Any) -> pd.Timestamp:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    if isinstance(value, str):
        for fmt in _DATE_FORMATS:
            try:
                return pd.Timestamp(dt.datetime.strptime(value.strip(), fmt)).normalize()
            except ValueError:
                continue
    raise Bad


def _text(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise Bad


def _code(options: tuple[str, ...]) -> Callable[[Any], str]:
    by_key = {header_key(o): o for o in options}

    def parse(value: Any) -> str:
        if not isinstance(value, str) or header_key(value) not in by_key:
            raise Bad
        return by_key[header_key(value)]

    return parse


def _codes(options: tuple[str, ...]) -> Callable[[Any], str]:
    one = _code(options)

    def parse(value: Any) -> str:
        items = re.split(r"[;,|]", value) if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items:
            raise Bad
        return ";".join(dict.fromkeys(one(v) for v in items))

    return parse


def _parser(field: str, kind: str, multiple: bool) -> tuple[Callable[[Any], Any], str, str]:
    """(parser, expected in words, reason when a value does not parse) of a field."""
    if field in _OPTIONS or field == "ageBand":
        options = _OPTIONS.get(field, tuple(AGE_BANDS))
        words = "one of " + ", ".join(options)
        if multiple:
            return _codes(options), words + " (one or more, separated by ';' in a table)", _BAD_CODE
        return _code(options), words, _BAD_CODE
    if field == "childId":
        return _int, "a whole number (the child's id)", _BAD_VALUE
    if field == "siblingCount" or field == "siblingsPlacedTogether":
        return lambda v: _int(v, 0, _MAX_SIBLINGS), f"a whole number from 0 to {_MAX_SIBLINGS}", _BAD_VALUE
    if field == "totalWeeklyCost":
        return _number, f"a number of pounds a week from 0 to {MAX_WEEKLY_COST_GBP:,.0f}", _BAD_VALUE
    return {
        "Boolean": (_bool, "Y/N (yes/no, true/false)", _BAD_VALUE),
        "Date": (_date, _DATE_EXPECTED, _BAD_VALUE),
    }.get(kind, (_text, "text", _BAD_VALUE))


def shape(value: Any) -> str:
    """The shape of a value: letters as ``A``, digits as ``9`` (never the value)."""
    s = re.sub(r"\d", "9", re.sub(r"[^\W\d_]", "A", str(value)))
    return s if len(s) <= 20 else s[:20] + "..."


class Echo:
    """What ``received`` may show of a value: the value unless it holds one of the batch's child
    ids (any run of digits equal to an id), free text, or too long a value."""

    def __init__(self, child_ids: set[str]) -> None:
        self.ids = child_ids

    def holds_id(self, value: Any, min_digits: int = 1) -> bool:
        """Whether a run of digits of ``value`` (at least ``min_digits`` long) is a child id of the batch."""
        runs = re.findall(r"\d+", str(value))
        return any(len(r) >= min_digits and r.lstrip("0") in self.ids for r in runs)

    def __call__(self, value: Any, field: str) -> str:
        if field in _FREE_TEXT:
            return "free text (not shown)"
        if isinstance(value, Conflict):
            return "two different values"
        if isinstance(value, (list, tuple)):
            return "; ".join(self(v, field) for v in value)
        if isinstance(value, dict):
            return "an object"
        if self.holds_id(value):
            return f"a value holding a child id (not shown), shaped {shape(value)}"
        text = str(value)
        return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


def _field_kinds() -> dict[str, tuple[str, bool, str]]:
    kinds = {r.field: (r.type, bool(r.multiple), r.required) for r in PDS_FIELDS.itertuples()}
    kinds.update({"councilId": ("String", False, "never"), "dateOfBirth": ("Date", False, "never")})
    kinds["ageBand"] = ("Categorical", False, "never")
    return kinds


_KINDS = _field_kinds()


def _parse_all(values: list[Any], parse: Callable[[Any], Any]) -> tuple[list[Any], list[bool], list[bool], list[bool]]:
    """Parsed values, and which are blank, bad (do not parse) and conflicting (given twice)."""
    parsed, blank, bad, conflict = [], [], [], []
    for v in values:
        b, c = _blank(v), isinstance(v, Conflict)
        blank.append(b)
        conflict.append(c)
        try:
            if c:
                raise Bad
            parsed.append(None if b else parse(v))
            bad.append(False)
        except Bad:
            parsed.append(None)
            bad.append(not c)
    return parsed, blank, bad, conflict


def check_fields(raw: pd.DataFrame, placed: pd.Series, echo: Echo, problems: Problems) -> pd.DataFrame:
    """Every field parsed (``None`` where blank or bad); every bad or missing value reported."""
    out: dict[str, list[Any]] = {}
    none = [None] * len(raw)
    is_placed = placed.tolist()
    for field, (kind, multiple, required) in _KINDS.items():
        values = raw[field].tolist() if field in raw.columns else none
        parse, expected, reason = _parser(field, kind, multiple)
        out[field], blank, bad, conflict = _parse_all(values, parse)
        if required == "referral" and any(blank):
            problems.add(pd.Series(blank, index=raw.index), field, "a value", "blank", _MISSING)
        missing = [b and p for b, p in zip(blank, is_placed)]
        if required == "placement" and any(missing):
            problems.add(pd.Series(missing, index=raw.index), field,
                         "a value (the record describes an agreed placement)", "blank", _MISSING)
        if any(conflict):
            problems.add(pd.Series(conflict, index=raw.index), field, "one value per field", "two different values",
                         _CONFLICT)
        if any(bad):
            if field == "childId":
                received = [f"a value that is not a whole number, shaped {shape(v)}" for v in values]
            else:
                received = [echo(v, field) for v in values]
            problems.add(pd.Series(bad, index=raw.index), field, expected, pd.Series(received, index=raw.index),
                         reason)
    frame = pd.DataFrame(out, index=raw.index, dtype=object)
    _ids_elsewhere(raw, echo, problems, frame)
    return frame


def _ids_elsewhere(raw: pd.DataFrame, echo: Echo, problems: Problems, out: pd.DataFrame) -> None:
    """A child id in a text or code field (a shifted cell, an id typed into free text): the record is
    rejected and the cell cleared, so nothing the reader returns can carry it."""
    for field in raw.columns:
        kind = _KINDS.get(field, ("", False, ""))[0]
        if field == "childId" or kind not in ("String", "Categorical"):
            continue
        flags = [not _blank(v) and echo.holds_id(v, _ID_TOKEN_DIGITS) for v in raw[field].tolist()]
        if any(flags):
            leaked = pd.Series(flags, index=raw.index)
            problems.add(leaked, field, "a value that is not a child id", "a child id (not shown)", _CHILD_ID_ELSEWHERE)
            out.loc[leaked, field] = None
