from __future__ import annotations

import contextlib
import io
import json
import math
import re
import subprocess
import sys
import time
import types
from pathlib import Path

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rcc
import rcc.cli as cli
import rcc.cli.plan as cli_plan
import rcc.cli.report as cli_report
from rcc import PlanStatus, SolveInfo, SolverError
from rcc.cli import EXIT_FAILED, EXIT_OK, EXIT_TIME_LIMIT, EXIT_USAGE, main
from rcc.cli.report import report_cli
from rcc.io.tables import InputProblemsError, read_region

GM = "Greater Manchester RCC"


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def assert_manifest_lists_exactly_the_files(folder: Path) -> dict:
    m = manifest(folder)
    assert m["complete"] is True
    listed = {f["path"] for f in m["files"]}
    assert files_under(folder) - {"manifest.json"} == listed
    for f in m["files"]:
        assert (folder / f["path"]).stat().st_size == f["bytes"] and len(f["sha256"]) == 64
    return m


@pytest.fixture
def no_solve(monkeypatch):
    """Fail the test if anything is solved (usage errors must stop before solving)."""

    def solve(*args, **kwargs):
        raise AssertionError("solved although the run should have stopped before solving")

    monkeypatch.setattr(cli_plan, "make_plan", solve)
    monkeypatch.setattr(cli_report, "make_plan", solve)
    monkeypatch.setattr(rcc.sufficiency, "sufficiency_plan", solve)


