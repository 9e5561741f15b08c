"""The listed rows of a report's placements table and the pooling that keeps them safe
(internal to :mod:`rcc.report`; see :mod:`rcc.report.candidates` for the reader's base)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rcc.report.audit import STAGES, Unprotectable, _Audit, _protect
from rcc.report.candidates import ELSEWHERE
from rcc.report.release import _Release

if TYPE_CHECKING:
    from rcc.report.tables import _Base


def _placement_names(ids: pd.Series, names: pd.Series) -> pd.Series:
    """Council names, and the pooled councils' label."""
    return ids.map(names).where(ids != ELSEWHERE[0], ELSEWHERE[1])


def listed_placements(
    b: _Base, names: pd.Series, threshold: int, key: str | None = None, order: Sequence[str] = ()
) -> pd.DataFrame:
    """The placements table of a release whose base is reader pairs (:func:`_placements_table`);
    ``key``: a group column of the base's keys (year, scenario) first, its groups in ``order``.
    A listed row holds at least ``threshold`` children (an :data:`ELSEWHERE` row is listed
    whatever it holds: 0 or more)."""
    rel, nx = b.rel, b.nx
    keys = [*([key] if key else []), "council_id", "home_council_id", "listed_type"]
    groups = b.keys[:nx].groupby(keys, as_index=False).size()
    out = pd.DataFrame(
        {
            **({key: groups[key]} if key else {}),
            "council_id": groups.council_id,
            "council": groups.council_id.map(names),
            "placement_council_id": groups.home_council_id,
            "placement_council": _placement_names(groups.home_council_id, names),
            "home_type": groups.listed_type,
        }
    )
    rank = {str(g): i for i, g in enumerate(order)}
    out = out.assign(_o=out[key].map(rank) if key else 0).sort_values(["_o", "council", "placement_council", "home_type"], kind="stable")
    out = out.drop(columns="_o").reset_index(drop=True)
    r_x = b.row_of(keys, out, b.is_x, [*([key] if key else []), "council_id", "placement_council_id", "home_type"])
    ids = rel.counts("placements", "children", r_x, len(out))
    out["children"] = rel.value_a_of(ids)
    r_h = np.full(b.n, -1, dtype=np.int64)
    r_h[nx : 2 * nx] = r_x[:nx]
    out["held"] = rel.value_a_of(rel.counts("placements", "held", r_h, len(out)))
    rel.base_lb[:nx] = 0.0
    rel.aggregated = True
    by_row = np.argsort(r_x[:nx], kind="stable")
    starts = np.searchsorted(r_x[:nx][by_row], np.arange(len(out) + 1))
    floor = np.where(out.placement_council_id.to_numpy() == ELSEWHERE[0], 0.0, float(max(threshold, 1)))
    for i in range(len(out)):
        rel.bound(by_row[starts[i] : starts[i + 1]], floor[i], np.inf)
    return out


def _home_caps(b: _Base, pairs: pd.DataFrame, key: str | None = None) -> None:
    """Each home's places as public side information of the audit: the children placed
    in a home (in a group: ``key``), over all its pairs, are at most its places (or what
    the plan places there)."""
    home = pairs.home_id.astype(str).to_numpy(dtype=object)
    if key:
        home = pairs[key].astype(str).to_numpy(dtype=object) + "\x1f" + home
    for idx in pd.Series(np.arange(len(pairs))).groupby(home, sort=False).indices.values():
        b.rel.bound(np.asarray(idx, dtype=np.int64), -np.inf, float(pairs.places.iloc[idx[0]]))


