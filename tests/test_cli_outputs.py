"""What the command line writes and prints for people: readable CSV files (integers, rounded
numbers, council names beside codes), the trade-off sentences, input problems in one report,
and a quiet exit when its reader goes away."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import rcc
from rcc.cli import EXIT_OK, main

GM = "Greater Manchester RCC"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def allowed_decimals(name: str) -> int:
    """The most decimals a person should see for a number named ``name`` (the brief, not the code's table)."""
    key = name.lower()
    if "pct" in key or "%" in key:
        return 1
    if "gbp" in key or "cost" in key:
        return 0
    if "miles" in key or "distance" in key:
        return 1
    return 6


def check_csv(path: Path) -> list[str]:
    """Every way ``path`` is not readable for a person (empty list: none)."""
    bad = []
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    long_table = "metric" in head and "value" in head
    for i, col in enumerate(head):
        low = col.lower()
        if (low.endswith("council_id") or low.endswith("_council")) and not all(
            r[i] in ("True", "False", "") or NUMBER.match(r[i]) for r in body
        ):
            name = (col[:-3] if col.endswith("_id") else col) + "_name"
            if i + 1 >= len(head) or head[i + 1] != name:
                bad.append(f"{path.name}: {col} has no {name} beside it")
            elif any(r[i] and not r[i + 1] for r in body):
                bad.append(f"{path.name}: {name} is empty for a code")
        for r in body:
            cell = r[i]
            if not NUMBER.match(cell):
                continue
            what = r[head.index("metric")] if long_table and col == "value" else col
            decimals = len(cell.partition(".")[2])
            if decimals > allowed_decimals(what):
                bad.append(f"{path.name}: {what} = {cell} has more than {allowed_decimals(what)} decimals")
                break
            if long_table and col == "value" and cell.endswith(".0"):
                bad.append(f"{path.name}: {what} = {cell}, a whole number written with a decimal")
                break
    for i, col in enumerate(head):  # a number column of whole numbers is written as integers (blank: missing)
        cells = [r[i] for r in body if r[i] != ""]
        if cells and all(NUMBER.match(c) for c in cells) and all(float(c).is_integer() for c in cells) \
                and any("." in c for c in cells):
            bad.append(f"{path.name}: {col} holds only whole numbers written as decimals")
    return bad


def csv_files(out: Path) -> list[Path]:
    listed = json.loads((out / "manifest.json").read_text())["files"]
    return [out / f["path"] for f in listed if f["path"].endswith(".csv")]


@pytest.mark.parametrize("argv", [
    ["plan", "--region", "greater manchester rcc"],
    ["sufficiency", "--region", "greater manchester rcc", "--years", "1"],
    ["compare", "greater manchester rcc", "--scenarios", "standalone", "rcc_pooled"],
])
def test_every_csv_the_cli_writes_is_rounded_for_people_with_names_beside_codes(argv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*argv, "--quiet", "--out", str(out)]) == EXIT_OK
    files = csv_files(out)
    assert files
    problems = [p for f in files for p in check_csv(f)]
    assert problems == []
    if argv[0] == "plan":
        by_council = pd.read_csv(out / "optimised" / "by_council.csv")
        assert list(by_council.columns[:2]) == ["council_id", "council_name"]
        assert "Bolton" in set(by_council.council_name)
        metrics = pd.read_csv(out / "optimised" / "metrics.csv", dtype=str).set_index("metric").value
        assert metrics["children"] == "6016"
    if argv[0] == "compare":
        table = pd.read_csv(out / "table.csv")
        assert table.columns[0] == "group" and "The RCC" in set(table.group)


def test_the_python_api_keeps_full_precision_and_no_name_columns():
    plan = rcc.plan(rcc.datasets.england(GM))
    frames = plan.to_frames()
    assert "council_name" not in frames["by_council"].columns
    assert frames["metrics"].value.dtype == float
    distances = frames["placements"].distance_miles
    assert (distances.round(1) != distances).any()  # not rounded in memory


def test_csv_ready_rounds_each_row_of_a_metric_value_table_by_its_metric():
    from rcc.io.output import csv_ready

    df = pd.DataFrame({"metric": ["children", "pct_within_20_miles", "weekly_cost_gbp"],
                       "value": [6016.0, 99.5012, 7548350.4]})
    text = csv_ready(df).to_csv(index=False)
    assert text.splitlines()[1:] == ["children,6016", "pct_within_20_miles,99.5", "weekly_cost_gbp,7548350"]