def test_rcc_plan_prints_side_by_side_and_writes_tables_with_a_manifest(tmp_path, capsys):
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "greedy" in out and "optimised" in out
    for label in ("% placed within 20 miles", "% placed inside own council", "mean distance", "weekly cost",
                  "utilisation", "provider concentration"):
        assert label in out
    placements = pd.read_csv(tmp_path / "optimised" / "placements.csv")
    assert placements.children.sum() > 5000
    metrics = pd.read_csv(tmp_path / "greedy" / "metrics.csv")
    assert set(metrics.status) == {"heuristic"}
    assert set(pd.read_csv(tmp_path / "optimised" / "metrics.csv").status) == {"optimal"}
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("plan")
    assert summary.status.to_dict() == {"today": "heuristic", "greedy": "heuristic", "optimised": "optimal"}
    m = assert_manifest_lists_exactly_the_files(tmp_path)
    assert m["outcome"] == "ok" and m["exit_code"] == 0 and m["error"] is None
    assert m["region"] == GM and m["command"] == "plan" and m["argv"][:2] == ["rcc", "plan"]
    assert m["plans"]["optimised"]["status"] == "optimal" and m["plans"]["optimised"]["objective"] > 0
    assert m["versions"]["rcc"] == rcc.__version__ and m["versions"]["highspy"] and m["versions"]["pulp"]
    assert m["settings"]["region"] == GM and m["settings"]["format"] == "csv"
    assert m["started_at"] <= m["finished_at"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rcc-")]  # no scratch left behind


def _table_row(out: str, label: str) -> list[str]:
    """The cells of one row of rcc plan's table (after its label)."""
    line = next(ln for ln in out.splitlines() if ln.startswith(label))
    return line[40:].split()


def test_rcc_plan_measures_every_plan_against_today(tmp_path, capsys):
    """Today (the embedded England's census placements) is the first column; every trade-off line measures a
    plan against it, with the numbers of the table; the plans hold today's children; DfE's figures beside."""
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--replan"]) == EXIT_OK
    out = capsys.readouterr().out
    head = next(ln for ln in out.splitlines() if ln.startswith("metric "))
    assert head.split()[1:] == ["today", "greedy", "optimised", "re-planned", "published"]
    region = rcc.datasets.england(GM)
    placed = [int(v.replace(",", "")) for v in _table_row(out, "children placed")[:4]]
    unmet = [int(v.replace(",", "")) for v in _table_row(out, "children without a home")[:4]]
    assert placed[0] == int(region.placements.children.sum()) > 0  # today: the census placements
    assert unmet[0] == int(region.cohorts.children.sum()) - placed[0]
    lines = " ".join(out.split())  # the sentences, unwrapped
    sentences = re.findall(r"against today: (\S+) (.*?)\.(?= against today:| today:)", lines)
    assert [name for name, _ in sentences] == ["greedy", "optimised", "re-planned"]
    for (name, sentence), gone in zip(sentences, unmet[1:]):
        fewer = unmet[0] - gone  # as the table says
        assert f"{fewer:,} fewer children without a home" in sentence, (name, sentence)
    published = rcc.datasets.published_metrics(region.council_ids)
    assert _table_row(out, "% placed inside own council")[-1] == f"{published['pct_inside_own_council']:.1f}"
    assert "left out of England's census" in out
    # today as DfE measures it: the councils' children wherever England's census places them, known distance only
    england = rcc.datasets.england()
    council_of = england.cohorts.set_index("cohort_id").council_id.reindex(england.placements.cohort_id)
    mine = england.placements[council_of.isin(region.council_ids).to_numpy()]
    as_dfe = rcc.simulate.within_20_miles_as_dfe(england, mine)
    assert "today measured as DfE measures it (" in lines and f"wherever they live): {as_dfe:.1f}% within 20 miles" in lines
    assert as_dfe != pytest.approx(rcc.simulate.within_20_miles_as_dfe(region), abs=1.0)  # not only those in the RCC
    status = _table_row(out, "status")
    explained = re.search(r"status: (.*?)\. Every code in this output: rcc glossary", lines)
    assert explained is not None and all(f"{s} (" in explained.group(1) for s in set(status)), status
    held = region.placements.set_index(["cohort_id", "home_id"]).children
    for name in ("greedy", "optimised"):  # every plan holds today's children where they are
        p = pd.read_csv(tmp_path / name / "placements.csv").groupby(["cohort_id", "home_id"]).children.sum()
        assert (p.reindex(held.index, fill_value=0) >= held).all(), name
    today = pd.read_csv(tmp_path / "today" / "placements.csv")
    assert int(today.children.sum()) == placed[0]
    assert manifest(tmp_path)["plans"]["today"]["method"] == "today"


def test_rcc_plan_on_your_data_measures_against_its_placements_and_without_them_against_greedy(tmp_path, capsys):
    held = rcc.datasets.england(GM).subset(TWO, name="two councils")  # with today's placements
    assert main(["plan", "--data", str(held.to_dir(tmp_path / "held")), "--quiet"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "today: the placements in your data" in " ".join(out.split()) and "against today: optimised" in out
    assert _table_row(out, "children placed")[0] == f"{int(held.placements.children.sum()):,}"
    assert main(["plan", "--data", str(small_region().to_dir(tmp_path / "none")), "--quiet"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "today" not in out.split("\n")[1] and "trade-off: optimised" in out  # no placements: no today column


def test_a_second_run_replaces_the_first_runs_files_and_leaves_no_stale_ones(tmp_path, capsys):
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet"]) == EXIT_OK
    assert (tmp_path / "greedy" / "metrics.csv").exists()
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy", "--format", "parquet"]) == 0
    files = files_under(tmp_path)
    assert not any(f.endswith(".csv") or f.startswith("greedy") for f in files)  # no csv beside parquet, no old greedy/
    assert not (tmp_path / "greedy").exists()
    assert "optimised/placements.parquet" in files
    assert_manifest_lists_exactly_the_files(tmp_path)


def time_limited(plan: rcc.Plan) -> rcc.Plan:
    return attrs.evolve(plan, status=PlanStatus.TIME_LIMIT, info=attrs.evolve(plan.info, gap=0.0123, time_limit_s=5.0))


def test_a_plan_stopped_by_its_time_limit_is_written_marked_and_exits_3(tmp_path, capsys, monkeypatch):
    real = cli_plan.make_plan

    def plan(region, params):
        p = real(region, params)
        return p if params.method == "greedy" else time_limited(p)

    monkeypatch.setattr(cli_plan, "make_plan", plan)
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet"]) == EXIT_TIME_LIMIT == 3
    captured = capsys.readouterr()
    assert "time_limit" in captured.out and "1.23%" in captured.out
    assert "optimised stopped at the time limit" in captured.err
    m = assert_manifest_lists_exactly_the_files(tmp_path)
    assert m["outcome"] == "time_limit" and m["exit_code"] == 3
    assert m["plans"]["optimised"]["status"] == "time_limit" and m["plans"]["optimised"]["gap"] == 0.0123
    metrics = pd.read_csv(tmp_path / "optimised" / "metrics.csv")
    assert set(metrics.status) == {"time_limit"} and set(metrics.gap) == {0.0123}
    assert pd.read_csv(tmp_path / "summary.csv").set_index("plan").status["optimised"] == "time_limit"


def test_a_solver_failure_exits_1_and_leaves_only_a_manifest_saying_why(tmp_path, capsys, monkeypatch):
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet"]) == EXIT_OK  # earlier results
    capsys.readouterr()

    def fail(region, params):
        raise SolverError("highs stopped at the time limit (0.01 s) before finding any feasible plan")

    monkeypatch.setattr(cli_plan, "make_plan", fail)
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy", "--time-limit", "0.01"]) == 1
    captured = capsys.readouterr()
    assert "rcc plan: error: highs stopped at the time limit" in captured.err and "Traceback" not in captured.err
    assert "children (demand)" not in captured.out
    assert files_under(tmp_path) == {"manifest.json"}  # the earlier results are gone, none new
    m = manifest(tmp_path)
    assert m["complete"] is True and m["outcome"] == "failed" and m["exit_code"] == EXIT_FAILED and m["files"] == []
    assert "SolverError" in m["error"] and "before finding any feasible plan" in m["error"]


def test_rcc_report_writes_html_and_excel_and_a_second_run_removes_the_old_workbook(tmp_path, capsys):
    from openpyxl import load_workbook

    assert main(["report", "--region", GM, "--out", str(tmp_path), "--quiet"]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Greater Manchester" in html and "<script" not in html
    wb = load_workbook(tmp_path / "report.xlsx")
    assert "Summary" in wb.sheetnames and len(wb.sheetnames) > 2
    assert "wrote" in capsys.readouterr().out
    assert_manifest_lists_exactly_the_files(tmp_path)
    assert main(["report", "--region", GM, "--out", str(tmp_path), "--quiet", "--format", "html"]) == 0
    assert files_under(tmp_path) == {"manifest.json", "report.html"}  # no earlier report.xlsx beside it


def test_rcc_compare_prints_scenarios_and_skew(tmp_path, capsys):
    args = ["compare", GM, "--scenarios", "standalone", "rcc_pooled", "pathfinder_only",
            "--within-miles", "25", "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "rcc_pooled" in out and "capacity skew" in out and f"files and manifest.json in {tmp_path}" in out
    table = out.split("\nwrote ")[0]
    assert max(len(line) for line in table.splitlines()) <= 100 and re.search(r" £\d{1,3},\d{3},\d{3} ", out)  # whole GBP
    assert ".0 " not in out.split("capacity skew")[0].splitlines()[3].split("£")[0].split()[2]  # children: integers
    long = pd.read_csv(tmp_path / "long.csv")
    assert {"scenario", "council_id", "metric", "value"} <= set(long.columns)
    assert set(long.scenario) == {"today", "standalone", "rcc_pooled", "pathfinder_only"}  # today: the census
    assert {"long.csv", "table.csv", "skew.csv", "skew_summary.csv"} <= files_under(tmp_path)
    assert_manifest_lists_exactly_the_files(tmp_path)


def test_rcc_sufficiency_prints_the_plan_and_writes_tables_carrying_the_status(tmp_path, capsys):
    args = ["sufficiency", "--years", "2", "--growth", "complex=0.2", "mainstream=0.05", "--capital-per-council", "150000",
            "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Sufficiency plan for Greater Manchester RCC: 2 year(s)" in out and "gap" in out
    assert "GBP 1.50m" in out  # 10 councils x GBP 150k capital
    builds = pd.read_csv(tmp_path / "builds.csv")
    costs = pd.read_csv(tmp_path / "costs.csv")
    assert len(builds) > 0 and costs.capital_gbp.sum() <= 1_500_000.0
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert metrics.children.tolist() == [int(c) for c in metrics.placed + metrics.unmet]
    assert set(metrics.status) == {"optimal"} and metrics.gap.notna().all()
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.plan.tolist() == ["sufficiency"] and summary.status.tolist() == ["optimal"]
    m = assert_manifest_lists_exactly_the_files(tmp_path)
    assert m["plans"]["sufficiency"]["status"] == "optimal" and m["settings"]["growth"] == {"complex": 0.2,
                                                                                          "mainstream": 0.05}


def test_files_appearing_in_out_during_a_failed_run_are_left_alone(tmp_path, capsys, monkeypatch):
    def fail(region, params):
        (tmp_path / "dropped-in.txt").write_text("someone else's")
        raise SolverError("no feasible plan")

    monkeypatch.setattr(cli_plan, "make_plan", fail)
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "no feasible plan" in err and "could not write manifest.json" in err and "Traceback" not in err
    assert files_under(tmp_path) == {"dropped-in.txt"}


@pytest.mark.parametrize("status", [PlanStatus.NOT_SOLVED, PlanStatus.INFEASIBLE])
def test_a_sufficiency_plan_without_a_solution_writes_no_tables_and_exits_1(tmp_path, capsys, monkeypatch, status):
    def unsolved(region, options, forecast, budgets, params):
        info = SolveInfo(solver="highs", runtime_s=1.0, time_limit_s=1.0, note=f"solver status {status.value}")
        return types.SimpleNamespace(status=status, objective=None, info=info, explain=lambda: "rules clash",
                                     raise_if_infeasible=lambda: (_ for _ in ()).throw(rcc.InfeasibleError("rules clash")))

    monkeypatch.setattr(rcc.sufficiency, "sufficiency_plan", unsolved)
    assert main(["sufficiency", "--years", "2", "--out", str(tmp_path), "--quiet"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "rcc sufficiency: error:" in err and "Traceback" not in err
    assert files_under(tmp_path) == {"manifest.json"}
    m = manifest(tmp_path)
    assert m["outcome"] == "failed" and m["plans"]["sufficiency"]["status"] == status.value and m["files"] == []


# ---------------------------------------------------------------- the output folder, checked before solving
def test_an_out_that_is_a_file_fails_before_solving_with_exit_2(tmp_path, capsys, no_solve):
    file = tmp_path / "results"
    file.write_text("mine")
    assert main(["plan", "--region", GM, "--out", str(file), "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--out" in err and "is a file" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert file.read_text() == "mine"


def test_an_out_that_cannot_be_written_fails_before_solving_with_exit_2(tmp_path, capsys, monkeypatch, no_solve):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("rcc.io.output.tempfile.mkdtemp", denied)
    assert main(["sufficiency", "--out", str(tmp_path / "new"), "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "a folder rcc can write to" in err and "Permission denied" in err and "Traceback" not in err


def test_parquet_without_a_parquet_library_fails_before_solving_with_exit_2(tmp_path, capsys, monkeypatch, no_solve):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--format", "parquet", "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "pyarrow" in err and "--format" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert files_under(tmp_path) == set()


def test_files_rcc_did_not_write_make_it_refuse_unless_force_moves_them_aside(tmp_path, capsys, monkeypatch):
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "placements.csv").write_text("written by an older rcc without a manifest")
    real = cli_plan.make_plan
    monkeypatch.setattr(cli_plan, "make_plan", lambda *a: pytest.fail("solved"))
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "2 file(s) rcc did not write" in err and "notes.txt" in err and "--force" in err
    assert files_under(tmp_path) == {"notes.txt", "placements.csv"}
    monkeypatch.setattr(cli_plan, "make_plan", real)
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy", "--force"]) == EXIT_OK
    m = manifest(tmp_path)
    (aside,) = m["set_aside"]
    assert aside.startswith("rcc-set-aside-")
    assert (tmp_path / aside / "notes.txt").read_text() == "my notes"
    assert not (tmp_path / "notes.txt").exists() and not (tmp_path / "placements.csv").exists()
    # the next run leaves the set-aside folder alone and needs no --force
    assert main(["plan", "--region", GM, "--out", str(tmp_path), "--quiet", "--no-greedy"]) == EXIT_OK
    assert manifest(tmp_path)["set_aside"] == [aside] and (tmp_path / aside / "notes.txt").exists()


# ---------------------------------------------------------------- options checked at parse time
BAD_OPTIONS = [
    (["plan", "--time-limit", "0"], "--time-limit", "'0'"),
    (["plan", "--time-limit", "-5"], "--time-limit", "'-5'"),
    (["plan", "--time-limit", "nan"], "--time-limit", "'nan'"),
    (["plan", "--threads", "-3"], "--threads", "'-3'"),
    (["plan", "--threads", "1.5"], "--threads", "'1.5'"),
    (["plan", "--max-distance", "inf"], "--max-distance", "'inf'"),
    (["plan", "--seed", "-1"], "--seed", "'-1'"),
    (["sufficiency", "--capital-per-council", "-0.1"], "--capital-per-council", "'-0.1'"),
    (["sufficiency", "--capital-per-council", "nan"], "--capital-per-council", "'nan'"),
    (["sufficiency", "--growth", "complex=inf"], "--growth", "'complex=inf'"),
    (["sufficiency", "--growth", "complex=-1"], "--growth", "'complex=-1'"),
    (["sufficiency", "--growth", "complx=0.1"], "--growth", "'complx=0.1'"),
    (["sufficiency", "--growth", "complex"], "--growth", "'complex'"),
    (["sufficiency", "--growth", "complex=0.1", "complex=0.2"], "--growth", "'complex' twice"),
    (["sufficiency", "--time-limit", "0"], "--time-limit", "'0'"),
    (["sufficiency", "--gap", "-1"], "--gap", "'-1'"),
    (["sufficiency", "--gap", "nan"], "--gap", "'nan'"),
    (["sufficiency", "--years", "0"], "--years", "'0'"),
    (["sufficiency", "--sibling-group", "0"], "--sibling-group", "'0'"),
    (["sufficiency", "--min-inside-share", "1.5"], "--min-inside-share", "'1.5'"),
    (["report", "--suppress-below", "-1"], "--suppress-below", "'-1'"),
    (["compare", GM, "--within-miles", "-25"], "--within-miles", "'-25'"),
]


@pytest.mark.parametrize(("argv", "option", "received"), BAD_OPTIONS)
def test_every_numeric_option_is_checked_at_parse_time(argv, option, received, capsys, no_solve):
    assert main([*argv, "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"rcc {argv[0]}: error: argument {option}" in err and "expected" in err and received in err
    assert "Traceback" not in err


PARSER = cli.build_parser()


def parse_option(*argv: str) -> tuple[object, str]:
    """What the command line parser makes of an option: (the namespace or the exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            return PARSER.parse_args(list(argv)), err.getvalue()
        except SystemExit as exc:
            return exc.code, err.getvalue()


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_bounded_option_accepts_exactly_the_finite_values_in_bounds(value):
    parsed, err = parse_option("sufficiency", f"--min-inside-share={value!r}")
    if math.isfinite(value) and 0 <= value <= 1:
        assert parsed.min_inside_share == value
    else:
        assert parsed == EXIT_USAGE
        assert f"expected a share between 0 and 1; received {repr(value)!r}" in err


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_strictly_positive_option_rejects_zero_negatives_and_non_finite(value):
    parsed, err = parse_option("plan", f"--time-limit={value!r}")
    if math.isfinite(value) and value > 0:
        assert parsed.time_limit == value
    else:
        assert parsed == EXIT_USAGE and "seconds > 0" in err


def test_help_documents_the_exit_codes_and_force(capsys):
    assert main(["plan", "--help"]) == 0
    out = capsys.readouterr().out
    for text in ("exit codes:", "0  every plan optimal", "3  a plan stopped at the time limit", "1  the run failed",
                 "2  bad usage", "--force", "rcc-set-aside-"):
        assert text in out


# ---------------------------------------------------------------- rcc report's function
def test_report_cli_writes_both_files(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = report_cli(GM, tmp_path / "gm", ["html", "xlsx"], 5, 0)
    assert [p.name for p in paths] == ["report.html", "report.xlsx"]
    assert all(p.exists() and p.stat().st_size > 10_000 for p in paths)
    wb = load_workbook(paths[1])
    assert [r[0] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)] == ["optimised", "greedy baseline"]
    with pytest.raises(rcc.InvalidInputError, match="formats"):
        report_cli(GM, tmp_path, ["pdf"], 5, 0)
    with pytest.raises(rcc.InvalidInputError, match="formats"):
        report_cli(GM, tmp_path, [], 5, 0)


def test_the_old_report_cli_path_forwards_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="rcc.report.report_cli is deprecated: it moved to rcc.cli.report"):
        assert rcc.report.report_cli is report_cli
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        rcc.report.no_such_name  # noqa: B018


def test_the_report_layer_does_not_load_the_command_line():
    code = "import sys, rcc, rcc.report; from rcc.report import *; print(sorted(m for m in sys.modules if m.startswith('rcc.cli')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- a council's own data (issue 13)
TWO = ["E08000001", "E08000002"]  # Bolton, Bury


def small_region() -> rcc.Region:
    return rcc.datasets.england(GM, today=False).subset(TWO, name="two councils")  # your tables, no placements


def fill_workbook(path: Path, region: rcc.Region) -> None:
    """Type a region's tables into the template's sheets, below the header row, cell by cell."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for name in ("councils", "providers", "homes", "cohorts"):
        sheet = wb[name]
        heads = [c.value for c in sheet[1]]
        for r, row in enumerate(getattr(region, name)[heads].itertuples(index=False), start=2):
            for c, value in enumerate(row, start=1):
                sheet.cell(r, c, value.item() if hasattr(value, "item") else value)
    wb.save(path)


def test_template_workbook_has_every_table_column_unit_and_allowed_value_and_no_formula(tmp_path, capsys):
    from openpyxl import load_workbook

    path = tmp_path / "tables.xlsx"
    assert main(["template", str(path)]) == EXIT_OK
    assert f"rcc plan --data {path}" in capsys.readouterr().out
    wb = load_workbook(path)
    assert wb.sheetnames == ["guide", *rcc.core.schema.TABLES]
    for name, table in rcc.core.schema.TABLES.items():
        assert [c.value for c in wb[name][1]] == list(table.names)
    guide = pd.read_excel(path, sheet_name="guide", header=1)
    schema = rcc.schema_frame()
    assert list(zip(guide.table, guide.column)) == list(zip(schema.table, schema.column))
    places = guide[(guide.table == "homes") & (guide.column == "places")].iloc[0]
    assert places.unit == "children" and places.required == "required" and places.allowed.startswith("0 to ")
    need = guide[(guide.table == "cohorts") & (guide.column == "need")].iloc[0]
    assert "sibling_group" in need.allowed
    needs = guide[(guide.table == "homes") & (guide.column == "needs")].iloc[0]  # a list: each item allowed
    assert all(n in needs.allowed for n in rcc.core.schema.NEEDS) and "';'" in needs.allowed
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]  # no formulas
    assert main(["template", str(path)]) == EXIT_USAGE  # never overwritten without --force


def test_template_folder_holds_a_header_only_csv_per_table_and_a_guide(tmp_path):
    folder = tmp_path / "tables"
    assert main(["template", str(folder)]) == EXIT_OK
    assert files_under(folder) == {"guide.csv", *(f"{t}.csv" for t in rcc.core.schema.TABLES)}
    homes = pd.read_csv(folder / "homes.csv")
    assert list(homes.columns) == list(rcc.core.schema.TABLES["homes"].names) and len(homes) == 0


def test_filled_template_plans_the_same_as_the_region_in_memory(tmp_path, capsys):
    region = small_region()
    path = tmp_path / "mine.xlsx"
    assert main(["template", str(path)]) == EXIT_OK
    fill_workbook(path, region)
    out = tmp_path / "out"
    assert main(["plan", "--data", str(path), "--out", str(out), "--quiet", "--no-greedy"]) == EXIT_OK
    assert "2 councils" in capsys.readouterr().out
    expected = rcc.plan(region, rcc.PlanParams(max_distance_miles=150.0))
    m = manifest(out)
    assert m["plans"]["optimised"]["objective"] == pytest.approx(expected.objective, rel=1e-9)
    got = pd.read_csv(out / "optimised" / "metrics.csv").set_index("metric").value
    for key in ("children", "placed", "unmet", "weekly_cost_gbp"):
        assert got[key] == pytest.approx(expected.metrics[key], rel=1e-9)
    # the same tables as a folder of CSVs give the same plan
    folder = region.to_dir(tmp_path / "csvs")
    assert main(["plan", "--data", str(folder), "--out", str(tmp_path / "o2"), "--quiet", "--no-greedy"]) == EXIT_OK
    assert manifest(tmp_path / "o2")["plans"]["optimised"]["objective"] == pytest.approx(expected.objective, rel=1e-9)


def test_bad_data_lists_every_problem_in_one_report_and_a_csv_with_exit_2(tmp_path, capsys, no_solve):
    folder = small_region().to_dir(tmp_path / "data")
    homes = pd.read_csv(folder / "homes.csv", dtype=str, keep_default_na=False)
    homes.loc[0, "places"] = "x"
    homes.to_csv(folder / "homes.csv", index=False)
    cohorts = pd.read_csv(folder / "cohorts.csv", dtype=str, keep_default_na=False)
    cohorts.loc[2, "need"] = "happy"
    cohorts.loc[3:5, "children"] = "-1"
    cohorts.to_csv(folder / "cohorts.csv", index=False)
    (folder / "councils.csv").unlink()
    problems = tmp_path / "problems.csv"
    out = tmp_path / "out"
    args = ["plan", "--data", str(folder), "--out", str(out), "--problems-csv", str(problems), "--quiet"]
    assert main(args) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "4 problem(s)" in err and "Traceback" not in err
    listed = pd.read_csv(problems, keep_default_na=False)
    assert sorted(zip(listed.table.str.split(" ").str[0], listed.column)) == [
        ("cohorts", "children"), ("cohorts", "need"), ("councils", ""), ("homes", "places")]
    assert listed.set_index("column").loc["children", "more_rows"] == 2  # three rows, one problem
    assert not (out / "manifest.json").exists()
    with pytest.raises(InputProblemsError) as info:  # the library raises the same list
        read_region(folder)
    assert len(info.value.problems) == 4 and isinstance(info.value, rcc.InvalidInputError)


def test_region_and_council_names_in_any_case_a_council_with_its_neighbours(tmp_path, capsys):
    assert main(["plan", "--region", "greater manchester RCC", "--no-greedy", "--quiet",
                 "--out", str(tmp_path / "gm")]) == EXIT_OK
    assert manifest(tmp_path / "gm")["region"] == GM
    assert main(["plan", "--region", "bolton", "--neighbours-miles", "8", "--no-greedy", "--quiet",
                 "--out", str(tmp_path / "b")]) == EXIT_OK
    england = rcc.datasets.england()
    d = england.council_distances()[england.council_ids.index("E08000001")]
    near = {c for c, miles in zip(england.council_ids, d) if miles <= 8}
    by_council = pd.read_csv(tmp_path / "b" / "optimised" / "by_council.csv")
    assert set(by_council.council_id) == near and "E08000001" in near and 1 < len(near) < 10
    assert manifest(tmp_path / "b")["region"] == "Bolton and neighbours within 8 miles"
    capsys.readouterr()
    assert main(["plan", "--region", "Atlantis", "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Atlantis" in err and "North West" in err and "option '--region'" in err


def test_version_and_help_explain_the_codes(capsys):
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"rcc {rcc.__version__}"
    assert main(["glossary"]) == EXIT_OK
    text = capsys.readouterr().out
    for code in ("standalone", "rcc_pooled", "national", "pathfinder_only", "demand_growth", "new_capacity",
                 "local_incentive", "direct", "transfer", "HHI", "0-10,000", "time_limit", "sibling_group"):
        assert code in text
    assert max(len(line) for line in text.splitlines()) <= 100
    from rcc.cli._glossary import glossary

    terms = {code for section in glossary().values() for code in section}
    for section in glossary().values():  # a short heading names a code the glossary explains too
        for code, meaning in section.items():
            if meaning.startswith("short for ") and ":" not in meaning:  # (else it says what the code means)
                assert meaning.removeprefix("short for ") in terms, (code, meaning)
    assert main(["--help"]) == EXIT_OK
    helptext = capsys.readouterr().out
    assert "pathfinder_only" in helptext and "0-10,000" in helptext and "--neighbours-miles" in helptext
    assert main(["compare", "--help"]) == EXIT_OK
    assert "local_incentive" in capsys.readouterr().out
    assert main(["plan", "--help"]) == EXIT_OK
    assert "rcc glossary" in capsys.readouterr().out


def test_library_solves_print_no_solver_banner():
    """In a notebook (no command line), the first HiGHS model a sufficiency plan makes prints no banner either."""
    code = ("import rcc\n"
            "r = rcc.datasets.england('Greater Manchester RCC', seed=0)\n"
            "f = rcc.forecast_from_region(r, years=1)\n"
            "s = rcc.sufficiency_plan(r, rcc.default_options(r), f, None, rcc.SufficiencyParams(years=1))\n"
            "print('status', s.status)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "status optimal" in done.stdout
    assert "HiGHS" not in done.stdout and "Copyright" not in done.stdout


def test_plan_quiet_prints_no_solver_banner_and_says_where_each_table_went(tmp_path):
    code = "import sys; from rcc.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "plan", "--region", "bury", "--neighbours-miles", "5", "--quiet",
           "--out", f"{tmp_path}/"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(rcc.__file__).parent.parent, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "HiGHS" not in done.stdout and "Copyright" not in done.stdout
    assert done.stderr == ""  # --quiet: no progress lines
    assert f"in {tmp_path}:\n  greedy/ (" in done.stdout and "optimised/ (" in done.stdout and "summary.csv" in done.stdout
    assert "//" not in done.stdout
    by_council = (tmp_path / "optimised" / "by_council.csv").read_text().splitlines()
    head = by_council[0].split(",")
    first = dict(zip(head, by_council[1].split(",")))
    assert "." not in first["children"] and "." not in first["placed"]  # counts as integers
    assert len(first["pct_inside_own_council"].partition(".")[2]) <= 1  # percentages to 1 decimal
    assert "percentages (names with 'pct' or '%') are rounded to 1 decimal" in manifest(tmp_path)["csv"]


def test_sufficiency_shows_the_engine_stages_unless_quiet(tmp_path, capsys):
    args = ["sufficiency", "--region", "bury", "--neighbours-miles", "5", "--years", "1"]
    assert main(args) == EXIT_OK
    err = capsys.readouterr().err
    assert "stage: build" in err and "stage: pricing" in err and "done" in err
    assert main([*args, "--quiet"]) == EXIT_OK
    assert capsys.readouterr().err == ""


def test_report_shows_how_far_the_suppression_audit_has_gone_unless_quiet(tmp_path, capsys, monkeypatch):
    from rcc.report import audit

    monkeypatch.setattr(audit, "_SAY_EVERY_S", 0.0)  # every round (by default at most one line every 5 s)
    args = ["report", "--region", "bury", "--neighbours-miles", "5", "--format", "html", "--out", str(tmp_path / "r")]
    assert main(args) == EXIT_OK
    err = capsys.readouterr().err
    rounds = re.findall(r"suppression audit: round (\d+), ([\d,]+) suppressed cells to check, ([\d,]+) hidden so far", err)
    assert rounds and rounds[0][0] == "1" and all(int(c.replace(",", "")) > 0 for _, c, _ in rounds)
    assert err.index("writing the html report") < err.index("suppression audit: round 1") < err.index("done")
    assert main([*args[:-1], str(tmp_path / "q"), "--quiet"]) == EXIT_OK
    assert capsys.readouterr().err == ""


def test_ssda903_and_ofsted_replace_the_embedded_demand_and_homes(tmp_path, capsys):
    (tmp_path / "header.csv").write_text("CHILD,SEX,DOB\nA1,1,01/06/2010\nA2,2,01/06/2004\n")
    (tmp_path / "episodes.csv").write_text("CHILD,DECOM,LS,PLACE,PLACE_PROVIDER,DEC\n"
                                           "A1,2017-05-01,C2,U4,PR4,\nA2,2016-05-01,C2,K2,PR1,\n")
    (tmp_path / "ofsted.csv").write_text(
        "URN,Provision type,Sector,Places,Organisation which owns the provider,Local authority\n"
        "1000001,Children's home,Private,4,Acme Care Ltd,Bolton\n"
        "1000002,Secure children's home,Local Authority,8,Bolton Council,BOLTON\n")
    out = tmp_path / "out"
    args = ["plan", "--region", "Bolton", "--neighbours-miles", "8", "--no-greedy", "--quiet", "--out", str(out),
            "--ssda903", str(tmp_path / "episodes.csv"), str(tmp_path / "header.csv"), "--reference-date",
            "2018-03-31", "--ofsted", str(tmp_path / "ofsted.csv")]
    assert main(args) == EXIT_OK
    printed = capsys.readouterr().out
    assert "A1" not in printed and "A2" not in printed  # no child id
    embedded = rcc.datasets.england()
    near = pd.read_csv(out / "optimised" / "by_council.csv").council_id
    others = embedded.cohorts[embedded.cohorts.council_id.isin(near) & (embedded.cohorts.council_id != "E08000001")]
    by_council = pd.read_csv(out / "optimised" / "by_council.csv").set_index("council_id")
    assert by_council.loc["E08000001", "children"] == 2  # the return's two children
    assert by_council.children.sum() == 2 + others.children.sum()
    assert manifest(out)["region"] == "Bolton and neighbours within 8 miles (demand: SSDA903, homes: Ofsted)"
    capsys.readouterr()
    assert main([*args[:9], "--ssda903", str(tmp_path / "header.csv")]) == EXIT_USAGE  # no episodes, no date
    assert "--reference-date" in capsys.readouterr().err
    assert main([a for a in args if a != "--quiet"]) == EXIT_OK  # today's children no longer held are counted
    err = " ".join(capsys.readouterr().err.split())
    for where in ("the councils of the return", "the homes the Ofsted file replaces"):
        assert re.search(rf"[1-9][\d,]* children in today's placements in {where} are no longer held", err), where


def test_compare_and_report_read_data_too(tmp_path, capsys):
    folder = small_region().to_dir(tmp_path / "data")
    args = ["compare", "--data", str(folder), "--scenarios", "standalone", "national", "--quiet",
            "--out", str(tmp_path / "cmp")]
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert "two councils" in out or "data" in out
    assert set(pd.read_csv(tmp_path / "cmp" / "long.csv").scenario) == {"standalone", "national"}
    assert main(["report", "--data", str(folder), "--format", "html", "--quiet", "--out", str(tmp_path / "rep")]) == 0
    assert manifest(tmp_path / "rep")["region"] == "data"


def test_ssda903_with_council_names_in_its_la_column_and_solver_log_only_when_verbose(tmp_path, capsys):
    (tmp_path / "h.csv").write_text("CHILD,SEX,DOB,LA\nA1,1,01/06/2010,bury\nA2,2,01/06/2004,Bury\n")
    (tmp_path / "e.csv").write_text("CHILD,DECOM,LS,PLACE,PLACE_PROVIDER,DEC,LA\n"
                                    "A1,2017-05-01,C2,U4,PR4,,bury\nA2,2016-05-01,C2,U4,PR4,,Bury\n")
    out = tmp_path / "out"
    args = ["plan", "--region", "greater manchester rcc", "--no-greedy", "--quiet", "--out", str(out),
            "--ssda903", str(tmp_path / "h.csv"), str(tmp_path / "e.csv"), "--reference-date", "2018-03-31"]
    assert main(args) == EXIT_OK
    by_council = pd.read_csv(out / "optimised" / "by_council.csv").set_index("council_id")
    assert by_council.loc["E08000002", "children"] == 2 and len(by_council) == 10
    code = "import sys; from rcc.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "plan", "--region", "bury", "--neighbours-miles", "5", "--quiet", "--no-greedy"]
    root = Path(rcc.__file__).parent.parent
    quiet = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=600)
    verbose = subprocess.run([*cmd, "--verbose"], capture_output=True, text=True, cwd=root, timeout=600)
    assert quiet.returncode == verbose.returncode == 0
    assert "Presolving" not in quiet.stdout + quiet.stderr and "Presolving" in verbose.stderr  # the log, on stderr
    assert "Presolving" not in verbose.stdout


def test_sufficiency_on_data_plans_all_of_it_without_region(tmp_path, capsys):
    folder = small_region().to_dir(tmp_path / "data")
    out = tmp_path / "out"
    assert main(["sufficiency", "--data", str(folder), "--years", "1", "--quiet", "--out", str(out)]) == EXIT_OK
    assert manifest(out)["region"] == "data"
    assert set(pd.read_csv(out / "placements.csv").council_id) <= set(TWO)


def test_workbook_sheets_in_any_case_and_an_id_typed_as_a_number_is_a_listed_problem(tmp_path):
    region = small_region()
    path = tmp_path / "book.xlsx"
    homes = region.homes.astype({"home_id": object}).copy()
    homes.loc[0, "home_id"] = 1000001  # typed as a number in a text column
    with pd.ExcelWriter(path) as xl:
        region.councils.to_excel(xl, sheet_name="Councils", index=False)
        homes.to_excel(xl, sheet_name="HOMES", index=False)
        region.cohorts.to_excel(xl, sheet_name="cohorts", index=False)
        pd.DataFrame({"note": ["ignored"]}).to_excel(xl, sheet_name="my notes", index=False)
    with pytest.raises(InputProblemsError) as info:
        read_region(path)
    (problem,) = info.value.problems
    assert problem.table == "homes" and problem.column == "home_id" and "text" in problem.expected
    homes.loc[0, "home_id"] = "1000001"
    with pd.ExcelWriter(path) as xl:
        region.councils.to_excel(xl, sheet_name="Councils", index=False)
        homes.to_excel(xl, sheet_name="HOMES", index=False)
        region.cohorts.to_excel(xl, sheet_name="cohorts", index=False)
    got = read_region(path)
    assert got.name == "book" and int(got.homes.places.sum()) == int(region.homes.places.sum())
    (tmp_path / "not.xlsx").write_text("not a workbook")
    with pytest.raises(InputProblemsError, match="an .xlsx workbook"):
        read_region(tmp_path / "not.xlsx")


def test_glossary_takes_the_library_words_when_rcc_core_glossary_has_them(monkeypatch, capsys):
    fake = types.ModuleType("rcc.core.glossary")
    fake.explain = lambda code: "the library's own words for HHI" if code == "HHI" else None
    monkeypatch.setitem(sys.modules, "rcc.core.glossary", fake)
    assert main(["glossary"]) == EXIT_OK
    text = capsys.readouterr().out
    assert "the library's own words for HHI" in text and "rcc_pooled" in text


def test_on_a_terminal_a_step_over_a_second_shows_how_long_it_has_run(monkeypatch, capsys):
    real = rcc.sufficiency.sufficiency_plan

    def slow(*args, **kwargs):
        time.sleep(2.5)  # a step longer than a second (not a timing assertion)
        return real(*args, **kwargs)

    monkeypatch.setattr(rcc.sufficiency, "sufficiency_plan", slow)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["sufficiency", "--region", "bury", "--neighbours-miles", "5", "--years", "1"]) == EXIT_OK
    captured = capsys.readouterr()
    assert "\r\x1b[K  ... " in captured.err and "s\r\x1b[K[" in captured.err  # redrawn, then cleared
    assert "\x1b[K" not in captured.out  # results are plain


def test_the_library_keeps_the_highs_banner_off_stdout_too():
    code = ("import rcc; r = rcc.datasets.england('Greater Manchester RCC').subset(['E08000002']); "
            "p = rcc.plan(r); print('status', p.status.value)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(rcc.__file__).parent.parent, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "status optimal"  # nothing but what the program printed


def test_a_formula_cell_is_named_as_a_formula_with_its_sheet_row_and_column(tmp_path, capsys):
    from openpyxl import load_workbook

    book = tmp_path / "data.xlsx"
    assert main(["template", str(book)]) == EXIT_OK
    fill_workbook(book, small_region())
    wb = load_workbook(book)
    col = [c.value for c in wb["cohorts"][1]].index("children") + 1
    wb["cohorts"].cell(3, col, "=SUM(E4:E6)")  # openpyxl stores no value for it, as a council's macro might
    wb.save(book)
    capsys.readouterr()
    assert main(["plan", "--data", str(book), "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "a formula (=SUM(E4:E6))" in err and "paste them as values" in err
    assert "sheet 'cohorts'" in err and "row 3" in err and "children" in err
    assert "nan" not in err
