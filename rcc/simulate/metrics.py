"""Census metrics of a simulated stock, in the terms DfE publishes them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import HOME_TYPES, NEEDS
from rcc.datasets import FAR_MILES, CouncilGeometry, england_geometry, published_metrics
from rcc.datasets.geometry import BAND_EDGES_MILES, band_edges, distance_bands
from rcc.flows import Population
from rcc.simulate.build import NEAR_CARERS, provision_council

__all__ = [
    "FAR_MILES",
    "UNKNOWN_DISTANCE_NEEDS",
    "agreement",
    "census_metrics",
    "childrens_home_metrics",
    "council_metrics",
    "distance_band_shares",
    "far_share",
    "in_region_shares",
    "known_distance",
    "locality_by_type",
    "mixed_far_share",
    "own_carer_matrix",
    "placement_matrix",
    "published_beside",
    "region_flows",
    "shares_by_council",
    "within_20_miles_as_dfe",
]


#: Needs of the children DfE records no distance from home for (:func:`known_distance`): unaccompanied
#: asylum-seeking children. A plan's or a placements table's children with a known distance are those of other
#: needs (``placements[~placements.need.isin(UNKNOWN_DISTANCE_NEEDS)]``).
UNKNOWN_DISTANCE_NEEDS: tuple[str, ...] = ("uasc",)


def far_share(region: Region, population: Population | None = None) -> np.ndarray:
    """Council x council share of placements more than :data:`FAR_MILES` from home (rows: child's council).

    For the embedded English councils, the expected share from their district geometry
    (:func:`rcc.datasets.council_geometry`: both ends spread over the councils' districts, as DfE
    measures from the child's address to the placement's); given a ``population``, each cell mixes the
    nearest-first share of its children living with their own council's family carers
    (:data:`rcc.simulate.NEAR_CARERS`, :func:`mixed_far_share`; relatives inside the council by the kinship
    locality, :attr:`rcc.datasets.CouncilGeometry.kin_far_share`) and the independent share of the others.
    For other councils, 0 or 1 from :meth:`rcc.Region.council_distances` (centroids, the within-council
    mean on the diagonal).
    """
    geometry = england_geometry(region.council_ids)
    if geometry is None:
        return (region.council_distances() > FAR_MILES).astype(float)
    if population is None:
        return geometry.far_share
    return mixed_far_share(
        geometry,
        placement_matrix(region, population),
        own_carer_matrix(region, population),
        own_carer_matrix(region, population, ("kinship",)),
    )


def known_distance(population: Population) -> Population:
    """The children DfE counts with a known distance from home: all but unaccompanied asylum-seeking children.

    DfE records no distance for most UASC (31 March 2025: 6,990 children without a recorded distance, 6,540
    UASC; per council r 0.99) and publishes the shares over 20 miles, its distance groupings and the children's
    homes' distances of the children with a known distance; the shares inside and outside the council are of
    every child (the locality of each is known). The simulation's figures are measured the same way
    (:func:`census_metrics`, :func:`distance_band_shares`, :func:`childrens_home_metrics`,
    :func:`locality_by_type`; :func:`shares_by_council` takes their matrix as ``known``).
    """
    return population.take(_measured(population))


def _measured(population: Population) -> np.ndarray:
    """Per child of ``population``: DfE would know its distance (not an unaccompanied asylum-seeking child)."""
    return ~np.isin(population.need, [NEEDS.index(n) for n in UNKNOWN_DISTANCE_NEEDS])


def mixed_far_share(geometry: CouncilGeometry, matrix: np.ndarray, carers: np.ndarray, kin: np.ndarray) -> np.ndarray:
    """Per cell of a :func:`placement_matrix`: the expected share over 20 miles of its children, of whom
    ``carers`` (an :func:`own_carer_matrix`) live with their own council's family carers (the geometry's
    ``near_far_share``), of those ``kin`` with its kinship carers (``own_carer_matrix(..., ("kinship",))``:
    ``kin_far_share``, relatives inside the council living nearer still) and the rest anywhere in the
    placement's council (``far_share``); empty cells ``far_share``.

    Raises
    ------
    InvalidInputError
        Matrices of other shapes, or cells where ``kin`` is more than ``carers``, ``carers`` more than
        ``matrix`` or any is negative: they must count nested sets of the same children.
    """
    m, near, kin = (np.asarray(a, dtype=float) for a in (matrix, carers, kin))
    if not m.shape == near.shape == kin.shape == geometry.far_share.shape:
        raise InvalidInputError(
            "far share", None, "matrix", f"council x council matrices of shape {geometry.far_share.shape}",
            f"{m.shape}, {near.shape}, {kin.shape}",
        )
    tol = 1e-9 * max(1.0, float(np.abs(m).max(initial=0.0)))
    bad = (kin < -tol) | (kin > near + tol) | (near > m + tol)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InvalidInputError(
            "far share", f"{geometry.council_ids[i]} -> {geometry.council_ids[j]}", "kin",
            "0 <= kin <= carers <= matrix (nested counts of the same children)",
            f"kin {kin[i, j]:g}, carers {near[i, j]:g}, matrix {m[i, j]:g}",
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        mixed = ((m - near) * geometry.far_share + (near - kin) * geometry.near_far_share + kin * geometry.kin_far_share) / m
    return np.where(m > 0, mixed, geometry.far_share)


def _mean_miles(region: Region) -> np.ndarray:
    """Council x council expected home-to-placement distance: the district geometry for England's councils
    (as DfE measures, postcode to postcode), else centroids (:meth:`rcc.Region.council_distances`)."""
    geometry = england_geometry(region.council_ids)
    return geometry.mean_miles if geometry is not None else region.council_distances()


def _own_carer(region: Region, population: Population, home_types: tuple[str, ...] = NEAR_CARERS) -> np.ndarray:
    """Per child of ``population`` (placed): living with its own council's family carers (:data:`NEAR_CARERS`,
    or those of ``home_types``)."""
    return provision_council(region, home_types)[population.home] == population.council


def _placed(region: Region, population: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Placed children: home council, council of the home, share over 20 miles (expected: own family carers
    nearest first, own kinship carers inside the council by the kinship locality), home type index."""
    placed = population.take(population.home >= 0)
    where = pd.Index(region.councils.council_id).get_indexer(region.homes.council_id)[placed.home]
    kind = pd.Index(HOME_TYPES).get_indexer(region.homes.home_type)[placed.home]
    geometry = england_geometry(region.council_ids)
    far = far_share(region)[placed.council, where]
    if geometry is not None:
        own = _own_carer(region, placed)
        cell = (placed.council, where)
        far = np.where(own, geometry.near_far_share[cell], far)
        kin = own & (kind == HOME_TYPES.index("kinship"))  # of its own carers, its kinship carers
        far = np.where(kin, geometry.kin_far_share[cell], far)
    return placed.council, where, far, kind


