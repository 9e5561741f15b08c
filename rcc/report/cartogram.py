"""A grid cartogram of councils: one equal square each, placed near its centroid, none
overlapping (no boundary files are needed, so it works offline).

Councils are assigned to the cells of a square grid over the region by a linear program
(HiGHS): each council to one cell, each cell to at most one council, minimising the total
squared distance between centroids and cells. The assignment matrix is totally unimodular,
so the LP optimum is a whole assignment; it is deterministic and never puts two councils in
one cell. Names are fitted inside their cell (wrapped onto up to three lines, the font
shrunk until the text fits), so labels never overlap either.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from rcc.core import solvers
from rcc.core.errors import InvalidInputError, SolverError

#: Grid cells per council over the region's bounding box (room to keep shapes).
_CELLS_PER_COUNCIL = 2.0


def grid_layout(councils: pd.DataFrame) -> pd.DataFrame:
    """Each council's cell on a square grid (column, row; row 0 at the bottom).

    Parameters
    ----------
    councils : pandas.DataFrame
        ``council_id``, ``lat``, ``lon`` (degrees).

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``col``, ``row`` (integers, distinct pairs), in the input order.

    Raises
    ------
    rcc.InvalidInputError
        A council without a finite centroid, or a repeated council id.
    rcc.SolverError
        HiGHS failed, or returned an assignment that is not whole.
    """
    c = councils.reset_index(drop=True)
    for col in ("lat", "lon"):
        bad = ~np.isfinite(pd.to_numeric(c[col], errors="coerce").to_numpy(dtype=float))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidInputError("councils", c.council_id.iloc[i], col, "a finite centroid (degrees)", c[col].iloc[i])
    if c.council_id.duplicated().any():
        dup = c.council_id[c.council_id.duplicated()].iloc[0]
        raise InvalidInputError("councils", dup, "council_id", "distinct council ids", dup)
    n = len(c)
    if n == 0:
        return pd.DataFrame({"council_id": [], "col": np.zeros(0, np.int64), "row": np.zeros(0, np.int64)})
    lat0 = math.radians(float(c.lat.mean()))
    x = c.lon.to_numpy(dtype=float) * math.cos(lat0)
    y = c.lat.to_numpy(dtype=float)
    x, y = x - x.min(), y - y.min()
    span = max(float(x.max()) * float(y.max()), 1e-12)
    size = math.sqrt(span / (_CELLS_PER_COUNCIL * n)) if n > 1 and x.max() > 0 and y.max() > 0 else max(x.max(), y.max(), 1e-6) / max(n, 1)
    gx, gy = x / size, y / size
    n_cols, n_rows = int(math.ceil(gx.max())) + 1, int(math.ceil(gy.max())) + 1
    cells = np.array([(i, j) for j in range(-1, n_rows + 1) for i in range(-1, n_cols + 1)], dtype=float)
    # each council's n nearest cells: any k councils then have at least k cells between them
    d2 = (gx[:, None] - cells[None, :, 0]) ** 2 + (gy[:, None] - cells[None, :, 1]) ** 2
    k = min(n, len(cells))
    near = np.argsort(d2, axis=1, kind="stable")[:, :k]
    choice = _assign(near, np.take_along_axis(d2, near, axis=1), len(cells))
    col_row = cells[choice].astype(np.int64)
    col_row -= col_row.min(axis=0)
    return pd.DataFrame({"council_id": c.council_id.to_numpy(), "col": col_row[:, 0], "row": col_row[:, 1]})


def _assign(near: np.ndarray, cost: np.ndarray, n_cells: int) -> np.ndarray:
    """The cell of each council minimising total cost (an assignment LP solved by HiGHS)."""
    import highspy

    n, k = near.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n * k
    lp.num_row_ = n + n_cells
    lp.col_cost_ = cost.ravel().astype(float)
    lp.col_lower_ = np.zeros(n * k)
    lp.col_upper_ = np.ones(n * k)
    lp.row_lower_ = np.concatenate([np.ones(n), np.zeros(n_cells)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.ones(n_cells)])
    # column j = (council i, candidate t): a 1 in row i and in row n + cell
    rows = np.column_stack([np.repeat(np.arange(n), k), n + near.ravel()])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n * k + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = rows.ravel().astype(np.int32)
    lp.a_matrix_.value_ = np.ones(2 * n * k)
    lp.a_matrix_.num_col_ = n * k
    lp.a_matrix_.num_row_ = n + n_cells
    solvers.silence_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.run()
    outcome = solvers.highs_outcome(h, mip=False)
    if outcome.status != "optimal":
        raise SolverError(f"cartogram layout: HiGHS returned {outcome.model_status}")
    z = np.asarray(h.getSolution().col_value).reshape(n, k)
    pick = z.argmax(axis=1)
    if not np.allclose(z[np.arange(n), pick], 1.0, atol=1e-6):
        raise SolverError("cartogram layout: the assignment LP returned a fractional assignment")
    return near[np.arange(n), pick]


def wrap_label(name: str, max_lines: int = 3) -> list[str]:
    """Ways to write ``name`` on 1 to ``max_lines`` lines (split at spaces and hyphens), most balanced first per line count."""
    words = name.replace("-", "- ").split()
    out = [name]
    for lines in range(2, min(max_lines, len(words)) + 1):
        best: tuple[int, str] | None = None
        for cut in _cuts(len(words), lines):
            parts = [" ".join(words[a:b]).replace("- ", "-") for a, b in zip((0, *cut), (*cut, len(words)))]
            longest = max(len(p) for p in parts)
            if best is None or longest < best[0]:
                best = (longest, "\n".join(parts))
        if best is not None:
            out.append(best[1])
    return out


def _cuts(n: int, lines: int) -> list[tuple[int, ...]]:
    """Increasing cut positions splitting ``n`` words into ``lines`` non-empty lines."""
    if lines == 1:
        return [()]
    return [(a, *(b + a for b in r)) for a in range(1, n - lines + 2) for r in _cuts(n - a, lines - 1)]


#: Share of a cell's side a label may take (the rest is margin).
_LABEL_ROOM = 0.82
#: Font sizes (points) a label may take.
_MAX_FONT, _MIN_FONT = 9.0, 4.0
_CELL_SIDE = 0.9  #: side of a council's square, in cells (the rest is the gap between squares)


def fit_label(name: str, side_pt: float) -> tuple[str, float]:
    """The wrapping of ``name`` and the font size (points) at which it fits in a square of
    ``side_pt`` points with a margin; an abbreviation where no wrapping fits at 4 points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    prop = FontProperties(size=10.0)
    room = _LABEL_ROOM * side_pt

    def size(text: str) -> float:
        lines = text.split("\n")
        width = max(measure.get_text_width_height_descent(ln, prop, ismath=False)[0] for ln in lines)
        return min(_MAX_FONT, 10.0 * room / max(width, 1e-9), room / (1.2 * len(lines)))

    best = max(((text, size(text)) for text in wrap_label(name)), key=lambda t: t[1])
    if best[1] < _MIN_FONT:
        short = "".join(w[0] for w in name.replace("-", " ").split() if w[:1].isalnum()) if " " in name else name[:4]
        best = (short, size(short))
    return best


