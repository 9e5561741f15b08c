"""The simulation's calibrated parameters, shipped as package data (``simulation_calibration.json``).

Written by ``scripts/calibrate_simulation.py`` (its date, sources, method, the fit and held-out figures
are in the file); read by :func:`rcc.datasets.council_geometry` (``district_spread``) and
:func:`rcc.simulate.simulate` (``suit_scale``) as their defaults.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["CALIBRATED_PARAMETERS", "simulation_calibration"]

#: The parameters the calibration fits (global: one value for all of England).
CALIBRATED_PARAMETERS = ("suit_scale", "district_spread")


@functools.cache
def _calibration() -> dict[str, Any]:
    with resources.files("rcc.datasets").joinpath("data", "simulation_calibration.json").open("r") as f:
        return json.load(f)


def simulation_calibration() -> dict[str, Any]:
    """The calibration record: ``parameters`` (``suit_scale``: multiple of every home type's chance that
    a free place suits a child, capped at 1; ``district_spread``: district disc radius multiple), and
    ``created``, ``sources``, ``method``, ``fit`` and ``held_out`` as the script wrote them.

    Examples
    --------
    >>> sorted(simulation_calibration()["parameters"])
    ['district_spread', 'suit_scale']
    """
    return copy.deepcopy(_calibration())
