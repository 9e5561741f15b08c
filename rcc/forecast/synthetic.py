"""Synthetic SSDA903 returns from a known process, and the truth to score a forecast against.

:class:`SyntheticProcess` is a council's care system in continuous time (days): children enter
as a Poisson process (``entries_per_year``, growing by ``entry_growth`` a year from the start of
the history), at an age and into a placement group drawn from fixed shares (the shares of the
groups can drift a year, ``mix_drift``); in care, each child leaves and changes placement group
with constant hazards by group and age band, ages at its birthday and leaves care on its 18th
birthday exactly. Supported accommodation takes only children of 16 and over.

:func:`synthetic_ssda903` simulates the process from an empty system (18 years of burn-in, so
the stock is in equilibrium) and writes the last ``years`` years as a multi-year SSDA903
extract: the header (``CHILD``, ``SEX``, ``DOB``, ``ETHNIC``) and episodes (``CHILD``, ``DECOM``,
``RNE``, ``LS``, ``PLACE``, ``PLACE_PROVIDER``, ``DEC``, ``REC``) tables of every episode open at
some time in those years, which :func:`rcc.io.ssda903.load_ssda903` reads.
:meth:`SyntheticReturn.truth` continues the same process from the children in care on the
last day, many times, and gives the monthly stock by placement group and age band of each
continuation: its mean is the truth a forecast is scored against, its spread the outcomes a
band should hold. Child ids are made up (``S`` and a number); nothing here is real data.

Examples
--------
>>> from rcc.forecast.synthetic import SCENARIOS, synthetic_ssda903
>>> ret = synthetic_ssda903(SCENARIOS["steady"], seed=1)
>>> sorted(ret.episodes.columns)[:3]
['CHILD', 'DEC', 'DECOM']
>>> truth = ret.truth(months=3, runs=5)
>>> truth.shape[:2]
(5, 4)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS

__all__ = ["GROUPS", "SCENARIOS", "SyntheticProcess", "SyntheticReturn", "synthetic_ssda903"]

#: Placement groups of the synthetic process (home types of :data:`rcc.core.schema.HOME_TYPES`).
GROUPS: tuple[str, ...] = ("kinship", "in_house_fostering", "ifa_fostering", "childrens_home", "supported_accommodation")
#: PLACE and PLACE_PROVIDER written for each group (mapped back by :data:`rcc.io.ssda903.PLACE_MAPPING`).
_CODES = {
    "kinship": ("U1", "PR1"),
    "in_house_fostering": ("U4", "PR1"),
    "ifa_fostering": ("U4", "PR4"),
    "childrens_home": ("K2", "PR4"),
    "supported_accommodation": ("K3", "PR4"),
}
_SUPPORTED = GROUPS.index("supported_accommodation")
_YEAR = 365.25
_BAND_OF_AGE = np.array([i for i, (lo, hi) in enumerate(AGE_BANDS.values()) for _ in range(lo, hi + 1)])


def _default_exit() -> np.ndarray:
    """Yearly hazard of leaving care by group (rows) and age band (columns)."""
    by_group = np.array([0.30, 0.28, 0.20, 0.25, 0.35])
    by_band = np.array([1.6, 0.8, 0.7, 1.0])
    return by_group[:, None] * by_band[None, :]


def _default_moves() -> np.ndarray:
    """Yearly hazard of a change from group (axis 0) to group (axis 1) by age band (axis 2); none into
    supported accommodation before 16."""
    base = np.array(
        [
            [0.0, 0.04, 0.03, 0.02, 0.0],
            [0.02, 0.0, 0.08, 0.06, 0.0],
            [0.01, 0.05, 0.0, 0.08, 0.0],
            [0.01, 0.04, 0.10, 0.0, 0.0],
            [0.0, 0.02, 0.02, 0.10, 0.0],
        ]
    )
    moves = np.repeat(base[:, :, None], len(AGE_BANDS), axis=2)
    moves[:, _SUPPORTED, 3] = [0.10, 0.15, 0.20, 0.45, 0.0]  # 16-17 into supported accommodation
    return moves


def _default_entry_ages() -> np.ndarray:
    w = np.array([14, 5, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 9, 8, 5], dtype=float)
    return w / w.sum()


def _default_entry_mix() -> np.ndarray:
    """Share of entries into each group by age band (rows sum to 1)."""
    return np.array(
        [
            [0.30, 0.40, 0.25, 0.05, 0.0],
            [0.25, 0.35, 0.30, 0.10, 0.0],
            [0.15, 0.30, 0.35, 0.20, 0.0],
            [0.05, 0.15, 0.20, 0.20, 0.40],
        ]
    )


def _array(shape: tuple[int, ...], name: str) -> Any:
    def convert(a: Any) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        if a.shape != shape or not np.isfinite(a).all() or (a < 0).any():
            raise InvalidInputError("synthetic process", None, name, f"finite values >= 0 of shape {shape}", a.shape)
        return a

    return attrs.field(converter=convert)


@attrs.frozen(eq=False, init=False)
class SyntheticProcess:
    """A council's care system with known rates (all hazards per year, constant within an age band).

    Parameters
    ----------
    entries_per_year : float
        Expected entries a year at the start of the history.
    entry_growth : float
        Yearly growth of the entry rate from the start of the history (0.15: +15% a year; -0.1 shrinking).
    mix_drift : float
        Yearly shift of the entry shares from family-based groups to children's homes and IFA
        (0: a fixed mix): shares move by ``mix_drift`` x years, renormalised.
    exit_trend : float
        Yearly change of every exit hazard from the start of the history (-0.1: exits 10% less likely each
        year; stepped by whole years; 0: constant).
    staying_put : float
        Share of the young people leaving foster or kinship care at 18 who stay put: their last episode ends with
        ``REC`` ``E17`` (the others, and every other leaver at 18, ``E8``).
    exit_hazard : numpy.ndarray
        Leaving care, by group (:data:`GROUPS`) and age band.
    move_hazard : numpy.ndarray
        Changing group, by group from, group to and age band (the diagonal is ignored).
    entry_ages : numpy.ndarray
        Share of entries at each age 0-17.
    entry_mix : numpy.ndarray
        Share of entries into each group, by age band (rows of 1).
    """

    entries_per_year: float
    entry_growth: float
    mix_drift: float
    exit_hazard: np.ndarray = _array((len(GROUPS), len(AGE_BANDS)), "exit_hazard")
    move_hazard: np.ndarray = _array((len(GROUPS), len(GROUPS), len(AGE_BANDS)), "move_hazard")
    entry_ages: np.ndarray = _array((18,), "entry_ages")
    entry_mix: np.ndarray = _array((len(AGE_BANDS), len(GROUPS)), "entry_mix")
    exit_trend: float = 0.0
    staying_put: float = 0.0

    def __init__(self, entries_per_year: float = 600.0, entry_growth: float = 0.0, mix_drift: float = 0.0,
                 exit_hazard: Any = None, move_hazard: Any = None, entry_ages: Any = None,
                 entry_mix: Any = None, exit_trend: float = 0.0, staying_put: float = 0.0) -> None:
        self.__attrs_init__(
            float(entries_per_year), float(entry_growth), float(mix_drift),
            _default_exit() if exit_hazard is None else exit_hazard,
            _default_moves() if move_hazard is None else move_hazard,
            _default_entry_ages() if entry_ages is None else entry_ages,
            _default_entry_mix() if entry_mix is None else entry_mix,
            float(exit_trend), float(staying_put),
        )
        if not 0 <= self.staying_put <= 1:
            raise InvalidInputError("synthetic process", None, "staying_put", "a share from 0 to 1", self.staying_put)
        if self.entries_per_year <= 0 or self.entry_growth <= -1 or not -1 < self.exit_trend < np.inf:
            raise InvalidInputError("synthetic process", None, "entries_per_year", "> 0 with growth > -1 and an "
                                    "exit trend > -1", (self.entries_per_year, self.entry_growth, self.exit_trend))

    def exit_factor(self, day: np.ndarray, origin: float) -> tuple[np.ndarray, np.ndarray]:
        """The exit hazards' multiplier at ``day`` (``(1 + exit_trend) ** k`` in the k-th whole year from
        ``origin``, 1 before it) and the day it next changes (``inf`` without an exit trend)."""
        day = np.asarray(day, dtype=float)
        if not self.exit_trend:
            return np.ones(day.shape), np.full(day.shape, np.inf)
        k = np.floor((day - origin) / _YEAR)
        return (1.0 + self.exit_trend) ** np.maximum(k, 0), origin + (np.maximum(k, -1) + 1) * _YEAR

    def entry_rate(self, day: np.ndarray | float, origin: float) -> np.ndarray:
        """Entries a day at ``day`` (growth from ``origin``, flat before it)."""
        years = np.maximum(np.asarray(day, dtype=float) - origin, 0.0) / _YEAR
        return self.entries_per_year / _YEAR * (1.0 + self.entry_growth) ** years

    def mix(self, band: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Entry shares (rows) for entries of ``band`` ``years`` after the start of the history."""
        shift = np.array([-0.5, -0.5, 0.5, 0.5, 0.0]) * self.mix_drift
        m = self.entry_mix[band] * np.clip(1.0 + shift[None, :] * np.maximum(years, 0)[:, None], 0.0, None)
        return m / m.sum(axis=1, keepdims=True)


