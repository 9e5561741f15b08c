"""Hypothesis strategies for rcc's tables, regions and sufficiency cases (public API).

Use them to property-test your own constraints and scenarios::

    from hypothesis import given
    from rcc.testing import strategies as rst

    @given(rst.regions(max_councils=4))
    def test_capacity(region):
        plan = rcc.plan(region)
        used = plan.placements.groupby("home_id").children.sum()
        assert (used <= region.homes.set_index("home_id").places[used.index]).all()

Every table strategy is :func:`table_frames` of a schema record (columns, order
and dtypes from :data:`rcc.core.schema.TABLES` or :data:`rcc.sufficiency.SUFFICIENCY_TABLES`,
values from :func:`column_elements` unless narrowed), drawn column by column
with :func:`hypothesis.extra.pandas.data_frames`. Ids are ``<prefix>0, <prefix>1, ...``;
money is drawn in whole pounds. Arguments are checked when the strategy is
built and raise :class:`hypothesis.errors.InvalidArgument`. Every table passes
:func:`rcc.core.validate.normalise` of its record, every region
:meth:`rcc.Region.from_frames`, every :class:`SufficiencyCase`
:func:`rcc.sufficiency.sufficiency_plan`'s validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS, TABLES
from rcc.sufficiency.tables import BUDGETS, CLOSURES, COSTS, FORECAST, OPTIONS
from rcc.testing.frames import (
    _BAND_ENDS,
    _BAND_STARTS,
    _LAT,
    _LON,
    _band_ages,
    _check_min,
    _check_size,
    _check_values,
    _need_lists,
    _renumber,
    column_elements,
    table_frames,
)

__all__ = [
    "SufficiencyCase",
    "budgets",
    "closures",
    "cohorts",
    "column_elements",
    "costs",
    "councils",
    "feasible_regions",
    "forecasts",
    "held_regions",
    "homes",
    "options",
    "placements",
    "regions",
    "sufficiency_cases",
    "table_frames",
    "transport_regions",
]

def councils(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[pd.DataFrame]:
    """A councils table with ids ``C0, C1, ...`` at random points in England.

    >>> councils(min_size=2, max_size=3).example().shape[1]
    6
    """
    _check_size("min_size", min_size, "max_size", max_size, floor=1)
    elements = {
        "name": st.just("Council"),
        "region": st.just("Test region"),
        "lat": st.floats(*_LAT, allow_nan=False),
        "lon": st.floats(*_LON, allow_nan=False),
        "area_km2": st.floats(10.0, 3000.0),
    }
    frames = table_frames(TABLES["councils"], min_size=min_size, max_size=max_size, elements=elements, id_prefix="C")
    return frames.map(lambda df: df.assign(name="Council " + df.index.astype(str)))


def homes(
    council_ids: Sequence[str],
    *,
    needs: Sequence[str] = NEEDS,
    min_size: int = 1,
    max_size: int = 8,
    max_places: int = 6,
) -> st.SearchStrategy[pd.DataFrame]:
    """A homes table located in the given councils (providers ``P0..P4``); ages at
    band edges; a quarter of homes (about) serve only their own council.

    >>> df = homes(["C0", "C1"], needs=["mainstream"]).example()
    >>> set(df.needs.str.split(";").explode()) <= {"mainstream"}
    True
    """
    ids = _check_values("council_ids", council_ids)
    needs_t = _check_values("needs", needs, NEEDS)
    _check_size("min_size", min_size, "max_size", max_size)
    if max_places < 0:
        raise InvalidArgument(f"max_places must be >= 0, got {max_places}")
    elements = {
        "council_id": st.sampled_from(ids),
        "provider_id": st.sampled_from([f"P{i}" for i in range(5)]),
        "places": st.integers(0, max_places),
        "needs": _need_lists(needs_t),
        "min_age": st.sampled_from(_BAND_STARTS),
        "max_age": st.sampled_from(_BAND_ENDS),
        "weekly_cost_gbp": st.integers(300, 9000).map(float),
        "serves_council_id": st.sampled_from(["", "", "", "own"]),
    }
    frames = table_frames(TABLES["homes"], min_size=min_size, max_size=max_size, elements=elements, id_prefix="H")

    def finish(df: pd.DataFrame) -> pd.DataFrame:
        own = df.serves_council_id.to_numpy() == "own"
        return _band_ages(df).assign(serves_council_id=np.where(own, df.council_id.to_numpy(), "").astype(object))

    return frames.map(finish)


def cohorts(
    council_ids: Sequence[str],
    *,
    needs: Sequence[str] = NEEDS,
    min_size: int = 1,
    max_size: int = 8,
    max_children: int = 10,
) -> st.SearchStrategy[pd.DataFrame]:
    """A cohorts table for the given councils (unique council x need x band; ids ``K0, K1, ...``).

    >>> cohorts(["C0"], needs=["secure"], max_size=2).example().need.unique().tolist()
    ['secure']
    """
    ids = _check_values("council_ids", council_ids)
    needs_t = _check_values("needs", needs, NEEDS)
    _check_size("min_size", min_size, "max_size", max_size)
    if max_children < 0:
        raise InvalidArgument(f"max_children must be >= 0, got {max_children}")
    elements = {
        "council_id": st.sampled_from(ids),
        "need": st.sampled_from(needs_t),
        "children": st.integers(0, max_children),
    }
    frames = table_frames(TABLES["cohorts"], min_size=min_size, max_size=max_size, elements=elements)

    return frames.map(lambda df: _renumber(df.drop_duplicates(["council_id", "need", "age_band"]), "cohort_id", "K", min_size))


def regions(
    *,
    min_councils: int = 1,
    max_councils: int = 4,
    needs: Sequence[str] = ("mainstream", "complex", "secure"),
    max_homes: int = 8,
    max_cohorts: int = 8,
    max_places: int = 6,
    max_children: int = 10,
) -> st.SearchStrategy[Region]:
    """A validated :class:`rcc.Region` (may have unmet need: not always feasible).

    >>> r = regions(max_councils=2).example()
    >>> 1 <= len(r.councils) <= 2
    True
    """
    _check_size("min_councils", min_councils, "max_councils", max_councils, floor=1)
    needs_t = _check_values("needs", needs, NEEDS)
    if max_homes < 1 or max_cohorts < 1:
        raise InvalidArgument("max_homes and max_cohorts must be >= 1")

    @st.composite
    def build(draw: st.DrawFn) -> Region:
        c = draw(councils(min_councils, max_councils))
        ids = list(c.council_id)
        h = draw(homes(ids, needs=needs_t, max_size=max_homes, max_places=max_places))
        k = draw(cohorts(ids, needs=needs_t, max_size=max_cohorts, max_children=max_children))
        return Region.from_frames(c, h, k, name="hypothesis")

    return build()


def feasible_regions(
    *, min_councils: int = 1, max_councils: int = 4, max_cohorts: int = 6, max_children: int = 8
) -> st.SearchStrategy[Region]:
    """Regions where every child can be placed: each cohort gets a home of its
    own council, registered for its need and age band, with enough places.

    >>> import rcc
    >>> r = feasible_regions(max_councils=2).example()
    >>> rcc.plan(r).metrics["unmet"]
    np.float64(0.0)
    """
    _check_size("min_councils", min_councils, "max_councils", max_councils, floor=1)

    @st.composite
    def build(draw: st.DrawFn) -> Region:
        c = draw(councils(min_councils, max_councils))
        ids = list(c.council_id)
        k = draw(cohorts(ids, needs=NEEDS, max_size=max_cohorts, max_children=max_children))
        extra = draw(homes(ids, max_size=4))
        bands = k.age_band.map(dict(AGE_BANDS))
        own = pd.DataFrame(
            {
                "home_id": "G" + k.index.astype(str),
                "council_id": k.council_id.to_numpy(),
                "provider_id": "PG",
                "home_type": "in_house_fostering",
                "places": k.children.to_numpy(),
                "needs": k.need.to_numpy(),
                "min_age": bands.str[0].to_numpy(),
                "max_age": bands.str[1].to_numpy(),
                "weekly_cost_gbp": 600.0,
                "serves_council_id": "",
            }
        )
        return Region.from_frames(c, pd.concat([own, extra], ignore_index=True), k, name="feasible")

    return build()


def transport_regions(*, max_councils: int = 4, max_homes: int = 6, max_cohorts: int = 6) -> st.SearchStrategy[Region]:
    """Pure transport instances: one need, all ages, no reserved homes, no held
    placements: the allocation LP is then a min-cost flow problem.
    """
    _check_size("min_councils", 1, "max_councils", max_councils, floor=1)

    @st.composite
    def build(draw: st.DrawFn) -> Region:
        c = draw(councils(1, max_councils))
        ids = list(c.council_id)
        h = draw(homes(ids, needs=["mainstream"], min_size=1, max_size=max_homes))
        h = h.assign(min_age=0, max_age=17, serves_council_id="", needs="mainstream")
        k = draw(cohorts(ids, needs=["mainstream"], max_size=max_cohorts))
        return Region.from_frames(c, h, k, name="transport")

    return build()


def placements(region: Region, max_size: int = 4) -> st.SearchStrategy[pd.DataFrame]:
    """A placements table for ``region``: up to ``max_size`` children-already-placed rows
    on distinct cohort-home pairs, eligible under the rules or not (a child placed before
    the rules changed), within the home's places and the cohort's children (each pair
    gets at most its share: a cohort's or home's room divided by its number of pairs).
    Ids ``P0, P1, ...``; drawn from the ``placements`` schema record.

    >>> import rcc
    >>> region = rcc.datasets.england("Greater Manchester RCC")
    >>> p = placements(region).example()
    >>> bool(p.home_id.isin(region.homes.home_id).all() and (p.children > 0).all())
    True
    """
    _check_size("min_size", 0, "max_size", max_size)
    k, h = region.cohorts, region.homes
    if not len(k) or not len(h):
        return table_frames(TABLES["placements"], max_size=0, id_prefix="P")
    elements = {
        "cohort_id": st.sampled_from(tuple(k.cohort_id)),
        "home_id": st.sampled_from(tuple(h.home_id)),
        "children": st.integers(0, max(1, int(max(k.children.max(), h.places.max())))),
    }

    def within_room(p: pd.DataFrame) -> pd.DataFrame:
        p = p.drop_duplicates(["cohort_id", "home_id"])
        left = k.set_index("cohort_id").children.reindex(p.cohort_id).to_numpy()
        free = h.set_index("home_id").places.reindex(p.home_id).to_numpy()
        share = np.minimum(
            left // p.groupby("cohort_id").cohort_id.transform("size").to_numpy(),
            free // p.groupby("home_id").home_id.transform("size").to_numpy(),
        )
        p = p.assign(children=np.minimum(p.children.to_numpy(), share).astype(np.int64))
        return _renumber(p[p.children > 0], "placement_id", "P")

    return table_frames(TABLES["placements"], max_size=max_size, elements=elements, id_prefix="P").map(within_room)


def held_regions(**kwargs: Any) -> st.SearchStrategy[Region]:
    """Regions (drawn as :func:`regions` with ``kwargs``) with children already
    placed (:func:`placements`).

    >>> r = held_regions(max_councils=2).example()
    >>> bool((r.placements.children > 0).all())
    True
    """

    @st.composite
    def build(draw: st.DrawFn) -> Region:
        region = draw(regions(**kwargs))
        p = draw(placements(region))
        return Region.from_frames(
            region.councils, region.homes, region.cohorts, providers=region.providers, placements=p, name="held"
        )

    return build()


# ----------------------------------------------------------------------------- sufficiency tables


def options(
    council_ids: Sequence[str],
    *,
    needs: Sequence[str] = NEEDS,
    home_types: Sequence[str] = HOME_TYPES,
    min_size: int = 0,
    max_size: int = 3,
    max_places_per_unit: int = 4,
    max_units: int = 3,
    max_capital_gbp: int = 2_000_000,
    max_running_gbp: int = 500_000,
    max_weekly_cost_gbp: int = 6_000,
    max_lead_time_months: int = 18,
) -> st.SearchStrategy[pd.DataFrame]:
    """A sufficiency options table (:data:`rcc.sufficiency.OPTIONS`) in the given
    councils: ids ``o0, o1, ...``, run by a new council provider ``LA``, scope
    ``council``, nothing committed, no yearly limit, available from year 1.

    >>> df = options(["C0"], needs=["complex"], min_size=1).example()
    >>> set(df.needs) == {"complex"} and bool((df.max_units >= 1).all())
    True
    """
    ids = _check_values("council_ids", council_ids)
    needs_t = _check_values("needs", needs, NEEDS)
    types = _check_values("home_types", home_types, HOME_TYPES)
    _check_size("min_size", min_size, "max_size", max_size)
    _check_min(1, max_units=max_units, max_places_per_unit=max_places_per_unit)
    _check_min(0, max_capital_gbp=max_capital_gbp, max_running_gbp=max_running_gbp)
    _check_min(0, max_weekly_cost_gbp=max_weekly_cost_gbp, max_lead_time_months=max_lead_time_months)
    elements = {
        "name": st.just(""),
        "council_id": st.sampled_from(ids),
        "home_type": st.sampled_from(types),
        "needs": _need_lists(needs_t),
        "min_age": st.sampled_from(_BAND_STARTS),
        "max_age": st.sampled_from(_BAND_ENDS),
        "provider_id": st.just("LA"),
        "provider_group": st.just(""),
        "sector": st.just("council"),
        "scope": st.just("council"),
        "places_per_unit": st.integers(1, max_places_per_unit),
        "min_units": st.just(0),
        "max_units": st.integers(1, max_units),
        "max_units_per_year": st.just(int(OPTIONS.column("max_units_per_year").default)),
        "capital_cost_gbp": st.integers(0, max_capital_gbp).map(float),
        "start_up_cost_gbp": st.integers(0, max_running_gbp).map(float),
        "annual_running_cost_gbp": st.integers(0, max_running_gbp).map(float),
        "weekly_cost_gbp": st.integers(0, max_weekly_cost_gbp).map(float),
        "lead_time_months": st.integers(0, max_lead_time_months),
        "earliest_year": st.just(1),
        "serves_council_id": st.just(""),
    }
    frames = table_frames(OPTIONS, min_size=min_size, max_size=max_size, elements=elements, id_prefix="o")
    return frames.map(_band_ages)


def forecasts(
    cohort_ids: Sequence[str], *, years: int = 3, max_children: int = 10
) -> st.SearchStrategy[pd.DataFrame]:
    """A sufficiency forecast (:data:`rcc.sufficiency.FORECAST`): one row per
    cohort and plan year ``1..years``, children drawn per row, groups of one.

    >>> forecasts(["K0", "K1"], years=2).example()[["cohort_id", "year"]].values.tolist()
    [['K0', 1], ['K0', 2], ['K1', 1], ['K1', 2]]
    """
    ids = _check_values("cohort_ids", cohort_ids)
    _check_min(1, years=years)
    _check_min(0, max_children=max_children)
    n = len(ids) * years
    elements = {"forecast_id": st.just(""), "children": st.integers(0, max_children), "group_size": st.just(1)}
    frames = table_frames(FORECAST, min_size=n, max_size=n, elements=elements)
    grid = {"cohort_id": np.repeat(np.array(ids, dtype=object), years), "year": np.tile(np.arange(1, years + 1), len(ids))}
    return frames.map(lambda df: df.assign(**grid))


def budgets(
    council_ids: Sequence[str] = (),
    *,
    rcc_names: Sequence[str] = (),
    years: int = 1,
    min_size: int = 1,
    max_size: int = 2,
    max_gbp: int = 4_000_000,
) -> st.SearchStrategy[pd.DataFrame]:
    """A budgets table (:data:`rcc.sufficiency.BUDGETS`): scope ``total``, or a
    council of ``council_ids``, or an RCC of ``rcc_names``; a year or ``all``;
    each limit a whole number of pounds or ``inf`` (no limit); one row per
    scope x year at most.

    >>> bool(budgets(min_size=1).example().scope.eq("total").all())
    True
    """
    councils_t, rccs = tuple(council_ids), tuple(rcc_names)
    _check_size("min_size", min_size, "max_size", max_size)
    _check_min(1, years=years)
    _check_min(0, max_gbp=max_gbp)
    whose = [("total", "")] + [("council", c) for c in councils_t] + [("rcc", r) for r in rccs]
    limit = st.one_of(st.integers(0, max_gbp).map(float), st.just(float("inf")))
    elements = {
        "scope": st.sampled_from([f"{a}|{b}" for a, b in whose]),
        "scope_id": st.just(""),
        "year": st.sampled_from(["all", *map(str, range(1, years + 1))]),
        "capital_gbp": limit,
        "revenue_gbp": limit,
    }
    frames = table_frames(BUDGETS, min_size=min_size, max_size=max_size, elements=elements, id_prefix="b")

    def split(df: pd.DataFrame) -> pd.DataFrame:
        out = _renumber(df.drop_duplicates(["scope", "year"]), "budget_id", "b", min_size)
        pair = out.scope.str.split("|", n=1)
        return out.assign(scope=pair.str[0].astype(object), scope_id=pair.str[1].astype(object))

    return frames.map(split)


def closures(home_ids: Sequence[str], *, years: int = 1, max_size: int = 2, max_gbp: int = 300_000) -> st.SearchStrategy[pd.DataFrame]:
    """A closures table (:data:`rcc.sufficiency.CLOSURES`): distinct homes of ``home_ids``.

    >>> set(closures(["H0", "H1"]).example().home_id) <= {"H0", "H1"}
    True
    """
    ids = _check_values("home_ids", home_ids)
    _check_min(1, years=years)
    _check_min(0, max_size=max_size, max_gbp=max_gbp)
    elements = {
        "home_id": st.sampled_from(ids),
        "earliest_year": st.integers(1, years),
        "closure_cost_gbp": st.integers(0, max_gbp).map(float),
        "annual_saving_gbp": st.integers(0, max_gbp).map(float),
    }
    return table_frames(CLOSURES, max_size=min(max_size, len(ids)), elements=elements)


def costs(
    cohort_ids: Sequence[str], site_ids: Sequence[str], *, max_size: int = 4, max_weekly_cost_gbp: int = 9_000
) -> st.SearchStrategy[pd.DataFrame]:
    """A cost matrix (:data:`rcc.sufficiency.COSTS`): prices for distinct cohort x
    site (a home or an option) pairs, ids ``p0, p1, ...``.

    >>> df = costs(["K0"], ["H0", "o0"], max_size=2).example()
    >>> bool(df.duplicated(["cohort_id", "site_id"]).any())
    False
    """
    cohorts_t, sites = _check_values("cohort_ids", cohort_ids), _check_values("site_ids", site_ids)
    elements = {
        "cohort_id": st.sampled_from(cohorts_t),
        "site_id": st.sampled_from(sites),
        "weekly_cost_gbp": st.integers(0, max_weekly_cost_gbp).map(float),
    }
    frames = table_frames(COSTS, max_size=max_size, elements=elements)
    return frames.map(lambda df: _renumber(df.drop_duplicates(["cohort_id", "site_id"]), "cost_id", "p"))


@attrs.frozen(eq=False)
class SufficiencyCase:
    """A whole valid sufficiency case: the arguments of :func:`rcc.sufficiency.sufficiency_plan`.

    Attributes
    ----------
    region : Region
    options : pandas.DataFrame
    forecast : pandas.DataFrame
        Plan years ``1..years``.
    budgets : pandas.DataFrame or None
    closures : pandas.DataFrame or None
    years : int
    """

    region: Region
    options: pd.DataFrame
    forecast: pd.DataFrame
    budgets: pd.DataFrame | None
    closures: pd.DataFrame | None
    years: int


def sufficiency_cases(
    *,
    max_councils: int = 3,
    needs: Sequence[str] = ("mainstream", "complex"),
    years: tuple[int, int] = (1, 3),
    max_homes: int = 4,
    max_cohorts: int = 4,
    max_places: int = 6,
    max_children: int = 8,
    max_options: int = 2,
    with_budgets: bool = True,
    with_closures: bool = True,
) -> st.SearchStrategy[SufficiencyCase]:
    """Whole sufficiency cases: a region (:func:`regions`), options in its
    councils (:func:`options`), a forecast of its cohorts (:func:`forecasts`)
    and, when allowed, sometimes budgets (:func:`budgets`, total, per council
    or for the region as an RCC) and closures (:func:`closures`).

    >>> import rcc
    >>> case = sufficiency_cases(max_councils=2).example()
    >>> plan = rcc.sufficiency_plan(case.region, case.options, case.forecast, case.budgets, closures=case.closures)
    >>> plan.years == case.years
    True
    """
    _check_size("years[0]", years[0], "years[1]", years[1], floor=1)
    needs_t = _check_values("needs", needs, NEEDS)

    @st.composite
    def build(draw: st.DrawFn) -> SufficiencyCase:
        sizes = {"max_homes": max_homes, "max_cohorts": max_cohorts, "max_places": max_places, "max_children": max_children}
        region = draw(regions(max_councils=max_councils, needs=needs_t, **sizes))
        n_years = draw(st.integers(*years))
        ids = tuple(region.council_ids)
        opts = draw(options(ids, needs=needs_t, max_size=max_options))
        fc = draw(forecasts(tuple(region.cohorts.cohort_id), years=n_years, max_children=max_children))
        b = draw(st.none() | budgets(ids, rcc_names=(region.name,), years=n_years)) if with_budgets else None
        c = draw(st.none() | closures(tuple(region.homes.home_id), years=n_years)) if with_closures else None
        return SufficiencyCase(region=region, options=opts, forecast=fc, budgets=b, closures=c, years=n_years)

    return build()
