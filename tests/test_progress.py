"""rcc.show_progress: the stages of long library steps on stderr, in a script or a notebook."""

from __future__ import annotations

import logging
import re

import rcc
from rcc.report import audit
from tests.test_display import toy


def test_show_progress_prints_the_engine_stages_and_the_audit_rounds_then_stops(capsys, monkeypatch) -> None:
    region = toy()
    levels = {name: logging.getLogger(name).level for name in rcc.core.progress.STAGE_LOGGERS}
    try:
        rcc.show_progress()
        suff = rcc.sufficiency_plan(region, rcc.default_options(region), rcc.forecast_from_region(region, 2))
        err = capsys.readouterr().err
        assert re.search(r"^\[rcc +\d+\.\ds\] stage: build$", err, re.M) and "stage: pricing" in err
        monkeypatch.setattr(audit, "_SAY_EVERY_S", 0.0)
        rcc.report_tables(rcc.plan(rcc.datasets.england("Greater Manchester RCC", seed=0)))
        assert "suppression audit: round 1," in capsys.readouterr().err
        rcc.show_progress(False)
        rcc.sufficiency_plan(region, rcc.default_options(region), rcc.forecast_from_region(region, 2))
        assert capsys.readouterr().err == ""
        assert {name: logging.getLogger(name).level for name in levels} == levels  # as before
        assert suff.status.value == "optimal"
    finally:
        rcc.show_progress(False)


def test_a_report_writer_shows_a_long_audit_by_default_and_never_twice_or_when_asked_not_to(
    capsys, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(audit, "_SAY_EVERY_S", 0.0)  # every round is "long"
    for writer, name in ((rcc.write_html, "r.html"), (rcc.write_excel, "r.xlsx")):
        writer(rcc.plan(toy(), rcc.PlanParams(method="greedy")), tmp_path / name)  # (a plan keeps its release)
        err = capsys.readouterr().err
        assert re.search(r"^\[rcc +\d+\.\ds\] suppression audit: round 1,", err, re.M), (name, err)
        writer(rcc.plan(toy(), rcc.PlanParams(method="greedy")), tmp_path / name, progress=False)
        assert capsys.readouterr().err == ""
    plan = rcc.plan(toy(), rcc.PlanParams(method="greedy"))
    try:
        rcc.show_progress()  # already shown: one line per round, not two
        rcc.write_html(plan, tmp_path / "r.html")
        lines = capsys.readouterr().err.splitlines()
        assert lines and len(lines) == len(set(line.split("] ", 1)[1] for line in lines))
    finally:
        rcc.show_progress(False)
    assert all(not logging.getLogger(n).handlers for n in rcc.core.progress.STAGE_LOGGERS)  # nothing left attached


def test_progress_lines_print_once_beside_the_users_own_logging_and_nest_in_any_order(capsys, monkeypatch) -> None:
    from rcc.core.progress import progress_shown

    monkeypatch.setattr(audit, "_SAY_EVERY_S", 0.0)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    root, keep = logging.getLogger(), Keep()
    root.addHandler(keep)  # as logging.basicConfig() does (root at WARNING): rcc's INFO lines must not reach it
    try:
        rcc.write_html(rcc.plan(toy(), rcc.PlanParams(method="greedy")), "/dev/null")
        assert "suppression audit: round 1," in capsys.readouterr().err and not seen
        level = root.level
        root.setLevel(logging.INFO)  # the user's own logging shows INFO: rcc adds no second line
        try:
            rcc.write_html(rcc.plan(toy(), rcc.PlanParams(method="greedy")), "/dev/null")
        finally:
            root.setLevel(level)
        assert capsys.readouterr().err == "" and any("suppression audit: round 1," in m for m in seen)
    finally:
        root.removeHandler(keep)
    levels = {name: logging.getLogger(name).level for name in rcc.core.progress.STAGE_LOGGERS}
    try:
        with progress_shown():
            rcc.show_progress()  # started inside, left on after the block
        rcc.write_html(rcc.plan(toy(), rcc.PlanParams(method="greedy")), "/dev/null", progress=False)
        assert "suppression audit: round 1," in capsys.readouterr().err
    finally:
        rcc.show_progress(False)
    assert {name: logging.getLogger(name).level for name in levels} == levels
    assert all(logging.getLogger(n).propagate and not logging.getLogger(n).handlers for n in levels)