def _known(population: Population) -> np.ndarray:
    """Per placed child (the order of :func:`_placed`): DfE would know its distance (:func:`known_distance`)."""
    return _measured(population)[population.home >= 0]


def census_metrics(region: Region, population: Population) -> pd.Series:
    """Children, placed, waiting; % inside own council and % in own region (of placed children), % within 20
    miles (of placed children with a known distance, :func:`known_distance`: all but UASC, as DfE's is; expected
    from the councils' geometry, :func:`far_share`); mean distance; % of placed children in each home type.
    """
    home_council, where, far, kind = _placed(region, population)
    known = _known(population)
    distance = region.council_distances()[home_council, where]
    region_of = region.councils.region.to_numpy(dtype=object)
    n = len(home_council)
    pct = (lambda x: 100.0 * float(np.sum(x)) / n) if n else (lambda x: float("nan"))
    out = {
        "children": float(len(population)),
        "placed": float(n),
        "waiting": float(len(population) - n),
        "pct_inside_own_council": pct(home_council == where),
        "pct_within_20_miles": 100.0 * float(np.mean(1.0 - far[known])) if known.any() else float("nan"),
        "pct_inside_own_region": pct(region_of[home_council] == region_of[where]),
        "mean_distance_miles": float(distance.mean()) if n else float("nan"),
    }
    counts = np.bincount(kind, minlength=len(HOME_TYPES))
    out.update({f"pct_{t}": pct(counts[i]) if n else float("nan") for i, t in enumerate(HOME_TYPES)})
    return pd.Series(out)


