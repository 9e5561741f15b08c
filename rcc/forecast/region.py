"""A deterministic forecast from a Region, and forecasts in the sufficiency planner's shape.

One :func:`forecast_from_region` serves :mod:`rcc.forecast`, :mod:`rcc.sufficiency`
(which re-exports it), the command line, the examples and the benchmarks. Growth is
a RATE everywhere: ``0.10`` is +10% a year.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import MAX_COUNT, MAX_YEARS, NEEDS
from rcc.core.validate import is_real
from rcc.forecast.projection import FORECAST_COLUMNS, _growth
from rcc.forecast.result import Forecast

__all__ = ["EXAMPLE_GROWTH", "REGION_FORECAST_COLUMNS", "forecast_from_region", "to_sufficiency_forecast"]

#: Yearly growth RATES of children looked after by need used by the examples, the
#: benchmark and ``rcc sufficiency`` (others flat). A planning scenario, not a
#: published projection: replace it with a local forecast.
EXAMPLE_GROWTH: Mapping[str, float] = MappingProxyType(
    {"complex": 0.03, "supported_16plus": 0.03, "secure": 0.05, "mainstream": 0.01, "uasc": 0.02}
)

#: Columns of :func:`forecast_from_region`: :data:`FORECAST_COLUMNS` and ``group_size``
#: (a :data:`rcc.sufficiency.FORECAST` table as well).
REGION_FORECAST_COLUMNS: tuple[str, ...] = (*FORECAST_COLUMNS, "group_size")

_GROWTH_MOVED = (
    "forecast_from_region(growth=...) is deprecated since rcc 0.2: pass the same yearly rates as "
    "growth_by_need=... (0.03 = +3% a year). Only the keyword changed: as before in rcc.sufficiency, year 1 is "
    "the region's cohorts as they are and year y is grown by (1 + rate) ** (y - 1); the table also has the "
    "rcc.forecast columns (council_id, need, age_band, children_expected, children_p10/p50/p90)."
)


def forecast_from_region(
    region: Region,
    years: int = 5,
    growth_by_need: float | Mapping[str, float] | None = None,
    *,
    group_size: Mapping[str, int] | None = None,
    growth: float | Mapping[str, float] | None = None,
    base_year: int | None = None,
) -> pd.DataFrame:
    """A deterministic forecast: each cohort of the region grown by a yearly rate per need.

    Years are plan years ``1..years``, as :func:`rcc.sufficiency_plan` takes them: year 1
    is the first planning year, whose demand is the region's cohorts as they are (the
    embedded data: 31 March 2025); year ``y`` has
    ``children_expected = children * (1 + rate[need]) ** (y - 1)``, and ``children`` is
    that rounded to whole children, then up to whole groups for needs with a
    ``group_size``. Percentiles equal ``children`` (no uncertainty is claimed). The
    table is both an :mod:`rcc.forecast` forecast and a :data:`rcc.sufficiency.FORECAST`
    table: pass it straight to :func:`rcc.sufficiency_plan`.

    Changed in rcc 0.2 (one function for :mod:`rcc.forecast` and :mod:`rcc.sufficiency`):
    ``rcc.forecast_from_region`` used to label years ``base_year + 1, ...`` and grow year
    1 already once (``(1 + rate) ** y``); it now follows the planner (year 1 not grown).
    For Greater Manchester, two years, complex +10% a year, the children over both years
    go from 12,258 (6,090 + 6,168) to 12,106 (6,016 + 6,090); rcc.sufficiency's numbers are
    unchanged, and its ``growth=`` keyword is now ``growth_by_need=``.

    Parameters
    ----------
    region : Region
    years : int
        Plan years, 1 to :data:`rcc.core.schema.MAX_YEARS`.
    growth_by_need : float or Mapping[str, float], optional
        Yearly growth RATE (``0.03`` = +3% a year, finite and > -1), for every need or by
        need (needs not named: 0). Default no growth.
    group_size : Mapping[str, int], optional
        Children placed together by need (e.g. ``{"sibling_group": 2}``).
    growth : float or Mapping[str, float], optional
        Deprecated name of ``growth_by_need`` (rcc.sufficiency before 0.2), with a
        DeprecationWarning; not both.
    base_year : None
        Removed: years are plan years. Any value raises :class:`InvalidInputError`.

    Returns
    -------
    pandas.DataFrame
        :data:`REGION_FORECAST_COLUMNS`, one row per cohort of the region and plan year
        (cohorts in the region's order), with the region's own ``cohort_id``.

    Raises
    ------
    InvalidInputError
        Years not a whole number from 1 to ``MAX_YEARS``; an unknown need, or a rate not
        finite and > -1 (``column`` names the keyword used); a bad group size; more than
        :data:`rcc.core.schema.MAX_COUNT` children in a cohort and year; ``base_year``.

    Examples
    --------
    >>> import rcc
    >>> gm = rcc.datasets.england("Greater Manchester RCC")
    >>> f = rcc.forecast_from_region(gm, 2, growth_by_need={"complex": 0.10})
    >>> f.groupby("year").children.sum().tolist()  # 6,016 children now; complex +10% in year 2
    [6016, 6090]
    >>> c = gm.cohorts[gm.cohorts.need == "complex"].iloc[0]
    >>> f[f.cohort_id == c.cohort_id].children_expected.round(2).tolist() == [c.children, round(c.children * 1.1, 2)]
    True
    """
    growth_by_need, column = _growth_keyword(growth_by_need, growth, base_year)
    if not is_real(years) or not (1 <= years <= MAX_YEARS) or int(years) != years:
        raise InvalidInputError("forecast", None, "years", f"a whole number of years from 1 to {MAX_YEARS}", years)
    c = region.cohorts
    rate = _growth(0.0 if growth_by_need is None else growth_by_need, c.need, table="forecast", column=column)
    sizes = _group_sizes(group_size, c.need)
    ys = np.arange(1, int(years) + 1)
    with np.errstate(over="ignore"):
        expected = c.children.to_numpy(dtype=float)[:, None] * (1 + rate[:, None]) ** (ys[None, :] - 1)
    children = sizes[:, None] * np.ceil(np.round(expected) / sizes[:, None])
    too_many = ~(children <= MAX_COUNT)
    if too_many.any():
        i, y = (int(a[0]) for a in np.nonzero(too_many))
        raise InvalidInputError(
            "forecast", c.cohort_id.iloc[i], "children",
            f"at most {MAX_COUNT:,} children in year {y + 1} (check growth and years)", children[i, y],
        )
    n = len(ys)
    out = pd.DataFrame({k: np.repeat(c[k].to_numpy(), n) for k in ("cohort_id", "council_id", "need", "age_band")})
    out["year"] = np.tile(ys, len(c))
    out["children"] = children.ravel().astype(np.int64)
    out["children_expected"] = expected.ravel()
    for col in ("children_p10", "children_p50", "children_p90"):
        out[col] = out.children
    out["group_size"] = np.repeat(sizes.astype(np.int64), n)
    return Forecast(out.loc[:, list(REGION_FORECAST_COLUMNS)])


def _growth_keyword(
    growth_by_need: float | Mapping[str, float] | None, growth: float | Mapping[str, float] | None, base_year: int | None
) -> tuple[float | Mapping[str, float] | None, str]:
    """The growth rates and the keyword they came by: ``growth=`` (deprecated) translated
    with a warning; ``base_year`` refused (years are plan years)."""
    if base_year is not None:
        raise InvalidInputError(
            "parameters", None, "base_year",
            "no base_year: years are plan years 1..years, year 1 the region's cohorts as they are (rcc 0.2)", base_year,
        )
    if growth is None:
        return growth_by_need, "growth_by_need"
    if growth_by_need is not None:
        raise InvalidInputError("parameters", None, "growth", "growth_by_need or growth (deprecated), not both", growth)
    warnings.warn(_GROWTH_MOVED, DeprecationWarning, stacklevel=3)
    return growth, "growth"


def _group_sizes(group_size: Mapping[str, int] | None, needs: pd.Series) -> np.ndarray:
    """Children placed together per row of ``needs`` (1 for needs not named)."""
    sizes = dict(group_size or {})
    for n, k in sizes.items():
        if n not in NEEDS:
            raise InvalidInputError("forecast", None, "group_size", f"a need from {list(NEEDS)}", n)
        if not is_real(k) or not (1 <= k <= MAX_COUNT) or int(k) != k:
            raise InvalidInputError("forecast", n, "group_size", f"a whole number of children from 1 to {MAX_COUNT:,}", k)
    return needs.map(lambda n: int(sizes.get(n, 1))).to_numpy(dtype=float)


def to_sufficiency_forecast(forecast: pd.DataFrame, region: Region, column: str = "children") -> pd.DataFrame:
    """A forecast in the shape :func:`rcc.sufficiency_plan` takes.

    Matches forecast rows to the region's cohorts on (council_id, need,
    age_band), numbers the forecast's years 1, 2, ... (plan years: the first
    year of the forecast is plan year 1), and takes ``column`` as the children
    to plan for (``"children_p90"`` plans for the upper end of the band). A
    ``group_size`` column is carried over. :func:`forecast_from_region` already
    has plan years (this changes only its columns); a :func:`rcc.forecast_demand`
    forecast starts the year after its data (pass ``include_base=True`` to make the
    observed stock plan year 1, as :func:`forecast_from_region` does).

    Raises
    ------
    InvalidInputError
        A forecast row whose council x need x age band is not a cohort of the
        region (add it to the region's cohorts with 0 children), or an unknown
        column. Nothing is dropped silently.
    """
    if column not in forecast.columns:
        raise InvalidInputError("forecast", None, column, f"one of {[c for c in FORECAST_COLUMNS if c.startswith('children')]}", column)
    keys = ["council_id", "need", "age_band"]
    ids = region.cohorts.set_index(keys).cohort_id
    matched = pd.MultiIndex.from_frame(forecast[keys]).map(lambda k: ids.get(k))
    missing = pd.isna(np.asarray(matched, dtype=object))
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise InvalidInputError(
            "forecast",
            forecast.cohort_id.iloc[pos] if "cohort_id" in forecast.columns else f"#{pos}",
            "council_id, need, age_band",
            "a cohort of the region (add it to region.cohorts with 0 children)",
            tuple(forecast[keys].iloc[pos]),
            more=int(missing.sum()) - 1,
        )
    years = sorted(forecast.year.unique())
    plan_year = forecast.year.map({y: i + 1 for i, y in enumerate(years)})
    out = pd.DataFrame(
        {
            "cohort_id": np.asarray(matched, dtype=object),
            "year": plan_year.to_numpy(dtype=np.int64),
            "children": np.round(forecast[column].to_numpy(dtype=float)).astype(np.int64),
        }
    )
    if "group_size" in forecast.columns:
        out["group_size"] = forecast.group_size.to_numpy(dtype=np.int64)
    return out
