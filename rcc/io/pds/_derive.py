"""From checked fields to what rcc plans with: council, age band, placement type, need, home
council, and one current record per child."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rcc.core.schema import AGE_BANDS
from rcc.io.ofsted import normalise_council_name
from rcc.io.pds._checks import Echo, Problems
from rcc.io.pds._layout import (
    _AGE_RANGE,
    _CONFLICT,
    _DATE_ORDER,
    _DUPLICATE,
    _MISSING,
    _NO_AGE,
    _NO_TYPE,
    _SA_AGE,
    _SUPERSEDED,
    _UNKNOWN_COUNCIL,
    _UNKNOWN_LOCATION,
    NEED_MAPPING,
    SUITABILITY_FIELDS,
)


class CouncilMatcher:
    """Council ids by ONS code or by name (:func:`rcc.io.ofsted.normalise_council_name`)."""

    def __init__(self, councils: pd.DataFrame) -> None:
        ids = councils["council_id"].astype(str)
        self.codes = {c.upper(): c for c in ids}
        names: dict[str, str | None] = {}
        for key, cid in zip(councils["name"].map(normalise_council_name), ids):
            names[key] = None if key in names and names[key] != cid else cid
        self.names = {k: v for k, v in names.items() if k and v is not None}

    def __call__(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        text = value.strip()
        return self.codes.get(text.upper()) or self.names.get(normalise_council_name(text))


def council_of_child(fields: pd.DataFrame, default: str | None, match: CouncilMatcher, echo: Echo,
                     problems: Problems) -> pd.Series:
    """Each record's council: ``councilId``, else the ``council_id`` argument; matched to a council."""
    given = fields["councilId"].where(fields["councilId"].notna(), default)
    council = given.map(match)
    problems.add(given.isna(), "councilId", "a council (councilId, or the council_id argument)", "blank", _MISSING)
    received = given.map(lambda v: echo(v, "councilId"))
    problems.add(given.notna() & council.isna(), "councilId", "a council code or name of table 'councils'",
                 received, _UNKNOWN_COUNCIL)
    return council


def _band(age: float) -> str | None:
    for label, (lo, hi) in AGE_BANDS.items():
        if lo <= age <= hi:
            return label
    return None


def age_bands(fields: pd.DataFrame, reference_date: pd.Timestamp | None, problems: Problems) -> pd.Series:
    """Age band: from ``dateOfBirth`` at ``reference_date`` (else at ``referralDate``), or ``ageBand``."""
    dob = pd.to_datetime(fields["dateOfBirth"])
    at = pd.Series(reference_date, index=fields.index) if reference_date is not None else pd.to_datetime(
        fields["referralDate"])
    years = at.dt.year - dob.dt.year
    before_birthday = (at.dt.month < dob.dt.month) | ((at.dt.month == dob.dt.month) & (at.dt.day < dob.dt.day))
    age = years - before_birthday.astype(int)
    from_dob = pd.Series([_band(a) if pd.notna(a) else None for a in age], index=fields.index, dtype=object)
    has_dob = dob.notna() & at.notna()
    out_of_range = has_dob & from_dob.isna()
    problems.add(out_of_range, "dateOfBirth", "an age from 0 to 17 at " + ("reference_date" if reference_date is not None
                 else "referralDate"), age.astype("Int64").astype(str) + " years", _AGE_RANGE)
    given = fields["ageBand"]
    clash = has_dob & ~out_of_range & given.notna() & (given != from_dob)
    problems.add(clash, "ageBand", "the age band of dateOfBirth", given, _CONFLICT)
    no_age = dob.isna() & given.isna()
    problems.add(no_age, "dateOfBirth", "dateOfBirth or ageBand (fields rcc adds to the standard)", "blank", _NO_AGE)
    return from_dob.where(has_dob, given)


