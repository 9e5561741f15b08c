"""The former private name of :mod:`rcc.core.csvfiles`, kept only so that code written
against it before the module became public keeps importing; import from :mod:`rcc.core.csvfiles`."""

from __future__ import annotations

from rcc.core.csvfiles import (
    INT64_MAX,
    Record,
    decode,
    file_label,
    parse_whole_numbers,
    read_bytes,
    read_csv_table,
    read_records,
    records_frame,
)

__all__ = [
    "INT64_MAX",
    "Record",
    "decode",
    "file_label",
    "parse_whole_numbers",
    "read_bytes",
    "read_csv_table",
    "read_records",
    "records_frame",
]
