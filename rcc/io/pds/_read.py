"""Reading Placements Data Standard records: the steps from raw records to a demand view and Region tables."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.io.pds._checks import Bad, Echo, Problems, _date, _int, check_fields
from rcc.io.pds._derive import (
    CouncilMatcher,
    age_bands,
    council_of_child,
    current_records,
    needs,
    placement_councils,
    placement_types,
)
from rcc.io.pds._layout import (
    _DATE_EXPECTED,
    _PLACEMENT_STAGE,
    _REJECTED_COLUMNS,
    _SUPERSEDED,
    PLACEMENT_TYPE_HOME_TYPE,
)
from rcc.io.pds._records import _blank, read_records
from rcc.io.pds._result import PdsResult
from rcc.io.pds._tables import (
    built_homes,
    cohorts_table,
    councils_table,
    demand_view,
    placements_table,
    providers_table,
)
from rcc.io.ssda903 import pseudonymise


def _child_ids(values: pd.Series) -> tuple[pd.Series, Echo]:
    """The canonical child id of each record (``str(int)``; missing when bad) and the echo guard,
    which knows every id of the batch, and every run of digits of ids that do not parse."""
    canon, texts = [], set()
    for v in values.tolist():
        try:
            canon.append(None if _blank(v) else str(_int(v)))
        except Bad:
            canon.append(None)
        if not _blank(v):
            texts.update(r.lstrip("0") for r in re.findall(r"\d+", str(v)))
    ids = {t for t in texts if t}
    return pd.Series(canon, index=values.index, dtype=object), Echo(ids)


def _reference(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return _date(value)
    except Bad:
        raise InvalidInputError("parameters", None, "reference_date", _DATE_EXPECTED, value) from None


def _placed(raw: pd.DataFrame) -> pd.Series:
    """Which records describe an agreed placement (any field filled in when a placement is agreed)."""
    cols = [c for c in raw.columns if c in _PLACEMENT_STAGE]
    if not cols:
        return pd.Series(False, index=raw.index)
    return ~raw[cols].map(_blank).all(axis=1)


class _Params:
    """The settings of one read: councils table, default council, reference date, homes passed in."""

    def __init__(self, council_id: Any, reference_date: Any, councils: Any, homes: Any, echo: Echo) -> None:
        if councils is None:
            from rcc.datasets import councils as england_councils

            councils = england_councils()
        self.councils = councils
        self.council_id = None if council_id is None else str(council_id)
        if council_id is not None and CouncilMatcher(councils)(self.council_id) is None:
            raise InvalidInputError(
                "parameters", None, "council_id", "a council code or name of table 'councils'", council_id
            )
        self.reference_date = _reference(reference_date)
        self.homes = homes
        self.home_ids = set(homes["home_id"].astype(str)) if homes is not None else set()
        self.echo = echo


def _derived(fields: pd.DataFrame, placed: pd.Series, params: _Params, problems: Problems) -> pd.DataFrame:
    """Council, age band, placement type, need and home of every record (problems reported)."""
    match = CouncilMatcher(params.councils)
    out = pd.DataFrame(index=fields.index)
    out["council_id"] = council_of_child(fields, params.council_id, match, params.echo, problems)
    out["age_band"] = age_bands(fields, params.reference_date, problems)
    ptype, out["recommended_type"] = placement_types(fields, placed, problems)
    out["need"] = needs(fields, ptype, out["age_band"], problems)
    out["placed"] = placed
    out["placement_type"] = fields["placementType"].where(placed)
    urn = fields["providerURN"].map(lambda v: str(v).strip() if v is not None else None)
    out["provider_urn"] = urn.where(placed)
    known = placed & urn.isin(params.home_ids)
    council = placement_councils(fields, placed, known, match, problems)
    home_of_urn = params.homes.set_index("home_id")["council_id"] if params.homes is not None else pd.Series()
    out["placement_council_id"] = council.where(~known, urn.map(home_of_urn)).where(placed)
    kinds = fields["placementType"].map(PLACEMENT_TYPE_HOME_TYPE)
    built = pd.Series([f"{u}:{c}:{k}" for u, c, k in zip(urn, council, kinds)], index=urn.index, dtype=object)
    out["home_id"] = urn.where(known, built).where(placed)
    out["preferred_council_id"] = fields["preferredLocation"].map(match)
    return out


def read_pds(
    source: Any,
    *,
    council_id: str | None = None,
    reference_date: Any = None,
    councils: pd.DataFrame | None = None,
    homes: pd.DataFrame | None = None,
    providers: pd.DataFrame | None = None,
    salt: str | None = None,
    strict: bool = False,
) -> PdsResult:
    """Read Placements Data Standard v2 records into a demand view and Region tables.

    Parameters
    ----------
    source : str, os.PathLike, pandas.DataFrame, dict or list of dict
        A JSON file (one record, a list of records, or ``{"records": [...]}``), a CSV file (the
        tabular form: one row per record, headers either the JSON field names such as
        ``childId`` or the prose field names such as ``Child ID``), a folder of such ``.json``
        and ``.csv`` files (read in name order), a DataFrame in the tabular form, or records in
        memory (a CSV file is best passed by path: ``pandas.read_csv`` reads the standard's codes
        ``"None"`` and ``"NA"`` as missing unless given ``keep_default_na=False``). A record's fields may be flat or grouped by the standard's entities
        (``{"PlacementAvailability": {"childId": ...}, "Risks": {...}}``).
    council_id : str, optional
        The child's council (ONS code or name) for records without the ``councilId`` field.
    reference_date : str, datetime.date or pandas.Timestamp, optional
        Date ages are taken at (from ``dateOfBirth``); by default each record's ``referralDate``.
    councils : pandas.DataFrame, optional
        Councils table (default: the 153 English councils, :func:`rcc.datasets.councils`).
    homes, providers : pandas.DataFrame, optional
        Homes (and their providers) to plan with, e.g. from :func:`rcc.read_ofsted_providers`.
        An agreed placement whose ``providerURN`` is a ``home_id`` here is placed in that home;
        any other gets a home built from the records.
    salt : str, optional
        Secret salt of the pseudonyms (default: a new random salt on each call). The same salt
        and council give the same pseudonyms as :func:`rcc.io.ssda903.load_ssda903` (for a ``CHILD``
        written as the same whole number, without leading zeros).
    strict : bool, default False
        Raise :class:`~rcc.core.errors.InvalidInputError` on the first rejected record instead
        of listing it in ``rejected`` (a record superseded by a later one is not an error).

    Returns
    -------
    PdsResult

    Raises
    ------
    rcc.core.errors.InvalidInputError
        A file is empty, not JSON or CSV, has no known field name; a bad ``reference_date`` or
        ``council_id``;
        with ``strict``, the first bad record (``row_id`` its child's pseudonym, or ``row N``).

    Notes
    -----
    Child ids are never logged, printed, or written to the result or to error messages.
    """
    raw = read_records(source)
    frame = raw.frame
    child, echo = _child_ids(frame["childId"] if "childId" in frame.columns else pd.Series(None, index=frame.index))
    params = _Params(council_id, reference_date, councils, homes, echo)
    salt = secrets.token_hex(16) if salt is None else str(salt)
    problems = Problems()
    placed = _placed(frame)
    fields = check_fields(frame, placed, echo, problems)
    derived = _derived(fields, placed, params, problems)
    ok_id = child.notna() & derived["council_id"].notna() & fields["referralDate"].notna()
    keys = pd.DataFrame({"council_id": derived["council_id"], "child": child, "referralDate": fields["referralDate"],
                         "placementDate": fields["placementDate"]}).loc[ok_id]
    current_records(keys, problems)
    pseudonym = pseudonymise(child, derived["council_id"], salt)
    rejected = _rejected(problems.frame(), pseudonym)
    if strict:
        _raise_first(rejected)
    used = ~frame.index.isin(rejected["row"])
    derived["row"] = frame.index
    derived["child_id"] = pseudonym
    request = [None if c is None else f"{c}|{d}" for c, d in zip(child.tolist(), fields["referralDate"].tolist())]
    derived["request_id"] = pseudonymise(pd.Series(request, index=child.index, dtype=object), derived["council_id"], salt)
    return _assemble(fields.loc[used], derived.loc[used], rejected, raw, params, providers)


def _rejected(found: pd.DataFrame, pseudonym: pd.Series) -> pd.DataFrame:
    out = found.assign(row_id=pseudonym.reindex(found["row"]).to_numpy())
    out = out.sort_values("row", kind="stable").loc[:, list(_REJECTED_COLUMNS)].reset_index(drop=True)
    return out.astype({"row": "int64", "row_id": "str", "received": "str"})


def _raise_first(rejected: pd.DataFrame) -> None:
    errors = rejected.loc[rejected["reason"] != _SUPERSEDED]
    if errors.empty:
        return
    first = errors.iloc[0]
    row_id = first["row_id"] if isinstance(first["row_id"], str) else f"row {int(first['row'])}"
    more = int((errors["reason"] == first["reason"]).sum()) - 1
    raise InvalidInputError("records", row_id, str(first["column"]), f"{first['expected']} ({first['reason']})",
                            first["received"], more=more)


def _assemble(fields: pd.DataFrame, derived: pd.DataFrame, rejected: pd.DataFrame, raw: Any, params: _Params,
              providers: pd.DataFrame | None) -> PdsResult:
    demand = demand_view(fields, derived)
    cohorts = cohorts_table(demand)
    built = built_homes(demand, params.home_ids)
    homes = pd.concat([params.homes, built], ignore_index=True) if params.homes is not None else built
    sources = pd.DataFrame({"source": [_shown_name(i, n, params.echo) for i, n in enumerate(raw.sources)],
                            "records": [int((raw.source == i).sum()) for i in range(len(raw.sources))]})
    ignored = tuple(n if not params.echo.holds_id(n, 5) else "<a field name holding a child id>" for n in raw.unknown)
    return PdsResult(
        demand=demand,
        cohorts=cohorts,
        placements=placements_table(demand),
        homes=homes.reset_index(drop=True),
        providers=providers_table(homes, providers if params.homes is not None else None),
        councils=councils_table(params.councils, cohorts, homes),
        rejected=rejected,
        sources=sources,
        ignored_fields=ignored,
    )


def _shown_name(i: int, name: str, echo: Echo) -> str:
    return f"file {i + 1} (name withheld)" if echo.holds_id(name, 1) else name
