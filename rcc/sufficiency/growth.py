"""Edges added to a built pricing LP in place: one HiGHS model across the pricing rounds.

Each pricing round (:func:`rcc.sufficiency.pricing.price_edges`) adds the entering edges' placement
columns to the last round's LP instead of building the LP again: their costs
(:func:`rcc.sufficiency.model.placement_costs`), their entries in the rows already built (demand,
capacity and the hard rows, with the coefficients pricing reads through
:data:`rcc.sufficiency.constraints.HARD_ENTERS`), and the rows they need that are not there yet (a
site-year's first capacity row, an option edge's linking rows, a provider group's first share row of a
year), all as numpy arrays in one call per kind. :meth:`rcc.sufficiency.arrays.ArrayProblem.solve` then
hands HiGHS only the new columns and rows (``addCols``, ``addRows``), and HiGHS re-solves from the last
optimal basis (the old plan stays feasible: new columns start at 0, new rows basic).

The grown model is the model :func:`rcc.sufficiency.model.build_sufficiency` builds over the same
edges, with its columns in another order; :func:`localise` puts them in the built model's order
(``tests/test_sufficiency_growth.py`` checks both have the same LP optimum and size).
"""

from __future__ import annotations

import attrs
import numpy as np

from rcc.core.errors import SolverError
from rcc.sufficiency import arrays
from rcc.sufficiency.constraints import HARD_ENTERS, HARD_FAMILIES, group_share_limit
from rcc.sufficiency.model import _available, placement_costs
from rcc.sufficiency.records import HardRow, IntArray, ModelData, RowBlock, SufficiencyModel
from rcc.sufficiency.runtime import subset_data

__all__ = ["GROWN_BLOCKS", "add_edges", "can_grow", "localise", "recast"]

#: Row blocks whose rows :func:`add_edges` extends (placement columns enter them); blocks that
#: placements never enter are left as they are. A model with another placement block is rebuilt.
GROWN_BLOCKS = frozenset({"demand", "capacity", "linking", *HARD_ENTERS})


def can_grow(model: SufficiencyModel) -> bool:
    """Whether :func:`add_edges` can add edges to ``model``: an LP relaxation held as an
    :class:`~rcc.sufficiency.arrays.ArrayProblem`, not elastic, with no row block it does not know."""
    if not isinstance(model.problem, arrays.ArrayProblem) or model.elastic or model.extra_rows:
        return False
    if model.problem.integer.any():
        return False
    return all(name in GROWN_BLOCKS or not block.placements for name, block in model.blocks.items())


def add_edges(model: SufficiencyModel, data: ModelData, edges: IntArray) -> SufficiencyModel:
    """``model`` (an LP relaxation over some edges of ``data``, ``ey_edge`` global positions in
    ``data``; see :func:`can_grow`) with the placement columns of ``edges`` (global positions, none
    already in it) and the rows they need. Returns the model with the new columns appended; ``model``
    is spent (its problem and hard-row records are extended in place).

    Raises
    ------
    rcc.SolverError
        When an edge is already in ``model`` (a bug in the caller).
    """
    if np.isin(edges, model.ey_edge).any():
        raise SolverError("sufficiency pricing: an entering edge is already in the LP (a bug in rcc)")
    prob = model.problem
    Y = data.n_years
    exists = data.edge_years()[edges]
    e_pos, year = np.nonzero(exists)
    edge = edges[e_pos].astype(np.int64)
    year = year.astype(np.int64)
    if not len(edge):
        return model
    m = data.group_size[data.e_cohort[edge]].astype(float)
    first = prob.n_cols
    cols = prob.add_columns(len(edge), 0.0, None, integer=False)
    prob.cost[first:] = placement_costs(data, edge, year)
    j = np.arange(first, first + len(edge), dtype=np.int64)
    v = list(model.v) + cols
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    # demand: every cohort-year with demand has its row
    demand = _row_index(model.blocks["demand"], (data.n_cohorts, Y))
    entries.append((demand[data.e_cohort[edge], year], j, m))
    blocks = dict(model.blocks)
    new = _New(edge, year, j, m, cols)
    blocks["capacity"], blocks["linking"] = _capacity(model, data, new, entries)
    hard = list(model.hard)
    for name in HARD_ENTERS:
        if name in blocks:
            blocks[name] = _hard(blocks[name], data, new, entries)
    if data.max_group_share is not None and data.n_groups:
        _new_share_rows(blocks, hard, data, new)
    rows = np.concatenate([r for r, _, _ in entries])
    if (rows < 0).any():  # pragma: no cover - a demand row is missing for a column with demand
        raise SolverError("sufficiency pricing: a new placement column has no demand row (a bug in rcc)")
    prob.add_entries(rows, np.concatenate([c for _, c, _ in entries]), np.concatenate([x for _, _, x in entries]))
    return attrs.evolve(
        model,
        ey_edge=np.r_[model.ey_edge, edge],
        ey_year=np.r_[model.ey_year, year],
        v=v,
        hard=hard,
        blocks=blocks,
    )


