"""The one place that knows which PuLP is installed.

PuLP 4 (Python 3.12+) moved the model into a Rust core: variables are created
by the problem, ``solve()`` returns an ``LpSolveStats`` object, CBC is no
longer bundled (``COIN_CMD`` instead of ``PULP_CBC_CMD``) and models cannot be
pickled. PuLP 3.3.2 (the newest for Python 3.11) already has the new
variable-creation methods. Everything else in rcc goes through the helpers here.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs
import pulp

__all__ = [
    "PULP_MAJOR",
    "add_constraint",
    "add_variables",
    "dual",
    "affine",
    "cbc_solver",
    "highs_outcome",
    "highs_scheduler",
    "highs_solver",
    "new_problem",
    "solve_problem",
    "set_values",
    "silence_highs_banner",
    "values",
]

PULP_MAJOR: int = int(pulp.__version__.split(".")[0])


def new_problem(name: str) -> pulp.LpProblem:
    """An empty minimisation problem."""
    return pulp.LpProblem(name, pulp.LpMinimize)


def add_variables(
    prob: pulp.LpProblem,
    name: str,
    n: int,
    *,
    low: float | None = 0.0,
    up: float | None = None,
    integer: bool = False,
) -> list[Any]:
    """Create ``n`` variables in one batch and return them as a list.

    Names are ``{name}_{i}``; rcc keeps variables in lists/dicts keyed by its
    own ids, never by PuLP names (PuLP rewrites names).
    """
    cat = pulp.LpInteger if integer else pulp.LpContinuous
    d = prob.add_variable_dicts(name, range(n), lowBound=low, upBound=up, cat=cat)
    return [d[i] for i in range(n)]


def affine(variables: Sequence[Any], coefs: Iterable[float] | None = None) -> Any:
    """A linear expression sum(coef * var) built in one call."""
    if coefs is None:
        if PULP_MAJOR >= 4:
            return pulp.lpSum_vars(variables)  # type: ignore[attr-defined]
        return pulp.LpAffineExpression([(v, 1.0) for v in variables])
    if PULP_MAJOR >= 4:
        return pulp.lpSum_vars_coefs(zip(variables, coefs))  # type: ignore[attr-defined]
    return pulp.LpAffineExpression(list(zip(variables, coefs)))


def add_constraint(prob: pulp.LpProblem, constraint: Any, name: str | None = None) -> Any:
    """Add a constraint (named, when a name is given: exported LP/MPS files show it) and
    return a handle whose ``.pi`` holds its dual after solving."""
    handle = prob.addConstraint(constraint, name)
    return constraint if handle is None else handle


def constraint_names(prob: pulp.LpProblem) -> list[str]:
    """Names of a problem's constraints (PuLP 4: ``prob.constraints()`` is a list of
    records; PuLP 3: ``prob.constraints`` maps names to constraints)."""
    rows = prob.constraints() if callable(prob.constraints) else prob.constraints.values()
    return [str(c.name) for c in rows]


def dual(handle: Any) -> float:
    """The dual value of a constraint handle (0.0 when the solver gave none)."""
    pi = getattr(handle, "pi", None)
    return 0.0 if pi is None else float(pi)


_BANNER = threading.Lock()
_banner_silenced = False


def silence_highs_banner() -> None:
    """Keep HiGHS's banner ("Running HiGHS ... Copyright ...") off stdout in this process.

    HiGHS prints the banner to the process's stdout the first time a ``Highs`` object is made,
    before any option (``output_flag``) can turn its output off; later objects do not print it.
    This makes that first object with file descriptor 1 pointed at the null device. Called
    before every in-process HiGHS solve (:func:`highs_solver`, the allocation and audit models)
    and by the command line; solver logs asked for with ``msg=True`` still print.
    """
    global _banner_silenced
    with _BANNER:
        if _banner_silenced:
            return
        _banner_silenced = True
        try:
            import highspy
        except ImportError:  # pragma: no cover - highspy is a dependency
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
                _flush_c_stdio()  # a banner buffered in C's stdout goes to the null device, not later to fd 1
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _flush_c_stdio() -> None:
    with contextlib.suppress(Exception):  # no C library to flush (e.g. an unusual platform): nothing buffered there
        import ctypes

        ctypes.CDLL(None).fflush(None)


def highs_solver(
    *, msg: bool, time_limit: float | None, gap: float | None, threads: int | None, warm_start: bool = False
) -> Any:
    """HiGHS through highspy, in process.

    ``warm_start=True`` hands the variables' current values (e.g. from an
    earlier solve of the same problem) to HiGHS as a starting MIP solution,
    (PuLP 4's HiGHS does this itself; for PuLP 3 a small subclass sets the
    solution before the run).
    """
    silence_highs_banner()
    kwargs = dict(msg=msg, timeLimit=time_limit, gapRel=gap, threads=threads)
    if warm_start and PULP_MAJOR >= 4:
        return pulp.HiGHS(warmStart=True, **kwargs)  # PuLP 4's in-process HiGHS takes a start itself
    if warm_start:
        return _HighsWarm(**kwargs)
    return pulp.HiGHS(**kwargs)


if PULP_MAJOR < 4 and getattr(pulp.HiGHS, "callSolver", None) is not None:

    class _HighsWarm(pulp.HiGHS):  # type: ignore[misc,valid-type]
        """In-process HiGHS that starts from the variables' current values."""

        def callSolver(self, lp: pulp.LpProblem) -> None:
            import highspy

            start = [v.varValue for v in lp.variables()]
            if all(x is not None for x in start):
                sol = highspy.HighsSolution()
                sol.col_value = [float(x) for x in start]
                sol.value_valid = True
                lp.solverModel.setSolution(sol)
            super().callSolver(lp)