#: Curvatures tried for a flow line (matplotlib's ``arc3`` ``rad``), gentlest first.
_RADS = (0.2, -0.2, 0.0, 0.35, -0.35, 0.5, -0.5, 0.7, -0.7, 0.9, -0.9, 1.2, -1.2)
#: Clearance kept from other councils' squares, in cells.
_CLEARANCE = 0.04


def arc_points(a: tuple[float, float], b: tuple[float, float], rad: float, n: int = 80) -> np.ndarray:
    """Points along matplotlib's ``arc3`` connection from ``a`` to ``b`` (a quadratic Bezier whose
    control point is the midpoint moved ``rad`` times the chord, to the right of a to b)."""
    (x1, y1), (x2, y2) = a, b
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * np.array([x1, y1]) + 2 * (1 - t) * t * np.array([cx, cy]) + t**2 * np.array([x2, y2])


def route(
    a: tuple[float, float], b: tuple[float, float], others: list[tuple[float, float]],
    box: tuple[float, float, float, float] | None = None,
) -> float | None:
    """The gentlest curvature of :data:`_RADS` whose arc from square ``a`` to square ``b`` passes
    through none of the ``others`` squares (centres, in cells; side :data:`_CELL_SIDE` plus a
    clearance) and stays inside ``box`` (x0, y0, x1, y1: the drawing), or None when none does."""
    centres = np.asarray(others, dtype=float).reshape(-1, 2)
    reach = _CELL_SIDE / 2 + _CLEARANCE
    for rad in _RADS:
        pts = arc_points(a, b, rad)
        if box is not None and not ((pts >= box[:2]).all() and (pts <= box[2:]).all()):
            continue
        d = np.abs(pts[:, None, :] - centres[None, :, :]).max(axis=2)  # Chebyshev distance: inside a square when < reach
        if not (d < reach).any():
            return rad
    return None


