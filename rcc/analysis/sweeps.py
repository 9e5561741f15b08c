"""Scenario sweeps: Monte Carlo demand draws, solved in parallel.

:func:`sweep` draws the children of every cohort many times (seeded), plans
each draw and returns one row of metrics per draw. Draw ``k`` uses its own
random stream, ``numpy.random.SeedSequence(seed, spawn_key=(k,))`` (the
``k``-th child of ``SeedSequence(seed).spawn``), so the numbers depend only on
``seed`` and ``k``: not on batching, the number of workers or the executor.

Where the draws run (:mod:`rcc.analysis.parallel`): in this process by
default (``executor="serial"``, as compare and the pooling games), a local
process pool with ``executor="process"`` (``workers``, started with
``spawn``, safe with in-process HiGHS), or on any
:class:`concurrent.futures.Executor`, e.g. a Dask cluster::

    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        draws = rcc.sweep(region, 200, seed=1, executor=client.get_executor())

Workers receive plain data (the region's tables, the params and the draw
numbers), rebuild the region and the model themselves (PuLP models cannot be
pickled) and use one solver thread each. Scripts that use a process pool
need the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import concurrent.futures as cf
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.allocation.classes import held_pairs, split_held_flows
from rcc.allocation.engine import optimise_edges, prepare_allocation, rule_edges
from rcc.allocation.engine import plan as rcc_plan
from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.pricing import WarmStart
from rcc.allocation.result import Plan
from rcc.analysis.parallel import DEFAULT_EXECUTOR, batches, from_payload, run_tasks, single_thread, to_payload
from rcc.analysis.rules import Scenario
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region
from rcc.core.schema import NEEDS

__all__ = ["SWEEP_METRICS", "WARM_CHUNK", "DrawSolver", "draw_demand", "prepared_sweeps", "sweep", "sweep_row", "sweep_summary"]

#: Columns of :func:`sweep` after ``draw``.
SWEEP_METRICS: tuple[str, ...] = (
    "children",
    "placed",
    "unmet",
    "pct_within_20_miles",
    "pct_inside_own_council",
    "mean_distance_miles",
    "weekly_cost_gbp",
    "utilisation_pct",
    "provider_hhi",
    "objective",
    *(f"unmet_{n}" for n in NEEDS),
)


#: Draws per warm chunk of :func:`sweep` (its default ``warm_chunk``).
WARM_CHUNK = 16


def draw_demand(
    children: np.ndarray, seed: int, draw: int, dispersion: float | None = None, floor: np.ndarray | None = None
) -> np.ndarray:
    """Children of each cohort in draw ``draw``.

    Poisson around the cohort's children (``dispersion=None``), or negative
    binomial with mean ``children`` and variance ``children (1 + children /
    dispersion)`` (a gamma-Poisson mixture: smaller ``dispersion``, wilder
    years). ``floor`` (children already placed, held in place) bounds each
    draw from below.

    >>> draw_demand(np.array([10, 0, 3]), seed=1, draw=0).tolist() == draw_demand(np.array([10, 0, 3]), 1, 0).tolist()
    True
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(draw),)))
    mean = np.asarray(children, dtype=float)
    if dispersion is not None:
        if not dispersion > 0:
            raise InvalidInputError("sweep", None, "dispersion", "a number > 0 (or None for Poisson)", dispersion)
        mean = rng.gamma(shape=dispersion, scale=np.where(mean > 0, mean / dispersion, 0.0))
    out = rng.poisson(mean).astype(np.int64)
    if floor is not None:
        out = np.maximum(out, np.asarray(floor, dtype=np.int64))
    return out


