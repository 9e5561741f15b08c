"""Bad input gets one clear error: table, row id, column, expected, received."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rcc


def build(f: dict[str, pd.DataFrame], **changes: pd.DataFrame) -> rcc.Region:
    g = {**f, **changes}
    return rcc.Region.from_frames(g["councils"], g["homes"], g["cohorts"], providers=g["providers"])


def error_of(f, **changes) -> rcc.InvalidInputError:
    with pytest.raises(rcc.InvalidInputError) as info:
        build(f, **changes)
    return info.value


def test_valid_input_builds(tiny_frames):
    region = build(tiny_frames)
    assert len(region.homes) == 4 and region.homes.places.dtype == np.int64


def test_duplicate_home_id(tiny_frames):
    homes = tiny_frames["homes"].assign(home_id=["fA", "fA", "chB", "kA"])
    e = error_of(tiny_frames, homes=homes)
    assert (e.table, e.row_id, e.column, e.received) == ("homes", "fA", "home_id", "fA")
    assert "unique" in e.expected and "homes" in str(e) and "'fA'" in str(e)


def test_unknown_council_reference(tiny_frames):
    cohorts = tiny_frames["cohorts"].assign(council_id=["A", "A", "Z", "A"])
    e = error_of(tiny_frames, cohorts=cohorts)
    assert (e.table, e.row_id, e.column, e.received) == ("cohorts", "B-m-0", "council_id", "Z")


def test_unknown_provider_reference(tiny_frames):
    homes = tiny_frames["homes"].assign(provider_id=["LA_A", "LA_B", "NOPE", "LA_A"])
    e = error_of(tiny_frames, homes=homes)
    assert (e.row_id, e.column, e.received) == ("chB", "provider_id", "NOPE")


@pytest.mark.parametrize(
    "places, expected",
    [([3, -1, 2, 1], ">= 0"), ([3, 2.5, 2, 1], "whole number"), ([3, "many", 2, 1], "a number")],
)
def test_bad_places(tiny_frames, places, expected):
    homes = tiny_frames["homes"].astype({"places": object}).assign(places=places)
    e = error_of(tiny_frames, homes=homes)
    assert (e.table, e.row_id, e.column) == ("homes", "fB", "places")
    assert expected in e.expected


def test_negative_children(tiny_frames):
    cohorts = tiny_frames["cohorts"].assign(children=[6, -2, 2, 1])
    e = error_of(tiny_frames, cohorts=cohorts)
    assert (e.table, e.row_id, e.column, e.received) == ("cohorts", "A-c-11", "children", -2)


@pytest.mark.parametrize("column, value", [("lat", np.nan), ("lat", 123.0), ("lon", -200.0)])
def test_bad_coordinates(tiny_frames, column, value):
    councils = tiny_frames["councils"].copy()
    councils.loc[1, column] = value
    e = error_of(tiny_frames, councils=councils)
    assert (e.table, e.row_id, e.column) == ("councils", "B", column)


def test_unknown_need_code_in_cohort(tiny_frames):
    cohorts = tiny_frames["cohorts"].assign(need=["mainstream", "complex", "flying", "secure"])
    e = error_of(tiny_frames, cohorts=cohorts)
    assert (e.column, e.received) == ("need", "flying") and "mainstream" in e.expected


def test_unknown_need_code_in_home(tiny_frames):
    homes = tiny_frames["homes"].assign(needs=["mainstream", "mainstream;swimming", "complex", "mainstream"])
    e = error_of(tiny_frames, homes=homes)
    assert (e.row_id, e.column, e.received) == ("fB", "needs", "mainstream;swimming")


def test_missing_required_column(tiny_frames):
    e = error_of(tiny_frames, homes=tiny_frames["homes"].drop(columns="weekly_cost_gbp"))
    assert e.column == "weekly_cost_gbp" and e.row_id is None


def test_empty_region(tiny_frames):
    e = error_of(tiny_frames, councils=tiny_frames["councils"].iloc[0:0])
    assert e.table == "councils" and "empty" in e.expected


def test_min_age_above_max_age(tiny_frames):
    homes = tiny_frames["homes"].assign(min_age=[0, 0, 16, 0], max_age=[17, 17, 10, 17])
    e = error_of(tiny_frames, homes=homes)
    assert (e.row_id, e.column) == ("chB", "min_age")


def test_error_counts_other_rows(tiny_frames):
    cohorts = tiny_frames["cohorts"].assign(children=[-1, -1, -1, 1])
    assert error_of(tiny_frames, cohorts=cohorts).more == 2


def test_held_placements_beyond_places(tiny_frames):
    placements = pd.DataFrame({"placement_id": ["p1"], "cohort_id": ["A-m-5"], "home_id": ["kA"], "children": [2]})
    f = tiny_frames
    with pytest.raises(rcc.InvalidInputError) as info:
        rcc.Region.from_frames(f["councils"], f["homes"], f["cohorts"], providers=f["providers"], placements=placements)
    assert (info.value.table, info.value.row_id, info.value.column) == ("placements", "p1", "children")


def test_error_is_a_value_error(tiny_frames):
    with pytest.raises(ValueError):
        build(tiny_frames, cohorts=tiny_frames["cohorts"].assign(children=[1.5, 1, 1, 1]))


def test_inputs_are_not_mutated(tiny_frames):
    before = {k: v.copy() for k, v in tiny_frames.items()}
    build(tiny_frames)
    for k, v in tiny_frames.items():
        pd.testing.assert_frame_equal(v, before[k])


def test_params_are_validated():
    with pytest.raises(rcc.InvalidInputError):
        rcc.PlanParams(max_distance_by_need={"wizardry": 3})
    with pytest.raises(rcc.InvalidInputError):
        rcc.Weights(per_mile=-1)


def _bad_places(value: float) -> None:
    raise rcc.InvalidInputError("homes", "H1", "places", "a whole number of places", value, more=2)


def test_an_input_error_crosses_a_process_pool_as_itself():
    """A worker's InvalidInputError reaches the caller with its table, row, column, expected and received (it
    pickled as its message alone, and the pool broke rebuilding it: BrokenProcessPool, the error lost)."""
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from rcc.io.tables import InputProblemsError

    err = rcc.InvalidInputError("homes", "H1", "places", "a whole number of places", 1.5, more=2)
    back = pickle.loads(pickle.dumps(err))
    assert (back.table, back.row_id, back.column, back.expected, back.received, back.more) == (
        "homes",
        "H1",
        "places",
        "a whole number of places",
        1.5,
        2,
    )
    assert str(back) == str(err) and type(back) is rcc.InvalidInputError
    many = InputProblemsError([err, rcc.InvalidInputError("cohorts", "C9", "children", "at least 0", -1)])
    again = pickle.loads(pickle.dumps(many))
    assert str(again) == str(many) and [p.row_id for p in again.problems] == ["H1", "C9"]
    with ProcessPoolExecutor(1) as pool, pytest.raises(rcc.InvalidInputError, match="row 'H1'") as info:
        pool.submit(_bad_places, 1.5).result()
    assert info.value.received == 1.5
