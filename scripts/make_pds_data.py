"""Rebuild rcc.io.pds's package data and its test fixtures (tests/fixtures/pds).

Run from the repository root (neither the package nor the tests run this; they read what it wrote)::

    python scripts/make_pds_data.py [--shared ../shared/data]

* ``rcc/io/pds/data/placements_standard_v2.json`` and ``LICENSE-placements-standard.txt``: byte copies of
  ``placements-standard/placements.json`` and its ``LICENSE`` (Placements Data Standard v2, Data Standards
  for Social Care, MIT licence).
* ``tests/fixtures/pds/{valid.json,valid_tabular.csv,bad.json}``: invented records in the standard's layout
  (the standard publishes no example records): field names and code lists from the specification, values
  made up. Child ids 73010xx are valid records, 84020xx bad ones. Deterministic: a rebuild gives the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's rcc
DATA = ROOT / "rcc" / "io" / "pds" / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "pds"
DEFAULT_SHARED = ROOT.parents[1] / "shared" / "data"

RISKS = [
    "riskSelfHarm", "riskSexualExploitation", "riskCriminalExploitation", "riskDrugAlcohol", "riskEatingDisorder",
    "riskMissing", "riskToOthersPhysical", "riskToOthersSexual", "riskToOthersFire", "riskToOthersAnimals",
    "riskToOthersCriminal",
]
DELETE = object()


def record(child: int, council: str, band: str, **kw: Any) -> dict[str, Any]:
    """One record, fields grouped by the standard's entities (``placed``: type, URN, location, fee, date)."""
    r: dict[str, Any] = {
        "PlacementAvailability": {"childId": child, "neededBy": kw.get("needed", "in more than 5 days"),
                                  "siblingCount": kw.get("siblings", 0)},
        "PlacementRequirements": {"communicationNeeds": "N", "specificCommunicationRequirements": ["None"],
                                  "homeAdaptation": kw.get("adapt", "N"), "culturalNeeds": "Not required",
                                  "livingCompanions": "No preference", "pets": "Yes - can", "additionalSupport": "NA",
                                  "deprivationOfLiberty": "No"},
        "PlacementRecommendation": {"fosterCareSuitability": kw.get("foster", "Preferred"),
                                    "residentialCareSuitability": kw.get("res", "Unsuitable"),
                                    "supportedAccommodationSuitability": kw.get("sa", "Unsuitable")},
        "Risks": {f: "Risk Present" if f in kw.get("risks", ()) else "No known risk" for f in RISKS},
        "QualityAssurance": {"referralOfficerName": "A. Officer", "referralDate": kw.get("referral", "2025-09-01")},
        "councilId": council,
    }
    if kw.get("pref"):
        r["PlacementAvailability"]["preferredLocation"] = kw["pref"]
    if kw.get("dob"):
        r["dateOfBirth"] = kw["dob"]
    else:
        r["ageBand"] = band
    if kw.get("placed"):
        ptype, urn, loc, cost, when = kw["placed"]
        r["ActualPlacement"] = {"totalWeeklyCost": cost, "placementLocation": loc, "preferabilityLocation": "Yes",
                                "educationContinuity": "Yes", "providerURN": urn,
                                "siblingsPlacedTogether": kw.get("siblings", 0), "placementType": ptype}
        r["QualityAssurance"].update({"placementOfficerName": "B. Officer", "placementDate": when,
                                      "costOfficerName": "C. Officer", "costDate": when})
    return r


def valid_records() -> list[dict[str, Any]]:
    """5 requests, 3 agreed placements, and an earlier referral of child 7301002 (superseded)."""
    return [
        record(7301001, "E08000001", "5-10", needed="Today", pref="Bolton"),
        record(7301002, "E08000001", "5-10", siblings=1, pref="Bolton"),
        record(7301003, "E08000001", "11-15", foster="Unsuitable", res="Preferred",
               risks=("riskMissing", "riskCriminalExploitation"), needed="in less than 5 days"),
        record(7301004, "Bury", "16-17", foster="Suitable but not preferred", res="Unsuitable", sa="Preferred",
               dob="2008-05-14"),
        record(7301005, "E08000003", "0-4", adapt="Y"),
        record(7301006, "E08000001", "11-15", foster="Unsuitable", res="Preferred",
               placed=("Residential", "SC7730001", "Wigan", 5200, "2025-07-10"), referral="2025-07-01"),
        record(7301007, "E08000003", "5-10", placed=("Foster", "SC7730002", "Manchester", 880, "2025-06-20"),
               referral="2025-06-18"),
        record(7301008, "E08000003", "16-17", foster="Unsuitable", res="Unsuitable", sa="Preferred",
               placed=("Supported Accommodation", "SC7730003", "Salford", 1450, "2025-05-02"), referral="2025-04-28"),
        record(7301002, "E08000001", "5-10", siblings=1, referral="2025-03-01"),
    ]