else:  # pragma: no cover - PuLP 4 passes warmStart to its own HiGHS
    _HighsWarm = pulp.HiGHS  # type: ignore[misc,assignment]


def cbc_solver(
    *, msg: bool, time_limit: float | None, gap: float | None, threads: int | None
) -> Any:
    """CBC: bundled with PuLP 3 (PULP_CBC_CMD), an installed binary with PuLP 4 (COIN_CMD)."""
    if PULP_MAJOR >= 4:
        return pulp.COIN_CMD(msg=msg, timeLimit=time_limit, gapRel=gap, threads=threads)
    with warnings.catch_warnings():  # PuLP 3.3 warns that PULP_CBC_CMD goes away in 4: handled above
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=msg, timeLimit=time_limit, gapRel=gap, threads=threads)


def solver_available(solver: Any) -> bool:
    """Whether the solver can run here."""
    try:
        return bool(solver.available())
    except Exception:  # pragma: no cover - defensive: some APIs raise when absent
        return False


_SCHEDULER = threading.Condition()
_active_solves = 0
_thread = threading.local()  # .threads: the scheduler size this thread last ran HiGHS with


@contextlib.contextmanager
def highs_scheduler(threads: int | None) -> Iterator[None]:
    """Run one in-process HiGHS solve with the scheduler sized for ``threads``.

    HiGHS keeps a thread scheduler per process, and each OS thread holds a
    handle on the one it first used; a solve asking for another thread count
    fails ("the scheduler has already been initialized") and returns no
    solution. rcc remembers, per thread, the size it last ran with and, when a
    solve asks for another (or is the thread's first), waits until no other
    solve of this process is running and restarts the scheduler from this
    thread (``Highs.resetGlobalScheduler``). Solves that need no restart run
    concurrently as before.
    """
    global _active_solves
    want = int(threads) if threads else 0  # 0: HiGHS's own default
    with _SCHEDULER:
        if getattr(_thread, "threads", None) != want:
            while _active_solves > 0:
                _SCHEDULER.wait()
            import highspy

            highspy.Highs.resetGlobalScheduler(True)
            _thread.threads = want
        _active_solves += 1
    try:
        yield
    finally:
        with _SCHEDULER:
            _active_solves -= 1
            _SCHEDULER.notify_all()


@attrs.frozen
class SolverOutcome:
    """What a solver run gave, read from the solver itself.

    Attributes
    ----------
    status : str
        ``"optimal"``, ``"infeasible"``, ``"unbounded"``, ``"time_limit"``,
        ``"not_solved"`` or ``"error"``.
    has_solution : bool
        True only when the solver holds a primal *feasible* point (a time
        limit hit before any is found gives False, never a plan of zeros).
    objective, bound, gap : float or None
        The solution's objective, a valid bound on the optimum and the
        relative gap between them, where known.
    model_status : str
        The solver's own words (HiGHS model status), for messages.
    """

    status: str
    has_solution: bool
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    model_status: str = ""


def _is_highs(solver: Any) -> bool:
    return isinstance(solver, pulp.HiGHS)


