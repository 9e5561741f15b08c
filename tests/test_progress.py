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
