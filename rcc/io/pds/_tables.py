"""The outputs of :func:`rcc.io.pds.read_pds`: the demand view and the Region tables."""

from __future__ import annotations

import re

import pandas as pd

from rcc.core.schema import TABLES, cohort_ids
from rcc.io.pds._layout import _FREE_TEXT, PDS_FIELDS, PLACEMENT_TYPE_HOME_TYPE

#: Fields that never reach an output: the child id (a pseudonym replaces it), officers' names,
#: free text other than the preferred location, the placement's address (its council is kept),
#: the date of birth (its age band is kept) and fields shown under another name.
_NOT_SHOWN = frozenset(_FREE_TEXT - {"preferredLocation"}) | {"childId", "providerURN", "placementType"}
_RENAMED = {
    "totalWeeklyCost": "weekly_cost_gbp",
    "specificCommunicationRequirements": "communication_requirements",
    "preferabilityLocation": "location_preferable",
}


def _snake(name: str) -> str:
    return _RENAMED.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


#: Columns of the demand view taken from the standard's fields, by field.
DEMAND_FIELDS: dict[str, str] = {f: _snake(f) for f in PDS_FIELDS["field"] if f not in _NOT_SHOWN}
_FIRST = (
    "row", "request_id", "child_id", "council_id", "age_band", "need", "cohort_id", "placed",
    "recommended_type", "placement_type", "provider_urn", "home_id", "placement_council_id", "preferred_council_id",
)


def demand_view(fields: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """One row per current record (request or agreed placement); pseudonyms only."""
    out = derived.loc[:, [c for c in _FIRST if c in derived.columns]].copy()
    out["cohort_id"] = cohort_ids(out["council_id"], out["need"], out["age_band"])
    for field, column in DEMAND_FIELDS.items():
        values = fields[field]
        if field in ("referralDate", "placementDate", "costDate"):
            values = pd.to_datetime(values)
        elif field in ("siblingCount", "siblingsPlacedTogether"):
            values = pd.array(values.tolist(), dtype="Int64")
        elif field == "totalWeeklyCost":
            values = pd.to_numeric(values).astype("float64")
        out[column] = values
    out["risk_other_recorded"] = fields["riskOther"].notna()
    out["risk_to_others_other_recorded"] = fields["riskToOthersOther"].notna()
    return out.loc[:, list(_FIRST) + [c for c in out.columns if c not in _FIRST]].reset_index(drop=True)


def cohorts_table(demand: pd.DataFrame) -> pd.DataFrame:
    """Children of each council x need x age band (requests and agreed placements alike)."""
    cols = list(TABLES["cohorts"].names)
    if demand.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "children" else "str") for c in cols})
    g = demand.groupby(["cohort_id", "council_id", "need", "age_band"], sort=True).size().rename("children")
    return g.reset_index().loc[:, cols].astype({"children": "int64"})


def built_homes(demand: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """One home per (provider URN, placement council, placement type) of agreed placements whose URN is
    no home passed in: places = children placed there, needs = theirs, cost = mean weekly fee."""
    cols = list(TABLES["homes"].names) + ["places_source"]
    placed = demand.loc[demand["placed"] & ~demand["provider_urn"].isin(known)]
    if placed.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in cols}).astype({"places": "int64",
                            "min_age": "int64", "max_age": "int64", "weekly_cost_gbp": "float64"})
    rows = []
    for (urn, council, ptype), g in placed.groupby(["provider_urn", "placement_council_id", "placement_type"], sort=True):
        home_type = PLACEMENT_TYPE_HOME_TYPE[ptype]
        rows.append({
            "home_id": f"{urn}:{council}:{home_type}", "council_id": council, "provider_id": urn,
            "home_type": home_type, "places": len(g), "needs": ";".join(sorted(set(g["need"]))),
            "min_age": 0, "max_age": 17, "weekly_cost_gbp": float(g["weekly_cost_gbp"].mean()),
            "serves_council_id": "", "places_source": "children placed (Placements Data Standard)",
        })
    return pd.DataFrame(rows, columns=cols)


def placements_table(demand: pd.DataFrame) -> pd.DataFrame:
    """Agreed placements: children of each cohort in each home (held in place by rcc.plan)."""
    cols = list(TABLES["placements"].names)
    placed = demand.loc[demand["placed"]]
    if placed.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "children" else "str") for c in cols})
    g = placed.groupby(["cohort_id", "home_id"], sort=True).size().rename("children").reset_index()
    g["placement_id"] = g["home_id"] + "|" + g["cohort_id"]
    return g.loc[:, cols].astype({"children": "int64"})


def providers_table(homes: pd.DataFrame, given: pd.DataFrame | None) -> pd.DataFrame:
    """The providers passed in (or one per provider id of the homes passed in, sector unknown), and
    one per provider URN of the homes built from records (sector unknown)."""
    cols = list(TABLES["providers"].names)
    have = given.loc[:, [c for c in cols if c in given.columns]] if given is not None else pd.DataFrame(columns=cols)
    ids = pd.unique(homes["provider_id"].astype(str))
    extra = [i for i in ids if i not in set(have.get("provider_id", pd.Series(dtype=str)).astype(str))]
    new = pd.DataFrame({"provider_id": extra, "name": extra, "sector": "unknown", "group": extra}, dtype=object)
    return pd.concat([have, new], ignore_index=True) if len(have) else new.reset_index(drop=True)


def councils_table(councils: pd.DataFrame, cohorts: pd.DataFrame, homes: pd.DataFrame) -> pd.DataFrame:
    """The councils of the cohorts and homes, in the order of the councils table."""
    used = set(cohorts["council_id"]) | set(homes["council_id"].astype(str))
    cols = [c for c in TABLES["councils"].names if c in councils.columns]
    return councils.loc[councils["council_id"].astype(str).isin(used), cols].reset_index(drop=True)
