"""A large audit cut into blocks (rcc.report.audit._split_rows): every row spanning blocks is
pinned per block at its true piece, so the cut LP allows fewer base tables than the whole:
each hidden count's interval can only narrow, never widen, and a release protected with the
cut audit passes the whole audit."""

from __future__ import annotations

import numpy as np
import pytest

import rcc
from rcc.report.audit import _Audit
from rcc.report.release import _Release
from rcc.report.suppression import audit_suppression
from rcc.report.tables import _protected_release, _render


def _release(seed: int) -> tuple[_Release, np.ndarray]:
    """A random release of 60 base cells in 5 blocks of 12 (a council each): detail counts of
    3 cells, a count per block, national counts over all 60 and over every other cell, a
    ratio over all, public bounds across blocks and an equation across two blocks."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 9, 60).astype(float)
    a, b = int(rng.integers(0, 12)), int(rng.integers(12, 24))
    values[b] = values[a]  # the equation across blocks holds (as a reader's facts do)
    rel = _Release(values, np.zeros(60), np.zeros((0, 2), dtype=np.int64))
    block = np.repeat(np.arange(5), 12)
    rel.counts("placements", "children", np.repeat(np.arange(20), 3), 20)
    rel.counts("by_council", "children", block, 5)
    rel.counts("summary", "children", np.zeros(60, dtype=np.int64), 1)
    rel.counts("summary", "every_other", np.where(np.arange(60) % 2 == 0, 0, -1), 1)
    rel.ratios("summary", "mean", (np.zeros(60, dtype=np.int64), rng.random(60) * 50), (np.zeros(60, dtype=np.int64), np.ones(60)), 1, [[0]], weighted=True)
    for _ in range(int(rng.integers(15, 30))):  # homes' places, shared across blocks
        var = rng.choice(60, int(rng.integers(2, 5)), replace=False)
        rel.bound(var, -np.inf, float(values[var].sum() + rng.integers(0, 3)))
    rel.link(np.array([a, b]), np.array([1.0, -1.0]))
    rel.finish()
    rel.aggregated = True  # no table lists a base cell on its own: every base cell is unknown
    return rel, block


@pytest.mark.parametrize("seed", range(10))
def test_cut_audit_intervals_lie_inside_the_whole_audits(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rel, block = _release(seed)
    rng = np.random.default_rng(100 + seed)
    hidden = rel.count & (rng.random(rel.n_cells) < 0.7)
    hidden[~rel.count] = rng.random(int((~rel.count).sum())) < 0.5
    whole = _Audit(rel, hidden)
    monkeypatch.setattr(_Audit, "split_from", 0)
    cut = _Audit(rel, hidden, blocks=block)
    assert len(whole._blocks) == 1 and len(cut._blocks) > 1
    checked = 0
    for k in np.flatnonzero(hidden & rel.count):
        lo_w, hi_w = whole.solve(int(k), False), whole.solve(int(k), True)
        lo_c, hi_c = cut.solve(int(k), False), cut.solve(int(k), True)
        assert lo_c >= lo_w - 1e-6 and hi_c <= hi_w + 1e-6, (rel.table[k], rel.row[k], (lo_w, hi_w), (lo_c, hi_c))
        assert lo_c <= rel.value_a[k] + 1e-6 <= hi_c + 2e-6  # the truth is a base table of the cut LP
        checked += 1
    assert checked


def test_a_release_protected_with_council_blocks_passes_the_whole_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    region = rcc.datasets.england("Greater Manchester RCC", seed=0, today=False)
    plan = rcc.plan(region, rcc.PlanParams(method="greedy"))  # some children without a home: shortfall rows too
    with monkeypatch.context() as m:
        m.setattr(_Audit, "split_from", 0)
        frames, rel, hidden = _protected_release(plan, 5)
        assert rel.block is not None and len(np.unique(rel.block)) == len(plan.region.councils)
    tables = _render(frames, rel, hidden)
    audit = audit_suppression(plan, tables)  # the whole LP, not cut
    assert len(audit) and audit.protected.all()


def test_a_bound_across_blocks_shares_its_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two homes' places, each shared by two blocks: the cut LP may not let every piece
    use the whole slack (a national count would then exceed the places)."""
    rel = _Release(np.array([2.0, 1.0, 1.0, 0.0]), np.zeros(4), np.zeros((0, 2), dtype=np.int64))
    total = rel.counts("summary", "children", np.zeros(4, dtype=np.int64), 1)
    rel.bound(np.array([0, 2]), -np.inf, 4.0)  # 3 children in 4 places
    rel.bound(np.array([1, 3]), -np.inf, 2.0)  # 1 child in 2 places
    rel.finish()
    rel.aggregated = True
    hidden = np.ones(rel.n_cells, dtype=bool)
    whole = _Audit(rel, hidden)
    monkeypatch.setattr(_Audit, "split_from", 0)
    cut = _Audit(rel, hidden, blocks=np.array([0, 0, 1, 1]))
    assert len(cut._blocks) == 2
    assert whole.solve(int(total[0]), True) == pytest.approx(6.0)
    assert cut.solve(int(total[0]), True) == pytest.approx(6.0)  # 2.5 + 1.5 + 1.5 + 0.5: each piece half the slack
    assert cut.solve(int(total[0]), False) == pytest.approx(0.0)


def test_a_plan_over_several_regions_is_cut_by_region_and_passes_the_whole_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """England's audit is cut by region, not council: each council's share of a national count
    would otherwise be taken as known (see rcc.report.tables.council_blocks)."""
    ids = rcc.datasets.regions()["Greater Manchester RCC"]
    base = rcc.with_neighbours(rcc.datasets.england(today=False), ids, within_miles=20)
    assert base.councils.region.nunique() > 1
    plan = rcc.plan(base, rcc.PlanParams(method="greedy"))
    with monkeypatch.context() as m:
        m.setattr(_Audit, "split_from", 0)
        frames, rel, hidden = _protected_release(plan, 5)
        assert rel.block is not None and len(np.unique(rel.block)) == base.councils.region.nunique()
    tables = _render(frames, rel, hidden)
    audit = audit_suppression(plan, tables)  # the whole LP, not cut
    assert len(audit) and audit.protected.all()
