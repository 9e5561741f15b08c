"""Cooperative games: the Shapley value (exact or sampled), the core check and the least core.

Generic: any object with ``players`` and a batched ``values(coalitions)``
(:class:`CoalitionGame`) works, e.g. :class:`Game` (a Python function) or
:class:`rcc.analysis.sharing.PoolingGame` (each value a plan).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError, SolverError

__all__ = [
    "CoalitionGame",
    "CoreCheck",
    "Game",
    "LeastCore",
    "ShapleyResult",
    "core_check",
    "least_core",
    "shapley_value",
]


class CoalitionGame(Protocol):
    """A cooperative game: players and a batched characteristic function."""

    players: tuple[Any, ...]

    def values(self, coalitions: Iterable[frozenset[Any]]) -> dict[frozenset[Any], float]:
        """v(S) for each coalition S (a frozenset of players)."""
        ...


@attrs.frozen(eq=False)
class Game:
    """A game given by a Python function v(frozenset) -> float.

    Examples
    --------
    The glove game: player ``L`` owns a left glove, ``R1`` and ``R2`` right
    gloves; a pair is worth 1.

    >>> g = Game(("L", "R1", "R2"), lambda s: float(min("L" in s, len(s - {"L"}))))
    >>> shapley_value(g).shares.round(4).to_dict()
    {'L': 0.6667, 'R1': 0.1667, 'R2': 0.1667}
    """

    players: tuple[Any, ...] = attrs.field(converter=tuple)
    function: Callable[[frozenset[Any]], float]

    def values(self, coalitions: Iterable[frozenset[Any]]) -> dict[frozenset[Any], float]:
        return {frozenset(s): float(self.function(frozenset(s))) for s in coalitions}

    @classmethod
    def from_table(cls, players: Sequence[Any], table: Mapping[frozenset[Any], float]) -> Game:
        """A game from a table of values (missing coalitions are worth 0)."""
        t = {frozenset(k): float(v) for k, v in table.items()}
        return cls(tuple(players), lambda s: t.get(s, 0.0))


# ---------------------------------------------------------------- Shapley
@attrs.frozen(eq=False)
class ShapleyResult:
    """Shapley value of a game.

    Attributes
    ----------
    shares : pandas.Series
        phi_i by player; sums to ``grand_value`` (efficiency).
    std_error : pandas.Series
        Monte Carlo standard error by player (0 when exact).
    grand_value : float
        v(N).
    method : {"exact", "sampled"}
    n_permutations : int
        Permutations sampled (0 when exact).
    evaluations : int
        Distinct coalitions whose value was used.
    """

    shares: pd.Series
    std_error: pd.Series
    grand_value: float
    method: str
    n_permutations: int
    evaluations: int

    def table(self) -> pd.DataFrame:
        """player, share, std_error, pct_of_total."""
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = 100 * self.shares / self.grand_value if self.grand_value else self.shares * np.nan
        return pd.DataFrame(
            {"player": self.shares.index, "share": self.shares.to_numpy(), "std_error": self.std_error.to_numpy(), "pct_of_total": pct.to_numpy()}
        )


def _popcount(masks: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros_like(masks)
    for j in range(n):
        out += (masks >> j) & 1
    return out


def _coalition_of(mask: int, players: Sequence[Any]) -> frozenset[Any]:
    return frozenset(p for j, p in enumerate(players) if mask >> j & 1)


def shapley_value(
    game: CoalitionGame,
    method: str = "auto",
    *,
    n_permutations: int = 200,
    seed: int = 0,
    exact_max_players: int = 10,
) -> ShapleyResult:
    """The Shapley value of a game.

    phi_i = sum over S not containing i of |S|! (n-|S|-1)! / n! [v(S + i) - v(S)].

    Parameters
    ----------
    game : CoalitionGame
        :class:`Game`, :class:`PoolingGame` or anything with ``players`` and
        ``values(coalitions)``.
    method : {"auto", "exact", "sampled"}
        ``"exact"`` evaluates all 2^n coalitions; ``"sampled"`` averages
        marginal contributions over ``n_permutations`` random orders (seeded;
        each order's contributions sum to v(N), so the estimate is efficient
        too); ``"auto"``: exact up to ``exact_max_players``.

    Returns
    -------
    ShapleyResult

    Examples
    --------
    Airport game as savings: three planes needing runways costing 1, 2 and 3.

    >>> cost = {"a": 1.0, "b": 2.0, "c": 3.0}
    >>> g = Game(tuple(cost), lambda s: max((cost[p] for p in s), default=0.0))
    >>> shapley_value(g).shares.round(4).tolist()
    [0.3333, 0.8333, 1.8333]
    """
    players = tuple(game.players)
    n = len(players)
    if method not in ("auto", "exact", "sampled"):
        raise InvalidInputError("shapley", None, "method", "'auto', 'exact' or 'sampled'", method)
    if n == 0:
        raise InvalidInputError("shapley", None, "players", "at least one player", 0)
    exact = method == "exact" or (method == "auto" and n <= exact_max_players)
    if exact:
        masks = np.arange(2**n, dtype=np.int64)
        coalitions = [_coalition_of(int(m), players) for m in masks]
        vals = game.values(coalitions)
        v = np.array([vals[c] for c in coalitions], dtype=float)
        size = _popcount(masks, n)
        fact = [math.factorial(k) for k in range(n + 1)]
        w = np.array([fact[k] * fact[n - k - 1] / fact[n] for k in range(n)])
        phi = np.zeros(n)
        for i in range(n):
            without = masks[(masks & (1 << i)) == 0]
            phi[i] = float(np.sum(w[size[without]] * (v[without | (1 << i)] - v[without])))
        shares = pd.Series(phi, index=pd.Index(players, name="player"), name="share")
        se = pd.Series(0.0, index=shares.index, name="std_error")
        return ShapleyResult(shares, se, float(v[-1]), "exact", 0, len(coalitions))
    if n_permutations < 2:
        raise InvalidInputError("shapley", None, "n_permutations", "at least 2", n_permutations)
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(n) for _ in range(n_permutations)])
    prefixes = {frozenset(players[j] for j in perm[:k]) for perm in perms for k in range(n + 1)}
    order = sorted(prefixes, key=lambda s: (len(s), sorted(players.index(p) for p in s)))
    vals = game.values(order)
    marg = np.zeros((n_permutations, n))
    for r, perm in enumerate(perms):
        prev = vals[frozenset()]
        members: set[Any] = set()
        for j in perm:
            members.add(players[j])
            cur = vals[frozenset(members)]
            marg[r, j] = cur - prev
            prev = cur
    idx = pd.Index(players, name="player")
    shares = pd.Series(marg.mean(axis=0), index=idx, name="share")
    se = pd.Series(marg.std(axis=0, ddof=1) / math.sqrt(n_permutations), index=idx, name="std_error")
    return ShapleyResult(shares, se, float(vals[frozenset(players)]), "sampled", n_permutations, len(order))


# ---------------------------------------------------------------- core
@attrs.frozen(eq=False)
class CoreCheck:
    """Whether an allocation is in the core (no coalition does better alone).

    Attributes
    ----------
    stable : bool
        Efficient and no violation among the coalitions checked.
    efficient : bool
        Allocations sum to v(N) (within tolerance).
    violations : pandas.DataFrame
        coalition (tuple), size, value v(S), allocated x(S), excess (how much
        S is short: v(S) - x(S) for savings, x(S) - c(S) for costs), sorted by
        excess, largest first.
    n_checked : int
        Coalitions checked.
    exhaustive : bool
        Every coalition was checked (otherwise a seeded sample).
    max_excess : float
        Largest excess found (<= tolerance when stable).
    """

    stable: bool
    efficient: bool
    violations: pd.DataFrame
    n_checked: int
    exhaustive: bool
    max_excess: float


def core_check(
    game: CoalitionGame,
    allocation: Mapping[Any, float] | pd.Series | ShapleyResult,
    *,
    exhaustive: bool | None = None,
    n_samples: int = 200,
    seed: int = 0,
    tol: float = 1e-6,
    sense: str = "saving",
) -> CoreCheck:
    """Check core stability of an allocation.

    For a savings game (``sense="saving"``) the core asks x(S) >= v(S) for
    every coalition S and x(N) = v(N); for a cost game (``sense="cost"``)
    x(S) <= c(S). Tolerances are relative: ``tol * max(1, |v(N)|)``.

    Parameters
    ----------
    exhaustive : bool, optional
        Check all 2^n - 2 proper coalitions (default when n <= 12); otherwise
        ``n_samples`` coalitions drawn with a uniform size and seeded members.

    Examples
    --------
    The glove game's core is (1, 0, 0): the Shapley value is not in it.

    >>> g = Game(("L", "R1", "R2"), lambda s: float(min("L" in s, len(s - {"L"}))))
    >>> c = core_check(g, shapley_value(g))
    >>> c.stable, c.violations.coalition.iloc[0]
    (False, ('L', 'R1'))
    """
    if sense not in ("saving", "cost"):
        raise InvalidInputError("core_check", None, "sense", "'saving' or 'cost'", sense)
    players = tuple(game.players)
    x = allocation.shares if isinstance(allocation, ShapleyResult) else pd.Series(allocation, dtype=float)
    missing = [p for p in players if p not in x.index]
    if missing:
        raise InvalidInputError("allocation", missing[0], None, "an amount for every player", "nothing")
    coalitions, exhaustive = _proper_coalitions(players, exhaustive, n_samples, seed)
    grand = frozenset(players)
    vals = game.values(coalitions + [grand])
    scale = tol * max(1.0, abs(vals[grand]))
    total = float(x.reindex(players).sum())
    efficient = abs(total - vals[grand]) <= scale
    rows = []
    for s in coalitions:
        members = tuple(p for p in players if p in s)  # players' order: a set's order changes with the process
        alloc = float(x.reindex(list(members)).sum())
        excess = vals[s] - alloc if sense == "saving" else alloc - vals[s]
        rows.append((members, len(s), vals[s], alloc, excess))
    df = pd.DataFrame(rows, columns=["coalition", "size", "value", "allocated", "excess"])
    max_excess = float(df.excess.max()) if len(df) else 0.0
    viol = df[df.excess > scale].sort_values(["excess", "size"], ascending=[False, True], kind="stable")
    return CoreCheck(
        stable=bool(efficient and viol.empty),
        efficient=bool(efficient),
        violations=viol.reset_index(drop=True),
        n_checked=len(coalitions),
        exhaustive=bool(exhaustive),
        max_excess=max_excess,
    )


@attrs.frozen(eq=False)
class LeastCore:
    """The least core: the allocation that minimises the largest excess.

    Attributes
    ----------
    allocation : pandas.Series
        x_i by player, summing to v(N).
    epsilon : float
        The smallest e such that x(S) >= v(S) - e for every coalition
        checked. ``epsilon <= 0`` (within tolerance) means the core is not
        empty and ``allocation`` is in it (among the coalitions checked).
    core_nonempty : bool
    exhaustive : bool
        Every coalition was used (otherwise a seeded sample: a relaxation).
    """

    allocation: pd.Series
    epsilon: float
    core_nonempty: bool
    exhaustive: bool


def least_core(
    game: CoalitionGame,
    *,
    exhaustive: bool | None = None,
    n_samples: int = 500,
    seed: int = 0,
    tol: float = 1e-6,
) -> LeastCore:
    """Solve the least-core LP of a savings game.

        min e   s.t.  sum_(i in S) x_i + e >= v(S)  for every proper coalition S,
                      sum_i x_i = v(N).

    Tells whether any split is stable when the Shapley value is not.

    Examples
    --------
    >>> lc = least_core(Game(("L", "R1", "R2"), lambda s: float(min("L" in s, len(s - {"L"})))))
    >>> lc.core_nonempty, (lc.allocation.round(6) + 0.0).tolist()
    (True, [1.0, 0.0, 0.0])
    """
    from rcc.core import solvers

    players = tuple(game.players)
    n = len(players)
    coalitions, exhaustive = _proper_coalitions(players, exhaustive, n_samples, seed)
    grand = frozenset(players)
    vals = game.values(coalitions + [grand])
    prob = solvers.new_problem("least_core")
    x = solvers.add_variables(prob, "x", n, low=None)
    (e,) = solvers.add_variables(prob, "e", 1, low=None)
    pos = {p: i for i, p in enumerate(players)}
    for s in coalitions:  # each coalition's terms in the players' order, the same in every process
        solvers.add_constraint(prob, solvers.affine([x[pos[p]] for p in players if p in s] + [e]) >= vals[s])
    solvers.add_constraint(prob, solvers.affine(x) == vals[grand])
    prob.setObjective(solvers.affine([e]))
    outcome = solvers.solve_problem(prob, solvers.highs_solver(msg=False, time_limit=None, gap=None, threads=1))
    if outcome.status != "optimal":
        raise SolverError(f"least-core LP: solver status {outcome.status}")
    alloc = pd.Series(solvers.values(x), index=pd.Index(players, name="player"), name="allocation")
    eps = float(solvers.values([e])[0]) if coalitions else 0.0
    scale = tol * max(1.0, abs(vals[grand]))
    return LeastCore(alloc, eps, eps <= scale, bool(exhaustive))


def _proper_coalitions(
    players: tuple[Any, ...], exhaustive: bool | None, n_samples: int, seed: int
) -> tuple[list[frozenset[Any]], bool]:
    """Every proper non-empty coalition (exhaustive, the default up to 12
    players) or a seeded sample of them; and whether it was exhaustive."""
    n = len(players)
    if exhaustive is None:
        exhaustive = n <= 12
    if exhaustive:
        return [_coalition_of(m, players) for m in range(1, 2**n - 1)], True
    return _sample_coalitions(players, n_samples, seed), False


def _sample_coalitions(players: Sequence[Any], n_samples: int, seed: int) -> list[frozenset[Any]]:
    n = len(players)
    rng = np.random.default_rng(seed)
    seen: dict[frozenset[Any], None] = {}
    for _ in range(n_samples):
        k = int(rng.integers(1, n)) if n > 1 else 1
        seen[frozenset(players[j] for j in rng.choice(n, size=k, replace=False))] = None
    return list(seen)
