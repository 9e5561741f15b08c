"""Episodes in progress on the reference date -> placements (need, home type, age band) -> cohorts."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, COHORTS, HOME_TYPES, NEEDS, cohort_ids
from rcc.core.validate import require_columns
from rcc.io.ssda903._checks import _fmt_dates, _Problems
from rcc.io.ssda903._layout import _ADULT, _SEVERAL_OPEN, PLACE_MAPPING, SHORT_BREAK_LEGAL_STATUSES

#: A looked-up mapping row: (need, home_type, action, note).
_Action = tuple[Any, Any, str, str]
_NO_EARLIER: _Action = (None, None, "exclude", "temporary placement with no earlier placement")


def _check_mapping(mapping: pd.DataFrame | None) -> dict[tuple[str, str], _Action]:
    table = PLACE_MAPPING if mapping is None else mapping
    cols = ["place", "place_provider", "need", "home_type", "action", "note"]
    require_columns(table, "place_mapping", cols)
    out: dict[tuple[str, str], _Action] = {}
    for i, rec in enumerate(table[cols].itertuples(index=False)):
        place, provider, need, home_type, action, note = rec
        if action not in ("plan", "exclude", "inherit"):
            raise InvalidInputError("place_mapping", i, "action", "plan, exclude or inherit", action)
        if action == "plan":
            if need not in NEEDS:
                raise InvalidInputError("place_mapping", i, "need", f"one of {NEEDS}", need)
            if home_type not in HOME_TYPES:
                raise InvalidInputError("place_mapping", i, "home_type", f"one of {HOME_TYPES}", home_type)
        elif action == "exclude" and not (isinstance(note, str) and note):
            raise InvalidInputError("place_mapping", i, "note", "the exclusion reason", note)
        key = (str(place).upper(), str(provider).upper() if isinstance(provider, str) else "*")
        if key in out:
            raise InvalidInputError("place_mapping", i, "place", "one row per place and provider", key)
        out[key] = (need, home_type, action, str(note))
    return out


def _age_years(dob: pd.Series, ref: pd.Timestamp) -> pd.Series:
    before_birthday = (dob.dt.month > ref.month) | ((dob.dt.month == ref.month) & (dob.dt.day > ref.day))
    return (ref.year - dob.dt.year - before_birthday.astype("int64")).astype("Int64")


def _age_band(age: pd.Series) -> pd.Series:
    band = pd.Series(np.nan, index=age.index, dtype="str")
    for label, (lo, hi) in AGE_BANDS.items():
        band = band.mask((age >= lo) & (age <= hi), label)
    return band


def _placements(
    eps: pd.DataFrame,
    hdr: pd.DataFrame,
    ref: pd.Timestamp,
    key: list[str],
    mapping: dict[tuple[str, str], _Action],
    uasc_keys: pd.MultiIndex,
    problems: _Problems,
) -> pd.DataFrame:
    """One row per child in care on ``ref``, mapped to need and home type (raw CHILD kept)."""
    cur, age = _in_care_on(eps, hdr, ref, key, problems)
    mapped = _map_places(cur, eps, key, mapping)
    need, home_type, excluded = _demand_of(mapped, cur)
    is_uasc = pd.Series(pd.MultiIndex.from_frame(cur[key].astype("object")).isin(uasc_keys), index=cur.index)
    need = need.mask(is_uasc & need.isin(["mainstream", "supported_16plus"]), "uasc")
    band = _age_band(age)
    cohort_id = cohort_ids(cur["_council"], need, band).where(excluded.isna())
    return pd.DataFrame(
        {
            "CHILD": cur["CHILD"],
            "council_id": cur["_council"],
            "episode_row": cur.index.to_numpy(dtype="int64"),
            "decom": cur["DECOM"],
            "legal_status": cur["LS"],
            "place": cur["PLACE"],
            "place_provider": cur["PLACE_PROVIDER"],
            "mapped_place": mapped.place,
            "mapped_provider": mapped.provider,
            "uasc": is_uasc.astype(bool),
            "age": age.astype("int64"),
            "age_band": band,
            "need": need,
            "home_type": home_type,
            "excluded": excluded,
            "cohort_id": cohort_id,
            "home_post": cur["HOME_POST"],
            "pl_post": cur["PL_POST"],
        },
        index=cur.index,
    ).sort_values(["council_id", "episode_row"], kind="stable")


def _in_care_on(
    eps: pd.DataFrame, hdr: pd.DataFrame, ref: pd.Timestamp, key: list[str], problems: _Problems
) -> tuple[pd.DataFrame, pd.Series]:
    """The episode open on ``ref`` of each child under 18 (with DOB), indexed by episode row, and the age."""
    current = eps.loc[(eps["DECOM"] <= ref) & (eps["DEC"].isna() | (eps["DEC"] > ref))]
    latest = current.sort_values("DECOM", ascending=False, kind="stable")
    several = latest.duplicated(key, keep="first").reindex(current.index)
    problems.add(
        "placements",
        several,
        "DEC",
        "one episode per child open on the reference date (a later one is used)",
        _fmt_dates(current["DEC"]),
        _SEVERAL_OPEN,
    )
    current = current.loc[~several]
    cur = current.reset_index().merge(hdr[key + ["DOB"]], on=key, how="left")
    cur.index = pd.Index(cur["row"].to_numpy(), name="row")
    age = _age_years(cur["DOB"], ref)
    adult = age >= 18
    problems.add("placements", adult, "DOB", "age 0-17 on the reference date", "age " + age.astype("str"), _ADULT)
    return cur.loc[~adult], age.loc[~adult]


def _action(mapping: dict[tuple[str, str], _Action], place: str, provider: Any) -> _Action:
    """The mapping row of a PLACE and PLACE_PROVIDER: the exact provider's, else the ``"*"`` row."""
    prov = provider if isinstance(provider, str) else "*"
    hit = mapping.get((place, prov)) or mapping.get((place, "*"))
    return hit if hit is not None else (None, None, "exclude", f"no mapping for PLACE {place}")


