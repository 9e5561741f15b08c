"""Loading a whole SSDA903 return: the steps from raw tables to placements and cohorts."""

from __future__ import annotations

import secrets
from typing import Any

import attrs
import pandas as pd

from rcc.core.csvfiles import Source
from rcc.core.errors import InvalidInputError
from rcc.io.ssda903._checks import _as_date, _check_rows, _fmt_dates, _Problems, _raise_first, _read_raw
from rcc.io.ssda903._layout import (
    _BEFORE_BIRTH,
    _BORN_AFTER,
    _COLUMNS,
    _CONFLICT,
    _DUP_EPISODE,
    _DUP_HEADER,
    _DUP_UASC,
    _HEADER_REJECTED,
    _MISSING,
    _ORPHAN,
    _SUPERSEDED,
)
from rcc.io.ssda903._placements import _check_mapping, _cohorts, _placements
from rcc.io.ssda903._postcodes import _check_coords, _distances
from rcc.io.ssda903._pseudonyms import _public, _with_children, pseudonymise
from rcc.io.ssda903._result import Ssda903Result

#: A child is known by council and CHILD (child ids are unique within a council only).
_KEY = ["_council", "CHILD"]


def _councils(raw: pd.DataFrame, table: str, council_id: str | None) -> pd.Series:
    if "LA" in raw.columns:
        la = raw["LA"]
        return la.fillna(council_id) if council_id is not None else la
    if council_id is None:
        raise InvalidInputError(table, None, "LA", "an LA column, or the council_id argument", "neither")
    return pd.Series(council_id, index=raw.index, dtype="str")


def _dedupe(
    df: pd.DataFrame, key: list[str], table: str, column: str, duplicate: str, problems: _Problems
) -> pd.DataFrame:
    """Keep one row per key: the latest YEAR, then the first row; report the others."""
    if df.empty:
        return df
    year = df["YEAR"] if "YEAR" in df.columns else pd.Series(pd.NA, index=df.index, dtype="Int64")
    order = df.assign(_year=year, _row=df.index).sort_values(
        ["_year", "_row"], ascending=[False, True], na_position="last", kind="stable"
    )
    kept_first = ~order.duplicated(key, keep="first")
    kept = order.loc[kept_first, key + ["_row", "_year"]].rename(columns={"_row": "_kept_row", "_year": "_kept_year"})
    others = order.loc[~kept_first].reset_index(drop=True).merge(kept, on=key, how="left")
    others.index = pd.Index(others["_row"].to_numpy(), name="row")
    same_year = (others["_year"] == others["_kept_year"]).fillna(False) | (
        others["_year"].isna() & others["_kept_year"].isna()
    )
    received = "same as row " + others["_kept_row"].astype("str")
    expected = f"one row per {' and '.join(k for k in key if not k.startswith('_'))}"
    problems.add(table, same_year, column, expected, received, duplicate)
    problems.add(table, ~same_year, "YEAR", expected + " (the latest YEAR is used)", received, _SUPERSEDED)
    return df.loc[order.index[kept_first]].sort_index()


