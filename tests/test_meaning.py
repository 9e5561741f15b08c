"""Numbers that explain themselves (issue 13, point 6): money in GBP by default, every code the
command line prints explained (``rcc glossary CODE``, ``rcc.explain``), a readable ``rcc compare``
table, and results that pickle (users cache them in notebooks and send them to process pools)."""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import multiprocessing
import pickle
import re

import attrs
import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.cli import main
from rcc.core.display import SHORT_HEADINGS

GM = "Greater Manchester RCC"


# ---------------------------------------------------------------------------- every printed code explained
@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What ``rcc plan``, ``rcc compare`` and ``rcc sufficiency`` print for Greater Manchester (small horizons)."""
    import contextlib
    import io

    out = {}
    for name, args in {
        "plan": ["plan", "--region", GM],
        "compare": ["compare", GM, "--within-miles", "20"],
        "sufficiency": ["sufficiency", "--region", GM, "--years", "1"],
    }.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main([*args, "--quiet", "--out", str(tmp_path_factory.mktemp(name))]) == 0
        out[name] = buf.getvalue()
    return out


def _heading_codes(line: str) -> list[str]:
    """The headings of a printed table's heading line: the longest known heading first at each place
    (headings may hold spaces, 'no home'); an unknown word is returned as itself."""
    known = sorted([*SHORT_HEADINGS, *rcc.glossary], key=len, reverse=True)
    found, rest = [], line.strip()
    while rest:
        match = next((h for h in known if rest.startswith(h) and (len(rest) == len(h) or rest[len(h)] == " ")), None)
        word = match or rest.split()[0]
        found.append(word)
        rest = rest[len(word):].strip()
    return found


def printed_codes(text: str) -> set[str]:
    """The codes in printed output: snake_case words, table headings, scenario and status codes."""
    codes = set(re.findall(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])", text))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("metric ", "group ", "scenario ")):  # the heading line of a printed table
            codes |= set(_heading_codes(line))
        if line.startswith(("group ", "scenario ")):  # rcc compare's tables: the scenario code of each row
            at = line.index("scenario")
            rows = [ln for ln in lines[i + 1:] if ln.strip()]
            rows = rows[: next((k for k, ln in enumerate(rows) if len(ln) <= at or ln[at - 1] != " "), len(rows))]
            codes |= {ln[at:].split()[0] for ln in rows if ln[at:].strip()}
        if line.startswith("metric "):  # the plan table: its columns are methods, its status row codes
            status = next(ln for ln in lines[i:] if ln.startswith("status "))
            codes |= set(status.split()[1:])
    codes |= set(re.findall(r"([a-z_]+)\.csv\b", text))  # the tables written, by file name
    codes |= set(re.findall(r"\bstatus (\w+)", text)) | set(re.findall(r"\bsolver (\w+)", text))
    return codes


def test_every_code_rcc_plan_compare_and_sufficiency_print_is_in_the_glossary(printed: dict[str, str]) -> None:
    codes = {name: printed_codes(text) for name, text in printed.items()}
    # the collection is real: it finds the codes the issue named, and the short headings
    assert {"greedy", "optimised", "heuristic", "optimal"} <= codes["plan"]
    assert {"rcc_pooled", "pathfinder_only", "standalone", "no home", "<=20mi %", "nbrs unmet +/-"} <= codes["compare"]
    assert {"optimal", "highs"} <= codes["sufficiency"]
    for name, found in codes.items():
        missing = sorted(c for c in found if c not in rcc.glossary)
        assert not missing, f"rcc {name} prints codes without a glossary entry: {missing}"
        for c in found:
            assert rcc.explain(c).startswith(f"{c} (")
    # a short heading says what it stands for
    assert rcc.explain("no home").startswith("no home (heading, children): short for unmet:")


def test_rcc_compare_prints_a_readable_table_in_whole_gbp_with_each_scenario_named(printed: dict[str, str]) -> None:
    text = printed["compare"]
    lines = text.split("\nwrote ")[0].splitlines()
    assert max(map(len, lines)) <= 100
    head = next(i for i, ln in enumerate(lines) if ln.startswith("group "))
    at = lines[head].index("cost/week")
    rows = lines[head + 1: lines.index("", head)]
    costs = [ln[at - 3:].split()[0] for ln in rows]
    assert len(costs) == 3 * (1 + len(rcc.standard_scenarios(["A"]))), "3 groups x today and every standard scenario"
    assert all(re.fullmatch(r"£\d{1,3}(,\d{3})+", c) for c in costs), costs  # whole GBP, thousands separated
    assert not re.search(r"\d\.\d+e[+-]\d|\d{5,}\.\d", text)  # no 3.9e+07, no 39153000.0
    # each scenario code has its meaning beside it, under the table
    legend = lines[lines.index("scenarios:"):]
    for s in rcc.standard_scenarios(["A"]):
        line = next(ln for ln in legend if ln.startswith(f"  {s.name} "))
        assert line.split(None, 1)[1].startswith(rcc.glossary[s.name].meaning[:40])


def test_rcc_compare_help_names_and_explains_every_scenario_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for s in rcc.standard_scenarios(["A", "B"], "the pathfinder"):
        meaning = " ".join(rcc.glossary[s.name].meaning.split())
        assert f"{s.name} {meaning}" in text, s.name
    for heading, code in SHORT_HEADINGS.items():  # and the short headings of its printed tables
        assert f"{heading} short for {code}" in text, heading


def test_rcc_glossary_explains_the_codes_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glossary", "rcc_pooled", "HHI", "no home"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [rcc.explain("rcc_pooled"), rcc.explain("HHI"), rcc.explain("no home")]
    assert out[0].startswith("rcc_pooled (scenario): RCCs everywhere")
    assert main(["glossary", "no_such_code"]) == 2
    assert "no_such_code" in capsys.readouterr().err


# ---------------------------------------------------------------------------- money in GBP by default
def test_the_pooling_split_is_in_gbp_a_week_by_default_and_objective_stays_an_option() -> None:
    for f in (rcc.share_savings, rcc.PoolingGame):
        assert inspect.signature(f).parameters["measure"].default == "weekly_cost_gbp"
    gm = rcc.datasets.england(GM, today=False)  # every child placed: pooling saves
    three = gm.council_ids[:3]
    gbp = rcc.share_savings(gm, three, executor="serial", progress=False)
    t = gbp.table()
    # the split is of the weekly bill: each council's direct saving is its bill saving, in GBP
    np.testing.assert_allclose(t.direct_saving, t.saving_gbp_week)
    assert gbp.total_saving == pytest.approx(gbp.saving_gbp_week) and gbp.measure_unit == "GBP/week"
    flat = " ".join(gbp.summary().split())  # the text wraps where the figures fall
    # three of ten councils share: the whole region's bill saving is the players' plus the others' (which the
    # card and summary name: the table's direct savings alone did not add up to the card's saving)
    others = gbp.saving_gbp_week - t.saving_gbp_week.sum()
    assert gbp.others_saving_gbp_week == pytest.approx(others)
    row = next(ln for ln in repr(gbp).splitlines() if "7 council(s) not sharing" in ln)
    assert row.split()[-3] == rcc.core.display.fmt_gbp(others)
    assert f"the players' bill saves {rcc.core.display.fmt_gbp(t.saving_gbp_week.sum())}" in flat
    assert re.search(r"shares \(GBP/week\) sum to -?£", flat) and "objective" not in gbp.summary()
    # whatever the game does, the summary says whether it is monotone and stable
    summary = " ".join(gbp.summary().split())
    assert ("not monotone" in summary) == (not gbp.monotone)
    assert ("core: stable" in summary) == gbp.core.stable
    if not gbp.core.stable:
        assert "least core: the core is " + ("not empty" if gbp.least_core.core_nonempty else "empty") in summary
    obj = rcc.share_savings(gm, three, executor="serial", progress=False, measure="objective")
    assert obj.monotone and obj.measure_unit == "objective units/week"  # pooling relaxes the rules
    with pytest.raises(ValueError, match="measure"):
        rcc.PoolingGame(gm, three, measure="pounds")


# ---------------------------------------------------------------------------- results pickle
def assert_same(a: object, b: object, where: str = "result") -> None:
    """``b`` equals ``a`` field by field: frames and series exactly (values, dtypes, index), arrays,
    mappings, attrs classes recursively, and the same type at every level."""
    assert type(a) is type(b), where
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert a.attrs.keys() == b.attrs.keys(), where
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif attrs.has(type(a)):
        for f in attrs.fields(type(a)):
            if f.name == "_prepared":  # PoolingGame's prepared model: a cache, rebuilt on demand, not pickled
                continue
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict | tuple | list) or type(a).__name__ == "mappingproxy":
        assert len(a) == len(b), where
        pairs = zip(a.items(), b.items()) if hasattr(a, "items") else (((i, x), (i, y)) for i, (x, y) in enumerate(zip(a, b)))
        for (ka, va), (kb, vb) in pairs:
            assert ka == kb, where
            assert_same(va, vb, f"{where}[{ka!r}]")
    elif hasattr(a, "__dict__") and not callable(a):
        assert_same(vars(a), vars(b), where)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    """One of each result users cache, small: Greater Manchester and a few councils, short horizons."""
    from rcc.simulate import simulate

    gm = rcc.datasets.england(GM)
    forecast = rcc.forecast_from_region(gm, 2)
    return {
        "region": gm,
        "plan": rcc.plan(gm),
        "params": rcc.PlanParams(),
        "comparison": rcc.compare(gm, rcc.standard_scenarios(gm.council_ids, "GM")[:3], executor="serial",
                                  progress=False),
        "forecast": forecast,
        "sufficiency": rcc.sufficiency_plan(gm, rcc.default_options(gm), forecast),
        "simulation": simulate(gm, months=2),
        "sharing": rcc.share_savings(gm, gm.council_ids[:3], executor="serial", progress=False),
    }


def test_every_result_pickles_and_round_trips_equal(results: dict[str, object]) -> None:
    for name, obj in results.items():
        back = pickle.loads(pickle.dumps(obj))
        assert_same(obj, back, name)
    cmp, sharing = results["comparison"], results["sharing"]
    back = pickle.loads(pickle.dumps(cmp))
    assert type(back.plans).__name__ == "mappingproxy"  # still read-only
    with pytest.raises(TypeError):
        back.plans["x"] = None  # type: ignore[index]
    pd.testing.assert_frame_equal(back.table(), cmp.table())
    again = pickle.loads(pickle.dumps(sharing))
    assert again.summary() == sharing.summary() and repr(again) == repr(sharing)
    assert again.game.evaluations == sharing.game.evaluations  # solved coalitions travel with it


def test_a_game_with_a_live_executor_pickles_as_serial() -> None:
    gm = rcc.datasets.england(GM)
    with cf.ThreadPoolExecutor(1) as pool:
        game = rcc.PoolingGame(gm, gm.council_ids[:2], executor=pool)
        back = pickle.loads(pickle.dumps(game))
    assert back.executor == "serial" and back.players == game.players


def test_results_travel_through_a_process_pool(results: dict[str, object]) -> None:
    """A spawned worker unpickles each result (importing rcc) and pickles it back."""
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        back = dict(zip(results, (pickle.loads(b) for b in pool.map(pickle.dumps, results.values()))))
    for name, obj in results.items():
        assert_same(obj, back[name], name)