@attrs.frozen(eq=False)
class _New:
    """The new placement columns: global edge, year, column position, children per unit, variables."""

    edge: IntArray
    year: IntArray
    j: IntArray
    m: np.ndarray
    cols: list[arrays.Col]


def _row_index(block: RowBlock, shape: tuple[int, int]) -> np.ndarray:
    """The block's row positions as an array indexed by its (i, y) keys (-1 where no row)."""
    at = np.full(shape, -1, dtype=np.int64)
    if block.rows:
        keys = np.array(list(block.rows.keys()), dtype=np.int64)
        at[keys[:, 0], keys[:, 1]] = [h.i for h in block.rows.values()]
    return at


def _capacity(
    model: SufficiencyModel, data: ModelData, new: _New, entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> tuple[RowBlock, RowBlock]:
    """New columns in their site-years' capacity rows (a new row for a site-year without one, as
    :func:`rcc.sufficiency.constraints.define_capacity` writes it) and their linking rows."""
    edge, year, j, m = new.edge, new.year, new.j, new.m
    prob = model.problem
    Y = data.n_years
    cap_block, link_block = model.blocks["capacity"], model.blocks["linking"]
    cap_rows, link_rows = dict(cap_block.rows), dict(link_block.rows)
    site = data.e_site[edge]
    at = _row_index(cap_block, (len(data.site_option), Y))[site, year]
    old = at >= 0
    entries.append((at[old], j[old], m[old]))
    avail = _available(model.n_option, model.n_year, data.opt_lag, Y, data.n_options)
    n_cols = np.fromiter((x.j for x in model.n), dtype=np.int64, count=len(model.n))
    z_at = {(int(data.close_site[k]), int(y)): x.j for k, y, x in zip(model.z_close, model.z_year, model.z)}
    held = data.held_places()
    fresh = np.flatnonzero(~old)
    key = site[fresh] * Y + year[fresh]
    order = np.argsort(key, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(key[order])) + 1, len(order)] if len(fresh) else np.zeros(1, dtype=np.int64)
    for a, b in zip(starts[:-1], starts[1:]):
        pos = fresh[order[a:b]]
        s, y = int(site[pos[0]]), int(year[pos[0]])
        o = int(data.site_option[s])
        places = float(data.site_places[s])
        if o < 0:
            zj = z_at.get((s, y))
            extra = np.zeros(0, dtype=np.int64) if zj is None else np.array([zj])
            expr = arrays.Expr(np.r_[j[pos], extra], np.r_[m[pos], np.full(len(extra), places)])
            cap_rows[s, y] = prob.add_row(expr, -np.inf, places - float(held[s, y]))
        else:
            ns = n_cols[avail[o][y]]
            share = data.unit_share(np.full(len(ns), o), y - model.n_year[avail[o][y]])
            cap_rows[s, y] = prob.add_row(arrays.Expr(np.r_[j[pos], ns], np.r_[m[pos], -places * share]), -np.inf, 0.0)
    if data.strong_linking:
        most = data.most_demand()  # with step-downs, moved held children too
        opt = data.site_option[site]
        for p in np.flatnonzero(opt >= 0):
            o, y = int(opt[p]), int(year[p])
            ns = n_cols[avail[o][y]]
            bound = min(float(most[data.e_cohort[edge[p]], y]), float(data.site_places[site[p]]))
            row = prob.add_row(arrays.Expr(np.r_[j[p], ns], np.r_[m[p], np.full(len(ns), -bound)]), -np.inf, 0.0)
            link_rows[len(model.v) + int(p)] = row
    return attrs.evolve(cap_block, rows=cap_rows), attrs.evolve(link_block, rows=link_rows)


