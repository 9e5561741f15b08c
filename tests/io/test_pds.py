"""Tests of the Placements Data Standard v2 reader (rcc.read_pds) on hand-made fixtures (tests/fixtures/pds)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

import rcc
from rcc.core.errors import InvalidInputError
from rcc.io.pds import (
    EXTENSION_FIELDS,
    NEED_MAPPING,
    PDS_FIELDS,
    PDS_VERSION,
    REJECTION_REASONS,
    PdsResult,
    read_pds,
)
from rcc.io.ssda903 import pseudonymise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pds"
VALID = FIXTURES / "valid.json"
TABULAR = FIXTURES / "valid_tabular.csv"
BAD = FIXTURES / "bad.json"


def _records(path: Path = VALID) -> list[dict]:
    data = json.loads(path.read_text())
    return data["records"] if isinstance(data, dict) else data


@pytest.fixture(scope="module")
def valid() -> PdsResult:
    return read_pds(VALID, salt="s")


def test_the_standard_as_shipped():
    assert PDS_VERSION == "v2"
    assert len(PDS_FIELDS) == 41 and PDS_FIELDS["field"].is_unique and PDS_FIELDS["label"].is_unique
    req = PDS_FIELDS.set_index("field")["required"]
    assert req["childId"] == "referral" and req["pets"] == "referral" and req["neededBy"] == "never"
    assert req["providerURN"] == "placement" and req["placementDate"] == "placement" and req["costOfficerName"] == "never"
    opts = PDS_FIELDS.set_index("field")["options"]
    assert opts["placementType"] == ("Residential", "Foster", "Supported Accommodation")
    assert set(EXTENSION_FIELDS["field"]) == {"councilId", "dateOfBirth", "ageBand"}


def test_valid_file_reads_every_record(valid):
    assert valid.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 8, "reason": "superseded by a later referral of the same child"}
    ]
    d = valid.demand
    assert len(d) == 8 and d["row"].tolist() == list(range(8))
    assert d["need"].tolist() == [
        "mainstream", "sibling_group", "complex", "supported_16plus", "disability", "complex", "mainstream",
        "supported_16plus",
    ]
    assert d["age_band"].tolist() == ["5-10", "5-10", "11-15", "16-17", "0-4", "11-15", "5-10", "16-17"]
    assert d["placed"].tolist() == [False] * 5 + [True] * 3
    assert d.loc[3, "council_id"] == "E08000002"  # "Bury" matched by name
    assert d.loc[0, "preferred_council_id"] == "E08000001" and pd.isna(d.loc[2, "preferred_council_id"])
    assert d.loc[0, "needed_by"] == "Today" and d.loc[1, "sibling_count"] == 1
    assert d.loc[5, "weekly_cost_gbp"] == 5200.0 and d.loc[5, "placement_council_id"] == "E08000010"
    assert d.loc[5, "home_id"] == "SC7730001:E08000010:childrens_home"
    assert bool(d.loc[2, "risk_missing"] == "Risk Present") and d.loc[2, "risk_self_harm"] == "No known risk"
    assert valid.cohorts["children"].sum() == 8 and valid.placements["children"].sum() == 3
    assert valid.homes["places"].tolist() == [1, 1, 1]
    assert set(valid.councils["council_id"]) == {"E08000001", "E08000002", "E08000003", "E08000006", "E08000010"}
    assert valid.sources.to_dict("records") == [{"source": "valid.json", "records": 9}]
    assert "9 records read, 8 used, 1 rejected" in valid.summary()


def test_valid_file_round_trips_into_a_region_that_plans(valid):
    region = valid.region()
    assert isinstance(region, rcc.Region) and region.cohorts["children"].sum() == 8
    plan = rcc.plan(region)
    assert plan.status == rcc.PlanStatus.OPTIMAL
    placed = plan.placements.groupby("cohort_id")["children"].sum()
    # the agreed placements are held; the requests have no free place (the records give no supply)
    for row in valid.placements.itertuples():
        assert placed[row.cohort_id] >= row.children
    assert placed.sum() + plan.shortfall["children"].sum() == 8
    assert placed.sum() == 3


def test_requests_are_placed_with_homes_passed_in(valid):
    gm = rcc.datasets.england("Greater Manchester RCC")
    records = _records()
    records[6]["ActualPlacement"]["providerURN"] = gm.homes.loc[
        gm.homes["home_type"] == "in_house_fostering", "home_id"].iloc[0]
    result = read_pds(records, homes=gm.homes, providers=gm.providers, salt="s")
    assert result.rejected["reason"].tolist() == ["superseded by a later referral of the same child"]
    assert result.demand.loc[6, "home_id"] == records[6]["ActualPlacement"]["providerURN"]
    assert len(result.homes) == len(gm.homes) + 2  # two agreed placements in homes built from the records
    plan = rcc.plan(result.region())
    assert plan.status == rcc.PlanStatus.OPTIMAL
    assert plan.shortfall["children"].sum() == 0 and plan.placements["children"].sum() == 8


def test_tabular_form_with_the_prose_names_reads_as_the_json(valid):
    tab = read_pds(TABULAR, salt="s")
    assert tab.rejected.empty
    cols = ["child_id", "request_id", "council_id", "need", "age_band", "needed_by", "communication_requirements"]
    pd.testing.assert_frame_equal(tab.demand[cols], valid.demand.loc[:3, cols])
    # and as a DataFrame with the JSON names
    # (keep_default_na=False: pandas would read the standard's codes "None" and "NA" as missing)
    frame = pd.read_csv(TABULAR, dtype=str, keep_default_na=False).rename(columns=dict(zip(PDS_FIELDS["label"], PDS_FIELDS["field"])))
    pd.testing.assert_frame_equal(read_pds(frame, salt="s").demand[cols], tab.demand[cols])


def test_flat_and_nested_records_and_folders_agree(valid, tmp_path):
    flat = [{k: v for part in r.values() for k, v in (part.items() if isinstance(part, dict) else [])} |
            {k: v for k, v in r.items() if not isinstance(v, dict)} for r in _records()]
    pd.testing.assert_frame_equal(read_pds(flat, salt="s").demand, valid.demand)
    for i, r in enumerate(_records()):
        (tmp_path / f"r{i:02d}.json").write_text(json.dumps(r))
    folder = read_pds(tmp_path, salt="s")
    pd.testing.assert_frame_equal(folder.demand, valid.demand)
    assert len(folder.sources) == 9


# (row in bad.json, field, reason); every row but 13 (the kept copy of a duplicate pair) is rejected
EXPECTED_BAD = [
    (0, "fosterCareSuitability", "unknown code"),
    (1, "pets", "missing required value"),
    (2, "referralDate", "invalid value"),
    (3, "councilId", "council not found"),
    (4, "dateOfBirth", "no age (the standard has none: add dateOfBirth or ageBand)"),
    (5, "fosterCareSuitability", "no single placement type recommended"),
    (6, "placementType", "supported accommodation for a child under 16"),
    (7, "siblingCount", "invalid value"),
    (8, "preferredLocation", "a child id outside the childId field (shifted or swapped cells)"),
    (9, "childId", "invalid value"),
    (10, "placementLocation", "placement location matches no council"),
    (11, "providerURN", "missing required value"),
    (12, "placementDate", "placement dated before the referral"),
    (14, "childId", "duplicate record"),
]


@pytest.fixture(scope="module")
def bad() -> PdsResult:
    return read_pds(BAD, salt="s")


def test_each_bad_record_gives_its_rejection(bad):
    got = list(bad.rejected[["row", "column", "reason"]].itertuples(index=False, name=None))
    assert got == EXPECTED_BAD
    assert set(bad.rejected["reason"]) <= set(REJECTION_REASONS)
    assert bad.demand["row"].tolist() == [13]  # nothing else used, nothing silently dropped
    assert bad.rejected["table"].eq("records").all()
    assert bad.rejected["row_id"].isna().tolist() == [r == 9 for r, _, _ in EXPECTED_BAD]  # no id to pseudonymise
    by_row = bad.rejected.set_index("row")
    assert by_row.loc[0, "received"] == "Maybe"
    assert by_row.loc[5, "received"] == "Foster: Preferred; Residential: Preferred; Supported Accommodation: Unsuitable"
    assert by_row.loc[9, "received"] == "a value that is not a whole number, shaped A-999999A"
    assert by_row.loc[14, "received"] == "same child as row 13"


def test_row_ids_are_the_salted_pseudonyms(bad):
    ids = pd.Series([str(r["PlacementAvailability"]["childId"]) for r in _records(BAD)])
    councils = pd.Series(["E08000001"] * len(ids))
    councils[3] = ""  # "Atlantis" matches no council: the pseudonym is taken without one
    expected = pseudonymise(ids, councils, "s")
    got = bad.rejected.set_index("row")["row_id"].dropna()
    assert got.to_dict() == expected.loc[got.index].to_dict()
    other = read_pds(BAD, salt="t").rejected["row_id"].dropna()
    assert not set(other) & set(got)


def test_strict_raises_on_the_first_bad_record():
    with pytest.raises(InvalidInputError) as err:
        read_pds(BAD, salt="s", strict=True)
    e = err.value
    assert e.table == "records" and e.column == "fosterCareSuitability" and e.received == "Maybe"
    assert e.row_id == read_pds(BAD, salt="s").rejected.loc[0, "row_id"]
    assert "unknown code" in str(e)
    # a superseded record alone is no error
    assert len(read_pds(VALID, strict=True).demand) == 8


def test_codes_match_ignoring_case_and_spacing_but_nothing_else():
    r = copy.deepcopy(_records()[0])
    r["Risks"]["riskEatingDisorder"] = "risk  present"  # the standard itself spells it both ways
    r["PlacementRequirements"]["pets"] = "YES-CAN"
    ok = read_pds([r])
    assert ok.rejected.empty and ok.demand.loc[0, "risk_eating_disorder"] == "Risk Present"
    assert ok.demand.loc[0, "pets"] == "Yes - can"
    r["PlacementRequirements"]["pets"] = "Yes"
    bad = read_pds([r]).rejected
    assert bad[["column", "received", "reason"]].values.tolist() == [["pets", "Yes", "unknown code"]]


def test_placement_fields_are_required_once_any_is_given():
    r = copy.deepcopy(_records()[0])
    r["ActualPlacement"] = {"placementType": "Foster"}
    rej = read_pds([r]).rejected
    assert set(rej["column"]) == {"totalWeeklyCost", "placementLocation", "preferabilityLocation",
                                  "educationContinuity", "providerURN", "siblingsPlacedTogether",
                                  "placementOfficerName", "placementDate", "costDate"}
    assert rej["reason"].eq("missing required value").all()


def test_age_from_date_of_birth_and_its_limits():
    r = copy.deepcopy(_records()[0])
    del r["ageBand"]
    r["dateOfBirth"] = "2014-09-02"
    assert read_pds([r]).demand.loc[0, "age_band"] == "5-10"  # 10 at the referral date, 2025-09-01
    assert read_pds([r], reference_date="2025-09-02").demand.loc[0, "age_band"] == "11-15"
    r["dateOfBirth"] = "2007-01-01"
    rej = read_pds([r]).rejected
    assert rej[["column", "received", "reason"]].values.tolist() == [["dateOfBirth", "18 years", "age outside 0-17"]]
    r["ageBand"] = "5-10"
    r["dateOfBirth"] = "2016-01-01"
    assert read_pds([r]).rejected.empty
    r["dateOfBirth"] = "2010-01-01"
    assert read_pds([r]).rejected["reason"].tolist() == ["field given twice with different values"]
    with pytest.raises(InvalidInputError, match="reference_date"):
        read_pds([r], reference_date="soon")


def test_a_field_given_twice_differently_is_rejected_not_chosen():
    r = copy.deepcopy(_records()[0])
    r["neededBy"] = "in less than 5 days"  # flat, besides the nested "Today"
    rej = read_pds([r]).rejected
    assert rej[["column", "received", "reason"]].values.tolist() == [
        ["neededBy", "two different values", "field given twice with different values"]
    ]


def test_fields_outside_the_standard_are_listed():
    r = copy.deepcopy(_records()[0]) | {"localReference": "x"}
    assert read_pds([r]).ignored_fields == ("localReference",)


def test_council_id_argument_fills_records_without_a_council():
    r = copy.deepcopy(_records()[0])
    del r["councilId"]
    assert read_pds([r]).rejected["reason"].tolist() == ["missing required value"]
    assert read_pds([r], council_id="Wigan").demand.loc[0, "council_id"] == "E08000010"
    with pytest.raises(InvalidInputError, match="council_id"):
        read_pds([r], council_id="Atlantis")


def test_to_frames_gives_every_table(valid):
    frames = valid.to_frames()
    assert set(frames) == {"demand", "rejected", "sources", "councils", "providers", "homes", "cohorts", "placements"}
    assert frames["demand"] is valid.demand


@pytest.mark.parametrize(
    ("content", "expected"),
    [("", "a JSON document"), ("{not json", "well-formed JSON"), ("[1, 2]", "a JSON object per record"), ("3", "a list")],
)
def test_unreadable_json_files(tmp_path, content, expected):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(InvalidInputError, match=expected):
        read_pds(path)


def test_a_table_without_its_header_row_is_not_echoed(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("7301001,Today,0\n7301002,Today,1\n")
    with pytest.raises(InvalidInputError) as err:
        read_pds(path)
    assert "7301001" not in str(err.value) and "no known field name" in str(err.value)


def test_the_package_exports():
    import rcc.io
    import rcc.io.pds as pds

    assert rcc.read_pds is read_pds and rcc.io.read_pds is read_pds
    assert sorted(pds.__all__) == sorted(
        ["AGE_BAND_MAPPING", "EXTENSION_FIELDS", "NEED_MAPPING", "PDS_FIELDS", "PDS_VERSION",
         "PLACEMENT_TYPE_HOME_TYPE", "PdsResult", "REJECTION_REASONS", "SUITABILITY_FIELDS", "read_pds"]
    )
    assert len(NEED_MAPPING) == 12


def test_missing_values_of_a_typed_dataframe_are_blanks():
    tab = pd.read_csv(TABULAR, dtype=str, keep_default_na=False)
    tab["Child ID"] = pd.array([7301001, 7301002, 7301003, 7301004], dtype="Int64")
    tab["Number of siblings to place with"] = pd.array([0, 1, pd.NA, 0], dtype="Int64")
    tab["Preferred location for home search"] = pd.array(["Bolton", "Bolton", pd.NA, pd.NA], dtype="string")
    result = read_pds(tab)
    assert result.rejected.empty
    assert result.demand["sibling_count"].tolist()[:2] == [0, 1] and pd.isna(result.demand.loc[2, "sibling_count"])


def test_repr_is_one_short_line_without_tables(valid, bad):
    for result in (valid, bad):
        text = repr(result)
        assert text.startswith("PdsResult(") and "\n" not in text and len(text) < 200
        assert f"{len(result.demand)} used" in text and f"{result.rejected['row'].nunique()} rejected" in text
