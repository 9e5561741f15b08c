"""CBC is an optional extra: the default install has HiGHS only, and asking for CBC without it
says how to install it (``pip install "rcc[cbc]"``). On Python 3.12+ CBC comes from PuLP 4's
``cbc`` extra (cbcbox); PuLP 3.3.2 (Python 3.11) bundles it. ``[test]`` includes it, so the CBC
tests in the suite run in CI; here its absence is simulated."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pulp
import pytest

import rcc

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_cbc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PuLP CBC driver reports that it cannot run here (as with PuLP 4 without cbcbox)."""
    for name in ("COIN_CMD", "PULP_CBC_CMD"):
        cls = getattr(pulp, name, None)
        if cls is not None:
            monkeypatch.setattr(cls, "available", lambda self: False)


def test_cbc_missing_says_pip_install_rcc_cbc(tiny: rcc.Region, no_cbc: None) -> None:
    with pytest.raises(rcc.SolverError, match=r'solver "cbc" is not installed here: pip install "rcc\[cbc\]"'):
        rcc.plan(tiny, rcc.PlanParams(solver=rcc.SolverOptions(name="cbc")))
    # the default solver is unaffected
    assert rcc.plan(tiny).status is rcc.PlanStatus.OPTIMAL


def test_cbc_missing_in_a_sufficiency_plan(no_cbc: None) -> None:
    region = rcc.datasets.england("Greater Manchester RCC")
    forecast = rcc.forecast_from_region(region, years=1)
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [1e6]})
    params = rcc.SufficiencyParams(years=1, solver=rcc.SolverOptions(name="cbc"))
    with pytest.raises(rcc.SolverError, match=r'pip install "rcc\[cbc\]"'):
        rcc.sufficiency_plan(region, rcc.default_options(region), forecast, budgets, params)


def test_cbc_is_an_extra_not_a_default_dependency() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if "cbc" in d.lower()]
    extras = project["optional-dependencies"]
    assert any(d.startswith("pulp[cbc]") and "python_version >= '3.12'" in d for d in extras["cbc"])
    assert any(d.startswith("pulp[cbc]") for d in extras["test"])  # CI runs the CBC tests

