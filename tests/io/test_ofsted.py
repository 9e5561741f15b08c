"""Tests of the Ofsted provider list reader (rcc.io.ofsted) on the real 2023 list and crafted frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rcc
from rcc.core.errors import InvalidInputError
from rcc.datasets import DEFAULT_WEEKLY_COST_GBP
from rcc.io.ofsted import PROVISION_MAPPING, REJECTION_REASONS, normalise_council_name, read_ofsted_providers

# every row of Ofsted's 2023 list, the columns rcc reads (sources, licence: SOURCES.md there)
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "ofsted" / "ofsted_providers_and_places_31mar2023.csv.gz"


@pytest.fixture(scope="module")
def real_path() -> Path:
    return REAL


def _raw(**overrides: list[str]) -> pd.DataFrame:
    """A small list in Ofsted's layout (one home per row unless overridden)."""
    base = {
        "URN": ["SC000001", "SC000002", "SC000003", "SC000004"],
        "Provision type": [
            "Children's home",
            "Secure children's home",
            "Residential special school (registered as a children's home)",
            "Children's home",
        ],
        "Registration status": ["Active"] * 4,
        "Sector": ["Private", "Local Authority", "Voluntary", "Academy"],
        "Places": ["4", "8", "20", "3"],
        "Short-break-only children's home": ["", "", "", "Short-break-only children's home"],
        "Organisation which owns the provider": ["Acme Care Ltd", "Bolton Council", "Hope Trust", "Bury Academy"],
        "Local authority": ["Bolton", "Bolton", "Bury", "Bury"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


# --------------------------------------------------------------------------- the real 2023 list


def test_real_list_every_row_accounted_for(real_path: Path) -> None:
    src = pd.read_csv(real_path, dtype=str, keep_default_na=False)
    r = read_ofsted_providers(real_path)
    assert len(r.homes) + r.rejected.row.nunique() + len(r.excluded) == len(src)
    # the rows sets are disjoint and cover the source
    rows = set(r.homes.row) | set(r.rejected.row) | set(r.excluded.row)
    assert rows == set(range(len(src)))
    assert not set(r.homes.row) & set(r.rejected.row)
    # only the abolished Cumbria fails to match by name: rejected with a reason, never dropped
    assert set(r.rejected.reason) == {"local authority matches no council"}
    assert set(r.rejected.received) == {"Cumbria"}
    planned = src["Provision type"].isin(PROVISION_MAPPING.provision_type) & (src["Registration status"] == "Active")
    assert r.rejected.row.nunique() == int((planned & (src["Local authority"] == "Cumbria")).sum())
    unmatched = r.council_matches[r.council_matches.match == "unmatched"]
    assert unmatched.local_authority.tolist() == ["Cumbria"]
    # name variants in the file are matched by normalisation
    m = r.council_matches.set_index("local_authority").council_id
    assert m["Bristol"] == "E06000023"
    assert m["Durham"] == "E06000047"
    assert m["St Helens"] == "E08000013"
    assert m["Bournemouth, Christchurch & Poole"] == "E06000058"
    assert m["Southend on Sea"] == "E06000033"


def test_real_list_totals_match_published_figures(real_path: Path) -> None:
    # with suspended homes and the file's own 2024 codes (Cumbria split), Ofsted's published totals
    r = read_ofsted_providers(real_path, code_column="la_ons_code_2024", include_suspended=True)
    assert r.rejected.empty
    by_type = r.homes.groupby("home_type").agg(n=("home_id", "size"), places=("places", "sum"))
    assert by_type.loc["childrens_home"].tolist() == [3050, 11857]
    assert by_type.loc["secure_home"].tolist() == [13, 214]
    assert by_type.loc["residential_school"].tolist() == [56, 1457]
    assert r.homes.home_id.is_unique


def test_real_list_agrees_with_embedded_data(real_path: Path) -> None:
    r = read_ofsted_providers(real_path, code_column="la_ons_code_2024", include_suspended=True)
    emb = rcc.datasets.ofsted_providers()
    emb = emb[emb.provision_type != "ifa"]
    mine = r.homes.groupby(["council_id", "home_type"]).places.sum().sort_index()
    theirs = emb.groupby(["council_id", "provision_type"]).places.sum().sort_index()
    theirs.index.names = ["council_id", "home_type"]
    pd.testing.assert_series_equal(mine, theirs, check_names=False)
    short = r.homes.set_index("home_id").short_break_only
    assert short[emb.urn[emb.short_break_only.astype(str) == "True"]].all()


def test_real_list_builds_a_region(real_path: Path) -> None:
    r = read_ofsted_providers(real_path)
    councils = rcc.datasets.councils()
    cohorts = pd.DataFrame(
        {"cohort_id": ["c"], "council_id": ["E08000003"], "need": ["complex"], "age_band": ["11-15"], "children": [5]}
    )
    region = rcc.Region.from_frames(councils, r.homes, cohorts, providers=r.providers, name="ofsted")
    assert region.homes.places.sum() == r.homes.places.sum()
    plan = rcc.plan(region)
    assert plan.metrics["placed"] == 5
    # providers are owners; case variants of one owner are one provider
    assert r.providers.provider_id.is_unique
    senad = r.providers[r.providers.name.str.casefold() == "the senad group limited"]
    assert len(senad) == 1
    assert (r.providers.group == r.providers.name).all()


# --------------------------------------------------------------------------- mapping rules


def test_provision_types_map_to_home_types_needs_ages_and_costs() -> None:
    r = read_ofsted_providers(_raw())
    h = r.homes.set_index("home_id")
    assert h.loc["SC000001", ["home_type", "needs", "min_age", "max_age"]].tolist() == [
        "childrens_home",
        "complex;disability",
        5,
        17,
    ]
    assert h.loc["SC000002", ["home_type", "needs", "min_age", "max_age"]].tolist() == ["secure_home", "secure", 10, 17]
    assert h.loc["SC000003", ["home_type", "needs"]].tolist() == ["residential_school", "disability;complex"]
    assert h.loc["SC000004", ["home_type", "needs", "min_age", "max_age"]].tolist() == [
        "childrens_home",
        "disability",
        0,
        17,
    ]
    assert h.short_break_only.tolist() == [False, False, False, True]
    cost = DEFAULT_WEEKLY_COST_GBP
    assert h.weekly_cost_gbp.tolist() == [
        cost["childrens_home_private"],
        cost["secure_home"],
        cost["residential_school"],
        cost["childrens_home_council"],  # academy -> other public -> council cost
    ]
    assert h.council_id.tolist() == ["E08000001", "E08000001", "E08000002", "E08000002"]
    p = r.providers.set_index("name")
    assert p.sector.to_dict() == {
        "Acme Care Ltd": "private",
        "Bolton Council": "council",
        "Bury Academy": "other_public",
        "Hope Trust": "voluntary",
    }


def test_costs_are_editable_and_unknown_sector_is_priced_as_private() -> None:
    costs = dict(DEFAULT_WEEKLY_COST_GBP, childrens_home_private=7000.0)
    r = read_ofsted_providers(_raw(Sector=["", "Local Authority", "Voluntary", "Academy"]), weekly_cost_gbp=costs)
    h = r.homes.set_index("home_id")
    assert h.weekly_cost_gbp["SC000001"] == 7000.0
    assert r.providers.set_index("name").sector["Acme Care Ltd"] == "unknown"
    with pytest.raises(InvalidInputError, match="weekly_cost_gbp"):
        read_ofsted_providers(_raw(), weekly_cost_gbp={"childrens_home_private": 1.0})


def test_custom_provision_mapping() -> None:
    extra = pd.DataFrame(
        [["Residential Special School", "*", "residential_school", "disability", 8, 17]], columns=PROVISION_MAPPING.columns
    )
    raw = _raw(**{"Provision type": ["Residential Special School"] * 4})
    assert read_ofsted_providers(raw).homes.empty
    r = read_ofsted_providers(raw, provision_mapping=pd.concat([PROVISION_MAPPING, extra]))
    assert len(r.homes) == 4 and set(r.homes.min_age) == {8}
    bad = extra.assign(needs="flying")
    with pytest.raises(InvalidInputError, match="needs"):
        read_ofsted_providers(raw, provision_mapping=bad)


# --------------------------------------------------------------------------- council names


@pytest.mark.parametrize(
    ("name", "council_id"),
    [
        ("Bristol, City of", "E06000023"),
        ("City of Bristol", "E06000023"),
        ("bristol city council", "E06000023"),
        ("Kingston upon Hull", "E06000010"),
        ("Herefordshire", "E06000019"),
        ("Durham County Council", "E06000047"),
        ("Bournemouth, Christchurch and Poole", "E06000058"),
        ("Bournemouth Christchurch & Poole Council", "E06000058"),
        ("ST HELENS", "E08000013"),
        ("Stoke on Trent", "E06000021"),
        ("Windsor & Maidenhead", "E06000040"),
        ("City of London", "E09000001"),
        ("Manchester City Council", "E08000003"),
        ("E08000003", "E08000003"),  # already a code
    ],
)
def test_council_name_variants_match(name: str, council_id: str) -> None:
    r = read_ofsted_providers(_raw(**{"Local authority": [name] * 4}))
    assert r.rejected.empty, r.rejected.to_dict("records")
    assert set(r.homes.council_id) == {council_id}


def test_every_embedded_council_name_matches_itself_uniquely() -> None:
    c = rcc.datasets.councils()
    keys = c.name.map(normalise_council_name)
    assert keys.is_unique
    assert (keys != "").all()


def test_unmatched_names_are_rejected_with_reason_and_aliases_fix_them() -> None:
    raw = _raw(**{"Local authority": ["Bolton", "Cumbria", "Atlantis", "Bury"]})
    r = read_ofsted_providers(raw)
    assert r.rejected[["row", "received", "reason"]].to_dict("records") == [
        {"row": 1, "received": "Cumbria", "reason": "local authority matches no council"},
        {"row": 2, "received": "Atlantis", "reason": "local authority matches no council"},
    ]
    assert r.homes.home_id.tolist() == ["SC000001", "SC000004"]
    fixed = read_ofsted_providers(raw, aliases={"Cumbria": "E06000063", "ATLANTIS": "E06000064"})
    assert fixed.rejected.empty
    assert fixed.homes.council_id.tolist()[1:3] == ["E06000063", "E06000064"]
    assert set(fixed.council_matches.match) == {"name", "alias"}
    with pytest.raises(InvalidInputError, match="aliases"):
        read_ofsted_providers(raw, aliases={"Cumbria": "E99999999"})


def test_custom_councils_table_and_ambiguous_names() -> None:
    councils = pd.DataFrame({"council_id": ["X1", "X2", "X3"], "name": ["Aton", "Aton Council", "Beeton"]})
    raw = _raw(**{"Local authority": ["Aton", "Beeton", "beeton", "Ceeton"]})
    r = read_ofsted_providers(raw, councils=councils)
    assert r.homes.council_id.tolist() == ["X3", "X3"]
    assert dict(zip(r.rejected.row, r.rejected.reason)) == {
        0: "local authority matches several councils",
        3: "local authority matches no council",
    }
    with pytest.raises(InvalidInputError, match="council_id"):
        read_ofsted_providers(raw, councils=councils.drop(columns="council_id"))


# --------------------------------------------------------------------------- row problems


def test_missing_and_invalid_places_missing_and_duplicate_urns_are_rejected() -> None:
    raw = pd.concat([_raw(), _raw()], ignore_index=True)
    raw["URN"] = ["A", "B", "C", "D", "E", "", "G", "A"]
    raw["Places"] = ["", "four", "-1", "2.5", "3.0", "2", "1,2", "5"]
    r = read_ofsted_providers(raw)
    got = sorted(zip(r.rejected.row, r.rejected.reason))
    assert got == [
        (0, "missing places"),
        (1, "invalid places"),
        (2, "invalid places"),
        (3, "invalid places"),
        (5, "missing URN"),
        (6, "invalid places"),  # "1,2" is not a number as written (only "1,200"-style separators are)
        (7, "duplicate URN"),
    ]
    assert set(r.rejected.reason) <= set(REJECTION_REASONS)
    assert r.rejected.loc[r.rejected.row == 7, "received"].item() == "same as row 0"
    assert r.homes.set_index("home_id").places["E"] == 3
    assert len(r.homes) + r.rejected.row.nunique() + len(r.excluded) == len(raw)


def test_thousands_separator_in_places_is_read() -> None:
    r = read_ofsted_providers(_raw(Places=["1,200", "8", "20", "3"]))
    assert r.homes.places.tolist() == [1200, 8, 20, 3]


def test_strict_raises_on_the_first_rejected_row() -> None:
    with pytest.raises(InvalidInputError, match="invalid places"):
        read_ofsted_providers(_raw(Places=["4", "x", "20", "3"]), strict=True)


def test_excluded_types_and_suspended_homes() -> None:
    raw = _raw(
        **{
            "Provision type": ["Independent Fostering Agency", "Children's home", "Boarding School", "Children's home"],
            "Registration status": ["Active", "Suspended", "Active", "Active"],
            "Places": ["", "4", "", "3"],
        }
    )
    r = read_ofsted_providers(raw)
    assert r.rejected.empty  # missing places of an IFA is not a problem: IFAs are not planned here
    assert r.excluded[["row", "reason"]].to_dict("records") == [
        {"row": 0, "reason": "provision type not planned by rcc"},
        {"row": 1, "reason": "registration not active (Suspended)"},
        {"row": 2, "reason": "provision type not planned by rcc"},
    ]
    assert read_ofsted_providers(raw, include_suspended=True).homes.home_id.tolist() == ["SC000002", "SC000004"]


def test_owner_spellings_merge_and_missing_owner_is_its_own_provider() -> None:
    raw = _raw(
        **{
            "Organisation which owns the provider": ["Acme Care Ltd", "ACME CARE LTD", "Acme  Care Ltd.", ""],
            "Sector": ["Private"] * 4,
        }
    )
    r = read_ofsted_providers(raw)
    assert r.homes.provider_id.nunique() == 2
    acme = r.providers[r.providers.homes == 3]
    assert acme.name.item() == "ACME CARE LTD"  # one row per spelling: the first in sort order wins
    assert acme.places.item() == 4 + 8 + 20
    unknown = r.providers[r.providers.homes == 1]
    assert unknown.name.item() == "Unknown owner (URN SC000004)"


def test_input_not_mutated_and_missing_column_raises() -> None:
    raw = _raw()
    before = raw.copy()
    read_ofsted_providers(raw)
    pd.testing.assert_frame_equal(raw, before)
    with pytest.raises(InvalidInputError, match="Places"):
        read_ofsted_providers(raw.drop(columns="Places"))
    with pytest.raises(InvalidInputError, match="la_code"):
        read_ofsted_providers(raw, code_column="la_code")


def test_headings_are_matched_loosely_and_optional_columns_may_be_absent() -> None:
    raw = _raw().rename(columns={"Provision type": "PROVISION TYPE", "Local authority": "local_authority"})
    raw = raw.drop(columns=["Sector", "Organisation which owns the provider", "Registration status"])
    r = read_ofsted_providers(raw)
    assert len(r.homes) == 4
    assert set(r.providers.sector) == {"unknown"}


def test_reads_csv_and_excel_with_title_lines(tmp_path: Path) -> None:
    raw = _raw()
    csv = tmp_path / "list.csv"
    raw.to_csv(csv, index=False)
    a = read_ofsted_providers(csv)
    xlsx = tmp_path / "list.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as w:
        pd.DataFrame({"x": ["Notes"]}).to_excel(w, sheet_name="Notes", index=False)
        title = pd.DataFrame([["Providers and places at 31 March 2023"], [""]])
        title.to_excel(w, sheet_name="Providers", index=False, header=False)
        raw.to_excel(w, sheet_name="Providers", index=False, startrow=3)
    b = read_ofsted_providers(xlsx)
    cols = ["home_id", "council_id", "home_type", "places", "needs", "weekly_cost_gbp"]
    pd.testing.assert_frame_equal(a.homes[cols], b.homes[cols])
    assert b.homes.row.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bristol, City of", "BRISTOL"),
        ("Herefordshire, County of", "Herefordshire Council"),
        ("Royal Borough of Greenwich", "Greenwich"),
        ("London Borough of Hackney", "Hackney"),
        ("The Wirral Council", "Wirral"),
    ],
)
def test_normalise_council_name_equivalences(a: str, b: str) -> None:
    assert normalise_council_name(a) == normalise_council_name(b)


def test_normalise_council_name_keeps_distinct_councils_apart() -> None:
    assert normalise_council_name("Richmond upon Thames") != normalise_council_name("Richmond")
    assert normalise_council_name("North Yorkshire") != normalise_council_name("York")
    assert normalise_council_name(None) == ""