def _bad(child: int, **changes: Any) -> dict[str, Any]:
    r = record(child, "E08000001", "11-15")
    for path, value in changes.items():
        entity, _, field = path.rpartition("__")
        target = r[entity] if entity else r
        if value is DELETE:
            target.pop(field, None)
        else:
            target[field] = value
    return r


def bad_records() -> list[dict[str, Any]]:
    """One broken rule per record (rows 0-12), then a duplicate pair (13, 14)."""
    agreed = dict(foster="Preferred", referral="2025-06-18")
    out = [
        _bad(8402001, PlacementRecommendation__fosterCareSuitability="Maybe"),
        _bad(8402002, PlacementRequirements__pets=DELETE),
        _bad(8402003, QualityAssurance__referralDate="31 Sept 2025"),
        _bad(8402004, councilId="Atlantis"),
        _bad(8402005, ageBand=DELETE),
        _bad(8402006, PlacementRecommendation__residentialCareSuitability="Preferred"),
        _bad(8402007, PlacementRecommendation__fosterCareSuitability="Unsuitable",
             PlacementRecommendation__supportedAccommodationSuitability="Preferred"),
        _bad(8402008, PlacementAvailability__siblingCount="two"),
        _bad(8402009, PlacementAvailability__preferredLocation="near 8402001's school"),
        _bad(8402010, PlacementAvailability__childId="A-840201X"),
        record(8402011, "E08000001", "5-10", placed=("Foster", "SC7730002", "Gotham", 880, "2025-06-20"), **agreed),
        record(8402012, "E08000001", "5-10", placed=("Foster", "SC7730002", "Bolton", 880, "2025-06-20"), **agreed),
        record(8402013, "E08000001", "5-10", placed=("Foster", "SC7730002", "Bolton", 880, "2025-01-20"), **agreed),
    ]
    del out[11]["ActualPlacement"]["providerURN"]
    dup = record(8402014, "E08000001", "5-10")
    return out + [dup, copy.deepcopy(dup)]


def tabular(records: list[dict[str, Any]], labels: dict[str, str]) -> list[dict[str, Any]]:
    """Records in the tabular form: one row each, the prose field names as headers, lists joined by ';'."""
    rows = []
    for r in records:
        flat: dict[str, Any] = {}
        for k, v in r.items():
            flat.update(v if isinstance(v, dict) else {k: v})
        rows.append({labels.get(k, k): ";".join(v) if isinstance(v, list) else v for k, v in flat.items()})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    source = args.shared / "placements-standard"
    shutil.copyfile(source / "placements.json", DATA / "placements_standard_v2.json")
    shutil.copyfile(source / "LICENSE", DATA / "LICENSE-placements-standard.txt")
    spec = json.loads((source / "placements.json").read_text())
    from rcc.io.pds import PDS_FIELDS  # after the copy: the labels of the fields just copied

    assert [f["name"] for e in spec["entities"] for f in e["fields"]] == PDS_FIELDS["field"].tolist()
    labels = dict(zip(PDS_FIELDS["field"], PDS_FIELDS["label"]))
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / "valid.json").write_text(json.dumps({"records": valid_records()}, indent=1))
    (FIXTURES / "bad.json").write_text(json.dumps(bad_records(), indent=1))
    rows = tabular(valid_records()[:4], labels)
    with (FIXTURES / "valid_tabular.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, list(dict.fromkeys(c for row in rows for c in row)))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {DATA} and {FIXTURES}")


if __name__ == "__main__":
    main()
