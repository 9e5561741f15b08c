"""The embedded England default: real councils, calibrated demand and supply."""

from __future__ import annotations

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


def test_residential_supply_is_the_real_ofsted_places():
    homes = england().homes
    of = rcc.datasets.ofsted_providers()
    for kind in ("childrens_home", "secure_home", "residential_school"):
        got = homes[homes.home_type == kind].groupby("council_id").places.sum()
        want = of[of.provision_type == kind].groupby("council_id").places.sum()
        want = want[want > 0]
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    assert homes.loc[homes.home_type == "childrens_home", "places"].sum() == 11_857
    assert homes.loc[homes.home_type == "secure_home", "places"].sum() == 214


def test_region_subset_by_name():
    nw = england("North West")
    assert len(nw.councils) == 24 and set(nw.homes.council_id) <= set(nw.councils.council_id)
    with pytest.raises(rcc.InvalidInputError):
        england("Atlantis")


def test_attribution_is_shipped():
    text = rcc.datasets.attribution()
    assert "Open Government Licence" in text and "Ofsted" in text and "Department for Education" in text
