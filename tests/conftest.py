"""Shared fixtures: small hand-made regions with known answers; the suite's skip policy.

Skip policy: a test may skip only if it is marked ``@pytest.mark.optional_skip("why")``
(e.g. a tool the suite can do without). Any other skip is listed at the end of the run
and, when the environment variable ``RCC_CI=1`` is set (``.ci/run`` sets it), fails the
session: in CI every test must run. Test data lives in ``tests/fixtures`` (sources and
licences in the ``SOURCES.md`` files there); no test reads anything outside the repository.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import rcc

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

OPTIONAL_SKIP = "optional_skip"


def strict_skips() -> bool:
    """Whether an undeclared skip fails the session (``RCC_CI=1``)."""
    return os.environ.get("RCC_CI", "") == "1"


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (file, line, "Skipped: why")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class SkipPolicy:
    """Collects the skips not declared optional (tests and doctests alike) and acts on them.

    A plugin object rather than conftest hooks, so that it sees every report: conftest
    hooks only see the items under their own folder (the doctests of ``rcc/`` are not).
    """

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.undeclared: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail") and OPTIONAL_SKIP not in report.keywords:
            self.undeclared.append((report.nodeid, _skip_reason(report)))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # a whole module skipped at collection (a top-level importorskip) is never optional
        if report.skipped:
            self.undeclared.append((report.nodeid, _skip_reason(report)))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.strict and self.undeclared and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.undeclared:
            return
        verdict = "they FAIL this run (RCC_CI=1)" if self.strict else "they would fail CI (RCC_CI=1)"
        terminalreporter.section(f"{len(self.undeclared)} skip(s) not declared optional: {verdict}", sep="=")
        for nodeid, reason in self.undeclared:
            terminalreporter.line(f"SKIPPED {nodeid}: {reason}")
        terminalreporter.line(f'Make the test run, or mark it @pytest.mark.{OPTIONAL_SKIP}("why it may skip").')


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The random order's seed (pytest-randomly prints it in the header, which ``-q`` hides)."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.pluginmanager.has_plugin("randomly"):
        terminalreporter.line(
            f"random order: --randomly-seed={seed} (rerun in this order: python -m pytest -q --randomly-seed={seed})"
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{OPTIONAL_SKIP}(reason): the test may skip for this reason without failing CI (see tests/conftest.py)",
    )
    if not config.pluginmanager.has_plugin("rcc-skip-policy"):
        config.pluginmanager.register(SkipPolicy(strict_skips()), "rcc-skip-policy")


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


@pytest.fixture(scope="session")
def gm_short() -> rcc.Region:
    """Greater Manchester as a commissioner plans it (today's placements held) with its UASC foster places cut to
    the children living in them and three more UASC of 11 to 15 in Manchester: the UASC of 11 to 15 not yet
    placed have no home (11 on the census of 2026-12-04: Manchester 5, four councils 1 or 2 each). A plan with
    small counts of children without a home in several councils, for the suppression tests (the embedded region
    itself now finds every child a home). Without the three, that census leaves 8 in five councils, 1 to 4 each,
    and the audit rightly hides the region's count with theirs, which the headline test does not want."""
    region = rcc.datasets.england("Greater Manchester RCC", seed=0)
    held = region.placements.groupby("home_id").children.sum()
    homes = region.homes.copy()
    uasc = (homes.needs == "uasc").to_numpy()
    homes.loc[uasc, "places"] = held.reindex(homes.home_id[uasc]).fillna(0).astype(int).to_numpy()
    cohorts = region.cohorts.copy()
    manchester = cohorts.cohort_id == "E08000003:uasc:11-15"
    assert manchester.sum() == 1  # the cohort the three join
    cohorts.loc[manchester, "children"] += 3
    return region.replace(homes=homes, cohorts=cohorts)


# ------------------------------------------------------------------ Greater Manchester results for the report tests
# One session-wide solve of each (the charts, the HTML report and the audit read the same object, whose
# released tables are computed once per object and threshold): tests must not change them.
@pytest.fixture(scope="session")
def gm_suff() -> rcc.SufficiencyPlan:
    """A 3-year sufficiency plan of Greater Manchester (seed 0), GBP 10m of capital in all."""
    region = rcc.datasets.england("Greater Manchester RCC", seed=0)
    forecast = rcc.forecast_from_region(region, years=3)
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [10e6]})
    return rcc.sufficiency_plan(region, rcc.default_options(region), forecast, budgets, rcc.SufficiencyParams(years=3))