def sweep_row(plan: Plan, draw: int) -> dict[str, Any]:
    """The sweep row of a plan: ``draw``, the metrics of :data:`SWEEP_METRICS` and ``status``
    (the row :func:`sweep` gives for a draw planned by :func:`rcc.plan`)."""
    m = plan.metrics
    row: dict[str, Any] = {"draw": int(draw)}
    for k in SWEEP_METRICS:
        if k == "objective":
            row[k] = float(plan.objective) if plan.objective is not None else np.nan
        elif k.startswith("unmet_"):
            s = plan.shortfall
            row[k] = float(s.children[s.need == k[6:]].sum())
        else:
            row[k] = float(m[k])
    row["status"] = plan.status.value
    return row


class DrawSolver:
    """Sweep rows of demand draws of one region: :func:`rcc.plan`'s numbers, prepared once.

    Homes, edges and costs do not change between draws, only the cohorts'
    children: the homes are merged into classes (:func:`rcc.allocation.engine.aggregate_homes`),
    the class edges and their costs built once; each draw runs the same
    allocation engine as :func:`rcc.plan` (:func:`rcc.allocation.engine.optimise_edges`:
    the same HiGHS model, columns and pricing rounds, so the same plan) and
    reads its metrics from arrays (flows per class edge, shared among homes as
    :func:`rcc.allocation.classes.split_held_flows` does, distances, costs and provider
    groups) instead of building the Plan's tables. Every number of a row
    :meth:`row` solves cold equals the one :func:`rcc.plan` and
    :attr:`rcc.Plan.metrics` give for the drawn region, to the last bit;
    :meth:`rows` re-solves one model within chunks of draws (warm: the same
    optimal value, ties possibly broken otherwise; see :func:`sweep`'s
    ``warm_chunk``). A draw without a plan raises :class:`rcc.SolverError`,
    as :func:`rcc.plan` does.

    Only the HiGHS optimiser runs here (``params.method == "optimise"``,
    ``params.solver.name == "highs"``); check :meth:`supports`.

    Parameters
    ----------
    region : Region
        Its cohorts' children are replaced by each draw's (a scenario already applied).
    params : PlanParams
    scenario : Scenario, optional
        Its pooling rules and incentives act on the class edges, as in
        ``rcc.plan(prepare_allocation(region, params, scenario), scenario=scenario)``
        (:func:`rcc.allocation.engine.rule_edges`); the row's ``objective`` then
        includes the incentives, as that plan's does.

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> three = gm.subset(gm.council_ids[:3])
    >>> solver = DrawSolver(three, rcc.PlanParams())
    >>> row = solver.row(three.cohorts.children.to_numpy(), draw=0)
    >>> row["placed"] == rcc.plan(three).metrics["placed"], row["status"]
    (np.True_, 'optimal')
    """

    def __init__(self, region: Region, params: PlanParams, scenario: Scenario | None = None) -> None:
        if not self.supports(params):
            raise InvalidInputError("sweep", None, "params", "method 'optimise' with solver 'highs'", params.method)
        prep = prepare_allocation(region, params, scenario)  # rcc.plan's steps 1 and 2: the same classes and edges
        ruled = rule_edges(prep, scenario)
        region = prep.region
        self.region, self.params, self.scenario = region, params, scenario is not None
        self.classes, self.home_class, self.edges = prep.classes, prep.home_class, ruled.edges
        self.held = held_pairs(region, self.home_class, self.edges)  # held children stay in their own homes
        self.cost = edge_costs(self.edges, params) if scenario is None else ruled.cost
        self.cap = self.edges.cap.to_numpy(dtype=float)
        self.unmet_cost = unmet_costs(region, params)
        homes = region.homes
        self.places = homes.places.to_numpy()
        self.total_places = float(homes.places.sum())
        e = self.edges
        self.edge_class = e.home.to_numpy()
        self.distance = e.distance_miles.to_numpy()
        self.within_20 = e.distance_miles.to_numpy() <= 20.0
        self.inside = e.inside_own_council.to_numpy().astype(bool)
        self.weekly_cost = e.weekly_cost_gbp.to_numpy()
        # provider group of each home, numbered in sorted order (as a groupby sorts them); -1 without one
        group = homes.provider_id.map(region.providers.set_index("provider_id").group)
        known = group.notna().to_numpy()
        names, codes = np.unique(group[known].to_numpy(dtype=object).astype(str), return_inverse=True)
        self.group = np.full(len(homes), -1, dtype=np.int64)
        self.group[known] = codes
        self.n_groups = len(names)
        need = region.cohorts.need.to_numpy(dtype=object)
        self.need_mask = {n: need == n for n in NEEDS}
        self._warm: WarmStart | None = None
        self._next = -1  # the draw a warm model is ready for

    @staticmethod
    def supports(params: PlanParams) -> bool:
        """Whether draws under ``params`` can run here (else through :func:`rcc.plan`): the HiGHS
        optimiser without a user's ``extra_constraints``."""
        return (
            params.method == "optimise" and params.solver.name == "highs"
            and params.extra_constraints is None and not params.extra_rows
        )

    def rows(self, draws: Sequence[int], demand: Callable[[int], np.ndarray], chunk: int | None) -> list[dict[str, Any]]:
        """The sweep rows of ``draws`` (``demand(k)``: children per cohort of draw ``k``), warm within chunks.

        Draws ``c * chunk`` to ``(c + 1) * chunk - 1`` are one chunk: its first draw is solved cold (the
        plan :func:`rcc.plan` gives), each further one from the model and basis the previous draw of the
        chunk left (:class:`rcc.allocation.pricing.WarmStart`). A draw whose predecessors in its chunk did
        not just run here has them solved first, so a row depends only on the draw and ``chunk``: not on
        which draws a batch holds, their worker or the executor. ``chunk`` None or 1: every draw cold.
        """
        out = []
        for k in draws:
            if not chunk or chunk <= 1:
                out.append(self.row(demand(k), k))
                continue
            start = k - k % chunk
            if k % chunk == 0 or self._next != k:  # a chunk starts here (or its earlier draws ran elsewhere)
                self._warm = WarmStart()
                for j in range(start, k):
                    self.row(demand(j), j, self._warm)
            out.append(self.row(demand(k), k, self._warm))
            self._next = k + 1
        return out

    def row(self, demand: np.ndarray, draw: int, warm: WarmStart | None = None) -> dict[str, Any]:
        """The sweep row (``draw``, :data:`SWEEP_METRICS`, ``status``) of the region with ``demand`` children
        per cohort; solved cold (as :func:`rcc.plan`), or from the model ``warm`` holds (and leaves there)."""
        demand = np.asarray(demand)
        class_flow, unmet, _, status = optimise_edges(
            self.classes, self.edges, self.params, demand.astype(float), self.cost, self.unmet_cost, self.cap, warm=warm
        )
        edge, home, take, _ = split_held_flows(self.home_class, self.places, self.edge_class, class_flow, self.held)
        flow = take.astype(float)
        if self.scenario:  # as rcc.plan sums it: over the class edges with a scenario, the home edges without
            objective = float(self.cost @ class_flow + self.unmet_cost @ unmet)
        else:
            objective = float(self.cost[edge] @ flow + self.unmet_cost @ unmet)
        placed = float(take.sum())
        missing = float(unmet.astype(np.int64).sum())
        group = self.group[home]
        by_group = np.bincount(group[group >= 0], weights=take[group >= 0], minlength=self.n_groups)
        by_group = by_group[by_group > 0]  # groups with children, sorted by name (a groupby's rows)
        tot = by_group.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            placed_ = np.float64(placed)
            row: dict[str, Any] = {
                "draw": int(draw),
                "children": placed + missing,
                "placed": placed,
                "unmet": missing,
                "pct_within_20_miles": float(100 * np.float64((take * self.within_20[edge]).sum()) / placed_),
                "pct_inside_own_council": float(100 * np.float64((take * self.inside[edge]).sum()) / placed_),
                "mean_distance_miles": float((take * self.distance[edge]).sum() / placed_),
                "weekly_cost_gbp": float((take * self.weekly_cost[edge]).sum()),
                "utilisation_pct": float(100 * placed_ / self.total_places) if self.total_places else np.nan,
                "provider_hhi": float(((by_group / tot) ** 2).sum() * 10_000) if tot else np.nan,
                "objective": objective,
            }
        whole = unmet.astype(np.int64)
        for n, mask in self.need_mask.items():
            row[f"unmet_{n}"] = float(whole[mask].sum())
        row["status"] = status.value
        return row


