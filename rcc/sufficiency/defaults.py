"""Editable defaults: a demand forecast from a Region, and candidate options.

The money figures are order-of-magnitude planning assumptions for England,
labelled as such (DESIGN.md), not published prices: replace them with local
figures before a plan is used for decisions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import MAX_COUNT, NEEDS
from rcc.datasets.england import DEFAULT_WEEKLY_COST_GBP
from rcc.sufficiency.params import MAX_YEARS

__all__ = ["DEFAULT_OPTION_ASSUMPTIONS", "EXAMPLE_GROWTH", "default_options", "forecast_from_region"]

#: Yearly growth of children looked after by need used by the examples, the
#: benchmark and ``rcc sufficiency`` (others flat). A planning scenario, not a
#: published projection: replace it with a local forecast.
EXAMPLE_GROWTH: Mapping[str, float] = MappingProxyType(
    {"complex": 0.03, "supported_16plus": 0.03, "secure": 0.05, "mainstream": 0.01, "uasc": 0.02}
)

#: Candidate options per council and per region, with their editable default
#: assumptions (GBP, places, months). Order of magnitude only.
DEFAULT_OPTION_ASSUMPTIONS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        # recruit in-house foster carers: a step of 5 places (about 3 households);
        # recruitment, assessment and panel take ~6-8 months
        "foster": MappingProxyType(
            dict(
                home_type="in_house_fostering",
                needs="mainstream;sibling_group;parent_child;uasc",
                min_age=0,
                max_age=17,
                places_per_unit=5,
                capital_cost_gbp=0.0,
                start_up_cost_gbp=60_000.0,  # GBP 12k per place recruited
                annual_running_cost_gbp=25_000.0,  # support, training, supervising social work per step
                weekly_cost_gbp=DEFAULT_WEEKLY_COST_GBP["in_house_fostering"],
                lead_time_months=8,
                recruit_share_per_year=0.05,  # yearly limit: 5% of the council's in-house places
                max_years_of_recruitment=5,
            )
        ),
        # a new council-run 4-bed children's home (purchase, adaptation, staffing, registration)
        "home": MappingProxyType(
            dict(
                home_type="childrens_home",
                needs="complex;disability",
                min_age=8,
                max_age=17,
                places_per_unit=4,
                capital_cost_gbp=1_000_000.0,
                start_up_cost_gbp=150_000.0,
                annual_running_cost_gbp=900_000.0,  # staffing a 4-bed home, occupied or not
                weekly_cost_gbp=400.0,  # per occupied place (food, activities, education support)
                lead_time_months=18,
                max_units=3,
                max_units_per_year=1,
            )
        ),
        # supported lodgings / accommodation for 16-17 year olds
        "supported": MappingProxyType(
            dict(
                home_type="supported_accommodation",
                needs="supported_16plus;uasc",
                min_age=16,
                max_age=17,
                places_per_unit=6,
                capital_cost_gbp=450_000.0,
                start_up_cost_gbp=50_000.0,
                annual_running_cost_gbp=300_000.0,
                weekly_cost_gbp=150.0,
                lead_time_months=12,
                max_units=2,
                max_units_per_year=1,
            )
        ),
        # a regional secure / high-support specialist unit, serving the whole DfE region
        "regional_secure": MappingProxyType(
            dict(
                home_type="secure_home",
                needs="secure;complex",
                min_age=10,
                max_age=17,
                places_per_unit=4,
                capital_cost_gbp=6_000_000.0,
                start_up_cost_gbp=500_000.0,
                annual_running_cost_gbp=2_000_000.0,
                weekly_cost_gbp=500.0,
                lead_time_months=36,
                max_units=2,
                max_units_per_year=1,
            )
        ),
    }
)


def forecast_from_region(
    region: Region,
    years: int = 5,
    growth: float | Mapping[str, float] = 0.0,
    group_size: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """A demand forecast: each cohort's children grown yearly by need.

    Year 1 is the region's cohorts as they are; year y has
    ``round(children * (1 + growth[need]) ** (y - 1))``, rounded up to whole
    groups for needs with a ``group_size``.

    Parameters
    ----------
    region : Region
    years : int
        Plan years.
    growth : float or Mapping[str, float]
        Yearly growth rate, for every need or by need (missing needs: 0).
    group_size : Mapping[str, int], optional
        Children placed together by need (e.g. ``{"sibling_group": 2}``).

    Returns
    -------
    pandas.DataFrame
        The ``forecast`` table (cohort_id, year, children, group_size).

    Examples
    --------
    >>> import rcc
    >>> f = forecast_from_region(rcc.datasets.england("Greater Manchester RCC"), years=3, growth={"complex": 0.1})
    >>> sorted(f.year.unique().tolist())
    [1, 2, 3]
    """
    if not _real(years) or not (1 <= years <= MAX_YEARS) or int(years) != years:
        raise InvalidInputError("forecast", None, "years", f"a whole number of years from 1 to {MAX_YEARS}", years)
    if isinstance(growth, Mapping):
        for n in growth:
            if n not in NEEDS:
                raise InvalidInputError("forecast", None, "growth", f"a need from {list(NEEDS)}", n)
        rates = {n: growth.get(n, 0.0) for n in NEEDS}
    else:
        rates = {n: growth for n in NEEDS}
    for n, g in rates.items():
        if not _real(g) or not (-1 < g < math.inf):
            raise InvalidInputError("forecast", n, "growth", "a finite yearly rate > -1", g)
    sizes = dict(group_size or {})
    for n, k in sizes.items():
        if n not in NEEDS:
            raise InvalidInputError("forecast", None, "group_size", f"a need from {list(NEEDS)}", n)
        if not _real(k) or not (1 <= k <= MAX_COUNT) or int(k) != k:
            raise InvalidInputError("forecast", n, "group_size", f"a whole number of children from 1 to {MAX_COUNT:,}", k)
    c = region.cohorts
    rate = c.need.map({n: float(g) for n, g in rates.items()}).to_numpy(dtype=float)
    ys = np.arange(1, int(years) + 1)
    with np.errstate(over="ignore"):
        children = np.round(c.children.to_numpy(dtype=float)[:, None] * (1 + rate[:, None]) ** (ys[None, :] - 1))
    g = c.need.map(lambda n: int(sizes.get(n, 1))).to_numpy(dtype=float)[:, None]
    children = g * np.ceil(children / g)
    too_many = ~(children <= MAX_COUNT)
    if too_many.any():
        i, y = (int(a[0]) for a in np.nonzero(too_many))
        raise InvalidInputError(
            "forecast", c.cohort_id.iloc[i], "children", f"at most {MAX_COUNT:,} children in year {y + 1} (check growth and years)", children[i, y]
        )
    return pd.DataFrame(
        {
            "cohort_id": np.repeat(c.cohort_id.to_numpy(), len(ys)),
            "year": np.tile(ys, len(c)),
            "children": children.ravel().astype(np.int64),
            "group_size": np.repeat(g[:, 0].astype(np.int64), len(ys)),
        }
    )


def _real(x: object) -> bool:
    """A real number, not a bool or text."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_)


