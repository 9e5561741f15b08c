"""OR-Library capacitated warehouse location: rcc's sufficiency API reproduces
Beasley's published optima (multi-source, splittable demand) for cap41-cap134."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest

import rcc
from rcc.core.errors import InvalidInputError
from rcc.sufficiency import sufficiency_plan
from rcc.sufficiency.orlib import cflp_params, cflp_tables, read_capopt, read_cflp

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "orlib-cflp"  # sources: SOURCES.md there

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


@pytest.fixture(scope="module")
def orlib_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 37 instance files, unpacked byte for byte from the repository's archive."""
    out = tmp_path_factory.mktemp("orlib-cflp")
    with tarfile.open(FIXTURES / "cap-instances.tar.gz") as tar:
        for member in tar.getmembers():
            assert member.isfile() and "/" not in member.name, member.name  # flat archive, nothing else
            (out / member.name).write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    return out


@pytest.fixture(scope="module")
def capopt() -> dict[str, float]:
    return read_capopt(FIXTURES / "capopt.txt")


def test_fixture_archive_holds_exactly_the_instances(orlib_dir: Path) -> None:
    assert sorted(p.name for p in orlib_dir.iterdir()) == sorted(f"{name}.txt" for name in INSTANCES)


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


def test_reader_needs_capacity_for_capa():
    # capa.txt's 100 warehouse lines ("capacity <fixed cost>") and its first 3 customers
    head = FIXTURES / "capa-head.txt"
    with pytest.raises(InvalidInputError, match="capacity"):
        read_cflp(head)
    a = read_cflp(head, capacity=8000)
    assert (a.m, a.n) == (100, 3) and set(a.capacities) == {8000.0}
    assert a.fixed_costs[0] == 2141200.0 and a.demands.tolist() == [56.0, 84.0, 30.0]


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
    plan = sufficiency_plan(t["region"], t["options"], params=cflp_params(), costs=t["costs"])
    assert plan.status is rcc.PlanStatus.OPTIMAL
    assert plan.metrics_by_year.loc[1, "unmet"] == 0
    assert abs(plan.total_cost_gbp - capopt[name]) <= 0.01
    # the plan's parts add up: fixed costs of opened warehouses + allocation costs
    assert plan.costs.capital_gbp.sum() == pytest.approx(plan.builds.capital_gbp.sum())
    assert (plan.builds.units <= 1).all()
    # capacity respected per opened warehouse
    load = plan.placements.groupby("home_id").children.sum()
    cap = plan.builds.set_index("option_id").places
    assert (load <= cap.reindex(load.index) + 1e-6).all()
