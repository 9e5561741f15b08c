"""The layout of Ofsted's provider list: its columns, the provision types and sectors rcc maps, rejection reasons."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

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
