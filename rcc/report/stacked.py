"""The report tables of a sufficiency plan (one part per year) or of a comparison (one part
per scenario): several plans of one region published together as one release.

The base table is each part's children aggregated to what the tables publish: placed
children per (part, council, distance band, inside own council) and children without a
home per (part, council). It is never published itself (no detail tables), so a base cell
is protected only where it holds 1 to ``suppress_below - 1`` children. In a comparison the
scenarios share their children: where a council's demand is the same in two scenarios, that
equation is a fact every audit knows (a count hidden in one scenario cannot be recovered
from another scenario's tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.report.audit import _protect
from rcc.report.release import SUPPRESSED, _Release
from rcc.report.tables import DISTANCE_BANDS, _band, _Base, _check_no_child_ids, _render

_SEP = "\x1f"
#: Count columns of the per-part and per-council tables (all derived from the base).
_COUNTS = (
    "children", "placed", "unmet", "placed_inside_own_council", "placed_outside_own_council",
    "placed_within_20_miles", "placed_over_20_miles",
)
#: A distance inside each band (upper bounds; 50+ at 51): the base keeps bands, not miles.
_BAND_MILES = {label: (hi if np.isfinite(hi) else lo + 1.0) for label, lo, hi in DISTANCE_BANDS}


def _aggregate(parts: Sequence[tuple[str, pd.DataFrame, pd.DataFrame]], councils: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The base rows: placed children per part, council, band and inside; without a home per part and council."""
    xs, ys = [], []
    for name, p, s in parts:
        if councils is not None:
            p, s = p[p.council_id.isin(councils)], s[s.council_id.isin(councils)]
        p = p.assign(band=_band(p.distance_miles), inside_own_council=p.inside_own_council.astype(bool))
        x = p.groupby(["council_id", "band", "inside_own_council"], as_index=False, sort=True).children.sum()
        y = s.groupby("council_id", as_index=False, sort=True).children.sum() if len(s) else pd.DataFrame(
            {"council_id": pd.Series([], dtype=object), "children": pd.Series([], dtype=float)}
        )
        xs.append(x.assign(part=name))
        ys.append(y.assign(part=name))
    x = pd.concat(xs, ignore_index=True)
    x = x[x.children > 0].reset_index(drop=True)
    y = pd.concat(ys, ignore_index=True)
    y = y[y.children > 0].reset_index(drop=True)
    x = x.assign(
        council_id=x.part.astype(str) + _SEP + x.council_id.astype(str),
        distance_miles=x.band.map(_BAND_MILES).astype(float),
        weekly_cost_gbp=0.0,
    )
    y = y.assign(council_id=y.part.astype(str) + _SEP + y.council_id.astype(str))
    return x, y


