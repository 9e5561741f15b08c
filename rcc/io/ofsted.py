"""Read Ofsted's "Providers and places" list into rcc ``homes`` and ``providers`` tables.

Ofsted publishes every provider registered under children's social care legislation, one
row per setting, with columns such as ``URN``, ``Provision type``, ``Sector``, ``Places``,
``Organisation which owns the provider`` and ``Local authority`` (Ofsted, *Children's
social care data in England*, Open Government Licence v3.0). :func:`read_ofsted_providers`
turns that list into the :data:`rcc.core.schema.TABLES` ``homes`` and ``providers`` tables:

* one home per setting: ``home_id`` is the Ofsted URN (the ``URN`` SSDA903 episodes
  record for the placement), ``council_id`` the ONS code of the ``Local authority``
  (matched by name, see :func:`normalise_council_name`);
* ``home_type``, ``needs`` and ages from the provision type (:data:`PROVISION_MAPPING`):
  children's home -> ``childrens_home`` for ``complex;disability`` aged 5-17;
  short-break-only children's home -> ``childrens_home`` for ``disability`` aged 0-17;
  secure children's home -> ``secure_home`` for ``secure`` aged 10-17; residential
  special school registered as a children's home -> ``residential_school`` for
  ``disability;complex`` aged 5-17. The same choices as the embedded data
  (:mod:`rcc.datasets.england`);
* ``weekly_cost_gbp`` from :data:`rcc.datasets.DEFAULT_WEEKLY_COST_GBP` (editable,
  order-of-magnitude defaults, not prices), by home type and sector;
* one provider per owner (``Organisation which owns the provider``), its ``group`` being
  the owner, so market concentration is by real ownership. Owner spellings that differ
  only by case, spacing or punctuation are one provider.

Nothing is dropped silently. Rows that cannot be used are listed in
``OfstedResult.rejected`` (a local authority that matches no council, missing or invalid
places, a missing or repeated URN) and rows that are valid but are not homes rcc plans
for are listed in ``OfstedResult.excluded`` (fostering and adoption agencies, boarding
schools, family centres..., and suspended registrations unless asked for). Every source
row is in exactly one of ``homes``, ``rejected`` or ``excluded``.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({
...     "URN": ["1000001", "1000002", "1000003"],
...     "Provision type": ["Children's home", "Secure children's home", "Independent Fostering Agency"],
...     "Sector": ["Private", "Local Authority", "Private"],
...     "Places": ["4", "8", ""],
...     "Organisation which owns the provider": ["Acme Care Ltd", "Bolton Council", "Acme Care Ltd"],
...     "Local authority": ["Bolton", "BOLTON", "Bury"],
... })
>>> result = read_ofsted_providers(raw)
>>> result.homes[["home_id", "council_id", "home_type", "places", "needs"]].to_dict("records")
[{'home_id': '1000001', 'council_id': 'E08000001', 'home_type': 'childrens_home', 'places': 4, 'needs': 'complex;disability'}, {'home_id': '1000002', 'council_id': 'E08000001', 'home_type': 'secure_home', 'places': 8, 'needs': 'secure'}]
>>> result.excluded[["row", "reason"]].to_dict("records")
[{'row': 2, 'reason': 'provision type not planned by rcc'}]
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import attrs
import numpy as np
import pandas as pd

from rcc.core._csv import INT64_MAX, file_label, parse_whole_numbers, read_records, records_frame
from rcc.core._problems import RowProblems
from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES, NEEDS
from rcc.core.validate import normalise

__all__ = [
    "OFSTED_COLUMNS",
    "OfstedResult",
    "PROVISION_MAPPING",
    "REJECTION_REASONS",
    "SECTOR_MAPPING",
    "normalise_council_name",
    "read_ofsted_providers",
]

#: A path to a CSV or Excel file, or a DataFrame already in memory.
Source: TypeAlias = "str | os.PathLike[str] | pd.DataFrame"

#: rcc name -> Ofsted column heading (matched ignoring case and spacing). ``None`` marks
#: optional columns; the first four are required.
OFSTED_COLUMNS: Mapping[str, str] = {
    "urn": "URN",
    "provision_type": "Provision type",
    "places": "Places",
    "local_authority": "Local authority",
    "sector": "Sector",
    "owner": "Organisation which owns the provider",
    "registration_status": "Registration status",
    "short_break_only": "Short-break-only children's home",
}
_REQUIRED = ("urn", "provision_type", "places", "local_authority")


def _mapping_rows() -> list[tuple[str, str, str, str, int, int]]:
    return [
        ("Children's home", "no", "childrens_home", "complex;disability", 5, 17),
        ("Children's home", "yes", "childrens_home", "disability", 0, 17),
        ("Secure children's home", "*", "secure_home", "secure", 10, 17),
        (
            "Residential special school (registered as a children's home)",
            "*",
            "residential_school",
            "disability;complex",
            5,
            17,
        ),
    ]


#: Which Ofsted provision types become homes, and how.
#:
#: Columns: ``provision_type`` (Ofsted's wording, matched ignoring case and punctuation),
#: ``short_break_only`` (``"yes"``, ``"no"`` or ``"*"`` for either; the exact row wins),
#: ``home_type`` (:data:`rcc.core.schema.HOME_TYPES`), ``needs`` (``;``-separated
#: :data:`rcc.core.schema.NEEDS`), ``min_age``, ``max_age``. Provision types not listed
#: (independent fostering agencies, which publish no places; adoption agencies; boarding
#: schools and residential special schools not registered as children's homes; family
#: centres; holiday schemes...) are ``excluded``. Pass ``provision_mapping=`` to
#: :func:`read_ofsted_providers` to change any of this.
PROVISION_MAPPING: pd.DataFrame = pd.DataFrame(
    _mapping_rows(), columns=["provision_type", "short_break_only", "home_type", "needs", "min_age", "max_age"]
)

#: Ofsted sector -> rcc sector (:data:`rcc.core.schema.SECTORS`); anything else is ``"unknown"``.
SECTOR_MAPPING: Mapping[str, str] = {
    "private": "private",
    "local authority": "council",
    "voluntary": "voluntary",
    "academy": "other_public",
    "health authority": "other_public",
}

_UNKNOWN_COUNCIL = "local authority matches no council"
_AMBIGUOUS_COUNCIL = "local authority matches several councils"
_BAD_PLACES = "invalid places"
_MISSING_PLACES = "missing places"
_MISSING_URN = "missing URN"
_DUP_URN = "duplicate URN"

#: Every reason a row can be rejected for (a data problem; ``strict=True`` raises on them).
REJECTION_REASONS: tuple[str, ...] = (
    _UNKNOWN_COUNCIL,
    _AMBIGUOUS_COUNCIL,
    _MISSING_PLACES,
    _BAD_PLACES,
    _MISSING_URN,
    _DUP_URN,
)
_NOT_PLANNED = "provision type not planned by rcc"
_INACTIVE = "registration not active"

_PREFIXES = (
    "the ",
    "city of ",
    "county of ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "borough of ",
    "county ",
)
_SUFFIXES = (
    " council",
    " city of",
    " county of",
    " metropolitan borough",
    " borough",
    " district",
    " county",
    " city",
)


def normalise_council_name(name: Any) -> str:
    """A council name reduced to a matching key.

    Case folded; ``&`` read as ``and``; punctuation as spaces; then the words that
    different publishers add or leave out are removed: a leading ``The``, ``City of``,
    ``County of``, ``County``, ``(Royal/London/Metropolitan) Borough of``, and a trailing
    ``Council``, ``City``, ``County``, ``Borough``, ``, City of`` or ``, County of``.

    Parameters
    ----------
    name : object
        A council name (anything else gives ``""``).

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_council_name("Bristol, City of") == normalise_council_name("Bristol City Council")
    True
    >>> normalise_council_name("Bournemouth, Christchurch & Poole")
    'bournemouth christchurch and poole'
    >>> normalise_council_name("St. Helens"), normalise_council_name("County Durham")
    ('st helens', 'durham')
    """
    if not isinstance(name, str):
        return ""
    s = name.casefold().replace("&", " and ")
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    s = re.sub(r"\s+", " ", s)
    changed = True
    while changed and s:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p) :], True
        for x in _SUFFIXES:
            if s.endswith(x) and len(s) > len(x):
                s, changed = s[: -len(x)], True
    return s.strip()


@attrs.frozen(eq=False)
class OfstedResult:
    """What :func:`read_ofsted_providers` found.

    Attributes
    ----------
    homes : pandas.DataFrame
        The :data:`rcc.core.schema.TABLES` ``homes`` table (validated), one row per setting,
        plus ``provision_type`` (Ofsted's wording), ``short_break_only``,
        ``registration_status``, ``local_authority`` (as in the source) and ``row`` (0-based
        source row).
    providers : pandas.DataFrame
        The ``providers`` table: ``provider_id``, ``name`` (the owner), ``sector`` (most
        common sector of its homes), ``group`` (the owner), plus ``homes`` and ``places``.
    rejected : pandas.DataFrame
        Rows that could not be used, one line per problem: ``row`` (0-based source row;
        file line = row + 2 for a CSV with the heading on its first line), ``urn``,
        ``column``, ``expected``, ``received``, ``reason`` (one of
        :data:`REJECTION_REASONS`).
    excluded : pandas.DataFrame
        Valid rows that are not homes rcc plans for: ``row``, ``urn``, ``provision_type``,
        ``reason``.
    council_matches : pandas.DataFrame
        How each distinct ``Local authority`` value of the planned, active rows was
        matched: ``local_authority``, ``council_id`` (missing when unmatched), ``match``
        (``"code_column"``, ``"code"``, ``"alias"``, ``"name"`` or ``"unmatched"``),
        ``rows``.
    """

    homes: pd.DataFrame
    providers: pd.DataFrame
    rejected: pd.DataFrame
    excluded: pd.DataFrame
    council_matches: pd.DataFrame

    def summary(self) -> str:
        """A few lines: homes and places by type, providers, rejections and exclusions."""
        h = self.homes
        lines = [
            f"Ofsted providers: {len(h)} homes with {int(h.places.sum())} places in "
            f"{h.council_id.nunique()} councils, {len(self.providers)} providers"
        ]
        for ht, g in h.groupby("home_type"):
            lines.append(f"  {ht}: {len(g)} homes, {int(g.places.sum())} places")
        rows = self.rejected.drop_duplicates("row")
        lines.append(f"  rejected rows: {len(rows)}")
        for reason, n in self.rejected.groupby("reason").row.nunique().items():
            lines.append(f"    {reason}: {n}")
        lines.append(f"  excluded rows: {len(self.excluded)}")
        for reason, n in self.excluded.groupby("reason").size().items():
            lines.append(f"    {reason}: {n}")
        un = self.council_matches[self.council_matches.match == "unmatched"]
        if len(un):
            lines.append("  unmatched local authorities: " + ", ".join(f"{a} ({n})" for a, n in zip(un.local_authority, un.rows)))
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _heading_key(text: Any) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold().replace("\u2019", "'"))


_HEADING_SEARCH_ROWS = 30


def _locate_heading(raw: pd.DataFrame, table: str = "ofsted") -> pd.DataFrame:
    """Ofsted's spreadsheets put title lines above the heading row: find the row with 'URN'."""
    for i in range(min(len(raw), _HEADING_SEARCH_ROWS)):
        if any(_heading_key(v) == "urn" for v in raw.iloc[i].tolist()):
            out = raw.iloc[i + 1 :].reset_index(drop=True)
            out.columns = [str(v).strip() for v in raw.iloc[i].tolist()]
            return out
    raise InvalidInputError(
        table, None, "URN", f"a heading row with a 'URN' column in the first {_HEADING_SEARCH_ROWS} rows", "none"
    )


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV file whose heading row (the one with 'URN') may follow title lines.

    Title lines may have any number of fields; every record below the heading must
    have as many fields as the heading (see :mod:`rcc.core._csv`).
    """
    records = read_records(path, "ofsted")
    label = file_label("ofsted", path)
    for i, (_, fields) in enumerate(records[:_HEADING_SEARCH_ROWS]):
        if any(_heading_key(v) == "urn" for v in fields):
            out = records_frame(records[i:], label)
            out.columns = [str(c).strip() for c in out.columns]
            return out
    expected = f"a heading row with a 'URN' column in the first {_HEADING_SEARCH_ROWS} non-blank lines"
    raise InvalidInputError(label, None, "URN", expected, "none")


def _read_source(source: Source, sheet_name: str | int | None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        if any(_heading_key(c) == "urn" for c in source.columns):
            return source.copy()
        return _locate_heading(source.astype(object))
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"ofsted: expected a path or a pandas DataFrame, got {type(source).__name__}")
    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        label = file_label("ofsted", path)
        sheets = pd.read_excel(path, sheet_name=sheet_name if sheet_name is not None else None, header=None, dtype=str)
        if isinstance(sheets, pd.DataFrame):
            return _locate_heading(sheets.fillna(""), label)
        for frame in sheets.values():
            try:
                return _locate_heading(frame.fillna(""), label)
            except InvalidInputError:
                continue
        raise InvalidInputError(label, None, "URN", f"a sheet of {path.name} with a 'URN' heading", list(sheets))
    return _read_csv(path)


def _columns(df: pd.DataFrame, code_column: str | None) -> dict[str, str]:
    """rcc name -> the source's column name."""
    keys: dict[str, str] = {}
    for c in df.columns:
        keys.setdefault(_heading_key(c), c)
    found = {}
    for name, heading in OFSTED_COLUMNS.items():
        k = _heading_key(heading)
        if k in keys:
            found[name] = keys[k]
        elif name in _REQUIRED:
            raise InvalidInputError("ofsted", None, heading, f"a column named {heading!r}", list(df.columns))
    if code_column is not None:
        k = _heading_key(code_column)
        if k not in keys:
            raise InvalidInputError("ofsted", None, code_column, "the council code column named by code_column", list(df.columns))
        found["code"] = keys[k]
    return found


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str).str.strip().str.replace(r"\s+", " ", regex=True)


