"""Plans side by side, and what one plan trades against another (:mod:`rcc.allocation.tradeoff`)."""

from __future__ import annotations

from collections.abc import Mapping

from rcc.allocation.result import METRIC_LABELS, Plan, _fmt
from rcc.allocation.tradeoff import TradeOff, trade_off
from rcc.core.display import fmt_gap

__all__ = ["TradeOff", "side_by_side", "trade_off"]


def side_by_side(plans: Mapping[str, Plan]) -> str:
    """The headline metrics of several plans as one readable text table.

    Parameters
    ----------
    plans : Mapping[str, Plan]
        Column name -> plan, in the order shown (e.g. ``{"greedy": g, "optimised": p}``).

    Returns
    -------
    str
        One row per metric (:data:`rcc.allocation.result.METRIC_LABELS`), then status, gap and run time.
    """
    names = list(plans)
    width = max(12, *(len(n) for n in names))
    head = f"{'metric':<40}" + "".join(f"{n:>{width + 2}}" for n in names)
    lines = [head, "-" * len(head)]
    metrics = {n: p.metrics for n, p in plans.items()}
    for key, label in METRIC_LABELS.items():
        lines.append(f"{label:<40}" + "".join(f"{_fmt(key, metrics[n][key]):>{width + 2}}" for n in names))
    lines.append(f"{'status':<40}" + "".join(f"{plans[n].status.value:>{width + 2}}" for n in names))
    gaps = [fmt_gap(plans[n].info.gap) for n in names]
    lines.append(f"{'gap':<40}" + "".join(f"{g:>{width + 2}}" for g in gaps))
    lines.append(f"{'run time (s)':<40}" + "".join(f"{plans[n].info.runtime_s:>{width + 2}.1f}" for n in names))
    return "\n".join(lines)
