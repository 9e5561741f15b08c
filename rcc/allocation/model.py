"""The placement allocation model (a transportation LP with unmet demand).

Sets: cohorts c (demand d_c children), homes h (places p_h), eligible edges
E (from :func:`rcc.allocation.network.eligible_edges`).

Variables: x_ch >= held_ch children of cohort c in home h, for (c,h) in E;
u_c >= 0 children of cohort c left without a home.

    min   sum_c W_unmet(need_c) u_c + sum_(c,h) (w_mile dist_ch
              + w_out [h outside c's council] + w_gbp cost_h) x_ch
    s.t.  sum_h x_ch + u_c = d_c          for every cohort c   (demand)
          sum_c x_ch      <= p_h          for every home h     (capacity)
          held_ch <= x_ch <= cap_ch                            (held children stay;
                                           an edge the rules exclude carries only them)

The constraint matrix is that of a transportation problem (totally
unimodular), so with whole-number demand and places every vertex solution is
whole: the LP returns whole children without integer variables.

Rows come in named blocks (:class:`RowBlock`; :data:`ROW_BLOCKS` are
``"demand"`` and ``"capacity"``): a block says which of its rows each edge
enters (coefficient 1), its right-hand sides and its sense. The PuLP build
(:func:`define_rows`), the HiGHS arrays (:mod:`rcc.allocation.highs`) and
the pricing of edges left out (:func:`reduced_costs`: c_e minus the duals of
the rows e enters) all read the blocks by name, so a further rule of this
shape (e.g. a cap on each council's children placed outside it) is one
:class:`RowBlock` passed to :func:`rcc.allocation.pricing.optimise_edges`
(``rows=``), or by users as :attr:`rcc.PlanParams.extra_rows`. Rules of any other shape: :attr:`rcc.PlanParams.extra_constraints`,
a function given the whole PuLP model (no pricing then).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np
import pandas as pd
import pulp

from rcc.core import solvers
from rcc.core.errors import InvalidInputError
from rcc.core.params import PlanParams
from rcc.core.region import Region

__all__ = [
    "CAPACITY",
    "DEMAND",
    "ROW_BLOCKS",
    "AllocationModel",
    "RowBlock",
    "build_allocation",
    "define_rows",
    "edge_costs",
    "group_positions",
    "reduced_costs",
    "unmet_costs",
]


@attrs.frozen
class RowBlock:
    """A named block of rows of the allocation model: each edge enters at most one of its rows,
    with coefficient 1.

    Parameters
    ----------
    name : str
        The block's name (its duals are read by it).
    row_of : callable
        ``row_of(region, edges) -> numpy.ndarray``: the row (0..n-1) each edge
        enters, -1 for none.
    rhs : callable
        ``rhs(region) -> numpy.ndarray``: right-hand side of each row (its length is the number of rows).
    sense : {"==", "<="}
    unmet : bool
        The rows are the cohorts' demand rows: each cohort's unmet variable enters its row.
    """

    name: str
    row_of: Callable[[Region, pd.DataFrame], np.ndarray]
    rhs: Callable[[Region], np.ndarray]
    sense: str = attrs.field(default="<=", validator=attrs.validators.in_(("==", "<=")))
    unmet: bool = False

    def rows(self, region: Region, edges: pd.DataFrame) -> np.ndarray:
        """The row each edge enters (-1: none), as int64."""
        return np.asarray(self.row_of(region, edges), dtype=np.int64)

    def bounds(self, region: Region) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of each row (whole numbers of children, or infinite)."""
        rhs = np.asarray(self.rhs(region), dtype=float)
        bad = ~(np.isinf(rhs) | (np.isfinite(rhs) & (rhs == np.round(rhs))))
        if self.sense == "==":
            bad |= np.isinf(rhs)
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise InvalidInputError("rows", f"{self.name}_{r}", "rhs", "a whole number of children", float(rhs[r]))
        return (rhs if self.sense == "==" else np.full(len(rhs), -np.inf)), rhs


#: sum_h x_ch + u_c = d_c for every cohort c.
DEMAND = RowBlock("demand", lambda region, edges: edges.cohort.to_numpy(),
                  lambda region: region.cohorts.children.to_numpy(), "==", unmet=True)
