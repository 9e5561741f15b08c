"""Explanation of clashing hard rules: an elastic model says which rules must give and by how much."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rcc.core.solvers import SolverOutcome
from rcc.sufficiency.inputs import SufficiencyInputs
from rcc.sufficiency.model import SufficiencyModel, define_objective, hard_row_values, slack_scale
from rcc.sufficiency.runtime import Run, globalise, subset_data

__all__ = ["RULE_WORDS", "empty_explanation", "explain_clash"]


def empty_explanation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": pd.Series(dtype=object),
            "scope": pd.Series(dtype=object),
            "year": pd.Series(dtype="Int64"),
            "limit": pd.Series(dtype=float),
            "needed": pd.Series(dtype=float),
            "violation": pd.Series(dtype=float),
            "unit": pd.Series(dtype=object),
            "words": pd.Series(dtype=object),
        }
    )


RULE_WORDS = {
    "capital_budget": ("capital budget", "more capital than the budget is needed"),
    "revenue_budget": ("revenue budget", "more revenue than the budget is needed"),
    "inside_region_share": ("minimum share placed inside the RCC", "fewer children than the target can be placed inside"),
    "provider_share": ("maximum share of one provider group", "more children than the cap must go to this group"),
    "committed_units": ("committed units", "fewer units than committed can be built in time"),
}


def explain_clash(
    prep: SufficiencyInputs, labels: list[str], run: Run, model: SufficiencyModel
) -> tuple[SufficiencyModel, pd.DataFrame, SolverOutcome]:
    """Elastic diagnosis over the edges of ``model``: minimise the relative
    violation of the hard rules, then, with each violation capped at that
    minimum, the usual objective."""
    data = prep.data
    idx = np.unique(model.ey_edge) if len(model.ey_edge) else np.arange(len(data.e_cohort))
    elastic = run.build(subset_data(data, idx), labels, elastic=True)
    outcome = run.solve(elastic)
    if not outcome.has_solution:
        return globalise(elastic, data, idx), empty_explanation(), outcome
    lhs, slack = hard_row_values(elastic)
    rows = []
    for r, a, s in zip(elastic.hard, lhs, slack):
        if s > 1e-6 * slack_scale(r):
            rule, words = RULE_WORDS[r.family]
            rows.append(
                {"rule": rule, "scope": r.label, "year": r.year, "limit": r.rhs, "needed": a, "violation": s, "unit": r.unit, "words": words}
            )
        r.slack.upBound = float(s) * (1 + 1e-7) + 1e-6 * slack_scale(r)
    define_objective(elastic.problem, subset_data(data, idx), elastic.variables(), elastic.hard, elastic=False)
    outcome2 = run.solve(elastic)
    if not outcome2.has_solution:  # pragma: no cover - the capped elastic model is feasible by construction
        outcome2 = outcome
    explanation = pd.DataFrame(rows) if rows else empty_explanation()
    if len(explanation):
        explanation["year"] = explanation.year.astype("Int64")
    return globalise(elastic, data, idx), explanation, outcome2
