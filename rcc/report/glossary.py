"""The codes a workbook uses, in words (its Notes sheet and column comments), read from the one
glossary of the library (:data:`rcc.core.glossary.GLOSSARY`), so a code means the same in a
workbook as in ``rcc.explain`` and the documentation.
"""

from __future__ import annotations

from rcc.allocation.result import METRIC_LABELS
from rcc.core.glossary import GLOSSARY
from rcc.report.tables import DISTANCE_BANDS

#: The kinds of code listed on a workbook's Notes sheet, in this order.
NOTE_KINDS = ("need", "home type", "reason", "age band", "status")

#: Column comments of the workbook's headers: every column and metric of the glossary (a workbook
#: leaves a suppressed cell empty and flags it, so the glossary's "'c': suppressed" is left out).
COLUMN_NOTES: dict[str, str] = {
    **{code: entry.meaning.replace(" ('c': suppressed)", "") for code, entry in GLOSSARY.items()},
    **METRIC_LABELS,
}


def glossary_rows() -> list[tuple[str, str]]:
    """(code, meaning) rows: needs, home types, shortfall reasons, age bands, plan statuses and
    distance bands."""
    rows = []
    for kind in NOTE_KINDS:
        rows += [(f"{kind}: {code}", e.meaning) for code, e in GLOSSARY.items() if kind in e.kind.split(" / ")]
    rows += [(f"distance band: {b}", _band_words(lo, hi)) for b, lo, hi in DISTANCE_BANDS]
    rows.append(("council_id", GLOSSARY["council_id"].meaning + "; the council column beside it is its name"))
    return rows


def _band_words(lo: float, hi: float) -> str:
    if lo == float("-inf"):
        return f"up to {hi:g} miles"
    if hi == float("inf"):
        return f"over {lo:g} miles"
    return f"over {lo:g} and up to {hi:g} miles"