#: sum_c x_ch <= p_h for every home h.
CAPACITY = RowBlock("capacity", lambda region, edges: edges.home.to_numpy(), lambda region: region.homes.places.to_numpy())
#: The model's own row blocks, in row order.
ROW_BLOCKS: tuple[RowBlock, ...] = (DEMAND, CAPACITY)


def reduced_costs(cost: np.ndarray, rows: Mapping[str, np.ndarray], duals: Mapping[str, np.ndarray]) -> np.ndarray:
    """c_e minus the dual of every row edge e enters (``rows``: the row of each edge per block, -1 none)."""
    rc = np.asarray(cost, dtype=float)
    for name, r in rows.items():
        d = np.asarray(duals[name], dtype=float)
        rc = rc - (d[r] if (r >= 0).all() else np.where(r >= 0, d[np.maximum(r, 0)], 0.0))
    return rc


@attrs.frozen(eq=False)
class AllocationModel:
    """A built allocation model: the PuLP problem and its variables by position.

    Attributes
    ----------
    problem : pulp.LpProblem
        Add rows with :meth:`add` (``model.add(expression <= number)``).
    x : list
        One variable per row of ``edges`` (children of that cohort in that home).
    u : list
        One variable per cohort (children without a home).
    edges : pandas.DataFrame
        ``cohort`` and ``home`` (row positions in ``region.cohorts`` / ``region.homes``),
        ``distance_miles``, ``inside_own_council``, ``weekly_cost_gbp``, ``held``, ``cap``.
    rows : Mapping[str, dict]
        Constraint handle of each row, by block name (:data:`ROW_BLOCKS` and any further blocks).
    region : Region, optional
        The region whose cohorts and homes the positions refer to.
    """

    problem: pulp.LpProblem
    x: list  # one variable per edge row  # type: ignore[type-arg]
    u: list  # one variable per cohort row  # type: ignore[type-arg]
    edges: pd.DataFrame
    rows: Mapping[str, dict]  # type: ignore[type-arg]
    region: Region | None = None

    def add(self, constraint: pulp.LpConstraint) -> pulp.LpConstraint:
        """Add a row (a PuLP constraint over ``x`` and ``u``) to the problem; returns its handle."""
        return solvers.add_constraint(self.problem, constraint)

    @property
    def demand(self) -> list:  # type: ignore[type-arg]
        """Demand constraint handle per cohort."""
        return list(self.rows["demand"].values())

    @property
    def capacity(self) -> dict:  # type: ignore[type-arg]
        """Capacity constraint handle per home position (homes with an edge)."""
        return self.rows["capacity"]

    def block_duals(self, name: str, n_rows: int) -> np.ndarray:
        """The duals of block ``name``'s ``n_rows`` rows after a solve (0 for a row not built)."""
        out = np.zeros(n_rows)
        for r, handle in self.rows[name].items():
            out[r] = solvers.dual(handle)
        return out

    def duals(self, n_homes: int) -> tuple[np.ndarray, np.ndarray]:
        """The duals y_c of the demand rows and z_h of ``n_homes`` homes' capacity rows."""
        return self.block_duals("demand", len(self.u)), self.block_duals("capacity", n_homes)


def group_positions(keys: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Positions of ``keys`` grouped by key value 0..n_groups-1 (one argsort)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(n_groups)]


def edge_costs(edges: pd.DataFrame, params: PlanParams) -> np.ndarray:
    """Objective coefficient of each edge: w_mile d + w_out [outside] + w_gbp cost."""
    w = params.weights
    return (
        w.per_mile * edges.distance_miles.to_numpy(dtype=float)
        + w.out_of_area * (~edges.inside_own_council.to_numpy(dtype=bool))
        + w.per_gbp * edges.weekly_cost_gbp.to_numpy(dtype=float)
    )


def unmet_costs(region: Region, params: PlanParams) -> np.ndarray:
    """Penalty of each cohort's unmet child: W_unmet * multiplier(need)."""
    w = params.weights
    mult = region.cohorts.need.map(lambda n: w.unmet_by_need.get(n, 1.0)).to_numpy(dtype=float)
    return w.unmet_child * mult