def _count_table(keys: pd.DataFrame, x: pd.DataFrame, y: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Children per key (``by`` columns of ``keys``), from the aggregated base rows."""
    within = x.distance_miles <= 20.0
    cols = {
        "placed": x.children,
        "placed_inside_own_council": x.children * x.inside_own_council,
        "placed_outside_own_council": x.children * ~x.inside_own_council,
        "placed_within_20_miles": x.children * within,
        "placed_over_20_miles": x.children * ~within,
    }
    gx = pd.DataFrame(cols).groupby([x[c] for c in by]).sum()
    gy = y.children.groupby([y[c] for c in by]).sum().rename("unmet")
    out = keys.merge(gx, left_on=by, right_index=True, how="left").merge(gy, left_on=by, right_index=True, how="left")
    out = out.fillna({c: 0 for c in list(cols) + ["unmet"]})
    out["children"] = out.placed + out.unmet
    for c in _COUNTS:
        if np.allclose(out[c], np.round(out[c])):
            out[c] = np.round(out[c]).astype(np.int64)
    placed = out.placed.where(out.placed > 0)
    out["pct_within_20_miles"] = 100.0 * out.placed_within_20_miles / placed
    out["pct_inside_own_council"] = 100.0 * out.placed_inside_own_council / placed
    return out[[*keys.columns, *_COUNTS, "pct_within_20_miles", "pct_inside_own_council"]].reset_index(drop=True)


def stacked_tables(
    parts: Sequence[tuple[str, pd.DataFrame, pd.DataFrame]],
    names: pd.Series,
    *,
    part_label: str,
    suppress_below: int = 5,
    councils: Sequence[str] | None = None,
    link_demand: bool = False,
) -> dict[str, pd.DataFrame]:
    """The suppressed tables of several plans of one region, as one release.

    Parameters
    ----------
    parts : sequence of (name, placements, shortfall)
        Each part's placements (``council_id``, ``children``, ``distance_miles``,
        ``inside_own_council``) and shortfall (``council_id``, ``children``).
    names : pandas.Series
        Council names by council id.
    part_label : str
        The name of the part column (``"year"``, ``"scenario"``).
    suppress_below : int
        Counts of 1 to ``suppress_below - 1`` children are ``"c"``.
    councils : sequence of str, optional
        Only these councils' children (e.g. the RCC's).
    link_demand : bool
        The parts have the same children (scenarios): equal council demand is a known fact.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``by_<part_label>`` (children, placed, unmet, inside/outside own council, within/over
        20 miles and the two shares, per part), ``distance_bands`` (part, band, children)
        and ``by_council`` (part, council, the same columns), suppressed and audited
        together; ``attrs["suppressed"]`` as in :func:`rcc.report.report_tables`.
    """
    frames, rel = _stacked_release(parts, names, part_label, councils, link_demand)
    tables = _render(frames, rel, _protect(rel, int(suppress_below)))
    _check_no_child_ids(tables)
    return {k: tables[k] for k in (f"by_{part_label}", "distance_bands", "by_council")}


def _stacked_release(
    parts: Sequence[tuple[str, pd.DataFrame, pd.DataFrame]],
    names: pd.Series,
    part_label: str,
    councils: Sequence[str] | None,
    link_demand: bool,
) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The tables before suppression and their linear model (see the module notes)."""
    order = [str(name) for name, _, _ in parts]
    bad = next((n for n in order if _SEP in n), None)
    if bad is not None or len(set(order)) != len(order):
        raise InvalidInputError(part_label, bad, part_label, "distinct names without the unit separator (\\x1f)", order)
    x, y = _aggregate([(str(n), p, s) for n, p, s in parts], councils)
    b = _Base(x, y)
    b.rel.base_lb[:] = 0.0  # the base rows are not published: a reader does not know which exist
    part_of = np.concatenate([x.part.to_numpy(object), x.part.to_numpy(object), y.part.to_numpy(object)])
    b.keys = b.keys.assign(part=part_of)
    frames: dict[str, Any] = {}
    per_part = _count_table(pd.DataFrame({"part": order}), x, y, ["part"])
    b.councils(f"by_{part_label}", per_part, key="part")
    frames[f"by_{part_label}"] = per_part.rename(columns={"part": part_label})
    bands = pd.DataFrame([(p, band) for p in order for band, _, _ in DISTANCE_BANDS], columns=["part", "band"])
    ids = b.rel.counts("distance_bands", "children", b.row_of(["part", "band"], bands, b.is_x), len(bands))
    frames["distance_bands"] = bands.assign(children=b.rel.value_a_of(ids)).rename(columns={"part": part_label})
    pc = pd.DataFrame({"council_id": sorted(set(x.council_id) | set(y.council_id))})
    split = pc.council_id.str.split(_SEP, n=1, expand=True) if len(pc) else pd.DataFrame({0: [], 1: []})
    pc = pc.assign(part=split[0], cid=split[1], council=split[1].map(names))
    pc = pc.assign(_p=pc.part.map({p: i for i, p in enumerate(order)})).sort_values(["_p", "council"], kind="stable")
    by_council = _count_table(pc[["council_id"]].reset_index(drop=True), x, y, ["council_id"])
    b.councils("by_council", by_council)
    keys = pc.set_index("council_id")
    shown = by_council.drop(columns="council_id")
    shown.insert(0, "council", by_council.council_id.map(keys.council).to_numpy())
    shown.insert(0, "council_id", by_council.council_id.map(keys.cid).to_numpy())
    shown.insert(0, part_label, by_council.council_id.map(keys.part).to_numpy())
    frames["by_council"] = shown
    b.detail(x, y)
    frames["placements"], frames["shortfall"] = x, y
    b.rel.unlisted_tables |= {"placements", "shortfall"}
    if link_demand:
        frames["_demand"] = _link_demand(b, x, y, order)
    b.rel.finish()
    back = {str(name): name for name, _, _ in parts}  # the parts' own values (years as numbers)
    for key in (f"by_{part_label}", "distance_bands", "by_council"):
        frames[key][part_label] = frames[key][part_label].map(back)
    return frames, b.rel


