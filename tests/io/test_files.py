"""Files the readers meet in practice: encodings, empty and malformed CSV, missing headers,
title lines, non-numeric values; and raw child ids never in an error or a rejected row.

The fixture files in ``tests/io/fixtures`` hold fake data only (``SECRETCHILD...`` ids).
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rcc.core.csvfiles import INT64_MAX, parse_whole_numbers, read_records
from rcc.core.errors import InvalidInputError
from rcc.io.ofsted import read_ofsted_providers
from rcc.io.ssda903 import load_ssda903, read_episodes, read_header

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "SECRETCHILD"
REF = "2018-03-31"


def _no_secret(err: InvalidInputError) -> None:
    for text in (str(err), repr(err.received), repr(err.row_id), repr(err.table), repr(err.column)):
        assert SECRET not in text


# --------------------------------------------------------------------------- 7c: child ids


@pytest.mark.parametrize(("reader", "name"), [(read_header, "header"), (read_episodes, "episodes")])
def test_file_without_header_row_names_no_child_id(reader, name) -> None:
    with pytest.raises(InvalidInputError) as info:
        reader(FIXTURES / f"{name}_no_header_row.csv")
    err = info.value
    _no_secret(err)
    assert err.table == f"{name} ({name}_no_header_row.csv)"
    assert err.row_id == "line 1"
    assert "header row" in err.expected and "looks like data" in err.received


def test_missing_column_lists_only_known_column_names() -> None:
    frame = pd.DataFrame({"CHILD": ["x"], "SECRETCHILD001": ["y"], "Extra": ["z"]})
    with pytest.raises(InvalidInputError) as info:
        read_header(frame)
    _no_secret(info.value)
    assert info.value.column == "DOB"
    assert info.value.received == ["CHILD", "2 other column(s), names not shown (they may be data)"]


def test_child_and_dob_swapped_never_echoes_a_child_id() -> None:
    episodes = pd.DataFrame({"CHILD": [], "DECOM": [], "PLACE": []})
    result = load_ssda903(
        FIXTURES / "header_child_dob_swapped.csv", episodes, reference_date="2018-03-31", council_id="E08000001"
    )
    rejected = result.rejected
    assert not rejected.astype(str).apply(lambda s: s.str.contains(SECRET)).any().any()
    dob = rejected.loc[rejected["column"] == "DOB"]
    assert dob["reason"].tolist() == ["unparseable date", "unparseable date"]
    assert dob["received"].tolist() == ["a value that is not a date, shaped AAAAAAAAAAA999"] * 2
    with pytest.raises(InvalidInputError) as info:
        read_header(FIXTURES / "header_child_dob_swapped.csv", strict=True)
    _no_secret(info.value)
    assert (info.value.table, info.value.row_id, info.value.column) == ("header", 0, "DOB")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_header(FIXTURES / "header_child_dob_swapped.csv")
    assert caught and all(SECRET not in str(w.message) for w in caught)


def test_child_id_in_a_code_column_is_withheld_and_real_codes_are_echoed() -> None:
    result = load_ssda903(
        FIXTURES / "header_ok.csv",
        FIXTURES / "episodes_child_in_place.csv",
        reference_date="2018-03-31",
        council_id="E08000001",
    )
    rejected = result.rejected.set_index(["row", "column"])["received"]
    assert rejected[(0, "PLACE")] == "a value that is not a code, shaped AAAAAAAAAAA999"
    assert rejected[(1, "PLACE_PROVIDER")] == "a value that is not a code, shaped AAAAAAAAAAA999"
    assert rejected[(2, "PLACE")] == "X9"  # an unknown code is worth showing
    assert not result.rejected.astype(str).apply(lambda s: s.str.contains(SECRET)).any().any()


def test_typo_dates_are_still_shown() -> None:
    header = pd.DataFrame({"CHILD": ["A", "B"], "DOB": ["31/02/2010", "2010-13-01"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = load_ssda903(
            header, pd.DataFrame({"CHILD": [], "DECOM": [], "PLACE": []}), reference_date="2018-03-31", council_id="X"
        )
    assert result.rejected["received"].tolist() == ["31/02/2010", "2010-13-01"]


def test_date_equal_to_a_child_id_is_withheld() -> None:
    header = pd.DataFrame({"CHILD": ["31/02/2010", "B"], "DOB": ["01/02/2010", "31/02/2010"]})
    result = load_ssda903(
        header, pd.DataFrame({"CHILD": [], "DECOM": [], "PLACE": []}), reference_date="2018-03-31", council_id="X"
    )
    assert result.rejected["received"].tolist() == ["a value that is not a date, shaped 99/99/9999"]


# --------------------------------------------------------------------------- 8: encodings


def _ofsted_owner(path: Path) -> list[str]:
    return sorted(read_ofsted_providers(path).providers["name"])


def test_utf8_with_and_without_bom_and_utf16_read_the_same() -> None:
    expected = ["Bolton Council", "Soci\u00e9t\u00e9 Care\u2019s Homes Ltd"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning for these
        for name in ("ofsted_utf8.csv", "ofsted_utf8_bom.csv", "ofsted_utf16.csv"):
            assert _ofsted_owner(FIXTURES / name) == expected, name


def test_cp1252_file_is_read_with_a_warning_naming_the_file() -> None:
    message = r"ofsted \(ofsted_cp1252.csv\): not valid UTF-8 \(first at line 2\); read as cp1252"
    with pytest.warns(UserWarning, match=message):
        owners = _ofsted_owner(FIXTURES / "ofsted_cp1252.csv")
    assert owners == ["Bolton Council", "Soci\u00e9t\u00e9 Care\u2019s Homes Ltd"]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    with pytest.warns(UserWarning, match="read as latin-1"):
        owners = _ofsted_owner(FIXTURES / "ofsted_latin1_undefined_in_cp1252.csv")
    assert owners == ["Bolton Council", "Soci\u00e9t\u00e9 Care\x81's Homes Ltd"]


def test_utf16_without_bom_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_header(FIXTURES / "header_utf16_no_bom.csv")
    assert info.value.table == "header (header_utf16_no_bom.csv)"
    assert "NUL" in info.value.received
    _no_secret(info.value)


def test_broken_utf16_after_its_bom_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("CHILD,DOB\nA,01/02/2010\n".encode("utf-16") + b"\x00\xd8")  # a lone surrogate at the end
    with pytest.raises(InvalidInputError) as info:
        read_header(path)
    assert info.value.row_id == "line 3"
    assert "utf-16" in info.value.expected


# --------------------------------------------------------------------------- 8: empty and malformed files


@pytest.mark.parametrize("name", ["empty.csv", "blank.csv"])
def test_empty_files_are_errors_for_every_reader(name: str) -> None:
    path = FIXTURES / name
    ok = FIXTURES / "header_ok.csv"
    for call, table in (
        (lambda: read_header(path), "header"),
        (lambda: read_episodes(path), "episodes"),
        (lambda: read_ofsted_providers(path), "ofsted"),
        (lambda: load_ssda903(ok, path, reference_date="2018-03-31", council_id="X"), "episodes"),
        (lambda: load_ssda903(ok, ok, reference_date=REF, council_id="X", postcode_coords=path), "postcode_coords"),
    ):
        with pytest.raises(InvalidInputError) as info:
            call()
        assert info.value.table == f"{table} ({name})"
        assert info.value.received == "an empty file"


def test_unclosed_quote_names_the_line_it_opens_on() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_episodes(FIXTURES / "episodes_unclosed_quote.csv")
    err = info.value
    assert (err.table, err.row_id) == ("episodes (episodes_unclosed_quote.csv)", "line 3")
    assert "closing quote" in err.expected
    _no_secret(err)


def test_text_after_a_closing_quote_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text('CHILD,DOB\nA,"01/02/2010"x\n')
    with pytest.raises(InvalidInputError) as info:
        read_header(path)
    assert info.value.row_id == "line 2" and "after a closing quote" in info.value.received


def test_extra_field_names_the_line_and_not_the_value() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_episodes(FIXTURES / "episodes_extra_field.csv")
    err = info.value
    assert err.row_id == "line 4"  # the blank line 3 counts
    assert err.received == "7 fields, the last non-blank one being field 7"
    assert "at most 6 fields" in err.expected
    _no_secret(err)


def test_short_row_names_the_line() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_episodes(FIXTURES / "episodes_short_row.csv")
    assert (info.value.row_id, info.value.received) == ("line 3", "3 field(s)")


def test_blank_trailing_fields_and_header_cells_are_fine() -> None:
    episodes = read_episodes(FIXTURES / "episodes_trailing_blank_fields.csv")
    assert episodes.index.tolist() == [0, 1]
    assert episodes["PLACE"].tolist() == ["U4", "U4"]


def test_multiline_quoted_field_keeps_row_numbers_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text('CHILD,DOB,SEX\nA,01/02/2010,"1\n2"\nB,01/02/2011,1\nC,01/02/2012\n')
    with pytest.raises(InvalidInputError) as info:
        read_header(path)
    assert info.value.row_id == "line 5"  # the quoted field spans lines 2-3


# --------------------------------------------------------------------------- 8: Ofsted title lines


def test_ofsted_csv_with_title_lines_above_the_heading() -> None:
    r = read_ofsted_providers(FIXTURES / "ofsted_title_lines.csv")
    assert r.homes[["home_id", "council_id", "places"]].to_dict("records") == [
        {"home_id": "SC000001", "council_id": "E08000001", "places": 4},
        {"home_id": "SC000002", "council_id": "E08000002", "places": 8},
    ]
    assert r.homes["row"].tolist() == [0, 1]


def test_ofsted_csv_without_urn_heading_names_the_file() -> None:
    with pytest.raises(InvalidInputError) as info:
        read_ofsted_providers(FIXTURES / "ofsted_no_urn.csv")
    assert (info.value.table, info.value.column) == ("ofsted (ofsted_no_urn.csv)", "URN")


# --------------------------------------------------------------------------- 6: integers from files


def test_ofsted_places_must_be_whole_numbers_that_fit() -> None:
    r = read_ofsted_providers(FIXTURES / "ofsted_places_bad.csv")
    bad = r.rejected.set_index("urn")
    assert set(bad.index) == {f"SC00000{i}" for i in range(1, 7)}
    assert set(bad["reason"]) == {"invalid places"}
    assert bad.loc["SC000004", "received"] == "9223372036854775808"
    assert r.homes.set_index("home_id")["places"].to_dict() == {"SC000007": 1200, "SC000008": 4}
    assert (r.homes["places"] >= 0).all() and (r.providers["places"] >= 0).all()


def test_ofsted_places_in_memory_booleans_and_huge_floats_are_rejected() -> None:
    raw = pd.DataFrame(
        {
            "URN": ["SC1", "SC2", "SC3"],
            "Provision type": ["Children's home"] * 3,
            "Places": [True, 1e20, 4.0],
            "Local authority": ["Bolton"] * 3,
        }
    )
    r = read_ofsted_providers(raw)
    assert r.rejected[["urn", "reason"]].to_dict("records") == [
        {"urn": "SC1", "reason": "invalid places"},
        {"urn": "SC2", "reason": "invalid places"},
    ]
    assert r.homes["places"].tolist() == [4]


def test_ofsted_places_that_overflow_a_sum_raise() -> None:
    raw = pd.DataFrame(
        {
            "URN": ["SC1", "SC2"],
            "Provision type": ["Children's home"] * 2,
            "Places": [str(2**62)] * 2,
            "Local authority": ["Bolton"] * 2,
        }
    )
    with pytest.raises(InvalidInputError, match="total places"):
        read_ofsted_providers(raw)


def test_year_must_be_written_as_a_whole_year() -> None:
    header = pd.DataFrame(
        {"CHILD": ["A", "B", "C", "D"], "DOB": ["01/02/2010"] * 4, "YEAR": ["2.021e3", "2021.5", "2021", "True"]}
    )
    with pytest.warns(UserWarning, match="3 row"):
        clean = read_header(header)
    assert clean.index.tolist() == [2]
    assert clean["YEAR"].tolist() == [2021]


def test_region_csv_integer_columns(tiny, tmp_path: Path) -> None:
    import rcc

    tiny.to_dir(tmp_path)
    homes = (tmp_path / "homes.csv").read_text().splitlines()
    for bad in ("1e1", "5.5", "True", "9223372036854775808"):
        fields = next(csv.reader([homes[1]]))
        fields[homes[0].split(",").index("places")] = bad
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(fields)
        (tmp_path / "homes.csv").write_text("\n".join([homes[0], buf.getvalue().rstrip("\n"), *homes[2:]]) + "\n")
        with pytest.raises(InvalidInputError) as info:
            rcc.Region.from_dir(tmp_path)
        assert (info.value.table, info.value.row_id, info.value.column) == ("homes (homes.csv)", "line 2", "places")
        assert info.value.received == bad


def test_region_csv_malformed_and_cp1252(tiny, tmp_path: Path) -> None:
    import rcc

    tiny.to_dir(tmp_path)
    councils = tmp_path / "councils.csv"
    text = councils.read_text()
    councils.write_bytes(text.replace("Aton", "\u00c5ton").encode("cp1252"))
    with pytest.warns(UserWarning, match="councils.csv"):
        region = rcc.Region.from_dir(tmp_path)
    assert "\u00c5ton" in set(region.councils["name"])
    councils.write_text(text + ",".join(["X"] * 12) + "\n")
    with pytest.raises(InvalidInputError) as info:
        rcc.Region.from_dir(tmp_path)
    assert info.value.table == "councils (councils.csv)" and info.value.row_id.startswith("line ")
    (tmp_path / "region.json").write_text("{not json")
    with pytest.raises(InvalidInputError, match="region.json"):
        rcc.Region.from_dir(tmp_path)


# --------------------------------------------------------------------------- 8: postcode coordinates


def _load_with_coords(coords):  # type: ignore[no-untyped-def]
    header = pd.DataFrame({"CHILD": ["A"], "DOB": ["01/06/2010"]})
    episodes = pd.DataFrame(
        {"CHILD": ["A"], "DECOM": ["2017-05-01"], "PLACE": ["U4"], "PLACE_PROVIDER": ["PR4"],
         "HOME_POST": ["M1 1AE"], "PL_POST": ["L1 8JQ"]}
    )
    return load_ssda903(header, episodes, reference_date="2018-03-31", council_id="X", postcode_coords=coords)


def test_non_numeric_latitude_is_an_error_not_a_dropped_row() -> None:
    with pytest.raises(InvalidInputError) as info:
        _load_with_coords(FIXTURES / "postcode_coords_bad_lat.csv")
    err = info.value
    assert (err.table, err.row_id, err.column, err.received) == (
        "postcode_coords (postcode_coords_bad_lat.csv)", "line 3", "lat", "north"
    )
    frame = pd.DataFrame({"postcode": ["M1 1AE", "L1 8JQ"], "lat": [53.48, np.nan], "lon": [-2.24, -2.99]})
    with pytest.raises(InvalidInputError) as info:
        _load_with_coords(frame)
    assert (info.value.row_id, info.value.column) == (1, "lat")
    with pytest.raises(InvalidInputError) as info:
        _load_with_coords(frame.assign(lat=[53.48, 53.40], postcode=["M1 1AE", None]))
    assert (info.value.row_id, info.value.column) == (1, "postcode")
    with pytest.raises(InvalidInputError, match="one position per postcode"):
        _load_with_coords(pd.DataFrame({"postcode": ["M1 1AE"] * 2 + ["L1 8JQ"] * 2, "lat": [53.0, 53.0, 53.1, 53.2],
                                        "lon": [-2.0] * 4}))


def test_postcode_coords_read_from_a_file() -> None:
    result = _load_with_coords(FIXTURES / "postcode_coords.csv")
    assert result.placements["distance_miles"].tolist() == pytest.approx([31.2], abs=0.1)


# --------------------------------------------------------------------------- properties


_FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)


@given(st.lists(st.lists(_FIELD, min_size=3, max_size=3), min_size=1, max_size=6))
def test_records_round_trip_through_csv_writer(rows: list[list[str]]) -> None:
    import tempfile

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        records = read_records(path, "t")
    assert [fields for _, fields in records] == rows
    # each record starts on the line after the previous record's last line
    lines = [1 + sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in r) for r in rows]
    assert [line for line, _ in records] == [1 + sum(lines[:i]) for i in range(len(rows))]


@given(st.integers(min_value=0, max_value=INT64_MAX))
def test_whole_numbers_in_range_parse_exactly(n: int) -> None:
    values, bad = parse_whole_numbers(pd.Series([str(n), f"{n}.0", f"{n:,}"]), grouping=True)
    assert values.tolist() == [n, n, n] and not bad.any()


@given(st.one_of(st.integers(min_value=INT64_MAX + 1), st.integers(max_value=-1)))
def test_whole_numbers_out_of_range_are_bad(n: int) -> None:
    values, bad = parse_whole_numbers(pd.Series([str(n)]))
    assert values.tolist() == [None] and bad.tolist() == [True]


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not float(x).is_integer()) | st.booleans())
def test_non_integers_and_booleans_are_bad(x: float | bool) -> None:
    values, bad = parse_whole_numbers(pd.Series([str(x), repr(x)]))
    assert bad.all() and values.isna().all()


# --------------------------------------------------------------------------- OR-Library files


def test_orlib_files_empty_binary_or_cp1252(tmp_path: Path) -> None:
    from rcc.sufficiency.orlib import read_capopt, read_cflp

    path = tmp_path / "cap0.txt"
    path.write_text("1 1\n10 5\n3 7\n")
    inst = read_cflp(path)
    assert (inst.capacities.tolist(), inst.demands.tolist(), inst.costs.tolist()) == ([10.0], [3.0], [[7.0]])
    path.write_bytes(b"")
    with pytest.raises(InvalidInputError, match="'m n'"):
        read_cflp(path)
    path.write_bytes("1 1\n10 5\n3 7\n".encode("utf-16-le"))
    with pytest.raises(InvalidInputError, match="NUL"):
        read_cflp(path)
    opt = tmp_path / "capopt.txt"
    opt.write_bytes(b"Optimal values \xa9 Beasley\ncap0  1040444.375\n")
    with pytest.warns(UserWarning, match="read as cp1252"):
        assert read_capopt(opt) == {"cap0": 1040444.375}


def test_gzipped_csv_is_read_and_a_damaged_one_is_named(tmp_path):
    import gzip

    from rcc.core.csvfiles import read_records

    good = tmp_path / "t.csv.gz"
    good.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert len(read_records(good, "t")) == 2
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b"a,b\n1,2\n" * 100)[:30])
    with pytest.raises(InvalidInputError, match="damaged"):
        read_records(bad, "t")