#: Columns of an option taken as they are from its kind's assumptions.
_ASSUMED = ("home_type", "needs", "min_age", "max_age", "places_per_unit", "capital_cost_gbp", "start_up_cost_gbp",
            "annual_running_cost_gbp", "weekly_cost_gbp", "lead_time_months")


def _council_options(cid: str, assumptions: Mapping[str, Mapping[str, object]], inhouse_places: float) -> list[dict[str, object]]:
    """One council's options: recruit foster carers (a yearly limit from its in-house places), a new
    children's home, new 16+ supported accommodation."""
    f = assumptions["foster"]
    per_year = max(1, int(round(inhouse_places * float(f["recruit_share_per_year"]) / float(f["places_per_unit"]))))  # type: ignore[arg-type]
    rows: list[dict[str, object]] = [
        dict(
            option_id=f"foster:{cid}",
            name=f"Recruit foster carers ({f['places_per_unit']} places a step)",
            council_id=cid,
            provider_id=f"LA:{cid}",
            max_units=per_year * int(f["max_years_of_recruitment"]),  # type: ignore[call-overload]
            max_units_per_year=per_year,
            **{k: f[k] for k in _ASSUMED},
        )
    ]
    for kind, label in (("home", "New 4-bed children's home"), ("supported", "New 16+ supported accommodation")):
        a = assumptions[kind]
        rows.append(
            dict(
                option_id=f"{kind}:{cid}",
                name=label,
                council_id=cid,
                provider_id=f"LA:{cid}",
                max_units=a["max_units"],
                max_units_per_year=a["max_units_per_year"],
                **{k: a[k] for k in _ASSUMED},
            )
        )
    return rows


def default_options(
    region: Region,
    council_ids: Iterable[str] | None = None,
    assumptions: Mapping[str, Mapping[str, object]] = DEFAULT_OPTION_ASSUMPTIONS,
) -> pd.DataFrame:
    """Reasonable candidate options for the councils of a region.

    Per council: recruit in-house foster carers (steps of places, a yearly
    recruitment limit from the council's current in-house places), open up to
    three new 4-bed children's homes (one a year), open 16+ supported
    accommodation. Per DfE region represented: one regional secure /
    high-support unit, at the council with the most complex and secure
    demand, serving the whole DfE region (``scope="regional"``). Council-run
    (provider ``LA:<council>``, sector council) except the regional unit
    (provider ``RCC:<region>``).

    Parameters
    ----------
    region : Region
    council_ids : iterable of str, optional
        Councils to generate options for (default: all of the region's).
    assumptions : Mapping
        Money, places and lead times per kind (:data:`DEFAULT_OPTION_ASSUMPTIONS`).

    Returns
    -------
    pandas.DataFrame
        An ``options`` table.

    Examples
    --------
    >>> import rcc
    >>> opts = default_options(rcc.datasets.england("Greater Manchester RCC"))
    >>> sorted(opts.home_type.unique().tolist())
    ['childrens_home', 'in_house_fostering', 'secure_home', 'supported_accommodation']
    """
    councils = region.councils.set_index("council_id")
    ids = list(council_ids) if council_ids is not None else region.council_ids
    for cid in ids:
        if cid not in councils.index:
            raise InvalidInputError("councils", cid, "council_id", "a council of the region", cid)
    inhouse = region.homes[region.homes.home_type == "in_house_fostering"].groupby("council_id").places.sum()
    rows = [row for cid in ids for row in _council_options(cid, assumptions, float(inhouse.get(cid, 100)))]
    demand = region.cohorts[region.cohorts.need.isin(["complex", "secure"])].groupby("council_id").children.sum()
    for reg, members in councils.loc[ids].groupby("region").groups.items():
        host = max(members, key=lambda c: (float(demand.get(c, 0)), c))
        a = assumptions["regional_secure"]
        rows.append(
            dict(
                option_id=f"regional_secure:{reg}",
                name=f"Regional secure / high-support unit ({reg})",
                council_id=host,
                provider_id=f"RCC:{reg}",
                sector="council",
                scope="regional",
                max_units=a["max_units"],
                max_units_per_year=a["max_units_per_year"],
                **{k: a[k] for k in _ASSUMED},
            )
        )
    out = pd.DataFrame(rows)
    if "sector" in out:
        out["sector"] = out.sector.fillna("council")
    if "scope" in out:
        out["scope"] = out.scope.fillna("council")
    return out