@attrs.frozen(eq=False)
class _Mapped:
    """Each current placement's mapping row, and the PLACE and PLACE_PROVIDER it was looked up by."""

    actions: list[_Action]
    place: pd.Series
    provider: pd.Series


def _map_places(
    cur: pd.DataFrame, eps: pd.DataFrame, key: list[str], mapping: dict[tuple[str, str], _Action]
) -> _Mapped:
    """Map each current placement; temporary ones take the mapping of the latest earlier
    non-temporary episode of the child (excluded when there is none)."""
    acts = [_action(mapping, p, q) for p, q in zip(cur["PLACE"], cur["PLACE_PROVIDER"], strict=True)]
    mapped_place = cur["PLACE"].copy()
    mapped_provider = cur["PLACE_PROVIDER"].copy()
    inherit = pd.Series([a[2] == "inherit" for a in acts], index=cur.index, dtype=bool)
    if not inherit.any():
        return _Mapped(actions=acts, place=mapped_place, provider=mapped_provider)
    prior = _earlier_placements(cur.loc[inherit], eps, key, mapping)
    mapped_place.loc[prior.index] = prior["PLACE"]
    mapped_provider.loc[prior.index] = prior["PLACE_PROVIDER"]
    for i, row in enumerate(cur.index):
        if inherit.loc[row]:
            acts[i] = (
                _action(mapping, prior.at[row, "PLACE"], prior.at[row, "PLACE_PROVIDER"])
                if row in prior.index
                else _NO_EARLIER
            )
            if acts[i][2] == "inherit":  # a custom mapping may inherit from a code we skipped
                acts[i] = _NO_EARLIER
    return _Mapped(actions=acts, place=mapped_place, provider=mapped_provider)


def _earlier_placements(
    temporary: pd.DataFrame, eps: pd.DataFrame, key: list[str], mapping: dict[tuple[str, str], _Action]
) -> pd.DataFrame:
    """For each temporary placement (by episode row), the latest earlier non-temporary episode's
    PLACE and PLACE_PROVIDER; rows without one are absent."""
    non_temp = eps.loc[
        [_action(mapping, p, q)[2] != "inherit" for p, q in zip(eps["PLACE"], eps["PLACE_PROVIDER"], strict=True)]
    ]
    pairs = (
        temporary[key + ["DECOM"]]
        .reset_index()
        .merge(non_temp[key + ["DECOM", "PLACE", "PLACE_PROVIDER"]], on=key, how="inner", suffixes=("", "_prev"))
    )
    pairs = pairs.loc[pairs["DECOM_prev"] < pairs["DECOM"]]
    return pairs.sort_values("DECOM_prev").groupby("row").tail(1).set_index("row")


def _demand_of(mapped: _Mapped, cur: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Need, home type and exclusion reason of each placement (short breaks V3/V4 are excluded)."""
    acts = mapped.actions
    need = pd.Series([a[0] if a[2] == "plan" else np.nan for a in acts], index=cur.index, dtype="str")
    home_type = pd.Series([a[1] if a[2] == "plan" else np.nan for a in acts], index=cur.index, dtype="str")
    excluded = pd.Series([a[3] if a[2] == "exclude" else np.nan for a in acts], index=cur.index, dtype="str")
    short_break = cur["LS"].isin(SHORT_BREAK_LEGAL_STATUSES)
    excluded = excluded.mask(short_break, "short breaks (legal status V3/V4)")
    return need.where(excluded.isna()), home_type.where(excluded.isna()), excluded


def _cohorts(placements: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    demand = placements.loc[placements["excluded"].isna()]
    cohorts = (
        demand.groupby(["cohort_id", "council_id", "need", "age_band"], sort=True)
        .size()
        .rename("children")
        .reset_index()
    )
    cohorts = cohorts.loc[:, list(COHORTS.names)].astype({"children": "int64"})
    excluded = (
        placements.loc[placements["excluded"].notna()]
        .groupby(["council_id", "excluded"], sort=True)
        .size()
        .rename("children")
        .reset_index()
        .rename(columns={"excluded": "reason"})
        .astype({"children": "int64"})
    )
    return cohorts, excluded
