"""The command line as an outside auditor used it (issue 13): nothing substituted silently, every
problem listed whatever the input's form, the solver's log on stderr, every kind of report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import rcc
from rcc.cli import EXIT_OK, EXIT_USAGE, main

HEADER = "CHILD,SEX,DOB\nQZ101,1,01/06/2010\nQZ102,2,01/06/2004\n"
EPISODES = "CHILD,DECOM,LS,PLACE,PLACE_PROVIDER,DEC\nQZ101,2017-05-01,C2,U4,PR4,\nQZ102,2016-05-01,C2,K2,PR1,\n"


def _plan_args(tmp_path: Path, header: str, episodes: str) -> list[str]:
    (tmp_path / "header.csv").write_text(header)
    (tmp_path / "episodes.csv").write_text(episodes)
    return ["plan", "--region", "Bolton", "--neighbours-miles", "8", "--no-greedy", "--quiet",
            "--out", str(tmp_path / "out"), "--ssda903", str(tmp_path / "header.csv"), str(tmp_path / "episodes.csv"),
            "--reference-date", "2018-03-31"]


def test_a_return_with_every_row_rejected_fails_and_plans_nothing(tmp_path, capsys):
    header = "CHILD,SEX,DOB\nQZ101,1,not a date\nQZ102,2,31/02/2004\n"
    episodes = "CHILD,DECOM,LS,PLACE,PLACE_PROVIDER,DEC\nQZ101,2017-05-01,C2,U4,PR4,\nQZ102,yesterday,C2,K2,PR1,\n"
    args = _plan_args(tmp_path, header, episodes)
    assert main([*args, "--problems-csv", str(tmp_path / "problems.csv")]) == EXIT_USAGE
    printed = capsys.readouterr()
    assert "QZ" not in printed.err + printed.out  # no child id
    assert not (tmp_path / "out" / "optimised").exists()  # nothing planned, nothing written
    problems = pd.read_csv(tmp_path / "problems.csv")
    assert problems.table.iloc[0] == "--ssda903" and "never used instead" in problems.expected.iloc[0]
    assert problems.received.iloc[0].startswith("no demand")
    assert {"--ssda903 header", "--ssda903 episodes"} <= set(problems.table)  # the rejections, by source row
    assert "QZ" not in problems.to_csv()


def test_rejected_rows_of_a_return_are_counted_and_written_even_quiet(tmp_path, capsys):
    header = HEADER + "QZ103,1,not a date\n"
    episodes = EPISODES + "QZ103,2017-05-01,C2,U4,PR4,\nQZ109,2017-05-01,C2,U4,PR4,\n"
    args = _plan_args(tmp_path, header, episodes)
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert "SSDA903 return: 3 row(s) rejected (header 1, episodes 2)" in out
    assert "QZ" not in out
    rejected = pd.read_csv(tmp_path / "out" / "rejected_rows.csv", dtype=str)
    rows = set(zip(rejected.table, rejected.row.astype(int)))  # 0-based rows of the source tables
    assert rows == {("header", 2), ("episodes", 2), ("episodes", 3)}
    assert "QZ" not in rejected.to_csv()  # pseudonyms only
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "rejected_rows.csv" in {f["path"] for f in manifest["files"]}
    by_council = pd.read_csv(tmp_path / "out" / "optimised" / "by_council.csv").set_index("council_id")
    assert by_council.loc["E08000001", "children"] == 2  # the two good children, not the embedded demand
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert {"objective_weights_units", "bound_weights_units", "gap_pct"} <= set(summary.columns)
    assert not {"objective", "gap"} & set(summary.columns)  # no number without its unit
    gap = summary.set_index("plan").gap_pct["optimised"]  # rows: today (the embedded census), optimised
    assert manifest["plans"]["optimised"]["gap"] * 100 == pytest.approx(gap, abs=1e-6)


def test_local_incentive_is_explained_in_gbp(capsys):
    assert main(["glossary", "local_incentive"]) == EXIT_OK
    text = capsys.readouterr().out
    assert "GBP 1,000 a week" in text and "no money is paid" in text
    assert "(in Weights units per child-week)" not in text


def _bad_tables(folder: Path) -> Path:
    """A small region with eight problems, one per kind, as the auditor's bad/ folder had them."""
    region = rcc.datasets.england("Greater Manchester RCC", today=False).subset(["E08000001", "E08000002"])
    folder = region.to_dir(folder)
    councils = pd.read_csv(folder / "councils.csv", dtype=str)
    councils.loc[0, "lat"] = "200.0"
    councils.to_csv(folder / "councils.csv", index=False)
    homes = pd.read_csv(folder / "homes.csv", dtype=str)
    homes.loc[0, "places"] = "-3"
    homes.loc[1, "home_type"] = "castle"
    homes["extra_col"] = "x"
    homes.to_csv(folder / "homes.csv", index=False)
    cohorts = pd.read_csv(folder / "cohorts.csv", dtype=str)
    cohorts.loc[0, "children"] = "many"  # unreadable: must hide nothing else in the table
    cohorts.loc[1, "need"] = "unicorn"
    cohorts.loc[2, "council_id"] = "E99999999"
    cohorts.loc[4, "cohort_id"] = cohorts.loc[3, "cohort_id"]
    cohorts.to_csv(folder / "cohorts.csv", index=False)
    return folder


