"""Interactive charts (plotly, rcc[interactive]): the same numbers as the matplotlib charts, and the CLI's .html chart."""

from __future__ import annotations

import numpy as np
import pytest

from rcc.cli import main
from rcc.core.errors import InvalidInputError
from rcc.forecast import forecast_monthly
from rcc.forecast.synthetic import SyntheticProcess, synthetic_ssda903
from rcc.io.ssda903 import load_ssda903

pytest.importorskip("plotly", reason="rcc[interactive] not installed", exc_type=ImportError)


@pytest.fixture(scope="module")
def one_council():
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=150), years=3, seed=9)
    result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    return forecast_monthly(result, 18, n_sims=20, seed=1)


def _trace(fig, name_start):
    found = [t for t in fig.data if (t.name or "").startswith(name_start)]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def test_forecast_figure_draws_the_totals_and_the_observed_stock(one_council):
    fc = one_council
    fig = fc.plot.interactive()
    tot = fc.attrs["totals"]
    want = tot[tot.placement == "all"].groupby("month")[["children_expected", "children_p10", "children_p90"]].sum()
    expected = _trace(fig, "forecast")
    # the band starts at the last observed month (the lines join), then follows the totals month by month
    np.testing.assert_allclose(np.asarray(expected.y[1:], float), want.children_expected.to_numpy())
    np.testing.assert_allclose(np.asarray(_trace(fig, "p10").y[1:], float), want.children_p10.to_numpy())
    np.testing.assert_allclose(np.asarray(_trace(fig, "p90").y[1:], float), want.children_p90.to_numpy())
    obs = fc[fc.kind == "observed"].groupby("month").children.sum()
    observed = _trace(fig, "observed")
    np.testing.assert_array_equal(np.asarray(observed.y, float), obs.to_numpy(float))
    assert expected.y[0] == obs.iloc[-1]  # joined at the end of the data
    lo, mid, hi = (np.asarray(_trace(fig, n).y, float) for n in ("p10", "forecast", "p90"))
    assert (lo <= mid + 1e-9).all() and (mid <= hi + 1e-9).all() and (lo >= 0).all()
    assert "councils' bands summed" not in _trace(fig, "p10").name  # one council: its own band


def test_forecast_figure_of_one_placement_group_and_bad_choices(one_council):
    fc = one_council
    tot = fc.attrs["totals"]
    group = tot[(tot.placement != "all")].groupby("placement").children_expected.sum().idxmax()
    fig = fc.plot.interactive(placement=group, council="E1")
    want = tot[tot.placement == group].groupby("month").children_expected.sum().to_numpy()
    np.testing.assert_allclose(np.asarray(_trace(fig, "forecast").y[1:], float), want)
    assert group.replace("_", " ") in fig.layout.title.text and "E1" in fig.layout.title.text
    with pytest.raises(InvalidInputError, match="placement"):
        fc.plot.interactive(placement="castle")
    with pytest.raises(InvalidInputError):
        fc.plot.interactive(council="E9")


def test_sufficiency_timeline_matches_the_builds(gm_suff):
    fig = gm_suff.plot.interactive()
    built = gm_suff.builds.groupby("year_started").places.sum()
    drawn: dict[str, float] = {}
    for bar in fig.data:
        for x, y in zip(bar.x, bar.y):
            drawn[x] = drawn.get(x, 0) + y
    assert drawn == {f"year {y}": float(v) for y, v in built.items()}
    assert sum(len(b.x) for b in fig.data) == len(gm_suff.builds.groupby(["name", "year_started"]))
    assert list(fig.layout.xaxis.categoryarray) == [f"year {y}" for y in range(1, gm_suff.years + 1)]  # every year


def test_cli_writes_an_interactive_chart_and_refuses_an_unknown_format(tmp_path, capsys):
    ret = synthetic_ssda903(SyntheticProcess(entries_per_year=100), years=3, seed=2)
    header, episodes = ret.write(tmp_path / "in")
    base = ["forecast", "--ssda903", str(header), str(episodes), "--reference-date", "2025-03-31",
            "--months", "6", "--sims", "5", "--quiet"]
    page = tmp_path / "fc.html"
    assert main([*base, "--chart", str(page)]) == 0
    text = page.read_text()
    assert "<html>" in text[:200] and "plotly" in text and "forecast (expected)" in text
    capsys.readouterr()
    assert main([*base, "--chart", str(tmp_path / "fc.jpg")]) == 2
    err = capsys.readouterr().err
    assert "--chart" in err and ".jpg" in err and not (tmp_path / "fc.jpg").exists()