def load_ssda903(
    header: Source,
    episodes: Source,
    *,
    reference_date: Any,
    council_id: str | None = None,
    uasc: Source | None = None,
    postcode_coords: Source | None = None,
    place_mapping: pd.DataFrame | None = None,
    salt: str | None = None,
    strict: bool = False,
) -> Ssda903Result:
    """Load an SSDA903 return: clean tables, rejected rows, placements and demand cohorts.

    Steps: read and check every row of each table (see :func:`read_header`,
    :func:`read_episodes`); keep one header row per child (``conflicting`` DOBs reject all of
    the child's rows; copies of a child in several ``YEAR`` returns keep the latest);
    reject header rows born after ``reference_date``; reject episodes of children without a
    header row, duplicate episode starts (same child and ``DECOM``; across ``YEAR`` returns
    the latest is kept) and episodes starting before birth; take the episode in progress on
    ``reference_date`` for each child (the latest ``DECOM`` when several are open; the
    others are rejected); reject children aged 18 or over; map ``PLACE`` to need and home
    type with :data:`PLACE_MAPPING`; count the cohorts.

    Parameters
    ----------
    header, episodes : str, os.PathLike or pandas.DataFrame
        The header and episodes tables (CSV path or DataFrame in the DfE layout).
    reference_date : str, datetime.date or pandas.Timestamp
        Date of the snapshot (``yyyy-mm-dd`` or ``dd/mm/yyyy`` if a string), e.g. 31 March.
    council_id : str, optional
        Council of every row, used where a table has no ``LA`` column (or ``LA`` is blank).
        Required when a table has no ``LA`` column. ``LA`` values are used as they are (a
        name such as ``"Southwark"`` stays a name): map them to council codes afterwards if
        the rest of rcc needs codes.
    uasc : str, os.PathLike or pandas.DataFrame, optional
        The UASC table. A child in it whose ``DUC`` is blank or after ``reference_date`` is
        UASC: a ``mainstream`` or ``supported_16plus`` need becomes ``uasc``.
    postcode_coords : str, os.PathLike or pandas.DataFrame, optional
        Columns ``postcode``, ``lat``, ``lon`` (postcode centroids, WGS84), in memory or as
        a CSV file. Every row must have a postcode and numeric coordinates in range, and a
        postcode listed twice must have one position (otherwise ``InvalidInputError``). Gives
        ``placements.distance_miles``: the straight line between the ``HOME_POST`` and
        ``PL_POST`` centroids (haversine, Earth radius 3958.8 miles), as DfE's PL_DISTANCE.
        Missing when either postcode is unknown.
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`PLACE_MAPPING` (same columns). A PLACE with no row is excluded with
        reason ``"no mapping for PLACE <code>"``.
    salt : str, optional
        Secret salt of the child pseudonyms. Default: a new random salt on each call, so
        pseudonyms cannot be linked to child ids or across calls; pass the same secret salt
        to link loads.
    strict : bool, default False
        Raise :class:`~rcc.core.errors.InvalidInputError` on the first data error (in table order
        header, uasc, episodes, placements, then by row) instead of listing it in
        ``rejected``. Rows superseded by a later ``YEAR`` return are not errors.

    Returns
    -------
    Ssda903Result

    Raises
    ------
    rcc.core.errors.InvalidInputError
        A file is empty, not text or malformed CSV; a table has no header row or misses a
        required column; no ``LA`` column and no ``council_id``; a bad ``reference_date``,
        ``postcode_coords`` (any row without a postcode or with a coordinate that is not a
        number in range) or ``place_mapping``; or, with ``strict``,
        the first bad row (``row_id`` is the row index in the source table, never a child
        id).

    Notes
    -----
    Child ids are never logged, printed, or written to the result or to error messages.
    """
    ref = _as_date(reference_date, "reference_date")
    salt = secrets.token_hex(16) if salt is None else str(salt)
    mapping = _check_mapping(place_mapping)
    coords = _check_coords(postcode_coords)
    sources: dict[str, Source] = {"header": header, "episodes": episodes}
    if uasc is not None:
        sources["uasc"] = uasc
    problems = _Problems()
    tables = _read_sources(sources, council_id, problems)
    hdr = _clean_header(tables.valid("header"), ref, problems)
    known = _HeaderKeys(kept=_keys(hdr), listed=_keys(tables.ids["header"]))
    uasc_keys, ever_uasc = _uasc_keys(tables, known, ref, problems)
    if "uasc" in tables.parsed:  # the forecast's UASC filter: every child of the UASC table, any DUC
        hdr = hdr.assign(UASC=pd.Series(_keys(hdr).isin(ever_uasc), index=hdr.index).map({True: "1", False: "0"}))
    eps = _clean_episodes(tables.valid("episodes"), hdr, known, problems)
    placements = _placements(eps, hdr, ref, _KEY, mapping, uasc_keys, problems)
    placements["distance_miles"] = _distances(placements, coords)
    return _assemble(ref, hdr, eps, placements, tables, problems.frame(), salt, strict)


@attrs.frozen(eq=False)
class _Tables:
    """Every table read and row-checked: the parsed rows (all of them), each row's raw child id
    and council, and the problems the row checks found."""

    parsed: dict[str, pd.DataFrame]
    ids: dict[str, pd.DataFrame]
    first_pass: pd.DataFrame

    def valid(self, table: str) -> pd.DataFrame:
        """The rows of ``table`` that passed the row checks."""
        bad = self.first_pass.loc[self.first_pass["table"] == table, "row"]
        return self.parsed[table].drop(index=bad.unique())


def _read_sources(sources: dict[str, Source], council_id: str | None, problems: _Problems) -> _Tables:
    """Read and row-check each table; every row gets its council (``_council``)."""
    parsed: dict[str, pd.DataFrame] = {}
    ids: dict[str, pd.DataFrame] = {}
    for table, source in sources.items():
        raw = _read_raw(source, table)
        council = _councils(raw, table, council_id)
        problems.add(table, council.isna(), "LA", "a council (LA value or the council_id argument)", "blank", _MISSING)
        df = _check_rows(raw, table, problems)
        df["_council"] = council
        parsed[table] = df
        ids[table] = pd.DataFrame({"CHILD": raw["CHILD"], "_council": council})
    return _Tables(parsed=parsed, ids=ids, first_pass=problems.frame())


