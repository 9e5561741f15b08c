"""One glossary of every code rcc shows: scenarios, pooling levels, statuses, reasons, needs, columns, metrics.

The command line's ``--help``, the reports and the documentation read it from here, so a code
means the same everywhere. :data:`GLOSSARY` maps a code to a :class:`GlossaryEntry`;
:func:`explain` gives one sentence; :func:`glossary_frame` the whole glossary as a table.
Column entries come from the table records (:mod:`rcc.core.schema`, :mod:`rcc.core.outputs`),
so a new output column is in the glossary as soon as it is in the schema.

>>> explain("unreachable")
'unreachable (reason): no eligible home (need, age, serving council) within the distance limit'
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import attrs
import pandas as pd

from rcc.core.display import SHORT_HEADINGS
from rcc.core.errors import InvalidInputError
from rcc.core.outputs import OUTPUT_TABLES
from rcc.core.schema import TABLES, Table

__all__ = ["GLOSSARY", "GlossaryEntry", "explain", "glossary_frame", "legend"]


@attrs.frozen
class GlossaryEntry:
    """What one code means.

    Attributes
    ----------
    code : str
        As it appears in rcc's tables, statuses and names.
    kind : str
        What sort of code: ``scenario``, ``pooling level``, ``status``, ``reason``, ``column``...
        (several joined by ``" / "`` when one code has several uses).
    meaning : str
        In words.
    unit : str
        The unit of a number ('' for none).
    """

    code: str
    kind: str
    meaning: str
    unit: str = ""

    def __str__(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.code} ({self.kind}{unit}): {self.meaning}"


_HHI = (
    "provider concentration: the Herfindahl-Hirschman index of provider groups' shares of the children placed, "
    "on a 0-10,000 scale (10,000: one group has every child; below 1,500 unconcentrated, above 2,500 highly "
    "concentrated); always this scale in rcc"
)

#: Codes that are not columns, by kind: (code, meaning, unit).
_TERMS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "scenario": (
        ("standalone", "each council alone: its own in-house supply plus the open market (the baseline)", ""),
        ("rcc_pooled", "RCCs everywhere: each region pools its councils' in-house supply, the RCC of interest as "
         "its own pool", ""),
        ("national", "every home open to every council within reach (one national pool)", ""),
        ("pathfinder_only", "only the RCC of interest pools its councils' supply; every other council stays alone", ""),
        ("demand_growth", "the pathfinder scenario with every need's demand grown by a rate (0.10 = +10%)", ""),
        ("new_capacity", "the pathfinder scenario with new in-house children's homes in each RCC council", ""),
        ("local_incentive", "the pathfinder scenario in which the plan prefers homes inside the RCC for the RCC's "
         "own children: each such child-week lowers the planning cost by the incentive (default 10 Weights units; "
         "with the default Weights 1 unit = GBP 1,000 a week or 1 mile, so 10 is worth GBP 10,000 a week); no "
         "money is paid and the bill (weekly_cost_gbp) is unchanged", ""),
    ),
    "pooling level": (
        ("rcc", "councils of one RCC share their in-house supply", ""),
    ),
    "solver": (
        ("highs", "HiGHS, the open-source linear and mixed-integer solver rcc uses by default", ""),
        ("cbc", "CBC (COIN-OR), an optional solver (pip install 'rcc[cbc]')", ""),
    ),
    "market rule": (
        ("open", "private and voluntary homes take children from any council within reach", ""),
        ("pooled", "private and voluntary homes take children only from their own council or pool", ""),
    ),
    "status": (
        ("optimal", "solved to optimality (a MIP within the requested gap, against a bound valid for the whole model)", ""),
        ("time_limit", "stopped by the time limit with a feasible plan: the best found, with its gap to a valid "
         "bound (info.gap)", ""),
        ("infeasible", "the rules cannot all be met (held placements, budgets...); the explanation says which "
         "rule must give and by how much", ""),
        ("not_solved", "the solver returned no answer", ""),
        ("heuristic", "no optimality claim: the greedy baseline (nearest free home, referral by referral) or today's "
         "placements as found (rcc.simulate.today_plan)", ""),
    ),
    "method": (
        ("optimise", "the optimised plan (a linear programme solved by HiGHS or CBC)", ""),
        ("optimised", "the optimised plan (method optimise: a linear programme solved by HiGHS or CBC), beside the "
         "greedy baseline in rcc plan's table", ""),
        ("greedy", "referral-by-referral placing: each child to the nearest eligible home with a free place, as "
         "today", ""),
        ("today", "the children in their current placements, measured as a plan (rcc.simulate.today_plan): on the "
         "embedded England the simulated census of 31 March 2025; held in every plan, each plan measured against "
         "it", ""),
        ("re-planned", "rcc plan --replan: the optimised plan with every child movable (today's placements not "
         "held): what the homes could do from scratch, not a plan to move children", ""),
        ("published", "DfE's figure for the same councils at 31 March 2025 (children looked after; within 20 miles "
         "of a known distance; inside own council of a known locality), beside rcc plan's table", ""),
    ),
    "reason": (
        ("unreachable", "no eligible home (need, age, serving council) within the distance limit", ""),
        ("capacity", "every eligible home within reach is full", ""),
        ("weights", "an eligible home has a free place, but under the objective's weights leaving the child "
         "without a home costs less (raise Weights.unmet_child)", ""),
        ("lead_time", "new capacity could serve the child but cannot open in time (lead time)", ""),
        ("budget", "new capacity would serve the child but the budgets do not allow it", ""),
        ("provider_share", "a provider-share rule keeps the child from the homes with room", ""),
    ),
    "need": (
        ("mainstream", "family-based care, no additional registered need", ""),
        ("complex", "complex or therapeutic residential need", ""),
        ("disability", "disabled children (residential special schools, short breaks)", ""),
        ("parent_child", "parent-and-child arrangements", ""),
        ("sibling_group", "siblings to be placed together", ""),
        ("secure", "secure welfare or justice placement (no distance limit)", ""),
        ("supported_16plus", "supported accommodation for 16-17 year olds", ""),
        ("uasc", "unaccompanied asylum-seeking children", ""),
    ),
    "home type": (
        ("in_house_fostering", "a council's own foster carers", ""),
        ("ifa_fostering", "independent fostering agency carers in an area", ""),
        ("kinship", "family and friends carers, placed with parents: own council only", ""),
        ("childrens_home", "a registered children's home", ""),
        ("secure_home", "a secure children's home (commissioned nationally)", ""),
        ("residential_school", "a residential special school registered as a children's home", ""),
        ("supported_accommodation", "16+ supported accommodation", ""),
        ("other types (few places)", "a report's pooled home types: those with fewer places in a council than the threshold", ""),
        ("all types", "a report's pooled home types: every type of one placement council, or of the pooled councils", ""),
        ("(elsewhere)", "a report's pooled placement councils: every council not listed on its own (few places, or none used)", ""),
    ),
    "sector": (
        ("council", "a council's in-house provision", ""),
        ("private", "a private provider", ""),
        ("voluntary", "a voluntary or charitable provider", ""),
        ("other_public", "another public body", ""),
        ("unknown", "sector not known", ""),
    ),
    "option scope": (
        ("regional", "a new home that may serve any child of a council in the same region, whatever the distance", ""),
    ),
    "group": (
        ("group:all", "every council of the comparison's base region together", ""),
        ("group:rcc", "the RCC's councils together", ""),
        ("group:outside_rcc", "every council of the base region outside the RCC, together", ""),
    ),
    "cost measure": (
        ("objective", "the planning cost the optimiser minimises, in Weights units (not GBP): per child-week a mile "
         "costs 1, a placement outside the own council 10, GBP 1,000 a week 1, and a child without a home 10,000 "
         "(defaults); an option of rcc.share_savings for analysts", "Weights units"),
    ),
    "budget kind": (
        ("capital", "a capital budget: money to build or buy new capacity (sufficiency plans)", "GBP"),
        ("revenue", "a revenue budget: money spent each year on running costs and placements (sufficiency plans)",
         "GBP"),
    ),
    "age band": (
        ("0-4", "children aged 0 to 4", "years"),
        ("5-10", "children aged 5 to 10", "years"),
        ("11-15", "children aged 11 to 15", "years"),
        ("16-17", "children aged 16 to 17", "years"),
    ),
    "cell": (
        ("c", "a suppressed cell in a released report: a count of 1 to 4 children, or a cell hidden so that one "
         "cannot be worked out", ""),
    ),
    "metric": (
        ("provider_hhi", _HHI[0].upper() + _HHI[1:], "0-10,000"),
        ("HHI", _HHI[0].upper() + _HHI[1:], "0-10,000"),
        ("pct_over_20_miles", "share of placed children more than 20 miles from home (100 - pct_within_20_miles)", "%"),
    ),
}

#: Columns of result tables that are not in the schema records (pooling shares, capacity skew).
_EXTRA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("pooling", "a scenario's pooling level: which councils share their in-house supply (see the pooling levels)", ""),
    ("market", "a scenario's market rule: which councils' children private and voluntary homes take (see the market "
     "rules)", ""),
    ("method", "how a plan was made: optimise (the optimised plan) or greedy (the greedy baseline)", ""),
    ("placed_in_new_places", "children placed in new capacity started by the plan", "children"),
    ("placed_in_existing_homes", "children placed in homes that exist already", "children"),
    ("placed_within_20_miles", "children placed within 20 miles of home", "children"),
    ("placed_over_20_miles", "children placed over 20 miles from home", "children"),
    ("placed_outside_own_council", "children placed outside their own council", "children"),
    ("standalone_cost", "cost of the council's children with no pooling, in the game's measure (GBP a week by "
     "default; objective units with measure='objective')", "measure/week"),
    ("pooled_cost", "cost of the council's children when every player pools, in the game's measure", "measure/week"),
    ("direct", "short for direct_saving", "measure/week"),
    ("direct_saving", "standalone_cost - pooled_cost: what pooling saves on the council's own children", "measure/week"),
    ("shapley_share", "the council's fair share of the whole pool's saving (the Shapley value: its average added "
     "saving over every order of joining)", "measure/week"),
    ("std_error", "standard error of a sampled Shapley share (0 when exact)", "measure/week"),
    ("least_core_share", "the most stable split of the saving (in the core whenever the core is not empty)",
     "measure/week"),
    ("transfer", "shapley_share - direct_saving: paid to the council by the pool if positive, by it if negative",
     "measure/week"),
    ("net_cost", "standalone_cost - shapley_share: what the council's children cost after the fair split",
     "measure/week"),
    ("joining_pays", "the council's share is not negative: joining the pool does not cost it", ""),
    ("standalone_gbp_week", "weekly bill of the council's children with no pooling", "GBP/week"),
    ("pooled_gbp_week", "weekly bill of the council's children when every player pools", "GBP/week"),
    ("saving_gbp_week", "standalone_gbp_week - pooled_gbp_week: what pooling saves on the bill of the council's "
     "children (negative: the pool places more of them, or in dearer homes)", "GBP/week"),
    ("rcc_children_here_base", "the RCC's children in homes located in this council, baseline", "children"),
    ("rcc_children_here", "the RCC's children in homes located in this council, scenario", "children"),
    ("children_in_rcc_base", "this council's children in homes located in the RCC, baseline", "children"),
    ("children_in_rcc", "this council's children in homes located in the RCC, scenario", "children"),
    ("places_taken", "places the RCC's children gained at this council's expense against the baseline", "places"),
    ("places_created", "places newly created in this council by the scenario", "places"),
    ("unmet_change", "change in this council's children without a home against the baseline", "children"),
    ("pct_within_20_miles_change", "change in this council's share placed within 20 miles", "percentage points"),
    ("mean_distance_change", "change in this council's mean distance", "miles"),
    ("places_taken_from_neighbours", "places the RCC area gained from neighbours that lost places", "places"),
    ("places_freed_for_neighbours", "places the RCC area left to neighbours that gained places", "places"),
    ("net_places_taken", "places_taken_from_neighbours - places_freed_for_neighbours", "places"),
    ("neighbours_losing_places", "neighbouring councils that lost places to the RCC", "councils"),
    ("places_created_in_rcc", "new places located in the RCC against the baseline", "places"),
    ("rcc_children_placed_inside_rcc_change", "change in the RCC's children placed inside the RCC", "children"),
    ("neighbours_unmet_change", "change in the neighbours' children without a home", "children"),
)


#: What a metric means in a summary table, where a column's own description (per row) would mislead.
_HEADING_MEANINGS: dict[str, tuple[str, str]] = {
    "weekly_cost_gbp": ("the weekly bill of the group's placements (each child's home's weekly cost, summed)", "GBP/week"),
    "utilisation_pct": ("children placed in homes located in the group per place located there", "%"),
}


def _column_entries(tables: Iterable[Table]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for t in tables:
        for c in t.columns:
            if c.name not in out and c.description:
                out[c.name] = (c.description.rstrip("."), c.unit)
    return out


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


#: Tables rcc compare writes that are not records of :mod:`rcc.core.outputs`.
_COMPARE_FILES: tuple[tuple[str, str], ...] = (
    ("long", "rcc compare's long.csv: rcc.Comparison.long, every scenario x council or group x metric"),
    ("table", "rcc compare's table.csv: rcc.Comparison.table(), the headline metrics per group and scenario"),
    ("skew", "rcc compare's skew.csv: rcc.Comparison.skew(), capacity moved per council against the baseline"),
    ("skew_summary", "rcc compare's skew_summary.csv: rcc.Comparison.skew_summary(), the capacity skew per scenario"),
)


def _add_tables(add: Callable[[str, str, str, str], None]) -> None:
    """Entries for the tables rcc writes, by full name (``plan.placements``) and by file name (``placements``)."""
    by_file: dict[str, list[str]] = {}
    for name, table in OUTPUT_TABLES.items():
        what = table.description.split(". ")[0].rstrip(".").replace("`", "")
        add(name, "table", what, "")
        by_file.setdefault(name.split(".")[-1], []).append(f"{name}: {what}")
    for file, whats in by_file.items():
        add(file, "table", f"the table written as {file}.csv (" + "; ".join(whats) + ")", "")
    for file, what in _COMPARE_FILES:
        add(file, "table", what, "")


#: (code, kind) -> the code's meaning as that kind alone (a legend under a table of scenarios says only that).
_BY_KIND: dict[tuple[str, str], str] = {}


def _build() -> dict[str, GlossaryEntry]:
    entries: dict[str, GlossaryEntry] = {}

    def add(code: str, kind: str, meaning: str, unit: str) -> None:
        _BY_KIND.setdefault((code, kind), meaning)
        old = entries.get(code)
        if old is not None and kind == "column":
            return  # a code already explained (a metric, a reason...) keeps that meaning
        if old is None:
            entries[code] = GlossaryEntry(code, kind, meaning, unit)
        elif kind not in old.kind.split(" / "):
            entries[code] = GlossaryEntry(code, f"{old.kind} / {kind}", f"{old.meaning}; as {_article(kind)} {kind}: {meaning}",
                                          old.unit or unit)

    for kind, terms in _TERMS.items():
        for code, meaning, unit in terms:
            add(code, kind, meaning, unit)
    add("standalone", "pooling level", "no pooling: each council has only its own in-house supply", "")
    add("national", "pooling level", "one pool for the whole country", "")
    add("national", "option scope", "a new home that may serve any child", "")
    add("pathfinder_only", "pooling level", "only the RCC of interest pools", "")
    add("council", "option scope", "a new home under the usual distance limits", "")
    add("weekly_cost_gbp", "cost measure", "the weekly bill of the placements only, in GBP (ignores distance and "
        "children without a home); the default measure of rcc.share_savings", "GBP/week")
    for code, meaning, unit in _EXTRA_COLUMNS:
        add(code, "column", meaning, unit)
    columns = _column_entries([*TABLES.values(), *OUTPUT_TABLES.values()])
    for code, (meaning, unit) in columns.items():
        add(code, "column", meaning, unit)
    _add_tables(add)
    add("group", "heading", "in rcc compare's table, the councils a row is about: all councils of the base region, "
        "the RCC, or those outside it", "")
    for heading, code in SHORT_HEADINGS.items():
        meaning, unit = _HEADING_MEANINGS.get(code) or columns.get(code, (entries[code].meaning, entries[code].unit))
        add(heading, "heading", f"short for {code}: {meaning}", unit)
    return entries


#: Every code rcc shows -> its :class:`GlossaryEntry` (read-only).
GLOSSARY: Mapping[str, GlossaryEntry] = MappingProxyType(_build())


def explain(code: str) -> str:
    """What a code means, in one sentence: ``"code (kind, unit): meaning"``.

    Parameters
    ----------
    code : str
        A scenario name, pooling level, status, reason code, need, home type, column or metric name
        (``group:<name>`` rows of a comparison are explained as a named group).

    Raises
    ------
    InvalidInputError
        For a code rcc does not use.

    Examples
    --------
    >>> explain("provider_hhi").startswith("provider_hhi (metric, 0-10,000): Provider concentration")
    True
    """
    entry = GLOSSARY.get(str(code))
    if entry is None and str(code).startswith("group:"):
        return f"{code} (group): the councils of the named group {str(code)[6:]!r} together"
    if entry is None:
        raise InvalidInputError("glossary", str(code), "code", "a code in rcc.glossary (rcc.glossary_frame())", code)
    return str(entry)


def glossary_frame(kind: str | None = None) -> pd.DataFrame:
    """The glossary as a table: code, kind, unit, meaning (one kind if given, e.g. ``"scenario"``)."""
    rows = [attrs.asdict(e) for e in GLOSSARY.values()]
    df = pd.DataFrame(rows, columns=["code", "kind", "meaning", "unit"])[["code", "kind", "unit", "meaning"]]
    if kind is not None:
        df = df[df.kind.str.split(" / ").apply(lambda ks: kind in ks)]
    return df.sort_values("code", kind="stable").reset_index(drop=True)


def legend(codes: Iterable[str], title: str, kind: str | None = None, width: int = 100) -> list[str]:
    """Lines that print each code beside its meaning, for under a printed table.

    At most ``width`` characters a line: ``title:`` then one entry a code, its meaning (as ``kind`` if
    given, e.g. ``"scenario"``) wrapped under it.

    Examples
    --------
    >>> print("\\n".join(legend(["national"], "scenarios", "scenario", width=60)))
    scenarios:
      national  every home open to every council within reach (one
                national pool)
    """
    codes = list(codes)
    if not codes:
        return []
    pad = max(len(c) for c in codes) + 4
    lines = [f"{title}:"]
    for code in codes:
        meaning = (_BY_KIND.get((code, kind or "")) or GLOSSARY[code].meaning) if code in GLOSSARY else explain(code)
        body = textwrap.wrap(meaning, width - pad, break_on_hyphens=False) or [""]
        lines.append(f"  {code:<{pad - 2}}{body[0]}")
        lines += [" " * pad + rest for rest in body[1:]]
    return lines
