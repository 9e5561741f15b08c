"""Vectorised helpers of the optimiser equal their plain-loop definitions (public helpers only:
the pricing seed's private rank helper is covered by the priced-versus-whole-model property tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rcc.allocation.engine import split_class_flows


def _split_loop(home_class: np.ndarray, places: np.ndarray, edge_class: np.ndarray, class_flow: np.ndarray) -> list:
    """The definition: each class edge with flow, in edge order, fills its class's homes in table order."""
    free = places.astype(np.int64).copy()
    rows = []
    for e in np.flatnonzero(class_flow > 0.5).tolist():
        need = int(round(class_flow[e]))
        for h in np.flatnonzero(home_class == edge_class[e]).tolist():
            take = min(int(free[h]), need)
            if take > 0:
                rows.append((e, h, take))
                free[h] -= take
                need -= take
        assert need == 0
    return rows


@st.composite
def _class_flows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_homes = draw(st.integers(1, 12))
    n_classes = draw(st.integers(1, n_homes))
    home_class = np.array(draw(st.permutations(list(range(n_classes)) + draw(
        st.lists(st.integers(0, n_classes - 1), min_size=n_homes - n_classes, max_size=n_homes - n_classes)))))
    places = np.array(draw(st.lists(st.integers(0, 5), min_size=n_homes, max_size=n_homes)))
    n_edges = draw(st.integers(0, 15))
    edge_class = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n_edges, max_size=n_edges)), dtype=np.int64)
    # flows within each class's places
    left = np.bincount(home_class, weights=places, minlength=n_classes).astype(np.int64)
    flow = np.zeros(n_edges)
    for e in range(n_edges):
        take = draw(st.integers(0, int(left[edge_class[e]])))
        flow[e] = take
        left[edge_class[e]] -= take
    return home_class, places, edge_class, flow


@given(_class_flows())
def test_split_class_flows_equals_the_loop(case: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
    edge, home, take = split_class_flows(*case)
    assert list(zip(edge.tolist(), home.tolist(), take.tolist())) == _split_loop(*case)
