"""What a commissioner sees: short text and HTML cards for every result, readable metrics, money in GBP,
one glossary covering every code rcc outputs, the trade-off sentence, and the API traps (new_homes
duplicates, side_by_side's home, the executor)."""

from __future__ import annotations

import html
import importlib.resources
import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.analysis.parallel import BROKEN_POOL_HELP
from rcc.core.errors import InvalidInputError

MILES_PER_DEG_LAT = 69.09
NAME = '<b>Aton & "Beeton"</b>'  # a region name that must be escaped in HTML


def toy(name: str = NAME) -> rcc.Region:
    """A (3 in-house carers at GBP 500, 2 children), B 7 miles north (an IFA place at GBP 900, 3 children):
    the plan places 4 children and leaves 1 of B's without a home (capacity)."""
    d = 7 / MILES_PER_DEG_LAT
    councils = pd.DataFrame(
        {"council_id": ["A", "B"], "name": ["Aton", "Beeton"], "region": "R", "lat": [53.0, 53.0 + d], "lon": -2.0}
    )
    homes = pd.DataFrame(
        {
            "home_id": ["fA", "iB"],
            "council_id": ["A", "B"],
            "provider_id": ["LA:A", "IFA"],
            "home_type": ["in_house_fostering", "ifa_fostering"],
            "places": [3, 1],
            "needs": "mainstream",
            "weekly_cost_gbp": [500.0, 900.0],
        }
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["a", "b"], "council_id": ["A", "B"], "need": "mainstream", "age_band": "5-10", "children": [2, 3]}
    )
    providers = pd.DataFrame({"provider_id": ["LA:A", "IFA"], "name": ["A", "IFA"], "sector": ["council", "private"]})
    return rcc.Region.from_frames(councils, homes, cohorts, providers=providers, name=name)


@pytest.fixture(scope="module")
def gm() -> rcc.Region:
    return rcc.datasets.england("Greater Manchester RCC", today=False)  # greedy leaves children without a home


@pytest.fixture(scope="module")
def gm_plans(gm: rcc.Region) -> tuple[rcc.Plan, rcc.Plan]:
    return rcc.plan(gm, rcc.PlanParams(method="greedy")), rcc.plan(gm)


def _rows(text: str) -> dict[str, str]:
    """A text card's "label   value" lines as a dict."""
    out = {}
    for line in text.splitlines()[1:]:
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def _short(text: str) -> None:
    assert len(text.splitlines()) < 40 and len(text.encode()) < 4096, text


def _escaped(page: str) -> None:
    assert NAME not in page and html.escape(NAME) in page
    assert "<script" not in page


# ---------------------------------------------------------------------------- plan
def test_plan_repr_is_a_short_card_with_status_and_headline_numbers() -> None:
    p = rcc.plan(toy())
    text = repr(p)
    _short(text)
    assert text.splitlines()[0] == f"<rcc.Plan {NAME}: optimised plan | status: optimal>"
    # 5 children, 4 placed (3 in A's carers, 1 in the IFA), 1 without a home; 3 of 4 inside their own council
    card = _rows(text)
    # placed: A's 2 and one of B's in A's carers (0 + 0 + 7 miles), one of B's in B's IFA place (0 miles);
    # providers LA:A 3 of 4, IFA 1 of 4: HHI 10,000 x (0.75^2 + 0.25^2) = 6,250; cost 3 x 500 + 900
    assert card == {"children": "5", "placed": "4", "without a home": "1", "inside own council": "75.0%",
                    "over 20 miles": "0.0%", "mean distance": "1.8 miles", "weekly cost": "£2,400 a week",
                    "provider HHI": "6,250 of 10,000"}
    assert "  without a home by reason: capacity 1" in text.splitlines()
    assert "rcc.write_html(plan" in text and "plan.placements" in text
    assert "e+" not in text
    page = p._repr_html_()
    _short(page)
    _escaped(page)
    assert "optimal" in page and "£2,400 a week" in page and "75.0%" in page
    g = rcc.plan(toy(), rcc.PlanParams(method="greedy"))
    assert "status: heuristic" in repr(g).splitlines()[0]