def within_20_miles_as_dfe(region: Region, placements: pd.DataFrame | None = None) -> float:
    """% of the children in ``placements`` (schema ``placements``; default ``region.placements``) with a known
    distance (:func:`known_distance`: all but UASC) placed within 20 miles of home, measured as DfE measures it
    and as :func:`census_metrics` does: for England's councils expected from their district geometry (a child
    with its own council's family carers nearest first, with its relatives inside the council by the kinship
    locality), else by centroids (:func:`far_share`). A plan's own distances are its travel table's, between
    council centres and across each council's districts, for every child. NaN when no child is counted.

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> 0 < within_20_miles_as_dfe(gm) <= 100
    True
    """
    p = region.placements if placements is None else placements
    cohorts = region.cohorts.set_index("cohort_id")
    councils = pd.Index(region.councils.council_id)
    rows = p.placement_id.to_numpy() if "placement_id" in p else p.index.to_numpy()
    home = pd.Index(region.homes.home_id).get_indexer(p.home_id)
    child = councils.get_indexer(cohorts.council_id.reindex(p.cohort_id).to_numpy())
    children = pd.to_numeric(p.children, errors="coerce").to_numpy(dtype=float)
    for column, bad, expected in (
        ("home_id", home < 0, "a home of the region"),
        ("cohort_id", child < 0, "a cohort of the region"),
        ("children", ~(children >= 0) | (children != np.round(children)), "a whole number of children, 0 or more"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            row, value = (v.item() if isinstance(v, np.generic) else v for v in (rows[i], p[column].iloc[i]))
            raise InvalidInputError("placements", row, column, expected, value, more=int(bad.sum()) - 1)
    # the table's children as a stock (one entry per child; ages and months in care play no part), measured by
    # census_metrics itself
    each = children.astype(np.int64)
    need = pd.Index(NEEDS).get_indexer(cohorts.need.reindex(p.cohort_id).to_numpy())
    zero = np.zeros(int(each.sum()), dtype=np.int64)
    stock = Population(np.repeat(child, each), np.repeat(need, each), zero, np.repeat(home, each), zero, zero)
    return float(census_metrics(region, stock)["pct_within_20_miles"])


def council_metrics(region: Region, population: Population) -> pd.DataFrame:
    """Per home council: children, placed, waiting, % inside own council (of placed) and % within 20 miles (of
    placed with a known distance, :func:`known_distance`; expected from the councils' geometry,
    :func:`far_share`)."""
    home_council, where, far, _ = _placed(region, population)
    known = _known(population)
    k = len(region.councils)
    children = np.bincount(population.council, minlength=k)
    placed = np.bincount(home_council, minlength=k)
    measured = np.bincount(home_council[known], minlength=k)
    inside = np.bincount(home_council, weights=(home_council == where), minlength=k)
    near = np.bincount(home_council[known], weights=1.0 - far[known], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "council_id": region.councils.council_id.to_numpy(),
                "children": children,
                "placed": placed,
                "waiting": children - placed,
                "pct_inside_own_council": np.where(placed > 0, 100 * inside / placed, np.nan),
                "pct_within_20_miles": np.where(measured > 0, 100 * near / measured, np.nan),
            }
        )


def published_beside(metrics: pd.Series, council_ids: list[str] | None = None) -> pd.DataFrame:
    """The simulated census metrics beside DfE's published 31 March 2025 figures (printed, never fitted).

    ``council_ids``: the councils the published figures cover (default all England).
    """
    published = published_metrics(council_ids)
    rows = ["pct_inside_own_council", "pct_within_20_miles"]
    return pd.DataFrame(
        {"simulated": [float(metrics[r]) for r in rows], "published": [float(published[r]) for r in rows]}, index=rows
    )


def placement_matrix(region: Region, population: Population) -> np.ndarray:
    """Placed children by home council (rows) and the council their home is in (columns), table order."""
    placed = population.take(population.home >= 0)
    return _matrix(region, placed)


def own_carer_matrix(
    region: Region, population: Population, home_types: tuple[str, ...] = NEAR_CARERS
) -> np.ndarray:
    """The :func:`placement_matrix` of the children living with their own council's family carers
    (:data:`rcc.simulate.NEAR_CARERS`), whom :func:`mixed_far_share` measures nearest first; with
    ``home_types`` (of those), the children with those carers only (``("kinship",)``: its ``kin``)."""
    if isinstance(home_types, str):  # a name, not a tuple of names: its letters would be read as types
        raise InvalidInputError("home types", None, "home_types", "a tuple of home types", home_types)
    placed = population.take(population.home >= 0)
    return _matrix(region, placed.take(_own_carer(region, placed, tuple(home_types))))


def _home_type_indices(home_types: tuple[str, ...]) -> list[int]:
    """Positions in :data:`rcc.HOME_TYPES` of ``home_types`` (refused: a name given as a string, whose letters
    would be read as types, or a type rcc does not have)."""
    if isinstance(home_types, str):
        raise InvalidInputError("home types", None, "home_types", "a tuple of home types", home_types)
    unknown = [t for t in home_types if t not in HOME_TYPES]
    if unknown:
        raise InvalidInputError("home types", unknown[0], "home_type", f"one of {list(HOME_TYPES)}", unknown[0])
    return [HOME_TYPES.index(t) for t in home_types]


def _matrix(region: Region, placed: Population) -> np.ndarray:
    where = pd.Index(region.councils.council_id).get_indexer(region.homes.council_id)[placed.home]
    k = len(region.councils)
    return np.bincount(placed.council * k + where, minlength=k * k).reshape(k, k).astype(float)


def shares_by_council(matrix: np.ndarray, far: np.ndarray, known: np.ndarray | None = None) -> pd.DataFrame:
    """Per home council, in %, from a :func:`placement_matrix` (any counts by home council x placement's
    council) and a :func:`far_share` matrix (for a simulated stock, the one of that stock, or
    :func:`mixed_far_share`): ``outside`` own council, ``over_20`` miles from home,
    ``inside_over_20`` (of those placed inside), ``netgain_per_100`` (other councils' children placed in
    it minus its own placed outside, per 100 of its children placed); NaN where a council has none.

    ``known``: the placement matrix of the children with a known distance (:func:`known_distance`, as DfE
    measures the share over 20 miles; ``far`` then theirs), of which ``over_20`` is; default ``matrix``.
    """
    n = np.asarray(matrix, dtype=float)
    m = n if known is None else np.asarray(known, dtype=float)
    if m.shape != n.shape or (m > n + 1e-9 * max(1.0, float(n.max(initial=0.0)))).any():
        raise InvalidInputError(
            "shares by council", None, "known", f"a matrix of shape {n.shape}, each cell at most matrix's", m.shape
        )
    placed, inside = n.sum(axis=1), np.diag(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "outside": 100 * (1 - inside / placed),
                "over_20": 100 * (m * far).sum(axis=1) / m.sum(axis=1),
                "inside_over_20": 100 * np.diag(far),
                "netgain_per_100": 100 * (n.sum(axis=0) - placed) / placed,
            }
        )


