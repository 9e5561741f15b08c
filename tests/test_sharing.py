"""Shapley cost sharing and core checks: textbook games and the pooling game."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import rcc
from rcc.analysis.sharing import Game, PoolingGame, core_check, least_core, shapley_value, share_savings
from rcc.core.errors import InvalidInputError

MILES_PER_DEG_LAT = 69.09


def glove() -> Game:
    return Game(("L", "R1", "R2"), lambda s: float(min("L" in s, len(s - {"L"}))))


def random_game(n: int, seed: int) -> Game:
    """A random monotone game (values of coalitions drawn once, cumulated)."""
    rng = np.random.default_rng(seed)
    base = {frozenset(c): float(rng.uniform(0, 10)) for k in range(2, n + 1) for c in itertools.combinations(range(n), k)}

    def v(s: frozenset) -> float:
        return sum(val for c, val in base.items() if c <= s)

    return Game(tuple(range(n)), v)


def brute_force_shapley(game: Game) -> np.ndarray:
    """Average marginal contribution over all n! orders."""
    players = game.players
    n = len(players)
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        s: set = set()
        for j in order:
            before = game.function(frozenset(players[i] for i in s))
            s.add(j)
            phi[j] += game.function(frozenset(players[i] for i in s)) - before
    return phi / math.factorial(n)


# ---------------------------------------------------------------- textbook games
def test_glove_game_hand_computed() -> None:
    sh = shapley_value(glove())
    assert sh.method == "exact"
    np.testing.assert_allclose(sh.shares.to_numpy(), [2 / 3, 1 / 6, 1 / 6])
    assert sh.grand_value == 1.0
    # its core is the single point (1, 0, 0): Shapley is outside, (1, 0, 0) inside
    c = core_check(glove(), sh)
    assert not c.stable and c.efficient
    assert set(c.violations.coalition) == {("L", "R1"), ("L", "R2")}
    np.testing.assert_allclose(c.violations.excess, [1 / 6, 1 / 6])
    assert core_check(glove(), {"L": 1.0, "R1": 0.0, "R2": 0.0}).stable


def test_airport_game_hand_computed() -> None:
    # runway costs 1, 2, 3: each segment shared by the planes that need it
    cost = {"a": 1.0, "b": 2.0, "c": 3.0}
    g = Game(tuple(cost), lambda s: max((cost[p] for p in s), default=0.0))
    sh = shapley_value(g)
    np.testing.assert_allclose(sh.shares.to_numpy(), [1 / 3, 1 / 3 + 1 / 2, 1 / 3 + 1 / 2 + 1])
    # a cost game: the Shapley value of an airport game is in its core
    assert core_check(g, sh, sense="cost").stable
    assert not core_check(g, {"a": 3.0, "b": 0.0, "c": 0.0}, sense="cost").stable


def test_symmetry_and_convex_game_in_core() -> None:
    g = Game(tuple("abcd"), lambda s: float(len(s) ** 2))
    sh = shapley_value(g)
    np.testing.assert_allclose(sh.shares.to_numpy(), [4.0] * 4)
    check = core_check(g, sh)
    assert check.stable and check.exhaustive and check.n_checked == 2**4 - 2


def test_dummy_player_gets_nothing() -> None:
    inner = random_game(4, seed=3)
    g = Game((*inner.players, "dummy"), lambda s: inner.function(frozenset(s - {"dummy"})))
    assert shapley_value(g).shares["dummy"] == pytest.approx(0.0, abs=1e-12)
    sampled = shapley_value(g, "sampled", n_permutations=50, seed=1)
    assert sampled.shares["dummy"] == pytest.approx(0.0, abs=1e-12)
    assert sampled.std_error["dummy"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 4, 6])
def test_exact_equals_brute_force_and_is_efficient(n: int) -> None:
    g = random_game(n, seed=n)
    sh = shapley_value(g)
    np.testing.assert_allclose(sh.shares.to_numpy(), brute_force_shapley(g), rtol=1e-12, atol=1e-9)
    assert sh.shares.sum() == pytest.approx(g.function(frozenset(g.players)), rel=1e-12)


def test_sampled_agrees_with_exact() -> None:
    g = random_game(6, seed=11)
    exact = shapley_value(g)
    s = shapley_value(g, "sampled", n_permutations=3000, seed=5)
    assert s.method == "sampled" and s.n_permutations == 3000
    # efficient exactly (every order's contributions add up to v(N))
    assert s.shares.sum() == pytest.approx(exact.grand_value, rel=1e-12)
    err = (s.shares - exact.shares).abs()
    assert (err <= 4 * s.std_error + 1e-9).all()
    assert (s.std_error > 0).all()
    # same seed, same estimate
    again = shapley_value(g, "sampled", n_permutations=3000, seed=5)
    pd.testing.assert_series_equal(s.shares, again.shares)


def test_auto_switches_to_sampling_for_large_games() -> None:
    w = {i: float(i + 1) for i in range(14)}
    g = Game(tuple(w), lambda s: sum(w[p] for p in s))  # additive: phi_i = w_i exactly
    sh = shapley_value(g, n_permutations=20, seed=0)
    assert sh.method == "sampled"
    np.testing.assert_allclose(sh.shares.to_numpy(), list(w.values()))
    check = core_check(g, sh, n_samples=100, seed=2)
    assert not check.exhaustive and check.stable and 50 <= check.n_checked <= 100
    bad = core_check(g, {**w, 0: 0.0, 13: w[13] + w[0]}, n_samples=300, seed=2)
    assert not bad.stable
    assert all(0 in c for c in bad.violations.coalition)


def test_errors() -> None:
    with pytest.raises(InvalidInputError):
        shapley_value(glove(), "magic")
    with pytest.raises(InvalidInputError):
        core_check(glove(), {"L": 1.0})


# ---------------------------------------------------------------- the pooling game
@pytest.fixture
def toy() -> rcc.Region:
    """A has spare in-house carers, B too few, C has none (only an IFA, and
    no children): pooling A+B places B's extra child; C is a dummy."""
    d = 7 / MILES_PER_DEG_LAT
    councils = pd.DataFrame(
        {
            "council_id": ["A", "B", "C"],
            "name": ["Aton", "Beeton", "Ceeton"],
            "region": "R",
            "lat": [53.0, 53.0 + d, 53.0 + 2 * d],
            "lon": -2.0,
        }
    )
    homes = pd.DataFrame(
        {
            "home_id": ["fA", "fB", "iC"],
            "council_id": ["A", "B", "C"],
            "provider_id": ["LA:A", "LA:B", "IFA"],
            "home_type": ["in_house_fostering", "in_house_fostering", "ifa_fostering"],
            "places": [5, 1, 2],
            "needs": "mainstream",
            "weekly_cost_gbp": [550.0, 550.0, 950.0],
        }
    )
    cohorts = pd.DataFrame(
        {"cohort_id": ["a", "b"], "council_id": ["A", "B"], "need": "mainstream", "age_band": "5-10", "children": [2, 4]}
    )
    providers = pd.DataFrame(
        {"provider_id": ["LA:A", "LA:B", "IFA"], "name": ["A", "B", "IFA"], "sector": ["council", "council", "private"]}
    )
    return rcc.Region.from_frames(councils, homes, cohorts, providers=providers, name="toy")


