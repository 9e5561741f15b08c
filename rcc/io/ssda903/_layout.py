"""The DfE layout of SSDA903: table columns, valid codes, the PLACE mapping and rejection reasons."""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Columns of the DfE header table (one row per child).
HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")

#: Columns of the DfE episodes table (one row per episode of care).
EPISODE_COLUMNS: tuple[str, ...] = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)

#: Columns of the DfE UASC table (unaccompanied asylum-seeking children).
UASC_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "DUC")

#: Columns of multi-council extracts, kept when present: council (LA) and return year (YEAR).
EXTRA_COLUMNS: tuple[str, ...] = ("LA", "YEAR")

_COLUMNS = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}
_KNOWN_COLUMNS = frozenset(HEADER_COLUMNS + EPISODE_COLUMNS + UASC_COLUMNS + EXTRA_COLUMNS)
_REQUIRED = {"header": ("CHILD", "DOB"), "episodes": ("CHILD", "DECOM", "PLACE"), "uasc": ("CHILD",)}
_DATE_COLUMNS = {"header": ("DOB", "MC_DOB"), "episodes": ("DECOM", "DEC"), "uasc": ("DOB", "DUC")}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_DATE_EXPECTED = "a date as dd/mm/yyyy or yyyy-mm-dd"

#: Valid PLACE codes: the union over collection years 2022/23 to 2025/26 (rule 146 of the
#: DfE validator). H5, P2 and Z1 end in 2024/25; K3 starts in 2024/25; Z11-Z14 replace Z1
#: from 2025/26. Codes are compared upper-case.
PLACE_CODES: frozenset[str] = frozenset(
    ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1"]
    + ["T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6"]
    + ["Z1", "Z11", "Z12", "Z13", "Z14"]
)

#: Valid PLACE_PROVIDER codes (rule 178): PR0 parents, PR1 own council, PR2 another council,
#: PR3 other public, PR4 private, PR5 voluntary.
PLACE_PROVIDER_CODES: frozenset[str] = frozenset(["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"])

#: Legal statuses of short-break care (V3, V4). DfE's "looked after at 31 March" counts leave
#: these children out, so they are excluded from demand (and counted in ``excluded``).
SHORT_BREAK_LEGAL_STATUSES: frozenset[str] = frozenset(["V3", "V4"])

_FOSTER_OTHER = frozenset(["U4", "U5", "U6"])  # need PLACE_PROVIDER to tell in-house from IFA


def _mapping_rows() -> list[tuple[str, str, Any, Any, str, str]]:
    rows: list[tuple[str, str, Any, Any, str, str]] = []
    for code in ("U1", "U2", "U3"):
        rows.append((code, "*", "mainstream", "kinship", "plan", "foster care with relatives or friends"))
    for code in ("U4", "U5", "U6"):
        rows.append(
            (
                code,
                "*",
                "mainstream",
                "in_house_fostering",
                "plan",
                "foster care with council carers (own council PR1, another council PR2, other public PR3)",
            )
        )
        for provider in ("PR4", "PR5"):
            rows.append(
                (
                    code,
                    provider,
                    "mainstream",
                    "ifa_fostering",
                    "plan",
                    "foster care through a private or voluntary agency",
                )
            )
    rows += [
        ("P1", "*", "mainstream", "kinship", "plan", "placed with parents: served by the own council only"),
        ("K1", "*", "secure", "secure_home", "plan", "secure children's home"),
        ("R5", "*", "secure", "secure_home", "plan", "young offender institution: justice secure place"),
        ("K2", "*", "complex", "childrens_home", "plan", "children's home"),
        ("R1", "*", "complex", "childrens_home", "plan", "residential care home"),
        (
            "R3",
            "*",
            "parent_child",
            "childrens_home",
            "plan",
            "family centre or mother-and-baby unit: nearest home type is residential",
        ),
        ("S1", "*", "disability", "residential_school", "plan", "residential school"),
        ("H5", "*", "supported_16plus", "supported_accommodation", "plan", "semi-independent living"),
        ("K3", "*", "supported_16plus", "supported_accommodation", "plan", "registered supported accommodation"),
        ("P2", "*", "supported_16plus", "supported_accommodation", "plan", "independent living"),
        ("P3", "*", "supported_16plus", "supported_accommodation", "plan", "residential employment"),
        ("R2", "*", None, None, "exclude", "health placement (NHS or medical/nursing establishment)"),
    ]
    for code in ("A3", "A4", "A5", "A6"):
        rows.append((code, "*", None, None, "exclude", "placed for adoption"))
    for code in ("T0", "T1", "T2", "T3", "T4"):
        rows.append((code, "*", None, None, "inherit", "temporary placement"))
    for code in ("Z1", "Z11", "Z12", "Z13", "Z14"):
        rows.append((code, "*", None, None, "exclude", "other placement (Z1/Z11-Z14), type not known"))
    return rows


