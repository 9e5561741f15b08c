"""The suppression loop's array shortcuts against their plain definitions (rcc.report.audit):
the base cells linked through public bounds, and the relation rule visiting relations in order."""

from __future__ import annotations

import numpy as np
import pytest

from rcc.report.audit import _neighbours, _secondary
from rcc.report.release import _Release


def _release(seed: int) -> _Release:
    """A random release: 60 base cells, detail counts per 20 rows (3 cells each), totals per
    5 groups of 4 rows (relations found by the release), one explicit relation per group,
    and random public bounds over a few base cells each."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 9, 60).astype(float)
    rel = _Release(values, np.zeros(60), np.zeros((0, 2), dtype=np.int64))
    detail = rel.counts("placements", "children", np.repeat(np.arange(20), 3), 20)
    totals = rel.counts("by_council", "children", np.repeat(np.arange(5), 12), 5)
    halves = rel.counts("by_council", "half", np.where(np.arange(60) % 12 < 6, np.repeat(np.arange(5), 12), -1), 5)
    rest = rel.counts("by_council", "rest", np.where(np.arange(60) % 12 >= 6, np.repeat(np.arange(5), 12), -1), 5)
    for i in range(5):
        rel.relate(int(totals[i]), halves[i : i + 1], rest[i : i + 1])
    for _ in range(rng.integers(3, 12)):
        rel.bound(rng.choice(60, rng.integers(1, 4), replace=False), -np.inf, 10.0)
    rel.link(rng.choice(60, 2, replace=False), np.array([1.0, -1.0]))  # an equation: not a bound
    rel.finish()
    assert len(detail) == 20 and len(rel.relations) > 5
    return rel


def _closure(rel: _Release, var: np.ndarray) -> np.ndarray:
    """Base cells linked to ``var`` through a chain of public bounds, by growing the set."""
    bounds = [v for v, _, lo, hi in rel.links if lo != hi]
    while True:
        more = np.unique(np.concatenate([var] + [v for v in bounds if np.isin(v, var).any()]))
        if len(more) == len(var):
            return more
        var = more


def _secondary_by_definition(rel: _Release, hidden: np.ndarray) -> None:
    """The relation rule as one loop over every relation in every pass."""
    val = rel.value_a
    changed = True
    while changed:
        changed = False
        for total, parts in rel.relations:
            cells = np.concatenate([[total], parts])
            if hidden[cells].sum() != 1:
                continue
            free = cells[~hidden[cells] & ~rel.public[cells]]
            if not len(free):
                continue
            nonzero = free[val[free] > 0]
            detail = nonzero[~rel.headline[nonzero]]
            pool = detail if len(detail) else nonzero if len(nonzero) else free
            parts_ = pool[pool != total]
            hidden[parts_[np.argmin(val[parts_])] if len(parts_) else pool[0]] = True
            changed = True


@pytest.mark.parametrize("seed", range(8))
def test_bound_components_are_the_closure_through_bounds(seed: int) -> None:
    rel = _release(seed)
    comp = rel.bound_component()
    for k in range(rel.n_cells):
        var = rel.support[k]
        assert np.array_equal(np.flatnonzero(np.isin(comp, comp[var])), _closure(rel, var))
    hidden = np.zeros(rel.n_cells, dtype=bool)
    near = _neighbours(rel, 0, hidden, through_bounds=True)
    touch = np.unique(rel.nz_cell[np.isin(rel.nz_var, _closure(rel, rel.support[0]))])
    assert np.array_equal(near, touch)


@pytest.mark.parametrize("seed", range(12))
def test_relation_rule_picks_as_the_plain_loop(seed: int) -> None:
    rel = _release(seed)
    rng = np.random.default_rng(100 + seed)
    for n_hidden in (1, 2, 5, 9):
        start = np.zeros(rel.n_cells, dtype=bool)
        start[rng.choice(rel.n_cells, n_hidden, replace=False)] = True
        fast, plain = start.copy(), start.copy()
        _secondary(rel, fast)
        _secondary_by_definition(rel, plain)
        assert np.array_equal(fast, plain)
        assert fast.sum() >= start.sum()
