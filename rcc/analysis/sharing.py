"""Fair cost sharing between the councils of a cooperative.

Pooling saves money in total; this module splits the saving so each council
can see that joining pays. The split is the Shapley value of a cooperative
game, exact for small groups and sampled for large ones, with a check that no
sub-group of councils would do better on its own (the core).

The pooling game
----------------
Players are councils of a base region (an RCC, or an RCC with neighbours).
For a coalition S, the councils in S pool their in-house supply and every
other council stays standalone (rules of :mod:`rcc.analysis.scenarios`: the market is
open to all, or pooled with ``market="pooled"``). With C(S) the cost of the
whole base region's plan under those rules,

    v(S) = C(no pooling) - C(S pools)        (the saving of S; v(S) = 0 for |S| <= 1)

Cost ``measure``:

``"objective"`` (default)
    The planning cost the plan minimises (:mod:`rcc.allocation.model`): per
    child-week, miles + out-of-area penalty + weekly cost x ``per_gbp``, plus
    the unmet-child penalty. With default :class:`~rcc.core.params.Weights`, one
    unit is worth one mile or GBP 1,000 a week, and a child without a home
    10,000 units. Pooling relaxes the rules, so v(S) >= 0 and v grows with S.
``"weekly_cost_gbp"``
    The weekly bill of the placements only, in GBP (ignores distance and
    children left without a home: pooling can raise it by placing more
    children).

Each v(S) is a plan (an LP); they are solved in batches on any
``concurrent.futures`` executor, workers getting data and one solver thread,
and cached, so the result does not depend on the executor or batching.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.engine import PreparedAllocation, plan, prepare_allocation
from rcc.allocation.result import Plan
from rcc.analysis.games import (
    CoalitionGame,
    CoreCheck,
    Game,
    LeastCore,
    ShapleyResult,
    core_check,
    least_core,
    shapley_value,
)
from rcc.analysis.metrics import plan_cost
from rcc.analysis.parallel import DEFAULT_EXECUTOR, batches, from_payload, run_tasks, single_thread, to_payload
from rcc.analysis.rules import Scenario
from rcc.core.display import Card, fmt_count, fmt_gbp
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = [
    "CoalitionGame",
    "CoreCheck",
    "CostSharing",
    "Game",
    "LeastCore",
    "PoolingGame",
    "ShapleyResult",
    "core_check",
    "least_core",
    "share_savings",
    "shapley_value",
]

MEASURES: tuple[str, ...] = ("objective", "weekly_cost_gbp")

# ---------------------------------------------------------------- the pooling game
def _pooling_rule(coalition: Sequence[str], market: str) -> Scenario:
    if len(coalition) >= 2:
        return Scenario("coalition", "pathfinder_only", tuple(coalition), "coalition", market=market)
    return Scenario("standalone", "standalone", market=market)


def _coalition_costs(task: dict[str, Any]) -> list[float]:
    """Worker: C(S) for a batch of coalitions, from data (edges built once)."""
    rules = [_pooling_rule(coalition, task["market"]) for coalition in task["coalitions"]]
    prep = prepare_allocation(from_payload(task["region"]), from_payload(task["params"]), _pooling_rule((), task["market"]))
    return [
        _measure(plan(prep, scenario=rule), task["measure"])
        for rule in rules
    ]


def _measure(plan: Plan, measure: str) -> float:
    if measure == "objective":
        return float(plan.objective if plan.objective is not None else np.nan)
    return float((plan.placements.children * plan.placements.weekly_cost_gbp).sum())


@attrs.define(eq=False)
class PoolingGame:
    """The pooling game of a base region (see the module docstring).

    Parameters
    ----------
    region : Region
        Base region, planned whole for every coalition.
    players : sequence of str, optional
        Council ids that may pool (default: every council of the region).
    params : PlanParams, optional
        Solved with one solver thread, whatever the executor.
    market : {"open", "pooled"}
        Market rule of :class:`rcc.analysis.scenarios.Scenario`.
    measure : {"objective", "weekly_cost_gbp"}
    executor : "serial", "process" or concurrent.futures.Executor
        Where coalitions are solved (default ``"serial"``: here; ``"process"``: a local
        spawn pool of ``workers``; see :mod:`rcc.analysis.parallel`).
    workers : int
    batch_size : int, optional
        Coalitions per task (default: about 4 tasks per worker).
    progress : bool
    """

    region: Region
    players: tuple[str, ...] = attrs.field(default=None, converter=lambda v: None if v is None else tuple(str(p) for p in v))
    params: PlanParams = attrs.field(factory=PlanParams)
    market: str = "open"
    measure: str = attrs.field(default="objective", validator=attrs.validators.in_(MEASURES))
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR
    workers: int = 2
    batch_size: int | None = None
    progress: bool = False
    _cache: dict[frozenset[str], float] = attrs.field(factory=dict, init=False)
    _base_cost: float | None = attrs.field(default=None, init=False)
    _prepared: PreparedAllocation | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        ids = list(self.region.councils.council_id)
        if self.players is None:
            self.players = tuple(ids)
        unknown = [p for p in self.players if p not in set(ids)]
        if unknown:
            raise InvalidInputError("players", unknown[0], "council_id", f"a council of {self.region.name!r}", unknown[0])
        if len(set(self.players)) != len(self.players):
            raise InvalidInputError("players", None, "council_id", "distinct council ids", list(self.players))
        self.params = single_thread(self.params)

    @property
    def evaluations(self) -> int:
        """Coalitions solved so far (the LPs run)."""
        return len(self._cache)

    def plan(self, coalition: Iterable[str]) -> Plan:
        """The base region's plan when ``coalition`` pools (solved here)."""
        if self._prepared is None:
            self._prepared = prepare_allocation(self.region, self.params, _pooling_rule((), self.market))
        return plan(self._prepared, scenario=_pooling_rule(self._order(coalition), self.market))

    def _order(self, coalition: Iterable[str]) -> tuple[str, ...]:
        s = set(coalition)
        return tuple(p for p in self.players if p in s)

    def base_cost(self) -> float:
        """C(no pooling)."""
        if self._base_cost is None:
            self._base_cost = _measure(self.plan(()), self.measure)
        return self._base_cost

    def values(self, coalitions: Iterable[frozenset[str]]) -> dict[frozenset[str], float]:
        """v(S) = C(no pooling) - C(S pools), solving missing coalitions in batches."""
        wanted = [frozenset(s) for s in coalitions]
        for s in wanted:
            if not s <= set(self.players):
                raise InvalidInputError("coalition", None, None, f"players of this game {list(self.players)}", sorted(s))
        pos = {p: i for i, p in enumerate(self.players)}
        missing = sorted(
            {s for s in wanted if len(s) >= 2 and s not in self._cache},
            key=lambda s: (len(s), sorted(pos[p] for p in s)),
        )
        if missing:
            c0 = self.base_cost()
            coalition_batches = batches(missing, self.workers, self.batch_size)
            common = {"region": to_payload(self.region), "params": to_payload(self.params)}
            tasks = [
                {**common, "coalitions": [self._order(s) for s in b], "market": self.market, "measure": self.measure}
                for b in coalition_batches
            ]
            results = run_tasks(
                _coalition_costs,
                tasks,
                self.executor,
                workers=self.workers,
                label="coalitions",
                progress=self.progress,
                sizes=[len(b) for b in coalition_batches],
            )
            for b, costs in zip(coalition_batches, results):
                for s, c in zip(b, costs):
                    self._cache[s] = c0 - c
        return {s: (0.0 if len(s) <= 1 else self._cache[s]) for s in wanted}