def test_metrics_print_readably_and_stay_floats(gm_plans: tuple[rcc.Plan, rcc.Plan]) -> None:
    _, p = gm_plans
    m = p.metrics
    assert isinstance(m, pd.Series) and m.dtype == np.float64
    assert float(m["weekly_cost_gbp"]) == pytest.approx(float((p.placements.children * p.placements.weekly_cost_gbp).sum()))
    text = repr(m)
    assert "e+" not in text and "e-" not in text
    assert f"£{m.weekly_cost_gbp:,.0f} a week" in text
    assert f"children                {m.children:,.0f}" in text  # a whole number, with a thousands separator
    assert f"{m.pct_inside_own_council:.1f}%" in text and f"{m.provider_hhi:,.0f} of 10,000" in text
    doubled = m * 2  # arithmetic gives a plain Series with the numbers
    assert type(doubled) is pd.Series and doubled["children"] == 2 * m["children"]
    assert "<table" in m._repr_html_()


# ---------------------------------------------------------------------------- other results
def test_region_card_and_repr() -> None:
    r = toy()
    assert repr(r) == f"Region({NAME!r}: 2 councils, 2 homes with 4 places, 2 cohorts with 5 children)"
    page = r._repr_html_()
    _short(page)
    _escaped(page)
    assert "rcc.plan(region)" in page


def test_comparison_card(gm: rcc.Region) -> None:
    cmp = rcc.compare(toy(), [rcc.Scenario("standalone"), rcc.Scenario("national", "national")])
    text = repr(cmp)
    _short(text)
    assert "status: optimal" in text.splitlines()[0]
    # alone, B's 3 children have only the IFA place (2 without a home); pooled nationally A's spare carer takes one
    lines = text.splitlines()
    assert re.split(r"\s{2,}", lines[1].strip()) == [
        "scenario", "without a home", "inside own council", "over 20 miles", "weekly cost (GBP)"]
    assert lines[2].split() == ["standalone", "2", "100.0%", "0.0%", "£1.9k"]
    assert lines[3].split() == ["national", "1", "75.0%", "0.0%", "£2.4k"]
    assert "cmp.trade_off('national')" in text
    _escaped(cmp._repr_html_())
    t = cmp.trade_off("national")
    assert t.reference == "standalone" and t.plan == "national"
    with pytest.raises(InvalidInputError, match="scenario"):
        cmp.trade_off("nope")


def test_sufficiency_plan_card() -> None:
    region = toy()
    forecast = rcc.forecast_from_region(region, 2)
    suff = rcc.sufficiency_plan(region, rcc.default_options(region), forecast)
    text = repr(suff)
    _short(text)
    assert text.splitlines()[0] == f"<rcc.SufficiencyPlan {NAME} | status: {suff.status.value}>"
    last = suff.metrics_by_year.loc[2]
    card = _rows(text)
    assert card["year 2: children"] == f"{last.children:,.0f}" and card["new places"] == f"{suff.new_places:,}"
    assert card["year 2: without a home"] == f"{last.unmet:,.0f}"
    assert "suff.builds" in text
    _escaped(suff._repr_html_())


@pytest.mark.parametrize(
    ("gap", "shown"),
    [(None, "-"), (0.0, "0%"), (4.12e-7, "< 0.001%"), (4.12e-5, "0.0041%"), (2.6e-4, "0.026%"), (0.025, "2.5%"), (12.5, "1,250%")],
)
def test_gaps_never_show_in_scientific_notation(gap: float | None, shown: str) -> None:
    assert rcc.core.display.fmt_gap(gap) == shown


def test_wrap_lines_wraps_only_long_lines_and_keeps_their_indent_and_words() -> None:
    short = "  start  a short line"
    long = "  start  " + " ".join(f"word{i}" for i in range(40))
    out = rcc.core.display.wrap_lines(f"{short}\n{long}", 60).splitlines()
    assert out[0] == short and all(len(line) <= 60 for line in out)
    assert out[1].startswith("  start  word0") and all(line.startswith("    ") for line in out[2:])
    assert " ".join(" ".join(out[1:]).split()) == " ".join(long.split())


def test_sufficiency_card_and_reports_show_a_tiny_gap_without_an_exponent(tmp_path: Path) -> None:
    region = toy()
    suff = rcc.sufficiency_plan(region, rcc.default_options(region), rcc.forecast_from_region(region, 2))
    suff = attrs.evolve(suff, info=attrs.evolve(suff.info, gap=4.12e-7))  # a MIP closed within its tolerance
    rcc.write_html(suff, tmp_path / "s.html")
    texts = {"repr": repr(suff), "html card": suff._repr_html_(), "summary": suff.summary(),
             "html report": (tmp_path / "s.html").read_text()}
    for where, text in texts.items():
        assert not re.search(r"\d[eE][-+]\d", re.sub(r"<(script|style)\b.*?</\1>|data:[^\"')]+", "", text, flags=re.S)), where
    assert "gap to the best bound: < 0.001%" in texts["repr"] and "&lt; 0.001%" in texts["html report"]


