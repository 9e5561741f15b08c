"""The simulation's calibrated parameters, shipped as package data (``simulation_calibration.json``).

Written by ``scripts/calibrate_simulation.py`` (its date, sources, method, the fit and held-out figures
are in the file); read by :func:`rcc.datasets.council_geometry` (``district_spread``), the supply
(``carer_local_share``) and :func:`rcc.simulate.simulate` (``suit_scale``, ``match_spread``,
``residential_suit``, ``residential_spread``) as their defaults. The published figures
the calibration holds out (printed beside the model, never fitted to) are here with their sources.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError

__all__ = [
    "CALIBRATED_PARAMETERS",
    "CHILDRENS_HOMES_PUBLISHED",
    "DISTANCE_BANDS_PUBLISHED",
    "DISTANCE_BANDS_SOURCE",
    "DISTANCE_TAIL_PUBLISHED",
    "DISTANCE_TAIL_SOURCE",
    "IN_REGION_SOURCE",
    "PUBLISHED_IN_REGION",
    "PUBLISHED_IN_REGION_PCT",
    "KINSHIP_LOCALITY_PUBLISHED",
    "KINSHIP_LOCALITY_SOURCE",
    "REGIONAL_PARAMETERS",
    "regional_parameter",
    "simulation_calibration",
]

#: The parameters the calibration fits (global: one value for all of England).
CALIBRATED_PARAMETERS = (
    "suit_scale",
    "district_spread",
    "match_spread",
    "residential_suit",
    "residential_spread",
    "carer_local_share",
)
#: The parameters the calibration fits per region (two per region; a region without a value takes the
#: global one): ``carer_local_share`` (as the global parameter, for the region's councils) and
#: ``match_spread_scale`` (a multiple of ``match_spread`` for the homes in the region,
#: :attr:`rcc.flows.ChoiceRule.region_spread`; globally 1): how far a child who is hard to match goes.
REGIONAL_PARAMETERS = ("carer_local_share", "match_spread_scale")
_GLOBAL_DEFAULT = {"match_spread_scale": 1.0}


@functools.cache
def _calibration() -> dict[str, Any]:
    with resources.files("rcc.datasets").joinpath("data", "simulation_calibration.json").open("r") as f:
        return json.load(f)


def simulation_calibration() -> dict[str, Any]:
    """The calibration record: ``parameters`` (``suit_scale``: multiple of every home type's chance that
    a free place suits a child, capped at 1; ``match_spread``: how unequal children are to match with agency
    and residential places; ``residential_suit``: the chance a free place in a children's home or residential
    school suits a child; ``residential_spread``: a multiple of ``match_spread`` for those homes;
    ``carer_local_share``: the share of a council's family carers who are its residents
    whatever its size; ``district_spread``: district disc radius multiple), and
    ``created``, ``sources``, ``method``, ``fit`` and ``held_out`` as the script wrote them.

    Examples
    --------
    >>> sorted(simulation_calibration()["parameters"])
    ['carer_local_share', 'district_spread', 'match_spread', 'residential_spread', 'residential_suit', 'suit_scale']
    """
    return copy.deepcopy(_calibration())


def regional_parameter(name: str, regions: object) -> np.ndarray:
    """The calibrated value of a per-region parameter (:data:`REGIONAL_PARAMETERS`) for each of ``regions``
    (region names, e.g. a councils table's ``region`` column): the record's ``regional`` value for the
    region, else the global parameter (``match_spread_scale``: 1).

    Examples
    --------
    >>> v = regional_parameter("match_spread_scale", ["North West", "Atlantis"])
    >>> float(v[1])
    1.0
    """
    if name not in REGIONAL_PARAMETERS:
        raise InvalidInputError("calibration", None, "parameter", f"one of {list(REGIONAL_PARAMETERS)}", name)
    record = _calibration()
    default = float(record["parameters"].get(name, _GLOBAL_DEFAULT.get(name, 0.0)))
    per_region = record.get("regional", {}).get(name, {})
    names = pd.Series(np.asarray(regions, dtype=object).ravel(), dtype=object)
    return names.map(per_region).astype(float).fillna(default).to_numpy(dtype=float)


#: Each region's children looked after on 31 March 2023 and 2024 and how many of them were placed inside their own
#: region (DfE figures released under a Freedom of Information request, rounded to the nearest 10; published by the
#: South East RCC with Data to Insight: SESLIP "Briefing #002: Cross-regional placements", seslip.co.uk). Held out:
#: printed beside the model, never fitted to. ``(children, placed in region)`` by region and year.
PUBLISHED_IN_REGION: dict[str, dict[int, tuple[int, int]]] = {
    "East Midlands": {2023: (6620, 5520), 2024: (6570, 5440)},
    "East of England": {2023: (7050, 5870), 2024: (6870, 5710)},
    "London": {2023: (9680, 7470), 2024: (9640, 7430)},
    "North East": {2023: (5970, 5510), 2024: (6110, 5570)},
    "North West": {2023: (15150, 14210), 2024: (15090, 14140)},
    "South East": {2023: (11260, 9160), 2024: (11180, 8990)},
    "South West": {2023: (6900, 5790), 2024: (6980, 5810)},
    "West Midlands": {2023: (11820, 10620), 2024: (11920, 10700)},
    "Yorkshire and The Humber": {2023: (9370, 8250), 2024: (9270, 8130)},
    "England": {2023: (83820, 72400), 2024: (83630, 71920)},
}
#: The published share (%) of each region's children placed inside their own region, 2023 and 2024, from the
#: counts of :data:`PUBLISHED_IN_REGION` (to 0.1 point; the release's own percentages are rounded to whole points).
PUBLISHED_IN_REGION_PCT: dict[str, dict[int, float]] = {
    name: {year: round(100 * inside / children, 1) for year, (children, inside) in years.items()}
    for name, years in PUBLISHED_IN_REGION.items()
}
IN_REGION_SOURCE = (
    "DfE, FOI release of children looked after placed inside their own region, 31 March 2023 and 2024, "
    "published in SESLIP Briefing #002: Cross-regional placements (South East RCC, Data to Insight)"
)

#: Children living in children's homes: published figures (held out, never fitted to), each with its
#: statistic, date and source. ``mean_miles``: the mean straight-line distance from home of children in
#: children's homes with a known distance (a mean, dominated by a long tail), 31 March 2020;
#: ``pct_outside_region``: "around 30%" of them placed outside their home region (the same study, as
#: summarised at publication); ``pct_outside_council``: children in secure homes and children's homes
#: placed outside their council's boundary, 31 March 2015 (3,550 of 6,000; the latest year in the text
#: rcc has).
CHILDRENS_HOMES_PUBLISHED: dict[str, tuple[float, str]] = {
    "mean_miles": (
        36.0,
        "Ofsted, What types of needs do children's homes offer care for? (8 July 2022; DfE child-level data, "
        "31 March 2020): average distance 36 miles for all children in children's homes",
    ),
    "pct_outside_region": (
        30.0,
        "Ofsted, What types of needs do children's homes offer care for? (8 July 2022), as summarised at "
        "publication (vulnerability360.org.uk): around 30% of children placed in children's homes outside their region",
    ),
    "pct_outside_council": (
        59.0,
        "DfE, Children looked after: a focus on placement location (data set 'Placement type for CLA outside "
        "LA boundary'), 31 March 2015: secure homes and children's homes 3,550 outside, 2,450 inside",
    ),
}

#: Children in foster placements with a relative or friend (kinship), England, 31 March 2015, by where they
#: lived: inside or outside their council's boundary, 20 miles or less from home or more (numbers rounded to
#: the nearest 10; the distance unknown for about 90 more, not counted here). Its three figures are inputs
#: (``supply_figures.csv``): the share inside (``kinship_inside_share``), of those outside the share more than
#: 20 miles from home, which the distance decay of where relatives beyond the boundary live is set to meet
#: (``kinship_range_miles``), and of those inside the same share, which the nearest-first scale of relatives
#: inside the council is set to meet (``kinship_locality_miles``). Printed beside the model (checking that
#: they are met), never in the calibration's loss.
KINSHIP_LOCALITY_PUBLISHED: dict[str, float] = {
    "inside, 20 miles or less": 5490.0,
    "inside, over 20 miles": 90.0,
    "outside, 20 miles or less": 1380.0,
    "outside, over 20 miles": 870.0,
}
#: Where :data:`KINSHIP_LOCALITY_PUBLISHED` comes from.
KINSHIP_LOCALITY_SOURCE = (
    "DfE, Children looked after: a focus on placement location (data set 'Types of placement for CLA by "
    "distance locality'), 31 March 2015, England: foster placements with relative or friend"
)

#: Children looked after in England on 31 March 2015 with a known distance from home, by DfE's alternative
#: distance groupings (numbers rounded to the nearest 10; 3,550 more with the distance not known or not
#: recorded, mostly UASC, not counted here). "over 100 miles" is not in the text rcc has: it is the 12,820
#: children over 20 miles less the four bands to 100 miles (so within about 50 of the published count). Held
#: out: printed beside the model (``benchmarks/bench_realism.py``), never in the calibration's loss.
DISTANCE_BANDS_PUBLISHED: dict[str, float] = {
    "20 miles or less": 53100.0,
    "21-40 miles": 6500.0,
    "41-60 miles": 2370.0,
    "61-80 miles": 1300.0,
    "81-100 miles": 800.0,
    "over 100 miles": 1850.0,
}
#: Children looked after by English councils living more than 50 and more than 100 miles from home, 31 March
#: 2020 to 2024 (rounded to 10; excluding a series of short-term placements), beside the children with a known
#: distance that year (England's published 20 miles or less plus over 20 miles, 2021 to 2024: DfE's placement
#: summary; 2020 is not in the release rcc has). Held out: printed beside the model
#: (``benchmarks/bench_realism.py``), never in the calibration's loss.
DISTANCE_TAIL_PUBLISHED: dict[int, dict[str, float]] = {
    2020: {"over 50 miles": 6850.0, "over 100 miles": 2920.0, "known distance": float("nan")},
    2021: {"over 50 miles": 7210.0, "over 100 miles": 2990.0, "known distance": 59320.0 + 16860.0},
    2022: {"over 50 miles": 7010.0, "over 100 miles": 2970.0, "known distance": 58950.0 + 17020.0},
    2023: {"over 50 miles": 7210.0, "over 100 miles": 3060.0, "known distance": 58230.0 + 17660.0},
    2024: {"over 50 miles": 7350.0, "over 100 miles": 3120.0, "known distance": 57590.0 + 18020.0},
}
#: Where :data:`DISTANCE_TAIL_PUBLISHED` comes from.
DISTANCE_TAIL_SOURCE = (
    "DfE, answer to a written parliamentary question (Janet Daby MP, Parliamentary Under-Secretary of State for "
    "Education, to Jake Richards MP; made public 25 March 2025, before the second reading of his Looked After "
    "Children (Distance Placements) Bill): children looked after by English local authorities living more than 50 "
    "and more than 100 miles from home, 31 March 2020 to 2024, rounded to the nearest 10; children with a known "
    "distance: DfE, Children looked after in England including adoptions, placement summary, England"
)
#: Where :data:`DISTANCE_BANDS_PUBLISHED` comes from.
DISTANCE_BANDS_SOURCE = (
    "DfE, Children looked after: a focus on placement location (data sets 'Alternative placement distance "
    "groupings for CLA' and 'Placement distance for CLA': 20 miles or less 53,100, over 20 miles 12,820), "
    "31 March 2015, England"
)