# ---------------------------------------------------------------- one call
@attrs.frozen(eq=False)
class CostSharing:
    """The saving of pooling, split fairly.

    Attributes
    ----------
    game : PoolingGame
    shapley : ShapleyResult
    core : CoreCheck
        Whether the Shapley split is in the core.
    least_core : LeastCore
        The most stable split: in the core whenever the core is not empty.
    standalone : Plan
        Plan with no pooling.
    pooled : Plan
        Plan with all players pooled.
    """

    game: PoolingGame
    shapley: ShapleyResult
    core: CoreCheck
    least_core: LeastCore
    standalone: Plan
    pooled: Plan

    @property
    def total_saving(self) -> float:
        """v(N): the saving of the whole cooperative."""
        return self.shapley.grand_value

    def table(self) -> pd.DataFrame:
        """Per council: cost of its children alone and pooled, the direct
        saving, its Shapley share of the total saving (with standard error),
        the transfer that turns one into the other, and its net cost.

        Columns council_id, council_name; the money first, always in GBP a week:
        standalone_gbp_week and pooled_gbp_week (the weekly bill of the
        council's children alone and pooled) and saving_gbp_week (their
        difference); then the split, in the game's measure (:attr:`measure_unit`:
        objective units a week by default, GBP a week with
        ``measure="weekly_cost_gbp"``): standalone_cost, pooled_cost,
        direct_saving, shapley_share, std_error, least_core_share (the most
        stable split, in the core when it is not empty), transfer
        (shapley_share - direct_saving: received from the pool if positive),
        net_cost (standalone_cost - shapley_share) and joining_pays
        (share >= 0). ``rcc.explain(column)`` says what each means.
        """
        players = list(self.game.players)
        if self.game.measure == "objective":
            alone = plan_cost(self.standalone, self.game.params).reindex(players)
            pooled = plan_cost(self.pooled, self.game.params).reindex(players)
        else:
            alone = _gbp_by_council(self.standalone).reindex(players, fill_value=0.0)
            pooled = _gbp_by_council(self.pooled).reindex(players, fill_value=0.0)
        names = self.game.region.councils.set_index("council_id").name
        share = self.shapley.shares.reindex(players)
        tol = 1e-6 * max(1.0, abs(self.total_saving))
        bill_alone = _gbp_by_council(self.standalone).reindex(players, fill_value=0.0)
        bill_pooled = _gbp_by_council(self.pooled).reindex(players, fill_value=0.0)
        out = pd.DataFrame(
            {
                "council_id": players,
                "council_name": names.reindex(players).to_numpy(),
                "standalone_gbp_week": bill_alone.to_numpy(),
                "pooled_gbp_week": bill_pooled.to_numpy(),
                "saving_gbp_week": (bill_alone - bill_pooled).to_numpy(),
                "standalone_cost": alone.to_numpy(),
                "pooled_cost": pooled.to_numpy(),
                "direct_saving": (alone - pooled).to_numpy(),
                "shapley_share": share.to_numpy(),
                "std_error": self.shapley.std_error.reindex(players).to_numpy(),
            }
        )
        out["least_core_share"] = self.least_core.allocation.reindex(players).to_numpy()
        out["transfer"] = out.shapley_share - out.direct_saving
        out["net_cost"] = out.standalone_cost - out.shapley_share
        out["joining_pays"] = out.shapley_share >= -tol
        return out

    @property
    def measure_unit(self) -> str:
        """The unit of the split's columns: ``"objective units/week"`` or ``"GBP/week"``."""
        return "objective units/week" if self.game.measure == "objective" else "GBP/week"

    @property
    def saving_gbp_week(self) -> float:
        """What pooling every player saves on the weekly bill of the base region's placements, in GBP."""
        return float(_gbp_by_council(self.standalone).sum() - _gbp_by_council(self.pooled).sum())

    def card(self) -> Card:
        """The short display: the saving in GBP a week, the split's measure and stability, where to look next."""
        rows = [
            ("councils", fmt_count(len(self.game.players))),
            ("bill saving (whole region)", fmt_gbp(self.saving_gbp_week) + " a week"),
            (f"saving split ({self.measure_unit})", f"{self.total_saving:,.1f}"),
            ("Shapley", f"{self.shapley.method}, {self.shapley.evaluations} coalitions"),
            ("core", "stable" if self.core.stable else f"not stable ({len(self.core.violations)} coalitions)"),
        ]
        return Card("CostSharing", self.game.region.name, "", rows, (), ["sharing.table()", "sharing.summary()"])

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def summary(self) -> str:
        """A readable summary: the money in GBP a week first, then the split in the game's measure."""
        t = self.table()
        unit = self.measure_unit
        bill = f"{self.game.region.name}: pooling saves {fmt_gbp(self.saving_gbp_week)} a week on the bill of the whole region"
        if self.game.measure == "objective":
            bill += (
                f"; the split below is of the planning cost it saves, {self.total_saving:,.1f} {unit} "
                "(objective: miles, out-of-area, weekly cost and children without a home, as rcc.plan weighs them)"
            )
        lines = [
            bill,
            f"  {self.shapley.method} Shapley over {len(t)} councils, {self.shapley.evaluations} coalitions; "
            f"shares ({unit}) sum to {t.shapley_share.sum():,.1f}; core: "
            + (
                "stable" + (" (all coalitions checked)" if self.core.exhaustive else f" ({self.core.n_checked} sampled coalitions)")
                if self.core.stable
                else f"Shapley split outside it: {len(self.core.violations)} coalition(s) would save more alone, "
                f"worst by {self.core.max_excess:,.1f}"
            ),
        ]
        lc = self.least_core
        if not self.core.stable:
            lines.append(
                "  least core: "
                + (
                    f"the core is not empty; a stable split is the least_core_share column (e = {lc.epsilon:,.1f})"
                    if lc.core_nonempty
                    else f"the core is empty: the most stable split leaves some coalition {lc.epsilon:,.1f} short"
                )
            )
        lines.append(f"  per council: weekly bill alone -> pooled (GBP); then in {unit}: share, direct saving, "
                     "transfer, least core")
        for r in t.itertuples():
            se = f" +/- {r.std_error:,.1f}" if r.std_error else ""
            lines.append(
                f"  {r.council_name:<28} {fmt_gbp(r.standalone_gbp_week):>11} -> {fmt_gbp(r.pooled_gbp_week):>11}"
                f"  share {r.shapley_share:>10,.1f}{se}  direct {r.direct_saving:>10,.1f}  transfer {r.transfer:>+10,.1f}"
                f"  least core {r.least_core_share:>10,.1f}"
            )
        return "\n".join(lines)


