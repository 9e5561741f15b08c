"""Suppression benchmark: the LP audit of one release (primary and secondary suppression,
then the audit loop of ``rcc.report.audit._protect``) for Greater Manchester's plan, its
three-year sufficiency plan and a four-scenario pooling comparison, against the previous
audit (kept below as ``_ReferenceAudit``: binding rows of every LP, seen tables over all
cells) measured in the same run. Both must give the same suppression pattern.

Run:  python benchmarks/bench_suppression.py [--threshold 5]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

import rcc
from rcc.report.audit import _TOL, _Audit, _interval_ok, _protect
from rcc.report.grouped import release_of
from rcc.report.tables import _plan_release


class _ReferenceAudit(_Audit):
    """The audit as it was before (same LPs, eager binding rows and bookkeeping)."""

    shortcuts = False

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
    args = ap.parse_args()
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
