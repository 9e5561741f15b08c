"""Where a council's family carers live: the share inside its boundary, from its area and a published national share.

A council's kinship carers (relatives and friends) and its in-house foster carers live near the children
they care for; how many of them live inside the council depends on its size. :func:`carer_inside_share`
puts them there from DfE's published national inside share of each kind, never the council's own
published figure (a target of the calibration); :mod:`rcc.datasets.supply` spreads the rest over the
nearest councils.
"""

from __future__ import annotations

import numpy as np

from rcc.core.errors import InvalidInputError
from rcc.datasets.calibration import regional_parameter, simulation_calibration

__all__ = ["ISLANDS", "carer_inside_share", "carer_local_share"]

_MILES_PER_KM = 1 / 1.609344
_QUANTILES = (np.arange(200) + 0.5) / 200  # of the carer displacement distribution (quadrature)


def _inside_disc(displacement_miles: float, radius_miles: np.ndarray) -> np.ndarray:
    """Chance a point of a disc moved ``displacement`` (exponential with this mean, any direction) stays in
    it: the overlap of two discs of the radius whose centres are that far apart, as a share of one, averaged
    over the displacement's quantiles."""
    x = np.minimum(-displacement_miles * np.log1p(-_QUANTILES)[None, :] / radius_miles[:, None], 2.0)
    return (2 / np.pi * (np.arccos(x / 2) - x / 2 * np.sqrt(1 - x**2 / 4))).mean(axis=1)


#: Councils whose whole area is an island (ONS: Isle of Wight, Isles of Scilly): their family carers live on
#: the island (:func:`carer_inside_share`): the typical distance from the children assumes land all around.
ISLANDS: tuple[str, ...] = ("E06000046", "E06000053")


def carer_inside_share(
    area_km2: np.ndarray,
    weights: np.ndarray,
    national: float,
    local: float | np.ndarray | None = None,
    island: np.ndarray | None = None,
) -> np.ndarray:
    """Share of each council's carers of one kind living inside it, from its area and a published national share.

    A share ``local`` of carers are the council's own residents wherever its boundary runs (recruited in its
    area); the others live a typical distance from the children they care for (exponential in any
    direction, one mean for England), and a council is a disc of its area, so the chance that distance keeps
    them in the disc is high in a large county, low in a small borough. The mean distance is solved
    (bisection) so that the share over England, ``weights`` (the council's children of the kind) averaged,
    equals ``national``, the published figure. No council's own published inside share is used.

    Parameters
    ----------
    area_km2, weights : numpy.ndarray
        Per council: area, and children of the kind (the national average's weights).
    national : float
        The published share inside over England (above ``local``).
    local : float or numpy.ndarray, optional
        One share, or one per council (a region's calibrated share for its councils). Default
        :func:`carer_local_share` (calibrated, global).
    island : numpy.ndarray of bool, optional
        Per council: an island (:data:`ISLANDS`), whose carers all live inside it (the sea around it holds
        none); the others' mean distance is solved with the islands in England's share.

    Examples
    --------
    >>> s = carer_inside_share(np.array([15.0, 3000.0]), np.array([1.0, 1.0]), 0.6, local=0.0)
    >>> bool(s[0] < 0.6 < s[1]), round(float(s.mean()), 3)
    (True, 0.6)
    """
    radius = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi) * _MILES_PER_KM
    local = np.broadcast_to(np.asarray(carer_local_share() if local is None else local, dtype=float), radius.shape)
    bad = ~((local >= 0.0) & (local < national)) | (national > 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError("supply", i, "carer_local_share", f"from 0 to below the national {national}", local[i])
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / max(len(w), 1))
    alone = np.zeros(radius.shape, dtype=bool) if island is None else np.asarray(island, dtype=bool)
    share = lambda mean: np.where(alone, 1.0, local + (1.0 - local) * _inside_disc(mean, radius))  # noqa: E731
    lo, hi = 1e-3, 1e3
    for _ in range(60):  # geometric bisection on the mean distance: the share falls as it grows
        mid = float(np.sqrt(lo * hi))
        lo, hi = (mid, hi) if float(w @ share(mid)) > national else (lo, mid)
    return share(float(np.sqrt(lo * hi)))


def carer_local_share(regions: object = None) -> float | np.ndarray:
    """The calibrated share of a council's kinship and in-house carers who are its own residents whatever its
    size (``carer_local_share`` in :func:`rcc.datasets.simulation_calibration`; 0 in a record without it);
    given ``regions`` (one region name per council), one share per council: its region's calibrated share
    (:func:`rcc.datasets.calibration.regional_parameter`)."""
    if regions is not None:
        return regional_parameter("carer_local_share", regions)
    return float(simulation_calibration()["parameters"].get("carer_local_share", 0.0))
