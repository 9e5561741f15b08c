"""What the monthly forecast learns from episodes: placement segments, observed monthly stock, flow counts
and the entry trend chosen by backtest.

A *segment* is an unbroken stay of one child in one placement group (a home type of
:data:`rcc.core.schema.HOME_TYPES`, from ``PLACE`` and ``PLACE_PROVIDER`` by
:data:`rcc.io.ssda903.PLACE_MAPPING`; temporary placements take the group of the placement before them).
A segment ends in a *move* when the child's next segment begins the day it ends, in *leaving at 18*
when it ends in the month of the 18th birthday or later, and otherwise in an *exit* (leaving care, or
going to a placement that is not demand: adoption, health, other; a return from one is an entry).
Child ids are pseudonyms and never leave this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, HOME_TYPES
from rcc.forecast.mixtrend import fit_mix_trend
from rcc.forecast.spells import _dates, _episode_needs, _episodes_in_order, _merge_episodes

__all__ = ["FILTER_COLUMNS", "FlowCounts", "TREND_CANDIDATES", "check_segments", "count_flows", "filtered_header",
           "monthly_stock", "placement_segments", "select_trend", "TrendMix", "trend_mixture"]

BAND_OF_AGE = np.array([i for i, (lo, hi) in enumerate(AGE_BANDS.values()) for _ in range(lo, hi + 1)])
_BAND_EDGES = [lo for lo, _ in AGE_BANDS.values()] + [18]
_DAY_YEAR = 365.25
#: Entry-trend candidates tried by :func:`select_trend`: (kind, months of history used; 0 = all).
#: Simplest first: a candidate is chosen over a simpler one only when its backtest error is lower by more
#: than :data:`TREND_TOLERANCE` percentage points.
TREND_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("flat", 0), ("flat", 24), ("flat", 12), ("log-linear", 0), ("linear", 0), ("log-linear", 36), ("linear", 36),
)
#: Header columns :func:`placement_segments` filters on (``UASC``: from the UASC table, see
#: :class:`rcc.io.ssda903.Ssda903Result`).
FILTER_COLUMNS: tuple[str, ...] = ("SEX", "ETHNIC", "UASC")
#: Percentage points of backtest error a less simple entry trend must gain to be chosen.
TREND_TOLERANCE = 1.0


def month_index(dates: Any) -> np.ndarray:
    """Calendar months as whole numbers (``year * 12 + month - 1``); missing dates give -1."""
    d = pd.DatetimeIndex(pd.to_datetime(dates))
    out = np.asarray(d.year * 12 + d.month - 1, dtype=float)
    return np.where(np.isnan(out), -1, out).astype(np.int64)


def placement_segments(result: Any, *, place_mapping: pd.DataFrame | None = None,
                       filters: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Unbroken stays of one child in one placement group, from a loaded SSDA903 return.

    Parameters
    ----------
    result : rcc.io.ssda903.Ssda903Result
        From :func:`rcc.io.ssda903.load_ssda903` (pseudonymised).
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`rcc.io.ssda903.PLACE_MAPPING`.
    filters : Mapping[str, Sequence[str]], optional
        Only children whose header column has one of the values, e.g. ``{"SEX": ["2"]}``,
        ``{"ETHNIC": ["WBRI", "WIRI"]}`` or ``{"UASC": ["1"]}`` (:data:`FILTER_COLUMNS`; ``UASC`` needs the
        return's UASC table: ``"1"`` a child in it, ``"0"`` the others). A child's whole history is kept or not.

    Returns
    -------
    pandas.DataFrame
        ``child_id`` (pseudonym), ``council_id``, ``placement`` (home type), ``start``, ``end`` (missing
        while open), ``dob``, ``rec`` (``REC`` of the segment's last episode: why it ended; missing while open or
        when the episodes have none).
    """
    episodes = _episodes_in_order(result.episodes)
    episodes["placement"] = _episode_needs(episodes, place_mapping, column="home_type")
    seg = _merge_episodes(episodes[episodes.placement.notna()].reset_index(drop=True), column="placement",
                          carry=("rec",))
    seg["rec"] = seg.rec.where(seg.end.notna())  # the reason the last episode ended (REC), when it has
    hdr = filtered_header(result.header, filters)
    if filters:  # the children filtered out (never those without a header row: they are an error below)
        seg = seg.merge(hdr[["council_id", "child_id"]], on=["council_id", "child_id"])
    hdr = hdr.set_index(["council_id", "child_id"])
    idx = pd.MultiIndex.from_frame(seg[["council_id", "child_id"]])
    seg["dob"] = _dates(hdr.DOB.reindex(idx).reset_index(drop=True)).to_numpy()
    missing = seg.dob.isna()
    if missing.any():
        raise InvalidInputError("episodes", int(missing.idxmax()), "DOB", "a date of birth for every child", None)
    return seg.reset_index(drop=True)


