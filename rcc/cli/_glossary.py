"""What the codes in rcc's output mean: ``rcc glossary`` and the epilog of ``rcc --help``.

The words come from the library when it has them: :mod:`rcc.core.glossary` (``GLOSSARY``:
code -> meaning) if present; the scenario descriptions of
:func:`rcc.analysis.rules.standard_scenarios`; otherwise the text here.
"""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Mapping

from rcc.analysis.rules import standard_scenarios
from rcc.core.display import SHORT_HEADINGS

__all__ = ["glossary", "glossary_text"]

_WIDTH = 100

_TERMS: dict[str, dict[str, str]] = {
    "plan status": {
        "optimal": "the solver proved the plan the best under the rules (within its gap tolerance)",
        "time_limit": "stopped at the time limit: the best plan found, not proven best; its gap says how far it may be",
        "heuristic": "the greedy baseline: each referral to the nearest home with a free place, no optimisation",
        "infeasible": "the hard rules cannot all be met; the note says which clash",
    },
    "methods (rcc plan's columns)": {
        "greedy": "the greedy baseline: each referral to the nearest home with a free place, as today",
        "optimised": "the optimised plan (a linear programme solved by HiGHS or CBC)",
    },
    "headings (rcc compare's tables)": {heading: f"short for {code}" for heading, code in SHORT_HEADINGS.items()},
    "metrics": {
        "HHI": "Herfindahl-Hirschman index of provider concentration: sum of squared market shares in %, "
               "0-10,000 (10,000: one provider group has every placement; above 2,500: highly concentrated)",
        "gap": "relative distance between the plan's cost and the best bound the solver proved (0%: optimal)",
        "within 20 miles": "share of placed children living within 20 miles of their home council (DfE measure)",
        "inside own council": "share of placed children living in a home located in their own council",
        "utilisation": "children placed / places available, in %",
    },
    "cost sharing": {
        "direct": "direct saving: a council's cost alone minus its cost in the pooled plan",
        "direct_saving": "a council's cost alone minus its cost in the pooled plan",
        "transfer": "Shapley share minus direct saving: what the council pays (< 0) or receives (> 0) so that "
                    "every council's gain from pooling is fair",
        "shapley_share": "the council's fair share of the total saving of pooling (Shapley value)",
    },
    "needs (cohorts.need, homes.needs)": {
        "mainstream": "family-based care, no additional registered need",
        "complex": "complex or therapeutic residential need",
        "disability": "disabled children (residential special schools, short breaks)",
        "parent_child": "parent-and-child arrangements",
        "sibling_group": "siblings to be placed together",
        "secure": "secure welfare or justice placement (no distance limit)",
        "supported_16plus": "supported accommodation for 16-17 year olds",
        "uasc": "unaccompanied asylum-seeking children",
    },
}


def _library_terms() -> Mapping[str, str] | None:
    """``rcc.core.glossary`` when that module exists: its ``GLOSSARY`` mapping (code -> meaning), or
    its ``explain(code)`` function wrapped as a lookup; None when there is no such module."""
    try:
        module = importlib.import_module("rcc.core.glossary")
    except ImportError:
        return None
    terms = getattr(module, "GLOSSARY", None)
    if isinstance(terms, Mapping):
        return terms
    explain = getattr(module, "explain", None)
    if not callable(explain):
        return None

    class _Explained(dict):  # type: ignore[type-arg]
        def __missing__(self, code: str) -> str:
            try:
                text = explain(code)
            except (KeyError, LookupError, ValueError):
                text = None
            if not text:
                raise KeyError(code)
            return str(text)

        def __contains__(self, code: object) -> bool:
            try:
                self[code]  # type: ignore[index]
            except KeyError:
                return False
            return True

    return _Explained()


def glossary() -> dict[str, dict[str, str]]:
    """Every code by section: scenario codes, plan statuses, metrics, cost-sharing terms, needs.

    Returns
    -------
    dict of str to dict of str to str
        Section -> code -> meaning.
    """
    scenarios = {s.name: s.description for s in standard_scenarios(("A", "B"), "the pathfinder")}
    out = {"scenarios (rcc compare)": scenarios, **{k: dict(v) for k, v in _TERMS.items()}}
    found = _library_terms()
    library: Mapping[str, str] = {} if found is None else found  # (an explain() lookup is an empty dict)
    for section in out.values():
        for code in section:
            if code in library:
                entry = library[code]  # a GlossaryEntry (its meaning) or text
                section[code] = str(getattr(entry, "meaning", entry))
    return out


def glossary_text(width: int = _WIDTH) -> str:
    """The glossary as text lines of at most ``width`` characters."""
    lines = ["codes used in rcc's output:"]
    for section, terms in glossary().items():
        lines.append(f"  {section}:")
        key_width = max(len(k) for k in terms) + 2
        for code, meaning in terms.items():
            body = textwrap.wrap(meaning, width - 4 - key_width, break_on_hyphens=False) or [""]
            lines.append(f"    {code:<{key_width}}{body[0]}")
            lines += [" " * (4 + key_width) + rest for rest in body[1:]]
    return "\n".join(lines)
