"""Edge pricing of the sufficiency model: the seed edges, pricing rounds of LP relaxations, the
Lagrangian bound valid for every edge, and the edges a branch and bound cannot rule out."""

from __future__ import annotations

import math
import time

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.model import edge_costs
from rcc.sufficiency import arrays
from rcc.sufficiency.growth import add_edges, can_grow, localise
from rcc.sufficiency.heuristics import Incumbent
from rcc.sufficiency.inputs import SufficiencyInputs
from rcc.sufficiency.model import ModelData, SufficiencyModel, reduced_costs
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.runtime import Run, globalise, subset_data

__all__ = ["Pricing", "entering_edges", "exact_edges", "lagrangian_bound", "price_edges", "seed_edges"]


#: Seed (public: tests of pricing on tiny regions set it lower): each cohort's cheapest homes until their places cover this many times its largest yearly demand
#: (homes are shared, so twice left much of the seed LP's demand unmet). England 5y pricing, runs
#: alternating on a loaded machine: cover 2: 65.8-67.0 s (4 rounds, bound 5,424,306.3); 4: 52.5-56.3 s;
#: 8: 49.1-52.0 s; 16: 45.5 s (4 rounds, 100,615 edges, bound 5,424,311.2, the LP over all edges).
SEED_COVER = 16.0
#: Pricing: at most this many entering edges per cohort and round (the most negative reduced costs).
_ENTER_PER_COHORT = 10
#: ... unless at most this many edges price out: then all enter. England 5y, one run: rounds 5-8 each
#: added 10 of one cohort's 231..201 edges (about 9 s a round on a loaded machine, mostly reduced costs).
_ENTER_ALL = 2000


def seed_edges(prep: SufficiencyInputs, radius: float, params: SufficiencyParams) -> np.ndarray:
    """Edges within the radius, each cohort's 3 cheapest homes and 3 nearest
    options, its cheapest homes until their places cover :data:`SEED_COVER` (16) times its
    largest yearly demand, and every regional or national option edge."""
    d = prep.data
    e = prep.edges
    is_opt = d.site_option[d.e_site] >= 0
    score = edge_costs(e, params)  # type: ignore[arg-type]  # it reads only the weights
    home_score = np.where(is_opt, np.inf, score)
    rank_home = pd.Series(home_score).groupby(d.e_cohort).rank(method="first").to_numpy()
    rank_opt = pd.Series(np.where(is_opt, e.distance_miles.to_numpy(), np.inf)).groupby(d.e_cohort).rank(method="first").to_numpy()
    wide = prep.sites.scope.to_numpy()[d.e_site] != "council"
    # cheapest homes first: places of the cheaper homes of the same cohort (before this one)
    order = np.lexsort((home_score, d.e_cohort))
    places = np.where(is_opt, 0.0, d.site_places[d.e_site])[order]
    before = pd.Series(places).groupby(d.e_cohort[order]).cumsum().to_numpy() - places
    covered = np.empty(len(order), dtype=bool)
    covered[order] = (before < SEED_COVER * d.demand.max(axis=1)[d.e_cohort[order]]) & ~is_opt[order]
    return (e.distance_miles.to_numpy() <= radius) | (rank_home <= 3) | covered | (is_opt & ((rank_opt <= 3) | wide))


#: Pricing stops when the Lagrangian bound is within this fraction of the gap tolerance of the LP value.
#: The bound is the plan's proof, so a loose one costs gap: England at 0.05 stopped 112 (0.002%) below
#: the LP after 4 rounds; at 0.01 a fifth round (under 1 s of solve) closes it.
_PRICING_TOL = 0.01
#: ... or when this share of the time limit is used (the rest is for finding a plan).
_PRICING_TIME_SHARE = 0.5


def lagrangian_bound(data: ModelData, objective: float, edge: np.ndarray, year: np.ndarray, rc: np.ndarray) -> float:
    """A lower bound on the LP over all edges from a restricted LP's value and
    the reduced costs of the edge-years it left out.

    With duals pi of the restricted LP (signs feasible), every plan x over all
    edges costs c x >= pi b + rc x >= objective + sum over left-out edge-years
    of min(0, rc) times the most units the edge-year can carry
    (its cohort's demand that year, with the held children it may move, over the group size). Equal to
    ``objective`` when no reduced cost is negative.
    """
    neg = rc < 0
    cohort = data.e_cohort[edge[neg]]
    most = data.most_demand()[cohort, year[neg]] / data.group_size[cohort]
    return objective + float(np.dot(rc[neg], most))


def entering_edges(data: ModelData, edge: np.ndarray, rc: np.ndarray, per_cohort: int, enter_all: int = _ENTER_ALL) -> np.ndarray:
    """Edges to add in a pricing round: per cohort, the ``per_cohort`` edges
    with the most negative reduced cost (over their years); every edge with a negative one
    when there are at most ``enter_all`` (:data:`_ENTER_ALL`). Adding a subset
    is exact: pricing stops only when no edge-year has a negative one."""
    neg = rc < -1e-6
    best = pd.Series(rc[neg]).groupby(edge[neg]).min()
    if best.empty:
        return np.zeros(0, dtype=np.int64)
    if len(best) <= enter_all:
        return best.index.to_numpy().astype(np.int64)
    rank = best.groupby(data.e_cohort[best.index.to_numpy()]).rank(method="first").to_numpy()
    return best.index.to_numpy()[rank <= per_cohort].astype(np.int64)


