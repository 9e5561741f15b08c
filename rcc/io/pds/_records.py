"""Reading Placements Data Standard records (JSON files, a folder, records in memory, or the
tabular form) into one frame of raw values, one row per record, one column per field."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from rcc.core.csvfiles import decode, file_label, read_bytes, read_csv_table
from rcc.core.errors import InvalidInputError
from rcc.io.pds._layout import _ENTITIES, _HEADERS, header_key

_TABLE = "records"


class Conflict:
    """A field given twice in one record with different values (reported, never guessed)."""

    def __repr__(self) -> str:
        return "<field given twice>"


CONFLICT = Conflict()


@attrs.frozen(eq=False)
class RawRecords:
    """Every record as raw values (``object`` columns named by field), the source of each row
    (an index into ``sources``) and the field names that are not in the standard."""

    frame: pd.DataFrame
    source: pd.Series
    sources: tuple[str, ...]
    unknown: tuple[str, ...]


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return isinstance(value, (list, tuple)) and len(value) == 0


def _flatten(record: Mapping[str, Any], unknown: set[str]) -> dict[str, Any]:
    """One record as field -> value: the standard's entities (``{"Risks": {...}}``) are opened."""
    out: dict[str, Any] = {}

    def put(key: Any, value: Any) -> None:
        field = _HEADERS.get(header_key(key))
        if field is None:
            unknown.add(str(key))
            return
        if _blank(value):
            out.setdefault(field, None)
        elif out.get(field) is None:
            out[field] = value
        elif out[field] != value:
            out[field] = CONFLICT

    for key, value in record.items():
        if str(key) in _ENTITIES and isinstance(value, Mapping):
            for k, v in value.items():
                put(k, v)
        else:
            put(key, value)
    return out


def _json_records(data: Any, label: str) -> list[Mapping[str, Any]]:
    """The records of a parsed JSON document: a list of records, ``{"records": [...]}`` or one record."""
    if isinstance(data, Mapping) and isinstance(data.get("records"), list):
        data = data["records"]
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise InvalidInputError(label, None, None, "a JSON object (one record) or a list of records", type(data).__name__)
    for i, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise InvalidInputError(label, f"record {i}", None, "a JSON object per record", type(item).__name__)
    return data


def _read_json(path: Path) -> list[Mapping[str, Any]]:
    label = file_label(_TABLE, path)
    text = decode(read_bytes(path, label), label)
    if not text.strip():
        raise InvalidInputError(label, None, None, "a JSON document", "an empty file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # the message names the position, never the data
        raise InvalidInputError(label, f"line {exc.lineno}", None, "well-formed JSON", f"a JSON error: {exc.msg}") from None
    return _json_records(data, label)


def _table_records(df: pd.DataFrame, label: str, unknown: set[str]) -> list[dict[str, Any]]:
    """The rows of the tabular form as records; headers are JSON names or the prose field names."""
    fields = [_HEADERS.get(header_key(c)) for c in df.columns]
    if not any(fields):
        raise InvalidInputError(
            label, None, None, "a header row naming the standard's fields (childId or 'Child ID', ...)",
            f"no known field name among {len(df.columns)} columns (not shown: they may be data)",
        )
    seen = [f for f in fields if f]
    if len(seen) != len(set(seen)):
        twice = next(f for f in seen if seen.count(f) > 1)
        raise InvalidInputError(label, None, twice, "one column per field", "two columns naming the same field")
    unknown.update(str(c) for c, f in zip(df.columns, fields) if f is None)
    cols = {f: df.iloc[:, i].tolist() for i, f in enumerate(fields) if f}
    return [{f: v[i] for f, v in cols.items()} for i in range(len(df))]


def _paths(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".csv"))
        if not found:
            raise InvalidInputError(_TABLE, None, None, "a folder with .json or .csv files", "none")
        return found
    return [path]


def read_records(source: Any) -> RawRecords:
    """Read every record of ``source`` (see :func:`rcc.io.pds.read_pds`)."""
    unknown: set[str] = set()
    rows: list[dict[str, Any]] = []
    origin: list[int] = []
    names: list[str] = []

    def add(records: Sequence[Mapping[str, Any]], name: str, flat: bool = False) -> None:
        names.append(name)
        for r in records:
            rows.append(dict(r) if flat else _flatten(r, unknown))
            origin.append(len(names) - 1)

    if isinstance(source, pd.DataFrame):
        add(_table_records(source, _TABLE, unknown), "DataFrame", flat=True)
    elif isinstance(source, Mapping):
        add(_json_records(source, _TABLE), "records")
    elif isinstance(source, (str, os.PathLike)):
        for path in _paths(Path(source)):
            if path.suffix.lower() == ".json":
                add(_read_json(path), path.name)
            else:
                add(_table_records(read_csv_table(path, _TABLE), file_label(_TABLE, path), unknown), path.name, True)
    elif isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        add(_json_records(list(source), _TABLE), "records")
    else:
        raise TypeError(f"read_pds: expected a path, a folder, a DataFrame or records, got {type(source).__name__}")
    frame = pd.DataFrame.from_records(rows, columns=sorted({f for r in rows for f in r})).astype(object)
    frame = frame.where(frame.notna(), None) if len(frame.columns) else frame
    frame.index = pd.RangeIndex(len(frame), name="row")
    return RawRecords(frame, pd.Series(origin, index=frame.index, dtype="int64"), tuple(names), tuple(sorted(unknown)))
