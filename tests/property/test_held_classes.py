"""Homes holding placements merge into classes: the optimiser's plan is the one of every home apart.

``rcc.plan`` solves on classes of interchangeable homes, held homes included (the class edges
carry the held children as lower bounds; :func:`rcc.allocation.classes.split_flows` puts each
held child back in its own home). The reference is the same model with every home apart, built
by PuLP (``PlanParams(extra_constraints=...)`` keeps homes apart and builds every edge): the
objective, the children placed and the children without a home must be the same, every held
child must stay exactly where it is, no home may take more than its places.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcc
from rcc.allocation.engine import prepare_allocation
from rcc.testing import strategies as rst


def _apart(params: rcc.PlanParams) -> rcc.PlanParams:
    """The same params with every home apart (a user's extra constraints may tell homes apart)."""
    return rcc.PlanParams(
        hold_current=params.hold_current, extra_constraints=lambda model: None
    )


@st.composite
def held_class_regions(draw: st.DrawFn) -> rcc.Region:
    """Held regions whose homes come in copies with the same places (so they merge), each held
    placement moved to one of its home's copies: classes with several held homes and free ones."""
    region = draw(
        rst.held_regions(max_councils=2, needs=("mainstream", "complex"), max_homes=5, max_cohorts=4, max_children=10)
    )
    homes = region.homes
    copies = draw(st.lists(st.integers(1, 3), min_size=len(homes), max_size=len(homes)))
    rows = homes.loc[homes.index.repeat(copies)].reset_index(drop=True)
    copy_no = rows.groupby("home_id").cumcount().to_numpy()
    rows["home_id"] = [h if k == 0 else f"{h}x{k}" for h, k in zip(rows.home_id, copy_no)]
    rows = rows.iloc[draw(st.permutations(range(len(rows))))].reset_index(drop=True)
    n_copies = dict(zip(homes.home_id, copies))
    moved = [draw(st.integers(0, n_copies[h] - 1)) for h in region.placements.home_id]
    placements = region.placements.assign(
        home_id=[h if k == 0 else f"{h}x{k}" for h, k in zip(region.placements.home_id, moved)]
    )
    return rcc.Region.from_frames(region.councils, rows, region.cohorts, region.providers, placements, name="classes")


def _assert_held_kept(region: rcc.Region, plan: rcc.Plan) -> None:
    """Every held child where they live, every home within its places, placed + unmet = demand."""
    p = plan.placements
    held = region.placements.groupby(["cohort_id", "home_id"]).children.sum()
    at = p.set_index(["cohort_id", "home_id"])
    assert at.index.is_unique
    pd.testing.assert_series_equal(
        at.held.reindex(held.index), held.astype(np.int64), check_names=False, check_index_type=False
    )
    assert (at.children.reindex(held.index) >= held).all()
    assert int(p.held.sum()) == int(region.placements.children.sum())
    used = p.groupby("home_id").children.sum()
    assert (used <= region.homes.set_index("home_id").places.reindex(used.index)).all()
    placed = p.groupby("cohort_id").children.sum().reindex(region.cohorts.cohort_id, fill_value=0)
    unmet = plan.shortfall.groupby("cohort_id").children.sum().reindex(region.cohorts.cohort_id, fill_value=0)
    assert ((placed + unmet).to_numpy() == region.cohorts.children.to_numpy()).all()


def _assert_same_as_apart(region: rcc.Region, params: rcc.PlanParams, scenario: rcc.Scenario | None = None) -> rcc.Plan:
    merged = rcc.plan(region, params, scenario=scenario)
    apart = rcc.plan(region, _apart(params), scenario=scenario)
    assert merged.status.value == apart.status.value == "optimal"
    assert merged.objective == pytest.approx(apart.objective, rel=1e-9, abs=1e-6)
    assert merged.metrics["placed"] == apart.metrics["placed"]
    assert merged.metrics["unmet"] == apart.metrics["unmet"]
    if params.hold_current:
        _assert_held_kept(region, merged)
    return merged


@settings(max_examples=60, deadline=None)
@given(region=held_class_regions(), hold_current=st.booleans())
def test_merged_held_homes_solve_as_every_home_apart(region: rcc.Region, hold_current: bool) -> None:
    _assert_same_as_apart(region, rcc.PlanParams(hold_current=hold_current))


@settings(max_examples=40, deadline=None)
@given(region=held_class_regions(), data=st.data())
def test_merged_held_homes_under_pooling_rules(region: rcc.Region, data: st.DataObject) -> None:
    """A pooling rule may close a held pair (its children stay, no one joins them): the same on classes."""
    region = region.replace(providers=region.providers.assign(
        sector=data.draw(st.lists(st.sampled_from(["council", "private"]), min_size=len(region.providers),
                                  max_size=len(region.providers)))))
    pooling = data.draw(st.sampled_from([p for p in rcc.analysis.scenarios.POOLING_LEVELS if p != "pathfinder_only"]))
    scenario = rcc.Scenario("drawn", pooling, rcc_incentive=data.draw(st.sampled_from([0.0, 15.0])))
    _assert_same_as_apart(region, rcc.PlanParams(), scenario)


def test_gm_today_held_merges_and_matches_every_home_apart() -> None:
    """Greater Manchester with today's placements held: held homes merge (fewer classes than
    without merging them), and the plan is the one of every home apart."""
    gm = rcc.datasets.england("Greater Manchester RCC")
    held_homes = gm.homes.home_id.isin(gm.placements.home_id).to_numpy()
    prep = prepare_allocation(gm)
    assert len(prep.classes.homes) < len(gm.homes)
    assert len(np.unique(prep.home_class[held_homes])) < held_homes.sum()  # held homes share classes
    plan = _assert_same_as_apart(gm, rcc.PlanParams())
    assert plan.metrics["placed"] > gm.placements.children.sum()  # children placed beyond those held
