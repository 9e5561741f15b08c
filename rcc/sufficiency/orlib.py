"""OR-Library capacitated warehouse location instances (J.E. Beasley) as rcc tables.

The files ``cap41`` ... ``cap134`` (and ``capa``/``capb``/``capc``) hold m
candidate warehouses (capacity, fixed cost) and n customers (demand, then the
cost of serving *all* of the customer's demand from each warehouse). Parse
them as a stream of whitespace-separated tokens (line breaks carry no
meaning; the copies in circulation use two layouts).

:func:`cflp_tables` turns an instance into rcc's own sufficiency inputs: one
council, one cohort per customer (children = demand), one option per
warehouse (places = capacity, capital cost = fixed cost, at most one unit),
and a ``costs`` table with the per-unit cost ``c_ij / d_j`` per cohort x
option. Solved with splittable demand (``whole_children=False``), the
sufficiency plan's total cost is the multi-source CFLP optimum that
Beasley's ``capopt`` lists.

Reference: J.E. Beasley, "An algorithm for solving large capacitated
warehouse location problems", European Journal of Operational Research 33
(1988) 314-325; OR-Library, JORS 41 (1990) 1069-1072.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from rcc.core.csvfiles import decode, read_bytes
from rcc.core.errors import InvalidInputError
from rcc.core.params import SolverOptions, Weights
from rcc.core.region import Region

__all__ = ["CflpInstance", "cflp_params", "cflp_tables", "read_capopt", "read_cflp", "solve_cflp"]


@attrs.frozen(eq=False)
class CflpInstance:
    """One capacitated facility location instance.

    Attributes
    ----------
    name : str
    capacities : numpy.ndarray
        (m,) capacity of each warehouse.
    fixed_costs : numpy.ndarray
        (m,) cost of opening each warehouse.
    demands : numpy.ndarray
        (n,) demand of each customer.
    costs : numpy.ndarray
        (m, n) cost of serving all of customer j's demand from warehouse i.
    """

    name: str
    capacities: npt.NDArray[np.float64]
    fixed_costs: npt.NDArray[np.float64]
    demands: npt.NDArray[np.float64]
    costs: npt.NDArray[np.float64]

    @property
    def m(self) -> int:
        return len(self.capacities)

    @property
    def n(self) -> int:
        return len(self.demands)


def read_cflp(path: str | Path, capacity: float | None = None) -> CflpInstance:
    """Read an OR-Library ``cap*`` file.

    Parameters
    ----------
    path : str or Path
    capacity : float, optional
        The capacity of every warehouse for ``capa``/``capb``/``capc``, whose
        files hold the literal word ``capacity`` (one file, four instances).

    Raises
    ------
    InvalidInputError
        Wrong token count (an empty file has none), a non-number, ``capacity`` missing
        where needed, or a file that is not text (see :mod:`rcc.core.csvfiles` for encodings).
    """
    p = Path(path)
    tokens = decode(read_bytes(p, f"orlib ({p.name})"), f"orlib ({p.name})").split()
    name = p.stem
    try:
        m, n = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError) as exc:
        raise InvalidInputError("orlib", name, None, "'m n' as the first two tokens", tokens[:2]) from exc
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise InvalidInputError("orlib", name, None, f"{expected} tokens for m={m}, n={n}", len(tokens))

    def number(tok: str, what: str) -> float:
        if tok.lower() == "capacity":
            if capacity is None:
                raise InvalidInputError("orlib", name, what, "a capacity= argument (the file says 'capacity')", tok)
            return float(capacity)
        try:
            return float(tok)
        except ValueError as exc:
            raise InvalidInputError("orlib", name, what, "a number", tok) from exc

    head = tokens[2 : 2 + 2 * m]
    caps = np.array([number(t, "capacity") for t in head[0::2]])
    fixed = np.array([number(t, "fixed cost") for t in head[1::2]])
    body = np.array([number(t, "customer") for t in tokens[2 + 2 * m :]]).reshape(n, 1 + m)
    if capacity is not None:
        name = f"{name}-{int(capacity)}"
    return CflpInstance(name, caps, fixed, body[:, 0].copy(), body[:, 1:].T.copy())


def read_capopt(path: str | Path) -> dict[str, float]:
    """Beasley's published optima (``capopt``): ``{"cap41": 1040444.375, ...,
    "capa-8000": 19240822.449, ...}``."""
    out: dict[str, float] = {}
    current = None
    for line in decode(read_bytes(path, "capopt"), f"capopt ({Path(path).name})").splitlines():
        m = re.match(r"^\s*(cap[a-z0-9]+)?\s+([0-9.]+)(?:\s*\(capacity\s+(\d+)\))?", line)
        if not m:
            continue
        if m.group(1):
            current = m.group(1)
        if current is None:
            continue
        key = current if m.group(3) is None else f"{current}-{m.group(3)}"
        out[key] = float(m.group(2))
    return out


def cflp_tables(instance: CflpInstance) -> dict[str, object]:
    """The instance as rcc inputs: ``region``, ``options`` and ``costs``.

    One council (at 0, 0 with no area), a cohort per customer, an option per
    warehouse (one unit of ``capacity`` places, ``capital_cost_gbp`` = fixed
    cost, no lead time) and a cost matrix with ``weekly_cost_gbp`` =
    ``c_ij / d_j`` (use ``weeks_per_year=1``: one period, so the money of a
    placement is exactly the file's cost).
    """
    cid = "ORLIB"
    councils = pd.DataFrame({"council_id": [cid], "name": [instance.name], "region": ["OR-Library"], "lat": [0.0], "lon": [0.0]})
    cohort_ids = [f"customer{j + 1}" for j in range(instance.n)]
    cohorts = pd.DataFrame(
        {"cohort_id": cohort_ids, "council_id": cid, "need": "mainstream", "age_band": "0-4", "children": instance.demands.astype(np.int64)}
    )
    if not np.array_equal(cohorts.children.to_numpy(), instance.demands):
        raise InvalidInputError("orlib", instance.name, "demand", "whole-number demands", instance.demands)
    homes = pd.DataFrame(
        {
            "home_id": pd.Series(dtype=object),
            "council_id": pd.Series(dtype=object),
            "provider_id": pd.Series(dtype=object),
            "home_type": pd.Series(dtype=object),
            "places": pd.Series(dtype=np.int64),
            "needs": pd.Series(dtype=object),
            "weekly_cost_gbp": pd.Series(dtype=float),
        }
    )
    providers = pd.DataFrame({"provider_id": ["warehouses"], "name": ["warehouses"], "sector": ["council"], "group": ["warehouses"]})
    region = Region.from_frames(councils, homes, cohorts, providers=providers, name=instance.name)
    option_ids = [f"warehouse{i + 1}" for i in range(instance.m)]
    options = pd.DataFrame(
        {
            "option_id": option_ids,
            "council_id": cid,
            "home_type": "in_house_fostering",
            "needs": "mainstream",
            "provider_id": "warehouses",
            "places_per_unit": instance.capacities.astype(np.int64),
            "max_units": 1,
            "capital_cost_gbp": instance.fixed_costs,
        }
    )
    unit = instance.costs / instance.demands[None, :]  # (m, n) cost per unit of demand
    costs = pd.DataFrame(
        {
            "cohort_id": np.tile(cohort_ids, instance.m),
            "site_id": np.repeat(option_ids, instance.n),
            "weekly_cost_gbp": unit.ravel(),
        }
    )
    return {"region": region, "options": options, "costs": costs}


def cflp_params(solver: SolverOptions | None = None):  # type: ignore[no-untyped-def]
    """Sufficiency settings that make the plan's cost the CFLP objective: one
    period of one week, money only (no distance weights), splittable demand,
    a prohibitive unmet penalty, every edge built, a zero gap tolerance."""
    from rcc.sufficiency import SufficiencyParams

    return SufficiencyParams(
        years=1,
        weights=Weights(unmet_child=1e7, per_mile=0.0, out_of_area=0.0, per_gbp=1.0),
        weeks_per_year=1.0,
        whole_children=False,
        seed_radius_miles=None,
        solver=solver or SolverOptions(mip_gap=1e-9, time_limit_s=300.0),
    )


def solve_cflp(instance: CflpInstance, solver: SolverOptions | None = None):  # type: ignore[no-untyped-def]
    """Solve an instance through :func:`rcc.sufficiency.sufficiency_plan`; the
    plan's ``total_cost_gbp`` is the CFLP objective."""
    from rcc.sufficiency import sufficiency_plan

    t = cflp_tables(instance)
    return sufficiency_plan(t["region"], t["options"], params=cflp_params(solver), costs=t["costs"])  # type: ignore[arg-type]
