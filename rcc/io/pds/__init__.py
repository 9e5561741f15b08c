"""Read the Placements Data Standard (v2) into rcc demand and Region tables.

The Placements Data Standard (Data Standards for Social Care, v2, effective 18 July 2025; MIT
licence; its JSON specification ships with rcc as ``rcc/io/pds/data``) records, for each child
referred for a placement, when the placement is needed, siblings to place with, a preferred
location, requirements, the suitability of foster, residential and supported accommodation,
risks, and once a placement is agreed its type, provider URN, location and weekly fee.
:func:`read_pds` checks every field of every record against the standard (:data:`PDS_FIELDS`:
required fields, types, code lists; the fields of an agreed placement are required once any of
them is given) and returns a :class:`PdsResult`: a demand view (one row per child's current
record) and the Region tables ``councils``, ``homes``, ``providers``, ``cohorts`` and
``placements`` (:meth:`PdsResult.region` builds the :class:`~rcc.core.region.Region`).

What the standard does not say, rcc does not guess:

* the standard has no council and no age: the child's council is the ``councilId`` field or the
  ``council_id`` argument, and the age band comes from ``dateOfBirth`` or ``ageBand``, fields
  rcc adds (:data:`EXTENSION_FIELDS`; the standard lets councils gather more fields). A record
  without an age is rejected;
* the need comes from :data:`NEED_MAPPING` (placement type x siblings x home adaptation; every
  combination listed): the placement type is the agreed ``placementType``, or for a request the
  one type the recommendation marks ``Preferred`` (or, none preferred, the one marked
  ``Suitable but not preferred``); any other recommendation is rejected. Supported
  accommodation for a child under 16 is rejected (it is for 16 and 17 year olds);
* codes are matched ignoring case, spaces and punctuation (``"Risk present"`` is ``"Risk
  Present"``); any other value is an unknown code, rejected;
* the standard has no end date: every agreed placement is taken as current, held in place by
  :func:`rcc.plan`; a child's latest record (by ``referralDate``) is their current one, earlier
  ones are rejected as superseded.

Nothing is dropped silently: every record not used is in ``PdsResult.rejected`` with the field,
what was expected, what was received and a reason from :data:`REJECTION_REASONS`. Child ids
never leave the reader: the result carries the pseudonym ``sha256(salt|council|child id)`` (as
:func:`rcc.io.ssda903.pseudonymise`); ``received`` never shows a child id (a value holding the
digits of any child id of the batch is described by its shape), free text or an officer's name.

Examples
--------
>>> record = {
...     "childId": 1, "councilId": "Bolton", "ageBand": "11-15", "neededBy": "Today",
...     "siblingCount": 0, "communicationNeeds": "N", "specificCommunicationRequirements": ["None"],
...     "homeAdaptation": "N", "culturalNeeds": "Not required",
...     "livingCompanions": "No preference", "pets": "Yes - can",
...     "fosterCareSuitability": "Unsuitable", "residentialCareSuitability": "Preferred",
...     "supportedAccommodationSuitability": "Unsuitable", "referralDate": "2025-09-01",
...     **{r: "No known risk" for r in ("riskSelfHarm", "riskSexualExploitation",
...        "riskCriminalExploitation", "riskDrugAlcohol", "riskEatingDisorder", "riskMissing",
...        "riskToOthersPhysical", "riskToOthersSexual", "riskToOthersFire",
...        "riskToOthersAnimals", "riskToOthersCriminal")},
... }
>>> result = read_pds([record])
>>> result.cohorts.to_dict("records")
[{'cohort_id': 'E08000001:complex:11-15', 'council_id': 'E08000001', 'need': 'complex', 'age_band': '11-15', 'children': 1}]
>>> result.demand[["placed", "needed_by", "recommended_type"]].to_dict("records")
[{'placed': False, 'needed_by': 'Today', 'recommended_type': 'Residential'}]
"""

from __future__ import annotations

from rcc.io.pds._layout import (
    AGE_BAND_MAPPING,
    EXTENSION_FIELDS,
    NEED_MAPPING,
    PDS_FIELDS,
    PDS_VERSION,
    PLACEMENT_TYPE_HOME_TYPE,
    REJECTION_REASONS,
    SUITABILITY_FIELDS,
)
from rcc.io.pds._read import read_pds
from rcc.io.pds._result import PdsResult

__all__ = [
    "AGE_BAND_MAPPING",
    "EXTENSION_FIELDS",
    "NEED_MAPPING",
    "PDS_FIELDS",
    "PDS_VERSION",
    "PLACEMENT_TYPE_HOME_TYPE",
    "PdsResult",
    "REJECTION_REASONS",
    "SUITABILITY_FIELDS",
    "read_pds",
]
