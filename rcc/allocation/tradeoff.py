"""What one plan trades against another (the optimised plan against greedy), in words and numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pandas as pd

from rcc.core.display import Card, fmt_count, fmt_gbp

if TYPE_CHECKING:
    from rcc.allocation.result import Plan

__all__ = ["TradeOff", "trade_off"]


#: The outcomes a trade-off counts, in children: name -> words.
_OUTCOMES: Mapping[str, str] = {
    "unmet": "without a home",
    "over_20_miles": "over 20 miles from home",
    "outside_own_council": "outside their own council",
}


def _numbers(plan: Plan) -> dict[str, float]:
    p = plan.placements
    kids = p.children.to_numpy(dtype=float)
    return {
        "children": float(kids.sum() + plan.shortfall.children.sum()),
        "weekly_cost_gbp": float((kids * p.weekly_cost_gbp.to_numpy(dtype=float)).sum()),
        "unmet": float(plan.shortfall.children.sum()),
        "over_20_miles": float(kids[p.distance_miles.to_numpy(dtype=float) > 20.0].sum()),
        "outside_own_council": float(kids[~p.inside_own_council.to_numpy(dtype=bool)].sum()),
    }


@attrs.frozen
class TradeOff:
    """What ``plan`` trades against ``reference``: the sentence and the numbers.

    Attributes
    ----------
    reference, plan : str
        Their names (e.g. ``"greedy"``, ``"optimised"``).
    table : pandas.DataFrame
        Index: children, weekly_cost_gbp (GBP a week), unmet, over_20_miles, outside_own_council
        (children); columns: reference, plan, change (plan - reference).
    """

    reference: str
    plan: str
    table: pd.DataFrame

    @property
    def change(self) -> pd.Series:
        """plan - reference per quantity (GBP a week for the cost, children otherwise)."""
        return self.table["change"]

    @property
    def sentence(self) -> str:
        """E.g. "optimised costs £297k a week more than greedy for 103 fewer children without a home, ..."."""
        d = self.change
        cost = float(d.weekly_cost_gbp)
        if abs(cost) < 0.5:
            head = f"{self.plan} costs the same a week as {self.reference}"
        else:
            head = f"{self.plan} costs {fmt_gbp(abs(cost), short=True)} a week {'more' if cost > 0 else 'less'} " \
                   f"than {self.reference}"
        better = [f"{fmt_count(-d[k])} fewer {w}" for k, w in _OUTCOMES.items() if d[k] < 0]
        worse = [f"{fmt_count(d[k])} more {w}" for k, w in _OUTCOMES.items() if d[k] > 0]
        if not better and not worse:
            text = f"{head}, with as many children without a home, over 20 miles and outside their own council"
        elif cost > 0.5 and better:
            text = f"{head} for {_join(better)}" + (f", at the price of {_join(worse)}" if worse else "")
        else:
            text = f"{head} and has {_join(better + worse)}"
        if d.children != 0:
            text += f" (its demand differs by {fmt_count(d.children)} children)"
        return text + "."

    def __str__(self) -> str:
        return self.sentence

    def __repr__(self) -> str:
        return self.card().text()

    def _repr_html_(self) -> str:
        return self.card().html()

    def card(self) -> Card:
        """A short display: the sentence and the changes."""
        words = {"children": "children", **_OUTCOMES}
        rows = [
            (words[str(k)], f"{fmt_count(r.reference)} -> {fmt_count(r.plan)}")
            for k, r in self.table.drop(index="weekly_cost_gbp").iterrows()
        ]
        r = self.table.loc["weekly_cost_gbp"]
        rows.insert(1, ("weekly cost", f"{fmt_gbp(r.reference, short=True)} -> {fmt_gbp(r.plan, short=True)}"))
        return Card("TradeOff", f"{self.plan} against {self.reference}", "", rows, [self.sentence], ["trade.table"])


def _join(parts: list[str]) -> str:
    """"3 fewer without a home, 2 more over 20 miles" -> "3 fewer children without a home and 2 more over ..."."""
    number, rest = parts[0].split(" ", 1)
    more_or_fewer, words = rest.split(" ", 1)
    parts = [f"{number} {more_or_fewer} children {words}", *parts[1:]]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def trade_off(reference: Plan, plan: Plan, names: tuple[str, str] | None = None) -> TradeOff:
    """What ``plan`` trades against ``reference`` (e.g. the optimised plan against greedy).

    Parameters
    ----------
    reference, plan : Plan
    names : (str, str), optional
        Their names in the sentence; default from each plan's method (``"greedy"``, ``"optimised"``).

    Returns
    -------
    TradeOff
        ``str(trade)`` is one sentence, e.g. "optimised costs £297k a week more than greedy for 103 fewer
        children without a home"; ``trade.table`` the numbers (weekly cost in GBP, outcomes in children).

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> t = rcc.trade_off(rcc.plan(gm, rcc.PlanParams(method="greedy")), rcc.plan(gm))
    >>> t.sentence.startswith("optimised costs")
    True
    """
    ref_name, plan_name = names or tuple("greedy" if p.method == "greedy" else "optimised" for p in (reference, plan))
    if ref_name == plan_name:
        ref_name, plan_name = f"{ref_name} (reference)", plan_name
    a, b = _numbers(reference), _numbers(plan)
    table = pd.DataFrame({"reference": a, "plan": b})
    table["change"] = table.plan - table.reference
    table.loc[np.isclose(table.change, 0.0, atol=1e-9), "change"] = 0.0
    return TradeOff(ref_name, plan_name, table)
