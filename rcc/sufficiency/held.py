"""Today's placements moved through the plan years: the held stock of a sufficiency plan.

A child placed today (``region.placements``, the census date of plan year 1) stays in
the same home in every plan year while still in care: plan year ``y``'s census date is
``12 (y - 1)`` months after today, and the child is still there with the chance of not
having left care by then (the monthly exit hazard of :func:`rcc.flows.default_exit_hazard`
by age and time in care, scaled by :func:`rcc.sufficiency.survival.exit_scale` so that a year
of care has England's published number of children ceasing) and of being under 18. Ages are
spread evenly over the cohort's age band (each year of age at its middle); time in care at the
census date is taken as :data:`HELD_MONTHS_IN_CARE` (the stock is mostly long-stayers). The
level is England's, not each council's own leaving rate.

Expected survivors per (cohort, home) and year (whole children when the plan places whole
children: rounded, and never more than were placed today) occupy that home's places and
count against their cohort's forecast demand: held + placed + unmet = demand per cohort and
year. A held child keeps the cohort it has today (moving into the next age band is not
re-labelled); where the forecast has fewer children in a cohort than the survivors, the
survivors above it are counted as having left (the plan's note says how many). Only the
rest of the demand (entrants, and children whose held placement ended) is placed by the
optimiser, on the places the held children leave free. Held children are never moved, unless
``SufficiencyParams.step_downs`` lets the optimiser move them as planned step-downs
(:mod:`rcc.sufficiency.stepdowns`). Where the held children of a cohort placed in groups leave less
than a group to place, those children are a cohort of the model of their own, placed together
(:func:`group_remainders`).
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS
from rcc.sufficiency.records import HeldArrays, ModelData
from rcc.sufficiency.survival import HELD_MONTHS_IN_CARE, exit_scale, still_in_care

__all__ = ["HELD_MONTHS_IN_CARE", "HeldStock", "apply_held", "held_placements", "group_remainders", "held_by_home", "held_stock", "survival", "ungroup_remainders"]


def survival(band: str, months: np.ndarray) -> np.ndarray:
    """Chance that a child of age band ``band`` in care today is still in care and under 18 after
    each of ``months`` (whole months from today): :func:`rcc.sufficiency.survival.still_in_care`
    at :data:`HELD_MONTHS_IN_CARE` months in care, ages spread evenly over the band, the hazard's
    level England's (:func:`rcc.sufficiency.survival.exit_scale`).

    >>> survival("16-17", np.array([0, 12, 24])).round(1).tolist()  # all 18 within two years
    [1.0, 0.4, 0.0]
    """
    lo, hi = AGE_BANDS[band]
    age0 = 12 * np.arange(lo, hi + 1) + 6  # (A,) months of age today
    alive = still_in_care(age0, np.full(len(age0), HELD_MONTHS_IN_CARE), np.asarray(months, dtype=np.int64), exit_scale())
    return alive.mean(axis=0)


@attrs.frozen(eq=False)
class HeldStock:
    """Held children by today's placement and plan year.

    Attributes
    ----------
    cohort, home : numpy.ndarray
        (P,) row positions in ``region.cohorts`` and ``region.homes`` of each (cohort, home) held today.
    children : numpy.ndarray
        (P, Y) children of that placement still there in each plan year.
    left_by_forecast : float
        Survivors beyond their cohort's forecast, counted as having left.
    region : Region
        The region as given (its cohorts, homes and councils name the rows).
    """

    cohort: np.ndarray
    home: np.ndarray
    children: np.ndarray
    left_by_forecast: float
    region: Region

    @property
    def today(self) -> float:
        """Children held today (plan year 1)."""
        return float(self.children[:, 0].sum()) if self.children.size else 0.0

    def by_cohort(self, n_cohorts: int) -> np.ndarray:
        """(C, Y) held children per cohort and year."""
        out = np.zeros((n_cohorts, self.children.shape[1]))
        np.add.at(out, self.cohort, self.children)
        return out

    def by_home(self, n_homes: int) -> np.ndarray:
        """(H, Y) places taken by held children per home and year."""
        out = np.zeros((n_homes, self.children.shape[1]))
        np.add.at(out, self.home, self.children)
        return out


def held_stock(region: Region, demand: np.ndarray, whole: bool, group_size: np.ndarray | None = None) -> HeldStock:
    """The held stock of ``region.placements`` over the plan years, within ``demand`` ((C, Y) forecast children).

    ``whole``: whole children (survivors rounded per placement, never above today's children; for cohorts
    placed in groups of ``group_size`` > 1, rounded the other way where that leaves whole groups to place)."""
    p = region.placements
    n_years = demand.shape[1]
    cohort = pd.Index(region.cohorts.cohort_id).get_indexer(p.cohort_id).astype(np.int64)
    home = pd.Index(region.homes.home_id).get_indexer(p.home_id).astype(np.int64)
    n_homes = len(region.homes)
    keys, inverse = np.unique(cohort * n_homes + home, return_inverse=True)
    today = np.bincount(inverse, weights=p.children.to_numpy(dtype=float), minlength=len(keys))
    cohort, home = keys // max(n_homes, 1), keys % max(n_homes, 1)
    months = 12 * np.arange(n_years)
    bands = region.cohorts.age_band.to_numpy()
    table = {b: survival(b, months) for b in AGE_BANDS}
    surv = np.stack([table[b] for b in bands]) if len(bands) else np.zeros((0, n_years))
    children = today[:, None] * surv[cohort]
    if whole:
        expected = children
        children = np.minimum(np.round(children), today[:, None])
        if group_size is not None and (np.asarray(group_size) > 1).any():
            children = _whole_groups(children, expected, cohort, demand, np.asarray(group_size, dtype=np.int64))
    total = np.zeros_like(demand, dtype=float)
    np.add.at(total, cohort, children)
    over = total > demand + 1e-9
    left = 0.0
    if over.any():  # the forecast has fewer children than the survivors: scale the cohort-year down
        ratio = np.where(over, demand / np.where(total > 0, total, 1.0), 1.0)[cohort]
        scaled = np.where(ratio < 1.0, children * ratio, children)
        scaled = np.floor(scaled + 1e-9) if whole else scaled
        scaled = np.minimum.accumulate(scaled, axis=1)  # a child who left does not come back
        left = float((children - scaled).sum())
        children = scaled
    return HeldStock(cohort=cohort, home=home, children=children, left_by_forecast=left, region=region)


def _whole_groups(
    children: np.ndarray, expected: np.ndarray, cohort: np.ndarray, demand: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """Survivors of cohorts placed in groups rounded so that the rest of the demand is whole groups: per
    cohort-year short of that, one more or one fewer survivor per placement (the rows rounded furthest the
    other way first), the direction nearer the expected survivors; never above the year before (children only
    leave), never in a year with no one leaving (year 1: today's children exactly). Years in order, a loop over
    the cohorts short of whole groups."""
    out = children.copy()
    for y in range(1, out.shape[1]):
        out[:, y] = np.minimum(out[:, y], out[:, y - 1])
        total = np.bincount(cohort, weights=out[:, y], minlength=len(group))
        rem = np.mod(demand[:, y] - total, group)
        for c in np.flatnonzero((group > 1) & (rem > 1e-9)):
            rows = np.flatnonzero(cohort == c)
            exp, now, before = expected[rows, y], out[rows, y], out[rows, y - 1]
            up, down = group[c] - rem[c], rem[c]
            room_up, room_down = (before - now).sum(), now.sum()
            nearer_up = abs(now.sum() + up - exp.sum()) <= abs(now.sum() - down - exp.sum())
            go_up = room_up >= up and (room_down < down or nearer_up)
            if not go_up and room_down < down:
                continue
            step, k, room = (1.0, up, before - now) if go_up else (-1.0, down, now)
            order = np.argsort(-(exp - now) * step, kind="stable")  # rounded furthest the other way first
            take = np.minimum(room[order], np.maximum(k - np.r_[0.0, np.cumsum(room[order])[:-1]], 0.0))
            out[rows[order], y] += step * take
    return out


def held_placements(region: Region, stock: HeldStock, group: pd.Series) -> pd.DataFrame:
    """The held children as rows of a plan's ``placements`` table (``held`` = ``children``), measured as
    :func:`rcc.simulate.today_plan` measures today: council-centroid distance, the home's weekly cost.

    ``group``: provider group by provider id."""
    yi, pi = np.nonzero(stock.children.T > 1e-9)
    cohort, home = stock.cohort[pi], stock.home[pi]
    c, h = region.cohorts.iloc[cohort], region.homes.iloc[home]
    councils = pd.Index(region.councils.council_id)
    cc, hc = councils.get_indexer(c.council_id), councils.get_indexer(h.council_id)
    children = stock.children[pi, yi]
    return pd.DataFrame(
        {
            "year": yi + 1,
            "cohort_id": c.cohort_id.to_numpy(),
            "council_id": c.council_id.to_numpy(),
            "need": c.need.to_numpy(),
            "age_band": c.age_band.to_numpy(),
            "home_id": h.home_id.to_numpy(),
            "home_council_id": h.council_id.to_numpy(),
            "home_type": h.home_type.to_numpy(),
            "provider_id": h.provider_id.to_numpy(),
            "provider_group": h.provider_id.map(group).to_numpy(dtype=object),
            "children": children,
            "held": children,
            "distance_miles": region.council_distances()[cc, hc] if len(cc) else np.zeros(0),
            "inside_own_council": cc == hc,
            "weekly_cost_gbp": h.weekly_cost_gbp.to_numpy(dtype=float),
            "new_capacity": np.zeros(len(yi), dtype=bool),
        }
    )


def apply_held(data: ModelData, stock: HeldStock, site: np.ndarray, home_weekly: np.ndarray, n_councils: int) -> ModelData:
    """The model's arrays with the held stock taken out: demand less held children, each site's
    held places per year, held children inside each RCC and per provider group, their placement
    cost per cohort council, and no closure of a home while it holds children (closing it would move them).

    ``site``: each held placement's site (its home, or the home's class); ``home_weekly``: its weekly cost."""
    n_sites, Y = len(data.site_option), data.n_years
    held_demand = stock.by_cohort(data.n_cohorts)
    site_held = np.zeros((n_sites, Y))
    np.add.at(site_held, site, stock.children)
    c_council = data.cohort_council[stock.cohort]
    s_council = data.site_council[site]
    inside = np.zeros((len(data.rcc_councils), Y))
    for r, m in enumerate(data.rcc_councils):
        inside[r] = (m[c_council] & m[s_council]).astype(float) @ stock.children
    group = data.site_group[site]
    by_group = np.zeros((data.n_groups, Y))
    np.add.at(by_group, group[group >= 0], stock.children[group >= 0])
    gbp = np.zeros((n_councils, Y))
    np.add.at(gbp, c_council, stock.children * (data.weeks_per_year * home_weekly)[:, None])
    holds = site_held[data.close_site] > 1e-9  # (K, Y); held children only ever leave, so the last held year ends it
    last = np.where(holds.any(axis=1), Y - np.argmax(holds[:, ::-1], axis=1), 0)
    rest = np.maximum(data.demand - held_demand, 0.0)
    m = data.group_size[:, None].astype(float)
    remainder = np.where(m > 1, np.mod(rest, m), 0.0)  # placed in the model as groups of their own (group_remainders)
    return attrs.evolve(
        data,
        demand=rest - remainder,
        close_earliest=np.maximum(data.close_earliest, last).astype(np.int64),
        held=HeldArrays(site_held, held_demand, inside, by_group, gbp, remainder),
    )


def group_remainders(data: ModelData, edges: pd.DataFrame) -> tuple[ModelData, pd.DataFrame]:
    """The remainders of cohorts placed in groups (``data.held.remainder``: fewer children than a group once
    today's held children are counted) as cohorts of the model of their own, appended after the region's
    cohorts: per cohort and remainder size ``r``, a cohort whose groups are the ``r`` children placed together
    (``r`` children in the years with that remainder; one by one, group size 1, when children are not whole),
    with the cohort's council, unmet cost and edges (``edges`` rows repeated, their ``cohort`` still the
    region's cohort). The optimiser places them with everyone else, so the plan's status covers them."""
    held = data.held
    if held is None or not (held.remainder > 1e-9).any():
        return data, edges
    C, Y = data.n_cohorts, data.n_years
    c_idx, y_idx = np.nonzero(held.remainder > 1e-9)
    amount = held.remainder[c_idx, y_idx]
    size = np.round(amount).astype(np.int64) if data.whole_children else np.ones(len(c_idx), dtype=np.int64)
    span = int(data.group_size.max()) + 1
    keys, j_of = np.unique(c_idx * span + size, return_inverse=True)
    cohort_of, group = keys // span, keys % span
    demand = np.zeros((len(keys), Y))
    np.add.at(demand, (j_of, y_idx), amount)
    order = np.argsort(data.e_cohort, kind="stable")
    start = np.searchsorted(data.e_cohort[order], np.r_[cohort_of, cohort_of + 1])
    lo, hi = start[: len(keys)], start[len(keys) :]
    dup = order[_ranges(lo, hi)]
    new_cohort = C + np.repeat(np.arange(len(keys)), hi - lo)
    zeros = np.zeros((len(keys), Y))
    held = attrs.evolve(held, demand=np.r_[held.demand, zeros], remainder=np.zeros((C + len(keys), Y)), cohort_of=cohort_of)
    data = attrs.evolve(
        data,
        demand=np.r_[data.demand, demand],
        unmet_cost=np.r_[data.unmet_cost, data.unmet_cost[cohort_of]],
        group_size=np.r_[data.group_size, group].astype(np.int64),
        cohort_council=np.r_[data.cohort_council, data.cohort_council[cohort_of]],
        e_cohort=np.r_[data.e_cohort, new_cohort].astype(np.int64),
        e_site=np.r_[data.e_site, data.e_site[dup]],
        e_penalty=np.r_[data.e_penalty, data.e_penalty[dup]],
        e_weekly=np.r_[data.e_weekly, data.e_weekly[dup]],
        held=held,
    )
    return data, pd.concat([edges, edges.iloc[dup]], ignore_index=True)


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """lo[0]..hi[0]-1, lo[1]..hi[1]-1, ... as one array."""
    n = hi - lo
    if not n.sum():
        return np.zeros(0, dtype=np.int64)
    return np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum()))


def ungroup_remainders(data: ModelData, unmet: np.ndarray) -> tuple[ModelData, np.ndarray]:
    """The model's data and unmet children ((C + J, Y)) with the remainder group cohorts of
    :func:`group_remainders` folded back into their cohorts (edges keep their rows, now of the region's
    cohort; the remainders are demand of their cohort): the tables' terms."""
    held = data.held
    if held is None or not len(held.cohort_of):
        return data, unmet
    C = data.n_cohorts - len(held.cohort_of)
    to = np.r_[np.arange(C), held.cohort_of]
    demand, out = np.zeros((C, data.n_years)), np.zeros((C, data.n_years))
    np.add.at(demand, to, data.demand)
    np.add.at(out, to, unmet)
    held = attrs.evolve(held, demand=held.demand[:C], remainder=np.zeros((C, data.n_years)), cohort_of=np.zeros(0, dtype=np.int64))
    data = attrs.evolve(
        data,
        demand=demand,
        unmet_cost=data.unmet_cost[:C],
        group_size=data.group_size[:C],
        cohort_council=data.cohort_council[:C],
        e_cohort=to[data.e_cohort],
        held=held,
    )
    return data, out


def held_by_home(region: Region, placements: pd.DataFrame, years: int) -> np.ndarray:
    """(homes, years) children held in each home of ``region`` by a plan's ``placements`` (its ``held`` rows)."""
    rows = placements[placements.held.to_numpy(dtype=float) > 0]
    out = np.zeros((len(region.homes), years))
    np.add.at(out, (pd.Index(region.homes.home_id).get_indexer(rows.home_id), rows.year.to_numpy() - 1), rows.held.to_numpy(dtype=float))
    return out