#: How a current placement becomes demand: PLACE (and PLACE_PROVIDER) -> need and home type.
#:
#: Columns: ``place``, ``place_provider`` (a PR code, or ``"*"`` for any provider; the exact
#: provider row wins), ``need`` (:data:`rcc.core.schema.NEEDS`), ``home_type``
#: (:data:`rcc.core.schema.HOME_TYPES`), ``action`` and ``note``. ``action`` is
#:
#: * ``"plan"``: the child is demand of cohort (council, need, age band);
#: * ``"exclude"``: the child is in care but not demand the plan meets; ``note`` is the reason
#:   written to ``placements.excluded`` (placed for adoption A3-A6, health placement R2,
#:   other placement Z1/Z11-Z14);
#: * ``"inherit"``: a temporary placement (T0-T4); the child keeps the need and home type of
#:   their latest earlier non-temporary episode, or is excluded when there is none.
#:
#: Choices worth knowing: U1-U3 and P1 (placed with parents) are kinship; U4-U6 are in-house
#: fostering unless the provider is private or voluntary (PR4/PR5: IFA); K2 and R1 are
#: children's homes for complex need; K1 and R5 (young offender institution) are secure;
#: R3 (family centre, mother and baby unit) is parent-and-child in residential care; S1
#: (residential school) is disability in a residential school; H5, K3, P2 and P3 are 16+
#: supported accommodation. UASC status (from the UASC table) turns a ``mainstream`` or
#: ``supported_16plus`` need into ``uasc``. Children on short breaks (legal status V3/V4) are
#: excluded whatever their PLACE. Pass ``place_mapping=`` to :func:`load_ssda903` to change
#: any of this.
PLACE_MAPPING: pd.DataFrame = pd.DataFrame(
    _mapping_rows(), columns=["place", "place_provider", "need", "home_type", "action", "note"]
)

_MISSING = "missing required value"
_BAD_DATE = "unparseable date"
_BAD_CODE = "unknown code"
_BAD_YEAR = "unparseable year"
_CHILD_ID_ELSEWHERE = "a child id outside the CHILD column (shifted or swapped cells)"
_ENDS_BEFORE_START = "episode ends before it starts"
_CONFLICT = "conflicting header rows for one child"
_DUP_HEADER = "duplicate header row"
_DUP_UASC = "duplicate UASC row"
_DUP_EPISODE = "duplicate episode start"
_SUPERSEDED = "superseded by a later YEAR return"
_ORPHAN = "child not in header"
_HEADER_REJECTED = "child's header row rejected"
_BORN_AFTER = "born after reference date"
_BEFORE_BIRTH = "episode starts before date of birth"
_SEVERAL_OPEN = "several episodes open at reference date"
_ADULT = "aged 18 or over at reference date"

#: Every reason a row can be rejected for. All are data errors (``strict=True`` raises on
#: them) except ``"superseded by a later YEAR return"``: multi-year extracts repeat a child or
#: episode in each YEAR's return and only the latest YEAR's row is used.
REJECTION_REASONS: tuple[str, ...] = (
    _MISSING,
    _BAD_DATE,
    _BAD_CODE,
    _BAD_YEAR,
    _ENDS_BEFORE_START,
    _CONFLICT,
    _DUP_HEADER,
    _DUP_UASC,
    _DUP_EPISODE,
    _SUPERSEDED,
    _ORPHAN,
    _HEADER_REJECTED,
    _BORN_AFTER,
    _BEFORE_BIRTH,
    _CHILD_ID_ELSEWHERE,
    _SEVERAL_OPEN,
    _ADULT,
)

_REJECTED_COLUMNS = ("table", "row", "child", "column", "expected", "received", "reason")
_TABLE_ORDER = {"header": 0, "uasc": 1, "episodes": 2, "placements": 3}
_WITHHELD = "<child id withheld>"
