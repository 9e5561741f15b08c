"""The documentation site builds, strictly, with every notebook of the gallery executed.

``mkdocs build --strict`` (configuration: ``mkdocs.yml``; dependencies: the ``docs`` extra, also in
``test``) runs each notebook in ``docs/notebooks/`` in a fresh Jupyter kernel (mkdocs-jupyter,
``execute: true``, ``allow_errors: false``): a cell that raises, a broken link or anchor, a page
missing from the navigation fails the build and so this test. The kernel imports rcc from this
checkout (``PYTHONPATH``), the same rcc the rest of the suite tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import rcc
from rcc.core.outputs import METRIC_NAMES, OUTPUT_TABLES
from rcc.core.schema import SECTORS, SUPPRESSED_CELL

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


def _mkdocs(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the kernel's debugger warns on frozen modules otherwise
    env["NO_MKDOCS_2_WARNING"] = "1"  # mkdocs-material's banner about its end of life (May 2027) and Zensical
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)]
    return subprocess.run(cmd, cwd=config.parent, env=env, capture_output=True, text=True, timeout=900)


def _text(html: Path) -> str:
    """A page's text without tags (mkdocs-jupyter wraps every token of code in a span)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8")))


def test_site_builds_with_every_notebook_executed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    run = _mkdocs(REPO / "mkdocs.yml", site)
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    assert (site / "index.html").exists()
    assert "Commissioner notebook" in _text(site / "index.html")
    assert "unreachable" in _text(site / "glossary" / "index.html")
    assert "rcc.plan" in _text(site / "api" / "index.html")
    assert "cohort_id" in _text(site / "schema" / "index.html")
    # each notebook's page holds what its cells printed when the site was built
    printed = {
        "01_commissioner": ["status optimal", "children placed", "reason_code", "greater-manchester.html"],
        "02_pathfinder": ["homes.csv", "InvalidInputError", "status optimal", "rcc_pooled", "optimised/by_council.csv",
                          "manifest.json"],
        "03_developer_property_tests": ["capacity holds in every drawn region", "Failing test case"],
    }
    assert sorted(printed) == [nb.stem for nb in NOTEBOOKS]
    for stem, words in printed.items():
        text = _text(site / "notebooks" / stem / "index.html")
        for w in words:
            assert w in text, f"{stem}: {w!r} not in the executed page"
        assert "Traceback (most recent call last)" not in text
    # the commissioner sees charts (distance bands, by council, flows, timeline, spend) and the plan's card
    commissioner = (site / "notebooks" / "01_commissioner" / "index.html").read_text(encoding="utf-8")
    assert commissioner.count("data:image/png;base64") >= 5
    assert 'class="rcc-card"' in commissioner  # display(plan): the HTML card, not the text repr


def test_a_notebook_that_raises_fails_the_build(tmp_path: Path) -> None:
    """The gallery's plugin settings, on a one-cell notebook that raises: the build fails."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    plugin = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert plugin["execute"] is True and plugin["allow_errors"] is False and plugin["cache"] is False
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb["cells"] = [{"cell_type": "code", "id": "boom", "metadata": {}, "execution_count": None, "outputs": [],
                    "source": ["raise RuntimeError('broken on purpose')\n"]}]
    (tmp_path / "docs" / "broken.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    small = {"site_name": "broken", "nav": ["index.md", "broken.ipynb"], "plugins": [{"mkdocs-jupyter": plugin}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small), encoding="utf-8")
    run = _mkdocs(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert run.returncode != 0
    assert "broken on purpose" in run.stdout + run.stderr


def test_notebooks_are_stored_without_outputs() -> None:
    """What the site shows is what this rcc printed at build time, never a stale stored output."""
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert code and all(not c["outputs"] and c["execution_count"] is None for c in code), path.name


def _glossary_codes() -> set[str]:
    return set(re.findall(r"`([^`]+)`", (DOCS / "glossary.md").read_text(encoding="utf-8")))


def test_glossary_has_every_code_rcc_writes() -> None:
    """Every status, reason code, need, age band, home type, sector, metric and the suppression mark."""
    reasons: set[str] = set()
    for name in ("plan.shortfall", "sufficiency.shortfall"):
        reasons |= set(next(c for c in OUTPUT_TABLES[name].columns if c.name == "reason_code").choices or ())
    assert {"unreachable", "capacity", "weights"} <= reasons
    codes = (
        {s.value for s in rcc.PlanStatus}
        | reasons
        | set(rcc.NEEDS)
        | set(rcc.AGE_BANDS)
        | set(rcc.HOME_TYPES)
        | set(SECTORS)
        | set(METRIC_NAMES)
        | {SUPPRESSED_CELL}
    )
    missing = sorted(codes - _glossary_codes())
    assert not missing, f"docs/glossary.md does not explain {missing}"


@pytest.mark.parametrize("page", ["api.md", "schema.md", "glossary.md", "index.md"])
def test_every_page_is_in_the_navigation(page: str) -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(rf":\s*{re.escape(page)}\s*$", nav, re.M), page


def test_the_readme_shows_the_card_and_trade_off_greater_manchester_gives_today() -> None:
    """The quick start's card and trade-off sentence are what rcc prints now (a stale README fails)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(">>> plan\n") + len(">>> plan\n"):readme.index(">>> rcc.side_by_side(")]
    card, _, trade = block.partition(">>> print(rcc.trade_off(today, plan, (\"today\", \"optimised\")))\n")
    region = rcc.datasets.england("Greater Manchester RCC")
    plan = rcc.plan(region)
    today = rcc.simulate.today_plan(region)
    assert card.rstrip("\n") == repr(plan)
    assert trade.strip() == str(rcc.trade_off(today, plan, ("today", "optimised")))


def test_the_readme_picture_of_a_notebook_is_there_and_says_what_a_fresh_plan_says() -> None:
    """The quick start's picture (docs/images/notebook-card.png, drawn by scripts/make_readme_images.py):
    present, a real PNG, and its description's numbers are those of a fresh plan."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    alt, path = re.search(r"!\[([^\]]*)\]\((docs/images/notebook-card\.png)\)", readme).groups()
    png = (REPO / path).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    plan = rcc.plan(rcc.datasets.england("Greater Manchester RCC"))
    m = plan.metrics
    assert f"status {plan.status.value}" in alt
    assert f"{m['children']:,.0f} children, {m['placed']:,.0f} placed, {m['unmet']:,.0f} without a home" in alt
    assert "make_readme_images.py" in readme
