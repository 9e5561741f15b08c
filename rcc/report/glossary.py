"""The codes a workbook uses, in words (its Notes sheet and column comments).

A local list until the library-wide glossary (``rcc.glossary``) lands; then this module
should read from it.
"""

from __future__ import annotations

from rcc.allocation.result import METRIC_LABELS, PlanStatus
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS
from rcc.report.tables import DISTANCE_BANDS

_NEEDS = {
    "mainstream": "family-based care, no additional registered need",
    "complex": "complex or therapeutic residential need",
    "disability": "disabled children (residential special schools, short breaks)",
    "parent_child": "parent-and-child arrangements",
    "sibling_group": "siblings to be placed together",
    "secure": "secure welfare or justice placement",
    "supported_16plus": "supported accommodation for 16-17 year olds",
    "uasc": "unaccompanied asylum-seeking children",
}
_HOME_TYPES = {
    "in_house_fostering": "a council's own foster carers",
    "ifa_fostering": "independent fostering agency carers",
    "kinship": "family and friends carers (own council only)",
    "childrens_home": "children's home",
    "secure_home": "secure children's home",
    "residential_school": "residential special school registered as a children's home",
    "supported_accommodation": "supported accommodation (16+)",
}
_REASONS = {
    "unreachable": "no eligible home (or new-capacity option) within reach",
    "capacity": "eligible homes within reach are full (and eligible options at their limits)",
    "weights": "room was there but the objective weights preferred leaving the child without a home",
    "lead_time": "eligible new capacity exists but cannot open by that year (sufficiency)",
    "budget": "eligible new capacity could open in time but no budget has room for it (sufficiency)",
    "provider_share": "eligible homes have room but their provider group is at its market-share cap (sufficiency)",
}
_STATUS = {
    "optimal": "proven optimal",
    "time_limit": "stopped by the time limit: the best plan found, with its gap",
    "infeasible": "the rules cannot all be met: the tables show the plan with the clashing rules relaxed",
    "not_solved": "the solver returned no answer",
    "heuristic": "the greedy baseline (nearest free home; no optimality claim)",
}

#: Column comments of the workbook's headers.
COLUMN_NOTES: dict[str, str] = {
    **{k: v for k, v in METRIC_LABELS.items()},
    "placed_inside_own_council": "children placed inside their own council",
    "placed_outside_own_council": "children placed outside their own council",
    "placed_within_20_miles": "children placed within 20 miles of home",
    "placed_over_20_miles": "children placed over 20 miles from home",
    "placed_in_new_places": "children placed in new capacity started by the plan",
    "placed_in_existing_homes": "children placed in homes that exist already",
    "held": "of them, children already living there (held placements)",
    "council_id": "ONS code of the child's home council",
    "home_council_id": "ONS code of the council the home is in",
    "cohorts": "cohorts (council, need, age band) with children without a home",
    "band": "distance band from home, miles (upper bound inclusive)",
}


def glossary_rows() -> list[tuple[str, str]]:
    """(code, meaning) rows: needs, home types, shortfall reasons, age and distance bands,
    plan statuses."""
    rows = [(f"need: {n}", _NEEDS.get(n, n)) for n in NEEDS]
    rows += [(f"home type: {h}", _HOME_TYPES.get(h, h)) for h in HOME_TYPES]
    rows += [(f"reason: {r}", text) for r, text in _REASONS.items()]
    rows += [(f"age band: {a}", f"aged {lo} to {hi}") for a, (lo, hi) in AGE_BANDS.items()]
    rows += [(f"distance band: {b}", _band_words(lo, hi)) for b, lo, hi in DISTANCE_BANDS]
    rows += [(f"status: {s.value}", _STATUS.get(s.value, s.value)) for s in PlanStatus]
    rows += [("council_id", "ONS local authority code (E06, E08, E09, E10 ...); the council column beside it is its name")]
    return rows


def _band_words(lo: float, hi: float) -> str:
    if lo == float("-inf"):
        return f"up to {hi:g} miles"
    if hi == float("inf"):
        return f"over {lo:g} miles"
    return f"over {lo:g} and up to {hi:g} miles"
