"""OR-Library CFLP benchmark: rcc's sufficiency API against a plain HiGHS model, same run, same instances.

The 37 capacitated warehouse location instances cap41-cap134 (Beasley; the test
fixtures in ``tests/fixtures/orlib-cflp``, see SOURCES.md there) are solved twice:

* ``rcc``: :func:`rcc.sufficiency.orlib.solve_cflp` (``sufficiency_plan`` with ``cflp_params``:
  validation, model build through PuLP, HiGHS, result tables), as the tests do;
* ``reference``: the textbook strong formulation (open ``y_i``, fraction ``x_ij`` of
  customer j served by i, ``x_ij <= y_i``) passed straight to highspy, zero gap.

Both must reach Beasley's published optimum (``capopt``). The table gives the wall
time of each and their ratio, per instance and for the whole set, so the figure
travels between machines: the reference is measured on the same machine in the same
run. Target (checked by eye, not by tests; it was the timed test
``test_whole_set_runs_quickly``): the whole set through rcc under 60 s on 2 cores,
and the rcc/reference ratio of the whole set in single figures.

Run:  python benchmarks/bench_orlib.py [--only cap4] [--data tests/fixtures/orlib-cflp]
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import highspy
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's rcc, not an installed one
import rcc  # noqa: E402
from rcc.sufficiency.orlib import CflpInstance, read_capopt, read_cflp, solve_cflp  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "orlib-cflp"


def unpack(data: Path, into: Path) -> list[Path]:
    """The instance files of ``cap-instances.tar.gz``, written flat into ``into``, in archive order."""
    out = []
    with tarfile.open(data / "cap-instances.tar.gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or "/" in member.name:
                raise SystemExit(f"unexpected archive member {member.name!r}")
            path = into / member.name
            path.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
            out.append(path)
    return out


def reference_solve(inst: CflpInstance) -> float:
    """The CFLP objective from highspy directly: min f.y + c.x, sum_i x_ij = 1,
    sum_j d_j x_ij <= s_i y_i, x_ij <= y_i, y binary, 0 <= x <= 1."""
    m, n = inst.m, inst.n
    ncol = m + m * n  # y_i, then x_ij at m + i*n + j
    x = m + np.arange(m * n).reshape(m, n)
    starts, index, value = [0], [], []

    def row(cols: np.ndarray, vals: np.ndarray) -> None:
        index.extend(cols.tolist())
        value.extend(vals.tolist())
        starts.append(len(index))

    for j in range(n):  # each customer fully served
        row(x[:, j], np.ones(m))
    for i in range(m):  # capacity of an open warehouse
        row(np.append(x[i], i), np.append(inst.demands, -inst.capacities[i]))
    for i in range(m):  # strong linking
        for j in range(n):
            row(np.array([x[i, j], i]), np.array([1.0, -1.0]))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = ncol, len(starts) - 1
    lp.col_cost_ = np.concatenate([inst.fixed_costs, inst.costs.ravel()])
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.ones(ncol)
    lp.row_lower_ = np.concatenate([np.ones(n), np.full(m + m * n, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.zeros(m + m * n)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * (m * n)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SystemExit(f"{inst.name}: reference HiGHS status {h.modelStatusToString(h.getModelStatus())}")
    return float(h.getInfo().objective_function_value)


def run(path: Path, optimum: float) -> dict[str, object]:
    inst = read_cflp(path)
    t0 = time.perf_counter()
    plan = solve_cflp(inst)
    rcc_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = reference_solve(inst)
    ref_s = time.perf_counter() - t0
    return {
        "instance": inst.name,
        "m x n": f"{inst.m} x {inst.n}",
        "published": optimum,
        "rcc objective": round(plan.total_cost_gbp, 3),
        "status": plan.status.value,
        "reference objective": round(ref, 3),
        "both optimal": abs(plan.total_cost_gbp - optimum) <= 0.01 and abs(ref - optimum) <= 0.01,
        "rcc s": rcc_s,
        "reference s": ref_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="folder with cap-instances.tar.gz and capopt.txt")
    ap.add_argument("--only", default="", help="instances whose name starts with this (e.g. cap13)")
    args = ap.parse_args()
    capopt = read_capopt(args.data / "capopt.txt")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in unpack(args.data, Path(tmp)):
            if path.stem.startswith(args.only):
                rows.append(run(path, capopt[path.stem]))
    if not rows:
        raise SystemExit(f"no instance starts with {args.only!r}")
    table = pd.DataFrame(rows)
    total = {
        "instance": f"all {len(table)}",
        "both optimal": bool(table["both optimal"].all()),
        "rcc s": table["rcc s"].sum(),
        "reference s": table["reference s"].sum(),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["rcc / reference"] = (table["rcc s"] / table["reference s"]).round(2)
    table[["rcc s", "reference s"]] = table[["rcc s", "reference s"]].round(3)
    print(f"rcc OR-Library CFLP benchmark (rcc {rcc.__version__}, highspy {version('highspy')})")
    print("reference: the same instance as a plain strong-formulation MILP in highspy, measured in this run")
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(table.astype(object).where(table.notna(), "").to_string(index=False))
    if not total["both optimal"]:
        raise SystemExit("an instance missed its published optimum: see the table")


if __name__ == "__main__":
    main()