def define_variables(prob: pulp.LpProblem, edges: pd.DataFrame, n_cohorts: int) -> tuple[list, list]:  # type: ignore[type-arg]
    """x_ch >= held_ch for every edge; u_c >= 0 for every cohort."""
    x = solvers.add_variables(prob, "x", len(edges))
    held = edges.held.to_numpy()
    for pos in np.flatnonzero(held > 0):
        x[pos].lowBound = float(held[pos])
    u = solvers.add_variables(prob, "u", n_cohorts)
    return x, u


def define_rows(
    prob: pulp.LpProblem, x: list, u: list, region: Region, edges: pd.DataFrame, block: RowBlock  # type: ignore[type-arg]
) -> dict:  # type: ignore[type-arg]
    """One block of rows: for each row, the sum of the edges entering it (plus the cohort's
    unmet variable in a demand row) against its right-hand side. Rows without an edge are
    left out, except demand rows. Each row is named ``<block>_<row>`` (e.g. ``demand_0``,
    ``capacity_12``), so an exported model reads as the maths. Returns the constraint handle
    of each row built."""
    lower, upper = block.bounds(region)
    rows = block.rows(region, edges)
    groups = group_positions(np.where(rows >= 0, rows, len(upper)), len(upper))
    out = {}
    for r, pos in enumerate(groups):
        if not len(pos) and not block.unmet:
            continue
        expr = solvers.affine([x[p] for p in pos] + ([u[r]] if block.unmet else []))
        row = expr == float(upper[r]) if block.sense == "==" else expr <= float(upper[r])
        out[r] = solvers.add_constraint(prob, row, f"{block.name}_{r}")
    return out


def define_demand(prob: pulp.LpProblem, x: list, u: list, region: Region, edges: pd.DataFrame) -> dict:  # type: ignore[type-arg]
    """sum_h x_ch + u_c = d_c for every cohort c (one batch expression per row)."""
    return define_rows(prob, x, u, region, edges, DEMAND)


def define_capacity(prob: pulp.LpProblem, x: list, region: Region, edges: pd.DataFrame) -> dict:  # type: ignore[type-arg]
    """sum_c x_ch <= p_h for every home h that has an edge."""
    return define_rows(prob, x, [], region, edges, CAPACITY)


def define_objective(prob: pulp.LpProblem, x: list, u: list, edge_cost: np.ndarray, unmet_cost: np.ndarray) -> None:  # type: ignore[type-arg]
    """min sum W_unmet u_c + sum cost_ch x_ch."""
    prob.setObjective(solvers.affine(list(x) + list(u), np.concatenate([edge_cost, unmet_cost]).tolist()))


def define_caps(x: list, cap: np.ndarray) -> None:  # type: ignore[type-arg]
    """x_ch <= cap_ch where the cap is finite (children held on an edge a scenario forbids: no more)."""
    for i in np.flatnonzero(np.isfinite(cap)):
        x[i].upBound = float(cap[i])


def build_allocation(
    region: Region,
    edges: pd.DataFrame,
    params: PlanParams,
    cost: np.ndarray | None = None,
    unmet_cost: np.ndarray | None = None,
    cap: np.ndarray | None = None,
    extra_rows: Sequence[RowBlock] = (),
) -> AllocationModel:
    """Build the allocation LP for ``region`` over ``edges``.

    ``cost`` (per edge) and ``unmet_cost`` (per cohort) default to
    :func:`edge_costs` and :func:`unmet_costs`; ``cap`` is an optional upper
    bound per edge (``inf``: none; by default the edges' ``cap`` column, which
    holds children placed beyond the rules at their number). Upper bounds keep the matrix totally
    unimodular, so solutions stay whole. ``extra_rows``: further blocks of rows after
    :data:`ROW_BLOCKS` (see :class:`RowBlock`).
    """
    prob = solvers.new_problem("rcc_allocation")
    x, u = define_variables(prob, edges, len(region.cohorts))
    if cap is None and "cap" in edges:
        cap = edges.cap.to_numpy(dtype=float)
    if cap is not None:
        define_caps(x, cap)
    rows = {block.name: define_rows(prob, x, u if block.unmet else [], region, edges, block)
            for block in (*ROW_BLOCKS, *extra_rows)}
    define_objective(
        prob,
        x,
        u,
        edge_costs(edges, params) if cost is None else cost,
        unmet_costs(region, params) if unmet_cost is None else unmet_cost,
    )
    return AllocationModel(prob, x, u, edges, rows, region)
