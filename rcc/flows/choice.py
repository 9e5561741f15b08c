"""The placement choice rule: each referral takes the nearest suitable free place, by type preference.

A :class:`Network` holds, per key (home council x need x age band), the homes
a child may live in, sorted by preference tier (in-house and kinship, then
agency, then residential), distance, weekly cost and home. :func:`place` puts
a batch of referrals into free places in one vectorised pass per round: each
referral proposes to the first home on its list that has a free place and
suits it (a per-type chance, drawn once per referral and home from a counter
hash, so a draw never depends on the order of the work); a home takes its
proposers in priority order up to its free places; the others look further
down their list next round. A referral with no free suitable home on its list
stays unplaced (waiting).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES, NEEDS
from rcc.core.validate import is_real

__all__ = ["DEFAULT_NEED_TIERS", "DEFAULT_SUIT_CHANCE", "DEFAULT_TIERS", "ChoiceRule", "Network", "place", "uniform_hash"]

#: Preference tier of each home type (lower first): in-house and kinship, then agency, then residential.
DEFAULT_TIERS: dict[str, int] = {
    "kinship": 0,
    "in_house_fostering": 0,
    "ifa_fostering": 1,
    "childrens_home": 2,
    "residential_school": 2,
    "secure_home": 2,
    "supported_accommodation": 2,
}
#: Chance a free place of each type suits a child who is eligible for it (placeholders, not calibrated).
DEFAULT_SUIT_CHANCE: dict[str, float] = {
    "kinship": 0.3,
    "in_house_fostering": 0.5,
    "ifa_fostering": 0.6,
    "childrens_home": 0.5,
    "residential_school": 0.6,
    "secure_home": 0.9,
    "supported_accommodation": 0.7,
}
#: Per need, tiers that differ from :data:`DEFAULT_TIERS`: unaccompanied asylum-seeking children of 16 and 17
#: (the ages supported accommodation takes) are placed in supported accommodation first, as the embedded
#: supply assumes (:mod:`rcc.datasets.supply`: UASC foster places for those the published supported
#: accommodation does not hold, at least the under-16s); foster places are kept for the younger ones.
DEFAULT_NEED_TIERS: dict[str, dict[str, int]] = {"uasc": {"supported_accommodation": -1}}  # before every tier
_WINDOW = 16  # candidates looked at per referral per vectorised step
_EASE_DRAW = 2**63 + 0x5EED  # the third hash input of a referral's ease draw (never a home index)


def multiple(table: str, row: object, value: object) -> float:
    """``value`` as a float if it is a real number from 0 to 100 (not a bool, a string, NaN or infinite),
    else :class:`InvalidInputError` naming the choice rule's ``table`` and ``row``."""
    if not is_real(value) or not 0 <= float(value) <= 100:  # type: ignore[arg-type]
        raise InvalidInputError("choice rule", row, table, "a multiple from 0 to 100", value)
    return float(value)  # type: ignore[arg-type]


def _multiples(table: str):
    """An attrs converter: a mapping of name to :func:`multiple`, refused with ``table`` named otherwise."""

    def convert(value: object) -> dict[str, float]:
        if not isinstance(value, Mapping):
            raise InvalidInputError("choice rule", None, table, "a mapping of name to multiple", value)
        return {k: multiple(table, k, m) for k, m in value.items()}

    return convert


def _copy_tables(value: object) -> object:
    """A copy of a mapping of mappings (anything else as given, for the rule's check to refuse)."""
    if isinstance(value, Mapping) and all(isinstance(v, Mapping) for v in value.values()):
        return {k: dict(v) for k, v in value.items()}
    return value