def _typed(text: str) -> object:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _problems(args: list[str], csv: Path, capsys) -> pd.DataFrame:
    assert main([*args, "--problems-csv", str(csv)]) == EXIT_USAGE
    capsys.readouterr()
    return pd.read_csv(csv, dtype=str, keep_default_na=False)


def test_a_csv_folder_and_the_same_workbook_list_the_same_problems(tmp_path, capsys):
    folder = _bad_tables(tmp_path / "bad")
    book = tmp_path / "bad.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name in ("councils", "homes", "cohorts", "providers"):
            frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for col in frame.columns:  # numbers as numbers where they are numbers, as a person types them
                frame[col] = frame[col].map(_typed)
            frame.to_excel(xl, sheet_name=name, index=False)
    from_csv = _problems(["plan", "--data", str(folder), "--quiet"], tmp_path / "a.csv", capsys)
    from_book = _problems(["plan", "--data", str(book), "--quiet"], tmp_path / "b.csv", capsys)
    key = ["table", "column", "expected"]
    assert len(from_csv) == 8
    assert set(map(tuple, from_csv[key].values)) == set(map(tuple, from_book[key].values))
    assert {("cohorts", "children"), ("cohorts", "need"), ("cohorts", "council_id"), ("cohorts", "cohort_id")} <= set(
        map(tuple, from_csv[["table", "column"]].values))
    lat = from_csv[from_csv.column == "lat"].received.iloc[0]
    assert lat == "200" and "np." not in " ".join(from_csv.received)  # plain numbers


def test_an_unreadable_number_does_not_hide_a_duplicate_id(tmp_path, capsys):
    folder = _bad_tables(tmp_path / "bad2")
    councils = pd.read_csv(folder / "councils.csv", dtype=str)
    councils.loc[0, "lat"] = councils.loc[1, "lat"]
    councils.loc[0, "area_km2"] = "abc"
    councils.loc[1, "council_id"] = councils.loc[0, "council_id"]
    councils.to_csv(folder / "councils.csv", index=False)
    problems = _problems(["plan", "--data", str(folder), "--quiet"], tmp_path / "p.csv", capsys)
    councils_problems = problems[problems.table == "councils"]
    assert set(councils_problems.column) >= {"area_km2", "council_id"}
    assert councils_problems[councils_problems.column == "area_km2"].received.iloc[0] == "abc"


def _untimed(out: str) -> list[str]:
    """The first two lines of a command's output with its solve times ("0.1s") masked: they vary from run to run."""
    return [re.sub(r"\b\d+\.\d+s\b", "<seconds>", line) for line in out.splitlines()[:2]]


@pytest.mark.parametrize("command", [
    ["plan", "--no-greedy"],
    ["sufficiency", "--years", "1"],
])
def test_verbose_shows_the_highs_log_on_stderr_and_keeps_stdout_for_results(command, capfd):
    args = [*command, "--region", "bury", "--neighbours-miles", "5", "--quiet"]
    assert main(args) == EXIT_OK
    quiet = capfd.readouterr()
    assert main([*args, "--verbose"]) == EXIT_OK
    verbose = capfd.readouterr()
    assert "Coefficient ranges" not in quiet.out + quiet.err
    assert "Coefficient ranges" in verbose.err  # the solver's log
    assert "Coefficient ranges" not in verbose.out and "Coefficient" not in verbose.out
    assert _untimed(verbose.out) == _untimed(quiet.out) != []  # the results, on stdout as before


