"""The one release of a result that holds several plans: the years of a
:class:`rcc.sufficiency.SufficiencyPlan` and the scenarios of a :class:`rcc.Comparison`
(:func:`sufficiency_tables`, :func:`comparison_tables`). The Excel workbook, the HTML
report and the ``.plot`` accessors all read these tables (each shows some of them), and
:func:`rcc.report.audit_suppression` audits them.

All the plans of one result are one release, as in :func:`rcc.report_tables`: one base
table (the placement rows, their held children and the shortfall rows of every year or
scenario, stacked), every published count a sum of its cells, suppressed together and
audited by linear programming with each home's places known (a reader's base: see
:mod:`rcc.report.candidates`). A comparison's scenarios place the same children: where a
council has as many children in two scenarios, that equation is a row of the audit (a
reader knows it without a published number), so no scenario's table can be differenced
against another's to recover a suppressed count.

Beside the counts, a sufficiency plan's release holds its places and money (``builds``,
``closures``, ``capacity``, ``costs``, ``budget_use``): they count no children, with two
rules for the money that weighs the children placed. The annual cost of placements is a
cell of the model (``by_year.placements_gbp``, a weighted sum of the placement rows,
published only where the published counts already determine it, like the weekly cost);
``costs`` leaves it out with the revenue and totals that include it, and a revenue
budget's use (placement costs in it) is ``"c"`` whenever counts are suppressed.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.analysis.comparison import Comparison
from rcc.core.errors import InvalidInputError
from rcc.report.candidates import release_pairs
from rcc.report.listing import _home_caps, listed_placements, protect_pooled
from rcc.report.release import SUPPRESSED, _Release, _row_of
from rcc.report.tables import DISTANCE_BANDS, _band, _Base, _check_no_child_ids, _copy, _render, council_blocks
from rcc.sufficiency.result import SufficiencyPlan

#: Shortfall reasons of an allocation plan and of a sufficiency plan (the columns of ``unmet_by_need``).
PLAN_REASONS = ("unreachable", "capacity", "weights")
SUFFICIENCY_REASONS = ("unreachable", "lead_time", "budget", "capacity", "provider_share", "weights")
#: Money that adds up the costs of the children placed: never in the released ``costs``.
PLACEMENT_MONEY = ("placements_gbp", "revenue_gbp", "total_gbp")
#: A revenue budget's use (placement costs in it): ``"c"`` whenever counts are suppressed.
REVENUE_USE = ("used_gbp", "headroom_gbp", "binding")

_SEP = "\x1f"
_CACHE: weakref.WeakKeyDictionary[Any, dict[int, dict[str, pd.DataFrame]]] = weakref.WeakKeyDictionary()


def sufficiency_tables(suff: SufficiencyPlan, *, suppress_below: int = 5) -> dict[str, pd.DataFrame]:
    """The released tables of a :class:`rcc.SufficiencyPlan`, one release over its years.

    Parameters
    ----------
    suff : SufficiencyPlan
    suppress_below : int
        Counts of children from 1 to ``suppress_below - 1`` are ``"c"`` (default 5); 0 or
        1 suppresses nothing.

    Returns
    -------
    dict of str to pandas.DataFrame
        Counted from the placements and shortfall, suppressed and audited together (see
        :func:`rcc.report_tables`), ``year`` first: ``by_year`` (children, placed, in new
        places and in existing homes, unmet, inside / outside own council, within / over 20
        miles, the two shares, mean distance, weekly cost and ``placements_gbp``, the year's
        cost of placements), ``distance_bands`` (year, band, children), ``by_council``
        (year, council: the same counts), ``unmet_by_need`` (year, need: children and one
        column per reason), ``placements`` (year, home council, placement council, home type: see
        :func:`rcc.report_tables`) and ``shortfall`` (per cohort). Places
        and money that count no children: ``builds``, ``closures``, ``capacity``, ``costs``
        (without :data:`PLACEMENT_MONEY`) and ``budget_use`` (a revenue budget's
        :data:`REVENUE_USE` ``"c"`` when ``suppress_below > 1``). ``attrs["suppressed"]``
        of a table is its mask of suppressed cells.

    Raises
    ------
    rcc.SolverError
        HiGHS failed while auditing.
    """
    return _released(suff, suppress_below)


def comparison_tables(cmp: Comparison, *, suppress_below: int = 5) -> dict[str, pd.DataFrame]:
    """The released tables of a :class:`rcc.Comparison`, one release over its scenarios.

    Parameters
    ----------
    cmp : Comparison
    suppress_below : int
        As in :func:`sufficiency_tables`.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``scenario`` first, every council's children in every scenario: ``summary`` (one row
        per scenario: the counts, shares, mean distance and weekly cost), ``by_council``,
        ``distance_bands``, ``unmet_by_need``, ``placements`` and ``shortfall``;
        ``by_scenario``, the same per scenario for the RCC's children (every council's when
        the comparison has no RCC); and ``scenarios`` (name, pooling, market, status,
        method, description). One release in which each cohort's children are the same
        in every scenario where they are (see the module notes).

    Raises
    ------
    rcc.SolverError
        HiGHS failed while auditing.
    """
    return _released(cmp, suppress_below)


def release_of(
    result: SufficiencyPlan | Comparison, threshold: int = 5, pooled: frozenset[tuple[str, ...]] = frozenset()
) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The tables of a sufficiency plan or comparison before suppression and their linear
    model (what :func:`rcc.report.audit_suppression` audits). The placements table lists
    children per year (scenario), home council, placement council and home type, pooled
    where few places (``threshold``; ``pooled``: (group, home council, placement council)
    also pooled, see :func:`rcc.report.tables.protect_pooled`)."""
    if isinstance(result, SufficiencyPlan):
        names = result.region.councils.set_index("council_id").name
        annual = dict(zip(result.costs.year.astype(int), result.costs.placements_gbp.astype(float)))
        p = _year_pairs(result, threshold, pooled)
        frames, rel = _release(p, result.shortfall, "year", names, SUFFICIENCY_REASONS, rcc=None, annual=annual, threshold=threshold)
        rel.block = council_blocks(p.council_id, result.shortfall.council_id, result.region.councils)
        return frames, rel
    if not isinstance(result, Comparison):
        raise InvalidInputError("report", None, "result", "a SufficiencyPlan or a Comparison", type(result).__name__)
    order = list(result.plans)
    p = pd.concat(
        [
            release_pairs(pl.placements, pl.region, threshold, _of_group(pooled, s)).assign(scenario=s)
            for s, pl in result.plans.items()
        ],
        ignore_index=True,
    )
    s = pd.concat([pl.shortfall.assign(scenario=s) for s, pl in result.plans.items()], ignore_index=True)
    p = p[["scenario", *[c for c in p.columns if c != "scenario"]]]
    s = s[["scenario", *[c for c in s.columns if c != "scenario"]]]
    reasons = tuple(dict.fromkeys([*PLAN_REASONS, *sorted(set(s.reason_code) - set(PLAN_REASONS))]))
    names = result.base.councils.set_index("council_id").name
    frames, rel = _release(p, s, "scenario", names, reasons, rcc=tuple(result.rcc), order=order, threshold=threshold)
    rel.block = council_blocks(p.council_id, s.council_id, result.base.councils)
    return frames, rel