#: The prepared draws of the sweep this process served last: token -> (DrawSolver, mean, floor).
#: Later batches of the same sweep in the same process (serial runs, pool and Dask workers) reuse it.
_PREPARED: dict[str, tuple[DrawSolver, np.ndarray, np.ndarray]] = {}


def prepared_sweeps() -> int:
    """How many sweeps' prepared draws this process holds (0 once every sweep it ran has returned)."""
    return len(_PREPARED)


def _sweep_batch(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Worker: plan a batch of draws from data."""
    token = task.get("token")
    if token is not None and token in _PREPARED:
        solver, mean, floor = _PREPARED[token]
        return solver.rows(task["draws"], _drawer(mean, task, floor), task.get("chunk"))
    region: Region = from_payload(task["region"])
    params: PlanParams = from_payload(task["params"])
    scenario: Scenario | None = from_payload(task["scenario"])
    held = region.placements.groupby("cohort_id").children.sum().reindex(region.cohorts.cohort_id, fill_value=0)
    mean = region.cohorts.children.to_numpy()
    if DrawSolver.supports(params):
        solver = DrawSolver(region, params, scenario)
        if token is not None:
            _PREPARED.clear()
            _PREPARED[token] = (solver, mean, held.to_numpy())
        return solver.rows(task["draws"], _drawer(mean, task, held.to_numpy()), task.get("chunk"))
    prep = prepare_allocation(region, params, scenario)  # homes and edges do not change between draws: once
    rows = []
    for k in task["draws"]:
        n = draw_demand(mean, task["seed"], k, task["dispersion"], held.to_numpy())
        rows.append(sweep_row(rcc_plan(prep.with_children(n), scenario=scenario), k))
    return rows


def _drawer(mean: np.ndarray, task: dict[str, Any], floor: np.ndarray) -> Callable[[int], np.ndarray]:
    return lambda k: draw_demand(mean, task["seed"], k, task["dispersion"], floor)


def sweep(
    region: Region,
    n_draws: int = 200,
    seed: int = 0,
    params: PlanParams | None = None,
    *,
    scenario: Scenario | None = None,
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    batch_size: int | None = None,
    workers: int = 2,
    dispersion: float | None = None,
    progress: bool = True,
    warm_chunk: int | None = WARM_CHUNK,
) -> pd.DataFrame:
    """Plan ``n_draws`` random demand draws of ``region`` and collect the metrics.

    Parameters
    ----------
    region : Region
        Its cohorts' children are the mean of the draws.
    n_draws : int
    seed : int
        Draw ``k`` depends only on ``(seed, k)``.
    params : PlanParams, optional
        Solved with one solver thread (``SolverOptions.threads=1``), whatever
        the executor, so every executor gives the same numbers.
    scenario : Scenario, optional
        Pooling rules, incentives, demand growth and new homes applied before
        the draws (draws are around the grown demand); ``rcc.plan`` when None.
    executor : "serial", "process" or concurrent.futures.Executor
        ``"serial"`` (default, :data:`rcc.analysis.parallel.DEFAULT_EXECUTOR`): here;
        ``"process"``: a local spawn pool of ``workers``; any Executor (e.g.
        ``distributed.Client.get_executor()``) as given.
    batch_size : int, optional
        Draws per task (default: about 4 tasks per worker), rounded up to
        whole warm chunks. Does not change the results.
    workers : int
        Size of the default process pool.
    dispersion : float, optional
        Negative binomial dispersion (see :func:`draw_demand`); Poisson if None.
    progress : bool
        A progress line on stderr (tqdm's bar if installed).
    warm_chunk : int or None
        Draws ``0..warm_chunk-1``, ``warm_chunk..2*warm_chunk-1``, ... are
        chunks: a chunk's first draw is solved cold, as :func:`rcc.plan`
        solves it; each further draw re-solves the model the previous draw
        left (its demand rows changed, warm from its basis and columns), which
        is several times faster. The optimum's value is the cold solve's (tested
        to 1e-9 relative; below 1e-15 measured), but where a draw has several optimal
        plans (ties: homes at the same distance and cost) a warm solve may
        pick another one, so distances, shares and provider concentration of
        such a draw can differ from :func:`rcc.plan`'s. Chunks are fixed by the
        draw numbers, so the rows depend only on ``seed``, the draw and
        ``warm_chunk``, never on the executor, workers or ``batch_size``.
        ``None`` (or 1): every draw cold, each row exactly :func:`rcc.plan`'s.
        Used by the HiGHS optimiser (:meth:`DrawSolver.supports`); other draws
        go through :func:`rcc.plan`, cold.

    Returns
    -------
    pandas.DataFrame
        One row per draw, sorted by ``draw``: ``draw``, the metrics of
        :data:`SWEEP_METRICS` and ``status``.

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> three = gm.subset(gm.council_ids[:3])
    >>> a = sweep(three, 4, seed=7, executor="serial", progress=False)
    >>> b = sweep(three, 4, seed=7, executor="serial", batch_size=1, progress=False)
    >>> a.equals(b), a.draw.tolist()
    (True, [0, 1, 2, 3])
    """
    if n_draws < 1:
        raise InvalidInputError("sweep", None, "n_draws", "at least 1", n_draws)
    params = single_thread(params)
    base = scenario.apply(region) if scenario is not None else region
    if warm_chunk is not None and (not isinstance(warm_chunk, int | np.integer) or warm_chunk < 1):
        raise InvalidInputError("sweep", None, "warm_chunk", "a whole number >= 1, or None", warm_chunk)
    chunk = int(warm_chunk or 1)
    chunks = batches(range(n_draws), 1, chunk)  # whole chunks per batch: a warm chunk never spans two tasks
    per_batch = None if batch_size is None else -(-int(batch_size) // chunk)
    draw_batches = [[k for c in b for k in c] for b in batches(chunks, workers, per_batch)]
    common = {
        "region": to_payload(base),
        "params": to_payload(params),
        "scenario": to_payload(scenario),
        "seed": int(seed),
        "dispersion": dispersion,
        "token": uuid.uuid4().hex,  # names this sweep's prepared draws in a worker (see _PREPARED)
        "chunk": chunk,
    }
    tasks = [{**common, "draws": b} for b in draw_batches]
    try:
        out = run_tasks(
            _sweep_batch, tasks, executor, workers=workers, label=f"sweep {region.name}", progress=progress,
            sizes=[len(b) for b in draw_batches]
        )
    finally:
        _PREPARED.pop(common["token"], None)  # batches run here (serial) leave nothing behind
    rows = [r for batch in out for r in batch]
    df = pd.DataFrame(rows, columns=["draw", *SWEEP_METRICS, "status"])
    return df.sort_values("draw", kind="stable").reset_index(drop=True)


def sweep_summary(draws: pd.DataFrame, quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Mean, standard deviation and quantiles of each metric over the draws.

    >>> df = pd.DataFrame({"draw": [0, 1], "unmet": [1.0, 3.0]})
    >>> sweep_summary(df).loc["unmet", "mean"]
    np.float64(2.0)
    """
    cols = [c for c in draws.columns if c not in ("draw", "status") and pd.api.types.is_numeric_dtype(draws[c])]
    d = draws[cols]
    out = pd.DataFrame({"mean": d.mean(), "std": d.std(ddof=1)})
    for q in quantiles:
        out[f"p{round(100 * q):g}"] = d.quantile(q)
    out.index.name = "metric"
    return out
