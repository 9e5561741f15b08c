"""The embedded England default: real councils, calibrated demand and supply."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.datasets import england


def test_councils_are_the_153_english_upper_tier_councils():
    c = rcc.datasets.councils()
    assert len(c) == 153 and c.council_id.is_unique
    assert c.council_id.str.match(r"^E(06|08|09|10)\d{6}$").all()
    assert c.children_0_17.sum() == 12_183_016
    assert c.lat.between(49.8, 55.9).all() and c.lon.between(-6.5, 1.8).all()


def test_named_regions():
    groups = rcc.datasets.regions()
    counts = {k: len(v) for k, v in groups.items()}
    assert counts["Greater Manchester RCC"] == 10 and counts["South East RCC"] == 19
    nine = [k for k in groups if k not in ("England", "Greater Manchester RCC", "South East RCC")]
    assert len(nine) == 9 and sum(counts[k] for k in nine) == 153
    assert set(groups["Greater Manchester RCC"]) <= set(groups["North West"])


def test_generator_is_deterministic_and_seeded():
    a, b, c = england(seed=0), england(seed=0), england(seed=1)
    pd.testing.assert_frame_equal(a.cohorts, b.cohorts)
    pd.testing.assert_frame_equal(a.homes, b.homes)
    assert not a.homes.equals(c.homes) or not a.cohorts.equals(c.cohorts)


def test_demand_matches_dfe_children_looked_after():
    """Every child looked after is demand, except those placed for adoption."""
    summary = rcc.datasets.england_demand_summary()
    cla = rcc.datasets.cla_2025().set_index("council_id")
    known = cla.cla_total.notna() & cla.placed_for_adoption.notna()
    s = summary.set_index("council_id")[known]
    gap = (s.cla_total - s.placed_for_adoption - s.demand_children).abs()
    assert (gap <= 2).all(), gap[gap > 2]
    total = england().cohorts.children.sum()
    assert 78_000 < total < 81_770


def test_residential_supply_is_the_real_ofsted_places_grown_to_2025():
    """The supply's residential homes hold Ofsted's listed places (31 March 2023), private children's homes grown
    by one factor (whole places) so children's homes hold Ofsted's 2025 count; every other home as listed."""
    from rcc.datasets.supply import CHILDRENS_HOME_PLACES_2025, grown_places

    homes = england().homes
    of = rcc.datasets.ofsted_providers()
    of = of[(of.provision_type != "ifa") & (of.places > 0)]
    grown = grown_places(of)
    private = ((of.provision_type == "childrens_home") & (of.sector == "private")).to_numpy()
    assert (grown[~private] == of.places[~private]).all()
    factor = (CHILDRENS_HOME_PLACES_2025 - 11_857) / of.places[private].sum() + 1  # 2,402 added to 8,885 places
    assert ((grown[private] - of.places[private] * factor).abs() < 1).all()
    assert grown[(of.provision_type == "childrens_home").to_numpy()].sum() == CHILDRENS_HOME_PLACES_2025 == 14_259
    assert of.loc[of.provision_type == "childrens_home", "places"].sum() == 11_857
    for kind in ("childrens_home", "secure_home", "residential_school"):
        got = homes[homes.home_type == kind].groupby("council_id").places.sum()
        want = grown[(of.provision_type == kind).to_numpy()].groupby(of.council_id[of.provision_type == kind]).sum()
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    assert homes.loc[homes.home_type == "secure_home", "places"].sum() == 214


def test_region_subset_by_name():
    nw = england("North West")
    assert len(nw.councils) == 24 and set(nw.homes.council_id) <= set(nw.councils.council_id)
    with pytest.raises(rcc.InvalidInputError):
        england("Atlantis")


def test_attribution_is_shipped():
    text = rcc.datasets.attribution()
    assert "Open Government Licence" in text and "Ofsted" in text and "Department for Education" in text


def test_district_geometry_matches_the_disc_for_one_district_councils_and_bounds_the_far_share():
    from rcc.core.geo import within_council_miles

    g = rcc.datasets.council_geometry(spread=1.0, locality_miles=None)  # evenly spread, both ends independent
    c = rcc.datasets.councils().set_index("council_id").loc[g.council_ids]
    d = rcc.datasets.districts()
    assert len(d) == 296 and set(d.council_id) == set(c.index)
    assert np.allclose(d.groupby("council_id").weight.sum(), 1.0, atol=1e-5)
    single = d.groupby("council_id").size().reindex(g.council_ids).to_numpy() == 1
    disc = within_council_miles(c.area_km2.to_numpy(dtype=float))
    assert np.abs(np.diag(g.mean_miles)[single] - disc[single]).max() < 0.15  # quadrature vs the exact disc mean
    assert ((g.far_share >= 0) & (g.far_share <= 1)).all() and np.allclose(g.far_share, g.far_share.T)
    with pytest.raises(ValueError):
        g.far_share[0, 0] = 0.5  # the cached matrices are read-only
    two = rcc.datasets.council_geometry(["E06000052", "E06000057"], spread=1.0, locality_miles=None)  # Cornwall, N'land
    assert two.far_share[0, 1] == 1.0 and 0.2 < two.far_share[1, 1] < 0.8  # a big county: some, not all
    tight = rcc.datasets.council_geometry(["E06000057"], spread=0.5, locality_miles=None)
    assert tight.far_share[0, 0] < two.far_share[1, 1] and tight.mean_miles[0, 0] < two.mean_miles[1, 1]
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.council_geometry(["E99999999"])
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.council_geometry(spread=0.0)


def test_distance_bands_spread_each_pairs_far_children_over_dfes_groupings():
    ids = ["E09000006", "E10000016", "E06000052", "E06000057"]  # Bromley, Kent, Cornwall, Northumberland
    b = rcc.datasets.distance_bands(ids, spread=1.0)
    assert b.shape == (4, 4, len(rcc.datasets.BAND_EDGES_MILES) + 1)
    assert (b >= 0).all() and np.allclose(b.sum(axis=2), 1.0)
    assert b[2, 3, -1] == 1.0  # Cornwall to Northumberland: every pair over 100 miles
    everyone = rcc.datasets.distance_bands(spread=1.0)
    assert everyone.shape == (153, 153, 5) and np.allclose(everyone.sum(axis=2), 1.0)
    # independently: points drawn uniformly in each council's district discs (weights as the districts')
    d = rcc.datasets.districts()
    rng = np.random.default_rng(7)

    def draw(council: str, n: int) -> np.ndarray:
        mine = d[d.council_id == council]
        pick = rng.choice(len(mine), size=n, p=mine.weight.to_numpy() / mine.weight.sum())
        r = np.sqrt(mine.area_km2.to_numpy()[pick] / np.pi) * np.sqrt(rng.uniform(size=n))
        a = rng.uniform(0, 2 * np.pi, size=n)
        return mine[["x_km", "y_km"]].to_numpy()[pick] + np.c_[r * np.cos(a), r * np.sin(a)]

    miles = np.hypot(*(draw("E09000006", 200_000) - draw("E10000016", 200_000)).T) / 1.609344
    edges = [20.0, *rcc.datasets.BAND_EDGES_MILES, np.inf]
    far = miles[miles > 20]
    sampled = np.histogram(far, edges)[0] / len(far)
    assert np.abs(sampled - b[0, 1]).max() < 0.03  # Bromley to Kent: 21-40 and 41-60 miles
    assert b[0, 1, 0] > 0.3 and b[0, 1, 1] > 0.3 and b[0, 1, 3:].sum() == 0  # Kent reaches 60 miles from Bromley
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.distance_bands(["E99999999"])
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.distance_bands(spread=3.0)
    with pytest.raises(ValueError):
        everyone[0, 0, 0] = 0.5  # cached: read-only
    # other edges: the same quadrature, so bands that nest sum to the default ones; 21-50, 51-100, over 100
    # against the independent draw
    coarse = rcc.datasets.distance_bands(edges_miles=(40.0, 100.0), spread=1.0)
    assert coarse.shape == (153, 153, 3)
    assert np.abs(coarse[..., 1] - everyone[..., 1:4].sum(axis=2)).max() < 1e-9
    assert np.abs(coarse[..., 2] - everyone[..., 4]).max() < 1e-9
    tail = rcc.datasets.distance_bands(ids, edges_miles=(50, 100), spread=1.0)
    assert np.abs(np.histogram(far, [20.0, 50.0, 100.0, np.inf])[0] / len(far) - tail[0, 1]).max() < 0.03
    assert np.array_equal(rcc.datasets.distance_bands(ids, edges_miles=np.array([50, 100]), spread=1.0), tail)
    for bad in [(), (20.0,), (60.0, 50.0), (50.0, np.inf), "50", None, ("fifty",), (" 60 ", b"100"), (25.5, 50)]:
        with pytest.raises(rcc.InvalidInputError, match="edges_miles"):
            rcc.datasets.distance_bands(ids, edges_miles=bad)
    published = pd.Series(rcc.datasets.DISTANCE_BANDS_PUBLISHED)
    assert list(published.index) == list(rcc.simulate.metrics.DISTANCE_BANDS)
    assert published.iloc[1:].sum() == 12820 and "2015" in rcc.datasets.DISTANCE_BANDS_SOURCE


def test_a_councils_carers_beyond_its_boundary_live_near_its_children_in_the_geometry():
    g = rcc.datasets.council_geometry()
    at = pd.Index(g.council_ids).get_indexer
    ports, hants, cumbria = at(["E06000044", "E10000014", "E06000063"])  # Portsmouth, Hampshire, Cumberland
    assert np.array_equal(np.diag(g.near_far_share), np.diag(g.far_share))  # inside: nearest first already
    assert np.array_equal(np.diag(g.near_mean_miles), np.diag(g.mean_miles))
    # Portsmouth's carers in Hampshire live by Portsmouth (Havant, Fareham), not anywhere in the county
    assert g.near_far_share[ports, hants] < g.far_share[ports, hants] - 0.2
    assert g.near_mean_miles[ports, hants] < g.mean_miles[ports, hants] - 5
    assert g.near_far_share[ports, cumbria] == g.far_share[ports, cumbria] == 1.0  # every point far: no change
    assert ((g.near_far_share >= 0) & (g.near_far_share <= g.far_share + 1e-9)).mean() > 0.99
    cut = g.subset(["E10000014", "E06000044"])
    assert cut.near_far_share[1, 0] == g.near_far_share[ports, hants]
    plain = rcc.datasets.council_geometry(spread=1.0, locality_miles=None)  # independent: near is the same
    assert np.array_equal(plain.near_far_share, plain.far_share)


def test_an_islands_family_carers_live_on_the_island():
    eng = england(today=False)
    homes = eng.homes[eng.homes.provider_id == "LA:E06000046"]  # Isle of Wight's own carers
    family = homes[homes.home_type.isin(["kinship", "in_house_fostering"])]
    assert family.places.sum() > 50 and set(family.council_id) == {"E06000046"}
    kent = eng.homes[(eng.homes.provider_id == "LA:E10000016") & (eng.homes.home_type == "kinship")]
    assert set(kent.council_id) - {"E10000016"}  # a mainland county's carers: some over its boundary
    from rcc.datasets.supply import carer_inside_share

    area, weights = np.array([380.0, 380.0, 3000.0]), np.array([1.0, 1.0, 1.0])
    s = carer_inside_share(area, weights, 0.6, local=0.0, island=np.array([True, False, False]))
    assert s[0] == 1.0 and s[1] < 1.0 and float(s.mean()) == pytest.approx(0.6)


def test_england_within_county_distances_come_from_the_districts():
    eng = england()
    travel = rcc.datasets.council_travel()
    several = rcc.datasets.districts().groupby("council_id").size()
    assert set(travel.from_council_id) == set(several[several > 1].index) and len(travel) == 21
    assert (travel.from_council_id == travel.to_council_id).all()
    d = eng.council_distances()
    i = eng.council_ids.index("E10000016")  # Kent, long east to west: farther than a disc of its area
    assert d[i, i] == pytest.approx(travel.set_index("from_council_id").distance_miles["E10000016"])
    assert d[i, i] > rcc.core.geo.within_council_miles(float(eng.councils.area_km2.iloc[i])) + 2
    gm = england("Greater Manchester RCC")
    assert len(gm.travel) == 0  # ten one-district boroughs: the disc of their area, as before


def test_history_holds_six_years_and_2025_agrees_with_the_2025_table():
    h = rcc.datasets.cla_history()
    assert h.groupby("year").council_id.nunique().to_dict() == {y: 153 for y in range(2020, 2026)}
    now = h[h.year == 2025].set_index("council_id")
    cla = rcc.datasets.cla_2025().set_index("council_id")
    for col in ("placed_inside_la", "placed_outside_la", "dist_over_20mi"):
        pd.testing.assert_series_equal(now[col].loc[cla.index], cla[col], check_names=False, check_dtype=False)
    assert h.loc[h.year == 2024, "netgain_placed_out"].sum() > 30_000


def test_published_shares_by_council_are_dfe_figures():
    s = rcc.datasets.published_by_council(2025)
    cla = rcc.datasets.cla_2025().set_index("council_id")
    want = 100 * cla.placed_outside_la / (cla.placed_inside_la + cla.placed_outside_la)
    pd.testing.assert_series_equal(s.outside.loc[cla.index], want.astype(float), check_names=False)
    assert s.inside_over_20.notna().sum() > 50 and s.netgain_per_100.isna().all()  # net gain: 2020-2024 only
    assert rcc.datasets.published_by_council(2024).netgain_per_100.notna().sum() > 140
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.published_by_council(2019)


def test_weekly_costs_are_distributions_with_the_published_ordering_and_a_high_cost_tail():
    costs = rcc.datasets.weekly_costs().set_index("key")
    assert (costs.source.str.len() > 20).all()  # every figure says where it comes from
    assert costs.central_gbp["childrens_home_council"] == 4_750 and costs.central_gbp["childrens_home_private"] == 3_970
    assert "NCERCC" in costs.source["childrens_home_council"] and "LGA" in costs.source["childrens_home_private"]
    assert costs.tail_share["childrens_home_private"] == pytest.approx(1_510 / (9_480 + 100 + 1_170), abs=1e-4)
    assert costs.mean_gbp["childrens_home_council"] > costs.mean_gbp["childrens_home_private"]
    default = rcc.datasets.DEFAULT_WEEKLY_COST_GBP  # expected costs, tail included
    assert default["childrens_home_council"] == pytest.approx(costs.mean_gbp["childrens_home_council"], abs=5)
    assert default["childrens_home_council"] > default["childrens_home_private"] > 5_000
    homes, providers = england().homes, england().providers.set_index("provider_id")
    ch = homes[homes.home_type == "childrens_home"].assign(
        sector=lambda h: providers.sector.reindex(h.provider_id).to_numpy()
    )
    body = ch[~ch.home_id.str.endswith(":high")]
    median = body.groupby("sector").weekly_cost_gbp.median()
    assert 1.05 < median["council"] / median["private"] < 1.4  # council homes about 20% above private ones
    high = ch.places[ch.weekly_cost_gbp >= 10_000].sum() / ch.places.sum()
    assert 0.08 < high < 0.22  # the LGA tail: about 14% of places at GBP 10,000+ a week
    assert ch.weekly_cost_gbp.max() <= 5 * 10_000 and ch.weekly_cost_gbp.nunique() > 200  # prices differ by area
    short = body.home_id.str.contains(":sb")
    alike = body[~short].groupby(["council_id", "sector"]).weekly_cost_gbp.nunique()
    assert (alike == 1).mean() > 0.95  # homes alike in a council cost the same (a few owners run two sectors)
    w = rcc.datasets.WEEKLY_COSTS["childrens_home_private"]
    draws = w.draw(100_000, np.random.default_rng(1))
    assert draws.mean() == pytest.approx(w.mean_gbp(), rel=0.02)


def test_supply_figures_say_what_is_published_and_what_is_rccs_rule():
    f = rcc.datasets.supply_figures().set_index("figure")
    assert (f.source.str.len() > 20).all()
    assert f.source["carer_inside_share"].startswith("rcc rule")  # no published fostering counts in the sources
    for kind in ("kinship_inside_share", "placed_with_parents_inside_share", "in_house_inside_share"):
        assert f.source[kind].startswith("DfE") and 0 < float(f.value[kind]) < 1  # published national shares
    assert "DfE 2025" in f.source["ifa_location"] and "LGA" in f.source["tail_placements"]
    assert "weekly_costs.csv" in rcc.datasets.attribution() and "supply_figures.csv" in rcc.datasets.attribution()


def test_relatives_beyond_a_councils_boundary_live_farther_than_its_in_house_carers():
    f = rcc.datasets.supply_figures().set_index("figure")
    kin = f.source["kinship_range_miles"]
    assert kin.startswith("rcc rule from DfE") and "870 of 2,250" in kin  # DfE 2015: relatives beyond the boundary
    assert f.source["in_house_range_miles"].startswith("rcc default")
    assert float(f.value["kinship_range_miles"]) > float(f.value["in_house_range_miles"])
    eng = rcc.datasets.england(today=False)
    miles = eng.council_distances()
    where = pd.Index(eng.council_ids).get_indexer(eng.homes.council_id)
    mean = {}
    for kind in ("kinship", "in_house_fostering"):
        owner = rcc.simulate.provision_council(eng, (kind,))  # the council whose own carers they are, else -1
        away = (owner >= 0) & (owner != where)  # beyond the owner's boundary
        assert away.any() and eng.homes.home_id[away].str.startswith(f"{kind}:").all()
        assert eng.homes.home_id[away].str.contains("@").all()  # the supply names them by where they live
        mean[kind] = float(np.average(miles[owner[away], where[away]], weights=eng.homes.places[away]))
    assert mean["kinship"] > mean["in_house_fostering"] + 1  # each kind its own decay: relatives farther away


def test_family_carers_inside_a_council_follow_its_size_and_the_national_share_not_its_own_figure():
    from rcc.datasets.supply import carer_inside_share

    area = np.array([15.0, 40.0, 300.0, 3000.0])  # a small borough ... a large county
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    for local in (0.0, 0.3):
        s = carer_inside_share(area, weights, 0.7, local=local)
        assert float(weights @ s / weights.sum()) == pytest.approx(0.7, abs=1e-6)  # England's published share
        assert np.all(np.diff(s) > 0) and s.min() >= local  # larger councils keep more of their carers inside
    with pytest.raises(rcc.InvalidInputError):
        carer_inside_share(area, weights, 0.7, local=0.8)  # a local share above England's cannot be met
    flatter = carer_inside_share(area, weights, 0.7, local=0.3)
    assert np.ptp(flatter) < np.ptp(carer_inside_share(area, weights, 0.7, local=0.0))
    # one local share per council (a region's): England's share still the published one; a council given a
    # larger local share keeps more carers inside than it does at the others' share
    mixed = carer_inside_share(area, weights, 0.7, local=np.array([0.5, 0.0, 0.0, 0.0]))
    assert float(weights @ mixed / weights.sum()) == pytest.approx(0.7, abs=1e-6)
    assert mixed[0] > carer_inside_share(area, weights, 0.7, local=0.0)[0] and mixed[0] >= 0.5
    with pytest.raises(rcc.InvalidInputError, match="carer_local_share"):
        carer_inside_share(area, weights, 0.7, local=np.array([0.1, 0.75, 0.1, 0.1]))
    # the embedded England: England's kinship carers inside their council at the published shares (relatives
    # and friends 70.8%, placed with parents 84.3%), more of them in larger councils
    homes = england(today=False).homes
    kin = homes[homes.home_type == "kinship"].assign(owner=lambda h: h.provider_id.str.removeprefix("LA:"))
    kin = kin.assign(inside=(kin.council_id == kin.owner) * kin.places)
    per = kin.groupby("owner")[["inside", "places"]].sum()
    assert 0.70 <= per.inside.sum() / per.places.sum() <= 0.85
    area = rcc.datasets.councils().set_index("council_id").area_km2.reindex(per.index)
    assert np.corrcoef(np.log(area), per.inside / per.places)[0, 1] > 0.5


def test_ofsted_homes_sit_in_districts_inside_county_councils():
    of = rcc.datasets.ofsted_providers()
    d = rcc.datasets.districts()
    several = d.groupby("council_id").size() > 1
    in_county = several.reindex(of.council_id).to_numpy()
    assert (of.district_id[~in_county].isna()).all()
    placed = of[in_county].merge(d[["district_id", "council_id"]], on="district_id", how="left", suffixes=("", "_d"))
    assert placed.district_id.notna().all() and (placed.council_id == placed.council_id_d).all()
    homes = england().homes
    kent = homes[(homes.home_type == "childrens_home") & (homes.council_id == "E10000016")]
    assert kent.home_id.str.contains("@E07").all() and kent.home_id.str.extract(r"@(E07\d+)")[0].nunique() > 5


def test_uasc_supported_accommodation_and_voluntary_sector_as_published():
    homes, providers = england().homes, england().providers.set_index("provider_id")
    cla = rcc.datasets.cla_2025()
    sa = homes[homes.home_type == "supported_accommodation"]
    assert sa.places.sum() == pytest.approx(cla.independent_semi_independent_supported.sum() * 1.08, rel=0.01)
    assert set(sa.needs) == {"supported_16plus;uasc"} and (sa.min_age == 16).all()
    family = homes[homes.home_type.isin(["in_house_fostering", "ifa_fostering"])]
    uasc = family[family.needs == "uasc"]
    assert not family[family.needs != "uasc"].needs.str.contains("uasc").any()  # UASC foster places of their own
    assert uasc.places.sum() >= 0.15 * cla.uasc.sum()  # at least those under 16 (not in supported accommodation)
    sector = providers.sector.reindex(homes.provider_id).to_numpy()
    voluntary = homes.places[sector == "voluntary"].sum()
    trusts = list(rcc.datasets.supply.CHILDRENS_SERVICES_TRUSTS)  # their voluntary sector is their own provision
    published = cla.set_index("council_id").provider_voluntary.drop(trusts).sum()
    assert voluntary == pytest.approx(published, rel=0.15)  # DfE 2025: 2,989 of 5,626
    assert (homes.places[(sector == "voluntary") & (homes.home_type == "ifa_fostering")] > 0).any()


def test_childrens_services_trusts_are_their_councils_own_provision(monkeypatch):
    """DfE counts a trust's own provision as voluntary sector; rcc counts it as its council's (in-house carers)."""
    cla = rcc.datasets.cla_2025().set_index("council_id")
    trusts = list(rcc.datasets.supply.CHILDRENS_SERVICES_TRUSTS)
    voluntary = cla.provider_voluntary / cla.cla_total
    assert len(trusts) == 9 and (voluntary[trusts] > 0.3).all()  # the published signature of a trust...
    assert (voluntary.drop(trusts).dropna() < 0.2).all() and (cla.provider_own_la[trusts].fillna(0) <= 6).all()

    def in_house_per_child(homes: pd.DataFrame) -> pd.Series:  # in-house foster places per child looked after
        own = homes[(homes.home_type == "in_house_fostering") & (homes.needs != "uasc")]
        return own.groupby(own.provider_id.str[3:]).places.sum() / cla.cla_total

    share = in_house_per_child(england().homes)
    half = share.median() / 2  # England: 0.28 a child; the trusts 0.17 to 0.31
    assert (share[trusts] > half).all()  # ...whose carers are the council's own
    monkeypatch.setattr(rcc.datasets.supply, "CHILDRENS_SERVICES_TRUSTS", ())
    module = importlib.import_module("rcc.datasets.england")  # rcc.datasets.england is the function
    homes, _ = module._supply(module._impute_cla(), np.random.default_rng(0))
    assert (in_house_per_child(homes)[trusts] < half).all()  # read as agency carers: 0.05 to 0.09


def test_placing_inside_a_county_is_nearest_first():
    ids = ["E10000020", "E06000057", "E08000003"]  # Norfolk (7 districts), Northumberland, Manchester (one each)
    near = rcc.datasets.council_geometry(ids, spread=1.0)
    apart = rcc.datasets.council_geometry(ids, spread=1.0, locality_miles=None)
    assert (np.diag(near.far_share)[:2] < np.diag(apart.far_share)[:2] - 0.05).all()  # a county and a big unitary
    assert (np.diag(near.mean_miles) < np.diag(apart.mean_miles)).all()
    assert near.far_share[2, 2] == apart.far_share[2, 2] == 0.0  # Manchester: nowhere in it is 20 miles away
    off = ~np.eye(3, dtype=bool)
    assert np.allclose(near.far_share[off], apart.far_share[off])  # between councils both ends stay independent
    wide = rcc.datasets.council_geometry(ids, spread=1.0, locality_miles=500.0)
    assert wide.far_share[0, 0] == pytest.approx(apart.far_share[0, 0], abs=0.02)
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.council_geometry(ids, locality_miles=0.0)
def test_the_shipped_census_is_current_with_the_supply_demand_and_calibration():
    """Fails when the supply, demand, districts or calibration change: run ``python scripts/build_census.py``."""
    meta, placements = rcc.datasets.shipped_census()
    base = england(today=False)
    assert meta["key"] == rcc.datasets.census_key(base), "stale census: run python scripts/build_census.py"
    assert meta["placed"] == int(placements.children.sum()) and meta["children"] == int(base.cohorts.children.sum())
    assert meta["calibration"] == rcc.datasets.simulation_calibration()["parameters"]
    assert meta["regional_calibration"] == rcc.datasets.simulation_calibration().get("regional", {})
    more = base.homes.assign(places=base.homes.places + (base.homes.index == 0))  # one more place: another key
    assert rcc.datasets.census_key(base.replace(homes=more)) != meta["key"]


def test_england_carries_todays_census_within_places_and_cohorts():
    eng = england()
    _, shipped = rcc.datasets.shipped_census()
    pd.testing.assert_frame_equal(eng.placements, shipped, check_dtype=False)
    held = eng.placements.groupby("cohort_id").children.sum()
    cohort = eng.cohorts.set_index("cohort_id").children
    assert (held <= cohort.reindex(held.index)).all() and held.sum() > 0.95 * cohort.sum()
    used = eng.placements.groupby("home_id").children.sum()
    assert (used <= eng.homes.set_index("home_id").places.reindex(used.index)).all()
    assert len(england(today=False).placements) == 0
    pd.testing.assert_frame_equal(england(today=False).cohorts, eng.cohorts)  # the same demand, with or without


def test_a_named_region_carries_englands_census_and_says_what_it_leaves_out():
    eng, gm = england(), england("Greater Manchester RCC")
    ids = set(gm.council_ids)
    p = eng.placements.merge(eng.cohorts[["cohort_id", "council_id"]], on="cohort_id").merge(
        eng.homes[["home_id", "council_id"]].rename(columns={"council_id": "home_council_id"}), on="home_id"
    )
    mine, here = p.council_id.isin(ids), p.home_council_id.isin(ids)
    kept = p[mine & here]
    assert sorted(zip(gm.placements.cohort_id, gm.placements.home_id, gm.placements.children)) == sorted(
        zip(kept.cohort_id, kept.home_id, kept.children)
    )
    out = rcc.datasets.census_left_out(gm.council_ids).set_index("council_id")
    assert int(out.placed_outside.sum()) == int(p[mine & ~here].children.sum()) > 0
    assert int(out.others_placed_inside.sum()) == int(p[~mine & here].children.sum()) > 0
    assert (out.children_placed == p[mine].groupby("council_id").children.sum().reindex(out.index)).all()
    with pytest.raises(rcc.InvalidInputError):
        rcc.datasets.census_left_out(["E99999999"])


def test_published_in_region_counts_add_up_and_give_the_shares():
    """DfE's FOI counts (rounded to 10): the nine regions sum to England's children and to its children placed in
    their own region, each year; no region places more inside than it has; the shares are the counts' ratios,
    and the calibration record's held-out column quotes the same 2024 shares."""
    counts = rcc.datasets.PUBLISHED_IN_REGION
    regions = sorted(set(rcc.datasets.councils().region))
    assert sorted(k for k in counts if k != "England") == regions
    for year in (2023, 2024):
        children = sum(counts[r][year][0] for r in regions)
        inside = sum(counts[r][year][1] for r in regions)
        assert (children, inside) == counts["England"][year]
        for name, by_year in counts.items():
            n, k = by_year[year]
            assert 0 < k <= n and n % 10 == 0 and k % 10 == 0
            assert rcc.datasets.PUBLISHED_IN_REGION_PCT[name][year] == pytest.approx(100 * k / n, abs=0.05)
    held = rcc.datasets.simulation_calibration()["held_out"]["in_region_2024"]
    assert {k: v["published"] for k, v in held.items()} == {
        k: v[2024] for k, v in rcc.datasets.PUBLISHED_IN_REGION_PCT.items()
    }
