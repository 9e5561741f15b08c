"""Tests of the SSDA903 reader (rcc.io.ssda903) on the fake samples and crafted frames."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rcc.core.errors import InvalidInputError
from rcc.core.schema import COHORTS, HOME_TYPES, NEEDS
from rcc.io.ssda903 import (
    PLACE_MAPPING,
    REJECTION_REASONS,
    Ssda903Result,
    load_ssda903,
    normalise_postcodes,
    read_episodes,
    read_header,
)

# fake SSDA903 samples shipped with the tests (sources, licences: SOURCES.md there); the large
# tables are byte copies, gzip-compressed (pandas reads .csv.gz paths as they are)
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "ssda903"
VALIDATOR = SAMPLES / "csc-validator-be-903"
DEMAND = SAMPLES / "cs-demand-model-regional-v1"
LIIA = SAMPLES / "liia-tools"


@pytest.fixture(scope="module")
def samples() -> Path:
    return SAMPLES


# Each sample set: (id, header, episodes, uasc, keyword arguments). The liia "fixes" file has
# no header table: an empty header makes every episode an orphan, which must be reported.
SETS = {
    "validator": (
        VALIDATOR / "header.csv.gz",
        VALIDATOR / "episodes.csv.gz",
        VALIDATOR / "uasc.csv.gz",
        {"reference_date": "2018-03-31", "council_id": "E09000033"},
    ),
    "demand-model": (
        DEMAND / "header.csv.gz",
        DEMAND / "episodes.csv.gz",
        DEMAND / "uasc.csv.gz",
        {"reference_date": "2020-03-31"},
    ),
    "liia-2020": (
        LIIA / "SSDA903_2020_header.csv",
        LIIA / "SSDA903_2020_episodes.csv",
        None,
        {"reference_date": "2019-05-01", "council_id": "E09000002"},
    ),
    "liia-fixes": (
        pd.DataFrame({"CHILD": [], "DOB": [], "LA": []}),
        LIIA / "SSDA903_episodes_for_testing_fixes_INPUT.csv",
        None,
        {"reference_date": "2019-03-31"},
    ),
}


def _load(name: str, **extra: object) -> Ssda903Result:
    header, episodes, uasc, kwargs = SETS[name]
    return load_ssda903(header, episodes, uasc=uasc, salt="test-salt", **kwargs, **extra)  # type: ignore[arg-type]


def _rows(source: object) -> int:
    if isinstance(source, pd.DataFrame):
        return len(source)
    return len(pd.read_csv(source, dtype=str))  # type: ignore[call-overload]


# --------------------------------------------------------------------------- samples


def test_samples_folder_resolves(samples: Path) -> None:
    assert (samples / "SOURCES.md").is_file()
    assert (samples / "csc-validator-be-903" / "episodes.csv.gz").is_file()


@pytest.mark.parametrize("name", list(SETS))
def test_every_sample_set_loads_and_accounts_for_every_row(samples: Path, name: str) -> None:
    header, episodes, uasc, _ = SETS[name]
    result = _load(name)
    assert isinstance(result, Ssda903Result)
    rej = result.rejected
    # every source row is either kept or rejected, never both, never neither
    for table, source, kept in (("header", header, result.header), ("episodes", episodes, result.episodes)):
        rejected_rows = set(rej.loc[rej["table"] == table, "row"])
        kept_rows = set(kept.index)
        assert kept_rows.isdisjoint(rejected_rows)
        assert kept_rows | rejected_rows == set(range(_rows(source)))
    if uasc is not None:
        assert (rej.loc[rej["table"] == "uasc", "row"] < _rows(uasc)).all()
    # placements stage rejects only episodes that were kept
    assert set(rej.loc[rej["table"] == "placements", "row"]) <= set(result.episodes.index)


def test_large_samples_keep_most_rows(samples: Path) -> None:
    validator = _load("validator")
    assert len(validator.header) == 2675 and len(validator.episodes) == 5050
    assert len(validator.placements) > 1000
    demand = _load("demand-model")
    # one header row per child and LA: the 572 distinct children
    assert len(demand.header) == 572
    assert demand.header[["council_id", "child_id"]].duplicated().sum() == 0
    assert set(demand.header["council_id"]) == {"Southwark", "Bromley", "Hillingdon"}


@pytest.mark.parametrize("name", list(SETS))
def test_rejected_rows_are_explained(samples: Path, name: str) -> None:
    rej = _load(name).rejected
    assert list(rej.columns) == ["table", "row", "child", "column", "expected", "received", "reason"]
    assert rej["table"].isin(["header", "uasc", "episodes", "placements"]).all()
    assert (rej["row"] >= 0).all() and rej["row"].dtype == np.int64
    assert rej["reason"].isin(REJECTION_REASONS).all()
    for column in ("column", "expected", "received", "reason"):
        assert rej[column].notna().all() and (rej[column].str.len() > 0).all(), column


@pytest.mark.parametrize("name", list(SETS))
def test_cohorts_sum_to_placements_minus_excluded(samples: Path, name: str) -> None:
    result = _load(name)
    placements, cohorts = result.placements, result.cohorts
    n_excluded = int(placements["excluded"].notna().sum())
    assert int(result.excluded["children"].sum()) == n_excluded
    assert int(cohorts["children"].sum()) == len(placements) - n_excluded
    assert list(cohorts.columns) == list(COHORTS.names)
    assert cohorts["cohort_id"].is_unique
    assert placements["child_id"].is_unique  # one current placement per child
    assert cohorts["need"].isin(NEEDS).all()
    assert placements["home_type"].dropna().isin(HOME_TYPES).all()
    assert (placements["age"].between(0, 17)).all()


def test_validator_sample_reports_known_oddities(samples: Path) -> None:
    result = _load("validator")
    rej = result.rejected
    # the README counts 5 children with two open episodes: each loses one to the other
    several = rej.loc[rej["reason"] == "several episodes open at reference date"]
    assert len(several) >= 5
    reasons = set(result.excluded["reason"])
    assert {"placed for adoption", "short breaks (legal status V3/V4)"} <= reasons
    # temporary placements are mapped from an earlier episode where there is one
    temp = result.placements.loc[result.placements["place"].str.startswith("T")]
    inherited = temp.loc[temp["mapped_place"] != temp["place"]]
    assert len(inherited) > 0 and not inherited["mapped_place"].str.startswith("T").any()


def test_liia_dirty_header_conflicting_dobs_are_rejected(samples: Path) -> None:
    result = _load("liia-2020")
    rej = result.rejected
    # both children have several header rows with different DOBs: nothing can be trusted
    assert set(rej.loc[rej["table"] == "header", "reason"]) == {"conflicting header rows for one child"}
    assert set(rej.loc[rej["table"] == "episodes", "reason"]) == {"child's header row rejected"}
    assert result.header.empty and result.placements.empty


def test_readers_parse_both_date_styles_and_keep_la_year(samples: Path) -> None:
    dmy = read_header(VALIDATOR / "header.csv.gz")
    iso = read_header(DEMAND / "header.csv.gz")
    assert pd.api.types.is_datetime64_any_dtype(dmy["DOB"]) and dmy["DOB"].notna().all()
    assert pd.api.types.is_datetime64_any_dtype(iso["DOB"]) and iso["DOB"].notna().all()
    assert {"LA", "YEAR"} <= set(iso.columns) and "LA" not in dmy.columns
    assert iso["YEAR"].between(2017, 2021).all()
    episodes = read_episodes(LIIA / "SSDA903_2020_episodes.csv")
    assert "TEST_COLUMN" not in episodes.columns  # only DfE columns (+ LA, YEAR) are kept
    assert episodes.loc[1, "PL_POST"] == "C25 1YT"  # 'C251YT' normalised


# --------------------------------------------------------------------------- crafted frames

REF = "2018-03-31"


def _header(**extra: list[str]) -> pd.DataFrame:
    data = {
        "CHILD": ["RAWID-GOOD", "RAWID-DATE", "RAWID-CODE", "RAWID-DEC", "RAWID-ADULT"],
        "SEX": ["1", "2", "1", "2", "1"],
        "DOB": ["01/06/2010", "15/01/2012", "2009-02-03", "01/01/2015", "01/03/2000"],
        "ETHNIC": ["WBRI"] * 5,
        "UPN": ["A123456789012"] * 5,
        "MOTHER": [""] * 5,
        "MC_DOB": [""] * 5,
    }
    data.update(extra)
    return pd.DataFrame(data)


def _episodes() -> pd.DataFrame:
    rows = [
        # CHILD, DECOM, LS, PLACE, PLACE_PROVIDER, DEC, HOME_POST, PL_POST
        ("RAWID-GOOD", "01/05/2017", "C2", "U4", "PR4", "", "M1 1AE", "L1 8JQ"),
        ("RAWID-DATE", "31/02/2017", "C2", "U4", "PR1", "", "", ""),  # no 31 February
        ("RAWID-CODE", "01/05/2017", "C2", "Q9", "PR1", "", "", ""),  # unknown PLACE
        ("RAWID-DEC", "01/05/2017", "C2", "K2", "PR4", "01/04/2017", "", ""),  # ends before it starts
        ("RAWID-ORPHAN", "01/05/2017", "C2", "K2", "PR4", "", "", ""),  # not in header
        ("RAWID-ADULT", "01/05/2017", "C2", "H5", "PR4", "", "", ""),  # 18 on 1 March 2018
    ]
    return pd.DataFrame(
        rows, columns=["CHILD", "DECOM", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "HOME_POST", "PL_POST"]
    )


def test_crafted_bad_rows_give_exactly_the_expected_reasons() -> None:
    result = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="E08000003", salt="s")
    got = set(result.rejected[["table", "row", "column", "reason"]].itertuples(index=False, name=None))
    assert got == {
        ("episodes", 1, "DECOM", "unparseable date"),
        ("episodes", 2, "PLACE", "unknown code"),
        ("episodes", 3, "DEC", "episode ends before it starts"),
        ("episodes", 4, "CHILD", "child not in header"),
        ("placements", 5, "DOB", "aged 18 or over at reference date"),
    }
    assert result.rejected.set_index("row").loc[1, "received"] == "31/02/2017"
    assert result.rejected.set_index("row").loc[2, "received"] == "Q9"
    # the good child is the only demand
    assert result.cohorts[["need", "age_band", "children"]].to_dict("records") == [
        {"need": "mainstream", "age_band": "5-10", "children": 1}
    ]
    assert result.placements["home_type"].tolist() == ["ifa_fostering"]


def test_more_row_rules() -> None:
    header = _header(DOB=["01/06/2010", "bad", "2019-02-03", "", "01/03/2000"])
    episodes = pd.DataFrame(
        {
            "CHILD": ["RAWID-GOOD", "RAWID-GOOD", "RAWID-GOOD", "RAWID-ADULT", "RAWID-ADULT"],
            "DECOM": ["01/05/2017", "01/05/2017", "01/05/2009", "01/01/1999", "01/01/2017"],
            "PLACE": ["U4", "U5", "K2", "K2", "U6"],
            "PLACE_PROVIDER": ["PR1", "PR1", "PR9", "PR1", ""],
        }
    )
    result = load_ssda903(header, episodes, reference_date=REF, council_id="E08000003", salt="s")
    got = set(result.rejected[["table", "row", "column", "reason"]].itertuples(index=False, name=None))
    assert got == {
        ("header", 1, "DOB", "unparseable date"),
        ("header", 2, "DOB", "born after reference date"),
        ("header", 3, "DOB", "missing required value"),
        ("episodes", 1, "DECOM", "duplicate episode start"),
        ("episodes", 2, "PLACE_PROVIDER", "unknown code"),
        ("episodes", 3, "DECOM", "episode starts before date of birth"),
        ("episodes", 4, "PLACE_PROVIDER", "missing required value"),
    }


def test_strict_mode_raises_on_first_bad_row_with_table_and_column() -> None:
    with pytest.raises(InvalidInputError) as info:
        load_ssda903(_header(), _episodes(), reference_date=REF, council_id="E08000003", strict=True)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.table, err.row_id, err.column) == ("episodes", 1, "DECOM")
    assert "RAWID" not in str(err) and "RAWID" not in str(err.received)
    # an orphan is reported by row and pseudonym, never by its child id
    ok = _episodes().iloc[[0, 4]].reset_index(drop=True)
    with pytest.raises(InvalidInputError) as info:
        load_ssda903(_header(), ok, reference_date=REF, council_id="E08000003", strict=True)
    assert (info.value.table, info.value.row_id, info.value.column) == ("episodes", 1, "CHILD")
    assert "RAWID" not in str(info.value)


def test_strict_readers_raise_and_lenient_readers_warn() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_episodes(_episodes(), strict=True)
    assert (info.value.table, info.value.column) == ("episodes", "DECOM")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean = read_episodes(_episodes())
    assert len(caught) == 1 and "3 row(s) rejected" in str(caught[0].message)
    assert "RAWID" not in str(caught[0].message)
    assert list(clean.index) == [0, 4, 5]


def test_raw_child_ids_never_appear_in_results(capsys: pytest.CaptureFixture[str]) -> None:
    uasc = pd.DataFrame({"CHILD": ["RAWID-GOOD", "RAWID-UNKNOWN"], "DOB": ["", ""], "DUC": ["", ""]})
    result = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="E08000003", uasc=uasc)
    frames = [result.header, result.episodes, result.rejected, result.placements, result.cohorts, result.excluded]
    for frame in frames:
        cells = [str(v) for v in frame.to_numpy().ravel()] + [str(i) for i in frame.index]
        cells += [str(c) for c in frame.columns]
        assert not [c for c in cells if "RAWID" in c]
        assert "CHILD" not in frame.columns and "UPN" not in frame.columns
    assert "RAWID" not in result.summary()
    assert "RAWID" not in capsys.readouterr().out
    # the pseudonym is 12 hex digits and depends on the salt
    assert result.header["child_id"].str.fullmatch(r"[0-9a-f]{12}").all()
    a = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="X", salt="one")
    b = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="X", salt="one")
    c = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="X", salt="two")
    assert a.header["child_id"].tolist() == b.header["child_id"].tolist()
    assert set(a.header["child_id"]).isdisjoint(c.header["child_id"])


def test_raw_child_ids_never_appear_for_a_sample(samples: Path) -> None:
    raw = set(pd.read_csv(VALIDATOR / "header.csv.gz", dtype=str)["CHILD"])
    result = _load("validator")
    for frame in (result.header, result.episodes, result.rejected, result.placements):
        for column in ("child_id", "child"):
            if column in frame.columns:
                assert raw.isdisjoint(frame[column].dropna())
        assert "CHILD" not in frame.columns


def test_current_placement_selection_at_reference_date() -> None:
    header = pd.DataFrame({"CHILD": [f"C{i}" for i in range(6)], "DOB": ["01/01/2010"] * 6})
    episodes = pd.DataFrame(
        {
            "CHILD": ["C0", "C1", "C2", "C3", "C4", "C4", "C5", "C5"],
            "DECOM": [
                "2017-01-01",  # C0 open: current
                "2017-01-01",  # C1 ends on the reference date: not current
                "2018-03-31",  # C2 starts on the reference date: current
                "2018-04-01",  # C3 starts after: not current
                "2017-01-01",  # C4 first episode, ended
                "2017-06-01",  # C4 second episode, ends after the reference date: current
                "2016-01-01",  # C5 open but superseded by a later open episode
                "2017-01-01",  # C5 later open episode: current
            ],
            "PLACE": ["U1", "K2", "K1", "U4", "U4", "R1", "U4", "U6"],
            "PLACE_PROVIDER": ["PR1"] * 8,
            "DEC": ["", "2018-03-31", "", "", "2017-06-01", "2018-04-01", "", ""],
        }
    )
    result = load_ssda903(header, episodes, reference_date=REF, council_id="E08000003", salt="s")
    current = result.placements.sort_values("episode_row")
    assert current["episode_row"].tolist() == [0, 2, 5, 7]
    assert current["place"].tolist() == ["U1", "K1", "R1", "U6"]
    assert current["home_type"].tolist() == ["kinship", "secure_home", "childrens_home", "in_house_fostering"]
    rej = result.rejected
    assert rej[["table", "row", "reason"]].values.tolist() == [
        ["placements", 6, "several episodes open at reference date"]
    ]
    assert (current["age"] == 8).all() and (current["age_band"] == "5-10").all()


def test_mapping_exclusions_temporary_and_uasc() -> None:
    header = pd.DataFrame({"CHILD": [f"C{i}" for i in range(6)], "DOB": ["01/01/2002"] * 6})
    episodes = pd.DataFrame(
        {
            "CHILD": ["C0", "C1", "C2", "C2", "C3", "C4", "C5"],
            "DECOM": ["2017-01-01", "2017-01-01", "2016-01-01", "2018-03-01", "2017-01-01", "2017-01-01", "2017-01-01"],
            "LS": ["C2", "C2", "C2", "C2", "V3", "C2", "C2"],
            "PLACE": ["A4", "T2", "U5", "T3", "U4", "H5", "U4"],
            "PLACE_PROVIDER": ["PR1", "", "PR5", "", "PR1", "PR4", "PR4"],
            "DEC": ["", "", "2018-03-01", "", "", "", ""],
        }
    )
    uasc = pd.DataFrame({"CHILD": ["C4", "C5"], "DUC": ["", "2018-01-01"]})
    result = load_ssda903(header, episodes, reference_date=REF, council_id="E08000003", uasc=uasc, salt="s")
    p = result.placements.set_index("episode_row")
    assert p.loc[0, "excluded"] == "placed for adoption"
    assert p.loc[1, "excluded"] == "temporary placement with no earlier placement"
    assert (p.loc[3, "mapped_place"], p.loc[3, "home_type"]) == ("U5", "ifa_fostering")  # from the earlier U5
    assert p.loc[4, "excluded"] == "short breaks (legal status V3/V4)"
    assert (p.loc[5, "need"], p.loc[5, "uasc"]) == ("uasc", True)  # H5 of a UASC child
    assert (p.loc[6, "need"], p.loc[6, "uasc"]) == ("mainstream", False)  # UASC status ended
    assert result.excluded.set_index("reason")["children"].to_dict() == {
        "placed for adoption": 1,
        "short breaks (legal status V3/V4)": 1,
        "temporary placement with no earlier placement": 1,
    }
    assert int(result.cohorts["children"].sum()) == 3


def test_place_mapping_table_is_complete_and_valid() -> None:
    from rcc.io.ssda903 import PLACE_CODES

    assert set(PLACE_MAPPING["place"]) == set(PLACE_CODES)
    plan = PLACE_MAPPING.loc[PLACE_MAPPING["action"] == "plan"]
    assert plan["need"].isin(NEEDS).all() and plan["home_type"].isin(HOME_TYPES).all()
    assert not PLACE_MAPPING[["place", "place_provider"]].duplicated().any()


def test_multi_year_extract_keeps_latest_year() -> None:
    header = pd.DataFrame(
        {"CHILD": ["7", "7"], "DOB": ["2010-01-01"] * 2, "LA": ["Sutton", "Sutton"], "YEAR": ["2017", "2018"]}
    )
    episodes = pd.DataFrame(
        {
            "CHILD": ["7", "7"],
            "DECOM": ["2017-01-01", "2017-01-01"],
            "PLACE": ["K2", "K2"],
            "PLACE_PROVIDER": ["PR4", "PR4"],
            "DEC": ["", "2017-12-01"],
            "LA": ["Sutton", "Sutton"],
            "YEAR": ["2017", "2018"],
        }
    )
    result = load_ssda903(header, episodes, reference_date=REF, salt="s")
    assert result.episodes.index.tolist() == [1]  # the 2018 return, with its end date
    assert result.placements.empty  # the episode ended before the reference date
    assert set(result.rejected["reason"]) == {"superseded by a later YEAR return"}
    assert load_ssda903(header, episodes, reference_date=REF, strict=True).header.index.tolist() == [1]


def test_council_id_required_without_la_column() -> None:
    with pytest.raises(InvalidInputError) as info:
        load_ssda903(_header(), _episodes(), reference_date=REF)
    assert info.value.column == "LA"


def test_missing_required_column_is_an_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_header(pd.DataFrame({"CHILD": ["1"]}))
    assert (info.value.table, info.value.column) == ("header", "DOB")


def test_column_names_are_normalised() -> None:
    frame = pd.DataFrame({" child ": ["1"], "dob": ["01/02/2010"], "Extra": ["x"]})
    header = read_header(frame)
    assert list(header.columns) == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    assert header.loc[0, "DOB"] == pd.Timestamp("2010-02-01")  # day first


# --------------------------------------------------------------------------- distances


def test_distance_manchester_to_liverpool() -> None:
    coords = pd.DataFrame({"postcode": ["M1 1AE", "l18jq"], "lat": [53.4808, 53.4084], "lon": [-2.2426, -2.9916]})
    result = load_ssda903(
        _header(), _episodes(), reference_date=REF, council_id="E08000003", postcode_coords=coords, salt="s"
    )
    miles = result.placements["distance_miles"].tolist()
    assert len(miles) == 1 and miles[0] == pytest.approx(31.2, abs=0.1)
    # unknown postcodes give NaN, not zero
    far = coords.assign(postcode=["ZZ9 9ZZ", "L1 8JQ"])
    unknown = load_ssda903(
        _header(), _episodes(), reference_date=REF, council_id="E08000003", postcode_coords=far, salt="s"
    )
    assert np.isnan(unknown.placements["distance_miles"]).all()
    none = load_ssda903(_header(), _episodes(), reference_date=REF, council_id="E08000003", salt="s")
    assert np.isnan(none.placements["distance_miles"]).all()


def test_postcodes_are_normalised() -> None:
    got = normalise_postcodes(pd.Series(["m1  1ae", "SW1A1AA", " l1 8jq ", "2TR"])).tolist()
    assert got == ["M1 1AE", "SW1A 1AA", "L1 8JQ", "2TR"]


@pytest.mark.parametrize("table,column", [("header", "SEX"), ("header", "ETHNIC"), ("episodes", "RNE"),
                                          ("episodes", "URN"), ("episodes", "LS")])
def test_a_child_id_in_another_column_is_rejected_never_copied(table, column):
    import warnings

    header = pd.DataFrame({"CHILD": ["SECRETCHILD001", "SECRETCHILD002"], "SEX": ["1", "2"],
                           "DOB": ["01/06/2010", "03/04/2012"], "ETHNIC": ["WBRI", "WBRI"]})
    episodes = pd.DataFrame({"CHILD": ["SECRETCHILD001", "SECRETCHILD002"], "DECOM": ["01/05/2017"] * 2,
                             "RNE": ["S", "S"], "LS": ["C2", "C2"], "CIN": ["N1", "N1"], "PLACE": ["U4", "K2"],
                             "PLACE_PROVIDER": ["PR1", "PR4"], "DEC": [None, None], "URN": ["SC123456", None]})
    frames = {"header": header, "episodes": episodes}
    frames[table].loc[1, column] = "SECRETCHILD001"  # a shifted cell: another child's id
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = load_ssda903(frames["header"], frames["episodes"], reference_date="2018-03-31", council_id="E09000028")
    text = " ".join(str(w.message) for w in caught) + res.summary()
    for name in ("header", "episodes", "rejected", "placements", "cohorts", "excluded"):
        text += getattr(res, name).to_csv()
    assert "SECRETCHILD" not in text.upper()
    assert (res.rejected.column == column).any()