def _gbp_by_council(plan: Plan) -> pd.Series:
    p = plan.placements
    return (p.children * p.weekly_cost_gbp).groupby(p.council_id).sum().astype(float)


def share_savings(
    region: Region,
    players: Sequence[str] | None = None,
    params: PlanParams | None = None,
    *,
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    method: str = "auto",
    n_permutations: int = 100,
    core_samples: int = 200,
    seed: int = 0,
    market: str = "open",
    measure: str = "objective",
    workers: int = 2,
    exact_max_players: int = 10,
    progress: bool = True,
) -> CostSharing:
    """Split the saving of pooling between councils by the Shapley value.

    Builds the :class:`PoolingGame`, computes the Shapley value (exact up to
    ``exact_max_players`` councils, sampled beyond) and checks the core
    (every coalition when exact, ``core_samples`` sampled coalitions
    otherwise).

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> three = list(gm.councils.council_id[:3])
    >>> cs = share_savings(gm, three, executor="serial", progress=False)
    >>> bool(abs(cs.table().shapley_share.sum() - cs.total_saving) < 1e-6)
    True
    """
    game = PoolingGame(
        region,
        players,
        params or PlanParams(),
        market=market,
        measure=measure,
        executor=executor,
        workers=workers,
        progress=progress,
    )
    sh = shapley_value(game, method, n_permutations=n_permutations, seed=seed, exact_max_players=exact_max_players)
    exhaustive = sh.method == "exact"
    core = core_check(game, sh, exhaustive=exhaustive, n_samples=core_samples, seed=seed)
    lc = least_core(game, exhaustive=exhaustive, n_samples=core_samples, seed=seed)
    return CostSharing(game, sh, core, lc, game.plan(()), game.plan(game.players))