def gutter_route(a: tuple[int, int], b: tuple[int, int], occupied: set[tuple[int, int]]) -> np.ndarray | None:
    """A polyline from square ``a``'s edge to square ``b``'s along the gutters between squares
    (cells are ``(col, row)``): through the corners between cells, straight along a gutter or
    diagonally across an empty cell, so it enters no other square; shortest such (Dijkstra), or
    None if there is none. Starts and ends at a corner of the two squares."""
    import heapq

    cols = [c for c, _ in occupied | {a, b}]
    rows = [r for _, r in occupied | {a, b}]
    lo_c, hi_c, lo_r, hi_r = min(cols) - 1, max(cols), min(rows) - 1, max(rows)

    def corners(cell: tuple[int, int]) -> list[tuple[int, int]]:  # corner (i, j) is the point (i + 0.5, j + 0.5)
        return [(cell[0] + dx, cell[1] + dy) for dx in (-1, 0) for dy in (-1, 0)]

    goal = set(corners(b))
    dist = {c: math.dist(c, (a[0] - 0.5, a[1] - 0.5)) for c in corners(a)}
    prev: dict[tuple[int, int], tuple[int, int] | None] = dict.fromkeys(dist)
    heap = [(d, c) for c, d in dist.items()]
    heapq.heapify(heap)
    while heap:
        d, c = heapq.heappop(heap)
        if d > dist[c]:
            continue
        if c in goal:
            path = [c]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])  # type: ignore[arg-type]
            pts = [(a[0], a[1])] + [(i + 0.5, j + 0.5) for i, j in reversed(path)] + [(b[0], b[1])]
            out = np.asarray(pts, dtype=float)
            out[0] = out[0] + (out[1] - out[0]) * (_CELL_SIDE / 1.0)  # from the square's corner, not its centre
            out[-1] = out[-1] + (out[-2] - out[-1]) * (_CELL_SIDE / 1.0)
            return out
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                n = (c[0] + dx, c[1] + dy)
                if n == c or not (lo_c <= n[0] <= hi_c and lo_r <= n[1] <= hi_r):
                    continue
                if dx and dy and (c[0] + max(dx, 0), c[1] + max(dy, 0)) in occupied:
                    continue  # a diagonal crosses the cell between the two corners: only an empty one
                nd = d + math.hypot(dx, dy)
                if nd < dist.get(n, math.inf):
                    dist[n], prev[n] = nd, c
                    heapq.heappush(heap, (nd, n))
    return None


def _gutter_end(line: np.ndarray, b: tuple[float, float]) -> np.ndarray:
    """``line`` (of :func:`gutter_route`) ending, as an arc does, half a side from ``b``'s centre along its last
    leg (the diagonal from the gutter crossing at ``b``'s corner): matplotlib draws the head back from the
    end by the line's half-width, and a head that began at the crossing would point into the square beyond it."""
    out = np.array(line, dtype=float)
    last = out[-2] - np.asarray(b, dtype=float)
    out[-1] = np.asarray(b, dtype=float) + last * (_CELL_SIDE / 2) / float(np.hypot(*last))
    return out


def _gutter_style(style: dict[str, Any], side_pt: float) -> dict[str, Any]:
    """``style`` with a line no wider than a gutter (a tenth of a cell) and a head whose half-width (a fifth of
    its mutation scale: 0.04 of a cell) stays inside the diagonal crossing of two gutters (0.07 from its centre
    to a square's corner), so neither reaches a square. (At 0.06 a head reached a square in Greater Manchester's
    picture: the figure's layout, settled at drawing, makes a point a little more of a cell than measured here.)"""
    return {**style, "lw": min(style["lw"], 0.1 * side_pt / _CELL_SIDE),
            "mutation_scale": min(style["mutation_scale"], 0.2 * side_pt / _CELL_SIDE)}


def _flow_note(ax: Any, drawn: int, hidden: int, pooled: int, threshold: int) -> None:
    """The note under the flow map: flows drawn, not drawn and pooled. Wrapped to the map's width (7.5 pt
    text: under 4.2 pt a character): one long line made the figure's layout shrink the map to make room for
    it, and the arrows (sized in points) outgrew the gutters."""
    rest = f"; {pooled:,} to councils pooled as '(elsewhere)' (few places) not drawn" if pooled else ""
    note = (f"{drawn:,} flow(s) drawn, width by children; {hidden:,} flow(s) of fewer than "
            f"{max(threshold, 1)} children (or suppressed) not drawn{rest}. Squares: councils, placed near their centroids.")
    width_pt = ax.get_window_extent().width * 72.0 / ax.figure.dpi
    ax.text(0, -0.02, textwrap.fill(note, max(40, int(width_pt / 4.2))), transform=ax.transAxes, fontsize=7.5,
            color="#555", va="top")


