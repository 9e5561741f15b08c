"""OR-Library capacitated warehouse location: rcc's sufficiency API reproduces
Beasley's published optima (multi-source, splittable demand) for cap41-cap134."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import rcc
from rcc.errors import InvalidInputError
from rcc.io.orlib import cflp_params, cflp_tables, read_capopt, read_cflp
from rcc.sufficiency import sufficiency_plan

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "orlib-cflp"

INSTANCES = [
    *(f"cap4{i}" for i in range(1, 5)),
    "cap51",
    *(f"cap6{i}" for i in range(1, 5)),
    *(f"cap7{i}" for i in range(1, 5)),
    *(f"cap8{i}" for i in range(1, 5)),
    *(f"cap9{i}" for i in range(1, 5)),
    *(f"cap10{i}" for i in range(1, 5)),
    *(f"cap11{i}" for i in range(1, 5)),
    *(f"cap12{i}" for i in range(1, 5)),
    *(f"cap13{i}" for i in range(1, 5)),
]

_TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def orlib_dir() -> Path:
    if not DATA.is_dir():
        message = f"OR-Library CFLP data not found at {DATA}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: the data must be there)")
        pytest.skip(message)
    return DATA


@pytest.fixture(scope="module")
def capopt(orlib_dir: Path) -> dict[str, float]:
    return read_capopt(orlib_dir / "capopt.txt")


def test_there_are_37_instances():
    assert len(INSTANCES) == 37 and len(set(INSTANCES)) == 37


def test_capopt_has_every_published_value(capopt):
    assert all(name in capopt for name in INSTANCES)
    assert capopt["cap41"] == 1040444.375
    assert capopt["capb-8000"] == 13082516.496
    assert len(capopt) == 37 + 12


def test_reader_both_layouts(orlib_dir):
    a = read_cflp(orlib_dir / "cap41.txt")  # OR-Library layout, 7 costs a line
    b = read_cflp(orlib_dir / "cap42.txt")  # one customer per line
    assert (a.m, a.n) == (b.m, b.n) == (16, 50)
    np.testing.assert_array_equal(a.demands, b.demands)
    np.testing.assert_array_equal(a.costs, b.costs)  # same matrix for the same m
    assert a.demands.sum() == 58268 and a.demands.max() == 12912
    assert a.fixed_costs.tolist().count(0.0) == 1 and set(a.capacities) == {5000.0}
    assert a.costs[0, 0] == pytest.approx(6739.725)


def test_reader_needs_capacity_for_capa(orlib_dir):
    with pytest.raises(InvalidInputError, match="capacity"):
        read_cflp(orlib_dir / "capa.txt")


def test_reader_rejects_wrong_token_count(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("2 1\n10 5.\n10 5.\n3\n1.0\n")
    with pytest.raises(InvalidInputError, match="tokens"):
        read_cflp(f)


def test_tables_are_rcc_inputs(orlib_dir):
    t = cflp_tables(read_cflp(orlib_dir / "cap81.txt"))
    assert isinstance(t["region"], rcc.Region)
    assert len(t["region"].cohorts) == 50 and len(t["options"]) == 25 and len(t["costs"]) == 25 * 50
    assert t["region"].cohorts.children.sum() == 58268


@pytest.mark.parametrize("name", INSTANCES)
def test_reproduces_published_optimum(name, orlib_dir, capopt):
    t = cflp_tables(read_cflp(orlib_dir / f"{name}.txt"))
    start = time.perf_counter()
    plan = sufficiency_plan(t["region"], t["options"], params=cflp_params(), costs=t["costs"])
    _TIMES[name] = time.perf_counter() - start
    assert plan.status is rcc.PlanStatus.OPTIMAL
    assert plan.metrics.loc[1, "unmet"] == 0
    assert abs(plan.total_cost_gbp - capopt[name]) <= 0.01
    # the plan's parts add up: fixed costs of opened warehouses + allocation costs
    assert plan.costs.capital_gbp.sum() == pytest.approx(plan.builds.capital_gbp.sum())
    assert (plan.builds.units <= 1).all()
    # capacity respected per opened warehouse
    load = plan.placements.groupby("home_id").children.sum()
    cap = plan.builds.set_index("option_id").places
    assert (load <= cap.reindex(load.index) + 1e-6).all()


def test_whole_set_runs_quickly():
    """All 37 solves together stay well under a minute (each is a 16-50 warehouse MILP)."""
    if len(_TIMES) < len(INSTANCES):
        pytest.skip("run with the parametrised instances")
    assert sum(_TIMES.values()) < 60.0