@attrs.frozen(eq=False)
class Pricing:
    """The outcome of the pricing rounds (:func:`price_edges`).

    Attributes
    ----------
    active : numpy.ndarray
        Whether each edge (of the whole edge set) is in the last LP.
    lp : SufficiencyModel or None
        The last LP relaxation over the active edges; None when pricing is off
        (every edge built at once) or the LP was not solved to optimality.
    bound : float or None
        The Lagrangian bound of that LP: a lower bound valid for every edge.
    rounds : int
        Pricing rounds solved.
    """

    active: np.ndarray
    lp: SufficiencyModel | None
    bound: float | None
    rounds: int


def price_edges(prep: SufficiencyInputs, labels: list[str], run: Run) -> Pricing:
    """Pricing rounds: LP relaxations over a growing edge set, from the seed
    edges (:func:`seed_edges`), until the Lagrangian bound is close to the LP
    value, no edge prices out, or half the time limit is used.

    On the array path (HiGHS) the first round's LP is built once and each later round adds the
    entering edges to it (:func:`rcc.sufficiency.growth.add_edges`): one HiGHS model re-solved
    from its last basis (:data:`GROWN_SIMPLEX`). Otherwise (PuLP: CBC, extra rows) each round
    builds its LP afresh."""
    data = prep.data
    radius = run.params.seed_radius_miles
    if run.params.extra_constraints is not None:
        radius = None  # the user's rows have no pricing rule: every edge is built
    active = np.ones(len(data.e_cohort), dtype=bool) if radius is None else seed_edges(prep, radius, run.params)
    exists = data.edge_years()
    tol = run.gap_tolerance()
    rounds = 0
    run.stage = "pricing"
    lp: SufficiencyModel | None = None  # the last round's LP, edges as global positions
    entering = np.zeros(0, dtype=np.int64)
    while not active.all():
        rounds += 1
        lp = _round_lp(lp, data, active, entering, labels, run, GROWN_SIMPLEX[min(rounds, 3) - 2] if rounds > 1 else 1)
        out = run.solve(lp)
        if out.status != "optimal":
            arrays.release(lp.problem)
            return Pricing(active, None, None, rounds)
        ie, iy = np.nonzero(exists & ~active[:, None])
        rc = reduced_costs(lp, data, ie, iy)
        objective = float(out.objective)
        bound = lagrangian_bound(data, objective, ie, iy, rc)
        entering = entering_edges(data, ie, rc, _ENTER_PER_COHORT)
        close = objective - bound <= _PRICING_TOL * tol * max(abs(objective), 1e-9)
        # pricing may use half the time: the rest is for finding a plan (the Lagrangian bound stays valid)
        if close or not len(entering) or run.out_of_time(_PRICING_TIME_SHARE):
            # its HiGHS model stays, holding the optimal basis: the units search dives in it (rcc.sufficiency.dive)
            return Pricing(active, localise(lp, data, np.flatnonzero(active)), bound, rounds)
        active[entering] = True
    if lp is not None:
        arrays.release(lp.problem)
    return Pricing(active, None, None, rounds)


#: HiGHS's simplex strategy for the pricing rounds re-solved from the last round's basis (new columns
#: at 0, so the old plan is feasible): the second round (the first grown one, far from the seed LP's
#: optimum) by dual simplex, later rounds by primal simplex. England 5y, one run on a loaded machine,
#: rounds 2-4: dual 18.6/15.9/11.2 s, primal 37.3/18.2/4.9 s.
GROWN_SIMPLEX = (1, 4)


def _round_lp(
    last: SufficiencyModel | None,
    data: ModelData,
    active: np.ndarray,
    entering: np.ndarray,
    labels: list[str],
    run: Run,
    simplex: int,
) -> SufficiencyModel:
    """This round's LP (edges as global positions): ``last`` with the ``entering`` edges added when
    it can grow (re-solved by the ``simplex`` strategy), else built over the active edges."""
    if last is not None and can_grow(last):
        t = time.perf_counter()
        grown = add_edges(last, data, np.sort(entering))
        grown.problem.simplex_strategy = simplex
        run.build_s += time.perf_counter() - t
        return grown
    if last is not None:
        arrays.release(last.problem)
    idx = np.flatnonzero(active)
    return globalise(run.build(subset_data(data, idx), labels, relaxed=True), data, idx)


def exact_edges(
    data: ModelData, active: np.ndarray, lp: SufficiencyModel | None, lp_bound: float | None, best: Incumbent | None
) -> tuple[np.ndarray, float]:
    """Edges of the branch and bound and a lower bound on any plan using another edge.

    Every edge when there is no LP or no incumbent. Otherwise the active
    edges and every inactive edge the reduced-cost test cannot rule out: a
    placement unit on an inactive edge-year costs at least the Lagrangian
    bound plus its reduced cost, so an edge-year whose reduced cost is at
    least the incumbent's distance to that bound cannot improve on the
    incumbent (fractional placements cannot be ruled out this way: all are
    added). The bound on plans using the edges left out is the Lagrangian
    bound plus their least reduced cost (inf when none is left out).
    """
    if lp is None or lp_bound is None or best is None or active.all():
        return np.arange(len(data.e_cohort)), math.inf
    ie, iy = np.nonzero(data.edge_years() & ~active[:, None])
    rc = reduced_costs(lp, data, ie, iy)
    unit_integral = data.whole_children | (data.group_size[data.e_cohort[ie]] > 1)
    risky = ~unit_integral | (rc < best.objective - lp_bound)
    chosen = active.copy()
    chosen[ie[risky]] = True
    rest = ~chosen[ie]
    outside = lp_bound + float(rc[rest].min()) if rest.any() else math.inf
    return np.flatnonzero(chosen), outside