def test_sufficiency_and_compare_write_their_reports(tmp_path, capsys, monkeypatch):
    suff = ["sufficiency", "--region", "bury", "--neighbours-miles", "5", "--years", "1", "--quiet",
            "--report", str(tmp_path / "suff.html"), "--report", str(tmp_path / "suff.xlsx")]
    assert main(suff) == EXIT_OK
    assert "wrote the reports" in capsys.readouterr().out
    html = (tmp_path / "suff.html").read_text()
    assert "<html" in html.lower() and "sufficiency" in html.lower()
    sheets = pd.read_excel(tmp_path / "suff.xlsx", sheet_name=None)
    assert "Summary" in sheets and len(sheets) > 2
    cmp = ["compare", "bury", "--within-miles", "5", "--scenarios", "standalone", "national", "--quiet",
           "--report", str(tmp_path / "cmp.html")]
    from rcc.report import audit, listing

    stuck: list[int] = []  # one entry per pooling retry: the cells the audit loop could not protect

    def counting(rel, threshold):
        try:
            return audit._protect(rel, threshold)
        except audit.Unprotectable as e:
            stuck.append(len(e.cells))
            raise

    monkeypatch.setattr(listing, "_protect", counting)
    assert main(cmp) == EXIT_OK
    page = (tmp_path / "cmp.html").read_text()
    assert "standalone" in page
    # Bury comes with its --neighbours-miles neighbours; --within-miles widens the base, said once
    assert "Bury and neighbours within 20 miles, widened by 5 miles" in page
    assert "neighbours within 5 miles" not in page
    # every stuck cell of a pass is pooled at once, and only those still recoverable when the loop
    # ends (it was one cell a retry, 6 retries, when the loop stopped at the first stuck cell)
    assert len(stuck) <= 3 and sum(stuck) >= len(stuck)
    assert main([*cmp[:-1], str(tmp_path / "cmp.pdf")]) == EXIT_USAGE  # only .html or .xlsx, refused before solving
    assert "expected a file ending .html or .xlsx" in capsys.readouterr().err


def test_placements_csv_names_provider_groups_and_the_ofsted_line_says_what_it_counts(tmp_path, capsys):
    (tmp_path / "ofsted.csv").write_text(
        "URN,Provision type,Sector,Places,Organisation which owns the provider,Local authority\n"
        "1000001,Children's home,Private,4,Acme Care Ltd,Bolton\n"
        "1000002,Secure children's home,Local Authority,8,Bolton Council,BOLTON\n"
        "1000003,Children's home,Private,3,Acme Care Ltd,Cornwall\n")
    out = tmp_path / "out"
    assert main(["plan", "--region", "Bolton", "--neighbours-miles", "8", "--no-greedy", "--out", str(out),
                 "--ofsted", str(tmp_path / "ofsted.csv")]) == EXIT_OK
    err = capsys.readouterr().err
    assert ("Ofsted file: 3 homes read (0 rows rejected); 3 of them, with 15 places, are in the 153 councils of "
            "England and replace its") in err  # what the file holds in the data, before the area is chosen
    assert "(0 are elsewhere); the area planned is chosen from these councils next" in err
    assert "Region('Bolton and neighbours within 8 miles (homes: Ofsted)': 3 councils" in err
    placements = pd.read_csv(out / "optimised" / "placements.csv", dtype=str)
    assert placements.columns.get_loc("provider_group_name") == placements.columns.get_loc("provider_group") + 1
    own = placements[placements.provider_group.str.startswith("LA:")]
    assert len(own) and (own.provider_group_name == own.provider_group.str[3:].map(
        rcc.datasets.councils().set_index("council_id").name) + " (council's own homes)").all()
    other = placements[~placements.provider_group.str.startswith("LA:")]
    assert (other.provider_group_name == other.provider_group).all()


def test_an_ofsted_file_with_no_home_in_the_data_fails(tmp_path, capsys):
    folder = rcc.datasets.england("Greater Manchester RCC", today=False).subset(["E08000001"]).to_dir(tmp_path / "data")
    (tmp_path / "ofsted.csv").write_text(
        "URN,Provision type,Sector,Places,Organisation which owns the provider,Local authority\n"
        "1000003,Children's home,Private,3,Acme Care Ltd,Cornwall\n")
    args = ["plan", "--data", str(folder), "--ofsted", str(tmp_path / "ofsted.csv"), "--quiet"]
    assert main(args) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--ofsted" in err and "at least one home in the councils of data" in err and "1 homes elsewhere" in err