def test_plan_prints_what_each_plan_traded_against_today(capsys):
    assert main(["plan", "--region", "greater manchester rcc", "--quiet"]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    region = rcc.datasets.england(GM)
    today = rcc.simulate.today_plan(region)
    for name, params in (("greedy", rcc.PlanParams(method="greedy")), ("optimised", rcc.PlanParams())):
        sentence = rcc.trade_off(today, rcc.plan(region, params), ("today", name)).sentence
        assert f"against today: {sentence}" in out
    assert "a week more than today for" in sentence and "fewer children without a home" in sentence
    assert main(["plan", "--region", "greater manchester rcc", "--quiet", "--no-greedy"]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    assert "against today: optimised" in out and "greedy" not in out


def test_compare_prints_what_each_scenario_trades_against_today(capsys):
    argv = ["compare", "greater manchester rcc", "--scenarios", "standalone", "rcc_pooled", "--quiet"]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "trade-offs against 'today'" in out
    joined = " ".join(out.split())
    for name in ("standalone", "rcc_pooled"):
        assert re.search(rf"{name} costs £[\d.,]+[km]? a week (more|less) than today", joined)
    assert max(len(line) for line in out.splitlines()) <= 100


@pytest.mark.parametrize("argv", [["glossary"], ["--help"], ["plan", "--region", "bury", "--neighbours-miles", "5",
                                                         "--quiet", "--out", "{out}"]])
def test_a_reader_that_closes_early_gets_no_traceback_and_the_files_are_still_written(argv, tmp_path):
    code = "import sys; from rcc.cli import main; sys.exit(main(sys.argv[1:]))"
    out = tmp_path / "out"
    args = " ".join(f"'{a.format(out=out)}'" for a in argv)
    # `true` reads nothing and exits at once: every write rcc makes meets a closed pipe
    cmd = f"'{sys.executable}' -c '{code}' {args} | true; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                          cwd=Path(rcc.__file__).parent.parent, timeout=300)
    assert done.stderr == ""
    assert done.returncode == EXIT_OK
    if "--out" in argv:
        assert (out / "manifest.json").exists() and (out / "optimised" / "placements.csv").exists()


# ---------------------------------------------------------------- bad input: one report
TWO = ["E08000001", "E08000002"]  # Bolton, Bury


def two_councils(tmp_path: Path) -> Path:
    return rcc.datasets.england(GM).subset(TWO, name="two councils").to_dir(tmp_path / "data")


def edit(path: Path, change) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df)
    df.to_csv(path, index=False)


def first_cell(path: Path, column: str, value: str) -> None:
    """Write ``value`` in ``column`` of the table's first row."""
    edit(path, lambda df: df.loc.__setitem__((0, column), value))


def test_a_bad_value_in_homes_and_an_unknown_council_in_cohorts_are_one_report(tmp_path, capsys):
    from rcc.io.tables import InputProblemsError, read_region

    folder = two_councils(tmp_path)
    first_cell(folder / "homes.csv", "weekly_cost_gbp", "-5")
    first_cell(folder / "cohorts.csv", "council_id", "E99999999")
    with pytest.raises(InputProblemsError) as info:
        read_region(folder)
    found = {(p.table, p.column) for p in info.value.problems}
    assert found == {("homes", "weekly_cost_gbp"), ("cohorts", "council_id")}
    unknown = next(p for p in info.value.problems if p.table == "cohorts")
    assert unknown.received == "E99999999" and "'councils'" in unknown.expected
    problems = tmp_path / "problems.csv"
    argv = ["plan", "--data", str(folder), "--quiet", "--problems-csv", str(problems)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2 problem(s) in the input" in err and "E99999999" in err and "weekly_cost_gbp" in err
    assert len(pd.read_csv(problems)) == 2


def test_every_rule_a_column_breaks_is_listed_and_each_row_once(tmp_path):
    from rcc.io.tables import InputProblemsError, read_region

    folder = two_councils(tmp_path)

    def three_bad_places(df):
        df.loc[0, "places"], df.loc[1, "places"], df.loc[2, "places"] = "2.5", "-1", "many"

    edit(folder / "homes.csv", three_bad_places)
    homes = pd.read_csv(folder / "homes.csv", dtype=str, keep_default_na=False)
    with pytest.raises(InputProblemsError) as info:
        read_region(folder)
    found = [(p.row_id, p.column, p.expected.split(" (")[0]) for p in info.value.problems]
    assert found == [(homes.home_id[2], "places", "a number"),
                     (homes.home_id[0], "places", "a whole number"), (homes.home_id[1], "places", "a value >= 0")]


def test_every_rule_across_tables_is_listed_once_the_tables_are_clean(tmp_path):
    from rcc.io.tables import InputProblemsError, read_region

    folder = two_councils(tmp_path)
    homes = pd.read_csv(folder / "homes.csv", dtype=str, keep_default_na=False)
    edit(folder / "homes.csv", lambda df: df.loc.__setitem__((0, "min_age"), "17") or df.loc.__setitem__((0, "max_age"), "3"))
    places = int(homes.places[1])
    cohorts = pd.read_csv(folder / "cohorts.csv", dtype=str, keep_default_na=False)
    pd.DataFrame({"placement_id": ["p1"], "cohort_id": [cohorts.cohort_id[0]], "home_id": [homes.home_id[1]],
                  "children": [str(places + 1)]}).to_csv(folder / "placements.csv", index=False)
    with pytest.raises(InputProblemsError) as info:
        read_region(folder)
    found = {(p.table, p.column, p.expected.split(" ")[0]) for p in info.value.problems}
    assert ("homes", "min_age", "min_age") in found
    assert ("placements", "children", "children") in found


def test_a_cell_that_is_not_text_is_not_also_reported_as_an_unknown_reference(tmp_path):
    from rcc.io.tables import InputProblemsError, read_region

    folder = two_councils(tmp_path)
    first_cell(folder / "cohorts.csv", "council_id", "")
    with pytest.raises(InputProblemsError) as info:
        read_region(folder)
    assert [(p.table, p.column) for p in info.value.problems] == [("cohorts", "council_id")]
    assert "'councils'" not in info.value.problems[0].expected  # the blank cell, not a reference


def test_an_unknown_column_is_a_problem_naming_it_and_never_showing_its_values(tmp_path, capsys):
    folder = two_councils(tmp_path)
    edit(folder / "cohorts.csv", lambda df: df.insert(1, "child_id", [f"SECRET{i}" for i in range(len(df))]))
    problems = tmp_path / "problems.csv"
    assert main(["plan", "--data", str(folder), "--quiet", "--problems-csv", str(problems)]) == 2
    err = capsys.readouterr().err
    assert "child_id" in err and "unknown column" in err and "cohort_id" in err  # the allowed columns named
    assert "SECRET" not in err and "SECRET" not in problems.read_text()


def test_a_bad_whole_number_says_a_whole_number_and_its_real_bound_not_the_int64_range(tmp_path, capsys):
    folder = two_councils(tmp_path)
    first_cell(folder / "homes.csv", "places", "two")
    assert main(["plan", "--data", str(folder), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "expected a number (children), not text" in err and "received 'two'" in err  # as from a workbook
    assert "9223372036854775" not in err
    first_cell(folder / "homes.csv", "places", "2.5")
    assert main(["plan", "--data", str(folder), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "whole" in err and "2.5" in err and "9223372036854775" not in err


def test_a_long_list_of_problems_is_cut_on_screen_and_whole_in_the_problems_file(tmp_path, capsys):
    folder = two_councils(tmp_path)
    extra = [f"extra_{i}" for i in range(30)]
    edit(folder / "homes.csv", lambda df: [df.insert(len(df.columns), c, "") for c in extra])
    problems = tmp_path / "problems.csv"
    assert main(["plan", "--data", str(folder), "--quiet", "--problems-csv", str(problems)]) == 2
    err = capsys.readouterr().err
    assert "30 problem(s)" in err and "and 5 more problem(s)" in err and "extra_29" not in err
    assert len(pd.read_csv(problems)) == 30


def test_an_rcc_can_be_named_without_rcc_as_a_new_user_types_it(tmp_path, capsys):
    out = tmp_path / "gm"
    assert main(["plan", "--region", "greater manchester", "--no-greedy", "--quiet", "--out", str(out)]) == EXIT_OK
    assert json.loads((out / "manifest.json").read_text())["region"] == GM