def _hard(block: RowBlock, data: ModelData, new: _New, entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> RowBlock:
    """New columns in the block's hard rows (coefficient per child from :data:`HARD_ENTERS`, times m);
    each row's record lists its new variables."""
    enters = HARD_ENTERS[block.name]
    j, m, cols = new.j, new.m, new.cols
    for r in block.hard:
        coef = m * enters(r, data, new.edge, new.year)
        pos = np.flatnonzero(coef != 0)
        if not len(pos):
            continue
        entries.append((np.full(len(pos), r.handle.i, dtype=np.int64), j[pos], coef[pos]))
        r.variables = list(r.variables) + [cols[p] for p in pos]
        r.coefs = list(r.coefs) + coef[pos].tolist()
    return block


def _new_share_rows(blocks: dict[str, RowBlock], hard: list[HardRow], data: ModelData, new: _New) -> None:
    """Provider-share rows of group-years that had no placement column before (as
    :func:`rcc.sufficiency.constraints.define_shares` writes them)."""
    edge, year, j, m, cols = new.edge, new.year, new.j, new.m, new.cols
    block = blocks.get("provider_share")
    have = set() if block is None else {(r.ref, r.year) for r in block.hard}
    group = data.site_group[data.e_site[edge]]
    total = data.total_demand().sum(axis=0)
    keys = [(int(g), int(y) + 1) for g, y in zip(group, year)]
    missing = sorted({k for k in keys if k[0] >= 0 and k not in have})
    if not missing:
        return
    if block is None:
        placements, rule = HARD_FAMILIES["provider_share"]
        block = blocks["provider_share"] = RowBlock("provider_share", {}, placements=placements, price=rule)
    for g, y in missing:
        pos = np.flatnonzero((group == g) & (year == y - 1))
        rhs = group_share_limit(data, g, y - 1, float(total[y - 1]))
        row = HardRow(
            "provider_share", f"provider group {data.group_names[g]}", y, "<=", rhs, "children", [cols[p] for p in pos], m[pos].tolist(), g
        )
        row.handle = cols[0].p.add_row(arrays.Expr(j[pos], m[pos]), -np.inf, rhs)
        block.rows[len(hard)] = row.handle
        block.hard.append(row)
        hard.append(row)


def localise(model: SufficiencyModel, data: ModelData, idx: IntArray) -> SufficiencyModel:
    """A grown model (``ey_edge`` global) as :func:`rcc.sufficiency.model.build_sufficiency` would
    have built it over ``subset_data(data, idx)``: placement columns in its order (by edge, then
    year), edges local to ``idx`` (sorted), linking rows keyed by the new positions."""
    Y = data.n_years
    order = np.argsort(model.ey_edge * Y + model.ey_year, kind="stable")
    new_at = np.empty(len(order), dtype=np.int64)
    new_at[order] = np.arange(len(order))
    blocks = dict(model.blocks)
    link = blocks["linking"]
    blocks["linking"] = attrs.evolve(link, rows={int(new_at[p]): h for p, h in link.rows.items()})
    return attrs.evolve(
        model,
        data=subset_data(data, idx),
        ey_edge=np.searchsorted(idx, model.ey_edge[order]).astype(np.int64),
        ey_year=model.ey_year[order],
        v=[model.v[p] for p in order],
        blocks=blocks,
    )


def recast(lp: SufficiencyModel, relaxed: bool = False, lazy: bool = False, units_only: bool = False) -> SufficiencyModel | None:
    """The model :func:`rcc.sufficiency.model.build_sufficiency` builds over ``lp``'s edges with these
    flags, made from ``lp`` (an LP relaxation as :func:`can_grow` accepts, the edges in the built order:
    :func:`localise`) by copying its arrays with other integrality: no second build. None when ``lp``
    is not such a model (the caller builds)."""
    if not can_grow(lp):
        return None
    d = lp.data
    prob = lp.problem
    integer = np.zeros(prob.n_cols, dtype=bool)
    whole = ((d.whole_children and not lazy) | (d.group_size[d.e_cohort[lp.ey_edge]] > 1)) & (not relaxed) & (not units_only)
    integer[_positions(lp.v)] = whole
    integer[_positions(list(lp.n) + list(lp.z))] = not relaxed
    integer[_positions(lp.w)] = d.whole_children and not (relaxed or lazy or units_only)  # as stepdowns.variables
    new = prob.recast(integer)
    cols = [arrays.Col(new, j) for j in range(new.n_cols)]
    hard = {id(r): attrs.evolve(r, variables=[cols[x.j] for x in r.variables], handle=arrays.Row(new, r.handle.i)) for r in lp.hard}
    blocks = {
        name: attrs.evolve(b, rows={k: arrays.Row(new, h.i) for k, h in b.rows.items()}, hard=[hard[id(r)] for r in b.hard])
        for name, b in lp.blocks.items()
    }
    return attrs.evolve(
        lp,
        problem=new,
        v=[cols[j] for j in _positions(lp.v)],
        u=[cols[j] for j in _positions(lp.u)],
        n=[cols[j] for j in _positions(lp.n)],
        z=[cols[j] for j in _positions(lp.z)],
        w=[cols[j] for j in _positions(lp.w)],  # the step-downs too: else they read the LP's values
        hard=[hard[id(r)] for r in lp.hard],
        blocks=blocks,
    )


def _positions(variables: list[arrays.Col]) -> IntArray:
    return np.fromiter((x.j for x in variables), dtype=np.int64, count=len(variables))