def protect_pooled(
    make: Callable[[frozenset[tuple[str, ...]]], tuple[dict[str, pd.DataFrame], _Release]], threshold: int, key: str | None = None
) -> tuple[dict[str, pd.DataFrame], _Release, np.ndarray]:
    """A release (``make(pooled)``) and its hidden cells: where the audit finds a listed
    flow or placement row, or a council's count, pinned with nothing left to suppress (the
    places alone pin it), the councils of the row (all the council's, for a council's count
    or an :data:`ELSEWHERE` row) are pooled into :data:`ELSEWHERE` and the release is made
    again; each round pools more, so it ends. When nothing more can be pooled, the councils'
    children (public cells, :attr:`_Release.public_columns`) may be hidden as well, once;
    then the audit's error stands. ``pooled`` holds (group, home council,
    placement council) with ``key`` the group column, (home council, placement council) without."""
    pooled: frozenset[tuple[str, ...]] = frozenset()
    relaxed = False
    while True:
        frames, rel = make(pooled)
        if relaxed:  # last resort: a council's children may be hidden too (see below)
            rel.public[:] = False
        sure = _surely_recoverable(rel, threshold, mark=not relaxed)
        more = _to_pool(frames, [(rel.table[k], int(rel.row[k]), rel.column[k]) for k in sure], key)
        if not more <= pooled:  # pool them before the audit loop, which would only find them one round at a time
            pooled = pooled | more
            continue
        try:
            return frames, rel, _protect(rel, threshold)
        except Unprotectable as e:
            more = _to_pool(frames, e.cells, key)
            STAGES.info("suppression audit: %d cell(s) stay recoverable; their rows are pooled into '%s' and the "
                        "release audited again", len(e.cells), ELSEWHERE[0])
            if more <= pooled:
                if relaxed:
                    raise
                # nothing more to pool: the cells are pinned through a council's children, which are
                # public elsewhere (DfE) but which this release may still hide
                relaxed = True
            pooled = pooled | more


def _to_pool(frames: dict[str, pd.DataFrame], cells: Sequence[tuple[str, int, str]], key: str | None) -> set[tuple[str, ...]]:
    """The (group,) home council, placement council pairs to pool for recoverable ``cells``
    ((table, row, column)): a listed flow or placement row's own councils; all the
    council's listed rows for a council's count or an :data:`ELSEWHERE` row; every listed
    row of the group for a total."""
    more: set[tuple[str, ...]] = set()
    listed = frames["placements"]
    for table, row, _ in cells:
        r = frames[table].iloc[row]
        g = (str(r[key]),) if key and key in r.index else ()
        if table not in ("flows", "placements", "by_council"):  # a total: pool all its group's councils
            everything = listed if not key else listed[listed[key].astype(str) == g[0]] if g else listed
            more |= {(*((str(q[key]),) if key else ()), str(q.council_id), str(q.placement_council_id))
                     for _, q in everything.iterrows() if q.placement_council_id != ELSEWHERE[0]}
            continue
        if table != "by_council" and r.placement_council_id != ELSEWHERE[0]:
            more.add((*g, str(r.council_id), str(r.placement_council_id)))
            continue
        mine = (listed.council_id == r.council_id) & ((listed[key].astype(str) == g[0]) if key else True)
        more |= {(*g, str(r.council_id), str(q)) for q in listed.placement_council_id[mine] if q != ELSEWHERE[0]}
    return more


def _surely_recoverable(rel: _Release, threshold: int, mark: bool = True) -> np.ndarray:
    """Count cells that no suppression can protect: recoverable even when every cell the
    audit loop may hide is hidden (all but the public ones, and those too when primary).
    Hiding more only widens what a reader can tell, so any suppression the loop could
    reach leaves them recoverable too. The primary ones
    are returned (their rows must be pooled). The others that the public cells and places
    fix exactly (the audit's linear model has one value for them, not only one whole
    number) tell a reader nothing: they are marked public (``rel.public``), so the loop
    never hides them to protect another cell, where hiding them cannot help (their
    equation is implied by the public ones) and would only leave them to fail the audit.
    (``mark`` False: none marked, as in the last resort, where councils' children may be hidden.)"""
    if threshold <= 1:
        return np.zeros(0, np.int64)
    primary = rel.primary(threshold)
    most = ~rel.public | primary | rel.weighted_a  # every cell the loop may hide (a public count only if primary)
    cells = np.flatnonzero(rel.count & most)
    if not len(cells):
        return cells
    audit = _Audit(rel, most, blocks=rel.block)
    if audit.n:
        audit.sweep(cells, threshold)
    out, exact = [], []
    for k in cells:
        ok, lo, hi, _ = audit.check(int(k), threshold)
        if ok:
            continue
        if primary[k]:
            out.append(int(k))
        elif hi - lo <= 1e-6 * max(1.0, abs(hi)):  # the public cells fix it: publishing it adds no equation
            exact.append(int(k))
    if mark:
        rel.public[exact] = True
    return np.asarray(out, dtype=np.int64)