def filtered_header(header: pd.DataFrame, filters: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """The header rows (one per council and child) of the children ``filters`` keep (see :func:`placement_segments`).

    Raises
    ------
    InvalidInputError
        A column not in :data:`FILTER_COLUMNS`, one the return lacks (``UASC`` without its UASC table), or codes
        that are not a list.
    """
    hdr = header.drop_duplicates(["council_id", "child_id"])
    for column, values in (filters or {}).items():
        if column not in FILTER_COLUMNS:
            raise InvalidInputError("filters", None, column, f"one of {list(FILTER_COLUMNS)}", column)
        if column not in hdr.columns:
            raise InvalidInputError("filters", None, column, "a return with " + (
                "its UASC table (load_ssda903(uasc=...))" if column == "UASC" else f"a {column} column"), "none")
        if isinstance(values, str) or not all(isinstance(v, (str, int)) for v in values):
            raise InvalidInputError("filters", None, column, "a list of codes", values)
        hdr = hdr[hdr[column].astype("str").str.strip().isin([str(v).strip() for v in values])]
    return hdr


def check_segments(seg: pd.DataFrame) -> pd.DataFrame:
    """A checked copy of placement segments (dates parsed; by council, then each child's history, then child and
    start: :func:`_in_content_order`)."""
    if not isinstance(seg, pd.DataFrame):
        raise InvalidInputError("segments", None, None, "a DataFrame of placement_segments", type(seg).__name__)
    for c in ("child_id", "council_id", "placement", "start", "end", "dob"):
        if c not in seg.columns:
            raise InvalidInputError("segments", None, c, f"a column named {c}", list(seg.columns))
    bad = ~seg.placement.isin(HOME_TYPES)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InvalidInputError("segments", i, "placement", f"one of {list(HOME_TYPES)}", seg.placement.iloc[i])
    out = seg.assign(start=_dates(seg.start.rename("start")), end=_dates(seg.end.rename("end")),
                     dob=_dates(seg.dob.rename("dob")))
    back = out.end.notna() & (out.end < out.start)
    if back.any():
        raise InvalidInputError("segments", int(np.argmax(back.to_numpy())), "end", "an end after the start", "before")
    return _in_content_order(out)


def _in_content_order(seg: pd.DataFrame) -> pd.DataFrame:
    """Segments by council, then each child's whole history (every column but the id, segment by segment), then
    child id and start: a forecast is the same whatever the pseudonyms (children of one history are interchangeable)."""
    rows = seg.sort_values(["child_id", "start"], kind="stable")
    cols = [c for c in rows.columns if c != "child_id"]
    text = np.full(len(rows), "", dtype=object)
    for c in cols:  # as text, missing values included (str of NaN, NaT, <NA>)
        text = text + "|" + np.asarray(rows[c].astype(object).map(str), dtype=object)
    history = pd.Series(text, index=rows.index).groupby(rows.child_id.to_numpy(), sort=False).agg(";".join)
    key = seg.child_id.map(history)
    return (seg.assign(_history=key).sort_values(["council_id", "_history", "child_id", "start"], kind="stable")
            .drop(columns="_history").reset_index(drop=True))


def _outcomes(seg: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Whether each segment is an entry (not the continuation of one ending the day it starts), and how it
    ends: 0 open, 1 exit, 2 leaving at 18, 3 move."""
    same = (seg.child_id.shift(-1) == seg.child_id) & (seg.council_id.shift(-1) == seg.council_id)
    move = (same & (seg.start.shift(-1) == seg.end)).to_numpy()
    entry = ~np.r_[False, move[:-1]]
    aged = month_index(seg.end) >= month_index(seg.dob) + 216
    how = np.where(seg.end.isna().to_numpy(), 0, np.where(move, 3, np.where(aged, 2, 1)))
    return entry, how


def truncate(seg: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    """The segments as known on ``cut``: begun by then, those ending later open."""
    seg = seg[seg.start <= cut]
    return seg.assign(end=seg.end.where(seg.end <= cut))


def monthly_stock(segments: pd.DataFrame, month_ends: Any) -> pd.DataFrame:
    """Children in care at each month end by council, placement and age band (observed).

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``placement``, ``age_band``, ``month``, ``children`` (every combination seen, zeros
        included).
    """
    seg = check_segments(segments)
    rows = []
    for d in pd.DatetimeIndex(month_ends):
        inside = seg[(seg.start <= d) & ~(seg.end <= d)]  # open (NaT) or ending after d
        age = (month_index([d])[0] - month_index(inside.dob)) // 12
        band = np.array(list(AGE_BANDS))[BAND_OF_AGE[np.clip(age, 0, 17)]]
        rows.append(pd.DataFrame({"council_id": inside.council_id.to_numpy(), "placement": inside.placement.to_numpy(),
                                  "age_band": band, "month": d}))
    df = pd.concat(rows, ignore_index=True)
    counts = df.groupby(["council_id", "placement", "age_band", "month"]).size()
    full = pd.MultiIndex.from_product([seg.council_id.unique(), list(HOME_TYPES), list(AGE_BANDS),
                                       pd.DatetimeIndex(month_ends)], names=counts.index.names)
    return counts.reindex(full, fill_value=0).rename("children").reset_index()


@attrs.frozen(eq=False)
class FlowCounts:
    """Events and exposure in the estimation window, by council (axis 0), placement group (home type),
    age band and, for moves, the group moved to.

    Attributes
    ----------
    councils : tuple of str
    exposure : numpy.ndarray
        Days in care, shape (councils, groups, bands).
    exits : numpy.ndarray
        Exits before 18, same shape.
    moves : numpy.ndarray
        Moves, shape (councils, groups from, groups to, bands).
    entries : numpy.ndarray
        Entries per calendar month of the history, shape (councils, months).
    entry_ages : numpy.ndarray
        Entries by age in years at entry (councils, 18), in the mix window.
    entry_mix : numpy.ndarray
        Entries by age band and group entered (councils, bands, groups), in the mix window.
    end : pandas.Timestamp
    mix_years : float
        The mix window (years before ``end``).
    mix_windows : pandas.DataFrame
        The windows tried (``years``, ``loglik`` of the next year's entries, ``chosen``).
    period_exits, period_exposure : numpy.ndarray
        Exits and days in care by half-year of the window, counted back from ``end`` (the last axis: the oldest
        first, the half-year ending on ``end`` last), shape (councils, groups, bands, half-years): what the exit
        trend is measured on (:mod:`rcc.forecast.hazards`).
    mix_trend : tuple, optional
        The entry mix's trend (:mod:`rcc.forecast.mixtrend`): each council's yearly log drift of the groups'
        shares (councils, groups) and its covariance (councils, groups, groups), the entries by band and group with the shares at
        ``end`` (as ``entry_mix``), and its weight against the chosen window, ``1 / (1 + exp(window's - trend's
        held-out log-likelihood))``: the share of simulations that follow it (``mix_windows``: ``weight``).
    """

    councils: tuple[str, ...]
    exposure: np.ndarray
    exits: np.ndarray
    moves: np.ndarray
    entries: np.ndarray
    entry_ages: np.ndarray
    entry_mix: np.ndarray
    end: pd.Timestamp
    mix_years: float = 2.0
    mix_windows: pd.DataFrame | None = None
    period_exits: np.ndarray | None = None
    period_exposure: np.ndarray | None = None
    mix_trend: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None


def _band_overlap(start: np.ndarray, end: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Days of each [start, end) in each age band (rows, bands); inputs in days."""
    out = np.zeros((len(start), len(AGE_BANDS)))
    for b in range(len(AGE_BANDS)):
        lo = dob + _BAND_EDGES[b] * _DAY_YEAR
        hi = dob + _BAND_EDGES[b + 1] * _DAY_YEAR
        out[:, b] = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0, None)
    return out


def count_flows(segments: pd.DataFrame, end: Any = None, *, window_years: float | None = None,
                mix_years: float | None = None) -> FlowCounts:
    """Flow counts of the segments up to ``end`` (default: the last date in the data).

    The window of exits, moves and exposure starts ``window_years`` before ``end`` (default: at the first
    recorded end of a segment, where a multi-year extract becomes complete); entries are counted per month
    of that window; the ages and groups of entries over the last ``mix_years`` (default: chosen by
    backtest, :func:`select_mix_window`).
    """
    seg = check_segments(segments)
    if seg.empty:
        raise InvalidInputError("episodes", None, "CHILD", "children with placements (after any filter)", "none")
    end = pd.Timestamp(end).normalize() if end is not None else max(seg.start.max(), seg.end.max())
    seg = truncate(seg, end)
    if seg.empty:
        raise InvalidInputError("episodes", None, "DECOM", f"placements starting by {end:%Y-%m-%d}", "none")
    first = seg.end.min() if seg.end.notna().any() else seg.start.min()
    w0 = first if window_years is None else max(first, end - pd.Timedelta(days=window_years * _DAY_YEAR))
    entry, how = _outcomes(seg)
    day = {c: ((seg[c] - w0).dt.total_seconds() / 86400.0).to_numpy(dtype=float) for c in ("start", "end", "dob")}
    span = float((end - w0).days)
    councils = tuple(sorted(seg.council_id.unique()))
    ci = pd.Index(councils).get_indexer(seg.council_id)
    gi = pd.Index(HOME_TYPES).get_indexer(seg.placement)
    stop = np.where(np.isnan(day["end"]), span, day["end"])
    days = _band_overlap(np.clip(day["start"], 0, span), np.clip(stop, 0, span), day["dob"])
    shape = (len(councils), len(HOME_TYPES), len(AGE_BANDS))
    exposure = np.zeros(shape)
    np.add.at(exposure, (ci, gi), days)
    in_win = (day["end"] > 0) & (day["end"] <= span)
    age_end = np.nan_to_num((day["end"] - day["dob"]) // _DAY_YEAR, nan=0.0)
    at_end = BAND_OF_AGE[np.clip(age_end.astype(np.int64), 0, 17)]
    exits = np.zeros(shape)
    ex = in_win & (how == 1)
    np.add.at(exits, (ci[ex], gi[ex], at_end[ex]), 1)
    moves = np.zeros((len(councils), len(HOME_TYPES), len(HOME_TYPES), len(AGE_BANDS)))
    mv = np.flatnonzero(in_win & (how == 3))
    np.add.at(moves, (ci[mv], gi[mv], gi[mv + 1], at_end[mv]), 1)
    *entries, mix_window, mix_table, mix_trend = _entry_counts(seg, entry, ci, gi, w0, end, mix_years)
    # by half-year, back from the end: exits and exposure (the exit trend)
    n_p = max(int(np.ceil(span / HALF_YEAR_DAYS - 1e-9)), 1)
    p_exits = np.zeros((*shape, n_p))
    p_exposure = np.zeros((*shape, n_p))
    for k in range(n_p):
        lo, hi = max(span - (n_p - k) * HALF_YEAR_DAYS, 0.0), span - (n_p - k - 1) * HALF_YEAR_DAYS
        np.add.at(p_exposure[..., k], (ci, gi), _band_overlap(np.clip(day["start"], lo, hi), np.clip(stop, lo, hi),
                                                              day["dob"]))
        ek = ex & (day["end"] > lo) & (day["end"] <= hi)
        np.add.at(p_exits[..., k], (ci[ek], gi[ek], at_end[ek]), 1)
    return FlowCounts(councils, exposure, exits, moves, *entries, end, mix_window, mix_table, p_exits, p_exposure,
                      mix_trend)


#: Days in the half-years the exit trend is measured on.
HALF_YEAR_DAYS = _DAY_YEAR / 2

#: Years of recent entries the entry mix (ages, groups entered) is estimated from, chosen by backtest
#: (``inf``: all the history).
MIX_WINDOWS: tuple[float, ...] = (1.0, 2.0, 3.0, float("inf"))
#: Log-likelihood units a shorter entry-mix window must gain over a longer one to be chosen.
MIX_TOLERANCE = 2.0


def _mix_counts(n_c: int, ci: np.ndarray, age: np.ndarray, gi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ages = np.zeros((n_c, 18))
    np.add.at(ages, (ci, age), 1)
    mix = np.zeros((n_c, len(AGE_BANDS), len(HOME_TYPES)))
    np.add.at(mix, (ci, BAND_OF_AGE[age], gi), 1)
    return ages, mix


def _mix_loglik(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> float:
    """Log-likelihood of the test entries' ages and groups (given the age band) under the train shares."""
    ages, mix = (a + 0.5 for a in train)
    p_age = ages / ages.sum(axis=-1, keepdims=True)
    p_mix = mix / mix.sum(axis=-1, keepdims=True)
    return float((test[0] * np.log(p_age)).sum() + (test[1] * np.log(p_mix)).sum())


def select_mix_window(start: pd.Series, ci: np.ndarray, age: np.ndarray, gi: np.ndarray, n_c: int,
                      w0: pd.Timestamp, end: pd.Timestamp) -> tuple[float, pd.DataFrame]:
    """The years of recent entries whose mix best predicts the next year's entries (held-out
    log-likelihood at origins one and two years before ``end``), among :data:`MIX_WINDOWS` that fit in
    the history before every origin (``inf``: all the history before the origin, and at the end); all the
    history when there is less than two years. A shorter window (noisier shares) is chosen over a longer one
    only when its log-likelihood is higher by more than :data:`MIX_TOLERANCE`; the trend of the mix over all
    the history (:mod:`rcc.forecast.mixtrend`, the table's ``trend`` row) only when it beats the chosen window
    (``window``) by more than that. (Either way the simulations follow the trend in a share of them:
    :attr:`FlowCounts.mix_trend`.)"""
    rows = []
    year = pd.Timedelta(days=_DAY_YEAR)
    origins = [end - k * year for k in (1, 2) if end - k * year - year >= w0]
    for y in MIX_WINDOWS:
        if not origins or any(np.isfinite(y) and o - y * year < w0 for o in origins):
            continue
        ll = 0.0
        for o in origins:
            tr = ((start > (o - y * year if np.isfinite(y) else w0)) & (start <= o)).to_numpy()
            te = ((start > o) & (start <= o + year)).to_numpy()
            ll += _mix_loglik(_mix_counts(n_c, ci[tr], age[tr], gi[tr]), _mix_counts(n_c, ci[te], age[te], gi[te]))
        rows.append((y, ll / len(origins), False))
    if origins:  # the mix trend over all the history before each origin
        ll = 0.0
        for o in origins:
            tr = ((start > w0) & (start <= o)).to_numpy()
            te = ((start > o) & (start <= o + year)).to_numpy()
            ll += _trend_loglik(start, ci, age, gi, n_c, tr, te, o)
        rows.append((float("inf"), ll / len(origins), True))
    table = pd.DataFrame(rows, columns=["years", "loglik", "trend"])
    if table.empty:
        return float("inf"), table.assign(chosen=pd.Series(dtype=bool))
    ll = table.loglik.to_numpy()
    windows = ~table.trend.to_numpy()
    best = int(np.flatnonzero(windows & (ll >= ll[windows].max() - MIX_TOLERANCE))[-1])  # the longest close window
    table["window"] = np.arange(len(table)) == best
    if table.trend.any() and ll[-1] > ll[best] + MIX_TOLERANCE:  # a drifting mix, when it predicts better
        best = len(table) - 1
    return float(table.years[best]), table.assign(chosen=np.arange(len(table)) == best)


def _trend_loglik(start: pd.Series, ci: np.ndarray, age: np.ndarray, gi: np.ndarray, n_c: int, tr: np.ndarray,
                  te: np.ndarray, origin: pd.Timestamp) -> float:
    """Held-out log-likelihood of the ``te`` entries' ages and groups under the mix trend of the ``tr`` entries."""
    t = ((start - origin).dt.days / _DAY_YEAR).to_numpy()
    train, test = _mix_counts(n_c, ci[tr], age[tr], gi[tr]), _mix_counts(n_c, ci[te], age[te], gi[te])
    p_age = (train[0] + 0.5) / (train[0] + 0.5).sum(axis=-1, keepdims=True)
    ll = float((test[0] * np.log(p_age)).sum())
    band = BAND_OF_AGE[age]
    for c in range(n_c):
        mine, theirs = tr & (ci == c), te & (ci == c)
        if not theirs.any():
            continue
        fit = fit_mix_trend(t[mine], band[mine], gi[mine], len(AGE_BANDS), len(HOME_TYPES))
        n_b = train[1][c].sum(axis=1)  # train entries per band
        for k in np.flatnonzero(theirs):
            shares = fit.at(float(t[k]))[band[k]]
            p = (n_b[band[k]] * shares + 0.5) / (n_b[band[k]] + 0.5 * len(HOME_TYPES))
            ll += float(np.log(p[gi[k]]))
    return ll


def _entry_counts(seg: pd.DataFrame, entry: np.ndarray, ci: np.ndarray, gi: np.ndarray, w0: pd.Timestamp,
                  end: pd.Timestamp, mix_years: float | None) -> tuple[Any, ...]:
    """Entries per whole calendar month in (w0, end], the ages and groups of recent entries, and the
    window of those (years) with its backtest table."""
    n_c = int(ci.max()) + 1 if len(ci) else 0
    last = month_index([end])[0] - (0 if (end + pd.Timedelta(days=1)).day == 1 else 1)
    first = month_index([w0])[0] + 1
    if last - first + 1 < 12:
        raise InvalidInputError("episodes", None, "DECOM", "at least a year of history", f"{last - first + 1} months")
    m = month_index(seg.start) - first
    ok = entry & (m >= 0) & (m <= last - first)
    entries = np.zeros((n_c, last - first + 1))
    np.add.at(entries, (ci[ok], m[ok]), 1)
    age = np.clip(month_index(seg.start) - month_index(seg.dob), 0, 18 * 12 - 1) // 12
    e = entry & (seg.start > w0).to_numpy()
    table = pd.DataFrame(columns=["years", "loglik", "trend", "window", "chosen"])
    if mix_years is None:
        mix_years, table = select_mix_window(seg.start[e], ci[e], age[e], gi[e], n_c, w0, end)
    since = end - pd.Timedelta(days=mix_years * _DAY_YEAR) if np.isfinite(mix_years) else w0
    recent = e & (seg.start > since).to_numpy()
    ages, mix = _mix_counts(n_c, ci[recent], age[recent], gi[recent])
    trend = None
    if len(table) and table.trend.any():  # the shares may drift: their trend per council, with its weight
        window, ll = table.loglik[table.window].iloc[0], table.loglik[table.trend].iloc[0]
        weight = float(1 / (1 + np.exp(np.clip(window - ll, -50, 50))))
        table = table.assign(weight=np.where(table.trend, weight, np.where(table.window, 1 - weight, 0.0)))
        t = ((seg.start - end).dt.days / _DAY_YEAR).to_numpy()
        fits = [fit_mix_trend(t[e & (ci == c)], BAND_OF_AGE[age[e & (ci == c)]], gi[e & (ci == c)], len(AGE_BANDS),
                              len(HOME_TYPES)) for c in range(n_c)]
        whole = _mix_counts(n_c, ci[e], age[e], gi[e])[1]
        today = whole.sum(axis=2, keepdims=True) * np.stack([f.shares for f in fits])  # as many entries, shares now
        trend = (np.stack([f.beta for f in fits]), np.stack([f.cov for f in fits]), today, weight)
    return (entries, ages, mix, float(mix_years), table, trend)


@attrs.frozen
class Trend:
    """A fitted entry trend: entries a month ``mean(t)`` at month ``t`` after the data (0 = first forecast
    month), with a parameter draw for the band."""

    kind: str
    months: int
    coef: np.ndarray
    cov: np.ndarray
    level_shape: float = 0.0

    def mean(self, t: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        a, b = self.coef if coef is None else coef
        t = np.asarray(t, dtype=float)
        if self.kind == "log-linear":
            return np.exp(a + b * t)
        return np.clip(a + b * t, 0.0, None)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Coefficients drawn from their (approximate) posterior."""
        if self.kind == "flat":
            return np.array([rng.gamma(self.level_shape + 0.5) / max(self.level_shape, 1) * self.coef[0], 0.0])
        return rng.multivariate_normal(self.coef, self.cov)


#: Standard deviation of the weak normal prior on a log-linear entry trend's monthly log slope (0.05: about 80% a year).
SLOPE_PRIOR_SD = 0.05


def fit_trend(y: np.ndarray, kind: str, months: int) -> Trend:
    """Fit an entry trend to monthly counts ``y`` (its last ``months``; 0: all)."""
    y = np.asarray(y, dtype=float)[-months:] if months else np.asarray(y, dtype=float)
    t = np.arange(len(y)) - len(y)
    x = np.c_[np.ones(len(y)), t]
    if kind == "flat":
        return Trend(kind, months, np.array([y.mean(), 0.0]), np.zeros((2, 2)), float(y.sum()))
    if kind == "linear":
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ coef
        s2 = max(float(resid @ resid) / max(len(y) - 2, 1), 1e-9)
        return Trend(kind, months, coef, s2 * np.linalg.inv(x.T @ x))
    if y.sum() < 1:  # no entries: nothing to fit a trend to (the Poisson fit would run off to minus infinity)
        return Trend(kind, months, np.array([np.log(1e-9), 0.0]), np.zeros((2, 2)))
    coef = np.array([np.log(max(y.mean(), 0.5)), 0.0])
    # a weak normal prior on the monthly log slope (sd SLOPE_PRIOR_SD): with a few hundred entries a year it changes
    # nothing; with a handful (one entry in three years) it keeps the fit finite where the Poisson MLE runs off
    prior = np.diag([0.0, 1.0 / SLOPE_PRIOR_SD**2])
    for _ in range(50):  # penalised Poisson regression by Newton steps
        mu = np.exp(x @ coef)
        step = np.linalg.solve(x.T @ (x * mu[:, None]) + prior, x.T @ (y - mu) - prior @ coef)
        coef = coef + step
        if np.abs(step).max() < 1e-10:
            break
    mu = np.exp(x @ coef)
    dispersion = max(1.0, float(((y - mu) ** 2 / mu).sum()) / max(len(y) - 2, 1))
    return Trend(kind, months, coef, dispersion * np.linalg.inv(x.T @ (x * mu[:, None]) + prior))


def select_trend(y: np.ndarray, horizon: int = 12) -> tuple[Trend, pd.DataFrame]:
    """The entry trend with the smallest backtest error on the council's own monthly entries ``y``.

    Each of :data:`TREND_CANDIDATES` is fitted on the history up to three origins (24, 18 and 12 months
    before the end) and scored by the mean absolute % error of its total entries over the next
    ``horizon`` months (or up to the end of the data); the best (the simplest on a tie) is refitted on the whole history. A candidate
    whose window does not fit before every origin is not tried. The backtest errors are noisy, so the
    simplest candidate within :data:`TREND_TOLERANCE` points of the best is chosen.

    Returns
    -------
    (Trend, pandas.DataFrame)
        The chosen trend, and the table of candidates: ``trend``, ``months``, ``error_pct``, ``chosen``.
    """
    mix, table = trend_mixture(y, horizon)
    best = int(np.flatnonzero(table.chosen.to_numpy())[0])
    return mix.trends[best], table


@attrs.frozen
class TrendMix:
    """Entry trends with weights: its mean is the weighted mean of theirs; a draw picks one by weight, then draws
    its coefficients (so the band holds the doubt between trends the backtest could not tell apart)."""

    trends: tuple[Trend, ...]
    weights: np.ndarray

    def mean(self, t: np.ndarray, draw: Any = None) -> np.ndarray:
        if draw is None:
            return np.sum([w * tr.mean(t) for tr, w in zip(self.trends, self.weights)], axis=0)
        i, coef = draw
        return self.trends[i].mean(t, coef)

    def draw(self, rng: np.random.Generator) -> tuple[int, np.ndarray]:
        i = int(rng.choice(len(self.trends), p=self.weights))
        return i, self.trends[i].draw(rng)


def trend_mixture(y: np.ndarray, horizon: int = 12) -> tuple[TrendMix, pd.DataFrame]:
    """The entry trends weighted by their backtest errors on the council's own monthly entries ``y``.

    Each of :data:`TREND_CANDIDATES` is fitted on the history up to three origins (24, 18 and 12 months before the
    end) and scored by the mean absolute % error of its total entries over the next ``horizon`` months (or up to the
    end of the data); a candidate whose window does not fit before every origin is not tried. The errors are noisy
    (a count of ``n`` entries is off by about ``100 / sqrt(n)`` % by chance alone, ``s``). The trends are of one
    form: log-linear, or linear when a linear one beats every log-linear one by more than ``s`` (the other form's
    weight is 0: the two forms are not averaged). Every candidate kept has weight ``exp(-((error - best error) / s)**2 / 2)`` (normalised; under 1% dropped), each refitted on the
    whole history. ``chosen`` is the simplest candidate within :data:`TREND_TOLERANCE` points of the best.

    Returns
    -------
    (TrendMix, pandas.DataFrame)
        The weighted trends (in the table's order), and the table of candidates: ``trend``, ``months``,
        ``error_pct``, ``weight``, ``chosen``.
    """
    y = np.asarray(y, dtype=float)
    origins = [o for o in (len(y) - 24, len(y) - 18, len(y) - 12) if o >= 12]
    rows, counted = [], []
    for kind, months in TREND_CANDIDATES:
        if not origins or min(origins) < max(months, 12):
            continue
        errs = []
        for o in origins:
            fit = fit_trend(y[:o], kind, months)
            h = min(horizon, len(y) - o)
            actual = y[o:o + h].sum()
            counted.append(actual)
            errs.append(abs(fit.mean(np.arange(h)).sum() - actual) / max(actual, 1.0) * 100)
        rows.append((kind, months, float(np.mean(errs))))
    if not rows:
        rows = [("flat", 12, float("nan"))]
    table = pd.DataFrame(rows, columns=["trend", "months", "error_pct"])
    err = table.error_pct.fillna(0).to_numpy()
    noise = 100 / np.sqrt(max(float(np.mean(counted)) if counted else 1.0, 1.0))
    form = _trend_form(table.trend.to_numpy(), err, noise)
    err = np.where(form, err, np.inf)
    w = np.exp(-0.5 * ((err - err.min()) / noise) ** 2)
    w = np.where(w / w.sum() >= 0.01, w, 0.0)
    table["weight"] = w / w.sum()
    best = int(np.flatnonzero(err <= err.min() + TREND_TOLERANCE)[0])
    table["chosen"] = np.arange(len(table)) == best
    trends = tuple(fit_trend(y, table.trend[i], int(table.months[i])) for i in range(len(table)))
    return TrendMix(trends, table.weight.to_numpy()), table


def _trend_form(kinds: np.ndarray, err: np.ndarray, noise: float) -> np.ndarray:
    """Which candidates keep a weight: the flat ones, and the trends of one form, log-linear (a yearly % change, the
    form of a Poisson count's trend) unless a linear trend's backtest error is lower than every log-linear one's by
    more than ``noise`` (then linear). Five years of entries cannot tell the two forms apart; weighted together, the
    trend is biased towards the wrong one whichever is true (``benchmarks/bench_entry_trends.py``)."""
    log, lin = kinds == "log-linear", kinds == "linear"
    if not lin.any() or not log.any():
        return np.ones(len(kinds), dtype=bool)
    linear = float(err[lin].min()) < float(err[log].min()) - noise
    return ~(lin if not linear else log)
