"""Ofsted rows -> rcc homes and providers: which rows are planned, row checks, providers by owner."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core._problems import RowProblems
from rcc.core.csvfiles import INT64_MAX, Source, parse_whole_numbers
from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES, NEEDS
from rcc.core.validate import normalise, require_columns
from rcc.io.ofsted._councils import _match_councils
from rcc.io.ofsted._layout import (
    _AMBIGUOUS_COUNCIL,
    _BAD_PLACES,
    _DUP_URN,
    _INACTIVE,
    _MISSING_PLACES,
    _MISSING_URN,
    _NOT_PLANNED,
    _UNKNOWN_COUNCIL,
    OFSTED_COLUMNS,
    PROVISION_MAPPING,
    SECTOR_MAPPING,
)
from rcc.io.ofsted._read import _columns, _heading_key, _read_source, _text
from rcc.io.ofsted._result import OfstedResult

#: A provision type's mapping: (home_type, needs, min_age, max_age).
_Rule = tuple[str, str, int, int]


def _check_mapping(mapping: pd.DataFrame) -> dict[tuple[str, str], _Rule]:
    cols = ["provision_type", "short_break_only", "home_type", "needs", "min_age", "max_age"]
    require_columns(mapping, "provision_mapping", cols)
    out: dict[tuple[str, str], _Rule] = {}
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
            raise InvalidInputError(
                "provision_mapping", i, "provision_type", "one row per type and short_break_only", ptype
            )
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
        return out.astype(
            {"row": "int64", "urn": "str", "column": "str", "expected": "str", "received": "str", "reason": "str"}
        )


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
    rows = _source_rows(raw, _columns(raw, code_column))
    councils = _check_councils(default_councils() if councils is None else councils)
    mapping = _check_mapping(PROVISION_MAPPING if provision_mapping is None else provision_mapping)
    costs = DEFAULT_WEEKLY_COST_GBP if weekly_cost_gbp is None else weekly_cost_gbp
    rule, keep, excluded = _planned(rows, mapping, include_suspended)
    places, bad_places = parse_whole_numbers(rows.places, grouping=True)
    council, match, reason = _match_councils(rows.local_authority, rows.code, councils, aliases)
    rejected = _rejected(rows, keep, bad_places, reason)
    if strict and len(rejected):
        _raise_first(rejected)
    ok = keep & ~rows.index.isin(rejected.row)
    owners = _owners(rows, ok)
    homes = _homes_frame(rows, ok, rule, council, places, owners, costs)
    assert len(homes) + rejected.row.nunique() + len(excluded) == len(rows.index)
    return OfstedResult(
        homes=homes,
        providers=_providers_frame(owners, homes),
        rejected=rejected,
        excluded=excluded.astype({"row": "int64"}),
        council_matches=_council_matches(rows, council, match, keep),
    )


@attrs.frozen(eq=False)
class _Rows:
    """The source's columns as stripped text (one entry per source row, index ``row``); the
    optional columns filled in when absent (blank, status ``Active``)."""

    index: pd.Index
    urn: pd.Series
    provision_type: pd.Series
    places: pd.Series
    local_authority: pd.Series
    sector: pd.Series
    owner: pd.Series
    status: pd.Series
    short_break: pd.Series
    code: pd.Series | None


def _source_rows(raw: pd.DataFrame, cols: dict[str, str]) -> _Rows:
    text = {k: _text(raw[c]) for k, c in cols.items()}
    empty = pd.Series("", index=raw.index, dtype=object)
    short_break = text.get("short_break_only", empty)
    return _Rows(
        index=raw.index,
        urn=text["urn"].str.replace(r"\.0$", "", regex=True),
        provision_type=text["provision_type"],
        places=text["places"],
        local_authority=text["local_authority"],
        sector=text.get("sector", empty),
        owner=text.get("owner", empty),
        status=text.get("registration_status", pd.Series("Active", index=raw.index, dtype=object)),
        short_break=~short_break.str.casefold().isin(["", "no", "n", "false", "0"]),
        code=text.get("code"),
    )


def _check_councils(councils: pd.DataFrame) -> pd.DataFrame:
    require_columns(councils, "councils", ("council_id", "name"))
    return councils


def _planned(
    rows: _Rows, mapping: dict[tuple[str, str], _Rule], include_suspended: bool
) -> tuple[list[_Rule | None], pd.Series, pd.DataFrame]:
    """Each row's mapping rule (None: not planned), the rows kept (planned and active) and the
    ``excluded`` table of the others (excluded, not rejected)."""
    pkey = rows.provision_type.map(_heading_key)
    sb_key = np.where(rows.short_break, "yes", "no")
    rule = [mapping.get((k, s)) or mapping.get((k, "*")) for k, s in zip(pkey, sb_key)]
    planned = pd.Series([r is not None for r in rule], index=rows.index)
    active = rows.status.str.casefold().isin(["active", ""]) | include_suspended
    excluded = pd.DataFrame(
        {
            "row": rows.index.to_numpy(dtype="int64"),
            "urn": rows.urn.to_numpy(),
            "provision_type": rows.provision_type.to_numpy(),
            "reason": np.where(~planned, _NOT_PLANNED, np.where(~active, _INACTIVE + " (" + rows.status + ")", "")),
        }
    )
    excluded = excluded[excluded.reason != ""].reset_index(drop=True)
    return rule, planned & active, excluded


def _rejected(rows: _Rows, keep: pd.Series, bad_places: pd.Series, reason: pd.Series) -> pd.DataFrame:
    """Row checks on the kept rows: URN present and unique, places a whole number, council matched."""
    urn, places, la = rows.urn, rows.places, rows.local_authority
    problems = _Problems()
    problems.add(keep & (urn == ""), urn, OFSTED_COLUMNS["urn"], "a URN", "blank", _MISSING_URN)
    dup = keep & (urn != "") & urn.where(keep).duplicated(keep="first")
    first_row = pd.Series(rows.index[keep], index=urn[keep]).groupby(level=0).first()
    received = "same as row " + urn.map(first_row).astype(str)
    problems.add(dup, urn, OFSTED_COLUMNS["urn"], "one row per URN", received, _DUP_URN)
    # digits only ("4", "4.0", "1,200"): not "1e1", "5.5", "-1", "True", nor beyond 2**63 - 1
    problems.add(keep & (places == ""), urn, OFSTED_COLUMNS["places"], "a number of places", "blank", _MISSING_PLACES)
    expected = f"a whole number of places from 0 to {INT64_MAX} written in digits (e.g. 4 or 1,200)"
    problems.add(keep & bad_places, urn, OFSTED_COLUMNS["places"], expected, places, _BAD_PLACES)
    expected = (
        "a council name or code of the councils table (compared ignoring case, '&'/'and', punctuation, "
        "'City of', 'County', 'Council'); pass aliases= or code_column= for others"
    )
    column = OFSTED_COLUMNS["local_authority"]
    problems.add(keep & (reason == _UNKNOWN_COUNCIL), urn, column, expected, la, _UNKNOWN_COUNCIL)
    expected = "a name that matches one council"
    problems.add(keep & (reason == _AMBIGUOUS_COUNCIL), urn, column, expected, la, _AMBIGUOUS_COUNCIL)
    return problems.frame()


def _raise_first(rejected: pd.DataFrame) -> None:
    first = rejected.iloc[0]
    raise InvalidInputError(
        "ofsted",
        int(first.row),
        str(first.column),
        f"{first.expected} ({first.reason})",
        first.received,
        more=len(rejected) - 1,
    )


@attrs.frozen(eq=False)
class _Owners:
    """Providers, one per owner (spellings that differ by case or punctuation merged): each source
    row's ``provider_id`` and rcc sector, the rows that become homes (``rows``) and each
    provider's name (its owners' most common spelling)."""

    provider_id: pd.Series
    sector: pd.Series
    rows: pd.Index
    name: pd.Series


def _owners(rows: _Rows, ok: pd.Series) -> _Owners:
    sector = rows.sector.str.casefold().map(lambda s: SECTOR_MAPPING.get(s, "unknown"))
    owner_key = rows.owner.map(_owner_key)
    pid = ("ofsted:" + owner_key).where(owner_key != "", "ofsted:unknown-owner-" + rows.urn)
    owner_name = rows.owner.where(rows.owner != "", "Unknown owner (URN " + rows.urn + ")")
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
    return _Owners(provider_id=pid, sector=sector, rows=sel, name=canon)


def _homes_frame(
    rows: _Rows,
    ok: pd.Series,
    rule: list[_Rule | None],
    council: pd.Series,
    places: pd.Series,
    owners: _Owners,
    costs: Mapping[str, float],
) -> pd.DataFrame:
    """The ``homes`` table of the rows that passed (``ok``), in source order."""
    sel = owners.rows
    total = sum(places[sel].tolist())
    if total > INT64_MAX:  # sums of places (by provider, in summaries) must not wrap around
        raise InvalidInputError(
            "ofsted", None, OFSTED_COLUMNS["places"], f"total places of all homes at most {INT64_MAX}", total
        )
    rules = [rule[i] for i in np.flatnonzero(ok.to_numpy())]
    home_type = [r[0] for r in rules]  # type: ignore[index]
    sec = owners.sector[sel].to_numpy()
    homes = pd.DataFrame(
        {
            "home_id": rows.urn[sel].to_numpy(),
            "council_id": council[sel].astype(str).to_numpy(),
            "provider_id": owners.provider_id[sel].to_numpy(),
            "home_type": home_type,
            "places": np.array(places[sel].tolist(), dtype=np.int64),
            "needs": [r[1] for r in rules],  # type: ignore[index]
            "min_age": [r[2] for r in rules],  # type: ignore[index]
            "max_age": [r[3] for r in rules],  # type: ignore[index]
            "weekly_cost_gbp": [_weekly_cost(ht, s, costs) for ht, s in zip(home_type, sec)],
            "serves_council_id": "",
            "provision_type": rows.provision_type[sel].to_numpy(),
            "short_break_only": rows.short_break[sel].to_numpy(dtype=bool),
            "registration_status": rows.status[sel].to_numpy(),
            "local_authority": rows.local_authority[sel].to_numpy(),
            "row": np.asarray(sel, dtype="int64"),
        }
    )
    return normalise(homes, "homes")


def _providers_frame(owners: _Owners, homes: pd.DataFrame) -> pd.DataFrame:
    """The ``providers`` table: homes and places per provider, its most common sector."""
    sel = owners.rows
    g = pd.DataFrame(
        {
            "provider_id": owners.provider_id[sel].to_numpy(),
            "sector": owners.sector[sel].to_numpy(),
            "places": homes.places.to_numpy(),
        }
    )
    main_sector = (
        g.groupby(["provider_id", "sector"])
        .size()
        .reset_index(name="n")
        .sort_values(["provider_id", "n", "sector"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("provider_id")
        .set_index("provider_id")
        .sector
    )
    per = g.groupby("provider_id").agg(homes=("places", "size"), places=("places", "sum"))
    providers = pd.DataFrame(
        {
            "provider_id": per.index.to_numpy(),
            "name": owners.name.reindex(per.index).to_numpy(),
            "sector": main_sector.reindex(per.index).to_numpy(),
            "group": owners.name.reindex(per.index).to_numpy(),
            "homes": per.homes.to_numpy(dtype=np.int64),
            "places": per.places.to_numpy(dtype=np.int64),
        }
    )
    return normalise(providers, "providers")


def _council_matches(rows: _Rows, council: pd.Series, match: pd.Series, keep: pd.Series) -> pd.DataFrame:
    """How each kept row's ``Local authority`` was matched, counted by name and kind of match."""
    la = rows.local_authority
    return (
        pd.DataFrame({"local_authority": la, "council_id": council, "match": match})[keep]
        .groupby(["local_authority", "match"], dropna=False, sort=True)
        .agg(
            council_id=("council_id", lambda s: ";".join(sorted(set(s.dropna().astype(str)))) or np.nan),
            rows=("match", "size"),
        )
        .reset_index()[["local_authority", "council_id", "match", "rows"]]
    )
