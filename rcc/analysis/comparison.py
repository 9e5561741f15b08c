"""Compare scenarios: every scenario planned on the same base region, one long table, the capacity skew."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import pandas as pd

from rcc.allocation.engine import plan, prepare_allocation
from rcc.allocation.result import Plan, PlanStatus
from rcc.analysis.metrics import GROUP_PREFIX, METRICS, TABLE_METRICS, plan_metrics
from rcc.analysis.parallel import DEFAULT_EXECUTOR, Progress, from_payload, run_tasks, single_thread, to_payload
from rcc.analysis.rules import Scenario
from rcc.analysis.summary import TradeOff, trade_off
from rcc.core.accessors import Accessor
from rcc.core.display import Card, fmt_count, fmt_gbp, fmt_pct
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = ["Comparison", "compare"]


def _solve_task(task: dict[str, Any]) -> dict[str, Any]:
    """Worker: solve one scenario from data; return tables, not the model."""
    region = from_payload(task["region"])
    scenario = from_payload(task["scenario"])
    params = from_payload(task["params"])
    p = plan(prepare_allocation(region, params, scenario), scenario=scenario)
    return {
        "placements": p.placements,
        "shortfall": p.shortfall,
        "objective": p.objective,
        "status": p.status.value,
        "info": to_payload(p.info),
    }


# ---------------------------------------------------------------- compare
@attrs.frozen(eq=False)
class Comparison:
    """Scenarios planned on the same base region.

    Attributes
    ----------
    base : Region
    scenarios : tuple of Scenario
    plans : Mapping[str, Plan]
        Plan of each scenario (on the scenario's region).
    long : pandas.DataFrame
        scenario, council_id, council_name, metric, value: every council and
        group (``group:all``, ``group:rcc``, ``group:outside_rcc`` and any
        named ``groups``) x metric (:data:`METRICS`, including unmet by need).
    rcc : tuple of str
        The RCC's councils (for group rows and the skew report).
    baseline : str
        The scenario the skew report compares against.
    params : PlanParams
    """

    base: Region
    scenarios: tuple[Scenario, ...]
    plans: Mapping[str, Plan]
    long: pd.DataFrame
    rcc: tuple[str, ...]
    baseline: str
    params: PlanParams
    plot = Accessor("plot")  # charts, registered by rcc.report (rcc.report.plots)

    def trade_off(self, scenario: str, against: str | None = None) -> TradeOff:
        """What ``scenario``'s plan trades against ``against``'s (default the baseline), over the whole base region:
        weekly cost in GBP against children without a home, over 20 miles and outside their own council."""
        against = against or self.baseline
        for name in (scenario, against):
            if name not in self.plans:
                raise InvalidInputError("comparison", name, "scenario", f"one of {list(self.plans)}", name)
        return trade_off(self.plans[against], self.plans[scenario], names=(against, scenario))

    def card(self) -> Card:
        """The short display: each scenario's headline numbers for the RCC (or all councils), where to look next."""
        group = "group:rcc" if self.rcc else "group:all"
        w = self.wide().set_index(["scenario", "council_id"])
        rows = []
        for s in self.scenarios:
            m = w.loc[(s.name, group)]
            over = 100.0 - m.pct_within_20_miles if m.placed else float("nan")
            rows.append((s.name, fmt_count(m.unmet), fmt_pct(m.pct_inside_own_council), fmt_pct(over),
                         fmt_gbp(m.weekly_cost_gbp, short=True)))
        statuses = {p.status.value for p in self.plans.values()}
        status = next((st for st in ("not_solved", "infeasible", "time_limit", "heuristic") if st in statuses), "optimal")
        who = f"the RCC's {len(self.rcc)} councils" if self.rcc else f"all {len(self.base.councils)} councils"
        notes = [f"figures for {who}; baseline {self.baseline}"]
        other = next((s.name for s in self.scenarios if s.name != self.baseline), None)
        nxt = ["cmp.table()", "cmp.long", "cmp.skew_summary()" if self.rcc else "cmp.wide()"]
        if other:
            nxt.append(f"cmp.trade_off({other!r})")
        header = ("scenario", "without a home", "inside own council", "over 20 miles", "weekly cost (GBP)")
        return Card("Comparison", f"{self.base.name}: {len(self.scenarios)} scenarios", status, rows, notes, nxt, header)

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def wide(self) -> pd.DataFrame:
        """One row per scenario x council/group, one column per metric."""
        w = self.long.set_index(["scenario", "council_id", "council_name", "metric"]).value.unstack("metric")
        order = {s.name: i for i, s in enumerate(self.scenarios)}
        first = {c: i for i, c in enumerate(pd.unique(self.long.council_id))}
        w = w[[m for m in METRICS if m in w.columns]].reset_index()
        w = w.assign(_s=w.scenario.map(order), _c=w.council_id.map(first)).sort_values(["_s", "_c"], kind="stable")
        w.columns.name = None
        return w.drop(columns=["_s", "_c"]).reset_index(drop=True)

    def table(
        self, councils: Sequence[str] | None = None, metrics: Sequence[str] = TABLE_METRICS, by: str = "council"
    ) -> pd.DataFrame:
        """A readable table: rows council (or group) x scenario, columns metric labels.

        Parameters
        ----------
        councils : sequence of str, optional
            Council ids and/or group ids (``"group:rcc"``); default: the groups.
        metrics : sequence of str
        by : {"council", "scenario"}
            Outer row level.
        """
        w = self.wide()
        if councils is None:
            rows = w[w.council_id.str.startswith(GROUP_PREFIX)]
        else:
            rows = w[w.council_id.isin(list(councils))]
        order = {s.name: i for i, s in enumerate(self.scenarios)}
        rows = rows.assign(_s=rows.scenario.map(order))
        keys = ["council_name", "scenario"] if by == "council" else ["scenario", "council_name"]
        if by == "council":
            cidx = {c: i for i, c in enumerate(pd.unique(rows.council_id))}
            rows = rows.assign(_c=rows.council_id.map(cidx)).sort_values(["_c", "_s"], kind="stable")
        else:
            rows = rows.sort_values(["_s"], kind="stable")
        out = rows.set_index(keys)[list(metrics)]
        out.columns = [METRICS[m] for m in metrics]
        return out.round(1)

    def neighbours(self, within_miles: float = 50.0) -> list[str]:
        """Councils outside the RCC within ``within_miles`` of it, or exchanging
        children with it in any scenario."""
        if not self.rcc:
            return []
        ids = pd.Index(self.base.councils.council_id)
        rows = ids.get_indexer(list(self.rcc))
        near = (self.base.council_distances()[rows] <= within_miles).any(axis=0)
        out = set(ids[near])
        for scenario_plan in self.plans.values():
            p = scenario_plan.placements
            a = p.council_id.isin(self.rcc)
            b = p.home_council_id.isin(self.rcc)
            out |= set(p.home_council_id[a & ~b]) | set(p.council_id[b & ~a])
        return [c for c in ids if c in out and c not in set(self.rcc)]

    def skew(self, within_miles: float = 50.0) -> pd.DataFrame:
        """Capacity skew per scenario and neighbouring council, against the baseline.

        Columns: scenario, council_id, council_name;
        ``rcc_children_here_base`` / ``rcc_children_here``: RCC children in
        homes located in this council (baseline / scenario);
        ``children_in_rcc_base`` / ``children_in_rcc``: this council's
        children in homes located in the RCC; ``places_taken``: places the
        RCC's children gained at this council's expense,
        (rcc_children_here - base) + (children_in_rcc_base - children_in_rcc);
        ``places_created``: places newly created in this council by the
        scenario; ``unmet_change``, ``pct_within_20_miles_change``,
        ``mean_distance_change``: this council's own children's outcome.
        """
        if not self.rcc:
            raise InvalidInputError("comparison", None, "rcc", "an RCC (council ids) to report skew for", ())
        rcc = set(self.rcc)
        nb = self.neighbours(within_miles)
        base = self.plans[self.baseline]
        w = self.wide().set_index(["scenario", "council_id"])
        names = self.base.councils.set_index("council_id").name
        rows = []
        b_in, b_out = _flows(base.placements, rcc)
        b_places = base.region.homes.groupby("council_id").places.sum()
        for s in self.scenarios:
            plan = self.plans[s.name]
            s_in, s_out = _flows(plan.placements, rcc)
            s_places = plan.region.homes.groupby("council_id").places.sum()
            for c in nb:
                here_b, here_s = float(b_in.get(c, 0)), float(s_in.get(c, 0))
                inr_b, inr_s = float(b_out.get(c, 0)), float(s_out.get(c, 0))
                mb, ms = w.loc[(self.baseline, c)], w.loc[(s.name, c)]
                rows.append(
                    {
                        "scenario": s.name,
                        "council_id": c,
                        "council_name": names.get(c, c),
                        "rcc_children_here_base": here_b,
                        "rcc_children_here": here_s,
                        "children_in_rcc_base": inr_b,
                        "children_in_rcc": inr_s,
                        "places_taken": (here_s - here_b) + (inr_b - inr_s),
                        "places_created": float(s_places.get(c, 0) - b_places.get(c, 0)),
                        "unmet_change": float(ms.unmet - mb.unmet),
                        "pct_within_20_miles_change": float(ms.pct_within_20_miles - mb.pct_within_20_miles),
                        "mean_distance_change": float(ms.mean_distance_miles - mb.mean_distance_miles),
                    }
                )
        return pd.DataFrame(rows, columns=_SKEW_COLUMNS)  # the columns even with no neighbour

    def skew_summary(self, within_miles: float = 50.0) -> pd.DataFrame:
        """Per scenario: places the RCC area gained from outside it versus places
        newly created inside it (against the baseline).

        Columns: scenario; places_taken_from_neighbours (summed over the
        neighbours that lost places), places_freed_for_neighbours (summed over
        those that gained), net_places_taken (the difference),
        neighbours_losing_places; places_created_in_rcc (new places located
        in the RCC); rcc_children_placed_inside_rcc_change;
        neighbours_unmet_change (their children without a home).
        """
        sk = self.skew(within_miles)
        rcc = set(self.rcc)
        base = self.plans[self.baseline]
        b_inside = _inside(base.placements, rcc)
        b_places = float(base.region.homes.places[base.region.homes.council_id.isin(rcc)].sum())
        rows = []
        for s in self.scenarios:
            plan = self.plans[s.name]
            part = sk[sk.scenario == s.name]
            rows.append(
                {
                    "scenario": s.name,
                    "places_taken_from_neighbours": float(part.places_taken.clip(lower=0).sum()),
                    "places_freed_for_neighbours": float((-part.places_taken).clip(lower=0).sum()),
                    "net_places_taken": float(part.places_taken.sum()),
                    "neighbours_losing_places": int((part.places_taken > 0).sum()),
                    "places_created_in_rcc": float(plan.region.homes.places[plan.region.homes.council_id.isin(rcc)].sum())
                    - b_places,
                    "rcc_children_placed_inside_rcc_change": _inside(plan.placements, rcc) - b_inside,
                    "neighbours_unmet_change": float(part.unmet_change.sum()),
                }
            )
        return pd.DataFrame(rows)


_SKEW_COLUMNS = (
    "scenario", "council_id", "council_name", "rcc_children_here_base", "rcc_children_here", "children_in_rcc_base",
    "children_in_rcc", "places_taken", "places_created", "unmet_change", "pct_within_20_miles_change",
    "mean_distance_change",
)


def _flows(p: pd.DataFrame, rcc: set[str]) -> tuple[pd.Series, pd.Series]:
    a = p.council_id.isin(rcc)
    b = p.home_council_id.isin(rcc)
    rcc_children_at = p[a & ~b].groupby("home_council_id").children.sum()
    children_in_rcc = p[~a & b].groupby("council_id").children.sum()
    return rcc_children_at, children_in_rcc


def _inside(p: pd.DataFrame, rcc: set[str]) -> float:
    return float(p.children[p.council_id.isin(rcc) & p.home_council_id.isin(rcc)].sum())


def compare(
    base_region: Region,
    scenarios: Sequence[Scenario],
    params: PlanParams | None = None,
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    *,
    rcc: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    baseline: str | None = None,
    progress: bool = False,
) -> Comparison:
    """Plan every scenario on the same base region and compare.

    Parameters
    ----------
    base_region : Region
        The common data (England, or :func:`with_neighbours` of an RCC).
    scenarios : sequence of Scenario
        Distinct names.
    params : PlanParams, optional
    executor : "serial", "process" or concurrent.futures.Executor
        Where scenarios are solved (default ``"serial"``, as everywhere: see
        :mod:`rcc.analysis.parallel`; workers get data and use one solver
        thread each; results do not depend on the executor).
    rcc : sequence of str, optional
        The RCC of interest; default the first scenario's non-empty ``rcc``.
    groups : Mapping[str, sequence of str], optional
        More named council groups to aggregate (rows ``group:<name>``).
    baseline : str, optional
        Scenario the skew is measured against; default the first standalone
        scenario without demand growth or new homes, else the first.
    progress : bool
        Show a progress line.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> cmp = compare(gm, [Scenario("alone"), Scenario("pooled", "national")])
    >>> sorted(cmp.long.columns)
    ['council_id', 'council_name', 'metric', 'scenario', 'value']
    """
    scenarios = tuple(scenarios)
    if not scenarios:
        raise InvalidInputError("scenarios", None, None, "at least one Scenario", 0)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InvalidInputError("scenarios", dup, "name", "distinct scenario names", dup)
    params = params or PlanParams()
    rcc_ids = tuple(rcc) if rcc is not None else next((s.rcc for s in scenarios if s.rcc), ())
    if baseline is None:
        plain = [s for s in scenarios if s.pooling == "standalone" and not s.growth_by_need and s.new_homes is None]
        baseline = (plain[0] if plain else scenarios[0]).name
    elif baseline not in names:
        raise InvalidInputError("compare", None, "baseline", f"one of {names}", baseline)
    regions = [s.apply(base_region) for s in scenarios]
    parallel = not (executor is None or executor == "serial")
    run_params = single_thread(params) if parallel else params
    if parallel:
        tasks = [
            {"region": to_payload(r), "scenario": to_payload(s), "params": to_payload(run_params)}
            for r, s in zip(regions, scenarios)
        ]
        out = run_tasks(_solve_task, tasks, executor, label="compare", progress=progress)
        plans = {
            s.name: Plan(
                region=r,
                method=run_params.method,
                status=PlanStatus(o["status"]),
                objective=o["objective"],
                placements=o["placements"],
                shortfall=o["shortfall"],
                info=from_payload(o["info"]),
            )
            for s, r, o in zip(scenarios, regions, out)
        }
    else:
        bar = Progress(len(scenarios), "compare", progress)
        plans = {}
        for s, r in zip(scenarios, regions):
            plans[s.name] = plan(prepare_allocation(r, params, s), scenario=s)
            bar.update()
        bar.close()
    all_groups: dict[str, Sequence[str]] = {"all": list(base_region.councils.council_id)}
    if rcc_ids:
        all_groups["rcc"] = list(rcc_ids)
        all_groups["outside_rcc"] = [c for c in base_region.councils.council_id if c not in set(rcc_ids)]
    all_groups.update(groups or {})
    labels = {"all": "All councils", "rcc": "The RCC", "outside_rcc": "Outside the RCC"}
    frames = [plan_metrics(plans[s.name], all_groups, params, labels).assign(scenario=s.name) for s in scenarios]
    long = pd.concat(frames, ignore_index=True)[["scenario", "council_id", "council_name", "metric", "value"]]
    return Comparison(base_region, scenarios, MappingProxyType(plans), long, rcc_ids, baseline, params)