def draw_flow_map(
    ax: Any, councils: pd.DataFrame, flows: pd.DataFrame, children: pd.Series, threshold: int
) -> Any:
    """Councils as equal squares on the grid of :func:`grid_layout`, named inside; flows
    between councils as curved arrows (width by children) from edge to edge, each curved so that
    it crosses no other council's square and stays in the picture (:func:`route`; where no curve
    can, a line along the gutters between squares, :func:`gutter_route`, its gid ending ``:gutter``;
    only where that fails too, beneath the opaque squares, ``:beneath``); suppressed flows and flows of fewer than
    ``threshold`` children are not drawn (their number is said).

    ``councils``: council_id, name, lat, lon; ``flows``: council_id, placement_council_id,
    children (``"c"`` where suppressed); ``children``: each council's children by id
    (councils with none are grey).
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle
    from matplotlib.path import Path as MplPath

    from rcc.report.charts import BLUE, GREY, _tidy, label, num

    g = grid_layout(councils[["council_id", "lat", "lon"]]).merge(councils[["council_id", "name"]], on="council_id")
    pos = {r.council_id: (float(r.col), float(r.row)) for r in g.itertuples()}
    box = (-0.6, -0.6, g.col.max() + 0.6, g.row.max() + 0.6)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.apply_aspect()
    fig = ax.figure
    px_per_cell = abs(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0])
    side_pt = _CELL_SIDE * px_per_cell * 72.0 / fig.dpi
    half = _CELL_SIDE / 2
    for r in g.itertuples():
        has = (num(children.get(r.council_id)) or 0) > 0 or children.get(r.council_id) == "c"
        ax.add_patch(Rectangle((r.col - half, r.row - half), _CELL_SIDE, _CELL_SIDE, facecolor="#fbe7c2" if has else "#eeeeee",
                               edgecolor="#b98a2e" if has else GREY, lw=0.8, zorder=1, gid=f"cell:{r.council_id}"))
    out = flows[flows.council_id != flows.placement_council_id]
    f = out[out.placement_council_id.isin(list(pos))]
    pooled = len(out) - len(f)  # rows of councils pooled as "(elsewhere)": no square to draw to
    keep = np.asarray([(num(v) or 0) >= max(threshold, 1) for v in f.children], dtype=bool)
    drawn = f[keep]
    vmax = max([num(v) or 0 for v in drawn.children] + [1.0])
    for r in drawn.assign(n=[num(v) for v in drawn.children]).sort_values("n", kind="stable").itertuples():
        w = 0.6 + 5.0 * math.sqrt(r.n / vmax)
        a, b = pos[r.council_id], pos[r.placement_council_id]
        others = [c for k, c in pos.items() if k not in (r.council_id, r.placement_council_id)]
        rad = route(a, b, others, box)
        style = {"arrowstyle": "-|>", "mutation_scale": 6 + 2 * w, "lw": w, "color": BLUE, "alpha": 0.55}
        gid = f"flow:{r.council_id}>{r.placement_council_id}:{label(r.n)}"
        if rad is not None:
            ax.add_patch(FancyArrowPatch(a, b, connectionstyle=f"arc3,rad={rad}", shrinkA=side_pt * 0.5,
                                         shrinkB=side_pt * 0.5, zorder=2, gid=gid, **style))
            continue
        cells = {(int(x), int(y)) for x, y in others}
        line = gutter_route((int(a[0]), int(a[1])), (int(b[0]), int(b[1])), cells)
        if line is not None:  # no curve clears every square: along the gutters between them
            ax.add_patch(FancyArrowPatch(path=MplPath(_gutter_end(line, b)), zorder=2, gid=gid + ":gutter",
                                         **_gutter_style(style, side_pt)))
        else:  # drawn under the (opaque) squares
            ax.add_patch(FancyArrowPatch(a, b, connectionstyle="arc3,rad=0.2", shrinkA=side_pt * 0.5,
                                         shrinkB=side_pt * 0.5, zorder=0.5, gid=gid + ":beneath", **style))
    import matplotlib.patheffects as pe

    for r in g.itertuples():
        text, size = fit_label(str(r.name), side_pt)
        ax.text(r.col, r.row, text, ha="center", va="center", fontsize=size, linespacing=1.2, zorder=3, color="#222",
                gid=f"label:{r.council_id}", path_effects=[pe.withStroke(linewidth=1.5, foreground="#fbe7c2")])
    _flow_note(ax, len(drawn), len(f) - len(drawn), pooled, threshold)
    _tidy(ax, "Where children are placed: flows between councils")
    return ax