@pytest.fixture(scope="session")
def gm_cmp() -> rcc.Comparison:
    """Greater Manchester and its neighbours within 20 miles under the first four standard scenarios."""
    ids = rcc.datasets.regions()["Greater Manchester RCC"]
    base = rcc.with_neighbours(rcc.datasets.england(today=False), ids, within_miles=20)  # scenarios from scratch
    return rcc.compare(base, rcc.standard_scenarios(ids, "Greater Manchester")[:4])


# ------------------------------------------------------------------ a reader's model of a report (independent of rcc's)
def reader_pairs(plan: rcc.Plan, threshold: int, pooled: frozenset = frozenset()) -> pd.DataFrame:
    """What a reader could fill a plan's report in with, worked out here from the public
    rules: one row per (home council, home) pair -- used by the plan, or a home that could
    take one of the council's cohorts (rcc.eligible_edges) no farther than the farthest the
    plan uses for it, with 0 children -- and the report row it counts in (``key_council``,
    ``key_type``): a placement council with fewer than ``threshold`` children of the council
    pooled as "(elsewhere)"; inside a listed council, a type with fewer as "other types (few
    places)", or the council as "all types" when those others are fewer than ``threshold``
    but not none. Pairs of unlisted rows (no child) are dropped. ``pooled``: (home council,
    placement council) the report pooled into "(elsewhere)" beyond the rule (read off its table)."""
    region = plan.region
    p = plan.placements
    used = p.groupby(["council_id", "home_id"], as_index=False).agg(
        children=("children", "sum"), held=("held", "sum"), home_council_id=("home_council_id", "first"),
        home_type=("home_type", "first"), distance_miles=("distance_miles", "first"),
        inside_own_council=("inside_own_council", "first"), weekly_cost_gbp=("weekly_cost_gbp", "first"),
    )
    e = rcc.eligible_edges(region)
    homes = region.homes
    cand = pd.DataFrame({
        "council_id": region.cohorts.council_id.to_numpy()[e.cohort], "home_id": homes.home_id.to_numpy()[e.home],
        "home_council_id": homes.council_id.to_numpy()[e.home], "home_type": homes.home_type.to_numpy()[e.home],
        "distance_miles": e.distance_miles.to_numpy(), "inside_own_council": e.inside_own_council.to_numpy(),
        "weekly_cost_gbp": e.weekly_cost_gbp.to_numpy(), "children": 0, "held": 0,
    }).drop_duplicates(["council_id", "home_id"])
    reach = used.groupby("council_id").distance_miles.max()
    cand = cand[cand.distance_miles <= cand.council_id.map(reach).fillna(-1.0)]
    pairs = pd.concat([used, cand], ignore_index=True).drop_duplicates(["council_id", "home_id"]).reset_index(drop=True)
    places = homes.set_index("home_id").places
    placed = used.groupby("home_id").children.sum()
    pairs["places"] = [max(float(places[h]), float(placed.get(h, 0))) for h in pairs.home_id]
    kids = {}
    for r in pairs.itertuples():
        for k in ((r.council_id, r.home_council_id), (r.council_id, r.home_council_id, r.home_type)):
            kids[k] = kids.get(k, 0) + r.children
    ok = {k: v >= threshold and (len(k) == 3 or k not in pooled) for k, v in kids.items()}
    rest = {}
    for r in pairs.itertuples():
        f = (r.council_id, r.home_council_id)
        if ok[f] and not ok[f + (r.home_type,)]:
            rest[f] = rest.get(f, 0) + r.children
    kc, kt = [], []
    for r in pairs.itertuples():
        f = (r.council_id, r.home_council_id)
        if not ok[f]:
            kc.append("(elsewhere)")
            kt.append("all types")
            continue
        kc.append(r.home_council_id)
        if 0 < rest.get(f, 0) < threshold:
            kt.append("all types")
        else:
            kt.append(r.home_type if ok[f + (r.home_type,)] else "other types (few places)")
    pairs["key_council"], pairs["key_type"] = kc, kt
    total = pairs.groupby(["council_id", "key_council", "key_type"]).children.transform("sum")
    return pairs[(total > 0) | (pairs.key_council == "(elsewhere)")].reset_index(drop=True)


def pooled_beyond_rule(plan: rcc.Plan, listed: pd.DataFrame, threshold: int) -> frozenset:
    """(home council, placement council) pairs the rule of :func:`reader_pairs` lists that a
    report's published placements table (``listed``) does not: pooled after an audit."""
    rule = reader_pairs(plan, threshold)
    shown = set(zip(listed.council_id, listed.placement_council_id))
    return frozenset(k for k in zip(rule.council_id, rule.key_council) if k not in shown and k[1] != "(elsewhere)")