def agreement(model: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pearson ``r``, mean absolute error ``mae`` and ``councils`` compared (rows where both are known)."""
    ok = model.notna() & truth.notna()
    x, y = model[ok].to_numpy(float), truth[ok].to_numpy(float)
    r = float(np.corrcoef(x, y)[0, 1]) if len(x) > 1 else float("nan")
    return {"r": r, "mae": float(np.abs(x - y).mean()) if len(x) else float("nan"), "councils": int(ok.sum())}


def region_flows(region: Region, matrix: np.ndarray) -> pd.DataFrame:
    """Per region (sorted by name), from a :func:`placement_matrix` (children by home council x placement's
    council): ``placed`` (the region's children placed), ``inside`` (of them, placed in a council of the same
    region), ``out`` (placed in another region), ``in`` (other regions' children placed in its councils) and
    ``net`` (``in`` minus ``out``: the region's net gain, as DfE counts a council's, with moves between its own
    councils cancelling); ``England`` last, the regions summed (its ``in`` and ``out``: children placed
    outside their own region; ``net`` 0 for counts, every child being placed in one of the regions). The matrix
    is read by position: rows and columns in the order of ``region.councils``.

    Raises
    ------
    InvalidInputError
        A matrix that is not councils x councils, or with a negative or non-finite cell.

    Examples
    --------
    >>> import rcc
    >>> england = rcc.datasets.england(today=False)
    >>> ids = england.council_ids
    >>> m = np.zeros((len(ids), len(ids)))
    >>> m[ids.index("E08000003"), ids.index("E08000035")] = 3.0  # Manchester's children in Leeds
    >>> m[ids.index("E08000003"), ids.index("E08000001")] = 2.0  # and in Bolton
    >>> region_flows(england, m).loc[["North West", "Yorkshire and The Humber", "England"]]
                              placed  inside  out   in  net
    region
    North West                   5.0     2.0  3.0  0.0 -3.0
    Yorkshire and The Humber     0.0     0.0  0.0  3.0  3.0
    England                      5.0     2.0  3.0  3.0  0.0
    """
    n = np.asarray(matrix, dtype=float)
    k = len(region.councils)
    if n.shape != (k, k):
        raise InvalidInputError("region flows", None, "matrix", f"a council x council matrix of shape {(k, k)}", n.shape)
    bad = ~np.isfinite(n) | (n < 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        ids = region.council_ids
        raise InvalidInputError(
            "region flows", f"{ids[i]} -> {ids[j]}", "matrix", "a finite count of 0 or more", n[i, j].item(),
            more=int(bad.sum()) - 1,
        )
    reg = region.councils.region.to_numpy(dtype=object)
    names = sorted(set(reg))
    member = (reg[:, None] == np.array(names, dtype=object)[None, :]).astype(float)
    flows = member.T @ n @ member  # home region x placement region
    inside = np.diag(flows)
    out = pd.DataFrame(
        {
            "placed": flows.sum(axis=1),
            "inside": inside,
            "out": flows.sum(axis=1) - inside,
            "in": flows.sum(axis=0) - inside,
        },
        index=pd.Index(names, name="region"),
    )
    out.loc["England"] = out.sum()
    return out.assign(net=out["in"] - out["out"])


def in_region_shares(region: Region, matrix: np.ndarray) -> pd.Series:
    """% of each region's placed children (by home council's region) placed in a council of the same
    region, from a :func:`placement_matrix` (:func:`region_flows`, which refuses the same matrices); ``England``
    last (all regions together); NaN for a region with no children placed."""
    flows = region_flows(region, matrix)
    return (100 * (flows.inside / flows.placed)).rename("pct_in_region").rename_axis(None)


def childrens_home_metrics(region: Region, population: Population) -> pd.Series:
    """Placed children living in children's homes: ``children``, ``mean_miles`` (a mean over children of the
    distance from home to the children's home, as Ofsted's 2022 study reports it from DfE's child-level
    distances, home postcode to placement postcode: for England's councils the expected distance of the
    district geometry, :func:`rcc.datasets.council_geometry`, else :meth:`rcc.Region.council_distances`),
    ``pct_outside_council``, ``pct_outside_region`` and ``pct_over_20_miles`` (expected, :func:`far_share`).
    The distances (``mean_miles``, ``pct_over_20_miles``) are of the children with a known distance
    (:func:`known_distance`), as DfE's and Ofsted's are; the rest of every child in a children's home."""
    home_council, where, far, kind = _placed(region, population)
    ch = kind == HOME_TYPES.index("childrens_home")
    child, at = home_council[ch], where[ch]
    measured = _known(population)[ch]
    mean = lambda x: float(np.mean(x[measured])) if measured.any() else float("nan")  # noqa: E731
    reg = region.councils.region.to_numpy(dtype=object)
    if not len(child):
        return pd.Series({"children": 0.0}).reindex(
            ["children", "mean_miles", "pct_outside_council", "pct_outside_region", "pct_over_20_miles"]
        )
    return pd.Series(
        {
            "children": float(len(child)),
            "mean_miles": mean(_mean_miles(region)[child, at]),
            "pct_outside_council": 100 * float(np.mean(child != at)),
            "pct_outside_region": 100 * float(np.mean(reg[child] != reg[at])),
            "pct_over_20_miles": 100 * mean(far[ch]),
        }
    )


