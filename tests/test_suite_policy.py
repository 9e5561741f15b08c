"""The suite's own rules: test data inside the repository, no skip unless declared optional (tests/conftest.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SAMPLE = """
import pytest

def test_runs():
    assert True

@pytest.mark.optional_skip("a tool the suite can do without")
def test_declared():
    pytest.skip("tool absent")

def test_undeclared():
    pytest.skip("data absent")
"""


def _run(
    tmp_path: Path, body: str, rcc_ci: str | None, order: tuple[str, ...] = ("-p", "no:randomly")
) -> subprocess.CompletedProcess[str]:
    """pytest on a folder holding a copy of the suite's conftest and ``body`` as a test module."""
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(body)
    env = {k: v for k, v in os.environ.items() if k not in ("RCC_CI", "PYTEST_ADDOPTS")}
    if rcc_ci is not None:
        env["RCC_CI"] = rcc_ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *order, "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_undeclared_skip_fails_ci_and_is_listed(tmp_path: Path) -> None:
    r = _run(tmp_path, SAMPLE, "1")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 passed, 2 skipped" in r.stdout
    assert "1 skip(s) not declared optional: they FAIL this run" in r.stdout
    assert re.search(r"SKIPPED \S*test_undeclared: data absent", r.stdout)
    assert "test_declared" not in r.stdout  # the declared skip is allowed and not listed


def test_undeclared_skip_fails_ci_on_two_workers(tmp_path: Path) -> None:
    """The suite runs on two processes (pytest-xdist, ``-n 2`` in pyproject): the rule holds there too."""
    r = _run(tmp_path, SAMPLE, "1", order=("-p", "no:randomly", "-n", "2"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 passed, 2 skipped" in r.stdout
    assert "1 skip(s) not declared optional: they FAIL this run" in r.stdout


def test_declared_skip_passes_ci(tmp_path: Path) -> None:
    r = _run(tmp_path, SAMPLE.split("def test_undeclared")[0], "1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed, 1 skipped" in r.stdout and "not declared optional" not in r.stdout


def test_outside_ci_undeclared_skip_is_listed_not_failed(tmp_path: Path) -> None:
    r = _run(tmp_path, SAMPLE, None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 skip(s) not declared optional: they would fail CI" in r.stdout


def test_a_failure_keeps_its_exit_status(tmp_path: Path) -> None:
    r = _run(tmp_path, SAMPLE + "\ndef test_fails():\n    assert False\n", "1")
    assert r.returncode == 1 and "1 failed" in r.stdout


def test_random_order_seed_is_printed_even_with_q(tmp_path: Path) -> None:
    pytest.importorskip("pytest_randomly")  # in the test extra: under RCC_CI=1 this skip would fail the run
    r = _run(tmp_path, "def test_runs():\n    assert True\n", None, order=("--randomly-seed=7",))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "random order: --randomly-seed=7 " in r.stdout


@pytest.mark.parametrize("path", sorted(p.relative_to(TESTS) for p in TESTS.rglob("test_*.py")), ids=str)
def test_no_test_reads_outside_the_repository(path: Path) -> None:
    # the suite must run on a fresh clone: no ../shared (or any path above the repository)
    text = (TESTS / path).read_text()
    assert not re.search(r"""["']shared["']|parents\[[2-9]\]""", text), f"{path} reaches outside the repository"


def test_fixtures_have_their_sources() -> None:
    folders = [p for p in (TESTS / "fixtures").iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert {p.name for p in folders} == {"orlib-cflp", "ofsted", "pds", "ssda903"}
    for folder in folders:
        sources = (folder / "SOURCES.md").read_text()
        assert "Licence" in sources and "sha256" in sources, folder
    size = sum(
        p.stat().st_size for p in (TESTS / "fixtures").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    assert size < 500_000  # a few hundred KB: trim or compress rather than grow the repository