def _match_councils(
    names: pd.Series, codes: pd.Series | None, councils: pd.DataFrame, aliases: Mapping[str, str] | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """council_id, match kind and problem reason for each row."""
    ids = pd.Index(councils.council_id.astype(str))
    key = councils.name.map(normalise_council_name)
    lookup: dict[str, str | None] = {}
    for k, cid in zip(key, ids):
        lookup[k] = None if (k in lookup and lookup[k] != cid) else cid  # None = ambiguous
    alias = {normalise_council_name(a): str(c) for a, c in (aliases or {}).items()}
    for a, c in alias.items():
        if c not in ids:
            raise InvalidInputError("aliases", a, "council_id", "an id of a row of table 'councils'", c)
    council = pd.Series(np.nan, index=names.index, dtype=object)
    match = pd.Series("unmatched", index=names.index, dtype=object)
    reason = pd.Series(_UNKNOWN_COUNCIL, index=names.index, dtype=object)
    if codes is not None:
        ok = codes.isin(ids)
        council[ok] = codes[ok]
        match[ok] = "code_column"
    todo = council.isna()
    uniq = names[todo].unique()
    for raw_name in uniq:
        rows = todo & (names == raw_name)
        k = normalise_council_name(raw_name)
        if raw_name in ids:
            council[rows], match[rows] = raw_name, "code"
        elif k in alias:
            council[rows], match[rows] = alias[k], "alias"
        elif k in lookup and lookup[k] is not None:
            council[rows], match[rows] = lookup[k], "name"
        elif k in lookup:
            reason[rows] = _AMBIGUOUS_COUNCIL
    reason = reason.where(council.isna())
    return council, match, reason


def _check_mapping(mapping: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str, int, int]]:
    cols = ["provision_type", "short_break_only", "home_type", "needs", "min_age", "max_age"]
    for c in cols:
        if c not in mapping.columns:
            raise InvalidInputError("provision_mapping", None, c, f"a column named {c}", list(mapping.columns))
    out: dict[tuple[str, str], tuple[str, str, int, int]] = {}
    for i, rec in enumerate(mapping[cols].itertuples(index=False)):
        ptype, sb, home_type, needs, lo, hi = rec
        if home_type not in HOME_TYPES:
            raise InvalidInputError("provision_mapping", i, "home_type", f"one of {list(HOME_TYPES)}", home_type)
        codes = [n.strip() for n in str(needs).split(";") if n.strip()]
        if not codes or any(n not in NEEDS for n in codes):
            raise InvalidInputError("provision_mapping", i, "needs", f"';'-separated codes from {list(NEEDS)}", needs)
        if str(sb) not in ("yes", "no", "*"):
            raise InvalidInputError("provision_mapping", i, "short_break_only", "'yes', 'no' or '*'", sb)
        if not (0 <= int(lo) <= int(hi) <= 17):
            raise InvalidInputError("provision_mapping", i, "min_age", "0 <= min_age <= max_age <= 17", (lo, hi))
        k = (_heading_key(ptype), str(sb))
        if k in out:
            raise InvalidInputError("provision_mapping", i, "provision_type", "one row per type and short_break_only", ptype)
        out[k] = (str(home_type), ";".join(codes), int(lo), int(hi))
    return out