#: The rows of :func:`distance_band_shares`, as DfE names its alternative distance groupings.
DISTANCE_BANDS = ("20 miles or less", "21-40 miles", "41-60 miles", "61-80 miles", "81-100 miles", "over 100 miles")


def distance_band_shares(
    region: Region,
    population: Population,
    home_types: tuple[str, ...] | None = None,
    *,
    edges_miles: tuple[float, ...] = BAND_EDGES_MILES,
) -> pd.Series:
    """Placed children (in homes of ``home_types``, default all), % by distance from home in DfE's alternative
    groupings (:data:`DISTANCE_BANDS`), or beyond 20 miles by other upper edges ``edges_miles`` (whole miles, ascending,
    each above 20 miles; labelled as DfE's are: ``(50.0, 100.0)`` gives "20 miles or less", "21-50 miles",
    "51-100 miles", "over 100 miles"), of those with a known distance (:func:`known_distance`), as DfE's are.
    The share over 20 miles is :func:`census_metrics`'s (expected,
    :func:`far_share`: a child with its own council's family carers nearest first, with its relatives inside the
    council by the kinship locality); each pair of councils' children beyond 20 miles spread over the bands as
    independent points of their district discs do (:func:`rcc.datasets.distance_bands`), for those measured
    nearest first too (which overstates their tail a little: nearest first, fewer of them are far beyond 20 miles). Councils that are not England's: their centroid distances
    (:meth:`rcc.Region.council_distances`), each child in one band. NaN when no child is counted.

    Examples
    --------
    >>> import rcc
    >>> region = rcc.datasets.england("Greater Manchester RCC", today=False)
    >>> sim = rcc.simulate.simulate(region, years=1, seed=0)
    >>> shares = distance_band_shares(region, sim.population)
    >>> round(float(shares.sum()), 6)
    100.0
    """
    edges = band_edges(edges_miles)
    labels = _band_labels(edges)
    kinds = None if home_types is None else _home_type_indices(home_types)
    home_council, where, far, kind = _placed(region, population)
    take = _known(population) if kinds is None else _known(population) & np.isin(kind, kinds)
    home_council, where, far = home_council[take], where[take], far[take]
    if not len(home_council):
        return pd.Series(np.nan, index=labels, name="pct_placed")
    if england_geometry(region.council_ids) is not None:
        beyond = distance_bands(region.council_ids, edges_miles=edges)[home_council, where]  # child x band, sums to 1
    else:
        miles = region.council_distances()[home_council, where]
        band = np.searchsorted(np.asarray(edges), miles, side="left")
        beyond = np.eye(len(edges) + 1)[band]
    cells = np.column_stack([1.0 - far, far[:, None] * beyond])
    return pd.Series(100 * cells.mean(axis=0), index=labels, name="pct_placed")


