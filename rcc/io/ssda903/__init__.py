"""Read SSDA903 (children looked after) returns into rcc demand tables.

SSDA903 is the Department for Education's children-looked-after return: one CSV
per table, with the DfE column names. This module reads the *header* table
(one row per child), the *episodes* table (one row per episode of care) and,
optionally, the *UASC* table, checks every row, and derives the children in
care on a reference date and the demand cohorts (council x need x age band)
that :mod:`rcc` plans for.

Nothing is dropped silently: every row that is not used is listed in
``Ssda903Result.rejected`` with the table, the 0-based row of the source, the
column, what was expected, what was received and a reason taken from
:data:`REJECTION_REASONS`. Children who are in care on the reference date but
are not part of the demand the plan meets (placed for adoption, short breaks,
health or "other" placements) are kept in ``placements`` with an ``excluded``
reason and counted in ``Ssda903Result.excluded``.

Child ids never leave this module. The result carries a pseudonym,
``child_id`` = the first 12 hex digits of
``sha256(salt + "|" + council_id + "|" + CHILD)``; the national pupil number
(UPN) is dropped. The readers :func:`read_header` and :func:`read_episodes`
return the file's own ``CHILD`` values, because they are readers. Errors, warnings and
``rejected.received`` never show a child id: a file without its header row is reported by
its line and field count, unknown column names are counted rather than listed, and a bad
value in a column that could hold an id (columns swapped or shifted) is shown only when it
looks like a date or code and is no child's id of the table, otherwise by its shape
(``"a value that is not a date, shaped AAAA999"``).

CSV files are read by :mod:`rcc.core.csvfiles`: UTF-8 (with or without a byte-order mark), UTF-16
with a byte-order mark, or cp1252/latin-1 with a warning; an empty file, an unclosed quote,
a record with more or fewer fields than the header are errors naming the file and line.

Examples
--------
>>> import pandas as pd
>>> header = pd.DataFrame({"CHILD": ["A1"], "SEX": ["1"], "DOB": ["01/06/2010"]})
>>> episodes = pd.DataFrame(
...     {"CHILD": ["A1"], "DECOM": ["2017-05-01"], "LS": ["C2"], "PLACE": ["U4"],
...      "PLACE_PROVIDER": ["PR4"], "DEC": [""]}
... )
>>> result = load_ssda903(header, episodes, reference_date="2018-03-31", council_id="E08000003")
>>> result.cohorts[["council_id", "need", "age_band", "children"]].to_dict("records")
[{'council_id': 'E08000003', 'need': 'mainstream', 'age_band': '5-10', 'children': 1}]
>>> result.placements.loc[0, "home_type"]
'ifa_fostering'
"""

from __future__ import annotations

from rcc.io.ssda903._layout import (
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    PLACE_CODES,
    PLACE_MAPPING,
    PLACE_PROVIDER_CODES,
    REJECTION_REASONS,
    SHORT_BREAK_LEGAL_STATUSES,
    UASC_COLUMNS,
)
from rcc.io.ssda903._load import load_ssda903
from rcc.io.ssda903._postcodes import normalise_postcodes
from rcc.io.ssda903._pseudonyms import pseudonymise
from rcc.io.ssda903._readers import read_episodes, read_header, read_uasc
from rcc.io.ssda903._result import Ssda903Result

__all__ = [
    "EPISODE_COLUMNS",
    "HEADER_COLUMNS",
    "PLACE_CODES",
    "PLACE_MAPPING",
    "PLACE_PROVIDER_CODES",
    "REJECTION_REASONS",
    "SHORT_BREAK_LEGAL_STATUSES",
    "Ssda903Result",
    "UASC_COLUMNS",
    "load_ssda903",
    "normalise_postcodes",
    "pseudonymise",
    "read_episodes",
    "read_header",
    "read_uasc",
]
