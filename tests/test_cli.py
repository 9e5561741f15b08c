from __future__ import annotations

import pandas as pd

from rcc.cli import main


def test_rcc_plan_prints_side_by_side_and_writes_tables(tmp_path, capsys):
    assert main(["plan", "--region", "Greater Manchester RCC", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "greedy" in out and "optimised" in out
    for label in ("% placed within 20 miles", "% placed inside own council", "mean distance", "weekly cost",
                  "utilisation", "provider concentration"):
        assert label in out
    placements = pd.read_csv(tmp_path / "optimised" / "placements.csv")
    assert placements.children.sum() > 5000
    assert (tmp_path / "greedy" / "metrics.csv").exists()


def test_rcc_report_writes_html_and_excel(tmp_path, capsys):
    from openpyxl import load_workbook

    assert main(["report", "--region", "Greater Manchester RCC", "--out", str(tmp_path), "--quiet"]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Greater Manchester" in html and "<script" not in html
    wb = load_workbook(tmp_path / "report.xlsx")
    assert "Summary" in wb.sheetnames and len(wb.sheetnames) > 2
    assert "wrote" in capsys.readouterr().out


def test_rcc_compare_prints_scenarios_and_skew(tmp_path, capsys):
    args = ["compare", "Greater Manchester RCC", "--scenarios", "standalone", "rcc_pooled", "pathfinder_only",
            "--within-miles", "25", "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "rcc_pooled" in out and "capacity skew" in out
    long = pd.read_csv(tmp_path / "long.csv")
    assert {"scenario", "council_id", "metric", "value"} <= set(long.columns)
    assert set(long.scenario) == {"standalone", "rcc_pooled", "pathfinder_only"}


def test_rcc_sufficiency_prints_the_plan_and_writes_tables(tmp_path, capsys):
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


def test_rcc_sufficiency_rejects_an_unknown_need(capsys):
    assert main(["sufficiency", "--growth", "complx=0.1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "rcc sufficiency: error:" in err and "--growth" in err and "complx" in err and "Traceback" not in err