def _band_labels(edges: tuple[float, ...]) -> list[str]:
    """DfE's labels for the bands up to 20 miles and beyond it by upper ``edges``: "21-40 miles", "over 100 miles"."""
    lows = (FAR_MILES, *edges[:-1])
    mid = [f"{lo + 1:g}-{hi:g} miles" for lo, hi in zip(lows, edges, strict=True)]
    return [f"{FAR_MILES:g} miles or less", *mid, f"over {edges[-1]:g} miles"]


def locality_by_type(region: Region, population: Population, home_types: tuple[str, ...]) -> pd.Series:
    """Placed children in homes of ``home_types``, % by where they live as DfE's placement-location release
    counts them: inside or outside their council's boundary, 20 miles or less from home or more (expected,
    :func:`far_share`: a child with its own council's family carers nearest first, with its relatives inside the
    council by the kinship locality); of those with a known distance (:func:`known_distance`), as DfE's table
    is. NaN when there are none."""
    kinds = _home_type_indices(home_types)
    home_council, where, far, kind = _placed(region, population)
    take = np.isin(kind, kinds) & _known(population)
    inside, far = home_council[take] == where[take], far[take]
    cells = {
        "inside, 20 miles or less": (1 - far) * inside,
        "inside, over 20 miles": far * inside,
        "outside, 20 miles or less": (1 - far) * ~inside,
        "outside, over 20 miles": far * ~inside,
    }
    return pd.Series({k: 100 * float(v.mean()) if len(v) else float("nan") for k, v in cells.items()})