def test_forecast_card_and_plain_dataframe_operations(gm: rcc.Region) -> None:
    f = rcc.forecast_from_region(gm, 3, growth_by_need={"complex": 0.10})
    assert isinstance(f, pd.DataFrame)
    text = repr(f)
    _short(text)
    per_year = f.groupby("year").children.sum()
    for y in (1, 2, 3):
        assert f"plan year {y}  {per_year[y]:,} children" in text
    assert type(f.head()) is pd.DataFrame and len(f.head()) == 5  # operations give plain tables
    assert "rcc.Forecast" in f._repr_html_()


# ---------------------------------------------------------------------------- trade-off
def test_trade_off_sentence_and_numbers(gm_plans: tuple[rcc.Plan, rcc.Plan]) -> None:
    g, p = gm_plans
    t = rcc.trade_off(g, p)
    gm_, pm = g.metrics, p.metrics
    assert t.table.loc["weekly_cost_gbp", "change"] == pytest.approx(pm.weekly_cost_gbp - gm_.weekly_cost_gbp)
    assert t.table.loc["unmet", "change"] == pm.unmet - gm_.unmet
    over = {k: m.placed * (100 - m.pct_within_20_miles) / 100 for k, m in (("g", gm_), ("p", pm))}
    assert t.table.loc["over_20_miles", "reference"] == pytest.approx(over["g"])
    assert t.table.loc["over_20_miles", "plan"] == pytest.approx(over["p"])
    cost = pm.weekly_cost_gbp - gm_.weekly_cost_gbp
    assert pm.unmet < gm_.unmet  # the optimiser places more children (paying more, or less: the data decide)
    word, link = ("more", "for") if cost > 0 else ("less", "and has")
    assert t.sentence.startswith(
        f"optimised costs {rcc.core.display.fmt_gbp(abs(cost), short=True)} a week {word} than greedy {link} "
        f"{gm_.unmet - pm.unmet:,.0f} fewer children without a home"
    )
    assert str(t) == t.sentence and t.sentence in repr(t)
    assert p.summary(compare_with=g).splitlines()[-1] == f"  trade-off: {t.sentence}"
    assert "trade-off" not in p.summary()


def test_trade_off_of_a_plan_with_itself_says_nothing_changed() -> None:
    p = rcc.plan(toy())
    t = rcc.trade_off(p, p, names=("today", "again"))
    assert (t.change == 0).all()
    assert t.sentence == (
        "again costs the same a week as today, with as many children without a home, over 20 miles and outside "
        "their own council."
    )


# ---------------------------------------------------------------------------- money in GBP
def test_money_is_in_gbp_by_default(gm_plans: tuple[rcc.Plan, rcc.Plan]) -> None:
    cs = rcc.share_savings(toy("toy"), executor="serial", progress=False)
    t = cs.table().set_index("council_id")
    # the bill: A's 2 children in A's carers both times; B's 3: 1 carer in A + the IFA place (and 1 without a home)
    assert list(t.columns[1:4]) == ["standalone_gbp_week", "pooled_gbp_week", "saving_gbp_week"]
    bill = cs.standalone.placements.groupby("council_id").apply(lambda d: float((d.children * d.weekly_cost_gbp).sum()))
    assert t.standalone_gbp_week.to_dict() == pytest.approx(bill.reindex(t.index, fill_value=0.0).to_dict())
    assert (t.saving_gbp_week == t.standalone_gbp_week - t.pooled_gbp_week).all()
    assert cs.saving_gbp_week == pytest.approx(t.saving_gbp_week.sum())
    # the split itself is in GBP a week by default: B's pooled bill is dearer (the pool places its unmet child)
    assert cs.game.measure == "weekly_cost_gbp" and cs.measure_unit == "GBP/week"
    assert cs.saving_gbp_week == pytest.approx(-500.0) and cs.total_saving == pytest.approx(cs.saving_gbp_week)
    assert (t.direct_saving == t.saving_gbp_week).all() and t.shapley_share.sum() == pytest.approx(-500.0)
    first = cs.summary().splitlines()[0]
    summary = " ".join(cs.summary().split())  # the prose wraps at 100 characters
    assert first == "toy: pooling raises the bill of the whole region by £500 a week (it places 1 more child(ren))"
    assert "objective" not in first and "shares (GBP/week) sum to -£500" in summary
    card = _rows(repr(cs))
    assert card["bill saving (whole region)"] == "-£500 a week" and card["saving split (GBP a week)"] == "-£500"
    # a game in GBP that is not monotone, with an empty core, says so
    assert card["core"] == "not stable (2 coalitions)" and card["least core"] == "core empty"
    assert not cs.monotone and card["monotone"] == "no (2 joins lower the saving)"
    assert "the core is empty" in summary and "not monotone" in summary and "joining costs 2 council(s)" in summary
    # the planning cost stays available for analysts, and is monotone with a stable split here
    obj = rcc.share_savings(toy("toy"), executor="serial", progress=False, measure="objective")
    assert obj.measure_unit == "objective units/week" and obj.monotone and obj.core.stable
    assert _rows(repr(obj))["saving split (objective units/week)"] == f"{obj.total_saving:,.1f}"
    assert " ".join(obj.summary().split()).startswith(first + "; the split below is of the planning cost it saves")
    assert max(len(line) for line in cs.summary().splitlines() + obj.summary().splitlines()) <= 100
    g, p = gm_plans
    assert "weekly cost (GBP)" in rcc.side_by_side({"greedy": g, "optimised": p})
    assert "£" in repr(p) and "£" in repr(p.metrics)


