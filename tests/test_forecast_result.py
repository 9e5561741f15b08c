"""The monthly forecast as an object: a DataFrame that shows a short card and plots itself (fc.plot())."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import rcc  # noqa: E402
from rcc.core.errors import InvalidInputError  # noqa: E402
from rcc.forecast import MONTHLY_COLUMNS, MonthlyForecast, forecast_monthly  # noqa: E402
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903  # noqa: E402
from rcc.io.ssda903 import load_ssda903  # noqa: E402


@pytest.fixture(scope="module")
def made():
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=200, staying_put=0.5), years=3, seed=8)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    return result, forecast_monthly(result, 15, n_sims=12, seed=2)


def test_it_is_still_the_dataframe_it_was(made):
    result, fc = made
    assert isinstance(fc, MonthlyForecast) and isinstance(fc, pd.DataFrame)
    assert list(fc.columns) == list(MONTHLY_COLUMNS)
    part = fc[fc.kind == "forecast"]
    assert type(part) is pd.DataFrame and type(fc.head()) is pd.DataFrame
    assert type(fc.table) is pd.DataFrame and fc.table.equals(pd.DataFrame(fc))
    assert fc.table.attrs["end"] == fc.attrs["end"]
    assert "children_p90" in fc.to_csv(index=False).splitlines()[0]


def test_its_card_says_status_headline_numbers_and_what_next(made):
    result, fc = made
    text = repr(fc)
    assert text.startswith("<rcc.MonthlyForecast 15 months from 2025-03-31 | status: as estimated>")
    now = len(result.placements)
    assert f"childrenincareon2025-03-31{now:,}" in text.replace(" ", "")
    tot = fc.attrs["totals"].query("placement == 'all'").set_index("month")
    last = tot.loc[tot.index.max()]
    assert f"{round(last.children_expected):,} ({int(last.children_p10):,}-{int(last.children_p90):,})" in text
    assert "staying put" in text and "entry trend" in text and "next: fc.plot()" in text
    html = fc._repr_html_()
    assert "MonthlyForecast" in html and "p10-p90" in html and "as estimated" in html
    assert html.count("<tr>") == len(fc.card().rows)  # the card's rows, not the table's thousands
    scenario = forecast_monthly(result, 3, n_sims=4, adjust=[{"rate": "entries", "multiply": 1.2}],
                                filters={"SEX": ["1", "2"]})
    assert "status: scenario" in repr(scenario) and "only children with SEX" in repr(scenario)


def test_plot_draws_history_forecast_and_band_on_one_axes(made):
    _, fc = made
    ax = fc.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    labels = {line.get_label() for line in ax.get_lines()}
    assert labels == {"forecast (expected)", "observed"}
    assert ax.get_ylim()[0] == 0 and len(ax.collections) == 1  # the band
    plt.close(ax.figure)
    fig, own = plt.subplots()
    assert fc.plot(ax=own, placement="childrens_home", council="E1") is own
    assert "children's home" in own.get_title().replace("childrens", "children's")
    plt.close(fig)
    with pytest.raises(InvalidInputError):
        fc.plot(placement="castle")
    pandas_ax = fc.plot(x="children_p10", y="children_p90", kind="scatter")  # pandas' own plot
    assert isinstance(pandas_ax, matplotlib.axes.Axes)
    plt.close("all")
    assert rcc.report.plot_monthly_total is not None