def _recommended(fields: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The one placement type the recommendation prefers (else the one suitable), and a summary."""
    marks = pd.DataFrame({t: fields[f] for t, f in SUITABILITY_FIELDS.items()})
    preferred = marks.eq("Preferred")
    suitable = marks.eq("Suitable but not preferred")
    one_pref = preferred.sum(axis=1) == 1
    one_suit = (preferred.sum(axis=1) == 0) & (suitable.sum(axis=1) == 1)
    chosen = pd.Series(None, index=fields.index, dtype=object)
    chosen[one_pref] = preferred[one_pref].idxmax(axis=1)
    chosen[one_suit] = suitable[one_suit].idxmax(axis=1)
    summary = marks.apply(lambda r: "; ".join(f"{t}: {v if v is not None else 'blank'}" for t, v in r.items()), axis=1)
    return chosen, summary


def placement_types(fields: pd.DataFrame, placed: pd.Series, problems: Problems) -> tuple[pd.Series, pd.Series]:
    """The type a record's need is read from (agreed ``placementType``, or the recommended type), and the
    recommended type alone."""
    recommended, summary = _recommended(fields)
    marks_ok = fields[list(SUITABILITY_FIELDS.values())].notna().all(axis=1)
    problems.add(~placed & marks_ok & recommended.isna(), "fosterCareSuitability",
                 "exactly one placement type 'Preferred', or none preferred and exactly one 'Suitable but not preferred'",
                 summary, _NO_TYPE)
    return fields["placementType"].where(placed, recommended), recommended


def needs(fields: pd.DataFrame, ptype: pd.Series, bands: pd.Series, problems: Problems) -> pd.Series:
    """The rcc need of each record, by :data:`NEED_MAPPING` (complete: no guess is needed)."""
    siblings = fields["siblingCount"].map(lambda v: v is not None and v >= 1)
    adapted = fields["homeAdaptation"].map(lambda v: bool(v))
    keys = pd.DataFrame({"placement_type": ptype, "siblings": siblings, "home_adaptation": adapted})
    need = keys.merge(NEED_MAPPING, how="left", on=["placement_type", "siblings", "home_adaptation"])["need"]
    need.index = fields.index
    under_16 = (need == "supported_16plus") & bands.notna() & (bands != "16-17")
    problems.add(under_16, "placementType", "a child aged 16 or 17 (supported accommodation)",
                 "age band " + bands.astype(str), _SA_AGE)
    return need.where(ptype.notna())


def placement_councils(fields: pd.DataFrame, placed: pd.Series, known_home: pd.Series, match: CouncilMatcher,
                       problems: Problems) -> pd.Series:
    """Council of each agreed placement (``placementLocation``), unless its URN is a home passed in."""
    council = fields["placementLocation"].map(match)
    need = placed & ~known_home & fields["placementLocation"].notna() & council.isna()
    problems.add(need, "placementLocation", "a council code or name of table 'councils' (or the provider URN of a "
                 "home passed as homes=)", "a location that matches no council (not shown)", _UNKNOWN_LOCATION)
    later = fields["placementDate"].notna() & fields["referralDate"].notna()
    early = later & (pd.to_datetime(fields["placementDate"]) < pd.to_datetime(fields["referralDate"]))
    problems.add(early, "placementDate", "a date on or after referralDate",
                 pd.to_datetime(fields["placementDate"]).dt.strftime("%Y-%m-%d"), _DATE_ORDER)
    return council


def current_records(keys: pd.DataFrame, problems: Problems) -> pd.Series:
    """Which records are each child's current one: the latest ``referralDate`` (then ``placementDate``).

    ``keys`` has ``council_id``, ``child`` (canonical id) and the two dates, for the records whose
    identity and referral date are valid. Earlier records are superseded; two records of one child
    with the same dates are duplicates (the first is kept)."""
    order = keys.assign(_row=keys.index).sort_values(
        ["council_id", "child", "referralDate", "placementDate", "_row"],
        ascending=[True, True, False, False, True], na_position="last", kind="stable")
    first = ~order.duplicated(["council_id", "child"], keep="first")
    kept = order.loc[first].set_index(["council_id", "child"])
    others = order.loc[~first]
    kept_of = kept.loc[pd.MultiIndex.from_frame(others[["council_id", "child"]])]
    kept_row = kept_of["_row"].to_numpy()
    same = pd.Series(True, index=others.index)
    for column in ("referralDate", "placementDate"):
        a = pd.to_datetime(others[column]).to_numpy()
        b = pd.to_datetime(kept_of[column]).to_numpy()
        same &= (a == b) | (pd.isna(a) & pd.isna(b))
    received = pd.Series(np.asarray(kept_row).astype(str), index=others.index).radd("same child as row ")
    problems.add(same, "childId", "one record per child and referral date", received, _DUPLICATE)
    problems.add(~same, "referralDate", "the child's latest record", received, _SUPERSEDED)
    return pd.Series(keys.index.isin(order.index[first]), index=keys.index)