# ---------------------------------------------------------------------------- HHI on one scale
def test_hhi_is_on_the_0_to_10000_scale_everywhere() -> None:
    one = toy().replace(homes=toy().homes.assign(provider_id="LA:A").iloc[:1].assign(places=5))
    p = rcc.plan(one)
    assert p.metrics.provider_hhi == pytest.approx(10_000.0)  # one provider group has every child
    assert p.metrics_by_council().provider_hhi.tolist() == pytest.approx([10_000.0, 10_000.0])
    draws = rcc.sweep(one, 2, seed=0, executor="serial", progress=False)
    assert draws.provider_hhi.tolist() == pytest.approx([10_000.0, 10_000.0])
    assert "0-10,000" in rcc.explain("provider_hhi") and "0-10,000" in rcc.plan(one).summary()


# ---------------------------------------------------------------------------- glossary
def _output_codes(gm: rcc.Region, plans: tuple[rcc.Plan, rcc.Plan]) -> set[str]:
    """Every code rcc's outputs show: column names, metric names, statuses, reasons, scenario names,
    group ids, needs and home types, read from real results."""
    codes: set[str] = set()
    for p in plans:
        for frame in p.to_frames().values():
            codes |= set(frame.columns)
        codes |= set(p.metrics.index) | {p.status.value, p.method}
        codes |= set(p.shortfall.reason_code) | set(p.placements.need) | set(p.placements.home_type)
    codes |= {s.value for s in rcc.PlanStatus}
    cmp = rcc.compare(gm, rcc.standard_scenarios(gm.council_ids, "GM"))
    codes |= set(cmp.long.metric) | set(cmp.long.scenario) | set(cmp.wide().columns)
    codes |= {c for c in cmp.long.council_id if c.startswith("group:")}
    codes |= set(cmp.skew().columns) | set(cmp.skew_summary().columns)
    codes |= {s.pooling for s in cmp.scenarios} | {s.market for s in cmp.scenarios}
    cs = rcc.share_savings(toy("toy"), executor="serial", progress=False)
    codes |= set(cs.table().columns) | {cs.game.measure}
    region = toy("toy")
    suff = rcc.sufficiency_plan(region, rcc.default_options(region), rcc.forecast_from_region(region, 2))
    for frame in suff.to_frames().values():
        codes |= set(frame.columns)
    codes |= set(suff.shortfall.reason_code) | {suff.status.value}
    codes |= set(rcc.forecast_from_region(gm, 2).columns)
    codes |= set(rcc.sweep(region, 2, executor="serial", progress=False).columns)
    for frame in rcc.report_tables(plans[1]).values():
        codes |= set(frame.columns)
    codes |= set(gm.providers.sector) | set(gm.cohorts.age_band) | set(rcc.NEEDS) | set(rcc.HOME_TYPES)
    return {str(c) for c in codes}


def test_glossary_covers_every_code_in_rccs_outputs(gm: rcc.Region, gm_plans: tuple[rcc.Plan, rcc.Plan]) -> None:
    codes = _output_codes(gm, gm_plans)
    assert len(codes) > 100
    missing = sorted(c for c in codes if c not in rcc.glossary)
    assert not missing, f"codes without a glossary entry: {missing}"
    for c in codes:
        assert rcc.explain(c).startswith(f"{c} (")
    # and every value a table may hold in a categorical column (reasons, needs, home types, sectors, kinds...)
    from rcc.core.outputs import OUTPUT_TABLES

    choices = {str(v) for t in [*rcc.TABLES.values(), *OUTPUT_TABLES.values()] for col in t.columns
               for v in (col.choices or ())}
    assert {"lead_time", "budget", "provider_share", "regional"} <= choices
    assert not sorted(c for c in choices if c not in rcc.glossary)


