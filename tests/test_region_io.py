"""Region round trips and views."""

from __future__ import annotations

import pandas as pd
import pytest

import rcc


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip(tiny, tmp_path, fmt):
    tiny.to_dir(tmp_path, format=fmt)
    back = rcc.Region.from_dir(tmp_path)
    for t in ("councils", "providers", "homes", "cohorts"):
        pd.testing.assert_frame_equal(getattr(back, t), getattr(tiny, t), check_dtype=False)
    assert back.name == "tiny"
    assert rcc.plan(back).objective == pytest.approx(rcc.plan(tiny).objective)


def test_from_dir_names_missing_table(tmp_path):
    with pytest.raises(rcc.InvalidInputError, match="councils"):
        rcc.Region.from_dir(tmp_path)


def test_subset_keeps_own_homes_and_cohorts(tiny):
    a = tiny.subset(["A"])
    assert set(a.homes.home_id) == {"fA", "kA"}
    assert set(a.cohorts.council_id) == {"A"}


def test_networkx_views(tiny):
    g = rcc.eligibility_graph(tiny)
    assert g.has_edge(("cohort", "A-m-5"), ("home", "fB"))
    assert not g.has_edge(("cohort", "B-m-0"), ("home", "kA"))  # kinship serves A only
    assert g.nodes[("home", "fB")]["places"] == 5
    assert set(rcc.unreachable_cohorts(tiny).cohort_id) == {"A-s-16"}
    cg = rcc.council_graph(tiny, within_miles=40)
    assert cg.has_edge("A", "B") and cg.edges["A", "B"]["distance_miles"] == pytest.approx(30.0, abs=0.1)
    assert not rcc.council_graph(tiny, within_miles=20).has_edge("A", "B")


def test_travel_matrix_overrides_straight_lines(tiny_frames):
    f = tiny_frames
    travel = pd.DataFrame({"from_council_id": ["A"], "to_council_id": ["B"], "distance_miles": [55.0]})
    region = rcc.Region.from_frames(f["councils"], f["homes"], f["cohorts"], providers=f["providers"], travel=travel)
    p = rcc.plan(region)
    assert set(p.placements.loc[p.placements.council_id == "A"].query("home_council_id == 'B'").distance_miles) == {55.0}