@attrs.frozen
class ChoiceRule:
    """How referrals choose homes: a preference tier and a chance of suiting per home type.

    Parameters
    ----------
    tiers : Mapping[str, int]
        Preference tier per home type (lower first); equal tiers: nearest first.
    suit_chance : Mapping[str, float]
        Chance a free place of the type suits an eligible child (0 to 1): the scarcity a calibration fits.
    match_spread : float
        How unequal children are to match with commissioned places (0: alike). Each referral's suit chances
        of homes in a tier above 0 (agency and residential) are multiplied by ``u ** match_spread``, ``u``
        uniform and drawn once per referral (:func:`place`): most children are suited by many homes, a few by
        hardly any, and those go far (the long tail of distances). Tier 0 (kinship, the council's own carers)
        is the council's own search, not a market match.
    region_scale : Mapping[str, float]
        Per region (by name): a multiple of the suit chance of the region's homes in a tier above 0 (agency
        and residential: the market's scarcity there), the result capped at 1; a region not named: 1.
        Applied where homes are known by region (:func:`rcc.simulate.build_engine`, from the region of the
        home's council).
    region_spread : Mapping[str, float]
        Per region: a multiple of :attr:`match_spread` for the region's homes (how much harder a child who is
        hard to match finds a place there); a region not named: 1.
    type_spread : Mapping[str, float]
        Per home type: a multiple of :attr:`match_spread` for homes of the type (children's homes match
        children one by one, to the group already living there: a child hard to match is harder to match
        there than with a foster carer); a type not named: 1. Multiplies :attr:`region_spread`.
    need_tiers : Mapping[str, Mapping[str, int]]
        Per need (:data:`rcc.core.schema.NEEDS`), tiers of home types that differ from :attr:`tiers` for
        children of that need (:data:`DEFAULT_NEED_TIERS`: UASC to supported accommodation first, which takes
        only 16 and 17 year olds). They order a child's candidate homes only: the match spread and
        :attr:`region_scale` follow :attr:`tiers` (a home's, whoever the child), so supported accommodation
        stays a market match for a UASC too. A rule acts on referrals: a UASC who turns 16 in a foster home
        stays there.
    """

    tiers: Mapping[str, int] = attrs.field(factory=lambda: dict(DEFAULT_TIERS))
    suit_chance: Mapping[str, float] = attrs.field(factory=lambda: dict(DEFAULT_SUIT_CHANCE))
    match_spread: float = attrs.field(default=0.0, converter=float)
    region_scale: Mapping[str, float] = attrs.field(factory=dict, converter=_multiples("region_scale"))
    region_spread: Mapping[str, float] = attrs.field(factory=dict, converter=_multiples("region_spread"))
    type_spread: Mapping[str, float] = attrs.field(factory=dict, converter=_multiples("type_spread"))
    need_tiers: Mapping[str, Mapping[str, int]] = attrs.field(default=DEFAULT_NEED_TIERS, converter=_copy_tables)

    def __attrs_post_init__(self) -> None:
        for table in ("tiers", "suit_chance"):
            values = getattr(self, table)
            missing = [t for t in HOME_TYPES if t not in values]
            if missing:
                raise InvalidInputError("choice rule", missing[0], table, "a value for every home type", "nothing")
        for t, p in self.suit_chance.items():
            if not 0 <= float(p) <= 1:
                raise InvalidInputError("choice rule", t, "suit_chance", "a chance from 0 to 1", p)
        for t in self.type_spread:  # the multiples themselves are checked on the way in (_multiples)
            if t not in HOME_TYPES:
                raise InvalidInputError("choice rule", t, "type_spread", f"a home type from {list(HOME_TYPES)}", t)
        for t, tier in self.tiers.items():
            _check_tier("tiers", t, tier)
        if not isinstance(self.need_tiers, Mapping):
            raise InvalidInputError("choice rule", None, "need_tiers", "a mapping of need to {home type: tier}", self.need_tiers)
        for need, table in self.need_tiers.items():
            if need not in NEEDS:
                raise InvalidInputError("choice rule", need, "need_tiers", f"a need from {list(NEEDS)}", need)
            if not isinstance(table, Mapping):
                raise InvalidInputError("choice rule", need, "need_tiers", "a mapping of home type to tier", table)
            for t, tier in table.items():
                if t not in HOME_TYPES:
                    raise InvalidInputError("choice rule", need, "need_tiers", f"a home type from {list(HOME_TYPES)}", t)
                _check_tier("need_tiers", need, tier)
        if not 0 <= self.match_spread <= 50:
            raise InvalidInputError("choice rule", None, "match_spread", "a number from 0 to 50", self.match_spread)

    def tier_array(self) -> np.ndarray:
        """Tier per home type index."""
        return np.array([int(self.tiers[t]) for t in HOME_TYPES], dtype=np.int64)

    def tier_table(self) -> np.ndarray:
        """Tier per need index x home type index (:attr:`tiers`, with :attr:`need_tiers` where they differ)."""
        table = np.tile(self.tier_array(), (len(NEEDS), 1))
        for need, tiers in self.need_tiers.items():
            for t, tier in tiers.items():
                table[NEEDS.index(need), HOME_TYPES.index(t)] = int(tier)
        return table

    def spread_array(self) -> np.ndarray:
        """Match spread per home type index (:attr:`match_spread` times :attr:`type_spread` above tier 0, else 0)."""
        scale = np.array([float(self.type_spread.get(t, 1.0)) for t in HOME_TYPES])
        return np.where(self.tier_array() > 0, self.match_spread * scale, 0.0)

    def suit_array(self) -> np.ndarray:
        """Suit chance per home type index."""
        return np.array([float(self.suit_chance[t]) for t in HOME_TYPES], dtype=float)

    def home_spread(self, kind: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Match spread per home: :meth:`spread_array` of its type times :attr:`region_spread` of its region."""
        return self.spread_array()[kind] * _per_region(self.region_spread, region)

    def home_suits(self, kind: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Suit chance per home from its type index ``kind`` and its region's name: the type's chance times
        :attr:`region_scale` for types in a tier above 0, capped at 1."""
        scale = np.where(self.tier_array()[kind] > 0, _per_region(self.region_scale, region), 1.0)
        return np.minimum(self.suit_array()[kind] * scale, 1.0)


def _check_tier(table: str, row: object, tier: object) -> None:
    """A tier is a whole number (a bool or a fraction is refused, not rounded)."""
    if isinstance(tier, bool) or not isinstance(tier, (int, np.integer)) or not -100 <= int(tier) <= 100:
        raise InvalidInputError("choice rule", row, table, "a whole-number tier from -100 to 100", tier)


def _per_region(table: Mapping[str, float], region: np.ndarray) -> np.ndarray:
    """``table``'s multiple for each region name (1 where it names none)."""
    names = pd.Series(np.asarray(region, dtype=object), dtype=object)
    return names.map(dict(table)).astype(float).fillna(1.0).to_numpy(dtype=float)


@attrs.frozen(eq=False)
class Network:
    """Candidate homes per key, in preference order (compressed rows).

    Attributes
    ----------
    start : numpy.ndarray
        ``start[k]:start[k + 1]`` are key ``k``'s positions in ``home``.
    home : numpy.ndarray
        Candidate homes, each key's in preference order.
    """

    start: np.ndarray
    home: np.ndarray
    pairs: np.ndarray = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        keys_of = np.repeat(np.arange(len(self.start) - 1), np.diff(self.start))
        object.__setattr__(self, "pairs", np.sort(keys_of * self.width + self.home))

    @property
    def width(self) -> int:
        """One more than the largest home on any list."""
        return int(self.home.max()) + 1 if len(self.home) else 1

    @classmethod
    def from_edges(cls, key: np.ndarray, home: np.ndarray, order_keys: tuple[np.ndarray, ...], n_keys: int) -> Network:
        """Build from edges ``(key, home)`` ordered within a key by ``order_keys`` (most important first)."""
        key = np.asarray(key, dtype=np.int64)
        order = np.lexsort((np.asarray(home), *reversed(order_keys), key))
        start = np.zeros(n_keys + 1, dtype=np.int64)
        np.add.at(start, key + 1, 1)
        return cls(np.cumsum(start), np.asarray(home, dtype=np.int64)[order])

    def contains(self, key: np.ndarray, home: np.ndarray) -> np.ndarray:
        """Whether each ``home`` is on its ``key``'s list."""
        n_homes, pairs = self.width, self.pairs
        want = np.asarray(key, dtype=np.int64) * n_homes + np.asarray(home, dtype=np.int64)
        if not len(pairs):
            return np.zeros(len(want), dtype=bool)
        at = np.minimum(np.searchsorted(pairs, want), len(pairs) - 1)
        return (np.asarray(home) >= 0) & (np.asarray(home) < n_homes) & (pairs[at] == want)


def uniform_hash(*parts: np.ndarray | int) -> np.ndarray:
    """Uniform numbers in [0, 1) from integer arrays (splitmix64): the same inputs, the same number."""
    with np.errstate(over="ignore"):
        x = np.uint64(0x9E3779B97F4A7C15)
        for p in parts:
            x = (x ^ np.asarray(p).astype(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
            x = x ^ (x >> np.uint64(31))
            x = x * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(29))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _first_open(
    ref: np.ndarray,
    pos: np.ndarray,
    end: np.ndarray,
    network: Network,
    free: np.ndarray,
    suits: np.ndarray,
    salt: int,
    ease: np.ndarray,
    spread: np.ndarray,
) -> np.ndarray:
    """For each referral, the first position from ``pos`` (before ``end``) whose home is free and suits it;
    ``end`` if none."""
    found = end.copy()
    todo = np.flatnonzero(pos < end)
    cur = pos[todo]
    while len(todo):
        w = np.arange(_WINDOW)
        at = cur[:, None] + w[None, :]
        inside = at < end[todo][:, None]
        h = network.home[np.minimum(at, len(network.home) - 1)]
        ok = inside & (free[h] > 0)
        ok &= uniform_hash(salt, ref[todo][:, None], h) < suits[h] * ease[todo][:, None] ** spread[h]
        hit = ok.any(axis=1)
        found[todo[hit]] = at[hit, ok[hit].argmax(axis=1)]
        cur = cur + _WINDOW
        more = ~hit & (cur < end[todo])
        todo, cur = todo[more], cur[more]
    return found


def place(
    key: np.ndarray,
    ref: np.ndarray,
    priority: np.ndarray,
    network: Network,
    free: np.ndarray,
    suits: np.ndarray,
    salt: int,
    match_spread: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Homes for a batch of referrals (``-1``: none free and suitable); ``free`` is decreased in place.

    Parameters
    ----------
    key : numpy.ndarray
        Each referral's key in ``network``.
    ref : numpy.ndarray
        A number unique to each referral in this batch and stable across executors (drives its suit draws).
    priority : numpy.ndarray
        Order in which a home takes its proposers (lower first; distinct values).
    network : Network
    free : numpy.ndarray
        Free places per home.
    suits : numpy.ndarray
        Chance each home suits an eligible child (from its type).
    salt : int
        The batch's seed (seed and month).
    match_spread : float or numpy.ndarray
        Per home (or one for all): each referral's suit chance of the home is multiplied by
        ``u ** match_spread`` (``u`` its own uniform draw; :meth:`ChoiceRule.spread_array`); 0: alike.
    """
    key = np.asarray(key, dtype=np.int64)
    pos, end = network.start[key].copy(), network.start[key + 1].copy()
    result = np.full(len(key), -1, dtype=np.int64)
    ease = uniform_hash(salt, np.asarray(ref), _EASE_DRAW)
    spread = np.broadcast_to(np.asarray(match_spread, dtype=float), free.shape)
    active = np.arange(len(key))
    while len(active):
        at = _first_open(ref[active], pos[active], end[active], network, free, suits, salt, ease[active], spread)
        has = at < end[active]
        active, at = active[has], at[has]
        home = network.home[at]
        order = np.lexsort((priority[active], home))
        home_s = home[order]
        first = np.r_[0, np.flatnonzero(np.diff(home_s)) + 1]
        rank = np.arange(len(home_s)) - np.repeat(first, np.diff(np.r_[first, len(home_s)]))
        take = rank < free[home_s]
        won = active[order][take]
        result[won] = home_s[take]
        np.subtract.at(free, home_s[take], 1)
        lost = order[~take]
        pos[active[lost]] = at[lost] + 1
        active = np.sort(active[lost])
    return result