#: The benchmark's scenarios: steady, growing (+15% a year), shrinking (-10% a year) entries and a changing mix.
SCENARIOS: Mapping[str, SyntheticProcess] = {
    "steady": SyntheticProcess(),
    "growing": SyntheticProcess(entry_growth=0.15),
    "shrinking": SyntheticProcess(entry_growth=-0.10),
    "changing mix": SyntheticProcess(mix_drift=0.08),
}


@attrs.frozen(eq=False)
class _Children:
    """Children in care at ``day`` (arrays): run, date of birth (day), group."""

    run: np.ndarray
    dob: np.ndarray
    group: np.ndarray


def _entries(process: SyntheticProcess, start: float, end: float, origin: float, runs: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries in (start, end] of each run: run, day, date of birth, group (thinning of a Poisson process)."""
    top = float(np.max(process.entry_rate(np.array([start, end]), origin)))
    n = rng.poisson(top * (end - start) * runs)
    day = rng.uniform(start, end, n)
    keep = rng.random(n) * top < process.entry_rate(day, origin)
    day = day[keep]
    run = rng.integers(0, runs, len(day))
    age = rng.choice(18, size=len(day), p=process.entry_ages)
    dob = np.floor(day - (age + rng.random(len(day))) * _YEAR)  # born on a whole day
    shares = process.mix(_BAND_OF_AGE[age], (day - origin) / _YEAR)
    group = (rng.random(len(day))[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
    return run, day, dob, np.minimum(group, len(GROUPS) - 1)


def _eighteenth(dob: np.ndarray, epoch: pd.Timestamp) -> np.ndarray:
    """Day of each 18th birthday (the calendar's: 29 February gives 1 March), days from ``epoch``."""
    born = np.datetime64(epoch.date(), "D") + dob.astype(np.int64)
    year = born.astype("datetime64[Y]")
    month = born.astype("datetime64[M]")
    at = (year + np.timedelta64(18, "Y")).astype("datetime64[M]") + (month - year.astype("datetime64[M]"))
    day = at.astype("datetime64[D]") + (born - month.astype("datetime64[D]"))
    return (day - np.datetime64(epoch.date(), "D")).astype(float)


def _segments(process: SyntheticProcess, start: float, end: float, origin: float, first: _Children,
              runs: int, rng: np.random.Generator, epoch: pd.Timestamp) -> pd.DataFrame:
    """Every placement segment in (start, end]: child, run, group, from, to (NaN: open at ``end``), dob, how
    it ended (``exit``, ``aged_out``, ``move``)."""
    run_e, day_e, dob_e, grp_e = _entries(process, start, end, origin, runs, rng)
    run = np.r_[first.run, run_e].astype(np.int64)
    t = np.r_[np.full(len(first.run), start), day_e]
    dob = np.r_[first.dob, dob_e]
    group = np.r_[first.group, grp_e].astype(np.int64)
    child = np.arange(len(run))
    adult = _eighteenth(dob, epoch)
    since, rows = t.copy(), []
    active = np.arange(len(run))
    while len(active):
        age = np.floor((t[active] - dob[active]) / _YEAR).astype(np.int64)
        age += dob[active] + (age + 1) * _YEAR <= t[active] + 1e-6  # on a birthday (rounding)
        age = np.minimum(age, 17)
        band = _BAND_OF_AGE[np.clip(age, 0, 17)]
        g = group[active]
        moves = process.move_hazard[g, :, band].copy()
        moves[np.arange(len(g)), g] = 0.0
        factor, change = process.exit_factor(t[active], origin)
        exit_h = process.exit_hazard[g, band] * factor
        total = (exit_h + moves.sum(axis=1)) / _YEAR
        wait = rng.exponential(1.0, len(active)) / np.maximum(total, 1e-300)
        birthday = np.where(age >= 17, adult[active], dob[active] + (age + 1) * _YEAR)
        stop = np.minimum(np.minimum(birthday, end), change)
        event = t[active] + wait < stop
        now = np.where(event, t[active] + wait, stop)
        aged_out = ~event & (birthday <= np.minimum(end, change)) & (age + 1 >= 18)
        pick = rng.random(len(active)) * total * _YEAR
        is_move = event & (pick >= exit_h)
        dest = (pick[:, None] - exit_h[:, None] > np.cumsum(moves, axis=1)).sum(axis=1)
        ended = event | aged_out
        how = np.where(aged_out, "aged_out", np.where(is_move, "move", "exit"))
        for cols in (ended, ~ended & (now >= end)):
            i = active[cols]
            rows.append(pd.DataFrame({"child": child[i], "run": run[i], "group": group[i], "start": since[i],
                                      "end": np.where(ended[cols], now[cols], np.nan), "dob": dob[i],
                                      "how": np.where(ended[cols], how[cols], "")}))
        t[active] = now
        since[active[ended]] = now[ended]
        group[active[is_move]] = np.minimum(dest[is_move], len(GROUPS) - 1)
        active = active[(is_move | ~event) & ~aged_out & (now < end)]
    return pd.concat(rows, ignore_index=True)


@attrs.frozen(eq=False)
class SyntheticReturn:
    """A synthetic multi-year SSDA903 extract and the state it ends in.

    Attributes
    ----------
    process : SyntheticProcess
    end_date : pandas.Timestamp
        Last day of the extract (31 March of the last return).
    years : int
        Returns in the extract.
    header, episodes : pandas.DataFrame
        The SSDA903 tables (DfE columns, dates as ``yyyy-mm-dd``).
    seed : int
    """

    process: SyntheticProcess
    end_date: pd.Timestamp
    years: int
    header: pd.DataFrame
    episodes: pd.DataFrame
    seed: int
    _state: _Children

    @property
    def origin(self) -> float:
        """Day (0 = ``end_date``) the history and the entry growth start."""
        return -self.years * _YEAR

    def write(self, folder: str | Path) -> tuple[Path, Path]:
        """``header.csv`` and ``episodes.csv`` in ``folder`` (created); their paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = folder / "header.csv", folder / "episodes.csv"
        self.header.to_csv(paths[0], index=False)
        self.episodes.to_csv(paths[1], index=False)
        return paths

    def truth(self, months: int = 24, runs: int = 200, seed: int | None = None) -> np.ndarray:
        """Children in care by group and age band at the end of each month after ``end_date``, in ``runs``
        continuations of the process from the children in care on ``end_date``.

        Returns
        -------
        numpy.ndarray
            Shape ``(runs, months + 1, len(GROUPS), len(AGE_BANDS))``; month 0 is ``end_date``.
        """
        rng = np.random.default_rng([self.seed if seed is None else seed, 1])
        s = self._state
        first = _Children(np.repeat(np.arange(runs), len(s.run)), np.tile(s.dob, runs), np.tile(s.group, runs))
        days = np.array([_month_day(self.end_date, m) for m in range(months + 1)])
        seg = _segments(self.process, 0.0, float(days[-1]) + 1, self.origin, first, runs, rng, self.end_date)
        return _snapshots(seg, days, runs)


def _month_day(end_date: pd.Timestamp, m: int) -> float:
    """Day (0 = ``end_date``) of the last day of the m-th month after ``end_date``."""
    return float(((end_date + pd.offsets.MonthEnd(m)) - end_date).days) if m else 0.0


def _snapshots(seg: pd.DataFrame, days: np.ndarray, runs: int) -> np.ndarray:
    """Children in care at the end of each day in ``days`` by run, group and age band."""
    out = np.zeros((runs, len(days), len(GROUPS), len(AGE_BANDS)), dtype=np.int64)
    end = seg["end"].fillna(np.inf).to_numpy()
    for k, d in enumerate(days):
        inside = (seg["start"].to_numpy() <= d) & (end > d)
        age = np.floor((d - seg["dob"].to_numpy()[inside]) / _YEAR).astype(np.int64)
        band = _BAND_OF_AGE[np.clip(age, 0, 17)]
        np.add.at(out, (seg["run"].to_numpy()[inside], k, seg["group"].to_numpy()[inside], band), 1)
    return out


def synthetic_ssda903(process: SyntheticProcess, *, years: int = 5, end_date: Any = "2025-03-31",
                      seed: int = 0) -> SyntheticReturn:
    """A synthetic SSDA903 extract of ``years`` returns ending on ``end_date`` from ``process``.

    Parameters
    ----------
    process : SyntheticProcess
        The known process (e.g. one of :data:`SCENARIOS`).
    years : int, default 5
        Returns (years of history) in the extract.
    end_date : date-like, default 31 March 2025
    seed : int

    Returns
    -------
    SyntheticReturn
    """
    if int(years) != years or years < 1:
        raise InvalidInputError("parameters", None, "years", "a whole number of years >= 1", years)
    end_date = pd.Timestamp(end_date).normalize()
    rng = np.random.default_rng([seed, 0])
    origin = -years * _YEAR
    empty = _Children(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))
    seg = _segments(process, origin - 18 * _YEAR, 0.0, origin, empty, 1, rng, end_date)
    open_now = seg["end"].isna()
    state = _Children(np.zeros(int(open_now.sum()), dtype=np.int64), seg.loc[open_now, "dob"].to_numpy(),
                      seg.loc[open_now, "group"].to_numpy())
    header, episodes = _tables(seg[seg["end"].isna() | (seg["end"] > origin)], end_date, rng,
                               (process.staying_put, np.random.default_rng([seed, 2])))
    return SyntheticReturn(process, end_date, int(years), header, episodes, int(seed), state)


def _tables(seg: pd.DataFrame, end_date: pd.Timestamp, rng: np.random.Generator,
            staying_put: tuple[float, np.random.Generator]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The header and episodes tables of the segments (whole days; a segment shorter than a day is dropped,
    the one before it then ends the day the next begins); ``staying_put``: the share of foster and kinship
    leavers at 18 given ``REC`` E17, and the generator that picks them (its own: the rest is unchanged)."""
    start = np.floor(seg["start"].to_numpy())
    end = np.floor(seg["end"].to_numpy())
    seg = seg.assign(start=start, end=end)[~(end <= start)].sort_values(["child", "start"], kind="stable")
    child = seg["child"].to_numpy()
    first = np.r_[True, child[1:] != child[:-1]]
    last = np.r_[child[1:] != child[:-1], True]
    day = pd.to_timedelta(seg["start"].to_numpy(), unit="D") + end_date
    dec = pd.to_timedelta(seg["end"].to_numpy(), unit="D") + end_date
    place = np.array([_CODES[GROUPS[g]][0] for g in seg["group"]], dtype=object)
    provider = np.array([_CODES[GROUPS[g]][1] for g in seg["group"]], dtype=object)
    how = seg["how"].to_numpy()
    rec = np.where(~last, "X1", np.where(how == "aged_out", "E8", np.where(how == "exit", "E11", "")))
    share, pick = staying_put
    if share:
        family = np.isin(seg["group"].to_numpy(), [GROUPS.index(g) for g in GROUPS[:3]])
        rec = np.where(last & (how == "aged_out") & family & (pick.random(len(rec)) < share), "E17", rec)
    names = np.array([f"S{c:06d}" for c in child], dtype=object)
    episodes = pd.DataFrame({
        "CHILD": names, "DECOM": day.strftime("%Y-%m-%d"), "RNE": np.where(first, "S", "P"), "LS": "C2",
        "PLACE": place, "PLACE_PROVIDER": provider,
        "DEC": pd.Series(dec.strftime("%Y-%m-%d")).where(~np.isnan(seg["end"].to_numpy()), "").to_numpy(),
        "REC": np.where(np.isnan(seg["end"].to_numpy()), "", rec),
    })
    kids = seg.drop_duplicates("child")
    dob = pd.to_timedelta(kids["dob"].to_numpy(), unit="D") + end_date
    header = pd.DataFrame({"CHILD": [f"S{c:06d}" for c in kids["child"]], "SEX": rng.integers(1, 3, len(kids)).astype(str),
                           "DOB": dob.strftime("%Y-%m-%d"), "ETHNIC": "WBRI"})
    return header.reset_index(drop=True), episodes.reset_index(drop=True)
