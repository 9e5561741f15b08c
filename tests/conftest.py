"""Shared fixtures: small hand-made regions with known answers."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import rcc

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(name: str) -> Path:
    """A folder of ../shared/data; in CI it must exist, elsewhere the test skips."""
    path = SHARED / name
    if not path.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"CI expects {path}")
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def tiny_frames() -> dict[str, pd.DataFrame]:
    """Two councils 30 miles apart (A at 53.0N, B 0.434 degrees north)."""
    councils = pd.DataFrame(
        {
            "council_id": ["A", "B"],
            "name": ["Aton", "Beeton"],
            "region": ["R", "R"],
            "lat": [53.0, 53.434],
            "lon": [-2.0, -2.0],
            "area_km2": [100.0, 100.0],
        }
    )
    homes = pd.DataFrame(
        {
            "home_id": ["fA", "fB", "chB", "kA"],
            "council_id": ["A", "B", "B", "A"],
            "provider_id": ["LA_A", "LA_B", "PRIV", "LA_A"],
            "home_type": ["in_house_fostering", "in_house_fostering", "childrens_home", "kinship"],
            "places": [3, 5, 2, 1],
            "needs": ["mainstream", "mainstream;sibling_group", "complex", "mainstream"],
            "min_age": [0, 0, 8, 0],
            "max_age": [17, 17, 17, 17],
            "weekly_cost_gbp": [500.0, 500.0, 5000.0, 300.0],
            "serves_council_id": ["", "", "", "A"],
        }
    )
    providers = pd.DataFrame(
        {
            "provider_id": ["LA_A", "LA_B", "PRIV"],
            "name": ["A in-house", "B in-house", "Private Ltd"],
            "sector": ["council", "council", "private"],
            "group": ["LA_A", "LA_B", "BigGroup"],
        }
    )
    cohorts = pd.DataFrame(
        {
            "cohort_id": ["A-m-5", "A-c-11", "B-m-0", "A-s-16"],
            "council_id": ["A", "A", "B", "A"],
            "need": ["mainstream", "complex", "mainstream", "secure"],
            "age_band": ["5-10", "11-15", "0-4", "16-17"],
            "children": [6, 1, 2, 1],
        }
    )
    return {"councils": councils, "homes": homes, "providers": providers, "cohorts": cohorts}


@pytest.fixture
def tiny(tiny_frames: dict[str, pd.DataFrame]) -> rcc.Region:
    f = tiny_frames
    return rcc.Region.from_frames(f["councils"], f["homes"], f["cohorts"], providers=f["providers"], name="tiny")
