"""Reading delimited text files the same way in every reader.

One place decides how a CSV file is decoded and split into records, so that the
SSDA903, Ofsted, postcode and region readers all give an
:class:`~rcc.core.errors.InvalidInputError` naming the file (and the line where it is
known) instead of a raw Unicode or pandas parser error:

* encoding: UTF-8 with or without a byte-order mark, UTF-16 or UTF-32 with a
  byte-order mark; a file that is not UTF-8 is read as cp1252 (or latin-1 when it
  holds bytes cp1252 leaves undefined) with a :class:`UserWarning` that says so;
  NUL bytes (binary data, UTF-16 without a byte-order mark) are an error;
* an empty file (nothing but white space) is an error;
* records are split with :mod:`csv` in strict mode: an unclosed quote, text
  after a closing quote, a record with fewer fields than the header or with a
  non-blank field beyond it are errors naming the line. Blank lines are
  skipped; blank trailing fields and blank trailing header cells are allowed.

Error messages describe the file's structure (line numbers, field counts), never
its values, because the files may hold child-level data.

The functions are public so that a reader of another format (and the tests) can
use the same rules: :func:`read_csv_table` for a table with a header row,
:func:`read_records` and :func:`records_frame` when title lines come first,
:func:`read_bytes` and :func:`decode` for other text files, and
:func:`parse_whole_numbers` for integer columns that must fit :data:`INT64_MAX`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import warnings
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from rcc.core.errors import InvalidInputError

__all__ = [
    "INT64_MAX",
    "Record",
    "Source",
    "decode",
    "file_label",
    "parse_whole_numbers",
    "read_bytes",
    "read_csv_table",
    "read_records",
    "records_frame",
]

#: Largest value of a 64-bit signed integer: integer columns read from files must fit it.
INT64_MAX = 2**63 - 1

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ENCODINGS = "UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or cp1252/latin-1"

#: What the readers take: a path to a file, or the same table already in memory.
Source: TypeAlias = "str | os.PathLike[str] | pd.DataFrame"

#: A record of a CSV file: the line it starts on and its fields.
Record = tuple[int, list[str]]


def file_label(table: str, path: str | os.PathLike[str]) -> str:
    """The ``table`` of an error about a file: the table's name and the file's name."""
    return f"{table} ({Path(path).name})"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_bytes(path: str | os.PathLike[str], label: str) -> bytes:
    """A file's bytes, gunzipped when it is gzip-compressed (``.gz`` files, as pandas reads them)."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InvalidInputError(label, None, None, "a complete gzip-compressed file", f"a damaged one ({exc})") from None
    return data


