"""Suppression benchmark: the LP audit of one release (primary and secondary suppression,
then the audit loop of ``rcc.report.audit._protect``) for Greater Manchester's plan, its
three-year sufficiency plan and a four-scenario pooling comparison, against the previous
audit (kept below as ``_ReferenceAudit``: binding rows of every LP, seen tables over all
cells) measured in the same run. Both must give the same suppression pattern.

``--reports``: the whole report of an optimised plan (``rcc.report_tables``: the release,
its pooling retries and every audit) for Greater Manchester and the South East (and England
with ``--england``: many minutes), against the previous suppression loop measured in the same
run (``_reference_loop`` below: the through-bounds neighbours found by repeated set growth and
the relation rule visiting every relation in every pass) and against the plan's own solve time.
Both loops must give the same hidden cells.

``--reports --comparison`` also times the report of Greater Manchester's comparison as ``rcc compare
--report`` makes it (the RCC and its neighbours within 60 miles, every standard scenario).
The reports keep a result's tables (``report_tables`` once per plan and threshold): each
run here starts from a result not reported.

Run:  python benchmarks/bench_suppression.py [--threshold 5] [--reports [--comparison] [--england]] [--carry-basis]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.report import audit as audit_module  # noqa: E402
from rcc.report import grouped as grouped_module  # noqa: E402
from rcc.report import tables as tables_module  # noqa: E402
from rcc.report.audit import _NONLINEAR, _TOL, _apply_dependencies, _Audit, _interval_ok, _protect  # noqa: E402
from rcc.report.grouped import release_of  # noqa: E402
from rcc.report.tables import _plan_release  # noqa: E402


class _ReferenceAudit(_Audit):
    """The audit as it was before (same LPs, eager binding rows and bookkeeping)."""

    shortcuts = False
    dual_from = 1 << 62  # primal simplex from no basis, as before

    def _solve_b(self, k: int, maximise: bool) -> tuple[float, np.ndarray]:
        obj = self.solve(k, maximise)
        rc = np.asarray(self.row_cell, dtype=np.int64)
        if not self._solved or not len(rc):
            return obj, np.zeros(0, np.int64)
        duals = np.asarray(self.h.getSolution().row_dual)
        binding = rc[(np.abs(duals) > 1e-9) & (rc >= 0)]
        for r in rc[(np.abs(duals) > 1e-9) & (rc <= -2)]:
            var = self.rel.links[-2 - int(r)][0]
            pub = self.rel.base_cell[var[self.col_of[var] < 0]]
            binding = np.union1d(binding, pub[pub >= 0])
        return obj, binding

    def _record(self, col_value: np.ndarray) -> None:
        rel = self.rel
        self._x[self._unk] = col_value
        watch = np.zeros(rel.n_cells, dtype=bool)
        watch[self._w_cells] = True
        m = watch[rel.nz_cell]
        vals = np.bincount(rel.nz_cell[m], weights=rel.nz_coef[m] * self._x[rel.nz_var[m]], minlength=rel.n_cells)
        np.maximum(self.seen_hi, np.where(watch, vals, -np.inf), out=self.seen_hi)
        np.minimum(self.seen_lo, np.where(watch, vals, np.inf), out=self.seen_lo)

    def check(self, k: int, threshold: int) -> tuple[bool, float, float, np.ndarray]:
        v = self.rel.value_a[k]
        primary = 0 < v < threshold
        if self.proven(k, threshold):
            return True, math.nan, math.nan, np.zeros(0, np.int64)
        hi, b_hi = self._solve_b(k, True)
        if (primary and hi >= threshold - _TOL) or (not primary and hi >= v + 1 - _TOL):
            return True, math.nan, hi, b_hi
        if primary:
            cols, coef, const = self.objective(k)
            if (coef >= 0).all() and const + coef @ self.col_lower[cols] >= 1 - _TOL:
                return False, math.nan, hi, b_hi
        lo, b_lo = self._solve_b(k, False)
        ok, upper_side = _interval_ok(lo, hi, v, threshold)
        return ok, lo, hi, (b_hi if upper_side else np.union1d(b_hi, b_lo))


def _reference_neighbours(rel, k: int, hidden: np.ndarray, through_bounds: bool = False) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``rcc.report.audit._neighbours`` as it was: the through-bounds closure grown one bound at a time."""
    var = rel.support[k]
    if through_bounds:
        bounds = [v for v, _, lo, hi in rel.links if lo != hi]
        while True:
            more = np.unique(np.concatenate([var] + [v for v in bounds if np.isin(v, var).any()]))
            if len(more) == len(var):
                break
            var = more
    touch = np.isin(rel.nz_var, var)
    cells = np.unique(rel.nz_cell[touch])
    return cells[~hidden[cells] & ~rel.public[cells] & (rel.kind_a[cells] != _NONLINEAR)]


