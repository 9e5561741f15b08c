"""`SufficiencyPlan`: the result of :func:`rcc.sufficiency.sufficiency_plan`, tables out."""

from __future__ import annotations

import warnings

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.result import METRIC_LABELS, PlanStatus, SolveInfo
from rcc.core.accessors import Accessor
from rcc.core.display import Card, fmt_count, fmt_gap, fmt_gbp, fmt_metric, fmt_pct, wrap_lines
from rcc.core.errors import InfeasibleError
from rcc.core.region import Region

__all__ = ["SufficiencyPlan"]


@attrs.frozen(eq=False)
class SufficiencyPlan:
    """A sufficiency plan: new capacity per year, placements, shortfall, costs.

    Attributes
    ----------
    region : Region
        The region planned (not modified).
    years : int
        Plan horizon (years 1..years).
    status : PlanStatus
        ``optimal``; ``time_limit`` (best plan found, see ``info.gap``);
        ``infeasible`` (the hard rules clash: ``explanation`` says which and by
        how much, and the tables show the plan with those rules relaxed by
        exactly that much). (No plan without a feasible solution:
        :func:`rcc.sufficiency.sufficiency_plan` raises :class:`rcc.SolverError`.)
    objective : float or None
        Objective value (see :mod:`rcc.sufficiency.model`).
    builds : pandas.DataFrame
        Chosen options per start year: option_id, name, council_id,
        council_name, home_type, scope, provider_id, year_started,
        year_available, units, places, capital_gbp, start_up_gbp,
        annual_running_gbp.
    closures : pandas.DataFrame
        Homes closed: home_id, council_id, home_type, places, year_closed,
        closure_cost_gbp, annual_saving_gbp.
    placements : pandas.DataFrame
        One row per year x cohort x home-or-option: ``year`` then the columns
        of :attr:`rcc.Plan.placements` (``home_id`` is the option id for new
        capacity) and ``new_capacity``.
    shortfall : pandas.DataFrame
        Children without a home per year and cohort: year, cohort_id,
        council_id, need, age_band, children, reason_code (``unreachable``,
        ``lead_time``, ``budget``, ``capacity``, ``provider_share``,
        ``weights``) and reason (in words).
    costs : pandas.DataFrame
        Money per year (nominal GBP): capital_gbp, start_up_gbp, running_gbp,
        closure_cost_gbp, savings_gbp, programme_revenue_gbp, placements_gbp,
        revenue_gbp, total_gbp.
    budget_use : pandas.DataFrame
        Every budget limit: budget, kind (capital/revenue), year, limit_gbp,
        used_gbp, headroom_gbp, binding.
    capacity : pandas.DataFrame
        Per council and year: existing_places (open), closed_places,
        new_places (available), net_new_places.
    growth_vs_moves : pandas.DataFrame
        Per RCC and year, growing capacity versus moving it: rcc, year,
        children (its forecast), children_inside_existing,
        children_in_new_places, children_outside (in homes outside the RCC),
        children_without_home, others_children_inside (other areas' children
        in the RCC's homes), new_places, closed_places, net_new_places (new
        minus closed, inside the RCC) and moved_in_from_outside (fewer of its
        children outside than in year 1: places moved between areas rather
        than grown).
    explanation : pandas.DataFrame
        Rules that must give for a plan to exist (empty unless infeasible):
        rule, scope, year, limit, needed, violation, unit.
    metrics_by_year : pandas.DataFrame
        The metrics of :attr:`rcc.Plan.metrics` per year: one row per plan
        year (index ``year``), one column per metric. (``Plan.metrics`` is one
        Series for the single period of a plan; the old name ``metrics`` for
        this table still works, with a DeprecationWarning.)
    info : SolveInfo
        Solver, runtime, gap, bound, size, notes: never hidden.
    """

    region: Region
    years: int
    status: PlanStatus
    objective: float | None
    builds: pd.DataFrame
    closures: pd.DataFrame
    placements: pd.DataFrame
    shortfall: pd.DataFrame
    costs: pd.DataFrame
    budget_use: pd.DataFrame
    capacity: pd.DataFrame
    growth_vs_moves: pd.DataFrame
    explanation: pd.DataFrame
    metrics_by_year: pd.DataFrame
    info: SolveInfo
    plot = Accessor("plot")  # charts, registered by rcc.report (rcc.report.plots)

    @property
    def metrics(self) -> pd.DataFrame:
        """Deprecated name of :attr:`metrics_by_year` (a table per year, unlike
        :attr:`rcc.Plan.metrics`, one Series)."""
        warnings.warn(
            "SufficiencyPlan.metrics is deprecated: renamed metrics_by_year in rcc 0.2 (one row per plan year; "
            "Plan.metrics is a Series)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.metrics_by_year

    @property
    def total_cost_gbp(self) -> float:
        """Capital plus revenue (programme and placements) over the plan, GBP."""
        return float(self.costs.total_gbp.sum())

    @property
    def new_places(self) -> int:
        """Places added by the plan (units started x places per unit)."""
        return int(self.builds.places.sum()) if len(self.builds) else 0

    def shortfall_by_reason(self) -> pd.DataFrame:
        """Children without a home per year, need and reason code."""
        s = self.shortfall
        return (
            s.groupby(["year", "need", "reason_code"], as_index=False)
            .agg(children=("children", "sum"), cohorts=("cohort_id", "size"))
            .sort_values(["year", "children"], ascending=[True, False], kind="stable")
            .reset_index(drop=True)
        )

    def raise_if_infeasible(self) -> None:
        """Raise :class:`rcc.InfeasibleError` with the explanation when infeasible."""
        if self.status is PlanStatus.INFEASIBLE:
            raise InfeasibleError(self.explain())

    def explain(self) -> str:
        """The infeasibility explanation in words ('' when the rules are consistent)."""
        if not len(self.explanation):
            return ""
        lines = [f"{self.region.name}: no plan meets every rule; the smallest relaxation that makes one exist is:"]
        for r in self.explanation.itertuples():
            year = "all years" if pd.isna(r.year) else f"year {int(r.year)}"
            lines.append(f"  - {r.rule} ({r.scope}, {year}): {_money_or(r.unit, r.violation)} {r.words}")
        return "\n".join(lines)

    def summary(self) -> str:
        """A plan a commissioner can read: per year, what to start where, what it
        costs, children placed and within 20 miles, and who is left without a home."""
        lines = [f"Sufficiency plan for {self.region.name}: {self.years} year(s), status {self.status.value}"]
        gap = fmt_gap(self.info.gap)
        lines.append(f"  solver {self.info.solver}, {self.info.runtime_s:.1f}s, gap {gap}; {self.info.note}".rstrip("; "))
        if len(self.explanation):
            lines.append(self.explain())
        for y in range(1, self.years + 1):
            lines.append(f"Year {y}")
            b = self.builds[self.builds.year_started == y]
            for r in b.itertuples():
                avail = f"open year {r.year_available}" if r.year_available <= self.years else "opens after the plan"
                money = ", ".join(
                    f"{label} {_gbp(v)}"
                    for label, v in (("capital", r.capital_gbp), ("start-up", r.start_up_gbp), ("running/yr", r.annual_running_gbp))
                    if v > 0
                )
                lines.append(f"  start  {r.name} in {r.council_name}: {r.units} x -> {r.places} places, {avail}; {money}")
            c = self.closures[self.closures.year_closed == y]
            for r in c.itertuples():
                lines.append(f"  close  {r.home_id} ({r.places} places), saving {_gbp(r.annual_saving_gbp)}/yr")
            if self.status is not PlanStatus.NOT_SOLVED and y in self.metrics_by_year.index:
                m = self.metrics_by_year.loc[y]
                cost = self.costs.loc[self.costs.year == y].iloc[0]
                lines.append(
                    f"  children {m.children:,.0f}: placed {m.placed:,.0f} ({m.pct_within_20_miles:.1f}% within 20 miles, "
                    f"{m.pct_inside_own_council:.1f}% in own council), without a home {m.unmet:,.0f}"
                )
                lines.append(
                    f"  spend  capital {_gbp(cost.capital_gbp)}, programme revenue {_gbp(cost.programme_revenue_gbp)}, "
                    f"placements {_gbp(cost.placements_gbp)}"
                )
                s = self.shortfall[self.shortfall.year == y]
                if len(s):
                    by = s.groupby(["need", "reason_code"]).children.sum().sort_values(ascending=False)
                    lines.append("  without a home: " + "; ".join(f"{n} {int(v)} ({code})" for (n, code), v in by.items()))
        if len(self.growth_vs_moves):
            lines.append("Growth versus moves (per RCC, last year against year 1):")
            for name, g in self.growth_vs_moves.groupby("rcc", sort=False):
                first, last = g.iloc[0], g.iloc[-1]
                lines.append(
                    f"  {name}: net new places {int(last.net_new_places):+,}; children placed outside the RCC "
                    f"{first.children_outside:,.0f} -> {last.children_outside:,.0f}; "
                    f"in new places inside {last.children_in_new_places:,.0f}"
                )
        if len(self.budget_use):
            lines.append("Budgets:")
            for r in self.budget_use.itertuples():
                year = "all years" if pd.isna(r.year) else f"year {int(r.year)}"
                flag = " (binding)" if r.binding else ""
                lines.append(f"  {r.budget} {r.kind} {year}: {_gbp(r.used_gbp)} of {_gbp(r.limit_gbp)}{flag}")
        tot = self.costs.sum(numeric_only=True)
        lines.append(
            f"Total over {self.years} year(s): capital {_gbp(tot.capital_gbp)}, revenue {_gbp(tot.revenue_gbp)} "
            f"(placements {_gbp(tot.placements_gbp)}), new places {self.new_places:,}"
        )
        return wrap_lines("\n".join(lines))

    def card(self) -> Card:
        """The short display: status, the last year's outcome, new places and money, where to look next."""
        rows = [("years", str(self.years)), ("new places", fmt_count(self.new_places))]
        tot = self.costs.sum(numeric_only=True)
        if len(self.costs):
            rows += [
                (f"capital, {self.years} year(s)", fmt_gbp(tot.capital_gbp, short=True)),
                (f"revenue incl. placements, {self.years} year(s)", fmt_gbp(tot.revenue_gbp, short=True)),
            ]
        if self.status is not PlanStatus.NOT_SOLVED and len(self.metrics_by_year):
            y = int(self.metrics_by_year.index.max())
            m = self.metrics_by_year.loc[y]
            over = 100.0 - m.pct_within_20_miles if m.placed else float("nan")
            rows += [
                (f"year {y}: children", fmt_count(m.children)),
                (f"year {y}: without a home", fmt_count(m.unmet)),
                (f"year {y}: inside own council", fmt_pct(m.pct_inside_own_council)),
                (f"year {y}: over 20 miles", fmt_pct(over)),
                (f"year {y}: mean distance", fmt_metric("mean_distance_miles", m.mean_distance_miles)),
                (f"year {y}: weekly cost", fmt_gbp(m.weekly_cost_gbp) + " a week"),
            ]
        notes = []
        if self.info.gap is not None:
            notes.append(f"gap to the best bound: {fmt_gap(self.info.gap)}")
        if len(self.explanation):
            notes.append(f"the rules clash: {len(self.explanation)} rule(s) must give (see suff.explain())")
        notes += self._held_notes()
        nxt = ["suff.summary()", "suff.builds", "suff.costs", "suff.metrics_by_year", "suff.budget_use"]
        if len(self.explanation):
            nxt.insert(1, "suff.explain()")
        return Card("SufficiencyPlan", self.region.name, self.status.value, rows, notes, nxt)

    def _held_notes(self) -> list[str]:
        """What was held: today's children kept in their homes (first and last year), or that none were."""
        p = self.placements
        held = p.held.groupby(p.year).sum() if "held" in p.columns and len(p) else pd.Series(dtype=float)
        moved = self.info is not None and "held children moved by plan" in (self.info.note or "")
        if held.sum() > 0:
            first, last = int(held.index.min()), int(held.index.max())
            return [
                f"from today: {fmt_count(held.loc[first])} children held in their current homes in year {first}, "
                f"{fmt_count(held.loc[last])} still there in year {last}; "
                + ("others moved as planned step-downs" if moved else "never moved")
            ]
        if moved:
            return ["from today: every held child moved as a planned step-down"]
        if self.region is not None and len(self.region.placements):
            return [f"planned afresh: today's {fmt_count(self.region.placements.children.sum())} placements not held"]
        return []

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def metrics_table(self) -> pd.DataFrame:
        """Per-year metrics with human labels as columns."""
        return self.metrics_by_year.rename(columns=dict(METRIC_LABELS))

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """All result tables by name."""
        return {
            "builds": self.builds,
            "closures": self.closures,
            "placements": self.placements,
            "shortfall": self.shortfall,
            "costs": self.costs,
            "budget_use": self.budget_use,
            "capacity": self.capacity,
            "growth_vs_moves": self.growth_vs_moves,
            "explanation": self.explanation,
            "metrics": self.metrics_by_year.reset_index(),
        }


def _gbp(v: float) -> str:
    v = float(v)
    if not np.isfinite(v):
        return "no limit"
    if abs(v) >= 1e6:
        return f"GBP {v / 1e6:,.2f}m"
    if abs(v) >= 1e3:
        return f"GBP {v / 1e3:,.0f}k"
    return f"GBP {v:,.0f}"


def _money_or(unit: str, v: float) -> str:
    return _gbp(v) if unit == "GBP" else f"{v:,.1f} {unit}"
