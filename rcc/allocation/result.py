"""`Plan`: the result of :func:`rcc.plan`, tables out."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.tradeoff import trade_off
from rcc.core.accessors import Accessor
from rcc.core.display import Card, Metrics, fmt_count, fmt_gap, fmt_gbp, fmt_metric, fmt_pct
from rcc.core.region import Region

__all__ = ["PlanStatus", "Plan", "SolveInfo", "metrics_table", "METRIC_LABELS"]


class PlanStatus(enum.StrEnum):
    """How the plan was obtained."""

    OPTIMAL = "optimal"  #: proven optimal
    TIME_LIMIT = "time_limit"  #: stopped by the time limit; the best plan found, with its gap
    INFEASIBLE = "infeasible"  #: the rules cannot all be met (held placements, budgets...)
    NOT_SOLVED = "not_solved"  #: the solver returned no answer
    HEURISTIC = "heuristic"  #: no optimality claim: the greedy baseline, or today's placements as found

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class SolveInfo:
    """What the solver reported: never hidden."""

    solver: str
    runtime_s: float
    gap: float | None = None
    bound: float | None = None
    time_limit_s: float | None = None
    variables: int = 0
    constraints: int = 0
    note: str = ""


#: Metric name -> human label (order of the summary).
METRIC_LABELS: Mapping[str, str] = {
    "children": "children (demand)",
    "placed": "children placed",
    "unmet": "children without a home",
    "pct_within_20_miles": "% placed within 20 miles",
    "pct_inside_own_council": "% placed inside own council",
    "mean_distance_miles": "mean distance (miles)",
    "weekly_cost_gbp": "weekly cost (GBP)",
    "utilisation_pct": "utilisation of places (%)",
    "provider_hhi": "provider concentration (HHI, 0-10,000)",
}


def metrics_table(
    placements: pd.DataFrame, shortfall: pd.DataFrame, places: float, by: str | None = None
) -> pd.DataFrame:
    """Metrics of placements (and shortfall), overall or per ``by`` column.

    ``placements`` needs columns children, distance_miles, inside_own_council,
    weekly_cost_gbp, provider_group (and ``by``); ``shortfall`` needs children
    (and ``by``). Percentages are of children placed. HHI is over provider
    groups' shares of placed children (0-10,000). Utilisation needs ``places``
    (ignored when grouping).
    """
    p = placements.assign(
        _d=placements.children * placements.distance_miles,
        _w20=placements.children * (placements.distance_miles <= 20.0),
        _in=placements.children * placements.inside_own_council.astype(bool),
        _cost=placements.children * placements.weekly_cost_gbp,
    )
    keys = [by] if by else []
    if by:
        g = p.groupby(by, sort=True)
        agg = g[["children", "_d", "_w20", "_in", "_cost"]].sum()
        share = p.groupby([by, "provider_group"]).children.sum() / g.children.sum()
        hhi = (share.pow(2) * 10_000).groupby(level=0).sum()
        unmet = shortfall.groupby(by).children.sum()
        idx = agg.index.union(unmet.index)
        agg = agg.reindex(idx, fill_value=0)
        hhi = hhi.reindex(idx)
        unmet = unmet.reindex(idx, fill_value=0)
    else:
        agg = p[["children", "_d", "_w20", "_in", "_cost"]].sum().to_frame().T
        by_group = p.groupby("provider_group").children.sum()
        tot = by_group.sum()
        hhi = pd.Series([float(((by_group / tot) ** 2).sum() * 10_000) if tot else np.nan])
        unmet = pd.Series([float(shortfall.children.sum())])
        agg.index = hhi.index = unmet.index = pd.RangeIndex(1)
    placed = agg.children.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "children": placed + unmet.astype(float),
                "placed": placed,
                "unmet": unmet.astype(float),
                "pct_within_20_miles": 100 * agg._w20 / placed,
                "pct_inside_own_council": 100 * agg._in / placed,
                "mean_distance_miles": agg._d / placed,
                "weekly_cost_gbp": agg._cost.astype(float),
                "utilisation_pct": 100 * placed / places if (places and not by) else np.nan,
                "provider_hhi": hhi.astype(float),
            },
            index=agg.index,
        )
    if by:
        out.index.name = by
        return out.reset_index()
    return out.drop(columns=keys)


@attrs.frozen(eq=False)
class Plan:
    """A placement plan.

    Attributes
    ----------
    region : Region
        The region planned (not modified).
    method : str
        ``"optimise"`` or ``"greedy"``.
    status : PlanStatus
    objective : float or None
        Objective value (see :mod:`rcc.allocation.model`); computed for the
        greedy plan too, so the two are comparable.
    placements : pandas.DataFrame
        One row per cohort x home used: cohort_id, council_id, need,
        age_band, home_id, home_council_id, home_type, provider_id,
        provider_group, children, held, distance_miles, inside_own_council,
        weekly_cost_gbp.
    shortfall : pandas.DataFrame
        One row per cohort with children left without a home: cohort_id,
        council_id, need, age_band, children, reason_code (``unreachable``,
        ``capacity`` or ``weights``) and reason (in words).
    info : SolveInfo
    """

    region: Region
    method: str
    status: PlanStatus
    objective: float | None
    placements: pd.DataFrame
    shortfall: pd.DataFrame
    info: SolveInfo
    plot = Accessor("plot")  # charts, registered by rcc.report (rcc.report.plots)

    @property
    def metrics(self) -> pd.Series:
        """Headline metrics (see :data:`METRIC_LABELS`): float values, printed readably.

        A :class:`rcc.core.display.Metrics` Series: ``plan.metrics["weekly_cost_gbp"]`` is the
        float in GBP a week; only its display rounds (children as whole numbers, shares in %,
        money in GBP, HHI on 0-10,000).
        """
        places = float(self.region.homes.places.sum())
        return Metrics(metrics_table(self.placements, self.shortfall, places).iloc[0])

    def metrics_by_council(self) -> pd.DataFrame:
        """The metrics per home council (each council sees its own outcome).

        ``provider_hhi`` is on the same 0-10,000 scale as :attr:`metrics`, over the provider groups
        of that council's children only: a council uses fewer groups than its region, so its HHI is
        higher (Greater Manchester's councils about 1,600-3,100 against 441 for the whole RCC).
        """
        return metrics_table(self.placements, self.shortfall, 0.0, by="council_id")

    def unmet_by_need(self) -> pd.DataFrame:
        """Children without a home by need and reason code (``unreachable``: no
        eligible home within reach; ``capacity``: eligible homes all full;
        ``weights``: an eligible home has a free place, but under the weights
        leaving the child without a home costs less)."""
        s = self.shortfall
        out = s.groupby(["need", "reason_code"], as_index=False).agg(
            children=("children", "sum"), cohorts=("cohort_id", "size")
        )
        return out.sort_values("children", ascending=False, kind="stable").reset_index(drop=True)

    def utilisation_by_home_type(self) -> pd.DataFrame:
        """Places, children placed and utilisation % per home type."""
        homes = self.region.homes
        used = self.placements.groupby("home_type").children.sum()
        out = homes.groupby("home_type").places.sum().to_frame()
        out["placed"] = used.reindex(out.index, fill_value=0)
        out["utilisation_pct"] = 100 * out.placed / out.places.where(out.places > 0)
        return out.reset_index()

    def summary(self, compare_with: Plan | None = None) -> str:
        """A readable summary; with ``compare_with`` (e.g. the greedy plan) it ends with what this plan
        trades against it (:func:`rcc.trade_off`: weekly cost in GBP against children without a home,
        over 20 miles and outside their own council)."""
        m = self.metrics
        lines = [f"{self.region.name}: {self.method} plan, status {self.status.value}"]
        if self.info.gap is not None:
            lines[0] += f", gap {fmt_gap(self.info.gap)}"
        lines[0] += f", {self.info.solver} {self.info.runtime_s:.1f}s"
        width = max(len(label) for label in METRIC_LABELS.values())
        for k, label in METRIC_LABELS.items():
            lines.append(f"  {label:<{width}} {_fmt(k, m[k])}")
        un = self.unmet_by_need()
        if len(un):
            lines.append("  children without a home, by need and reason:")
            words = {
                "unreachable": "no eligible home within reach",
                "capacity": "eligible homes within reach full",
                "weights": "a free place, but the weights prefer no placement",
            }
            for r in un.itertuples():
                lines.append(f"    {r.need:<18} {int(r.children):>6}  {words[r.reason_code]} ({r.cohorts} cohorts)")
        if self.info.note:
            lines.append(f"  note: {self.info.note}")
        if compare_with is not None:
            lines.append(f"  trade-off: {trade_off(compare_with, self).sentence}")
        return "\n".join(lines)

    def card(self) -> Card:
        """The short display of the plan: status, headline numbers, where to look next."""
        m = self.metrics
        title = f"{self.region.name}: {'greedy' if self.method == 'greedy' else 'optimised'} plan"
        over = 100.0 - m.pct_within_20_miles if m.placed else float("nan")
        rows = [
            ("children", fmt_count(m.children)),
            ("placed", fmt_count(m.placed)),
            ("without a home", fmt_count(m.unmet)),
            ("inside own council", fmt_pct(m.pct_inside_own_council)),
            ("over 20 miles", fmt_pct(over)),
            ("mean distance", fmt_metric("mean_distance_miles", m.mean_distance_miles)),
            ("weekly cost", fmt_gbp(m.weekly_cost_gbp) + " a week"),
            ("provider HHI", fmt_metric("provider_hhi", m.provider_hhi)),
        ]
        notes = []
        if (self.info.gap or 0) > 0 or self.status is PlanStatus.TIME_LIMIT:
            gap = fmt_gap(self.info.gap, missing="unknown")
            notes.append(f"gap to the best bound: {gap}")
        if m.unmet:
            un = self.unmet_by_need().groupby("reason_code").children.sum().sort_values(ascending=False)
            notes.append("without a home by reason: " + ", ".join(f"{k} {fmt_count(v)}" for k, v in un.items()))
        if self.info.note:
            notes.append(f"note: {_short(self.info.note)}")
        nxt = ["plan.summary()", "plan.metrics_by_council()", "plan.placements", "plan.shortfall",
               "rcc.write_html(plan, 'plan.html')"]
        return Card("Plan", title, self.status.value, rows, notes, nxt)

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """All result tables by name (placements, shortfall, metrics, by_council)."""
        m = self.metrics
        return {
            "placements": self.placements,
            "shortfall": self.shortfall,
            "metrics": pd.DataFrame({"metric": m.index, "value": m.to_numpy(dtype=float)}),
            "by_council": self.metrics_by_council(),
        }


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(key: str, value: float) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if key in ("children", "placed", "unmet", "weekly_cost_gbp", "provider_hhi"):  # HHI: 0-10,000, whole
        return f"{value:,.0f}"
    return f"{value:,.1f}"