def _reference_secondary(rel, hidden: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    """``rcc.report.audit._secondary`` as it was: every relation visited in every pass."""
    val = rel.value_a
    changed = True
    while changed:
        changed = False
        for total, parts in rel.relations:
            cells = np.concatenate([[total], parts])
            h = hidden[cells]
            if h.sum() != 1:
                continue
            free = cells[~h & ~rel.public[cells]]
            if not len(free):
                continue
            nonzero = free[val[free] > 0]
            detail = nonzero[~rel.headline[nonzero]]
            pool = detail if len(detail) else nonzero if len(nonzero) else free
            pool_parts = pool[pool != total]
            hidden[pool_parts[np.argmin(val[pool_parts])] if len(pool_parts) else pool[0]] = True
            changed = True
        changed |= _apply_dependencies(rel, hidden)


@contextlib.contextmanager
def _reference_loop() -> Iterator[None]:
    """The suppression loop with the previous neighbours and relation rule, and the first
    solve of each audit by primal simplex."""
    saved = audit_module._neighbours, audit_module._secondary, _Audit.dual_from
    audit_module._neighbours, audit_module._secondary = _reference_neighbours, _reference_secondary
    _Audit.dual_from = 1 << 62  # the first solve by primal simplex, as before
    try:
        yield
    finally:
        audit_module._neighbours, audit_module._secondary, _Audit.dual_from = saved


def _report_run(plan: rcc.Plan | rcc.Comparison, threshold: int) -> tuple[float, int, int, dict[str, pd.DataFrame]]:
    """(seconds, LPs, audits, tables) of ``rcc.report_tables`` (``comparison_tables``) on a
    result not reported before (seconds of this process's CPU: steadier than wall time on a
    loaded machine)."""
    n = {"lp": 0, "rounds": 0}
    init, run = _Audit.__init__, _Audit._run

    def counted_init(self: _Audit, *a: object, **kw: object) -> None:
        n["rounds"] += 1
        init(self, *a, **kw)  # type: ignore[arg-type]

    def counted_run(self: _Audit, *a: object, **kw: object) -> float:
        n["lp"] += 1
        return run(self, *a, **kw)  # type: ignore[arg-type]

    _Audit.__init__, _Audit._run = counted_init, counted_run  # type: ignore[method-assign]
    try:
        tables_module._CACHE.pop(plan, None)  # the reports keep a result's tables: measure the work
        grouped_module._CACHE.pop(plan, None)
        t0 = time.process_time()
        make = rcc.report.comparison_tables if isinstance(plan, rcc.Comparison) else rcc.report_tables
        tables = make(plan, suppress_below=threshold)
        return time.process_time() - t0, n["lp"], n["rounds"], tables
    finally:
        _Audit.__init__, _Audit._run = init, run  # type: ignore[method-assign]


def _masks(tables: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    return {k: df.attrs["suppressed"].to_numpy() for k, df in tables.items() if "suppressed" in df.attrs}


def _result(name: str) -> rcc.Plan | rcc.Comparison:
    """The optimised plan of a region (today held), or GM's comparison as ``rcc compare --report`` makes it."""
    if name == "GM comparison":
        from rcc.cli.compare import compare_region

        ids = tuple(rcc.datasets.regions()["Greater Manchester RCC"])
        return compare_region(rcc.datasets.england(), ids, "Greater Manchester RCC", executor="serial", progress=False)
    return rcc.plan(rcc.datasets.england() if name == "England" else rcc.datasets.england(name))


def _reports(threshold: int, england: bool, comparison: bool) -> None:
    """GM / SE (/ England) report times, LPs and hidden cells against the reference loop and the plan's solve."""
    rows = []
    names = ["Greater Manchester RCC", "South East RCC"] + (["GM comparison"] if comparison else []) + (["England"] if england else [])
    for name in names:
        t0 = time.perf_counter()
        plan = _result(name)
        t_plan = time.perf_counter() - t0
        t_new, lp_new, au_new, tab_new = _report_run(plan, threshold)
        row = {"report": name, "plan wall s": round(t_plan, 1), "report cpu s": round(t_new, 1), "report/plan": round(t_new / t_plan, 2),
               "LPs": lp_new, "audits": au_new, "hidden": int(sum(m.sum() for m in _masks(tab_new).values()))}
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
        if name != "England":
            with _reference_loop():
                t_ref, lp_ref, _, tab_ref = _report_run(plan, threshold)
            m_new, m_ref = _masks(tab_new), _masks(tab_ref)
            same = m_new.keys() == m_ref.keys() and all(np.array_equal(m_new[k], m_ref[k]) for k in m_new)
            row.update({"ref cpu s": round(t_ref, 1), "new/ref": round(t_new / t_ref, 2), "LPs ref": lp_ref, "same hidden": same})
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


def _counted(cls: type) -> tuple[type, dict[str, int]]:
    """A subclass of ``cls`` counting LP solves and audits built (one per round, one for the weighted statistics)."""
    n = {"lp": 0, "rounds": 0}

    class Counted(cls):  # type: ignore[misc, valid-type]
        def __init__(self, *a: object, **kw: object) -> None:
            n["rounds"] += 1
            super().__init__(*a, **kw)

        def _run(self, *a: object, **kw: object) -> float:
            n["lp"] += 1
            return super()._run(*a, **kw)

    return Counted, n


def _releases() -> dict[str, object]:
    region = rcc.datasets.england("Greater Manchester RCC", seed=0)
    forecast = rcc.forecast_from_region(region, years=3)
    budgets = pd.DataFrame({"scope": ["total"], "capital_gbp": [10e6]})
    suff = rcc.sufficiency_plan(region, rcc.default_options(region), forecast, budgets, rcc.SufficiencyParams(years=3))
    ids = rcc.datasets.regions()["Greater Manchester RCC"]
    base = rcc.with_neighbours(rcc.datasets.england(), ids, within_miles=20)
    cmp = rcc.compare(base, rcc.standard_scenarios(ids, "Greater Manchester")[:4])
    return {
        "GM plan": _plan_release(rcc.plan(region))[1],
        "GM sufficiency (3y)": release_of(suff)[1],
        "GM comparison (4 scenarios)": release_of(cmp)[1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=int, default=5)
    ap.add_argument("--reports", action="store_true", help="whole reports of GM and SE plans, new loop against the previous")
    ap.add_argument("--england", action="store_true", help="with --reports: England too (many minutes)")
    ap.add_argument("--comparison", action="store_true", help="with --reports: GM's comparison report too (minutes)")
    ap.add_argument("--carry-basis", action="store_true", help="each audit round starts from the last basis (_Audit.carry_basis)")
    args = ap.parse_args()
    _Audit.carry_basis = args.carry_basis
    if args.reports:
        _reports(args.threshold, args.england, args.comparison)
        return
    rows = []
    for name, rel in _releases().items():
        out = {}
        for label, cls in (("new", _Audit), ("reference", _ReferenceAudit)):
            counted, n = _counted(cls)
            t0 = time.perf_counter()
            hidden = _protect(rel, args.threshold, counted)
            out[label] = (time.perf_counter() - t0, n["lp"], n["rounds"], hidden)
        (tn, ln, rn, hn), (tr, lr, rr, hr) = out["new"], out["reference"]
        rows.append({
            "release": name, "s new": round(tn, 2), "s ref": round(tr, 2), "time ratio": round(tn / tr, 2),
            "LPs new": ln, "LPs ref": lr, "audits new": rn, "audits ref": rr,
            "hidden new": int(hn.sum()), "hidden ref": int(hr.sum()), "same pattern": bool((hn == hr).all()),
        })
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
