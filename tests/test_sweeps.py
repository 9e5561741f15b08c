"""Monte Carlo sweeps: seeded draws, identical on every executor."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcc
from rcc.analysis.scenarios import Scenario, single_thread
from rcc.analysis.sweeps import SWEEP_METRICS, DrawSolver, draw_demand, sweep, sweep_summary
from rcc.core.errors import InvalidInputError
from rcc.testing import strategies as rst


@pytest.fixture(scope="module")
def small() -> rcc.Region:
    gm = rcc.datasets.england("Greater Manchester RCC", today=False)  # draws below today's placements
    return gm.subset(gm.council_ids[:3], name="three GM councils")


def test_draws_depend_only_on_seed_and_draw() -> None:
    mean = np.array([0, 1, 5, 40, 200])
    a = draw_demand(mean, seed=9, draw=3)
    assert np.array_equal(a, draw_demand(mean, 9, 3))
    assert not np.array_equal(a, draw_demand(mean, 9, 4))
    # the k-th child of SeedSequence(seed).spawn(n)
    child = np.random.SeedSequence(9).spawn(5)[3]
    assert np.array_equal(a, np.random.default_rng(child).poisson(mean.astype(float)))
    assert a[0] == 0


def test_draw_distributions() -> None:
    mean = np.full(20_000, 30)
    pois = np.concatenate([draw_demand(mean, 1, k) for k in range(3)])
    assert abs(pois.mean() - 30) < 0.2 and abs(pois.var() - 30) < 1.5
    nb = np.concatenate([draw_demand(mean, 1, k, dispersion=10.0) for k in range(3)])
    assert abs(nb.mean() - 30) < 0.3
    assert abs(nb.var() - 30 * (1 + 30 / 10)) < 6  # var = mu (1 + mu / r)
    floor = np.full(20_000, 29)
    assert (draw_demand(mean, 1, 0, floor=floor) >= 29).all()
    with pytest.raises(InvalidInputError):
        draw_demand(mean, 1, 0, dispersion=0.0)


def test_sweep_table(small: rcc.Region) -> None:
    df = sweep(small, 6, seed=2, executor="serial", progress=False)
    assert list(df.columns) == ["draw", *SWEEP_METRICS, "status"]
    assert df.draw.tolist() == list(range(6))
    assert (df.status == "optimal").all()
    np.testing.assert_array_equal(df.placed + df.unmet, df.children)
    np.testing.assert_array_equal(df[[c for c in df.columns if c.startswith("unmet_")]].sum(axis=1), df.unmet)
    # draws vary around the region's demand
    total = int(small.cohorts.children.sum())
    assert df.children.nunique() > 1
    assert abs(df.children.mean() - total) < 4 * np.sqrt(total)
    # the first draw is the plan of the drawn region
    n = draw_demand(small.cohorts.children.to_numpy(), 2, 0)
    plan = rcc.plan(small.replace(cohorts=small.cohorts.assign(children=n)))
    assert df.unmet[0] == plan.metrics.unmet
    assert df.objective[0] == pytest.approx(plan.objective, rel=1e-9)
    s = sweep_summary(df)
    assert s.loc["children", "mean"] == pytest.approx(df.children.mean())
    assert {"mean", "std", "p5", "p50", "p95"} <= set(s.columns)


def test_batching_does_not_change_results(small: rcc.Region) -> None:
    a = sweep(small, 7, seed=4, executor="serial", batch_size=1, progress=False, warm_chunk=3)
    b = sweep(small, 7, seed=4, executor="serial", batch_size=7, progress=False, warm_chunk=3)
    c = sweep(small, 7, seed=4, executor="serial", batch_size=2, progress=False, warm_chunk=3)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_warm_draws_have_the_cold_optimum(small: rcc.Region) -> None:
    """Warm draws re-solve one model per chunk: a chunk's first draw is rcc.plan's row exactly; every
    draw's objective is the cold solve's to 1e-9 relative (ties may give another optimal plan)."""
    gm = rcc.datasets.england("Greater Manchester RCC", today=False)  # draws below today's placements
    for region, seed in ((small, 11), (gm, 12)):
        cold = sweep(region, 9, seed=seed, executor="serial", progress=False, warm_chunk=None)
        warm = sweep(region, 9, seed=seed, executor="serial", progress=False, warm_chunk=4)
        np.testing.assert_allclose(warm.objective, cold.objective, rtol=1e-9, atol=0)
        assert (warm.status == "optimal").all()
        pd.testing.assert_series_equal(warm.children, cold.children)
        first = warm.draw % 4 == 0
        pd.testing.assert_frame_equal(warm[first], cold[first], check_exact=True)
    # warm on one model over the whole network (PlanParams(split_network=False)): the same optima
    split = sweep(gm, 6, seed=12, params=rcc.PlanParams(split_network=False), executor="serial", progress=False,
                  warm_chunk=3)
    np.testing.assert_allclose(split.objective, cold.objective[:6], rtol=1e-9, atol=0)
    # the first draw of a chunk is solved cold whatever ran before in this process
    solver = DrawSolver(small, single_thread(None))
    mean = small.cohorts.children.to_numpy()
    demand = lambda k: draw_demand(mean, 3, k)  # noqa: E731
    whole = solver.rows(range(8), demand, 4)
    assert solver.rows([5, 6], demand, 4) == whole[5:7]  # a batch from the middle of a chunk: its start solved first
    assert solver.rows([4], demand, 4) == whole[4:5]
    assert solver.rows(range(3), demand, None) == [solver.row(demand(k), k) for k in range(3)]
    with pytest.raises(InvalidInputError):
        sweep(small, 2, executor="serial", progress=False, warm_chunk=0)


def test_process_pool_equals_serial(small: rcc.Region, capsys: pytest.CaptureFixture[str]) -> None:
    serial = sweep(small, 12, seed=5, executor="serial", progress=False, warm_chunk=3)
    pooled = sweep(small, 12, seed=5, executor="process", batch_size=2, progress=True, warm_chunk=3)
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)
    assert "12/12" in capsys.readouterr().err  # progress shown
    # any concurrent.futures executor
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        given = sweep(small, 12, seed=5, executor=ex, batch_size=5, progress=False, warm_chunk=3)
    pd.testing.assert_frame_equal(serial, given, check_exact=True)


def test_scenario_sweep(small: rcc.Region) -> None:
    ids = small.council_ids
    sc = Scenario("pathfinder", "pathfinder_only", ids[:2], growth_by_need={"all": 0.2}, rcc_incentive=5.0)
    a = sweep(small, 5, seed=1, scenario=sc, executor="serial", progress=False, warm_chunk=2)
    b = sweep(small, 5, seed=1, scenario=sc, executor="process", batch_size=2, progress=False, warm_chunk=2)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # cold draws of a scenario are rcc.plan's rows on the prepared scenario region, to the last bit
    cold = sweep(small, 5, seed=1, scenario=sc, executor="serial", progress=False, warm_chunk=None)
    base = sc.apply(small)
    from rcc.allocation.engine import prepare_allocation
    from rcc.analysis.sweeps import sweep_row

    prep = prepare_allocation(base, single_thread(None), sc)

    ref = [sweep_row(rcc.plan(prep.with_children(draw_demand(base.cohorts.children.to_numpy(), 1, k)), scenario=sc), k)
           for k in range(5)]
    pd.testing.assert_frame_equal(cold, pd.DataFrame(ref, columns=cold.columns), check_exact=True)
    np.testing.assert_allclose(a.objective, cold.objective, rtol=1e-9, atol=0)
    plain = sweep(small, 5, seed=1, executor="serial", progress=False)
    assert (a.children > plain.children).mean() >= 0.8  # draws around the grown demand


def test_dask_cluster_equals_serial(small: rcc.Region) -> None:
    distributed = pytest.importorskip("distributed")
    serial = sweep(small, 10, seed=8, executor="serial", progress=False, warm_chunk=3)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        on_dask = sweep(small, 10, seed=8, executor=client.get_executor(), batch_size=3, progress=False, warm_chunk=3)
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)


def test_bad_arguments(small: rcc.Region) -> None:
    with pytest.raises(InvalidInputError):
        sweep(small, 0, executor="serial")
    with pytest.raises(InvalidInputError):
        sweep(small, 2, executor="threads-please", progress=False)


# --- the prepared draw engine (DrawSolver): rcc.plan's numbers, to the last bit ---------------------------


def _plan_row(region: rcc.Region, demand: np.ndarray, draw: int, params: rcc.PlanParams) -> dict:
    """The sweep row of the drawn region through rcc.plan and Plan.metrics (the reference)."""
    from rcc.analysis.sweeps import sweep_row

    return sweep_row(rcc.plan(region.replace(cohorts=region.cohorts.assign(children=demand)), params), draw)


def _assert_rows_equal(fast: list[dict], slow: list[dict]) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(fast), pd.DataFrame(slow), check_exact=True)


@settings(max_examples=30, deadline=None)
@given(
    st.one_of(rst.regions(max_homes=10), rst.held_regions(max_homes=10), rst.feasible_regions()),
    st.integers(0, 2**31 - 1),
    st.booleans(),
)
def test_draw_rows_equal_plan_metrics(region: rcc.Region, seed: int, hold: bool) -> None:
    params = single_thread(rcc.PlanParams(hold_current=hold, pricing_radius_miles=5.0))
    solver = DrawSolver(region, params)
    held = region.placements.groupby("cohort_id").children.sum().reindex(region.cohorts.cohort_id, fill_value=0)
    mean = region.cohorts.children.to_numpy()
    fast, slow = [], []
    for k in range(3):  # one solver, several draws: nothing of a draw leaks into the next
        n = draw_demand(mean, seed, k, floor=held.to_numpy())
        fast.append(solver.row(n, k))
        slow.append(_plan_row(region, n, k, params))
    _assert_rows_equal(fast, slow)


def test_draw_rows_equal_plan_metrics_greater_manchester() -> None:
    gm = rcc.datasets.england("Greater Manchester RCC", today=False)  # draws below today's placements
    params = single_thread(None)
    solver = DrawSolver(gm, params)
    mean = gm.cohorts.children.to_numpy()
    draws = [draw_demand(mean, 3, k) for k in range(5)] + [np.zeros_like(mean), 3 * mean]  # nobody; far too many
    fast = [solver.row(n, k) for k, n in enumerate(draws)]
    slow = [_plan_row(gm, n, k, params) for k, n in enumerate(draws)]
    _assert_rows_equal(fast, slow)
    assert fast[-1]["unmet"] > 0 and fast[-2]["children"] == 0 and np.isnan(fast[-2]["provider_hhi"])


def test_draw_without_a_plan_raises(small: rcc.Region) -> None:
    # a time limit that stops the solver before it finds any plan: SolverError, as rcc.plan raises (never a row of zeros)
    params = rcc.PlanParams(solver=rcc.SolverOptions(time_limit_s=1e-9, threads=1))
    with pytest.raises(rcc.SolverError):
        rcc.plan(small, params)
    with pytest.raises(rcc.SolverError):
        sweep(small, 2, seed=1, params=params, executor="serial", progress=False)


def test_draw_solver_only_for_highs_optimise(small: rcc.Region) -> None:
    greedy = rcc.PlanParams(method="greedy")
    assert not DrawSolver.supports(greedy)
    with pytest.raises(InvalidInputError):
        DrawSolver(small, greedy)
    # other methods go through rcc.plan: same rows as planning each draw
    df = sweep(small, 3, seed=2, params=greedy, executor="serial", progress=False)
    mean = small.cohorts.children.to_numpy()
    ref = [_plan_row(small, draw_demand(mean, 2, k), k, single_thread(greedy)) for k in range(3)]
    pd.testing.assert_frame_equal(df, pd.DataFrame(ref, columns=df.columns), check_exact=True)


def test_sweep_rows_equal_plan_rows(small: rcc.Region) -> None:
    df = sweep(small, 4, seed=6, executor="serial", progress=False, warm_chunk=None)
    mean = small.cohorts.children.to_numpy()
    ref = [_plan_row(small, draw_demand(mean, 6, k), k, single_thread(None)) for k in range(4)]
    pd.testing.assert_frame_equal(df, pd.DataFrame(ref, columns=df.columns), check_exact=True)


def test_prepared_draws_reused_across_batches_and_released(small: rcc.Region) -> None:
    from rcc.analysis import sweeps

    calls = []
    real = sweeps.DrawSolver.__init__

    def counting(self: DrawSolver, *args: object) -> None:
        calls.append(1)
        real(self, *args)

    sweeps.DrawSolver.__init__ = counting  # type: ignore[method-assign]
    try:
        one = sweep(small, 6, seed=3, executor="serial", batch_size=2, progress=False, warm_chunk=2)
    finally:
        sweeps.DrawSolver.__init__ = real  # type: ignore[method-assign]
    assert len(calls) == 1  # three batches, one preparation
    assert sweeps.prepared_sweeps() == 0  # nothing held after the sweep
    pd.testing.assert_frame_equal(
        one, sweep(small, 6, seed=3, executor="serial", batch_size=6, progress=False, warm_chunk=2), check_exact=True
    )


def _no_child_of_the_first_cohort(model) -> None:
    model.add(model.u[0] >= float(model.region.cohorts.children.iloc[0]))


def test_sweep_with_extra_constraints_plans_each_draw_with_them(small: rcc.Region) -> None:
    """A user's rows hold in every draw (the draws go through rcc.plan, which builds them)."""
    params = rcc.PlanParams(extra_constraints=_no_child_of_the_first_cohort)
    assert not DrawSolver.supports(params)
    df = sweep(small, 3, seed=4, params=params, executor="serial", progress=False)
    mean = small.cohorts.children.to_numpy()
    ref = [_plan_row(small, draw_demand(mean, 4, k), k, single_thread(params)) for k in range(3)]
    pd.testing.assert_frame_equal(df, pd.DataFrame(ref, columns=df.columns), check_exact=True)
    assert (df.unmet >= [draw_demand(mean, 4, k)[0] for k in range(3)]).all()
