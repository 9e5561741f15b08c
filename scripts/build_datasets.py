"""Build the compact package data in ``rcc/datasets/data/`` from the public sources.

Usage::

    python scripts/build_datasets.py [--shared ../shared/data] [--out rcc/datasets/data]

The sources are the files described in ``SOURCES.md`` of the shared data folder
(ONS, DfE and Ofsted official statistics, Open Government Licence v3.0). The
installed package only ever reads the files written here, never the shared
folder.

The script is deterministic: rows are sorted, floats are written with a fixed
number of decimals and line endings are ``\\n``, so running it twice gives
byte-identical files. It checks the published totals with ``assert`` and stops
if the sources do not match them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import supply_sources

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "rcc" / "datasets" / "data"

UTLA_FILE = "england_upper_tier_las.csv"
SUMMARY_FILE = "dfe_cla_placement_summary_by_la_2021_2025.csv"
CHARS_FILE = "dfe_cla_31_march_by_characteristics_2021_2025.csv"
OFSTED_FILE = "ofsted_providers_and_places_31mar2023.csv"
LAD_FILE = "ons_lad_may2023_centroids_uk.csv"
LOOKUP_FILE = "ons_ltla_to_utla_apr2023_ew.csv"
N_DISTRICTS = 296
NETGAIN_FILE = "dfe_cla_la_of_placement_netgain_2020_2024.csv"
#: cla_history.csv columns taken from the placement summary (every year 2021-2025).
HISTORY_COLUMNS = (
    "placed_inside_la",
    "placed_outside_la",
    "dist_20mi_or_less",
    "dist_over_20mi",
    "inside_la_20mi_or_less",
    "inside_la_over_20mi",
    "other_la_children_placed_within_boundary",
)
NETGAIN_LABELS = {
    "1. Children who are the responsibility of other LAs placed within this LA boundary": "netgain_placed_in",
    "2. Children who are the responsibility of this LA placed outside the LA boundary": "netgain_placed_out",
}

YEAR = 2025
ENGLAND_CODE = "E92000001"
N_COUNCILS = 153

#: Regions and their number of upper-tier councils (post-April 2023 geography).
REGION_COUNTS = {
    "East Midlands": 10,
    "East of England": 11,
    "London": 33,
    "North East": 12,
    "North West": 24,
    "South East": 19,
    "South West": 15,
    "West Midlands": 14,
    "Yorkshire and The Humber": 15,
}

GREATER_MANCHESTER = (
    "Bolton",
    "Bury",
    "Manchester",
    "Oldham",
    "Rochdale",
    "Salford",
    "Stockport",
    "Tameside",
    "Trafford",
    "Wigan",
)

#: cla_2025 column -> (cla_group, characteristic) in the DfE characteristics file.
#: Columns also present in the wide summary table are cross-checked against it.
CLA_LABELS: dict[str, tuple[str, str]] = {
    "cla_total": ("Placement", "Total"),
    "foster": ("Placement", "Foster placements"),
    "secure_and_childrens_homes": ("Placement", "Secure homes and children's homes"),
    "residential_schools": ("Placement", "Residential schools"),
    "other_residential_settings": ("Placement", "Other residential settings"),
    "independent_semi_independent_supported": (
        "Placement",
        "Independent and semi-independent living arrangements/supported accommodation",
    ),
    "placed_with_parents": ("Placement", "Placed with parents or other person with parental responsibility"),
    "placed_for_adoption": ("Placement", "Placed for adoption"),
    "other_placements": ("Placement", "Other placements"),
    "dist_20mi_or_less": ("Distance between home and placement", "Placed 20 miles or less from home"),
    "dist_over_20mi": ("Distance between home and placement", "Placed more than 20 miles from home"),
    "dist_unknown": ("Distance between home and placement", "Distance not known or not recorded"),
    "placed_inside_la": ("Locality of placement", "Placed inside the local authority boundary"),
    "placed_outside_la": ("Locality of placement", "Placed outside the local authority boundary"),
    "provider_own_la": ("Place providers", "Own provision (by the LA)"),
    "provider_other_la": ("Place providers", "Other LA provision"),
    "provider_other_public": ("Place providers", "Other public provision (e.g. by a PCT etc)"),
    "provider_private": ("Place providers", "Private provision"),
    "provider_voluntary": ("Place providers", "Voluntary/third sector provision"),
    "uasc": ("Unaccompanied asylum-seeking children", "UASC"),
    "age_under_1": ("Age group", "Under 1 year"),
    "age_1_to_4": ("Age group", "1 to 4 years"),
    "age_5_to_9": ("Age group", "5 to 9 years"),
    "age_10_to_15": ("Age group", "10 to 15 years"),
    "age_16_plus": ("Age group", "16 years and over"),
}
SUMMARY_COLUMNS = tuple(c for c in CLA_LABELS if not c.startswith("age_"))
CLA_COLUMNS = ("council_id", *CLA_LABELS)

REGION_CLA_COLUMNS = ("cla_total", "placed_inside_la", "placed_outside_la", "dist_over_20mi")

#: Ofsted provision type -> rcc provision_type, with the published 2023 totals
#: (providers, places; None = places not published for the type).
OFSTED_TYPES: dict[str, tuple[str, int, int | None]] = {
    "Children's home": ("childrens_home", 3050, 11857),
    "Secure children's home": ("secure_home", 13, 214),
    "Residential special school (registered as a children's home)": ("residential_school", 56, 1457),
    "Independent Fostering Agency": ("ifa", 328, None),
}

#: Ofsted sector -> rcc sector (rcc.core.schema.SECTORS).
SECTOR_MAP = {
    "Private": "private",
    "Local Authority": "council",
    "Voluntary": "voluntary",
    "Academy": "other_public",
    "Health Authority": "other_public",
}

SUPPRESSED = {"c", "z", "x", "k", "low", ""}

ATTRIBUTION_LINES = (
    (
        "Contains National Statistics data © Crown copyright and database right 2023–2025 "
        "(ONS boundaries, centroids, lookups and population estimates)."
    ),
    (
        "Source: Department for Education, *Children looked after in England including adoptions* "
        "(2024 and 2025 releases), Open Government Licence v3.0."
    ),
    (
        "Source: Ofsted, *Children's social care data in England 2023* (official statistics, "
        "published 6 July 2023), Open Government Licence v3.0."
    ),
    (
        "Source: Ofsted, *Children's social care in England 2025* (accredited official statistics, "
        "published 16 July 2025: the count of children's home places), Open Government Licence v3.0."
    ),
)


# --------------------------------------------------------------------------- helpers


def _to_count(s: pd.Series) -> pd.Series:
    """Suppression symbols and blanks -> <NA>; everything else -> Int64 (must be whole)."""
    text = s.astype("string").fillna("").str.strip()
    bad = ~text.isin(SUPPRESSED) & ~text.str.fullmatch(r"\d+(\.0+)?").fillna(False)
    assert not bad.any(), f"unexpected values: {sorted(text[bad].unique())[:10]}"
    num = pd.to_numeric(text.where(~text.isin(SUPPRESSED)), errors="raise")
    return num.round().astype("Int64")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# --------------------------------------------------------------------------- builders


def build_councils(shared: Path) -> pd.DataFrame:
    """councils.csv: the 153 upper-tier councils with centroid, area and children 0-17."""
    src = pd.read_csv(shared / UTLA_FILE, dtype={"ons_code": str})
    assert len(src) == N_COUNCILS and src.ons_code.is_unique
    counts = src.region_name.value_counts().to_dict()
    assert counts == REGION_COUNTS, counts
    assert src.children_0_17_mid2024.sum() == 12_183_016
    out = pd.DataFrame(
        {
            "council_id": src.ons_code,
            "dfe_code": src.dfe_la_code.astype(int),
            "name": src.la_name.str.strip(),
            "region": src.region_name,
            "lat": src.centroid_lat.map("{:.6f}".format),
            "lon": src.centroid_lon.map("{:.6f}".format),
            "area_km2": src.area_km2.map("{:.1f}".format),
            "children_0_17": src.children_0_17_mid2024.astype(int),
        }
    )
    assert src.centroid_lat.between(49.8, 55.9).all() and src.centroid_lon.between(-6.5, 1.8).all()
    return out.sort_values("council_id").reset_index(drop=True)


def _characteristics(shared: Path) -> pd.DataFrame:
    d = pd.read_csv(shared / CHARS_FILE, dtype=str, keep_default_na=False)
    d = d[d.time_period == str(YEAR)].copy()
    key = ["geographic_level", "area_name", "new_la_code", "cla_group", "characteristic"]
    assert not d.duplicated(key).any()
    return d


def _pivot(long: pd.DataFrame, index: str, labels: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Wide table: one row per ``index`` value, one column per label (Int64, suppressed -> NA)."""
    cols = {}
    for col, (group, char) in labels.items():
        rows = long[(long.cla_group == group) & (long.characteristic == char)]
        assert len(rows) > 0, f"label not found: {group!r} / {char!r}"
        assert rows[index].is_unique
        cols[col] = _to_count(rows.set_index(index).number)
    return pd.DataFrame(cols)