def test_pooling_game_values(toy: rcc.Region) -> None:
    g = PoolingGame(toy, executor="serial", measure="objective")
    v = g.values([frozenset(), frozenset("A"), frozenset("AB"), frozenset("AC"), frozenset("ABC")])
    assert v[frozenset()] == 0 and v[frozenset("A")] == 0
    assert v[frozenset("AC")] == pytest.approx(0.0, abs=1e-6)  # C brings nothing
    # A+B pool: B's unmet child (penalty 10,000) finds a carer in A, 7 miles away
    assert 9_900 < v[frozenset("AB")] < 10_100
    assert v[frozenset("ABC")] == pytest.approx(v[frozenset("AB")])
    assert g.evaluations == 3  # only coalitions of two or more are solved, once each
    g.values([frozenset("AB")])
    assert g.evaluations == 3


def test_share_savings_split(toy: rcc.Region) -> None:
    cs = share_savings(toy, executor="serial", progress=False, measure="objective")
    t = cs.table().set_index("council_id")
    assert cs.shapley.method == "exact"
    total = cs.total_saving
    assert t.shapley_share.sum() == pytest.approx(total, rel=1e-12)  # efficiency
    assert t.loc["A", "shapley_share"] == pytest.approx(total / 2)  # two symmetric contributors
    assert t.loc["B", "shapley_share"] == pytest.approx(total / 2)
    assert t.loc["C", "shapley_share"] == pytest.approx(0.0, abs=1e-6)  # dummy
    # B's own children save it all directly; the Shapley transfer pays A for its carers
    assert t.loc["A", "direct_saving"] <= 0 < t.loc["B", "direct_saving"]
    assert t.loc["A", "transfer"] > 0 > t.loc["B", "transfer"]
    assert t.transfer.sum() == pytest.approx(0.0, abs=1e-6)
    assert t.joining_pays.all()
    assert cs.core.stable and cs.core.exhaustive
    assert "core: stable" in " ".join(cs.summary().split())  # (the summary wraps its prose at 100 characters)