def _link_demand(b: _Base, x: pd.DataFrame, y: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Facts: a council's children are the same in every scenario where its demand is."""
    cid = np.concatenate([x.council_id.to_numpy(object), np.full(len(x), "", dtype=object), y.council_id.to_numpy(object)])
    council = pd.Series(cid).str.split(_SEP, n=1).str[-1].to_numpy(object)
    part = b.keys.part.to_numpy(object)
    use = b.is_x | b.is_y
    cells = []
    for c in sorted(set(council[use])):
        mine = use & (council == c)
        first = np.flatnonzero(mine & (part == order[0]))
        total = b.rel.base_value[first].sum()
        for other in order[1:]:
            var = np.flatnonzero(mine & (part == other))
            if not np.isclose(b.rel.base_value[var].sum(), total):
                continue  # demand differs (growth): no link
            cells.append((np.concatenate([var, first]), np.concatenate([np.ones(len(var)), -np.ones(len(first))])))
    b.rel.facts("_demand", cells)
    return pd.DataFrame({"fact": np.zeros(len(cells))})


def _spec(result: Any) -> dict[str, Any]:
    """What :func:`stacked_tables` needs of a sufficiency plan (parts: years) or a comparison
    (parts: scenarios, the RCC's councils, demand linked)."""
    if hasattr(result, "plans"):
        return {
            "parts": [(name, p.placements, p.shortfall) for name, p in result.plans.items()],
            "names": result.base.councils.set_index("council_id").name,
            "part_label": "scenario",
            "councils": list(result.rcc) if result.rcc else None,
            "link_demand": True,
        }
    pl, sh = result.placements, result.shortfall
    return {
        "parts": [(y, pl[pl.year == y], sh[sh.year == y]) for y in range(1, result.years + 1)],
        "names": result.region.councils.set_index("council_id").name,
        "part_label": "year",
        "councils": None,
        "link_demand": False,
    }


def sufficiency_tables(suff: Any, *, suppress_below: int = 5) -> dict[str, pd.DataFrame]:
    """The suppressed tables of a :class:`rcc.SufficiencyPlan`, one part per plan year
    (``by_year``, ``distance_bands``, ``by_council``; see :func:`stacked_tables`), plus its
    ``builds``, ``costs`` and ``budget_use`` (places and money that count no children: no
    placement costs, a revenue budget's use ``"c"``)."""
    out = stacked_tables(**_spec(suff), suppress_below=suppress_below)
    out.update(_money_tables(suff))
    return out


def _money_tables(suff: Any) -> dict[str, pd.DataFrame]:
    """The sufficiency plan's tables of places and money that count no children: what is
    built and its capital and programme revenue. Placement costs (``placements_gbp`` and the
    revenue and totals that include them) are left out, and a revenue budget's use is
    ``"c"``: weekly costs are weights on the children placed, and one more equation with
    distinct weights can pin hidden counts."""

    def pick(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
        return df[[c for c in cols if c in df.columns]].reset_index(drop=True)

    budget = pick(suff.budget_use, ("budget", "kind", "year", "limit_gbp", "used_gbp", "headroom_gbp", "binding"))
    revenue = (budget.kind != "capital").to_numpy() if len(budget) else np.zeros(0, dtype=bool)
    for c in ("used_gbp", "headroom_gbp", "binding"):
        if c in budget.columns and revenue.any():
            budget[c] = budget[c].astype(object).where(~revenue, SUPPRESSED)
    return {
        "builds": pick(suff.builds, ("year_started", "year_available", "name", "council_name", "home_type", "units",
                                     "places", "capital_gbp", "start_up_gbp", "annual_running_gbp")),
        "costs": pick(suff.costs, ("year", "capital_gbp", "start_up_gbp", "running_gbp", "closure_cost_gbp", "savings_gbp",
                                   "programme_revenue_gbp")),
        "budget_use": budget,
    }


def comparison_tables(cmp: Any, *, suppress_below: int = 5) -> dict[str, pd.DataFrame]:
    """The suppressed tables of a :class:`rcc.Comparison`: the RCC's children (all councils
    when it has no RCC) in each scenario (``by_scenario``, ``distance_bands``,
    ``by_council``; see :func:`stacked_tables`), equal demand linked across scenarios."""
    return stacked_tables(**_spec(cmp), suppress_below=suppress_below)


def release_of(result: Any) -> tuple[dict[str, pd.DataFrame], _Release]:
    """The unsuppressed tables and linear model of a sufficiency plan or comparison (for the audit)."""
    s = _spec(result)
    return _stacked_release(s["parts"], s["names"], s["part_label"], s["councils"], s["link_demand"])
