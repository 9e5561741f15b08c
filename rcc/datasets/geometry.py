"""Where children live inside councils: district points and the distances between home and placement.

DfE measures the straight line from a child's home address to the placement. A council is not a point:
each of its lower-tier districts (``districts.csv``: ONS LTLA centroids, the LTLA to UTLA lookup) is
taken as a uniform disc of its area around its centroid, weighted by its share of the council's children.
For every pair of councils (the child's, the placement's) :func:`council_geometry` gives

* the expected distance between a child's home and a placement, both drawn from the councils' district
  discs (within a council: between two of its own points, including the spread inside each district);
* the share of such pairs more than :data:`FAR_MILES` apart: the expected share of children placed
  "more than 20 miles from home", which a single centroid distance turns into 0 or 100%.

Inside a council, a child's placement is not drawn independently of where the child lives: placing is
nearest first, so nearer points of the council weigh more (:data:`LOCALITY_MILES`). The same holds for a
council's own family carers who live in a neighbouring council (:mod:`rcc.datasets.supply`: they live a
typical distance from the children they care for): ``near_mean_miles`` and ``near_far_share`` draw the
placement's point nearest first inside the other council too, so a Portsmouth carer living in Hampshire
lives near Portsmouth, not anywhere in Hampshire.

Both are computed by quadrature: :data:`QUADRATURE_POINTS` points spread evenly over each disc (a
sunflower pattern), every point of one district against every point of the other. The discs may be
drawn tighter than the district (``spread``): children live in its towns more than in its fields.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.validate import is_real
from rcc.datasets.calibration import simulation_calibration
from rcc.datasets.supply import KINSHIP_LOCALITY_MILES

__all__ = [
    "BAND_EDGES_MILES",
    "FAR_MILES",
    "LOCALITY_MILES",
    "QUADRATURE_POINTS",
    "CouncilGeometry",
    "council_geometry",
    "england_geometry",
    "council_travel",
    "band_edges",
    "distance_bands",
    "districts",
]

#: DfE's distance threshold: placed more than 20 miles from home.
FAR_MILES = 20.0
#: Inside a council, how far nearest-first placing reaches (:func:`council_geometry`): a fixed scale, the
#: DfE threshold itself, not fitted (10 miles gives per-council over-20 errors within 0.2 points of it).
LOCALITY_MILES = 20.0
#: Points per district disc in the quadrature (districts far apart use a quarter of them).
QUADRATURE_POINTS = 24
#: DfE's alternative distance groupings beyond :data:`FAR_MILES` ("Alternative placement distance groupings
#: for CLA"): 21 to 40 miles, 41 to 60, 61 to 80, 81 to 100 and over 100 (the upper edges; the last open).
BAND_EDGES_MILES = (40.0, 60.0, 80.0, 100.0)
_KM_PER_MILE = 1.609344


def districts() -> pd.DataFrame:
    """The 296 English lower-tier districts: ``district_id, name, council_id, x_km, y_km`` (British National
    Grid), ``area_km2`` and ``weight`` (share of the council's children; equal within a county)."""
    return _districts().copy()


@functools.cache
def _districts() -> pd.DataFrame:
    with resources.files("rcc.datasets").joinpath("data", "districts.csv").open("rb") as f:
        return pd.read_csv(f, dtype={"district_id": str, "council_id": str})


def _disc(n: int, turn: float) -> np.ndarray:
    """``n`` points spread evenly over the unit disc (sunflower), rotated by ``turn`` radians."""
    k = np.arange(n) + 0.5
    r = np.sqrt(k / n)
    a = k * np.pi * (3 - np.sqrt(5)) + turn
    return np.c_[r * np.cos(a), r * np.sin(a)]


def _pair_distances(
    xy: np.ndarray, radius: np.ndarray, i: np.ndarray, j: np.ndarray, n: int
) -> Iterator[tuple[slice, np.ndarray]]:
    """The quadrature between discs ``i`` and ``j`` (arrays of pairs), in chunks: each chunk's slice of the pairs
    and its distances (km), pair x ``n * n`` point pairs."""
    a, b = _disc(n, 0.0), _disc(n, np.pi / n)
    for s in range(0, len(i), 2048):
        ii, jj = i[s : s + 2048], j[s : s + 2048]
        p = xy[ii, None, :] + radius[ii, None, None] * a[None]
        q = xy[jj, None, :] + radius[jj, None, None] * b[None]
        yield slice(s, s + 2048), np.sqrt(((p[:, :, None, :] - q[:, None, :, :]) ** 2).sum(-1)).reshape(len(ii), -1)


def _pair_stats(
    xy: np.ndarray, radius: np.ndarray, i: np.ndarray, j: np.ndarray, n: int, far_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean distance (km) and share over ``far_km`` between discs ``i`` and ``j`` (arrays of pairs)."""
    mean, far = np.empty(len(i)), np.empty(len(i))
    for cut, d in _pair_distances(xy, radius, i, j, n):
        mean[cut] = d.mean(axis=1)
        far[cut] = (d > far_km).mean(axis=1)
    return mean, far


def _pair_bands(xy: np.ndarray, radius: np.ndarray, i: np.ndarray, j: np.ndarray, n: int, edges: np.ndarray) -> np.ndarray:
    """Share of point pairs between discs ``i`` and ``j`` in each interval of ``edges`` (km, ascending)."""
    out = np.empty((len(i), len(edges) - 1))
    for cut, d in _pair_distances(xy, radius, i, j, n):
        band = np.searchsorted(edges, d, side="left") - 1  # -1: 20 miles or less (d <= edges[0])
        for k in range(len(edges) - 1):
            out[cut, k] = (band == k).mean(axis=1)
    return out


def _district_discs(spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The districts' centres (km), disc radii at ``spread``, district x council weights (each council's column
    sums to 1) and the councils in that column order."""
    d = districts()
    xy = d[["x_km", "y_km"]].to_numpy(dtype=float)
    radius = spread * np.sqrt(d.area_km2.to_numpy(dtype=float) / np.pi)
    ids = list(dict.fromkeys(d.council_id))
    w = np.zeros((len(d), len(ids)))
    w[np.arange(len(d)), pd.Index(ids).get_indexer(d.council_id)] = d.weight.to_numpy(dtype=float)
    w /= w.sum(axis=0, keepdims=True)
    return xy, radius, w, ids


def _positions(known: list[str], council_ids: list[str]) -> np.ndarray:
    """Positions of ``council_ids`` among ``known`` (refused: a code that is not one of them)."""
    idx = pd.Index(known).get_indexer(list(council_ids))
    if (idx < 0).any():
        bad = list(council_ids)[int(np.argmax(idx < 0))]
        raise InvalidInputError("councils", bad, "council_id", "an English upper-tier council (ONS code)", bad)
    return idx


def _spread(spread: float | None) -> float:
    """The district discs' radius multiple: given, or the calibrated ``district_spread``; checked."""
    if spread is None:
        spread = float(simulation_calibration()["parameters"]["district_spread"])
    spread = float(spread)
    if not 0.0 < spread <= 2.0:
        raise InvalidInputError("geometry", None, "spread", "a radius multiple above 0, at most 2", spread)
    return spread


@attrs.frozen(eq=False)
class CouncilGeometry:
    """Council x council distances from district discs (rows: child's council, columns: placement's).

    Attributes
    ----------
    council_ids : list of str
        Row and column order.
    mean_miles : numpy.ndarray
        Expected distance between home and placement, miles.
    far_share : numpy.ndarray
        Expected share of placements more than :data:`FAR_MILES` from home (0 to 1).
    near_mean_miles, near_far_share : numpy.ndarray
        The same when the placement's point in the other council is drawn nearest first from the child's
        (as inside a council): a council's own carers living beyond its boundary live near its children, and
        the referral simulation weighs every council's places by ``near_mean_miles``
        (:mod:`rcc.simulate`). The diagonal is ``mean_miles``'s and ``far_share``'s. Councils whose district
        discs are all more than 20 miles (plus 5 km) apart keep the independent figures: the share is 1
        either way, the mean distance the independent one (nearest first would be up to about 15 miles
        shorter; computing it for every pair takes about three times as long and moved the simulation's
        per-council mean absolute errors by at most 0.15 points, without a refit, 2026-12-03).
    kin_far_share : numpy.ndarray
        ``near_far_share`` for children living with their own council's kinship carers: on the diagonal,
        nearest first by the kinship locality (:data:`rcc.datasets.supply.KINSHIP_LOCALITY_MILES`: relatives
        inside a council live nearer the child than its other places do, DfE 2015); elsewhere the same.
    """

    council_ids: list[str]
    mean_miles: np.ndarray
    far_share: np.ndarray
    near_mean_miles: np.ndarray
    near_far_share: np.ndarray
    kin_far_share: np.ndarray

    def subset(self, council_ids: list[str]) -> CouncilGeometry:
        """The same matrices for some councils, in the given order."""
        idx = _positions(self.council_ids, council_ids)
        cut = np.ix_(idx, idx)
        return CouncilGeometry(
            list(council_ids),
            self.mean_miles[cut],
            self.far_share[cut],
            self.near_mean_miles[cut],
            self.near_far_share[cut],
            self.kin_far_share[cut],
        )


@functools.cache
def _england_geometry(spread: float, locality_miles: float | None, kin_miles: float | None) -> CouncilGeometry:
    xy, radius, w, ids = _district_discs(spread)
    k = len(xy)
    far_km = FAR_MILES * _KM_PER_MILE
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    i, j = i.ravel(), j.ravel()
    gap = np.hypot(*(xy[i] - xy[j]).T) - radius[i] - radius[j]
    near = gap <= far_km + 5.0  # pairs that may hold points within 20 miles of each other: full quadrature
    mean, far = np.empty(len(i)), np.ones(len(i))
    mean[near], far[near] = _pair_stats(xy, radius, i[near], j[near], QUADRATURE_POINTS, far_km)
    mean[~near], _ = _pair_stats(xy, radius, i[~near], j[~near], QUADRATURE_POINTS // 4, far_km)
    mean, far = mean.reshape(k, k), far.reshape(k, k)
    mean, far = (mean + mean.T) / 2, (far + far.T) / 2  # the two point sets differ: symmetric as the truth is
    mean_c = w.T @ mean @ w / _KM_PER_MILE
    far_c = np.clip(w.T @ far @ w, 0.0, 1.0)
    near_mean, near_far = mean_c.copy(), far_c.copy()
    if locality_miles is not None:
        _nearest_first(xy, radius, w, gap.reshape(k, k), locality_miles * _KM_PER_MILE, near_mean, near_far)
        np.fill_diagonal(mean_c, np.diag(near_mean))
        np.fill_diagonal(far_c, np.diag(near_far))
    kin_far = near_far.copy()
    if locality_miles is not None and kin_miles is not None:
        kin_mean = mean_c.copy()  # scratch: only the diagonal of the kinship locality is kept
        kin_scratch = far_c.copy()
        _nearest_first(xy, radius, w, gap.reshape(k, k), kin_miles * _KM_PER_MILE, kin_mean, kin_scratch, True)
        np.fill_diagonal(kin_far, np.diag(kin_scratch))
    for a in (mean_c, far_c, near_mean, near_far, kin_far):
        a.flags.writeable = False  # cached and shared: read-only
    return CouncilGeometry(ids, mean_c, far_c, near_mean, near_far, kin_far)


def _nearest_first(
    xy: np.ndarray,
    radius: np.ndarray,
    w: np.ndarray,
    gap: np.ndarray,
    scale_km: float,
    mean_c: np.ndarray,
    far_c: np.ndarray,
    diagonal_only: bool = False,
) -> None:
    """Nearest-first placing (in place, council x council): a child living at point ``p`` of its council's
    district discs is placed at point ``q`` of the other council's with chance proportional to ``q``'s weight
    times ``exp(-distance(p, q) / scale_km)``, not independently of where the child lives (the same quadrature
    points as :func:`_pair_stats`). Computed for every pair of councils with districts within 20 miles (plus
    5 km) of each other (``gap``: district x district, km between discs), the council itself included; with
    ``diagonal_only``, each council with itself only (inside a council, its own points are the only choices)."""
    n = QUADRATURE_POINTS
    a, b = _disc(n, 0.0), _disc(n, np.pi / n)
    far_km = FAR_MILES * _KM_PER_MILE
    council = w.argmax(axis=1)  # each district's council
    weight = w[np.arange(len(w)), council] / n  # per quadrature point of the district
    for c in range(w.shape[1]):
        rows = np.flatnonzero(council == c)
        reach = np.array([c]) if diagonal_only else np.unique(council[(gap[rows] <= far_km + 5.0).any(axis=0)])
        cols = np.flatnonzero(np.isin(council, reach))
        p = (xy[rows, None, :] + radius[rows, None, None] * a[None]).reshape(-1, 2)
        q = (xy[cols, None, :] + radius[cols, None, None] * b[None]).reshape(-1, 2)
        member = (np.repeat(council[cols], n)[:, None] == reach[None, :]).astype(float)  # q point x council
        d = np.sqrt(((p[:, None, :] - q[None, :, :]) ** 2).sum(-1))
        kernel = np.repeat(weight[cols], n)[None, :] * np.exp(-d / scale_km)
        total = kernel @ member  # per p and council: the normaliser of P(q | p, council)
        pw = np.repeat(weight[rows], n)
        mean_c[c, reach] = pw @ (((kernel * d) @ member) / total) / _KM_PER_MILE
        far_c[c, reach] = np.clip(pw @ (((kernel * (d > far_km)) @ member) / total), 0.0, 1.0)


def council_geometry(
    council_ids: list[str] | None = None,
    *,
    spread: float | None = None,
    locality_miles: float | None = LOCALITY_MILES,
    kinship_locality_miles: float = KINSHIP_LOCALITY_MILES,
) -> CouncilGeometry:
    """Expected home-to-placement distance and share over 20 miles for pairs of English councils.

    Parameters
    ----------
    council_ids : list of str, optional
        ONS codes of upper-tier councils, in the order wanted (default all 153, sorted by code).
    spread : float, optional
        Radius of each district's disc as a multiple of the radius of a disc of its area (1: children
        spread evenly over the district; below 1: gathered nearer its centre, as towns gather them).
        Default: the calibrated ``district_spread`` (:func:`rcc.datasets.simulation_calibration`).
    locality_miles : float or None
        Inside a council, placing is nearest first: a child living at a point of the council's district discs
        is placed at another with chance proportional to its weight times ``exp(-distance / locality_miles)``
        (default :data:`LOCALITY_MILES`); None: independent of where the child lives. Between councils,
        both ends are independent in ``mean_miles`` and ``far_share``, and nearest first by the same scale in
        ``near_mean_miles`` and ``near_far_share`` (with None, equal to the independent figures).
    kinship_locality_miles : float
        The same scale for children living with their own council's kinship carers inside it
        (``kin_far_share``'s diagonal); default :data:`rcc.datasets.supply.KINSHIP_LOCALITY_MILES`. Unused
        (and ``kin_far_share`` is ``near_far_share``) when ``locality_miles`` is None.

    Returns
    -------
    CouncilGeometry

    Raises
    ------
    InvalidInputError
        A code that is not one of the 153 English upper-tier councils.

    Examples
    --------
    >>> g = council_geometry(["E10000020"])  # Norfolk: seven districts
    >>> 0.2 < float(g.far_share[0, 0]) < 0.8
    True
    """
    spread = _spread(spread)
    if locality_miles is not None and not float(locality_miles) > 0:
        raise InvalidInputError("geometry", None, "locality_miles", "a distance above 0 miles, or None", locality_miles)
    local = None if locality_miles is None else float(locality_miles)
    if local is not None and not float(kinship_locality_miles) > 0:
        raise InvalidInputError(
            "geometry", None, "kinship_locality_miles", "a distance above 0 miles", kinship_locality_miles
        )
    g = _england_geometry(spread, local, None if local is None else float(kinship_locality_miles))
    return g if council_ids is None else g.subset(list(council_ids))


def england_geometry(
    council_ids: list[str], *, spread: float | None = None, locality_miles: float | None = LOCALITY_MILES
) -> CouncilGeometry | None:
    """:func:`council_geometry` of the councils when every one is an English upper-tier council, else None
    (a region of the user's own councils: rcc measures it by centroids)."""
    known = set(_districts().council_id)
    if not set(council_ids) <= known:
        return None
    return council_geometry(list(council_ids), spread=spread, locality_miles=locality_miles)


def distance_bands(
    council_ids: list[str] | None = None,
    *,
    spread: float | None = None,
    edges_miles: tuple[float, ...] = BAND_EDGES_MILES,
) -> np.ndarray:
    """Council x council x band: the expected share of home-to-placement pairs in each of DfE's distance
    groupings beyond 20 miles (21 to 40 miles, 41 to 60, 61 to 80, 81 to 100, over 100:
    :data:`BAND_EDGES_MILES`), as a share of the pairs more than :data:`FAR_MILES` apart.

    ``edges_miles``: other upper edges beyond 20 miles (whole miles, ascending, each above :data:`FAR_MILES`; the
    last band open), such as ``(50, 100)`` for 21 to 50 miles, 51 to 100 and over 100.

    Both ends are drawn independently from the councils' district discs (the same quadrature as
    :func:`council_geometry`'s ``mean_miles``): how a pair's children beyond 20 miles spread over the bands.
    A pair never more than 20 miles apart puts its (empty) share in the first band. Each cell sums to 1.

    Examples
    --------
    >>> b = distance_bands(["E09000001", "E08000003"])  # City of London, Manchester: about 160 miles apart
    >>> round(float(b[0, 1, -1]), 2), round(float(b[0, 1].sum()), 2)
    (1.0, 1.0)
    """
    b = _england_bands(_spread(spread), band_edges(edges_miles))
    if council_ids is None:
        return b
    idx = _positions(list(dict.fromkeys(_districts().council_id)), council_ids)
    return b[np.ix_(idx, idx)]


def band_edges(edges_miles: tuple[float, ...]) -> tuple[float, ...]:
    """Upper band edges beyond :data:`FAR_MILES`, checked and as floats: one or more whole numbers of miles
    (numbers, not text), ascending, each above 20 miles (DfE's bands are whole miles: "21-40 miles"); else
    :class:`rcc.InvalidInputError` naming ``edges_miles`` and what was given.

    Examples
    --------
    >>> band_edges((50, 100))
    (50.0, 100.0)
    """
    try:
        ok = not isinstance(edges_miles, (str, bytes)) and all(is_real(e) for e in edges_miles)
        edges = tuple(float(e) for e in edges_miles) if ok else ()
    except TypeError:  # not iterable
        edges = ()
    if (
        not edges
        or not all(np.isfinite(edges))
        or any(e != round(e) for e in edges)
        or edges[0] <= FAR_MILES
        or any(np.diff(edges) <= 0)
    ):
        raise InvalidInputError(
            "distance bands", None, "edges_miles",
            f"one or more whole numbers of miles, ascending, each above {FAR_MILES:g}", repr(edges_miles),
        )
    return edges


@functools.lru_cache(maxsize=8)
def _england_bands(spread: float, edges_miles: tuple[float, ...]) -> np.ndarray:
    xy, radius, w, _ = _district_discs(spread)
    edges = np.array((FAR_MILES, *edges_miles, np.inf)) * _KM_PER_MILE
    k = len(xy)
    i, j = (a.ravel() for a in np.meshgrid(np.arange(k), np.arange(k), indexing="ij"))
    gap = np.hypot(*(xy[i] - xy[j]).T) - radius[i] - radius[j]
    reach = np.hypot(*(xy[i] - xy[j]).T) + radius[i] + radius[j]
    # pairs that may straddle an edge get the full quadrature, the others a quarter of it
    straddle = ((gap[:, None] <= edges[None, :-1] + 5.0) & (reach[:, None] >= edges[None, :-1] - 5.0)).any(axis=1)
    share = np.zeros((len(i), len(edges) - 1))
    for pick, n in ((straddle, QUADRATURE_POINTS), (~straddle, QUADRATURE_POINTS // 4)):
        share[pick] = _pair_bands(xy, radius, i[pick], j[pick], n, edges)
    share = share.reshape(k, k, -1)
    share = (share + share.transpose(1, 0, 2)) / 2
    # share of all pairs in each band beyond 20 miles, council x council
    bands = np.stack([w.T @ share[..., b] @ w for b in range(share.shape[2])], axis=2)
    far = bands.sum(axis=2, keepdims=True)
    first = np.zeros_like(bands)
    first[..., 0] = 1.0
    out = np.where(far > 1e-12, bands / np.where(far > 1e-12, far, 1.0), first)
    out.flags.writeable = False  # cached and shared: read-only
    return out



def council_travel(council_ids: list[str] | None = None, *, between: bool = False) -> pd.DataFrame:
    """A ``travel`` table (:class:`rcc.Region`) of expected distances from :func:`council_geometry`.

    Parameters
    ----------
    council_ids : list of str, optional
        The councils (default all 153).
    between : bool
        Also the distances between councils (default only within each council made of several districts:
        a one-district council keeps the disc-of-its-area distance rcc computes itself, the same figure).

    The districts are evenly spread discs here (``spread=1``), whatever the calibrated spread is, so a
    one-district council's figure is the one rcc computes from its area; and a plan's distance inside a
    county is between any two of its points (``locality_miles=None``): the optimiser may use any district.

    Returns
    -------
    pandas.DataFrame
        ``from_council_id, to_council_id, distance_miles``.
    """
    g = council_geometry(council_ids, spread=1.0, locality_miles=None)
    ids = np.array(g.council_ids, dtype=object)
    if between:
        i, j = (a.ravel() for a in np.meshgrid(np.arange(len(ids)), np.arange(len(ids)), indexing="ij"))
    else:
        several = districts().groupby("council_id").size()
        i = j = np.flatnonzero(several.reindex(ids).to_numpy() > 1)
    return pd.DataFrame(
        {"from_council_id": ids[i], "to_council_id": ids[j], "distance_miles": np.round(g.mean_miles[i, j], 3)}
    )
