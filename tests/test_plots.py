"""Charts (rcc.report.plots: plan.plot, suff.plot, cmp.plot, rcc.plot_forecast) and the grid cartogram."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.core.accessors import Accessor
from rcc.report import SUPPRESSED, comparison_tables, report_tables, sufficiency_tables
from rcc.report.cartogram import draw_flow_map, grid_layout

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

C = SUPPRESSED


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def gm() -> tuple[rcc.Region, rcc.Plan]:
    region = rcc.datasets.england("Greater Manchester RCC", seed=0)
    return region, rcc.plan(region)


def _value(v: object) -> float | None:
    return None if v == C else float(v)


def _small_label(text: str) -> bool:
    return bool(pd.Series([text]).str.fullmatch(r"[1-4]").iloc[0])


# ------------------------------------------------------------------ a plan


def _value_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == "value-label"]


def _note(ax) -> str:
    return " ".join(t.get_text() for t in ax.texts if t.get_gid() == "note")


def _integer_ticks(axis) -> bool:
    return all(float(v).is_integer() for v in axis.get_ticklocs())


@pytest.mark.parametrize("threshold", [None, 5])
def test_distance_bands_draws_the_table_true_by_default_suppressed_on_request(gm, threshold) -> None:
    """By default (None) the true counts (the analyst's own view), never a blank chart of c; with
    ``suppress_below=5`` the published release, said in a note under the title."""
    _, plan = gm
    ax = plan.plot.distance_bands(suppress_below=threshold)
    table = report_tables(plan, suppress_below=threshold or 0)["distance_bands"]
    if threshold is None:
        assert C not in table.children.tolist() and table.children.astype(float).sum() == plan.metrics["placed"]
        assert max(p.get_height() for p in ax.patches) > 100 and _note(ax) == ""
    else:
        assert "1 to 4 shown as c" in _note(ax)
    assert _integer_ticks(ax.yaxis)
    bars = [p for p in ax.patches if p.get_gid() in ("value", C)]
    assert len(bars) == len(table)
    for bar, v in zip(bars, table.children):
        if v == C:
            top = max([_value(x) or 0 for x in table.children] + [ax.get_ylim()[1]])
            assert bar.get_gid() == C and bar.get_height() < 0.02 * top  # a small mark, never a bar of its own size
        else:
            assert bar.get_gid() == "value" and bar.get_height() == pytest.approx(float(v))
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{b} miles" for b in table.band]
    assert _value_labels(ax) == [C if v == C else f"{float(v):,.0f}" for v in table.children]
    if threshold is None:
        return
    # into given axes, beside another plan
    fig, own = plt.subplots()
    greedy = rcc.plan(gm[0], rcc.PlanParams(method="greedy"))
    assert plan.plot.distance_bands(ax=own, compare_with=greedy, suppress_below=5) is own
    assert len([p for p in own.patches if p.get_gid() in ("value", C)]) == 2 * len(table)
    legend = [t.get_text() for t in own.get_legend().get_texts()]
    withheld = all(v in (C, 0) for v in table.children) and C in table.children.tolist()
    assert legend[:2] == [f"optimised{' (its counts c: withheld)' if withheld else ''}", "greedy baseline"]
    assert (len(legend) == 3) == any(v == C for v in [*table.children, *report_tables(greedy)["distance_bands"].children])


def test_by_council_marks_suppressed_segments_as_small_gaps(gm_short) -> None:
    plan = rcc.plan(gm_short)
    ax = plan.plot.by_council(suppress_below=5)
    bc = report_tables(plan)["by_council"]
    assert [t.get_text() for t in ax.get_yticklabels()] == bc.council.tolist()
    vmax = max(_value(v) or 0 for v in bc.children)
    gaps = [p for p in ax.patches if p.get_gid() == C]
    rests = [p for p in ax.patches if p.get_gid() == "rest"]
    values = [p for p in ax.patches if p.get_gid() == "value"]
    n_hidden = sum(v == C for r in bc.itertuples() if r.children != C
                   for v in (r.placed_inside_own_council, r.placed_outside_own_council, r.unmet))
    assert n_hidden > 0  # GM's report hides some councils' inside/outside split
    assert len(gaps) == n_hidden and all(g.get_width() <= 0.02 * vmax for g in gaps)
    assert all(not r.get_fill() for r in rests)  # an outline, never a filled (hatched) bar
    shown = sorted(float(v) for r in bc.itertuples() if r.children != C
                   for v in (r.placed_inside_own_council, r.placed_outside_own_council, r.unmet) if v != C and float(v) > 0)
    assert sorted(p.get_width() for p in values) == pytest.approx(shown)
    for i, r in enumerate(bc.itertuples()):  # each row's end: its published total
        row = [p for p in ax.patches if p.get_gid() in ("value", C, "rest") and abs(p.get_y() + p.get_height() / 2 + i) < 1e-9]
        if r.children != C and row:
            hidden = sum(p.get_gid() == C for p in row)
            assert max(p.get_x() + p.get_width() for p in row) - hidden * (gaps[0].get_width() if gaps else 0) <= float(r.children) + 1e-6
    assert not any(_small_label(t.get_text()) for t in ax.texts)


def test_unmet_by_need_chart(tiny) -> None:
    plan = rcc.plan(tiny)
    ax = plan.plot.unmet(suppress_below=5)
    un = report_tables(plan)["unmet_by_need"]
    assert [t.get_text() for t in ax.get_yticklabels()] == un.need.tolist()
    assert not any(_small_label(t.get_text()) for t in ax.texts)


def test_flows_draws_each_published_flow_at_or_above_the_threshold(gm) -> None:
    _, plan = gm
    for threshold in (5, 50):
        ax = plan.plot.flows(suppress_below=threshold)
        fl = report_tables(plan, suppress_below=threshold)["flows"]
        out = fl[(fl.council_id != fl.placement_council_id) & (fl.placement_council_id != "(elsewhere)")]
        drawable = {(r.council_id, r.placement_council_id) for r in out.itertuples() if r.children != C and r.children >= threshold}
        arrows = {tuple(p.get_gid().split(":")[1].split(">")) for p in ax.patches if (p.get_gid() or "").startswith("flow:")}
        assert arrows == drawable
        assert any(f"{len(out) - len(drawable):,} flow(s) of fewer than {threshold}" in t.get_text() for t in ax.texts)
        plt.close("all")


# ------------------------------------------------------------------ the cartogram


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 - 1e-6 and b.x0 < a.x1 - 1e-6 and a.y0 < b.y1 - 1e-6 and b.y0 < a.y1 - 1e-6


def _inside(inner, outer) -> bool:
    return inner.x0 >= outer.x0 - 0.5 and inner.x1 <= outer.x1 + 0.5 and inner.y0 >= outer.y0 - 0.5 and inner.y1 <= outer.y1 + 0.5


@pytest.mark.parametrize("name", sorted({"England", *rcc.datasets.regions()}))
def test_cartogram_cells_and_labels_never_overlap(name: str) -> None:
    eng = rcc.datasets.england().councils
    councils = eng if name == "England" else eng[eng.council_id.isin(rcc.datasets.regions()[name])]
    layout = grid_layout(councils)
    assert len(layout) == len(councils) and not layout[["col", "row"]].duplicated().any()
    assert layout.equals(grid_layout(councils))  # deterministic
    size = (11.0, 12.0) if len(councils) > 40 else (8.0, 7.0)
    fig, ax = plt.subplots(figsize=size)
    empty = pd.DataFrame({"council_id": [], "placement_council_id": [], "children": []})
    draw_flow_map(ax, councils, empty, pd.Series(dtype=object), 5)
    renderer = fig.canvas.get_renderer()
    cells = {p.get_gid()[5:]: p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("cell:")}
    labels = {t.get_gid()[6:]: t.get_window_extent(renderer) for t in ax.texts if (t.get_gid() or "").startswith("label:")}
    assert set(cells) == set(labels) == set(councils.council_id)
    for a, b in itertools.combinations(cells, 2):
        assert not _overlap(cells[a], cells[b]), (a, b)
        assert not _overlap(labels[a], labels[b]), (a, b)
    for cid in cells:
        assert _inside(labels[cid], cells[cid]), cid
    if name == "South East RCC":
        names = councils.set_index("name").council_id
        shown = {t.get_gid()[6:]: t.get_text().replace("\n", " ") for t in ax.texts if (t.get_gid() or "").startswith("label:")}
        for council in ("Reading", "Wokingham", "Bracknell Forest", "West Berkshire"):
            assert shown[names[council]] == council  # written out in full, not abbreviated


def test_cartogram_keeps_geography_roughly() -> None:
    eng = rcc.datasets.england().councils
    layout = grid_layout(eng).merge(eng[["council_id", "lat", "lon"]])
    assert np.corrcoef(layout.col, layout.lon)[0, 1] > 0.9
    assert np.corrcoef(layout.row, layout.lat)[0, 1] > 0.9


def test_cartogram_rejects_bad_centroids() -> None:
    bad = pd.DataFrame({"council_id": ["A", "B"], "lat": [51.0, np.nan], "lon": [0.0, 1.0]})
    with pytest.raises(rcc.InvalidInputError, match="lat"):
        grid_layout(bad)


# ------------------------------------------------------------------ a sufficiency plan, a comparison, a forecast


def test_sufficiency_timeline_and_spend(gm_suff) -> None:
    ax = gm_suff.plot.timeline()
    per_year = gm_suff.builds.groupby("year_started").places.sum().reindex(range(1, gm_suff.years + 1), fill_value=0)
    heights = np.zeros(gm_suff.years)
    for p in ax.patches:
        heights[int(round(p.get_x() + p.get_width() / 2)) - 1] += p.get_height()
    assert heights == pytest.approx(per_year.to_numpy(dtype=float))
    assert len(ax.get_legend().get_texts()) == gm_suff.builds.name.nunique()
    ax = gm_suff.plot.spend()
    capital = sorted(p.get_height() for p in ax.patches if p.get_facecolor()[:3] == mpl.colors.to_rgb("#0072B2"))
    assert capital == pytest.approx(sorted(gm_suff.costs.capital_gbp / 1e6))
    limits = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(limits) == len(gm_suff.budget_use)
    assert limits[0].get_ydata()[0] == pytest.approx(gm_suff.budget_use.limit_gbp.iloc[0] / 1e6)


def test_sufficiency_children_per_year_is_the_suppressed_release(gm_suff) -> None:
    ax = gm_suff.plot.children(suppress_below=5)
    by_year = sufficiency_tables(gm_suff)["by_year"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"year {y}" for y in range(1, gm_suff.years + 1)]
    totals = [t.get_text().strip() for t in ax.texts if t.get_gid() == "total-label"]
    assert totals == [C if v == C else f"{float(v):,.0f}" for v in by_year.children]
    ax = gm_suff.plot.distance_bands(suppress_below=5)
    assert len([p for p in ax.patches if p.get_gid() in ("value", C)]) == 5 * gm_suff.years
    plt.close("all")
    true = gm_suff.plot.children()  # the default: true counts, every total a number
    assert [t.get_text().strip() for t in true.texts if t.get_gid() == "total-label"] == [
        f"{float(v):,.0f}" for v in sufficiency_tables(gm_suff, suppress_below=0)["by_year"].children]
    assert _integer_ticks(true.xaxis)


def test_comparison_plot_puts_scenarios_side_by_side(gm_cmp) -> None:
    ax = gm_cmp.plot(suppress_below=5)
    by = comparison_tables(gm_cmp)["by_scenario"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [s.name for s in gm_cmp.scenarios] == by.scenario.tolist()
    widths = sorted(p.get_width() for p in ax.patches if p.get_gid() == "value")
    shown = sorted(float(v) for r in by.itertuples() for v in (r.placed_inside_own_council, r.placed_outside_own_council, r.unmet)
                   if v != C and float(v) > 0)
    assert widths == pytest.approx(shown)
    fig, own = plt.subplots()
    assert gm_cmp.plot(ax=own) is own
    assert len([p for p in gm_cmp.plot.distance_bands().patches if p.get_gid() in ("value", C)]) == 5 * len(gm_cmp.scenarios)


def test_comparison_plot_explains_its_scenarios_and_keeps_title_clear(gm_cmp) -> None:
    """The default chart: true counts, every scenario code explained under it (from the glossary), the
    title clear of the axis label, whole-number ticks."""
    from rcc.core.glossary import GLOSSARY

    ax = gm_cmp.plot()
    by = comparison_tables(gm_cmp, suppress_below=0)["by_scenario"]
    totals = [t.get_text() for t in ax.texts if t.get_gid() == "total-label"]
    assert totals == [f"{float(v):,.0f}" for v in by.children] and C not in totals
    (caption,) = [t.get_text() for t in ax.texts if t.get_gid() == "caption"]
    flat = " ".join(caption.split())
    for s in gm_cmp.scenarios:
        assert s.name in flat and " ".join(GLOSSARY[s.name].meaning.split()[:6]) in flat
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    parts = [ax.title, ax.xaxis.label, ax.get_legend(), *[t for t in ax.texts if t.get_gid() in ("caption", "note")]]
    boxes = [a.get_window_extent(r) for a in parts]
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    assert _integer_ticks(ax.xaxis)


def test_plots_reject_a_bad_threshold(gm) -> None:
    _, plan = gm
    for bad in (-1, 2.5, "5", True):
        with pytest.raises(rcc.InvalidInputError, match="suppress_below"):
            plan.plot.by_council(suppress_below=bad)


def test_spend_legend_is_clear_of_every_drawn_line(gm_suff) -> None:
    ax = gm_suff.plot.spend()
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(r)
    for line in ax.get_lines():
        pts = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
        if line.get_transform().contains_branch(ax.transAxes):  # axhline: x in axes fraction
            pts = ax.transAxes.transform([[0, 0], [1, 0]]) + [0, pts[0, 1] - ax.transAxes.transform([[0, 0]])[0, 1]]
        xs = np.linspace(pts[:, 0].min(), pts[:, 0].max(), 200)
        ys = np.interp(xs, pts[:, 0], pts[:, 1]) if len(pts) > 1 else np.full(200, pts[0, 1])
        inside = (xs > legend.x0) & (xs < legend.x1) & (ys > legend.y0) & (ys < legend.y1)
        assert not inside.any(), line.get_label()
    assert _integer_ticks(gm_suff.plot.timeline().yaxis)


def test_plot_forecast_draws_history_forecast_and_band() -> None:
    years = [2024, 2025, 2026]
    fc = pd.DataFrame({
        "year": years * 2, "children": [10, 11, 12, 20, 21, 22],
        "children_expected": [10.0, 11.2, 12.1, 20.0, 20.8, 22.3],
        "children_p10": [10, 9, 9, 20, 18, 18], "children_p90": [10, 13, 15, 20, 24, 26],
    })
    ax = rcc.plot_forecast(fc)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines["forecast (expected)"].get_ydata()) == pytest.approx([32.0, 34.4])
    assert list(lines["observed (base year)"].get_xdata()) == [2024]
    assert list(lines["observed (base year)"].get_ydata()) == [30]
    band = ax.collections[0]
    assert "summed" in band.get_label()
    with pytest.raises(rcc.InvalidInputError):
        rcc.plot_forecast(pd.DataFrame({"year": [1]}))


def test_forecast_plot_is_the_forecast_chart_and_pandas_with_arguments() -> None:
    gm = rcc.datasets.england("Greater Manchester RCC")
    fc = rcc.forecast_from_region(gm, years=3)
    ax = fc.plot()  # rcc's chart: the expected children per year
    totals = fc.groupby("year").children.sum()
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("forecast")]
    assert list(line.get_xdata()) == list(totals.index)
    assert list(line.get_ydata()) == pytest.approx(list(totals))
    plt.close("all")
    ax = fc.plot(x="year", y="children", kind="scatter")  # with pandas' arguments: pandas' plot
    assert len(ax.collections[0].get_offsets()) == len(fc)
    ax = fc.plot.hist(y="children")
    assert len(ax.patches) == 10  # pandas' default bins
    plt.close("all")


# ------------------------------------------------------------------ the accessors and the optional dependency


def test_accessors_are_registered_from_the_report_layer(gm, gm_suff, gm_cmp) -> None:
    assert isinstance(rcc.Plan.__dict__["plot"], Accessor)
    assert type(gm[1].plot).__name__ == "PlanPlots"
    assert type(gm_suff.plot).__name__ == "SufficiencyPlots"
    assert type(gm_cmp.plot).__name__ == "ComparisonPlots"

    class Lone:
        plot = Accessor("nothing-registered")

    with pytest.raises(ImportError, match="rcc.report"):
        Lone().plot  # noqa: B018


def test_without_matplotlib_a_chart_says_how_to_install_it(gm, monkeypatch) -> None:
    _, plan = gm
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plan.plot.distance_bands()


def test_without_matplotlib_the_report_has_its_tables(gm, monkeypatch, tmp_path) -> None:
    _, plan = gm
    report_tables(plan)  # the audit first, with matplotlib importable or not
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    doc = rcc.write_html(plan, tmp_path / "r.html").read_text()
    assert "<svg" not in doc and 'charts need matplotlib (pip install matplotlib)' in doc
    assert "<table>" in doc


# ------------------------------------------------------------------ layout: labels and flow lines clear of each other


def _label_boxes(ax) -> tuple[list, object, object]:
    """Window extents of the value labels, the title and the legend, after a full draw (Agg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.figure
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "value-label"]
    legend = ax.get_legend()
    return labels, ax.title.get_window_extent(renderer), None if legend is None else legend.get_window_extent(renderer)


def _assert_labels_clear(ax, expect_labels: bool = True) -> None:
    labels, title, legend = _label_boxes(ax)
    assert bool(labels) == expect_labels
    box = ax.get_window_extent()
    for a in labels:  # inside the axes, with 10% of a label's height to spare (a browser's font)
        assert a.x0 >= box.x0 - 0.5 and a.x1 <= box.x1 + 0.5 and a.y0 >= box.y0 and a.y1 + 0.1 * a.height <= box.y1, (a, box)
    for a, b in itertools.combinations(labels, 2):
        assert not _overlap(a, b), (a, b)
    for a in labels:
        assert not _overlap(a, title)
        assert legend is None or not _overlap(a, legend)


def _html_axes(size=(9.0, 3.8)):
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained").add_subplot()


def test_distance_band_labels_never_overlap_gm(gm, gm_cmp) -> None:
    _, plan = gm
    greedy = rcc.plan(plan.region, rcc.PlanParams(method="greedy"))
    _assert_labels_clear(plan.plot.distance_bands(_html_axes(), compare_with=greedy))
    _assert_labels_clear(gm_cmp.plot.distance_bands(_html_axes()))  # four scenarios: labels upright
    _assert_labels_clear(gm_cmp.plot.distance_bands(_html_axes((5.0, 3.0))))  # a narrow chart
    _assert_labels_clear(gm_cmp.plot.distance_bands(_html_axes((9.0, 2.4))))  # a short one: the axis rises to fit


@pytest.mark.parametrize("scenarios, scale", [(7, 60_000), (7, 900_000), (12, 60_000)])
def test_distance_band_labels_never_overlap_england_shapes(scenarios: int, scale: int) -> None:
    """England's comparison: every standard scenario (7) with England's counts, and more scenarios than
    labels can take (then the labels are left out and the chart says the values are in the table)."""
    from rcc.report import charts

    rng = np.random.default_rng(scenarios)
    share = np.array([0.55, 0.2, 0.15, 0.08, 0.02])
    series = [(f"scenario_{j}", [int(v) for v in rng.uniform(0.8, 1.0, 5) * scale * share], charts.PALETTE[j % 8])
              for j in range(scenarios)]
    series[0][1][2] = C  # a suppressed band
    ax = charts.grouped_bars(_html_axes(), ["0-5", "5-10", "10-20", "20-50", "50+"], series, "Children placed", "children")
    _assert_labels_clear(ax, expect_labels=scenarios <= 7)
    if scenarios > 7:
        assert "see the table" in _note(ax)


def _path_points(patch) -> np.ndarray:
    """Points along a drawn arrow's path (its curves and lines sampled, the head included), data coordinates."""
    return np.concatenate([np.array([bz(t) for t in np.linspace(0, 1, 60)]).reshape(-1, 2)
                           for bz, _ in patch.get_path().iter_bezier()])


def _crossings(ax) -> tuple[list[tuple[str, str]], int]:
    """(flow, square) pairs where a flow line, sampled along its drawn path, enters the interior of
    another council's square; and the number of flows drawn."""
    cells = {p.get_gid()[5:]: p for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("cell:")}
    out, n = [], 0
    for p in ax.patches:
        gid = p.get_gid() or ""
        if not gid.startswith("flow:"):
            continue
        n += 1
        a, b = gid.split(":")[1].split(">")
        pts = _path_points(p)
        for cid, r in cells.items():
            x0, y0 = r.get_x(), r.get_y()
            inside = (pts[:, 0] > x0) & (pts[:, 0] < x0 + r.get_width()) & (pts[:, 1] > y0) & (pts[:, 1] < y0 + r.get_height())
            if cid not in (a, b) and inside.any():
                out.append((gid, cid))
    return out, n


@pytest.mark.parametrize("threshold", [5, 0])
def test_gm_flow_lines_never_cross_another_councils_square(gm, threshold: int) -> None:
    _, plan = gm
    ax = plan.plot.flows(suppress_below=threshold)  # 0: every flow drawn (26 for GM)
    ax.figure.canvas.draw()
    crossing, n = _crossings(ax)
    assert n >= (4 if threshold else 20)
    assert crossing == []
    assert not any((p.get_gid() or "").endswith(":beneath") for p in ax.patches)  # GM needs no flow beneath the squares


def test_south_east_flow_lines_go_around_squares_and_stay_in_the_picture() -> None:
    """A dense cartogram (19 councils, 58 flows when every one is drawn): arcs where one clears,
    lines along the gutters between squares where none does; none beneath a square, none outside."""
    plan = rcc.plan(rcc.datasets.england("South East RCC", seed=0))
    ax = plan.plot.flows(suppress_below=0)
    ax.figure.canvas.draw()
    crossing, n = _crossings(ax)
    gids = [p.get_gid() or "" for p in ax.patches if (p.get_gid() or "").startswith("flow:")]
    assert n > 40 and crossing == []
    assert any(g.endswith(":gutter") for g in gids) and not any(g.endswith(":beneath") for g in gids)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for p in ax.patches:
        if (p.get_gid() or "").startswith("flow:"):
            v = _path_points(p)
            assert (v[:, 0] >= x0 - 0.05).all() and (v[:, 0] <= x1 + 0.05).all(), p.get_gid()
            assert (v[:, 1] >= y0 - 0.05).all() and (v[:, 1] <= y1 + 0.05).all(), p.get_gid()


def test_flow_routes_around_a_square_in_the_way() -> None:
    from rcc.report.cartogram import arc_points, route

    rad = route((0.0, 0.0), (2.0, 0.0), [(1.0, 0.0)])  # a square between the two ends
    assert rad is not None and abs(rad) >= 0.35
    pts = arc_points((0.0, 0.0), (2.0, 0.0), rad)
    assert (np.abs(pts - [1.0, 0.0]).max(axis=1) > 0.45).all()
    assert route((0.0, 0.0), (2.0, 0.0), [(1.0, y) for y in np.arange(-4, 5)]) is None  # a wall: no curve clears it
    assert route((0.0, 0.0), (2.0, 0.0), [(1.0, 0.0)], box=(-0.6, -0.3, 2.6, 0.3)) is None  # no room to curve inside


def test_gutter_route_runs_between_squares() -> None:
    from rcc.report.cartogram import gutter_route

    wall = {(1, y) for y in range(-2, 3)}  # a column of squares between (0, 0) and (2, 0), open above and below
    line = gutter_route((0, 0), (2, 0), wall)
    assert line is not None
    pts = np.concatenate([np.linspace(p, q, 20) for p, q in zip(line[:-1], line[1:])])
    for cx, cy in wall:
        assert (np.abs(pts - [cx, cy]).max(axis=1) >= 0.45 - 1e-9).all()
    assert np.abs(line[0] - [0, 0]).max() == pytest.approx(0.45) and np.abs(line[-1] - [2, 0]).max() == pytest.approx(0.45)


def test_comparison_plot_of_own_scenarios_uses_their_descriptions(tiny) -> None:
    """Scenario names of the user's own (not in the glossary) are explained by their descriptions."""
    cmp = rcc.compare(tiny, [rcc.Scenario("alone"), rcc.Scenario("pooled", "national", description="one pool for all")])
    ax = cmp.plot()
    (caption,) = [t.get_text() for t in ax.texts if t.get_gid() == "caption"]
    assert "pooled: one pool for all" in caption and "alone: " in caption