def decode(data: bytes, label: str) -> str:
    """Decode the bytes of a text file (see the module notes); warn when falling back from UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InvalidInputError(
                    label,
                    f"line {_line_of(data, exc.start)}",
                    None,
                    f"text in {encoding} throughout (the file starts with its byte-order mark)",
                    f"bytes that are not {encoding} at byte {exc.start}",
                ) from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if b"\x00" in data:
                raise InvalidInputError(
                    label,
                    None,
                    None,
                    f"a text file in {_ENCODINGS}",
                    "NUL bytes (binary data or UTF-16 without a byte-order mark)",
                ) from None
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
            warnings.warn(
                f"{label}: not valid UTF-8 (first at line {_line_of(data, exc.start)}); read as {encoding}. "
                "Save the file as UTF-8 to silence this warning.",
                UserWarning,
                stacklevel=4,
            )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InvalidInputError(
            label,
            f"line {line}",
            None,
            f"a text file in {_ENCODINGS}",
            "NUL characters (binary data or a mis-detected encoding)",
        )
    return text


def _csv_problem(message: str) -> tuple[str, str]:
    """(expected, received) for a :mod:`csv` error message (which never quotes the data)."""
    if "unexpected end of data" in message:
        return (
            'a closing quote (") for the quoted field that starts on this line',
            "the end of the file inside a quoted field",
        )
    if "expected after" in message:
        return 'a comma or the end of the line after a closing quote (")', "other text after a closing quote"
    if "field larger than field limit" in message:
        return f"fields of at most {csv.field_size_limit()} characters (is a quote left open?)", "a longer field"
    return "a well-formed CSV record", f"a CSV error: {message}"


def read_records(path: str | os.PathLike[str], table: str) -> list[Record]:
    """The non-blank records of a CSV file, each with the line it starts on.

    Parameters
    ----------
    path : str or os.PathLike
        The file (gzip-compressed when its bytes say so).
    table : str
        The table's name in errors (with the file's name, see :func:`file_label`).

    Returns
    -------
    list of Record
        ``(line, fields)`` of each non-blank record, the header first.

    Raises
    ------
    InvalidInputError
        The file is empty, is not text in a known encoding, or is not well-formed CSV
        (``row_id`` is ``"line N"``).
    """
    label = file_label(table, path)
    text = decode(read_bytes(path, label), label)
    if not text.strip():
        raise InvalidInputError(label, None, None, "a CSV file with a header row", "an empty file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[Record] = []
    line = 0
    while True:
        start = line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            expected, received = _csv_problem(str(exc))
            raise InvalidInputError(label, f"line {start}", None, expected, received) from None
        line = reader.line_num
        if all(not f.strip() for f in fields) and len(fields) <= 1:
            continue  # a blank line
        records.append((start, fields))
    return records


def records_frame(records: list[Record], label: str) -> pd.DataFrame:
    """A frame of strings from records whose first is the header, indexed by line number.

    Blank trailing header cells are dropped; other blank header cells are named
    ``"Unnamed: i"`` (0-based position) as pandas does. Every other record must have
    as many fields as the header, give or take blank trailing fields.
    """
    head_line, head = records[0]
    width = len(head)
    while width > 0 and not head[width - 1].strip():
        width -= 1
    if width == 0:
        raise InvalidInputError(
            label, f"line {head_line}", None, "a header row naming the columns", "a blank header row"
        )
    columns = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(head[:width])]
    rows = []
    for line, fields in records[1:]:
        n = len(fields)
        if n > width and any(f.strip() for f in fields[width:]):
            last = max(i for i, f in enumerate(fields) if f.strip()) + 1
            raise InvalidInputError(
                label,
                f"line {line}",
                None,
                f"at most {width} fields, as in the header on line {head_line} (is a comma unquoted?)",
                f"{n} fields, the last non-blank one being field {last}",
            )
        if n < width:
            raise InvalidInputError(
                label,
                f"line {line}",
                None,
                f"{width} fields, as in the header on line {head_line}",
                f"{n} field(s)",
            )
        rows.append(fields[:width])
    lines = pd.Index([line for line, _ in records[1:]], dtype="int64", name="line")
    return pd.DataFrame(rows if rows else None, columns=columns, index=lines, dtype=object)


def read_csv_table(path: str | os.PathLike[str], table: str) -> pd.DataFrame:
    """A CSV file with its header on the first non-blank line: a frame of strings indexed by
    the line each record starts on (``line``)."""
    return records_frame(read_records(path, table), file_label(table, path))


_WHOLE = re.compile(r"\+?0*(\d+)(?:\.0*)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def parse_whole_numbers(text: pd.Series, *, grouping: bool = False, minimum: int = 0) -> tuple[pd.Series, pd.Series]:
    """Whole numbers written in digits, as Python ints; and which non-blank values are not.

    Accepted: digits with an optional leading ``+`` and an optional ``.0`` (``"12"``,
    ``"12.0"``), and with ``grouping`` thousands separators (``"1,200"``). Rejected:
    other notations (``"1e1"``, ``"5.5"``, ``"0x10"``), booleans (``"True"``), and values
    outside ``[minimum, 2**63 - 1]`` (they do not fit a 64-bit integer). Blank values are
    neither parsed nor bad.

    Parameters
    ----------
    text : pandas.Series
        Values as read from a file (strings; missing values count as blank).
    grouping : bool, default False
        Accept thousands separators.
    minimum : int, default 0
        Smallest value accepted; negative values are only accepted when it is negative
        (written with a leading ``-``).

    Returns
    -------
    (pandas.Series, pandas.Series)
        Object series of ints (``None`` where blank or bad), and a boolean series true
        where a non-blank value is bad.
    """
    values: list[int | None] = []
    bad: list[bool] = []
    for raw in text.tolist():
        s = raw.strip() if isinstance(raw, str) else ""
        if s == "":
            values.append(None)
            bad.append(False)
            continue
        negative = minimum < 0 and s.startswith("-")
        body = s[1:] if negative else s
        if grouping and _GROUPED.fullmatch(body):
            body = body.replace(",", "")
        m = _WHOLE.fullmatch(body)
        number = None
        if m is not None:
            number = -int(m.group(1)) if negative else int(m.group(1))
            if not (max(minimum, -INT64_MAX - 1) <= number <= INT64_MAX):
                number = None
        values.append(number)
        bad.append(number is None)
    return pd.Series(values, index=text.index, dtype=object), pd.Series(bad, index=text.index, dtype=bool)
