"""Hypothesis strategies for rcc's tables and regions (public API).

Use them to property-test your own constraints and scenarios::

    from hypothesis import given
    from rcc.testing import strategies as rst

    @given(rst.regions(max_councils=4))
    def test_capacity(region):
        plan = rcc.plan(region)
        used = plan.placements.groupby("home_id").children.sum()
        assert (used <= region.homes.set_index("home_id").places[used.index]).all()

Arguments are checked when the strategy is built (not when drawn) and raise
:class:`hypothesis.errors.InvalidArgument`. Every strategy returns frames
that pass :meth:`rcc.Region.from_frames` validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rcc.core.region import Region
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS

__all__ = ["councils", "homes", "cohorts", "regions", "held_regions", "feasible_regions", "transport_regions"]

# a box around England, so distances look like English ones
_LAT = (50.0, 55.5)
_LON = (-5.5, 1.7)


def _check_size(name_min: str, lo: int, name_max: str, hi: int, floor: int = 0) -> None:
    if not isinstance(lo, int) or not isinstance(hi, int):
        raise InvalidArgument(f"{name_min} and {name_max} must be integers, got {lo!r} and {hi!r}")
    if lo < floor:
        raise InvalidArgument(f"{name_min} must be >= {floor}, got {lo}")
    if hi < lo:
        raise InvalidArgument(f"{name_max}={hi} must be >= {name_min}={lo}")


def _check_needs(needs: Sequence[str]) -> tuple[str, ...]:
    needs = tuple(needs)
    if not needs:
        raise InvalidArgument("needs must name at least one need")
    bad = [n for n in needs if n not in NEEDS]
    if bad:
        raise InvalidArgument(f"unknown need(s) {bad}; expected codes from {list(NEEDS)}")
    return needs


def councils(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[pd.DataFrame]:
    """A councils table with ids ``C0, C1, ...`` at random points in England.

    >>> councils(min_size=2, max_size=3).example().shape[1]
    6
    """
    _check_size("min_size", min_size, "max_size", max_size, floor=1)

    @st.composite
    def build(draw: st.DrawFn) -> pd.DataFrame:
        n = draw(st.integers(min_size, max_size))
        lat = draw(st.lists(st.floats(*_LAT, allow_nan=False), min_size=n, max_size=n))
        lon = draw(st.lists(st.floats(*_LON, allow_nan=False), min_size=n, max_size=n))
        area = draw(st.lists(st.floats(10.0, 3000.0), min_size=n, max_size=n))
        return pd.DataFrame(
            {
                "council_id": [f"C{i}" for i in range(n)],
                "name": [f"Council {i}" for i in range(n)],
                "region": "Test region",
                "lat": lat,
                "lon": lon,
                "area_km2": area,
            }
        )

    return build()


def homes(
    council_ids: Sequence[str],
    *,
    needs: Sequence[str] = NEEDS,
    min_size: int = 1,
    max_size: int = 8,
    max_places: int = 6,
) -> st.SearchStrategy[pd.DataFrame]:
    """A homes table located in the given councils (provider per home: ``P{i}``).

    >>> df = homes(["C0", "C1"], needs=["mainstream"]).example()
    >>> set(df.needs.str.split(";").explode()) <= {"mainstream"}
    True
    """
    ids = list(council_ids)
    if not ids:
        raise InvalidArgument("council_ids must not be empty")
    needs_t = _check_needs(needs)
    _check_size("min_size", min_size, "max_size", max_size)
    if max_places < 0:
        raise InvalidArgument(f"max_places must be >= 0, got {max_places}")

    @st.composite
    def build(draw: st.DrawFn) -> pd.DataFrame:
        n = draw(st.integers(min_size, max_size))
        rows = []
        for i in range(n):
            lo = draw(st.sampled_from([0, 5, 11, 16]))
            hi = draw(st.sampled_from([a for a in (4, 10, 15, 17) if a >= lo]))
            home_needs = draw(st.lists(st.sampled_from(needs_t), min_size=1, max_size=3, unique=True))
            council = draw(st.sampled_from(ids))
            rows.append(
                {
                    "home_id": f"H{i}",
                    "council_id": council,
                    "provider_id": f"P{draw(st.integers(0, max(0, n // 2)))}",
                    "home_type": draw(st.sampled_from(HOME_TYPES)),
                    "places": draw(st.integers(0, max_places)),
                    "needs": ";".join(home_needs),
                    "min_age": lo,
                    "max_age": hi,
                    "weekly_cost_gbp": float(draw(st.integers(300, 9000))),
                    "serves_council_id": draw(st.sampled_from(["", "", "", council])),
                }
            )
        return pd.DataFrame(rows)

    return build()


def cohorts(
    council_ids: Sequence[str],
    *,
    needs: Sequence[str] = NEEDS,
    min_size: int = 1,
    max_size: int = 8,
    max_children: int = 10,
) -> st.SearchStrategy[pd.DataFrame]:
    """A cohorts table for the given councils (unique council x need x band).

    >>> cohorts(["C0"], needs=["secure"], max_size=2).example().need.unique().tolist()
    ['secure']
    """
    ids = list(council_ids)
    if not ids:
        raise InvalidArgument("council_ids must not be empty")
    needs_t = _check_needs(needs)
    _check_size("min_size", min_size, "max_size", max_size)
    if max_children < 0:
        raise InvalidArgument(f"max_children must be >= 0, got {max_children}")
    keys = st.tuples(st.sampled_from(ids), st.sampled_from(needs_t), st.sampled_from(tuple(AGE_BANDS)))

    @st.composite
    def build(draw: st.DrawFn) -> pd.DataFrame:
        chosen = draw(st.lists(keys, min_size=min_size, max_size=max_size, unique=True))
        counts = draw(st.lists(st.integers(0, max_children), min_size=len(chosen), max_size=len(chosen)))
        return pd.DataFrame(
            {
                "cohort_id": [f"K{i}" for i in range(len(chosen))],
                "council_id": [k[0] for k in chosen],
                "need": [k[1] for k in chosen],
                "age_band": [k[2] for k in chosen],
                "children": counts,
            },
            columns=["cohort_id", "council_id", "need", "age_band", "children"],
        )

    return build()


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
    needs_t = _check_needs(needs)
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
        own = pd.DataFrame(
            {
                "home_id": [f"G{i}" for i in range(len(k))],
                "council_id": k.council_id.to_numpy(),
                "provider_id": "PG",
                "home_type": "in_house_fostering",
                "places": k.children.to_numpy(),
                "needs": k.need.to_numpy(),
                "min_age": [AGE_BANDS[b][0] for b in k.age_band],
                "max_age": [AGE_BANDS[b][1] for b in k.age_band],
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


def held_regions(**kwargs: Any) -> st.SearchStrategy[Region]:
    """Regions (drawn as :func:`regions` with ``kwargs``) with children already
    placed: each placement on any cohort-home pair, eligible under the rules
    or not (a child placed before the rules changed), within the home's places
    and the cohort's children.

    >>> r = held_regions(max_councils=2).example()
    >>> bool((r.placements.children > 0).all())
    True
    """

    @st.composite
    def build(draw: st.DrawFn) -> Region:
        region = draw(regions(**kwargs))
        free = region.homes.places.to_numpy().copy()
        left = region.cohorts.children.to_numpy().copy()
        rows = []
        for _ in range(draw(st.integers(0, 4))):
            c = draw(st.integers(0, len(left) - 1))
            h = draw(st.integers(0, len(free) - 1))
            n = draw(st.integers(0, int(min(left[c], free[h]))))
            if n:
                left[c] -= n
                free[h] -= n
                rows.append((f"P{len(rows)}", region.cohorts.cohort_id.iloc[c], region.homes.home_id.iloc[h], n))
        placements = pd.DataFrame(rows, columns=["placement_id", "cohort_id", "home_id", "children"])
        return Region.from_frames(
            region.councils, region.homes, region.cohorts, region.providers, placements, name="held"
        )

    return build()