def _of_group(pooled: frozenset[tuple[str, ...]], group: object) -> frozenset[tuple[str, str]]:
    return frozenset((c, q) for g, c, q in pooled if g == str(group))


def _year_pairs(suff: SufficiencyPlan, threshold: int, pooled: frozenset[tuple[str, ...]]) -> pd.DataFrame:
    """The reader pairs of each year (:func:`rcc.report.candidates.release_pairs`): the
    region's homes with the places of that year (closed homes none; each new-capacity
    option the places built by then, as published in ``builds`` and ``closures``)."""
    base = suff.region.homes.set_index("home_id").places.astype(float)
    out = []
    for year in sorted(set(suff.placements.year.astype(int))):
        places = base.copy()
        closed = suff.closures[suff.closures.year_closed.astype(int) <= year].home_id
        places[places.index.isin(closed)] = 0.0
        built = suff.builds[suff.builds.year_available.astype(int) <= year].groupby("option_id").places.sum().astype(float)
        places = pd.concat([places, built[~built.index.isin(places.index)]])
        p = suff.placements[suff.placements.year.astype(int) == year]
        out.append(release_pairs(p, suff.region, threshold, _of_group(pooled, year), places=places).assign(year=year))
    p = pd.concat(out, ignore_index=True) if out else suff.placements.iloc[:0].assign(listed_council=[], listed_type=[], places=[])
    return p[["year", *[c for c in p.columns if c != "year"]]]


