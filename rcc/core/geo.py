"""Distances, the DfE way: straight lines between centroids, in miles."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_MILES", "haversine_miles", "within_council_miles", "distance_matrix"]

#: Mean Earth radius in miles.
EARTH_RADIUS_MILES = 3958.8
_KM_PER_MILE = 1.609344


def haversine_miles(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in miles (broadcasting).

    >>> round(float(haversine_miles(53.4808, -2.2426, 53.4084, -2.9916)), 1)
    31.2
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def within_council_miles(area_km2: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Typical distance of a placement inside a council of the given area.

    The mean distance between two random points of a disc of radius r is
    128 r / (45 pi) (about 0.905 r); the council is taken as a disc of its area.

    >>> round(float(within_council_miles(115.6)), 2)
    3.41
    """
    r_km = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)
    return 128.0 * r_km / (45.0 * np.pi) / _KM_PER_MILE


def distance_matrix(
    lat: npt.ArrayLike, lon: npt.ArrayLike, area_km2: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """Council x council distances in miles; the diagonal is the within-council distance."""
    lat_a = np.asarray(lat, dtype=float)
    lon_a = np.asarray(lon, dtype=float)
    d = haversine_miles(lat_a[:, None], lon_a[:, None], lat_a[None, :], lon_a[None, :])
    if area_km2 is not None:
        np.fill_diagonal(d, within_council_miles(area_km2))
    return d
