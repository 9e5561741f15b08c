"""Today's placements in the embedded England: the simulated census of 31 March 2025.

:func:`rcc.datasets.england` carries them in ``region.placements`` (held by :func:`rcc.plan` by default,
``PlanParams(hold_current=False)`` re-places every child). They are :func:`rcc.simulate.census` of the
England built without them: the calibrated simulation (:func:`rcc.datasets.simulation_calibration`) of
:data:`CENSUS_YEARS` years from :data:`CENSUS_START` with seed :data:`CENSUS_SEED`, re-weighted to the
cohorts (DfE's children looked after at 31 March 2025).

How they are obtained, so loading stays fast: ``scripts/build_census.py`` simulates once and ships the
result as package data (``census_placements.csv.gz`` and ``census_placements.json``, with the
:func:`census_key` of what it was built from: the calibration's parameters, the simulation settings and
every table of the region, districts included). Loading reads the file (tens of milliseconds) when the
key matches the region being built; otherwise (another generator seed, or supply, demand or calibration
changed since the file was built) the census is simulated on load by the builder :mod:`rcc.simulate`
registers (about 5 s for England, once per process and key), with a warning when the shipped file is out
of date. ``tests/test_datasets.py`` checks the shipped file is current.

A named region (``england("Greater Manchester RCC")``) is the subset of England with England's census:
its councils' children where they are placed, keeping the placements in its own homes;
:func:`census_left_out` says what the subset leaves out (its children placed outside it, who become
demand the subset places, and other councils' children in its homes, whose places it counts as free).
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.datasets.calibration import simulation_calibration
from rcc.datasets.geometry import districts

__all__ = [
    "CENSUS_SEED",
    "CENSUS_START",
    "CENSUS_YEARS",
    "census_key",
    "census_left_out",
    "census_placements",
    "england_census",
    "register_census_builder",
    "shipped_census",
]

CENSUS_SEED = 0  #: simulation seed of the embedded census
CENSUS_YEARS = 5.0  #: years simulated before the census day
CENSUS_START = "2020-04"  #: first simulated month: five years end on 31 March 2025 (DfE's census day)
_FORMAT = 3  #: bump when the census method changes (rcc.simulate.census): the shipped file is then stale
# 3: today's placing without a distance limit (rcc.simulate.TODAY_PARAMS, 2026-12-04)
_FILE, _META = "census_placements.csv.gz", "census_placements.json"
_BUILDERS: dict[str, Callable[[Region], pd.DataFrame]] = {}


def register_census_builder(builder: Callable[[Region], pd.DataFrame]) -> None:
    """Register the function that simulates a region's census placements (``placements`` schema) when the
    shipped file does not match; :mod:`rcc.simulate` registers :func:`rcc.simulate.census` on import."""
    _BUILDERS["census"] = builder


def census_key(region: Region) -> str:
    """SHA-256 of what a census is built from: the calibration's parameters (global and per region), the
    census settings and every table of ``region`` but its placements, and the district geometry."""
    h = hashlib.sha256()
    settings = {
        "format": _FORMAT,
        "seed": CENSUS_SEED,
        "years": CENSUS_YEARS,
        "start": CENSUS_START,
        "parameters": simulation_calibration()["parameters"],
        "regional": simulation_calibration().get("regional", {}),
    }
    h.update(json.dumps(settings, sort_keys=True).encode())
    for table in (region.councils, region.providers, region.homes, region.cohorts, region.travel, districts()):
        h.update(table.to_csv(index=False, lineterminator="\n").encode())
    return h.hexdigest()


def _data(name: str) -> Any:
    return resources.files("rcc.datasets").joinpath("data", name)


def shipped_census() -> tuple[dict[str, Any], pd.DataFrame] | None:
    """The shipped census: its record (``key``, ``created``, settings, totals) and placements; ``None``
    when the package has none."""
    if not _data(_META).is_file():
        return None
    meta, table = _shipped()
    return dict(meta), table.copy()


@functools.cache
def _shipped() -> tuple[dict[str, Any], pd.DataFrame]:
    with _data(_META).open("r") as f:
        meta = json.load(f)
    with _data(_FILE).open("rb") as f:
        table = pd.read_csv(f, compression="gzip", dtype={"placement_id": str, "cohort_id": str, "home_id": str})
    return meta, table.astype({"children": "int64"})


_BUILT: dict[str, pd.DataFrame] = {}


def census_placements(region: Region, shipped_expected: bool = False) -> pd.DataFrame:
    """The census placements of ``region`` (built without placements): the shipped file when its key
    matches, else simulated by the registered builder (cached per key for the process), with a
    ``RuntimeWarning`` when ``shipped_expected`` (the embedded England with generator seed 0, the one
    shipped) says the shipped file should have matched.

    Raises
    ------
    rcc.InvalidInputError
        When the census must be simulated and no builder is registered (``import rcc`` registers it).
    """
    key = census_key(region)
    if key in _BUILT:  # simulated earlier in this process
        return _BUILT[key].copy()
    shipped = _shipped() if _data(_META).is_file() else None
    if shipped is not None and shipped[0]["key"] == key:
        return shipped[1].copy()
    if "census" not in _BUILDERS:
        raise InvalidInputError(
            "placements", region.name, "census", "a registered census builder (import rcc)", "none registered"
        )
    if shipped_expected:
        warnings.warn(
            "the shipped census placements (rcc/datasets/data/census_placements.*) are out of date: the supply, "
            "demand or calibration changed since they were built; simulating them now (about 5 s for England). "
            "Run `python scripts/build_census.py` to ship current ones.",
            RuntimeWarning,
            stacklevel=3,
        )
    _BUILT[key] = _BUILDERS["census"](region)
    return _BUILT[key].copy()


@functools.lru_cache(maxsize=4)
def _england_census(seed: int) -> pd.DataFrame:
    from rcc.datasets.england import england

    return census_placements(england(seed=seed, today=False), shipped_expected=seed == 0)


def england_census(seed: int = 0) -> pd.DataFrame:
    """The census placements of the embedded England built with generator seed ``seed`` (what
    ``england(seed=seed)`` carries; :func:`census_placements`, once per process and seed)."""
    return _england_census(int(seed)).copy()


def census_left_out(council_ids: Iterable[str], seed: int = 0) -> pd.DataFrame:
    """What a subset of England's councils leaves out of England's census, per council of the subset.

    Columns: ``council_id``, ``children_placed`` (its children in a placement on the census date, all of
    England), ``placed_outside`` (of them, placed in a home outside the subset: left out of the subset's
    placements; the subset's plans place them as demand), ``others_placed_inside`` (other councils'
    children placed in homes in this council: left out, their places are free in the subset).

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.regions()["Greater Manchester RCC"]
    >>> out = census_left_out(gm)
    >>> int(out.placed_outside.sum()) > 0
    True
    """
    from rcc.datasets.england import england

    keep = pd.Index(list(council_ids))
    eng = england(seed=seed)
    unknown = keep.difference(pd.Index(eng.council_ids))
    if len(unknown):
        raise InvalidInputError("councils", str(unknown[0]), "council_id", "an English council", str(unknown[0]))
    p = eng.placements.merge(eng.cohorts[["cohort_id", "council_id"]], on="cohort_id")
    p = p.merge(eng.homes[["home_id", "council_id"]].rename(columns={"council_id": "home_council_id"}), on="home_id")
    sub = eng.subset(keep)
    p["kept"] = p.cohort_id.isin(sub.cohorts.cohort_id) & p.home_id.isin(sub.homes.home_id)
    mine = p[p.council_id.isin(keep)]
    others = p[~p.council_id.isin(keep) & p.home_council_id.isin(keep)]
    return pd.DataFrame(
        {
            "council_id": keep,
            "children_placed": mine.groupby("council_id").children.sum().reindex(keep, fill_value=0).to_numpy(),
            "placed_outside": mine[~mine.kept].groupby("council_id").children.sum().reindex(keep, fill_value=0).to_numpy(),
            "others_placed_inside": others.groupby("home_council_id")
            .children.sum()
            .reindex(keep, fill_value=0)
            .to_numpy(),
        }
    )
