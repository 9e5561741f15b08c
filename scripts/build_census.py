"""Build the embedded England's census placements (package data): ``python scripts/build_census.py``.

Simulates the England of ``rcc.datasets.england(today=False)`` with the calibrated defaults
(``rcc.simulate.census``: seed ``rcc.datasets.CENSUS_SEED``, ``CENSUS_YEARS`` years from ``CENSUS_START``,
re-weighted to the cohorts) and writes ``rcc/datasets/data/census_placements.csv.gz`` and
``census_placements.json`` (its ``key``: ``rcc.datasets.census_key`` of the region it was built from;
``tests/test_datasets.py`` fails when the key no longer matches, e.g. after a supply or calibration
change: re-run this script then). ``--check`` only says whether the shipped file is current (exit 1 if not).
Derived from the package's own data (ATTRIBUTION.md); it reads nothing else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import sys
import time
from pathlib import Path

import rcc

DATA = Path(__file__).resolve().parents[1] / "rcc" / "datasets" / "data"


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the shipped file is current")
    args = ap.parse_args()
    region = rcc.datasets.england(today=False)
    key = rcc.datasets.census_key(region)
    shipped = rcc.datasets.shipped_census()
    if args.check:
        ok = shipped is not None and shipped[0]["key"] == key
        print("census placements current" if ok else "census placements OUT OF DATE: run scripts/build_census.py")
        return 0 if ok else 1
    t0 = time.perf_counter()
    c = rcc.simulate.census(region)
    seconds = time.perf_counter() - t0
    text = c.placements.to_csv(index=False, lineterminator="\n").encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:  # mtime 0: the same census, the same bytes
        f.write(text)
    (DATA / "census_placements.csv.gz").write_bytes(buf.getvalue())
    w = c.reweighting
    meta = {
        "key": key,
        "created": dt.date.today().isoformat(),
        "rcc_version": rcc.__version__,
        "method": "rcc.simulate.census(rcc.datasets.england(today=False)): the calibrated simulation "
        "(rcc.simulate.simulate, parameters from simulation_calibration.json) from an empty system, then the "
        "census stock re-weighted to the cohorts (surplus children of a cohort left out at random; missing "
        "ones placed on the census day by the choice rule)",
        "seed": rcc.datasets.CENSUS_SEED,
        "years": rcc.datasets.CENSUS_YEARS,
        "start": rcc.datasets.CENSUS_START,
        "census_date": str(c.simulation.census_date.date()),
        "calibration": rcc.datasets.simulation_calibration()["parameters"],
        "regional_calibration": rcc.datasets.simulation_calibration().get("regional", {}),
        "children": int(w.children.sum()),
        "placed": int(c.placements.children.sum()),
        "waiting": int(c.waiting.children.sum()),
        "simulated_stock": int(w.simulated.sum()),
        "removed": int(w.removed.sum()),
        "added": int(w.added.sum()),
        "metrics": {k: round(float(v), 3) for k, v in c.metrics.items()},
        "build_seconds": round(seconds, 1),
    }
    (DATA / "census_placements.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps({k: meta[k] for k in ("children", "placed", "waiting", "removed", "added", "build_seconds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