def _keys(df: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(df[_KEY].astype("object"))


def _clean_header(hdr: pd.DataFrame, ref: pd.Timestamp, problems: _Problems) -> pd.DataFrame:
    """One header row per child (one DOB), born by the reference date."""
    conflict = hdr.groupby(_KEY)["DOB"].transform("nunique") > 1
    problems.add("header", conflict, "DOB", "one DOB per child", _fmt_dates(hdr["DOB"]), _CONFLICT)
    hdr = _dedupe(hdr.loc[~conflict], _KEY, "header", "CHILD", _DUP_HEADER, problems)
    born_after = hdr["DOB"] > ref
    problems.add("header", born_after, "DOB", f"DOB on or before {ref:%Y-%m-%d}", _fmt_dates(hdr["DOB"]), _BORN_AFTER)
    return hdr.loc[~born_after]


@attrs.frozen(eq=False)
class _HeaderKeys:
    """The children with a clean header row (``kept``) and with any header row (``listed``)."""

    kept: pd.MultiIndex
    listed: pd.MultiIndex

    def drop_orphans(self, df: pd.DataFrame, table: str, problems: _Problems) -> pd.DataFrame:
        """The rows of children with a clean header row; the others are reported."""
        keys = _keys(df)
        missing = pd.Series(~keys.isin(self.kept), index=df.index)
        had_row = pd.Series(keys.isin(self.listed), index=df.index)
        problems.add(table, missing & had_row, "CHILD", "a valid header row for the child", None, _HEADER_REJECTED)
        problems.add(table, missing & ~had_row, "CHILD", "a header row for the child", None, _ORPHAN)
        return df.loc[~missing]


def _uasc_keys(tables: _Tables, known: _HeaderKeys, ref: pd.Timestamp,
               problems: _Problems) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    """The children who are UASC on the reference date, and every child of the UASC table (none without one)."""
    if "uasc" not in tables.parsed:
        none = pd.MultiIndex.from_tuples([], names=_KEY)
        return none, none
    uas = _dedupe(
        known.drop_orphans(tables.valid("uasc"), "uasc", problems), _KEY, "uasc", "CHILD", _DUP_UASC, problems
    )
    current = uas["DUC"].isna() | (uas["DUC"] > ref)
    return _keys(uas.loc[current]), _keys(uas)


def _clean_episodes(eps: pd.DataFrame, hdr: pd.DataFrame, known: _HeaderKeys, problems: _Problems) -> pd.DataFrame:
    """Episodes of children with a clean header row, one per start date, none before birth."""
    eps = known.drop_orphans(eps, "episodes", problems)
    eps = _dedupe(eps, _KEY + ["DECOM"], "episodes", "DECOM", _DUP_EPISODE, problems)
    dob = eps[_KEY].merge(hdr[_KEY + ["DOB"]], on=_KEY, how="left")["DOB"].to_numpy()
    before_birth = pd.Series(eps["DECOM"].to_numpy() < dob, index=eps.index)
    expected = "DECOM on or after the child's DOB"
    problems.add("episodes", before_birth, "DECOM", expected, _fmt_dates(eps["DECOM"]), _BEFORE_BIRTH)
    return eps.loc[~before_birth]


def _assemble(
    ref: pd.Timestamp,
    hdr: pd.DataFrame,
    eps: pd.DataFrame,
    placements: pd.DataFrame,
    tables: _Tables,
    found: pd.DataFrame,
    salt: str,
    strict: bool,
) -> Ssda903Result:
    """Pseudonymise and count: the result (or, with ``strict``, the first data error raised)."""
    if strict:
        errors = found.loc[found["reason"] != _SUPERSEDED]
        if not errors.empty:
            _raise_first(_with_children(errors, tables.ids, salt))
    rejected = _with_children(found, tables.ids, salt)
    placements.insert(0, "child_id", pseudonymise(placements.pop("CHILD"), placements["council_id"], salt))
    cohorts, excluded = _cohorts(placements)
    return Ssda903Result(
        reference_date=ref,
        header=_public(hdr, (*_COLUMNS["header"], "UASC"), salt, drop=("UPN",)),
        episodes=_public(eps, _COLUMNS["episodes"], salt),
        rejected=rejected,
        placements=placements.reset_index(drop=True),
        cohorts=cohorts,
        excluded=excluded,
    )