def _weekly_cost(home_type: str, sector: str, costs: Mapping[str, float]) -> float:
    keys = [f"{home_type}_{sector}", home_type]
    if sector == "other_public":
        keys.append(f"{home_type}_council")
    keys.append(f"{home_type}_private")  # unknown sector: most homes are private
    for k in keys:
        if k in costs:
            return float(costs[k])
    raise InvalidInputError("weekly_cost_gbp", None, home_type, f"a cost under one of {keys}", sorted(costs))


def _owner_key(owner: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", owner.casefold().replace("&", " and ")).strip("-")


class _Problems(RowProblems):
    """Rejected rows of an Ofsted list, keyed by URN."""

    def __init__(self) -> None:
        super().__init__(("row", "urn", "column", "expected", "received", "reason"), empty_dtype="str")

    def add(self, mask: pd.Series, urn: pd.Series, column: str, expected: str, received: Any, reason: str) -> None:  # type: ignore[override]
        super().add(mask, column, expected, received, reason, urn=urn)

    def frame(self) -> pd.DataFrame:
        out = super().frame().sort_values("row", kind="stable").reset_index(drop=True)
        return out.astype({"row": "int64", "urn": "str", "column": "str", "expected": "str", "received": "str", "reason": "str"})


def read_ofsted_providers(
    path_or_frame: Source,
    *,
    councils: pd.DataFrame | None = None,
    aliases: Mapping[str, str] | None = None,
    code_column: str | None = None,
    provision_mapping: pd.DataFrame | None = None,
    weekly_cost_gbp: Mapping[str, float] | None = None,
    include_suspended: bool = False,
    sheet_name: str | int | None = None,
    strict: bool = False,
) -> OfstedResult:
    """Read an Ofsted "Providers and places" list into rcc homes and providers.

    Parameters
    ----------
    path_or_frame : str, os.PathLike or pandas.DataFrame
        A CSV or Excel file in Ofsted's layout (title lines above the heading row are
        skipped, whatever their number of fields; every line below it must have the
        heading's fields), or the same table in memory (not modified).
    councils : pandas.DataFrame, optional
        Councils to match ``Local authority`` against, with ``council_id`` and ``name``;
        default :func:`rcc.datasets.councils` (the 153 English councils, ONS codes). Names
        are compared with :func:`normalise_council_name`; a value that is already a
        ``council_id`` matches too.
    aliases : Mapping[str, str], optional
        Extra names -> ``council_id`` (compared normalised), checked before the councils'
        names; e.g. a former council that maps to one successor.
    code_column : str, optional
        A column of council codes to use before the names where it holds a known
        ``council_id`` (e.g. ``"la_ons_code_2024"`` of the shared 2023 extract, which
        splits the former Cumbria by constituency).
    provision_mapping : pandas.DataFrame, optional
        Replaces :data:`PROVISION_MAPPING`.
    weekly_cost_gbp : Mapping[str, float], optional
        Weekly cost by ``"{home_type}_{sector}"`` or ``home_type``; default
        :data:`rcc.datasets.DEFAULT_WEEKLY_COST_GBP`. Other-public homes fall back to the
        council cost, unknown sectors to the private cost.
    include_suspended : bool, default False
        Keep settings whose ``Registration status`` is not ``Active`` (suspended homes
        cannot take children, so they are ``excluded`` by default).
    sheet_name : str or int, optional
        Excel sheet; default the first sheet with a ``URN`` heading.
    strict : bool, default False
        Raise :class:`rcc.InvalidInputError` on the first rejected row instead of listing it.

    Returns
    -------
    OfstedResult
        ``homes`` and ``providers`` ready for :meth:`rcc.Region.from_frames`, plus
        ``rejected``, ``excluded`` and ``council_matches``.

    Raises
    ------
    rcc.InvalidInputError
        The file is empty, not text or malformed CSV (``table`` names the file, ``row_id`` is
        ``"line N"``); no heading row with ``URN`` in the first 30 lines; a required column is
        missing; a mapping or cost is invalid; the places of all homes add up to more than
        ``2**63 - 1``; or (``strict``) a row is rejected.

    Warns
    -----
    UserWarning
        The CSV file is not UTF-8 and is read as cp1252 or latin-1.

    Notes
    -----
    ``Places`` must be a whole number written in digits (``"4"``, ``"4.0"``, ``"1,200"``) from
    0 to ``2**63 - 1``; ``"1e1"``, ``"5.5"``, ``"-1"``, ``"True"`` and larger values are
    rejected as ``"invalid places"``. CSV files are decoded as UTF-8 (with or without a
    byte-order mark), UTF-16 with a byte-order mark, or else cp1252/latin-1.
    """
    from rcc.datasets import DEFAULT_WEEKLY_COST_GBP
    from rcc.datasets import councils as default_councils

    raw = _read_source(path_or_frame, sheet_name).reset_index(drop=True)
    raw.index.name = "row"
    cols = _columns(raw, code_column)
    text = {k: _text(raw[c]) for k, c in cols.items()}
    n = len(raw)
    empty = pd.Series("", index=raw.index, dtype=object)
    urn = text["urn"].str.replace(r"\.0$", "", regex=True)
    ptype = text["provision_type"]
    sector_raw = text.get("sector", empty)
    owner_raw = text.get("owner", empty)
    status = text.get("registration_status", pd.Series("Active", index=raw.index, dtype=object))
    sb_raw = text.get("short_break_only", empty)
    short_break = ~sb_raw.str.casefold().isin(["", "no", "n", "false", "0"])

    if councils is None:
        councils = default_councils()
    for c in ("council_id", "name"):
        if c not in councils.columns:
            raise InvalidInputError("councils", None, c, f"a column named {c}", list(councils.columns))
    mapping = _check_mapping(PROVISION_MAPPING if provision_mapping is None else provision_mapping)
    costs = DEFAULT_WEEKLY_COST_GBP if weekly_cost_gbp is None else weekly_cost_gbp

    # 1. which rows are homes rcc plans for (the rest is excluded, not rejected)
    pkey = ptype.map(_heading_key)
    sb_key = np.where(short_break, "yes", "no")
    rule = [mapping.get((k, s)) or mapping.get((k, "*")) for k, s in zip(pkey, sb_key)]
    planned = pd.Series([r is not None for r in rule], index=raw.index)
    active = status.str.casefold().isin(["active", ""]) | include_suspended
    excluded = pd.DataFrame(
        {
            "row": raw.index.to_numpy(dtype="int64"),
            "urn": urn.to_numpy(),
            "provision_type": ptype.to_numpy(),
            "reason": np.where(~planned, _NOT_PLANNED, np.where(~active, _INACTIVE + " (" + status + ")", "")),
        }
    )
    excluded = excluded[excluded.reason != ""].reset_index(drop=True)
    keep = planned & active

    # 2. row checks on the homes
    problems = _Problems()
    problems.add(keep & (urn == ""), urn, OFSTED_COLUMNS["urn"], "a URN", "blank", _MISSING_URN)
    dup = keep & (urn != "") & urn.where(keep).duplicated(keep="first")
    first_row = pd.Series(raw.index[keep], index=urn[keep]).groupby(level=0).first()
    problems.add(dup, urn, OFSTED_COLUMNS["urn"], "one row per URN", "same as row " + urn.map(first_row).astype(str), _DUP_URN)
    places_text = text["places"]
    # digits only ("4", "4.0", "1,200"): not "1e1", "5.5", "-1", "True", nor beyond 2**63 - 1
    places_num, bad_places = parse_whole_numbers(places_text, grouping=True)
    problems.add(keep & (places_text == ""), urn, OFSTED_COLUMNS["places"], "a number of places", "blank", _MISSING_PLACES)
    problems.add(
        keep & bad_places,
        urn,
        OFSTED_COLUMNS["places"],
        f"a whole number of places from 0 to {INT64_MAX} written in digits (e.g. 4 or 1,200)",
        places_text,
        _BAD_PLACES,
    )
    codes = text.get("code")
    council, match, reason = _match_councils(text["local_authority"], codes, councils, aliases)
    la = text["local_authority"]
    problems.add(
        keep & (reason == _UNKNOWN_COUNCIL),
        urn,
        OFSTED_COLUMNS["local_authority"],
        "a council name or code of the councils table (compared ignoring case, '&'/'and', punctuation, "
        "'City of', 'County', 'Council'); pass aliases= or code_column= for others",
        la,
        _UNKNOWN_COUNCIL,
    )
    problems.add(
        keep & (reason == _AMBIGUOUS_COUNCIL),
        urn,
        OFSTED_COLUMNS["local_authority"],
        "a name that matches one council",
        la,
        _AMBIGUOUS_COUNCIL,
    )
    rejected = problems.frame()
    if strict and len(rejected):
        first = rejected.iloc[0]
        raise InvalidInputError(
            "ofsted",
            int(first.row),
            str(first.column),
            f"{first.expected} ({first.reason})",
            first.received,
            more=len(rejected) - 1,
        )
    ok = keep & ~raw.index.isin(rejected.row)

    # 3. providers: one per owner (spellings that differ by case/punctuation merged)
    sector = sector_raw.str.casefold().map(lambda s: SECTOR_MAPPING.get(s, "unknown"))
    owner_key = owner_raw.map(_owner_key)
    pid = ("ofsted:" + owner_key).where(owner_key != "", "ofsted:unknown-owner-" + urn)
    owner_name = owner_raw.where(owner_raw != "", "Unknown owner (URN " + urn + ")")
    sel = ok[ok].index
    canon = (
        pd.DataFrame({"pid": pid[sel], "name": owner_name[sel]})
        .groupby(["pid", "name"])
        .size()
        .reset_index(name="n")
        .sort_values(["pid", "n", "name"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("pid")
        .set_index("pid")
        .name
    )

    total = sum(places_num[sel].tolist())
    if total > INT64_MAX:  # sums of places (by provider, in summaries) must not wrap around
        raise InvalidInputError(
            "ofsted", None, OFSTED_COLUMNS["places"], f"total places of all homes at most {INT64_MAX}", total
        )

    # 4. homes
    rules = [rule[i] for i in np.flatnonzero(ok.to_numpy())]
    home_type = [r[0] for r in rules]  # type: ignore[index]
    sec = sector[sel].to_numpy()
    homes = pd.DataFrame(
        {
            "home_id": urn[sel].to_numpy(),
            "council_id": council[sel].astype(str).to_numpy(),
            "provider_id": pid[sel].to_numpy(),
            "home_type": home_type,
            "places": np.array(places_num[sel].tolist(), dtype=np.int64),
            "needs": [r[1] for r in rules],  # type: ignore[index]
            "min_age": [r[2] for r in rules],  # type: ignore[index]
            "max_age": [r[3] for r in rules],  # type: ignore[index]
            "weekly_cost_gbp": [_weekly_cost(ht, s, costs) for ht, s in zip(home_type, sec)],
            "serves_council_id": "",
            "provision_type": ptype[sel].to_numpy(),
            "short_break_only": short_break[sel].to_numpy(dtype=bool),
            "registration_status": status[sel].to_numpy(),
            "local_authority": la[sel].to_numpy(),
            "row": np.asarray(sel, dtype="int64"),
        }
    )
    homes = normalise(homes, "homes")

    g = pd.DataFrame({"provider_id": pid[sel].to_numpy(), "sector": sec, "places": homes.places.to_numpy()})
    main_sector = (
        g.groupby(["provider_id", "sector"]).size().reset_index(name="n")
        .sort_values(["provider_id", "n", "sector"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("provider_id")
        .set_index("provider_id")
        .sector
    )
    per = g.groupby("provider_id").agg(homes=("places", "size"), places=("places", "sum"))
    providers = pd.DataFrame(
        {
            "provider_id": per.index.to_numpy(),
            "name": canon.reindex(per.index).to_numpy(),
            "sector": main_sector.reindex(per.index).to_numpy(),
            "group": canon.reindex(per.index).to_numpy(),
            "homes": per.homes.to_numpy(dtype=np.int64),
            "places": per.places.to_numpy(dtype=np.int64),
        }
    )
    providers = normalise(providers, "providers")

    matches = (
        pd.DataFrame({"local_authority": la, "council_id": council, "match": match})[keep]
        .groupby(["local_authority", "match"], dropna=False, sort=True)
        .agg(council_id=("council_id", lambda s: ";".join(sorted(set(s.dropna().astype(str)))) or np.nan), rows=("match", "size"))
        .reset_index()[["local_authority", "council_id", "match", "rows"]]
    )
    assert len(homes) + rejected.row.nunique() + len(excluded) == n
    return OfstedResult(
        homes=homes,
        providers=providers,
        rejected=rejected,
        excluded=excluded.astype({"row": "int64"}),
        council_matches=matches,
    )
