"""Time accounting and solver calls of one sufficiency plan (one time limit for the whole plan)."""

from __future__ import annotations

import logging
import time

import attrs
import numpy as np

from rcc.allocation.engine import run_solver
from rcc.core import solvers
from rcc.core.errors import SolverError
from rcc.core.solvers import SolverOutcome
from rcc.sufficiency import constraints
from rcc.sufficiency.arrays import ArrayProblem
from rcc.sufficiency.model import ModelData, SufficiencyModel, build_sufficiency
from rcc.sufficiency.params import SufficiencyParams

__all__ = ["ARRAYS_FOR_HIGHS", "Run", "SolverOutcome", "globalise", "subset_data"]  # SolverOutcome: what Run.solve returns

#: HiGHS plans build their models as arrays (:mod:`rcc.sufficiency.arrays`) unless the user's
#: ``extra_constraints`` or a row block outside rcc's own needs PuLP; False sends them through PuLP
#: as before (``benchmarks/bench_sufficiency.py`` measures both paths in one run).
ARRAYS_FOR_HIGHS = True

#: Each stage of a sufficiency plan is logged here at INFO as it starts ("stage: pricing"): a progress hook.
STAGES = logging.getLogger("rcc.sufficiency.stages")


class Run:
    """Time accounting: one time limit for the whole plan, build and solve times, the current stage."""

    def __init__(self, params: SufficiencyParams, t0: float) -> None:
        self.params = params
        self.t0 = t0
        self.solve_s = 0.0
        self.build_s = 0.0
        self.stage = "build"

    @property
    def stage(self) -> str:
        """The stage running now; setting it logs ``stage: <name>`` to :data:`STAGES`."""
        return self._stage

    @stage.setter
    def stage(self, name: str) -> None:
        self._stage = name
        STAGES.info("stage: %s", name, extra={"elapsed_s": self.elapsed()})

    def elapsed(self) -> float:
        """Seconds since the plan started."""
        return time.perf_counter() - self.t0

    def remaining(self) -> float | None:
        limit = self.params.solver.time_limit_s
        return None if limit is None else max(1.0, limit - self.elapsed())

    def out_of_time(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the time limit has been used."""
        limit = self.params.solver.time_limit_s
        return limit is not None and self.elapsed() >= share * limit

    def build(self, data: ModelData, labels: list[str], **kw: bool) -> SufficiencyModel:
        """Build a model (with the user's ``extra_constraints``), counting the time as build time."""
        t = time.perf_counter()
        extra = self.params.extra_constraints
        in_arrays = ARRAYS_FOR_HIGHS and self.params.solver.name == "highs" and extra is None
        in_arrays = in_arrays and all(f in constraints.ARRAY_DEFINITIONS for f in constraints.ROW_DEFINITIONS)
        model = build_sufficiency(data, labels, extra=extra, in_arrays=in_arrays, **kw)
        self.build_s += time.perf_counter() - t
        return model

    def solve(self, model: SufficiencyModel, warm_start: bool = False, gap: float | None = None) -> SolverOutcome:
        """Solve with the time left. HiGHS stops only at the requested relative
        gap (its default absolute gap of 1e-6 would let it stop earlier); ``gap``
        replaces the requested one for this solve."""
        options = attrs.evolve(self.params.solver, time_limit_s=self.remaining())
        if gap is not None:
            options = attrs.evolve(options, mip_gap=gap)
        if isinstance(model.problem, ArrayProblem):
            t = time.perf_counter()
            try:
                outcome = model.problem.solve(
                    msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads, warm_start=warm_start
                )
            except Exception as exc:  # the solver crashed: say so, with the solver's words
                raise SolverError(f"{options.name} failed in the {self.stage}: {exc}") from exc
            self.solve_s += time.perf_counter() - t
            return outcome
        if options.name == "highs":
            solver = solvers.highs_solver(
                msg=options.msg, time_limit=options.time_limit_s, gap=options.mip_gap, threads=options.threads, warm_start=warm_start
            )
            solver.gapAbs = 0.0
            if not solvers.solver_available(solver):  # pragma: no cover - highspy is a dependency
                raise SolverError("solver 'highs' is not available here (expected it installed with rcc)")
            t = time.perf_counter()
            try:
                outcome = solvers.solve_problem(model.problem, solver)
            except Exception as exc:  # the solver crashed: say so, with the solver's words
                raise SolverError(f"{options.name} failed in the {self.stage}: {exc}") from exc
            seconds = time.perf_counter() - t
        else:
            outcome, seconds = run_solver(model.problem, options)
        self.solve_s += seconds
        return outcome

    def gap_tolerance(self) -> float:
        return self.params.solver.mip_gap if self.params.solver.mip_gap is not None else 1e-4


def subset_data(data: ModelData, idx: np.ndarray) -> ModelData:
    return attrs.evolve(
        data, e_cohort=data.e_cohort[idx], e_site=data.e_site[idx], e_penalty=data.e_penalty[idx], e_weekly=data.e_weekly[idx]
    )


def globalise(model: SufficiencyModel, data: ModelData, idx: np.ndarray) -> SufficiencyModel:
    return attrs.evolve(model, data=data, ey_edge=idx[model.ey_edge])
