"""rcc.simulate.region_flows: each region's children placed inside it, sent out and received, from a placement matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import rcc
from rcc.core.errors import InvalidInputError


def _region(regions: list[str]) -> rcc.Region:
    """Four councils A to D (one home, one cohort) in the given regions."""
    councils = pd.DataFrame(
        {
            "council_id": list("ABCD"),
            "name": ["Aton", "Beeton", "Ceeton", "Deeton"],
            "region": regions,
            "lat": [53.0, 53.4, 52.5, 52.8],
            "lon": [-2.0, -2.0, -2.0, -2.5],
            "area_km2": [100.0] * 4,
        }
    )
    homes = pd.DataFrame(
        {
            "home_id": ["fA"],
            "council_id": ["A"],
            "provider_id": ["LA_A"],
            "home_type": ["in_house_fostering"],
            "places": [3],
            "needs": ["mainstream"],
            "min_age": [0],
            "max_age": [17],
            "weekly_cost_gbp": [500.0],
        }
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["A-m-5"], "council_id": ["A"], "need": ["mainstream"], "age_band": ["5-10"], "children": [2]}
    )
    providers = pd.DataFrame({"provider_id": ["LA_A"], "name": ["A"], "sector": ["council"], "group": ["LA_A"]})
    return rcc.Region.from_frames(councils, homes, cohorts, providers=providers, name="four")


@pytest.fixture
def three() -> rcc.Region:
    """A and B in North, C in South, D in West."""
    return _region(["North", "North", "South", "West"])


def test_region_flows_by_hand(three: rcc.Region) -> None:
    # rows: home council A, B, C, D; columns: the placement's council
    m = np.array(
        [
            [4.0, 1.0, 2.0, 0.0],  # A (North): 5 in North, 2 to South
            [0.0, 0.0, 0.0, 3.0],  # B (North): 3 to West
            [1.0, 0.0, 6.0, 0.0],  # C (South): 1 to North, 6 at home
            [0.0, 0.0, 0.0, 0.0],  # D (West): none
        ]
    )
    flows = rcc.simulate.region_flows(three, m)
    assert list(flows.index) == ["North", "South", "West", "England"]
    expected = pd.DataFrame(
        {
            "placed": [10.0, 7.0, 0.0, 17.0],
            "inside": [5.0, 6.0, 0.0, 11.0],
            "out": [5.0, 1.0, 0.0, 6.0],
            "in": [1.0, 2.0, 3.0, 6.0],
            "net": [-4.0, 1.0, 3.0, 0.0],
        },
        index=pd.Index(["North", "South", "West", "England"], name="region"),
    )
    pd.testing.assert_frame_equal(flows, expected)
    shares = rcc.simulate.in_region_shares(three, m)
    assert shares["North"] == pytest.approx(50.0) and shares["South"] == pytest.approx(600 / 7)
    assert np.isnan(shares["West"])  # no children of its own placed
    assert shares["England"] == pytest.approx(100 * 11 / 17)


@settings(max_examples=60, deadline=None)
@given(
    m=arrays(np.float64, (4, 4), elements=st.integers(0, 50).map(float)),
    regions=st.lists(st.sampled_from(["R", "S", "T"]), min_size=4, max_size=4),
)
def test_region_flows_identities(m: np.ndarray, regions: list[str]) -> None:
    region = _region(regions)
    reg = np.array(regions)
    flows = rcc.simulate.region_flows(region, m)
    per = flows.drop("England")
    np.testing.assert_allclose(per.placed, per.inside + per.out)
    assert per["in"].sum() == pytest.approx(per.out.sum())  # every child sent out is received somewhere
    assert per.net.sum() == pytest.approx(0.0)
    np.testing.assert_allclose(flows.loc["England"].to_numpy(), per.sum().to_numpy())
    assert flows.loc["England", "placed"] == pytest.approx(m.sum())
    for name in per.index:  # against a count straight off the matrix
        rows, cols = reg == name, reg != name
        assert per.loc[name, "out"] == pytest.approx(m[rows][:, cols].sum())
        assert per.loc[name, "in"] == pytest.approx(m[cols][:, rows].sum())


def test_region_flows_refuses_bad_matrices(three: rcc.Region) -> None:
    for shape in ((3, 3), (4, 3), (4,)):
        with pytest.raises(InvalidInputError, match=r"shape \(4, 4\)") as e:
            rcc.simulate.region_flows(three, np.zeros(shape))
        assert (e.value.table, e.value.column, e.value.received) == ("region flows", "matrix", shape)
    for bad in (-1.0, np.nan, np.inf):
        m = np.zeros((4, 4))
        m[1, 2] = bad
        m[3, 0] = bad  # a second bad cell: counted, the first named
        with pytest.raises(InvalidInputError) as e:
            rcc.simulate.region_flows(three, m)
        err = e.value
        assert (err.table, err.row_id, err.column, err.more) == ("region flows", "B -> C", "matrix", 1)
        assert type(err.received) is float and (err.received == bad or (np.isnan(bad) and np.isnan(err.received)))
        with pytest.raises(InvalidInputError):
            rcc.simulate.in_region_shares(three, m)


def test_in_region_shares_shape(three: rcc.Region) -> None:
    m = np.ones((4, 4))
    shares = rcc.simulate.in_region_shares(three, m)
    assert shares.name == "pct_in_region" and shares.index.name is None
    assert list(shares.index) == ["North", "South", "West", "England"]
    np.testing.assert_allclose(shares.to_numpy(), [50.0, 25.0, 25.0, 100 * 6 / 16])


def test_region_flows_of_a_simulated_census() -> None:
    """Greater Manchester and its neighbours within 20 miles (councils of three regions), six months simulated:
    the flows equal counts of the children straight off the population."""
    ids = rcc.datasets.regions()["Greater Manchester RCC"]
    area = rcc.with_neighbours(rcc.datasets.england(today=False), ids, within_miles=20)
    assert area.councils.region.nunique() >= 2
    sim = rcc.simulate.simulate(area, months=6, seed=1)
    pop = sim.population
    flows = rcc.simulate.region_flows(area, rcc.simulate.placement_matrix(area, pop))
    placed = pop.home >= 0
    reg = area.councils.region.to_numpy(dtype=object)
    where = pd.Index(area.councils.council_id).get_indexer(area.homes.council_id)[pop.home[placed]]
    child, home = reg[pop.council[placed]], reg[where]
    for name in sorted(set(reg)):
        assert flows.loc[name, "placed"] == np.sum(child == name)
        assert flows.loc[name, "out"] == np.sum((child == name) & (home != name))
        assert flows.loc[name, "in"] == np.sum((child != name) & (home == name))
    assert flows.loc["England", "placed"] == placed.sum() == sim.placements.children.sum()
    assert flows.loc["England", "out"] > 0  # children cross the regions' boundary here
