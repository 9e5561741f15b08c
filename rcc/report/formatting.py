"""Text shared by the Excel and HTML reports: values as text, the plan's facts, the
suppression note and the data attribution.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rcc.allocation.result import Plan
from rcc.core.display import fmt_gap
from rcc.report.release import SUPPRESSED, _is_c


def _fmt_value(col: str, v: Any) -> str:
    if _is_c(v):
        return SUPPRESSED
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        if col.startswith("pct") or col.endswith("_pct"):
            return f"{v:.1f}%"
        if "gbp" in col:
            return f"£{v:,.0f}"
        if col in ("children", "placed", "unmet", "places", "value") and float(v).is_integer():
            return f"{int(v):,}"
        return f"{v:,.1f}"
    return str(v)


def _attribution() -> str:
    from rcc.datasets import attribution

    text = attribution()
    lines = [ln[2:].strip() for ln in text.splitlines() if ln.startswith("* ")]
    return " ".join(ln.replace("*", "") for ln in lines)


def _suppression_note(threshold: int) -> str:
    if threshold <= 1:
        return "No suppression: every count is shown."
    return (
        f"Counts of 1 to {threshold - 1} children are shown as '{SUPPRESSED}' (suppressed), as are further "
        "counts that would let a suppressed one be worked out from any combination of the numbers in this "
        "report (all tables are suppressed together and audited by linear programming: no suppressed count "
        f"is determined, and none of 1 to {threshold - 1} can be narrowed to that range), shares or averages "
        "computed from suppressed counts; mean distances and weekly costs unless the counts shown determine "
        "them, and provider concentration (HHI) wherever it covers a suppressed count. Totals are computed "
        "from unsuppressed data."
    )


def _plan_facts(plan: Plan) -> list[tuple[str, str]]:
    info = plan.info
    gap = "n/a (heuristic)" if plan.status.value == "heuristic" else fmt_gap(info.gap)
    facts = [
        ("Region", plan.region.name),
        ("Councils", f"{len(plan.region.councils):,}"),
        ("Method", {"optimise": "optimised (allocation model)", "greedy": "greedy baseline (nearest free home)"}.get(plan.method, plan.method)),
        ("Status", plan.status.value),
        ("Solver", info.solver),
        ("Solver gap", gap),
        ("Run time (s)", f"{info.runtime_s:.1f}"),
    ]
    if info.time_limit_s is not None:
        facts.append(("Time limit (s)", f"{info.time_limit_s:g}"))
    if info.note:
        facts.append(("Note", info.note))
    return facts


def _method_label(plan: Plan) -> str:
    return {"optimise": "optimised", "greedy": "greedy baseline"}.get(plan.method, plan.method)