def test_explain_and_glossary_frame() -> None:
    assert rcc.explain("rcc_pooled").startswith("rcc_pooled (scenario):")
    assert "0-10,000" in rcc.explain("HHI")
    assert rcc.explain("transfer").startswith("transfer (column, measure/week): shapley_share - direct_saving")
    assert rcc.explain("group:north").startswith("group:north (group)")
    with pytest.raises(InvalidInputError, match="glossary"):
        rcc.explain("no_such_code")
    frame = rcc.glossary_frame()
    assert list(frame.columns) == ["code", "kind", "unit", "meaning"] and len(frame) == len(rcc.glossary)
    scenarios = set(rcc.glossary_frame("scenario").code)
    assert {s.name for s in rcc.standard_scenarios(["A"])} <= scenarios
    with pytest.raises(TypeError):
        rcc.glossary["x"] = None  # type: ignore[index]  # read-only


# ---------------------------------------------------------------------------- API traps
def test_new_homes_listing_a_council_twice_gives_two_homes() -> None:
    h = rcc.new_homes(["A", "A", "B"], "childrens_home", 4, "mainstream", 4800.0)
    assert h.home_id.tolist() == ["new:childrens_home:A", "new:childrens_home:A:2", "new:childrens_home:B"]
    region = rcc.Scenario("two", new_homes=h).apply(toy())
    assert region.homes.places[region.homes.council_id == "A"].sum() == 3 + 8
    with pytest.raises(InvalidInputError, match="unique ids"):  # the same rows twice are refused, not merged
        rcc.Scenario("twice", new_homes=pd.concat([h, h])).apply(toy())
    with pytest.raises(InvalidInputError, match="places"):
        rcc.new_homes(["A"], "childrens_home", 4.5, "mainstream", 4800.0)


def test_side_by_side_is_a_library_function_and_keeps_its_cli_name(gm_plans: tuple[rcc.Plan, rcc.Plan]) -> None:
    from rcc.cli import side_by_side

    assert side_by_side is rcc.side_by_side
    text = rcc.side_by_side({"greedy": gm_plans[0], "optimised": gm_plans[1]})
    assert text.splitlines()[0].split() == ["metric", "greedy", "optimised"]
    assert "heuristic" in text and "optimal" in text


def test_default_executor_needs_no_main_guard() -> None:
    for f in (rcc.compare, rcc.sweep, rcc.share_savings, rcc.PoolingGame):
        assert inspect.signature(f).parameters["executor"].default == "serial", f


def test_a_process_pool_without_the_main_guard_says_why(tmp_path: Path) -> None:
    script = tmp_path / "no_guard.py"
    script.write_text(textwrap.dedent(
        """
        import pandas as pd
        import rcc
        councils = pd.DataFrame({"council_id": ["A", "B"], "name": ["A", "B"], "region": "R",
                                 "lat": [53.0, 53.1], "lon": [-2.0, -2.0]})
        homes = pd.DataFrame({"home_id": ["h"], "council_id": ["A"], "provider_id": ["LA:A"],
                              "home_type": ["in_house_fostering"], "places": [2], "needs": "mainstream",
                              "weekly_cost_gbp": [500.0]})
        cohorts = pd.DataFrame({"cohort_id": ["b"], "council_id": ["B"], "need": "mainstream",
                                "age_band": "5-10", "children": [1]})
        region = rcc.Region.from_frames(councils, homes, cohorts)
        print(rcc.compare(region, [rcc.Scenario("a"), rcc.Scenario("b", "national")]).long.shape)  # serial: fine
        rcc.compare(region, [rcc.Scenario("a"), rcc.Scenario("b", "national")], executor="process")
        """
    ))
    root = Path(rcc.__file__).parent.parent
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode != 0
    assert re.search(r"^\(\d+, 5\)$", run.stdout, re.M)  # the serial comparison ran without a guard
    assert "BrokenProcessPool" in run.stderr and BROKEN_POOL_HELP in run.stderr


def test_package_is_typed() -> None:
    assert importlib.resources.files("rcc").joinpath("py.typed").is_file()
