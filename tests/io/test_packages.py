"""The readers are packages: every name the API reference documents is on the package."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.mark.parametrize("module", ["rcc.io.ssda903", "rcc.io.ofsted"])
def test_every_documented_name_is_on_the_package(module: str) -> None:
    mod = importlib.import_module(module)
    documented = re.findall(rf"^### `{re.escape(module)}\.(\w+)`", API.read_text(encoding="utf-8"), flags=re.M)
    assert len(documented) >= 7  # the section was found
    assert sorted(documented) == sorted(mod.__all__)
    for name in documented:
        assert getattr(mod, name) is not None