def solve_problem(prob: pulp.LpProblem, solver: Any) -> SolverOutcome:
    """Solve and return the :class:`SolverOutcome`: status, has_solution, objective, bound, gap.

    ``status`` is one of ``"optimal"``, ``"infeasible"``, ``"unbounded"``,
    ``"time_limit"``, ``"not_solved"``, ``"error"``. ``has_solution`` is true
    only when the solver holds a primal *feasible* solution (a time limit hit
    before any is found gives ``has_solution=False``, never a plan of zeros).
    ``bound`` and ``gap`` come from HiGHS when it ran in process (MIP dual bound
    and relative gap), else ``None``.
    """
    if _is_highs(solver):
        with highs_scheduler(getattr(solver, "threads", None)):
            prob.solve(solver)
        return _highs_outcome(prob)
    result = prob.solve(solver)
    if PULP_MAJOR >= 4:
        code = int(result.status)  # LpSolveStatus is an IntEnum
        has_solution = bool(getattr(result, "has_solution", code == 1))
        # -7: the gap tolerance was met (optimal within the requested gap); other negatives below -3 stopped early
        status = {1: "optimal", -7: "optimal", -1: "infeasible", -2: "unbounded", 0: "not_solved", -3: "not_solved"}.get(
            code, "time_limit" if code in (-4, -6, -8, -9, -10, -11) else "error"
        )
    else:
        code = int(result)
        has_solution = prob.sol_status in (1, 2)  # optimal or integer feasible
        status = {1: "optimal", -1: "infeasible", -2: "unbounded", 0: "not_solved"}.get(code, "error")
        if status == "optimal" and prob.sol_status == 2:
            status = "time_limit"  # CBC: integer feasible but stopped early
    if status in ("not_solved", "time_limit") and has_solution:
        status = "time_limit"
    if status in ("infeasible", "unbounded") or (status != "optimal" and not prob.isMIP()):
        has_solution = False  # an LP stopped early holds no feasible point (CBC reports its last iterate as one)
    objective = pulp.value(prob.objective) if has_solution else None
    gap = 0.0 if status == "optimal" and not prob.isMIP() else None
    return SolverOutcome(status, has_solution, None if objective is None else float(objective), None, gap, status)


_HIGHS_STATUS = {
    "Optimal": "optimal",
    "Infeasible": "infeasible",
    "Primal infeasible or unbounded": "infeasible",
    "Unbounded": "unbounded",
    "Time limit reached": "time_limit",
    "Iteration limit reached": "time_limit",
    "Solution limit reached": "time_limit",
    "Interrupted by user": "time_limit",
}


def _highs_outcome(prob: pulp.LpProblem) -> SolverOutcome:
    """The outcome of a PuLP problem solved by HiGHS in process, read from HiGHS itself."""
    outcome = highs_outcome(prob.solverModel, mip=prob.isMIP())
    if outcome.has_solution:  # PuLP's own value of the objective (constant term included)
        objective = float(pulp.value(prob.objective))
        bound = objective if not prob.isMIP() and outcome.status == "optimal" else outcome.bound
        outcome = attrs.evolve(outcome, objective=objective, bound=bound)
    return outcome


def highs_outcome(highs: Any, *, mip: bool) -> SolverOutcome:
    """The outcome read from a HiGHS model (model status, primal solution status), not PuLP's
    mapping, which takes a time-limited LP's current point, or zeros, for a solution."""
    model_status = str(highs.modelStatusToString(highs.getModelStatus()))
    info = highs.getInfo()
    status = _HIGHS_STATUS.get(model_status, "not_solved" if model_status in ("Not Set", "Unknown") else "error")
    has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    if status in ("infeasible", "unbounded"):
        has_solution = False
    objective = float(info.objective_function_value) if has_solution else None
    bound = gap = None
    if mip:
        if math.isfinite(info.mip_dual_bound):
            bound = float(info.mip_dual_bound)
        if has_solution and math.isfinite(info.mip_gap):
            gap = float(info.mip_gap)
    elif status == "optimal":
        bound, gap = objective, 0.0
    if status == "optimal" and not has_solution:  # pragma: no cover - HiGHS says optimal only with a solution
        status = "error"
    return SolverOutcome(status, has_solution, objective, bound, gap, model_status)


def values(variables: Sequence[Any]) -> list[float]:
    """Solution values of variables (0.0 where the solver gave none)."""
    out = []
    for v in variables:
        x = v.value()
        out.append(0.0 if x is None else float(x))
    return out


def set_values(variables: Sequence[Any], vals: Iterable[float]) -> None:
    """Give variables values (a start for a warm-started solve, or a plan put back)."""
    for v, x in zip(variables, vals):
        v.setInitialValue(float(x))