def test_pooling_game_on_real_councils_process_pool_equals_serial() -> None:
    gm = rcc.datasets.england("Greater Manchester RCC")
    players = gm.council_ids[:4]
    serial = shapley_value(PoolingGame(gm, players, executor="serial"))
    pooled = shapley_value(PoolingGame(gm, players, executor="process", batch_size=3))
    pd.testing.assert_series_equal(serial.shares, pooled.shares, check_exact=True)
    assert serial.shares.sum() == pytest.approx(serial.grand_value, rel=1e-9)
    game = PoolingGame(gm, players, executor="serial", measure="objective")
    vals = game.values([frozenset(c) for k in range(5) for c in itertools.combinations(players, k)])
    # pooling relaxes the rules: savings are never negative and grow with the coalition
    scale = 1e-7 * max(1.0, max(vals.values()))
    for s, val in vals.items():
        assert val >= -scale
        for p in players:
            if p not in s:
                assert vals[s | {p}] >= val - scale


def test_pooling_game_rejects_unknown_players(toy: rcc.Region) -> None:
    with pytest.raises(InvalidInputError, match="players"):
        PoolingGame(toy, ["A", "Z"])
    with pytest.raises(InvalidInputError, match="coalition"):
        PoolingGame(toy, ["A", "B"], executor="serial").values([frozenset("AC")])


def test_least_core() -> None:
    lc = least_core(glove())
    assert lc.core_nonempty and lc.exhaustive
    np.testing.assert_allclose(lc.allocation.to_numpy(), [1.0, 0.0, 0.0], atol=1e-9)
    assert core_check(glove(), lc.allocation).stable
    # majority game of 3: any two players win 1; the core is empty, least-core e = 1/3
    maj = Game(("a", "b", "c"), lambda s: float(len(s) >= 2))
    lc2 = least_core(maj)
    assert not lc2.core_nonempty
    assert lc2.epsilon == pytest.approx(1 / 3)
    np.testing.assert_allclose(lc2.allocation.to_numpy(), [1 / 3] * 3, atol=1e-9)
    # a convex game: its least-core point is in the core
    g = Game(tuple("abcd"), lambda s: float(len(s) ** 2))
    assert core_check(g, least_core(g).allocation).stable


_CORE_IN_A_PROCESS = """
import numpy as np, pandas as pd
from rcc.analysis.games import Game, core_check
rng = np.random.default_rng(0)
players = tuple(f"E{i:02d}x" for i in range(12))
w = dict(zip(players, rng.random(12)))
game = Game(players, lambda s: float(sum(w[p] for p in sorted(s)) ** 1.3))
x = pd.Series(rng.random(12) * 0.1, index=list(players))  # far from the core: many coalitions object
check = core_check(game, x, exhaustive=True)
print(check.max_excess.hex(), check.violations.allocated.map(float.hex).str.cat(sep=","))
"""


def test_core_check_is_the_same_number_in_every_process() -> None:
    # a coalition is a set: summed in its own order, its allocation changed in the last bits with the process's
    # hash seed (and a borderline objection could come and go); summed in the players' order it cannot
    import os
    import subprocess
    import sys

    runs = {
        subprocess.run(
            [sys.executable, "-c", _CORE_IN_A_PROCESS],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "2")
    }
    assert len(runs) == 1 and len(next(iter(runs))) > 1000