def build_cla(shared: Path, councils: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """cla_2025.csv (one row per council) and the national figures for the same columns."""
    chars = _characteristics(shared)
    la = chars[chars.geographic_level == "Local authority"]
    assert set(la.new_la_code) == set(councils.council_id), "LA codes differ from the 153 councils"

    # Wide summary table (placement, distance, locality, provider, UASC).
    summ = pd.read_csv(shared / SUMMARY_FILE, dtype={"ons_code": str})
    summ = summ[summ.time_period == YEAR].set_index("ons_code")
    national_summary = summ.loc[ENGLAND_CODE]
    summ = summ.drop(index=ENGLAND_CODE)
    assert len(summ) == N_COUNCILS and set(summ.index) == set(councils.council_id)
    wide = pd.DataFrame({c: _to_count(summ[c]) for c in SUMMARY_COLUMNS})

    # Age groups from the characteristics file; the rest re-read to cross-check the summary.
    from_long = _pivot(la, "new_la_code", CLA_LABELS)
    for col in SUMMARY_COLUMNS:
        a, b = wide[col], from_long[col].reindex(wide.index)
        same = (a.isna() & b.isna()) | (a == b).fillna(False)
        assert same.all(), f"summary and characteristics disagree on {col}"
    age_cols = [c for c in CLA_LABELS if c.startswith("age_")]
    wide = wide.join(from_long[age_cols])

    out = wide.rename_axis("council_id").reset_index()[list(CLA_COLUMNS)]
    out = out.sort_values("council_id").reset_index(drop=True)
    assert len(out) == N_COUNCILS

    nat = chars[chars.geographic_level == "National"].assign(key="England")
    national = _pivot(nat, "key", CLA_LABELS).loc["England"]
    for col in SUMMARY_COLUMNS:
        assert national[col] == national_summary[col], col
    assert national["cla_total"] == 81_770
    return out, {k: int(v) for k, v in national.items() if pd.notna(v)}


def build_region_cla(shared: Path) -> pd.DataFrame:
    """region_cla_2025.csv: the 9 regions plus England (DfE rounds these to the nearest 10)."""
    chars = _characteristics(shared)
    reg = chars[(chars.geographic_level == "Regional") & chars.area_name.isin(list(REGION_COUNTS))]
    nat = chars[chars.geographic_level == "National"].assign(area_name="England")
    labels = {c: CLA_LABELS[c] for c in REGION_CLA_COLUMNS}
    wide = pd.concat([_pivot(reg, "area_name", labels), _pivot(nat, "area_name", labels)])
    assert sorted(wide.index) == sorted([*REGION_COUNTS, "England"])
    assert not wide.isna().any().any()
    order = [*sorted(REGION_COUNTS), "England"]
    out = wide.loc[order].rename_axis("region").reset_index()
    regions_only = out[out.region != "England"]
    england = out[out.region == "England"].iloc[0]
    for col in REGION_CLA_COLUMNS:  # regional figures are rounded, so allow a small gap
        assert abs(int(regions_only[col].sum()) - int(england[col])) <= 10 * len(REGION_COUNTS), col
    return out


def build_ofsted(shared: Path, councils: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """ofsted_providers.csv: homes, secure homes, RSS registered as homes and IFAs at 31 March 2023, with
    each provider's district in a county council (:func:`supply_sources.provider_districts`)."""
    src = pd.read_csv(shared / OFSTED_FILE, dtype=str, keep_default_na=False)
    src = src[src["Provision type"].isin(list(OFSTED_TYPES))].copy()
    assert src.URN.is_unique
    assert src.la_ons_code_2024.isin(set(councils.council_id)).all()
    unknown = set(src.Sector) - set(SECTOR_MAP)
    assert not unknown, f"unmapped sectors: {unknown}"
    sb = src["Short-break-only children's home"].str.strip()
    assert set(sb) <= {"", "Short-break-only children's home"}

    owner = src["Organisation which owns the provider"].str.strip().str.replace(r"\s+", " ", regex=True)
    owner = owner.mask(owner == "", "Unknown owner")
    # Merge spellings that differ only by letter case (e.g. "The SENAD Group Limited" /
    # "The Senad Group Limited"): the most frequent spelling wins, ties go alphabetically.
    key = owner.str.casefold()
    counts = owner.value_counts()
    canon = {}
    for k, names in owner.groupby(key):
        uniq = sorted(set(names), key=lambda n: (-counts[n], n))
        canon[k] = uniq[0]
    owner = key.map(canon)

    places = src.Places.str.strip()
    assert places.str.fullmatch(r"\d*").all()
    out = pd.DataFrame(
        {
            "urn": src.URN.str.strip(),
            "provision_type": src["Provision type"].map(lambda t: OFSTED_TYPES[t][0]),
            "council_id": src.la_ons_code_2024,
            "sector": src.Sector.map(SECTOR_MAP),
            "places": places.replace("", "0").astype(int),
            "owner": owner,
            "short_break_only": sb != "",
            "district_id": supply_sources.provider_districts(
                src.la_ons_code_2024, src["Parliamentary constituency"], districts
            ),
        }
    )
    for ptype, (code, n, n_places) in OFSTED_TYPES.items():
        rows = out[out.provision_type == code]
        assert len(rows) == n, (ptype, len(rows))
        if n_places is not None:
            assert rows.places.sum() == n_places, (ptype, rows.places.sum())
            assert (src.loc[rows.index, "Places"].str.strip() != "").all()
    return out.sort_values("urn").reset_index(drop=True)


def build_districts(shared: Path, councils: pd.DataFrame) -> pd.DataFrame:
    """districts.csv: the 296 English lower-tier districts (LTLA, April 2023) with their council, BNG centroid
    (km) and area; ``weight`` is each district's share of its council's children (equal shares within a
    county: the shared ONS 0-17 estimates are by upper-tier council only)."""
    lookup = pd.read_csv(shared / LOOKUP_FILE, dtype=str)
    lookup = lookup[lookup.LTLA23CD.str.startswith("E")]
    lad = pd.read_csv(shared / LAD_FILE, dtype={"LAD23CD": str})
    m = lookup.merge(lad, left_on="LTLA23CD", right_on="LAD23CD", how="left", validate="one_to_one")
    assert len(m) == N_DISTRICTS and m.BNG_E.notna().all()
    assert set(m.UTLA23CD) == set(councils.council_id)
    n = m.groupby("UTLA23CD").LTLA23CD.transform("size")
    out = pd.DataFrame(
        {
            "district_id": m.LTLA23CD,
            "name": m.LTLA23NM.str.strip(),
            "council_id": m.UTLA23CD,
            "x_km": (m.BNG_E / 1000).map("{:.3f}".format),
            "y_km": (m.BNG_N / 1000).map("{:.3f}".format),
            "area_km2": (m.SHAPE_Area / 1e6).map("{:.2f}".format),
            "weight": (1 / n).map("{:.6f}".format),
        }
    )
    return out.sort_values(["council_id", "district_id"]).reset_index(drop=True)


def build_history(shared: Path, councils: pd.DataFrame) -> pd.DataFrame:
    """cla_history.csv: per council and year, locality and distance figures (2021-2025) and the net-gain
    components (2020-2024): published figures the simulation is compared with (only some are fitted)."""
    src = pd.read_csv(shared / SUMMARY_FILE, dtype=str)
    src = src[src.ons_code.isin(councils.council_id)]
    summary = pd.DataFrame({"council_id": src.ons_code, "year": src.time_period.astype(int)})
    for col in HISTORY_COLUMNS:
        summary[col] = _to_count(src[col]).to_numpy()
    net = pd.read_csv(shared / NETGAIN_FILE, dtype=str)
    net = net[(net.geographic_level == "Local authority") & net.characteristic.isin(NETGAIN_LABELS)]
    net = net[net.new_la_code.isin(councils.council_id)]
    net = net.assign(
        council_id=net.new_la_code, year=net.time_period.astype(int), what=net.characteristic.map(NETGAIN_LABELS)
    )
    net = net.assign(number=_to_count(net.number)).pivot(index=["council_id", "year"], columns="what", values="number")
    out = summary.merge(net.reset_index(), on=["council_id", "year"], how="outer", validate="one_to_one")
    assert out.groupby("year").size().to_dict() == {y: N_COUNCILS for y in range(2020, 2026)}
    out = out.sort_values(["council_id", "year"]).reset_index(drop=True)
    return out.astype({c: "Int64" for c in out.columns if c not in ("council_id",)})


def build_regions(councils: pd.DataFrame) -> dict[str, list[str]]:
    """regions.json: England, the 9 regions and the two RCC pathfinders as council_id lists."""
    groups: dict[str, list[str]] = {"England": sorted(councils.council_id)}
    seen: list[str] = []
    for region in sorted(REGION_COUNTS):
        ids = sorted(councils.loc[councils.region == region, "council_id"])
        assert len(ids) == REGION_COUNTS[region], region
        groups[region] = ids
        seen += ids
    assert len(seen) == N_COUNCILS and set(seen) == set(councils.council_id)

    gm = councils[councils.name.isin(GREATER_MANCHESTER)]
    assert len(gm) == 10 and (gm.region == "North West").all()
    groups["Greater Manchester RCC"] = sorted(gm.council_id)
    se = sorted(councils.loc[councils.region == "South East", "council_id"])
    assert len(se) == 19
    groups["South East RCC"] = se
    return groups


#: ATTRIBUTION.md: ``{bullets}`` and ``{rows}`` are filled in by :func:`attribution_text`.
ATTRIBUTION_TEMPLATE = """# Data in this folder: sources and attribution

These files are data (facts and figures), not code. They are derived from UK official
statistics published under the Open Government Licence v3.0 (ONS, DfE, Ofsted;
© Crown copyright). They are written by `scripts/build_datasets.py` from the shared
source files described in that folder's `SOURCES.md`; nothing else edits them.

Attribution:

{bullets}

| file | rows |
|---|---|
{rows}

## `councils.csv`
From `{UTLA_FILE}` (ONS LAD/Counties May 2023 BGC centroids and areas, ONS mid-2024
population estimates, DfE LA codes and regions). One row per English upper-tier council
with children's services (153, post-April 2023 geography). Renamed: ons_code → council_id,
dfe_la_code → dfe_code, la_name → name, region_name → region, centroid_lat/centroid_lon →
lat/lon (6 decimals), children_0_17_mid2024 → children_0_17 (ONS mid-2024, the DfE
denominator for 31 March 2025 rates). area_km2 is the area of the ONS generalised,
coastline-clipped polygon. **lat/lon are polygon centroids, not population-weighted
centroids**: for large rural counties (North Yorkshire, Cumberland, Devon, Lincolnshire) the
population centre may be tens of km away.

## `cla_2025.csv`
Children looked after at 31 March {YEAR}, by responsible council. Placement, distance,
locality, place-provider and UASC columns from `{SUMMARY_FILE}` (time_period {YEAR}); age
columns from `{CHARS_FILE}` (LA level, cla_group "Age group"). Every summary column was
cross-checked against the characteristics file, which it was built from. DfE suppression
symbols (`c` confidential, `z` not applicable, `x` not available) are left **empty**;
nothing is imputed, so columns can sum to less than cla_total. Local-authority figures are
unrounded. The place-provider categories "Parents or other person with parental
responsibility" and "Placement provider not reported" are not included.

## `region_cla_2025.csv`
From `{CHARS_FILE}` (regional and national rows, {YEAR}): cla_total, placed inside/outside the
responsible council's boundary, placed more than 20 miles from home, for the 9 regions and
England. DfE rounds regional and national figures to the nearest 10, so regions do not sum
exactly to England. DfE publishes no "placed inside own region" figure, so there is none here.

## `ofsted_providers.csv`
From `{OFSTED_FILE}` (Ofsted providers and places at 31 March 2023, with the shared folder's
mapping to the 153 councils). Kept provision types: Children's home → childrens_home, Secure
children's home → secure_home, Residential special school (registered as a children's home)
→ residential_school, Independent Fostering Agency → ifa; both Active and Suspended
registrations. Sector: Private → private, Local Authority → council, Voluntary → voluntary,
Academy and Health Authority → other_public. Places are blank for IFAs in the source and are
written as 0 (an IFA's capacity is not published). owner is the owning organisation,
whitespace-trimmed, spellings differing only in letter case merged, blank → "Unknown owner".
urn is Ofsted's URN as published (numeric, or "SC" + 6 digits for older registrations).
short_break_only is Ofsted's short-break-only flag. Checked totals: 3,050 children's homes /
11,857 places; 13 secure children's homes / 214 places; 56 residential special schools / 1,457
places; 328 IFAs. **Cumbria caveat**: Cumbria was abolished on 1 April 2023; its 59 providers
were split between Cumberland and Westmorland and Furness by parliamentary constituency, and
the 22 in Penrith and The Border are a best fit (assigned to Westmorland and Furness).
Children's home addresses are redacted by Ofsted: the finest location is the district of the
provider's parliamentary constituency (district_id, below).

## `regions.json`
Named council groups (lists of council_id) built from `councils.csv`: "England" (153), the 9
English regions (NE 12, NW 24, Y&H 15, EM 10, WM 14, EoE 11, London 33, SE 19, SW 15), "Greater
Manchester RCC" (the 10 Greater Manchester metropolitan boroughs) and "South East RCC" (the 19
South East region councils).

## `districts.csv`
The 296 English lower-tier districts (LTLA, April 2023) from `{LOOKUP_FILE}` (ONS LTLA to UTLA
lookup, April 2023) and `{LAD_FILE}` (ONS LAD May 2023 BGC attribute table): district_id (LTLA23CD),
name, council_id (UTLA23CD), x_km/y_km (British National Grid centroid, km; BNG is used because the
published LAT/LONG of Bristol and North Somerset are placeholders) and area_km2 (polygon area).
Unitary, metropolitan and London councils are one district; the 21 county councils have 5 to 12.
**weight** is the district's share of its council's children: the ONS 0-17 estimates in the shared
folder are by upper-tier council only, so the districts of a county are weighted equally (an
approximation: shire districts differ in population by about two to one). rcc uses the file for
distances between where children live and where they are placed (`rcc.datasets.council_geometry`):
each district a disc of its area around its centroid.

## `cla_history.csv`
Per council (153, ONS codes as above) and year (31 March, 2020 to 2025): from `{SUMMARY_FILE}` (2021-2025)
placed_inside_la, placed_outside_la, dist_20mi_or_less, dist_over_20mi, inside_la_20mi_or_less,
inside_la_over_20mi (children placed inside their council's boundary, by distance from home) and
other_la_children_placed_within_boundary; from `{NETGAIN_FILE}` (DfE, 2024 release, 2020-2024)
netgain_placed_in (other councils' children placed inside this council) and netgain_placed_out (this
council's children placed outside it). Suppressed or not applicable cells (`c`, `z`, `x`) are empty.
`scripts/calibrate_simulation.py` fits to the 2025 figures only; the earlier years and the net-gain
components are printed beside the model, never fitted to.

## `simulation_calibration.json`
Not written by `scripts/build_datasets.py`: `scripts/calibrate_simulation.py` writes it (date, sources,
method, seeds, grid, the fitted parameters, the fit and the held-out agreement are in the file). Three
global parameters of `rcc.simulate`, fitted on England to the DfE 2025 per-council shares above. Held out
(printed beside the model, never fitted): each region's share placed inside its own region (DfE, FOI release
for 31 March 2023 and 2024, published in SESLIP Briefing #002: Cross-regional placements) and children in
children's homes (Ofsted, *What types of needs do children's homes offer care for?*, 8 July 2022: mean
distance 36 miles, about 30% outside their region; DfE, *Children looked after: a focus on placement
location*: 59% of children in secure and children's homes outside their council, 2015) and children with
kinship carers by locality and distance (the same release, data set 'Types of placement for CLA by distance
locality', 31 March 2015; its inside share and its shares of those outside and of those inside more than 20
miles from home are inputs of the supply and the geometry); the figures and their sources are in
`rcc/datasets/calibration.py`.
"""


#: ATTRIBUTION.md's last section: the census files, which scripts/build_census.py writes (not this script).
CENSUS_ATTRIBUTION = """
## `census_placements.csv.gz`, `census_placements.json`
Not written by `scripts/build_datasets.py`: `scripts/build_census.py` writes them from the package's own
data (nothing else is read). Today's placements of the embedded England (`rcc.datasets.england()`'s
`placements`): `rcc.simulate.census` of `england(today=False)`, the calibrated simulation of five years
from April 2020 (seed 0) re-weighted to the cohorts, so a model output, not published figures. The JSON
holds the key of what it was built from (calibration, settings, every table: `rcc.datasets.census_key`),
the date, the method and the totals; `tests/test_datasets.py` fails when the key no longer matches.
"""


def attribution_text(sizes: dict[str, int]) -> str:
    """ATTRIBUTION.md: the sources, the attribution lines and each written file's rows."""
    bullets = "\n".join(f"* {line}" for line in ATTRIBUTION_LINES)
    rows = "\n".join(f"| `{name}` | {n} |" for name, n in sizes.items())
    return (
        ATTRIBUTION_TEMPLATE.format(
            bullets=bullets,
            rows=rows,
            UTLA_FILE=UTLA_FILE,
            SUMMARY_FILE=SUMMARY_FILE,
            CHARS_FILE=CHARS_FILE,
            OFSTED_FILE=OFSTED_FILE,
            LOOKUP_FILE=LOOKUP_FILE,
            LAD_FILE=LAD_FILE,
            NETGAIN_FILE=NETGAIN_FILE,
            YEAR=YEAR,
        )
        + supply_sources.ATTRIBUTION
        + CENSUS_ATTRIBUTION
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    shared, out = args.shared.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    councils = build_councils(shared)
    cla, national = build_cla(shared, councils)
    region_cla = build_region_cla(shared)
    regions = build_regions(councils)
    districts = build_districts(shared, councils)
    ofsted = build_ofsted(shared, councils, districts)
    history = build_history(shared, councils)

    frames = {
        "councils.csv": councils,
        "cla_2025.csv": cla,
        "region_cla_2025.csv": region_cla,
        "ofsted_providers.csv": ofsted,
        "districts.csv": districts,
        "cla_history.csv": history,
        "weekly_costs.csv": supply_sources.weekly_costs(national),
        "supply_figures.csv": supply_sources.supply_figures(),
    }
    for name, df in frames.items():
        _write_csv(df, out / name)
    (out / "regions.json").write_text(json.dumps(regions, indent=1) + "\n", encoding="utf-8")
    sizes = {name: len(df) for name, df in frames.items()} | {"regions.json": len(regions)}
    (out / "ATTRIBUTION.md").write_text(attribution_text(sizes), encoding="utf-8")

    for name in [*frames, "regions.json", "ATTRIBUTION.md"]:
        print(f"{name:24s} {(out / name).stat().st_size:>8d} bytes")
    summed = cla.drop(columns="council_id").sum()
    print("column: sum over councils / England figure / councils with an empty cell")
    for col in CLA_LABELS:
        print(f"  {col:40s} {int(summed[col]):>6d} / {national.get(col, 'NA')!s:>6s} / {int(cla[col].isna().sum())}")


if __name__ == "__main__":
    main()
