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

``"weekly_cost_gbp"`` (default)
    The weekly bill of the placements, in GBP: what a commissioner pays. The
    plans still minimise the planning cost below (distance, out-of-area, cost
    and children without a home), so the bill is a consequence, not the goal:
    pooling can raise it (it places more children, or nearer in dearer homes).
    The game in GBP may then be non-monotone (a council joining lowers the
    saving), give a council a negative share, or have an empty core; the
    result says so (:attr:`CostSharing.monotone`, :meth:`CostSharing.monotonicity`,
    the core check and the least core), it never hides it.
``"objective"``
    For analysts: the planning cost the plan minimises (:mod:`rcc.allocation.model`):
    per child-week, miles + out-of-area penalty + weekly cost x ``per_gbp``, plus
    the unmet-child penalty. With default :class:`~rcc.core.params.Weights`, one
    unit is worth one mile or GBP 1,000 a week, and a child without a home
    10,000 units. Pooling relaxes the rules, so v(S) >= 0 and v grows with S.

Each v(S) is a plan (an LP); they are solved in batches on any
``concurrent.futures`` executor, workers getting data and one solver thread,
and cached, so the result does not depend on the executor or batching.
"""

from __future__ import annotations

import concurrent.futures as cf
import textwrap
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

#: Cost measures of the pooling game, the default first.
MEASURES: tuple[str, ...] = ("weekly_cost_gbp", "objective")

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
    measure : {"weekly_cost_gbp", "objective"}
        GBP a week of the placements' bill (default) or the planning cost (see the module docstring).
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
    measure: str = attrs.field(default="weekly_cost_gbp", validator=attrs.validators.in_(MEASURES))
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

    def __getstate__(self) -> dict[str, Any]:
        """Pickling (a cached result, a process pool): the game with its solved coalitions. A live
        ``concurrent.futures`` executor cannot travel: the copy has ``executor="serial"`` instead (said
        here, not hidden); the prepared model is rebuilt on demand."""
        state = {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}
        if isinstance(self.executor, cf.Executor):
            state["executor"] = "serial"
        state["_prepared"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

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
        """v(N): the saving of the whole cooperative, in :attr:`measure_unit` (GBP a week by default)."""
        return self.shapley.grand_value

    def table(self) -> pd.DataFrame:
        """Per council: cost of its children alone and pooled, the direct
        saving, its Shapley share of the total saving (with standard error),
        the transfer that turns one into the other, and its net cost.

        Columns council_id, council_name; the money first, always in GBP a week:
        standalone_gbp_week and pooled_gbp_week (the weekly bill of the
        council's children alone and pooled) and saving_gbp_week (their
        difference); then the split, in the game's measure (:attr:`measure_unit`:
        GBP a week by default, objective units a week with ``measure="objective"``):
        standalone_cost, pooled_cost, direct_saving, shapley_share, std_error,
        least_core_share (the most stable split, in the core when it is not
        empty), transfer (shapley_share - direct_saving: received from the pool
        if positive), net_cost (standalone_cost - shapley_share) and joining_pays
        (share >= 0; in GBP a share can be negative). ``rcc.explain(column)`` says
        what each means.
        """
        players = list(self.game.players)
        bill_alone = _gbp_by_council(self.standalone).reindex(players, fill_value=0.0)
        bill_pooled = _gbp_by_council(self.pooled).reindex(players, fill_value=0.0)
        if self.game.measure == "objective":
            alone = plan_cost(self.standalone, self.game.params).reindex(players)
            pooled = plan_cost(self.pooled, self.game.params).reindex(players)
        else:
            alone, pooled = bill_alone, bill_pooled
        names = self.game.region.councils.set_index("council_id").name
        share = self.shapley.shares.reindex(players)
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
        out["least_core_share"] = self.least_core.allocation.reindex(players).to_numpy() + 0.0
        out["transfer"] = out.shapley_share - out.direct_saving
        out["net_cost"] = out.standalone_cost - out.shapley_share
        out["joining_pays"] = out.shapley_share >= -self._tol
        return out

    @property
    def _tol(self) -> float:
        return 1e-6 * max(1.0, abs(self.total_saving))

    @property
    def measure_unit(self) -> str:
        """The unit of the split's columns: ``"GBP/week"`` (default) or ``"objective units/week"``."""
        return "objective units/week" if self.game.measure == "objective" else "GBP/week"

    def _fmt(self, value: float, sign: str = "") -> str:
        """A value of the split in its unit: ``£1,234`` in GBP, ``1,234.5`` in objective units."""
        v = float(value) + 0.0
        if self.game.measure == "objective":
            return f"{v:{sign},.1f}"
        return ("+" if sign and v >= 0 else "") + fmt_gbp(v)

    @property
    def saving_gbp_week(self) -> float:
        """What pooling every player saves on the weekly bill of the base region's placements, in GBP."""
        return float(_gbp_by_council(self.standalone).sum() - _gbp_by_council(self.pooled).sum())

    @property
    def _others(self) -> list[str]:
        """The base region's councils that are not players."""
        players = set(self.game.players)
        return [c for c in self.game.region.council_ids if c not in players]

    @property
    def others_saving_gbp_week(self) -> float:
        """What pooling saves on the weekly bill of the base region's councils that are not players (0 when
        every council plays): :attr:`saving_gbp_week` less the players' own."""
        others = self._others
        if not others:
            return 0.0
        alone, pooled = (_gbp_by_council(p).reindex(others, fill_value=0.0).sum() for p in (self.standalone, self.pooled))
        return float(alone - pooled)

    def monotonicity(self) -> pd.DataFrame:
        """Where the game is not monotone: a council joining a coalition lowers its saving.

        Checked over every coalition solved (all of them when the Shapley value is exact;
        coalitions of fewer than two councils save 0). Columns coalition (tuple of council
        ids), joining (council id), value_before, value_after, drop (in :attr:`measure_unit`),
        largest drop first; empty when monotone. The planning cost (``measure="objective"``)
        is always monotone; the bill in GBP need not be.
        """
        g = self.game
        known = {frozenset(): 0.0, **{frozenset([p]): 0.0 for p in g.players}, **g._cache}
        rows = []
        for s, before in known.items():
            for p in g.players:
                after = known.get(s | {p})
                if p not in s and after is not None and after < before - self._tol:
                    rows.append((g._order(s), p, before, after, before - after))
        df = pd.DataFrame(rows, columns=["coalition", "joining", "value_before", "value_after", "drop"])
        return df.sort_values("drop", ascending=False, kind="stable").reset_index(drop=True)

    @property
    def monotone(self) -> bool:
        """No council joining a coalition lowers its saving (over the coalitions solved; see :meth:`monotonicity`)."""
        return self.monotonicity().empty

    def _core_text(self) -> str:
        if self.core.stable:
            return "stable" + (" (all coalitions checked)" if self.core.exhaustive else f" ({self.core.n_checked} sampled)")
        return (f"not stable: {len(self.core.violations)} coalition(s) would save more alone than their Shapley "
                f"shares, worst by {self._fmt(self.core.max_excess)}")

    def _least_core_text(self) -> str:
        lc = self.least_core
        if lc.core_nonempty:
            return f"the core is not empty; a stable split is the least_core_share column (e = {self._fmt(lc.epsilon)})"
        return f"the core is empty: the most stable split (least_core_share) leaves some coalition {self._fmt(lc.epsilon)} short"

    def card(self) -> Card:
        """The short display: the saving in GBP a week, the split's measure and stability, where to look next."""
        unit = "GBP a week" if self.game.measure != "objective" else self.measure_unit
        rows = [
            ("councils", fmt_count(len(self.game.players))),
            ("bill saving (whole region)", fmt_gbp(self.saving_gbp_week) + " a week"),
            *self._others_row(),
            (f"saving split ({unit})", self._fmt(self.total_saving)),
            ("Shapley", f"{self.shapley.method}, {self.shapley.evaluations} coalitions"),
            ("core", "stable" if self.core.stable else f"not stable ({len(self.core.violations)} coalitions)"),
            ("least core", "core not empty" if self.least_core.core_nonempty else "core empty"),
            ("monotone", "yes" if self.monotone else f"no ({len(self.monotonicity())} joins lower the saving)"),
        ]
        return Card("CostSharing", self.game.region.name, "", rows, (), ["sharing.table()", "sharing.summary()"])

    def _others_row(self) -> list[tuple[str, str]]:
        """The card's row for the councils of the region that do not share (none when all do)."""
        n = len(self._others)
        if not n:
            return []
        return [(f"of which the {n} council(s) not sharing", fmt_gbp(self.others_saving_gbp_week) + " a week")]

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def summary(self, width: int = 100) -> str:
        """A readable summary: the money in GBP a week first, then the split in the game's measure, with
        what is not stable or not monotone said plainly; lines of at most ``width`` characters (but a
        long council name), then a table per council."""
        t = self.table()
        unit = self.measure_unit
        bill = f"{self.game.region.name}: " + self._bill_text()
        if self.game.measure == "objective":
            bill += (
                f"; the split below is of the planning cost it saves, {self.total_saving:,.1f} {unit} "
                "(objective: miles, out-of-area, weekly cost and children without a home, as rcc.plan weighs them)"
            )
        prose = [
            bill,
            f"{self.shapley.method} Shapley over {len(t)} councils, {self.shapley.evaluations} coalitions; "
            f"shares ({unit}) sum to {self._fmt(t.shapley_share.sum())}; core: {self._core_text()}",
        ]
        if not self.core.stable:
            prose.append("least core: " + self._least_core_text())
        prose += self._caveats(t)
        lines = textwrap.wrap(prose[0], width, subsequent_indent="  ", break_on_hyphens=False)
        for p in prose[1:]:
            lines += textwrap.wrap(p, width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
        return "\n".join([*lines, "", *self._per_council(t)])

    def _per_council(self, t: pd.DataFrame) -> list[str]:
        """The per-council table of :meth:`summary`: the bill in GBP, then the split in its measure."""
        sampled = bool((t.std_error > 0).any())
        name = max(7, min(22, int(t.council_name.astype(str).str.len().max())))
        heads = ["bill alone", "bill pooled", "share", *(["+/-"] if sampled else []), "direct", "transfer",
                 "least core"]
        out = [f"per council: the weekly bill (GBP), then the split ({self.measure_unit})",
               f"{'council':<{name}}" + "".join(f" {h:>10}" for h in heads)]
        for r in t.itertuples():
            cells = [fmt_gbp(r.standalone_gbp_week), fmt_gbp(r.pooled_gbp_week), self._fmt(r.shapley_share),
                     *([self._fmt(r.std_error)] if sampled else []), self._fmt(r.direct_saving),
                     self._fmt(r.transfer, "+"), self._fmt(r.least_core_share)]
            out.append(f"{str(r.council_name):<{name}}" + "".join(f" {c:>10}" for c in cells))
        return out

    def _bill_text(self) -> str:
        """What pooling does to the weekly bill, in words: saves, raises, and whether it places more children."""
        saving = self.saving_gbp_week
        if saving >= 0:
            text = f"pooling saves {fmt_gbp(saving)} a week on the bill of the whole region"
        else:
            text = f"pooling raises the bill of the whole region by {fmt_gbp(-saving)} a week"
        n_others = len(self._others)
        if n_others:
            parts = [("the players' bill", self.saving_gbp_week - self.others_saving_gbp_week),
                     (f"the bill of the {n_others} council(s) not sharing", self.others_saving_gbp_week)]
            text += ": " + " and ".join(f"{who} {_change(v)}" for who, v in parts)
        more = float(self.pooled.placements.children.sum() - self.standalone.placements.children.sum())
        if more:
            text += f" (it places {fmt_count(abs(more))} {'more' if more > 0 else 'fewer'} child(ren))"
        return text

    def _caveats(self, t: pd.DataFrame) -> list[str]:
        """Plain words for a game in GBP that is not monotone, or shares that make joining cost a council."""
        out = []
        if self.game.measure != "objective":
            out.append("the plans minimise the planning cost (distance, out-of-area, cost, children without a home), "
                       "not the bill: the bill saving is a consequence and may be negative")
        mono = self.monotonicity()
        if not mono.empty:
            names = self.game.region.councils.set_index("council_id").name
            w = mono.iloc[0]
            out.append(f"not monotone: in {len(mono)} case(s) a council joining lowers the saving (worst: "
                       f"{names.get(w.joining, w.joining)} joining {len(w.coalition)} council(s), "
                       f"{self._fmt(w.value_before)} -> {self._fmt(w.value_after)})")
        losers = t.council_name[~t.joining_pays].tolist()
        if losers:
            out.append(f"joining costs {len(losers)} council(s) under the Shapley split: {', '.join(map(str, losers))}")
        return out


def _change(saving: float) -> str:
    """A saving in words: "saves £X", "rises by £X" or "does not change"."""
    if abs(saving) < 0.5:
        return "does not change"
    return f"saves {fmt_gbp(saving)}" if saving > 0 else f"rises by {fmt_gbp(-saving)}"


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
    measure: str = "weekly_cost_gbp",
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
