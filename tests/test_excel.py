"""The Excel workbook of a plan, a sufficiency plan and a comparison (rcc.write_excel):
typed columns (a suppressed cell empty, flagged beside it), number formats, names beside
codes, native charts, no formulas, suppression intact and audited."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import pooled_beyond_rule, reader_pairs

import rcc
from rcc.core.errors import InvalidInputError
from rcc.report import CHILD_COUNT_COLUMNS, SUPPRESSED, audit_suppression, report_tables, write_excel
from rcc.sufficiency import default_options, forecast_from_region, sufficiency_plan

FLAG = "_suppressed"
#: Columns counting children besides CHILD_COUNT_COLUMNS (reasons, new places).
_MORE_COUNTS = ("placed_in_new_places", "placed_in_existing_homes", "unreachable", "capacity", "weights",
                "lead_time", "budget", "provider_share")


@pytest.fixture(scope="module")
def gm() -> rcc.Region:
    return rcc.datasets.england("Greater Manchester RCC", seed=0, today=False)  # scenarios that differ


@pytest.fixture(scope="module")
def books(gm: rcc.Region, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, Path]]:
    out = tmp_path_factory.mktemp("xl")
    plan = rcc.plan(gm, rcc.PlanParams(method="greedy"))
    growth = {"complex": 0.2, "mainstream": 0.05}
    suff = sufficiency_plan(gm, default_options(gm), forecast_from_region(gm, years=2, growth_by_need=growth))
    cmp = rcc.compare(gm, rcc.standard_scenarios(list(gm.council_ids[:4]), "R4")[:3])
    return {
        "plan": (plan, write_excel(plan, out / "plan.xlsx")),
        "sufficiency": (suff, write_excel(suff, out / "suff.xlsx")),
        "comparison": (cmp, write_excel(cmp, out / "cmp.xlsx")),
    }


KINDS = ("plan", "sufficiency", "comparison")


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in pd.read_excel(path, sheet_name=None).items() if k != "Notes"}


@pytest.mark.parametrize("kind", KINDS)
def test_numeric_columns_read_as_numbers(books, kind: str) -> None:
    _, path = books[kind]
    wb = openpyxl.load_workbook(path)
    checked = 0
    for name, df in _tables(path).items():
        if not len(df):
            continue
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for j, col in enumerate(header, start=1):
            cells = [ws.cell(i, j).value for i in range(2, ws.max_row + 1)]
            assert SUPPRESSED not in cells, (name, col)  # never a "c" in a cell
            if col.endswith(FLAG):
                assert df[col].dtype == bool, (name, col)
                base = col[: -len(FLAG)]
                assert df.loc[df[col], base].isna().all(), (name, base)  # flagged: empty
                continue
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in cells):
                assert pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]), (name, col)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("kind", KINDS)
def test_no_small_count_visible_and_some_suppressed(books, kind: str) -> None:
    _, path = books[kind]
    hidden = 0
    for name, df in _tables(path).items():
        for col in df.columns:
            if (col in CHILD_COUNT_COLUMNS or col in _MORE_COUNTS) and col + FLAG in df.columns:
                v = pd.to_numeric(df[col], errors="raise")
                assert not ((v > 0) & (v < 5)).any(), (name, col)
                assert (v.dropna() == v.dropna().round()).all(), (name, col)  # whole children
                hidden += int(df[col + FLAG].sum())
    assert hidden > 10


@pytest.mark.parametrize("kind", KINDS)
def test_number_formats_and_layout(books, kind: str) -> None:
    _, path = books[kind]
    wb = openpyxl.load_workbook(path)
    seen = set()
    for ws in wb.worksheets:
        if ws.title == "Notes":
            continue
        assert ws.freeze_panes == "A2", ws.title
        header = [c.value for c in ws[1]]
        for j, col in enumerate(header, start=1):
            letter = openpyxl.utils.get_column_letter(j)
            assert 7 <= ws.column_dimensions[letter].width <= 50, (ws.title, col)
            for i in range(2, min(ws.max_row, 60) + 1):
                cell = ws.cell(i, j)
                if not isinstance(cell.value, (int, float)) or isinstance(cell.value, bool):
                    continue
                if col.startswith("pct") or col.endswith("_pct"):
                    assert cell.number_format == "0.0%" and 0 <= cell.value <= 1, (ws.title, col, cell.value)
                    assert round(cell.value, 4) == cell.value
                    seen.add("pct")
                elif col.endswith("_gbp"):
                    assert cell.number_format == '"£"#,##0' and isinstance(cell.value, int), (ws.title, col)
                    seen.add("gbp")
                elif col in CHILD_COUNT_COLUMNS or col in ("places", "new_places", "existing_places"):
                    assert cell.number_format == "#,##0" and isinstance(cell.value, int), (ws.title, col)
                    seen.add("count")
                elif col == "year":
                    assert cell.number_format == "0" and isinstance(cell.value, int)
                elif col.endswith("distance_miles"):
                    assert cell.number_format == "#,##0.0"
    assert {"pct", "count"} <= seen
    if kind == "sufficiency":
        assert "gbp" in seen


@pytest.mark.parametrize("kind", KINDS)
def test_names_beside_codes(books, kind: str, gm: rcc.Region) -> None:
    _, path = books[kind]
    names = gm.councils.set_index("council_id").name
    n = 0
    for name, df in _tables(path).items():
        cols = list(df.columns)
        for code, label in (("council_id", "council"), ("home_council_id", "home_council"),
                            ("placement_council_id", "placement_council")):
            if code in cols and len(df):
                assert cols[cols.index(code) + 1] == label, (name, code)
                named = df[code] != "(elsewhere)"  # the pooled councils' row: its own label
                assert (df[label][named] == df[code][named].map(names)).all(), (name, code)
                n += 1
    assert n >= 3


def test_charts(books) -> None:
    def charts(kind: str) -> dict[str, int]:
        wb = openpyxl.load_workbook(books[kind][1])
        return {ws.title: len(ws._charts) for ws in wb.worksheets if ws._charts}

    assert charts("plan") == {"distance_bands": 1}
    assert charts("sufficiency") == {"Summary": 1, "places_by_year": 1, "distance_bands": 1}
    assert charts("comparison") == {"Summary": 2, "distance_bands": 1}
    with zipfile.ZipFile(books["comparison"][1]) as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(xml) == 3 and all("barChart" in x for x in xml)
    # the distance chart has one series per scenario
    assert max(x.count("<ser>") for x in xml) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_no_formula_anywhere(books, kind: str) -> None:
    _, path = books[kind]
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                text = z.read(name).decode()
                assert "<f>" not in text and "<f " not in text, name


def test_notes_sheet(books) -> None:
    wb = openpyxl.load_workbook(books["sufficiency"][1])
    notes = {r[0]: r[1] for r in wb["Notes"].values if r and r[0]}
    assert wb.sheetnames[-1] == "Notes"
    assert notes["Years"] == 2 and notes["Councils"] == 10 and notes["Status"] == "optimal"
    assert "_suppressed" in notes["Suppressed cells"]
    assert "Open Government Licence" in notes["Data"]
    assert notes["need: uasc"].startswith("unaccompanied")
    assert "reason: lead_time" in notes and "home type: kinship" in notes


# --------------------------------------------------------------------------- the plan workbook is the audited release


def _released(path: Path, name: str) -> pd.DataFrame:
    """A sheet with ``"c"`` back where flagged, the flags and added name columns dropped."""
    df = pd.read_excel(path, sheet_name=name)
    for flag in [c for c in df.columns if c.endswith(FLAG)]:
        col = flag[: -len(FLAG)]
        df[col] = df[col].astype(object).where(~df[flag], SUPPRESSED)
    return df.drop(columns=[c for c in df.columns if c.endswith(FLAG)])


def test_plan_workbook_is_the_released_tables_and_passes_the_audit(books) -> None:
    plan, path = books["plan"]
    truth = report_tables(plan)
    tables: dict[str, pd.DataFrame] = {}
    for name, want in truth.items():
        if name == "summary":
            row = _released(path, "Summary").iloc[0]
            tables[name] = want.assign(value=[row[m] for m in want.metric])
            got, ref = tables[name].value.tolist(), want.value.tolist()
        else:
            tables[name] = _released(path, name)
            assert len(tables[name]) == len(want), name
            cols = list(want.attrs["suppressed"].columns)
            got, ref = tables[name][cols].to_numpy().ravel().tolist(), want[cols].to_numpy().ravel().tolist()
        for g, r in zip(got, ref):
            assert (g == SUPPRESSED) == (r == SUPPRESSED), name
            if r != SUPPRESSED and not (isinstance(r, float) and np.isnan(r)):
                assert float(g) == pytest.approx(float(r), rel=1e-3, abs=6e-3) or float(g) == pytest.approx(float(r) / 100, abs=6e-5)
    audit = audit_suppression(plan, tables)
    assert len(audit) > 10 and audit.protected.all()


# --------------------------------------------------------------------------- a comparison is one release


def test_comparison_summary_side_by_side(books) -> None:
    cmp, path = books["comparison"]
    summary = pd.read_excel(path, sheet_name="Summary")
    assert summary.scenario.tolist() == list(cmp.plans)
    for s, p in cmp.plans.items():
        row = summary.set_index("scenario").loc[s]
        assert row.children == p.metrics["children"]
        if not row.pct_within_20_miles_suppressed:
            assert row.pct_within_20_miles == pytest.approx(p.metrics["pct_within_20_miles"] / 100, abs=6e-5)
    scen = pd.read_excel(path, sheet_name="scenarios")
    assert scen.scenario.tolist() == list(cmp.plans) and scen.description.str.len().gt(0).all()


def test_sufficiency_workbook_contents(books) -> None:
    suff, path = books["sufficiency"]
    x = pd.read_excel(path, sheet_name=None)
    assert x["places_by_year"].new_places.tolist() == suff.capacity.groupby("year").new_places.sum().tolist()
    assert x["new_capacity"].places.sum() == suff.new_places
    s = x["Summary"].set_index("year")
    for y, m in suff.metrics_by_year.iterrows():
        if not s.children_suppressed[y]:
            assert s.children[y] == m.children
    costs = x["costs"].set_index("year")
    for y in costs.index:
        assert costs.placements_gbp_suppressed[y] == s.weekly_cost_gbp_suppressed[y]
    assert (costs.capital_gbp.to_numpy() == suff.costs.capital_gbp.round().to_numpy()).all()


# --------------------------------------------------------------------------- text never becomes a formula


def test_user_text_never_becomes_a_formula(tiny: rcc.Region, tmp_path: Path) -> None:
    evil = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)"]
    scen = [rcc.Scenario(evil[0], description="-2+3"), rcc.Scenario(evil[1], "national"), rcc.Scenario(evil[2], "national")]
    path = write_excel(rcc.compare(tiny, scen), tmp_path / "evil.xlsx")
    found = 0
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.quotePrefix and cell.data_type == "s", (ws.title, cell.coordinate)
                    found += 1
    assert found >= 4
    assert pd.read_excel(path, sheet_name="Summary").scenario.tolist() == evil


def test_bad_arguments(books, tmp_path: Path) -> None:
    plan, _ = books["plan"]
    with pytest.raises(InvalidInputError, match="compare_with"):
        write_excel(books["sufficiency"][0], tmp_path / "x.xlsx", compare_with=plan)
    with pytest.raises(InvalidInputError, match="result"):
        write_excel(42, tmp_path / "y.xlsx")  # type: ignore[arg-type]


def test_sufficiency_lead_time_year_by_year(tmp_path: Path) -> None:
    """A home that opens in year 3: years 1-2 leave 6 of 10 children without a home (lead
    time); placed 4 is hidden, and unmet with it (children 10 is published); the weekly cost
    of a year and the money that adds it up are hidden together."""
    councils = pd.DataFrame({"council_id": ["A"], "name": ["Aton"], "region": ["R"], "lat": [53.0], "lon": [-2.0]})
    homes = pd.DataFrame({"home_id": ["h1"], "council_id": ["A"], "provider_id": ["LA:A"], "home_type": ["childrens_home"],
                          "places": [4], "needs": ["complex"], "weekly_cost_gbp": [5000.0]})
    cohorts = pd.DataFrame({"cohort_id": ["cA"], "council_id": ["A"], "need": ["complex"], "age_band": ["11-15"], "children": [10]})
    region = rcc.Region.from_frames(councils, homes, cohorts)
    opts = pd.DataFrame([{
        "option_id": "new", "name": "New home", "council_id": "A", "home_type": "childrens_home", "needs": "complex",
        "provider_id": "LA:A", "places_per_unit": 6, "max_units": 1, "capital_cost_gbp": 1e6,
        "annual_running_cost_gbp": 5e5, "weekly_cost_gbp": 300.0, "lead_time_months": 18,
    }])
    plan = sufficiency_plan(region, opts, forecast_from_region(region, years=3))
    assert plan.shortfall.reason_code.tolist() == ["lead_time", "lead_time"]
    x = pd.read_excel(write_excel(plan, tmp_path / "toy.xlsx"), sheet_name=None)
    s = x["Summary"].set_index("year")
    assert s.children.tolist()[:2] == [10, 10]
    # year 3 (both homes full, both places public): the release hides even the children, its last resort
    assert s.children[3] == 10 or s.children_suppressed[3]
    assert s.placed_suppressed[1] and s.unmet_suppressed[1] and np.isnan(s.placed[1])
    assert x["unmet_by_need"].lead_time_suppressed.all() and (x["unmet_by_need"].capacity == 0).all()
    costs = x["costs"].set_index("year")
    assert (costs.placements_gbp_suppressed == s.weekly_cost_gbp_suppressed).all()
    assert costs.capital_gbp[1] == 1_000_000 and costs.running_gbp[3] == 500_000


# --------------------------------------------------------------------------- an independent audit of the comparison workbook
#
# Rebuilt from the workbook alone and what a reader knows (each home's places, the rules of
# rcc.eligible_edges, that a council has the same children in every scenario where it does):
# every count it shows is a sum of (home council, home) pairs and shortfall rows; every share,
# mean distance and weekly cost it shows, rounded as stored, is an interval over them. HiGHS
# bounds each suppressed count over all non-negative tables consistent with all of it.


def _comparison_system(cmp: rcc.Comparison, path: Path) -> tuple[int, list, list]:
    x = {k: _released(path, k) for k in ("Summary", "by_council", "distance_bands", "unmet_by_need", "placements", "shortfall")}
    # the unknowns: what a reader could fill each scenario's placements with (conftest.reader_pairs), shortfall rows
    listed = x["placements"]
    p = pd.concat([reader_pairs(pl, 5, pooled_beyond_rule(pl, listed[listed.scenario == sc], 5)).assign(scenario=sc)
                   for sc, pl in cmp.plans.items()], ignore_index=True)
    s = x["shortfall"]
    nx, n = len(p), len(p) + len(s)
    rows: list[tuple[np.ndarray, float, float]] = []  # (coefficients, lower, upper)
    hidden: list[tuple[str, np.ndarray, float]] = []  # (name, coefficients, true value)
    truth = np.concatenate([
        p.children.to_numpy(float),
        np.concatenate([pl.shortfall.children.to_numpy(float) for pl in cmp.plans.values()]),
    ])
    d, cost = p.distance_miles.to_numpy(float), p.weekly_cost_gbp.to_numpy(float)
    inside, near = p.inside_own_council.astype(bool).to_numpy(), d <= 20.0

    def vec(xm: np.ndarray | None = None, ym: np.ndarray | None = None, w: np.ndarray | None = None) -> np.ndarray:
        v = np.zeros(n)
        if xm is not None:
            v[:nx] = xm * (1.0 if w is None else w)
        if ym is not None:
            v[nx:] = ym
        return v

    def count(name: str, value: object, coef: np.ndarray) -> None:
        if value == SUPPRESSED:
            hidden.append((name, coef, float(coef @ truth)))
        else:
            rows.append((coef, float(value), float(value)))

    def ratio(value: object, num: np.ndarray, den: np.ndarray, half: float, scale: float = 1.0) -> None:
        if value != SUPPRESSED and not pd.isna(value):  # num / den within value +- half (as rounded)
            lo, hi = (float(value) - half) / scale, (float(value) + half) / scale
            rows.append((num - lo * den, 0.0, np.inf))
            rows.append((num - hi * den, -np.inf, 0.0))

    for r in x["placements"].itertuples():
        m = ((p.scenario == r.scenario) & (p.council_id == r.council_id) & (p.key_council == r.placement_council_id)
             & (p.key_type == r.home_type)).to_numpy()
        count(f"placements {r.Index}", r.children, vec(m))
        rows.append((vec(m), 0.0 if r.placement_council_id == "(elsewhere)" else 5.0, np.inf))  # a listed row
    for _key, m in p.groupby(["scenario", "home_id"]).indices.items():  # each home's places (public)
        rows.append((vec(np.isin(np.arange(nx), m)), -np.inf, float(p.places.iloc[m[0]])))
    for j in range(len(s)):
        count(f"shortfall {j}", s.children[j], np.eye(1, n, nx + j).ravel())
    for table, keys in (("Summary", ["scenario"]), ("by_council", ["scenario", "council_id"])):
        for r in x[table].itertuples():
            xm = np.logical_and.reduce([p[k].astype(str).to_numpy() == str(getattr(r, k)) for k in keys])
            ym = np.logical_and.reduce([s[k].astype(str).to_numpy() == str(getattr(r, k)) for k in keys])
            name = f"{table} {[getattr(r, k) for k in keys]}"
            count(name + " children", r.children, vec(xm, ym))
            count(name + " placed", r.placed, vec(xm))
            count(name + " unmet", r.unmet, vec(None, ym))
            count(name + " inside", r.placed_inside_own_council, vec(xm & inside))
            count(name + " outside", r.placed_outside_own_council, vec(xm & ~inside))
            count(name + " within", r.placed_within_20_miles, vec(xm & near))
            count(name + " over", r.placed_over_20_miles, vec(xm & ~near))
            ratio(r.pct_inside_own_council, vec(xm & inside), vec(xm), 5e-5)
            ratio(r.pct_within_20_miles, vec(xm & near), vec(xm), 5e-5)
            ratio(r.mean_distance_miles, vec(xm, w=d), vec(xm), 0.005)
            if r.weekly_cost_gbp != SUPPRESSED and not pd.isna(r.weekly_cost_gbp):
                rows.append((vec(xm, w=cost), r.weekly_cost_gbp - 0.5, r.weekly_cost_gbp + 0.5))
    bands = pd.cut(pd.Series(d), [-np.inf, 5, 10, 20, 50, np.inf], labels=["0-5", "5-10", "10-20", "20-50", "50+"]).astype(str)
    for r in x["distance_bands"].itertuples():
        count(f"band {r.scenario} {r.band}", r.children, vec((p.scenario == r.scenario).to_numpy() & (bands == r.band).to_numpy()))
    for r in x["unmet_by_need"].itertuples():
        ym = (s.scenario == r.scenario).to_numpy() & (s.need == r.need).to_numpy()
        count(f"unmet {r.scenario} {r.need}", r.children, vec(None, ym))
        for reason in ("unreachable", "capacity", "weights"):
            count(f"unmet {r.scenario} {r.need} {reason}", getattr(r, reason), vec(None, ym & (s.reason_code == reason).to_numpy()))
    cohort = np.concatenate([p.council_id.astype(str), s.council_id.astype(str)])  # per council: the report's base
    scen = np.concatenate([p.scenario.astype(str), s.scenario.astype(str)])
    for c in np.unique(cohort):
        per = {sc: (cohort == c) & (scen == sc) for sc in np.unique(scen[cohort == c])}
        first = next(iter(per.values()))
        for m in list(per.values())[1:]:
            if truth[m].sum() == truth[first].sum():  # the same children: the reader knows this
                rows.append((first.astype(float) - m.astype(float), 0.0, 0.0))
    return n, rows, hidden


def test_comparison_workbook_passes_an_independent_audit(books) -> None:
    import highspy

    cmp, path = books["comparison"]
    n, rows, hidden = _comparison_system(cmp, path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    h.addVars(n, np.r_[np.zeros(n - len(_released(path, "shortfall"))), np.ones(len(_released(path, "shortfall")))],
              np.full(n, inf))  # a listed shortfall row holds at least one child
    for coef, lo, hi in rows:
        nz = np.flatnonzero(np.abs(coef) > 1e-12)
        scale = np.abs(coef[nz]).max() if len(nz) else 1.0
        h.addRow(lo / scale - 1e-7 if np.isfinite(lo) else -inf, hi / scale + 1e-7 if np.isfinite(hi) else inf,
                 len(nz), nz.astype(np.int32), coef[nz] / scale)
    assert len(hidden) > 20
    failures = []
    for name, coef, value in hidden:
        bounds = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeColsCost(n, np.arange(n, dtype=np.int32), coef)
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                bounds.append(np.inf)
                continue
            assert status == highspy.HighsModelStatus.kOptimal, (name, status)
            bounds.append(h.getInfo().objective_function_value)
        lo, hi = np.ceil(bounds[0] - 1e-6), np.floor(bounds[1] + 1e-6)
        ok = hi > lo and (not 0 < value < 5 or lo <= 0 or hi >= 5)
        if not ok:
            failures.append((name, lo, hi))
    assert not failures, failures[:5]
