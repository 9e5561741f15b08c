"""The Placements Data Standard v2 as data: its fields (from the standard's own JSON), the rcc
extension fields, the mapping onto rcc needs, home types and age bands, and rejection reasons."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pandas as pd

from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS

#: The standard's JSON specification, shipped verbatim (MIT licence, Data Standards for Social Care).
_SPEC: dict[str, Any] = json.loads(
    files("rcc.io.pds").joinpath("data/placements_standard_v2.json").read_text(encoding="utf-8")
)
#: Version of the standard the reader implements.
PDS_VERSION: str = str(_SPEC["metadata"]["version"])

#: The field names of the standard's prose specification (its tabular form), by JSON name.
_LABELS: dict[str, str] = {
    "childId": "Child ID",
    "neededBy": "When placement is needed by",
    "siblingCount": "Number of siblings to place with",
    "preferredLocation": "Preferred location for home search",
    "communicationNeeds": "Communication, language and learning needs",
    "specificCommunicationRequirements": "Specific communication and language requirements",
    "homeAdaptation": "Adaptation to the home",
    "culturalNeeds": "Cultural needs (e.g. place of worship)",
    "livingCompanions": "Who can the child be cared for alongside?",
    "pets": "Can the child live with pets/animals?",
    "additionalSupport": "Additional support (Please specify)",
    "deprivationOfLiberty": "Deprivation of Liberty Order",
    "fosterCareSuitability": "Foster care suitability",
    "residentialCareSuitability": "Residential care suitability",
    "supportedAccommodationSuitability": "Supported Accomodation suitability",
    "riskSelfHarm": "Risk to child: Self-harm",
    "riskSexualExploitation": "Risk to child: Sexual exploitation",
    "riskCriminalExploitation": "Risk to child: Criminal exploitation",
    "riskDrugAlcohol": "Risk to child: Drug and alcohol use",
    "riskEatingDisorder": "Risk to child: Eating disorder",
    "riskMissing": "Risk to child: Going missing",
    "riskOther": "Risk to child: Other (please specify)",
    "riskToOthersPhysical": "Risk to others or property: Physical harm",
    "riskToOthersSexual": "Risk to others or property: Sexual harm",
    "riskToOthersFire": "Risk to others or property: Fire-setting",
    "riskToOthersAnimals": "Risk to others or property: Harm to animals",
    "riskToOthersCriminal": "Risk to others or property: Criminal exploitation",
    "riskToOthersOther": "Risk to others or property: Other (please specify)",
    "totalWeeklyCost": "Total Weekly Cost (actual weekly fee paid)",
    "placementLocation": "Placement Location",
    "preferabilityLocation": "Preferabilty of placement location",
    "educationContinuity": "Education Continuity",
    "providerURN": "Provider URN (linked to Ofsted)",
    "siblingsPlacedTogether": "How many siblings were placed together?",
    "placementType": "Placement Type",
    "referralOfficerName": "Name of officer (referral)",
    "referralDate": "Date of Data entry (referral)",
    "placementOfficerName": "Name of officer (placement)",
    "placementDate": "Date of Data entry (placement)",
    "costOfficerName": "Name of officer (placement cost)",
    "costDate": "Date of Data entry (placement cost)",
}
#: Other spellings accepted as headers of the tabular form (the prose's typos corrected).
_ALIASES: dict[str, str] = {
    "Supported Accommodation suitability": "supportedAccommodationSuitability",
    "Preferability of placement location": "preferabilityLocation",
}

#: Fields filled in when a placement is agreed: a record with any of them describes a placement,
#: and then the standard's required (1..1) ones among them must all be given.
_PLACEMENT_STAGE = frozenset(
    [f["name"] for e in _SPEC["entities"] if e["name"] == "ActualPlacement" for f in e["fields"]]
    + ["placementOfficerName", "placementDate", "costOfficerName", "costDate"]
)
#: Free text: checked for presence only, never echoed; only ``preferredLocation`` reaches an output.
_FREE_TEXT = frozenset(
    f["name"] for e in _SPEC["entities"] for f in e["fields"] if f["type"] == "String" and f["name"] != "providerURN"
)

#: Fields rcc needs that the standard does not have (it lets councils gather more fields).
EXTENSION_FIELDS: pd.DataFrame = pd.DataFrame(
    [
        ("councilId", "String", "Child's council (ONS code or name); or the council_id argument of read_pds."),
        ("dateOfBirth", "Date", "Child's date of birth; the age band is taken at reference_date (or referralDate)."),
        ("ageBand", "Categorical", "Child's age band (" + ", ".join(AGE_BANDS) + "), when no dateOfBirth is kept."),
    ],
    columns=["field", "type", "description"],
)


def _fields_frame() -> pd.DataFrame:
    rows = []
    for entity in _SPEC["entities"]:
        for f in entity["fields"]:
            name = f["name"]
            stage = "placement" if name in _PLACEMENT_STAGE else "referral"
            rows.append(
                {
                    "field": name,
                    "entity": entity["name"],
                    "label": _LABELS[name],
                    "type": f["type"],
                    "cardinality": f["cardinality"],
                    "required": "never" if f["cardinality"].startswith("0") else stage,
                    "multiple": f["cardinality"].endswith("*"),
                    "options": tuple(f.get("options", ())),
                    "description": f["description"],
                }
            )
    return pd.DataFrame(rows)


#: Every field of the standard: ``field`` (JSON name), ``entity``, ``label`` (name in the prose
#: specification, also accepted as a column header), ``type``, ``cardinality``, ``required``
#: (``"referral"``: every record; ``"placement"``: every record of an agreed placement;
#: ``"never"``), ``multiple`` (1..* lists), ``options`` (code list), ``description``.
PDS_FIELDS: pd.DataFrame = _fields_frame()
_ENTITIES = frozenset(PDS_FIELDS["entity"])
_OPTIONS: dict[str, tuple[str, ...]] = {r.field: r.options for r in PDS_FIELDS.itertuples() if r.options}


def header_key(name: Any) -> str:
    """A column header or code reduced to a matching key: case folded, punctuation and spaces as one space.
    Letters and digits of any script are kept ("Y¹" is not "Y": a character rcc does not know is never dropped
    to make a known code)."""
    return " ".join("".join(c if c.isalnum() else " " for c in str(name).casefold()).split())


#: Header key -> field name, for JSON names, prose labels, aliases and extension fields.
_HEADERS: dict[str, str] = {
    **{header_key(f): f for f in PDS_FIELDS["field"]},
    **{header_key(lab): f for f, lab in _LABELS.items()},
    **{header_key(a): f for a, f in _ALIASES.items()},
    **{header_key(f): f for f in EXTENSION_FIELDS["field"]},
}

#: Placement types of the standard -> the home type rcc gives a home built from the records.
#: The standard does not tell in-house from agency fostering: ``Foster`` is ``ifa_fostering``
#: unless the placement's provider URN is a home passed to ``read_pds(homes=...)``.
PLACEMENT_TYPE_HOME_TYPE: dict[str, str] = {
    "Foster": "ifa_fostering",
    "Residential": "childrens_home",
    "Supported Accommodation": "supported_accommodation",
}

#: The recommendation field of each placement type.
SUITABILITY_FIELDS: dict[str, str] = {
    "Foster": "fosterCareSuitability",
    "Residential": "residentialCareSuitability",
    "Supported Accommodation": "supportedAccommodationSuitability",
}


def _need_rows() -> list[tuple[str, bool, bool, str, str]]:
    need = {
        ("Foster", False, False): ("mainstream", "family-based care"),
        ("Foster", True, False): ("sibling_group", "siblings to be placed together"),
        ("Foster", False, True): ("disability", "the home must be adapted: disabled children's provision"),
        ("Foster", True, True): ("disability", "the home must be adapted: disabled children's provision"),
        ("Residential", False, False): ("complex", "complex / therapeutic residential need"),
        ("Residential", True, False): ("complex", "residential: siblings are not a separate need there"),
        ("Residential", False, True): ("disability", "the home must be adapted: disabled children's provision"),
        ("Residential", True, True): ("disability", "the home must be adapted: disabled children's provision"),
    }
    for siblings in (False, True):
        for adapted in (False, True):
            need[("Supported Accommodation", siblings, adapted)] = (
                "supported_16plus",
                "supported accommodation: 16 and 17 year olds only",
            )
    return [(t, s, a, n, note) for (t, s, a), (n, note) in need.items()]


#: How a record becomes an rcc need: one row for every combination of placement type (the
#: agreed ``placementType``, or for a request the one type the recommendation prefers),
#: ``siblings`` (``siblingCount`` of 1 or more) and ``home_adaptation`` (``homeAdaptation``).
#: Complete: every combination of valid values has exactly one row. The standard has no code
#: for secure, parent-and-child or UASC needs, so this reader never yields them.
NEED_MAPPING: pd.DataFrame = pd.DataFrame(
    _need_rows(), columns=["placement_type", "siblings", "home_adaptation", "need", "note"]
)
assert set(NEED_MAPPING["need"]) <= set(NEEDS) and set(PLACEMENT_TYPE_HOME_TYPE.values()) <= set(HOME_TYPES)

#: Age (whole years) -> rcc age band; 18 and over is no child in care (rejected).
AGE_BAND_MAPPING: pd.DataFrame = pd.DataFrame(
    [(band, lo, hi) for band, (lo, hi) in AGE_BANDS.items()], columns=["age_band", "min_age", "max_age"]
)

_MISSING = "missing required value"
_BAD_VALUE = "invalid value"
_BAD_CODE = "unknown code"
_CHILD_ID_ELSEWHERE = "a child id outside the childId field (shifted or swapped cells)"
_CONFLICT = "field given twice with different values"
_UNKNOWN_COUNCIL = "council not found"
_UNKNOWN_LOCATION = "placement location matches no council"
_NO_AGE = "no age (the standard has none: add dateOfBirth or ageBand)"
_AGE_RANGE = "age outside 0-17"
_NO_TYPE = "no single placement type recommended"
_SA_AGE = "supported accommodation for a child under 16"
_DATE_ORDER = "placement dated before the referral"
_DUPLICATE = "duplicate record"
_SUPERSEDED = "superseded by a later referral of the same child"

#: Every reason a record can be rejected for. All are data errors (``strict=True`` raises on
#: them) except ``"superseded by a later referral of the same child"``: only a child's latest
#: record is their current need or placement.
REJECTION_REASONS: tuple[str, ...] = (
    _MISSING,
    _BAD_VALUE,
    _BAD_CODE,
    _CHILD_ID_ELSEWHERE,
    _CONFLICT,
    _UNKNOWN_COUNCIL,
    _UNKNOWN_LOCATION,
    _NO_AGE,
    _AGE_RANGE,
    _NO_TYPE,
    _SA_AGE,
    _DATE_ORDER,
    _DUPLICATE,
    _SUPERSEDED,
)
_REJECTED_COLUMNS = ("table", "row", "row_id", "column", "expected", "received", "reason")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
_DATE_EXPECTED = "a date as yyyy-mm-dd or dd/mm/yyyy"