def _released(result: SufficiencyPlan | Comparison, suppress_below: int) -> dict[str, pd.DataFrame]:
    """The release at a threshold: computed once per result and threshold (the writers and
    the charts read the same one), a copy each time."""
    t = int(suppress_below)
    per = _CACHE.setdefault(result, {})
    if t not in per:
        key = "year" if isinstance(result, SufficiencyPlan) else "scenario"
        frames, rel, hidden = protect_pooled(lambda pooled: release_of(result, t, pooled), t, key)
        tables = _render(frames, rel, hidden)
        extra = _money_tables(result, t) if isinstance(result, SufficiencyPlan) else {"scenarios": _scenarios(result)}
        tables.update(extra)
        _check_no_child_ids(tables)
        per[t] = tables
    return {name: _copy(df) for name, df in per[t].items()}


def _release(
    p: pd.DataFrame,
    s: pd.DataFrame,
    key: str,
    names: pd.Series,
    reasons: Sequence[str],
    *,
    rcc: tuple[str, ...] | None,
    order: Sequence[object] | None = None,
    annual: Mapping[int, float] | None = None,
    threshold: int = 5,
) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The tables before suppression (added to the model in this order: it numbers their
    cells) and the model. ``rcc`` (a comparison): the councils of ``by_scenario`` (all when
    empty) and a council link per scenario (see :func:`_link_councils`); ``annual``: each
    year's cost of placements (a sufficiency plan's ``costs.placements_gbp``)."""
    p, s = p.reset_index(drop=True), s.reset_index(drop=True)
    b = _Base(p.assign(home_council_id=p.listed_council), s)
    group = np.concatenate([p[key].astype(str).to_numpy(dtype=object), np.full(len(p), "", dtype=object),
                            s[key].astype(str).to_numpy(dtype=object)])
    groups = [str(g) for g in (order if order is not None else sorted(set(p[key]) | set(s[key])))]
    head = f"by_{key}" if rcc is None else "summary"
    frames: dict[str, pd.DataFrame] = {head: _council_like(b, head, group, pd.DataFrame({key: groups}), [key], p, s)}
    if "new_capacity" in p.columns:
        _new_places(b, head, frames[head], group, p)
    if rcc is not None:
        b.rel.headline_tables.add("by_scenario")
        within = _within(b, p, s, rcc)
        frames["by_scenario"] = _council_like(b, "by_scenario", group, pd.DataFrame({key: groups}), [key],
                                              p[within[: b.nx]], s[within[2 * b.nx :]], within=within)
    else:
        b.rel.headline_tables.add(head)
        _placement_money(b, head, frames[head], group, annual or {})
    frames["distance_bands"] = _bands(b, group, groups, key)
    b.rel.headline_tables.add("distance_bands")  # big counts: suppressed only where nothing else can be (as a plan's)
    council = np.where(group == "", "", group + _SEP + b.keys.council_id.astype(str).to_numpy(dtype=object))
    pairs = pd.concat([p[[key, "council_id"]], s[[key, "council_id"]]]).astype(str).drop_duplicates()
    pairs = pairs.assign(council=pairs.council_id.map(names))
    pairs = pairs.assign(_o=pairs[key].map({g: i for i, g in enumerate(groups)})).sort_values(["_o", "council"], kind="stable")
    frames["by_council"] = _council_like(b, "by_council", council, pairs.drop(columns="_o"), [key, "council_id"], p, s)
    frames["unmet_by_need"] = _unmet(b, group, s, key, groups, reasons)
    b.keys[key] = group
    b.keys["listed_type"] = ""
    b.keys.loc[: b.nx - 1, "listed_type"] = p.listed_type.to_numpy()
    frames["placements"] = listed_placements(b, names, threshold, key, groups)
    frames["shortfall"] = s
    if "children" in s.columns:
        idx = np.arange(b.n)
        b.rel.counts("shortfall", "children", np.where(b.is_y, idx - 2 * b.nx, -1), b.ny)
    _home_caps(b, p, key)
    if rcc is not None:
        _link_councils(b, p, s, key)
    b.rel.public_columns |= {("by_council", "children")}  # DfE publishes them
    b.rel.finish()
    for name in (head, "by_scenario", "distance_bands", "by_council", "unmet_by_need", "placements"):
        if name in frames:
            frames[name][key] = _typed(frames[name][key], p[key])
    return frames, b.rel


def _within(b: _Base, p: pd.DataFrame, s: pd.DataFrame, rcc: tuple[str, ...]) -> np.ndarray:
    """The base cells of the RCC's children (every child's when there is no RCC)."""
    out = np.zeros(b.n, dtype=bool)
    out[: b.nx] = p.council_id.isin(rcc).to_numpy() if rcc else True
    out[2 * b.nx :] = s.council_id.isin(rcc).to_numpy() if rcc else True
    return out


def _typed(values: pd.Series, like: pd.Series) -> pd.Series:
    """Group labels back to the type of the source column (years as integers)."""
    return values.astype(like.dtype) if pd.api.types.is_integer_dtype(like.dtype) else values


def _council_like(
    b: _Base, table: str, key_of_base: np.ndarray, rows: pd.DataFrame, key_cols: list[str], p: pd.DataFrame,
    s: pd.DataFrame, within: np.ndarray | None = None,
) -> pd.DataFrame:
    """A per-group (or per group and council) table of counts, shares, mean distance and
    weekly cost of the children of ``p`` and ``s`` (the base cells ``within``, default
    all), its cells added to the release by :meth:`_Base.councils` (which checks every
    count against the base)."""
    rows = rows.reset_index(drop=True).astype({c: str for c in key_cols})
    composite = rows[key_cols].astype(str).agg(_SEP.join, axis=1) if len(rows) else pd.Series([], dtype=object)
    kx = p[key_cols].astype(str).agg(_SEP.join, axis=1) if len(p) else pd.Series([], dtype=object)
    ky = s[key_cols].astype(str).agg(_SEP.join, axis=1) if len(s) else pd.Series([], dtype=object)
    x = p.children.astype(float)
    inside, within_20 = p.inside_own_council.astype(bool), p.distance_miles.astype(float) <= 20.0

    def per(values: pd.Series, keys: pd.Series) -> np.ndarray:
        return values.groupby(keys.to_numpy()).sum().reindex(composite.to_numpy(), fill_value=0.0).to_numpy(dtype=float)

    placed, unmet = per(x, kx), per(s.children.astype(float), ky)
    ins, wit = per(x * inside, kx), per(x * within_20, kx)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = np.where(placed > 0, placed, np.nan)
        df = rows.assign(
            children=(placed + unmet).astype(np.int64), placed=placed.astype(np.int64), unmet=unmet.astype(np.int64),
            placed_inside_own_council=ins.astype(np.int64), placed_outside_own_council=(placed - ins).astype(np.int64),
            placed_within_20_miles=wit.astype(np.int64), placed_over_20_miles=(placed - wit).astype(np.int64),
            pct_inside_own_council=100.0 * ins / den, pct_within_20_miles=100.0 * wit / den,
            mean_distance_miles=per(x * p.distance_miles.astype(float), kx) / den,
            weekly_cost_gbp=per(x * p.weekly_cost_gbp.astype(float), kx),
        )
    saved = b.keys.council_id
    b.keys["council_id"] = np.asarray(key_of_base, dtype=object)
    try:
        b.councils(table, df.assign(council_id=composite.to_numpy(dtype=object)), within=within)
    finally:
        b.keys["council_id"] = saved
    return df


def _new_places(b: _Base, table: str, head: pd.DataFrame, group: np.ndarray, p: pd.DataFrame) -> None:
    """Children placed in new capacity and in existing homes, per group (columns of the headline table)."""
    rel = b.rel
    new = np.zeros(b.n, dtype=bool)
    new[: b.nx] = p.new_capacity.astype(bool).to_numpy()
    r = _row_of(pd.DataFrame({"g": group}), pd.DataFrame({"g": head.iloc[:, 0].astype(str)}), b.is_x)
    ids_new = rel.counts(table, "placed_in_new_places", np.where(new, r, -1), len(head))
    ids_old = rel.counts(table, "placed_in_existing_homes", np.where(b.is_x & ~new, r, -1), len(head))
    placed = rel.index[(table, "placed")]
    for i in range(len(head)):
        rel.relate(int(placed[i]), ids_new[i : i + 1], ids_old[i : i + 1])
    at = head.columns.get_loc("placed") + 1
    head.insert(at, "placed_in_existing_homes", rel.value_a_of(ids_old))
    head.insert(at, "placed_in_new_places", rel.value_a_of(ids_new))


def _placement_money(b: _Base, table: str, head: pd.DataFrame, group: np.ndarray, annual: Mapping[int, float]) -> None:
    """``placements_gbp`` of each year: its placement rows' children times their weekly
    cost times the weeks of a year (a weighted sum like ``weekly_cost_gbp``, published only
    where the published counts already determine it). The weeks of a year are the plan's
    own: its cost of placements over its weekly cost."""
    rel = b.rel
    r = np.where(b.is_x, _row_of(pd.DataFrame({"g": group}), pd.DataFrame({"g": head.iloc[:, 0].astype(str)}), b.is_x), -1)
    weekly = np.bincount(r[b.is_x], weights=(b.cost * rel.base_value)[b.is_x], minlength=len(head))
    money = np.asarray([annual.get(int(y), 0.0) for y in head.iloc[:, 0]], dtype=float)
    weeks = np.divide(money, weekly, out=np.zeros(len(head)), where=weekly > 0)
    bad = (weekly <= 0) & (np.abs(money) > 0.5)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError("costs", i, "placements_gbp", "0 in a year without placement costs", float(money[i]))
    weight = np.where(b.is_x, b.cost * weeks[np.maximum(r, 0)], 0.0)
    placed = rel.index[(table, "placed")]
    ids = rel.sums(table, "placements_gbp", r, weight, len(head), [[int(k)] for k in placed])
    head.insert(head.columns.get_loc("weekly_cost_gbp") + 1, "placements_gbp", np.asarray([rel.value[k] for k in ids]))
def _bands(b: _Base, group: np.ndarray, groups: list[str], key: str) -> pd.DataFrame:
    """Children placed per group and distance band."""
    labels = [d[0] for d in DISTANCE_BANDS]
    t = pd.DataFrame({key: np.repeat(groups, len(labels)), "band": labels * len(groups)})
    band = np.concatenate([_band(pd.Series(b.dist[: b.nx])).fillna("").to_numpy(dtype=object), np.full(b.n - b.nx, "", dtype=object)])
    keys = pd.DataFrame({key: group, "band": band})
    ids = b.rel.counts("distance_bands", "children", _row_of(keys, t, b.is_x), len(t))
    return t.assign(children=b.rel.value_a_of(ids))


def _unmet(b: _Base, group: np.ndarray, s: pd.DataFrame, key: str, groups: list[str], reasons: Sequence[str]) -> pd.DataFrame:
    """Children without a home per group and need: total and per reason (total = sum of the reasons)."""
    rel = b.rel
    rank = {g: i for i, g in enumerate(groups)}
    t = s[[key, "need"]].astype(str).drop_duplicates()
    t = t.assign(_o=t[key].map(rank)).sort_values(["_o", "need"], kind="stable").drop(columns="_o").reset_index(drop=True)
    unknown = sorted(set(s.reason_code) - set(reasons))
    if unknown:
        raise InvalidInputError("shortfall", None, "reason_code", f"one of {list(reasons)}", unknown[0])
    keys = pd.DataFrame({key: group, "need": b.keys.need.to_numpy(dtype=object)})
    r = _row_of(keys, t, b.is_y)
    ids = {"children": rel.counts("unmet_by_need", "children", r, len(t))}
    for reason in reasons:
        ids[reason] = rel.counts("unmet_by_need", reason, np.where(b.keys.reason.to_numpy() == reason, r, -1), len(t))
    for i in range(len(t)):
        rel.relate(int(ids["children"][i]), *(ids[q][i : i + 1] for q in reasons))
    return t.assign(**{c: rel.value_a_of(v) for c, v in ids.items()})


def _link_councils(b: _Base, p: pd.DataFrame, s: pd.DataFrame, key: str) -> None:
    """One audit row per council and scenario after its first: its children in that
    scenario equal its children in the first (only where they do: a scenario that changes
    demand changes them). The placements of a comparison's release are per (home council,
    home), so the rows are per council: a reader's facts about single cohorts (their needs,
    their homes) are not rows of the audit."""
    cells = pd.DataFrame(
        {
            "council": np.concatenate([p.council_id.astype(str), s.council_id.astype(str)]),
            "group": np.concatenate([p[key].astype(str), s[key].astype(str)]),
            "var": np.concatenate([np.arange(b.nx), np.arange(2 * b.nx, b.n)]),
        }
    )
    cells["value"] = b.rel.base_value[cells["var"].to_numpy()]
    for _, c in cells.groupby("council", sort=False):
        by = [(g, d["var"].to_numpy(), float(d["value"].sum())) for g, d in c.groupby("group", sort=False)]
        first_var, first_total = by[0][1], by[0][2]
        for _, var, total in by[1:]:
            if total == first_total:
                b.rel.link(np.concatenate([first_var, var]), np.concatenate([np.ones(len(first_var)), -np.ones(len(var))]))


def _money_tables(suff: SufficiencyPlan, threshold: int) -> dict[str, pd.DataFrame]:
    """The sufficiency plan's places and money, which count no children: what is built and
    closed, places per council and year, money per year without :data:`PLACEMENT_MONEY`
    (weekly costs weigh the children placed: one more equation with distinct weights can pin
    hidden counts; ``by_year.placements_gbp`` is the audited cell) and the budgets, a revenue
    budget's :data:`REVENUE_USE` ``"c"`` when counts are suppressed."""
    budget = suff.budget_use.drop(columns=[c for c in ("budget_row",) if c in suff.budget_use.columns]).reset_index(drop=True)
    hide = (budget.kind.astype(str) == "revenue").to_numpy(dtype=bool) & (int(threshold) > 1)
    mask = pd.DataFrame({c: hide for c in REVENUE_USE if c in budget.columns}, index=budget.index)
    for c in mask.columns:
        if hide.any():
            budget[c] = budget[c].astype(object).where(~hide, SUPPRESSED)
    budget.attrs["suppressed"] = mask
    return {
        "builds": suff.builds.reset_index(drop=True),
        "closures": suff.closures.reset_index(drop=True),
        "capacity": suff.capacity.reset_index(drop=True),
        "costs": suff.costs.drop(columns=[c for c in PLACEMENT_MONEY if c in suff.costs.columns]).reset_index(drop=True),
        "budget_use": budget,
    }


def _scenarios(cmp: Comparison) -> pd.DataFrame:
    """The scenarios of a comparison (no counts): name, pooling, market, status, method, description."""
    rows = []
    for s in cmp.scenarios:
        p = cmp.plans[s.name]
        rows.append({"scenario": s.name, "pooling": s.pooling, "market": s.market, "status": p.status.value,
                     "method": p.method, "description": s.description})
    return pd.DataFrame(rows, columns=["scenario", "pooling", "market", "status", "method", "description"])
