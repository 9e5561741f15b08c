"""The readers are packages: every name the API reference (docs/api.md) documents is on the package."""

from __future__ import annotations

import importlib

import pytest

# the names docs/api.md documents for each reader (its rcc.io.ssda903 and rcc.io.ofsted sections)
DOCUMENTED = {
    "rcc.io.ssda903": [
        "EPISODE_COLUMNS",
        "HEADER_COLUMNS",
        "PLACE_CODES",
        "PLACE_MAPPING",
        "PLACE_PROVIDER_CODES",
        "REJECTION_REASONS",
        "SHORT_BREAK_LEGAL_STATUSES",
        "Ssda903Result",
        "UASC_COLUMNS",
        "load_ssda903",
        "normalise_postcodes",
        "pseudonymise",
        "read_episodes",
        "read_header",
        "read_uasc",
    ],
    "rcc.io.ofsted": [
        "OFSTED_COLUMNS",
        "OfstedResult",
        "PROVISION_MAPPING",
        "REJECTION_REASONS",
        "SECTOR_MAPPING",
        "normalise_council_name",
        "read_ofsted_providers",
    ],
}


@pytest.mark.parametrize("module", sorted(DOCUMENTED))
def test_every_documented_name_is_on_the_package(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(DOCUMENTED[module])
    for name in DOCUMENTED[module]:
        assert getattr(mod, name) is not None
