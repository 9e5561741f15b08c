"""Editable defaults: candidate options (and, re-exported, the demand forecast from a Region).

:func:`forecast_from_region` and :data:`EXAMPLE_GROWTH` are
:func:`rcc.forecast.forecast_from_region` and :data:`rcc.forecast.EXAMPLE_GROWTH`
(one definition; growth is a yearly rate, ``0.03`` = +3% a year).

The money figures are order-of-magnitude planning assumptions for England,
labelled as such (DESIGN.md), not published prices: replace them with local
figures before a plan is used for decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.datasets.england import DEFAULT_WEEKLY_COST_GBP
from rcc.forecast.region import EXAMPLE_GROWTH, forecast_from_region

__all__ = ["DEFAULT_OPTION_ASSUMPTIONS", "EXAMPLE_GROWTH", "default_options", "forecast_from_region"]

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
