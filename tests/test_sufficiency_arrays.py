"""The sufficiency model built as arrays (HiGHS in one call) and as PuLP rows (CBC, export, extra
rows) is one model: on random cases from rcc's public strategies both have the same optimum and the
same LP relaxation."""

from __future__ import annotations

import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rcc
from rcc.core.solvers import solve_problem
from rcc.sufficiency import SufficiencyParams
from rcc.sufficiency.arrays import ArrayProblem
from rcc.sufficiency.inputs import prepare_inputs
from rcc.sufficiency.model import build_sufficiency, solution_values
from rcc.testing import strategies as rst

NEEDS = ("mainstream", "complex")
CASES = rst.sufficiency_cases(needs=NEEDS, years=(1, 3), max_cohorts=3, max_places=4, max_children=6)


def _both(case, max_share, **kw):
    params = SufficiencyParams(max_provider_group_share=max_share, seed_radius_miles=None)
    prep = prepare_inputs(case.region, case.options, case.forecast, case.budgets, params, case.closures)
    labels = list(prep.options.option_id)
    return build_sufficiency(prep.data, labels, in_arrays=True, **kw), build_sufficiency(prep.data, labels, **kw)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES, st.sampled_from([None, 0.5]), st.sampled_from(["milp", "lp", "lazy", "elastic"]))
def test_array_and_pulp_models_have_the_same_optimum(case, max_share, kind):
    kw = {"milp": {}, "lp": {"relaxed": True}, "lazy": {"lazy": True}, "elastic": {"elastic": True}}[kind]
    fast, slow = _both(case, max_share, **kw)
    assert isinstance(fast.problem, ArrayProblem) and isinstance(slow.problem, pulp.LpProblem)
    assert fast.n_variables == slow.n_variables and fast.n_constraints == slow.n_constraints
    a = fast.problem.solve(msg=False, time_limit=60, gap=1e-9, threads=None)
    b = solve_problem(slow.problem, pulp.HiGHS(msg=False, timeLimit=60, gapRel=1e-9, gapAbs=0.0))
    assert a.status == b.status
    if a.status != "optimal":
        return
    assert a.objective == pytest.approx(b.objective, rel=1e-7, abs=1e-6)
    x_fast, x_slow = solution_values(fast), solution_values(slow)
    # the same demand met: placed + unmet per cohort-year agree (plans may differ among optima)
    assert x_fast["unmet"].sum() + x_fast["x"].sum() == pytest.approx(x_slow["unmet"].sum() + x_slow["x"].sum(), abs=1e-6)


def test_extra_constraints_are_built_in_pulp():
    region = rcc.datasets.england("Greater Manchester RCC")
    prep = prepare_inputs(region, None, None, None, SufficiencyParams(years=1))
    with pytest.raises(ValueError, match="in_arrays=False"):
        build_sufficiency(prep.data, [], extra=lambda model: None, in_arrays=True)
