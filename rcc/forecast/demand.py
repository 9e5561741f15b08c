"""The monthly forecast as sufficiency demand: placement group x age band -> need x age band per council, plan years.

:func:`rcc.forecast.forecast_monthly` forecasts children by council, placement group (a home type) and age band;
the sufficiency planner (:func:`rcc.sufficiency_plan`) plans for cohorts: council x need x age band, one figure
per plan year. :func:`monthly_demand` turns the first into the second:

Needs
    A placement group holds children of more than one need (a children's home: complex need, parent and
    child; fostering: mainstream and UASC). Each forecast cell (council, group, age band) is split over needs
    in the shares of the children in that cell on the forecast's end date (``result.placements``, the
    children who are demand: their ``need`` from :data:`rcc.io.ssda903.PLACE_MAPPING` and the UASC table;
    for a forecast of some children, ``forecast_monthly(filters=...)``, those children only).
    A cell with nobody in it on that date takes the shares of the council's whole group (all age bands);
    a group the council had nobody in takes the need :data:`rcc.io.ssda903.PLACE_MAPPING` gives its
    placements first (:data:`NEED_OF_GROUP`: fostering and kinship mainstream, children's home complex,
    secure home secure, residential school disability, supported accommodation 16+ supported).
Years
    Plan year 1 is the stock on the end date (observed), as :func:`rcc.forecast_from_region` makes plan year 1
    the cohorts as they are; plan year ``y`` is the forecast at the end of month ``12 * (y - 1)`` after the end
    date (31 March each year for a return ending on 31 March). The forecast must run that far.
Counts
    ``children_expected`` is the sum over groups of the expected count x share; ``children`` that rounded to
    whole children; ``children_p10`` / ``p50`` / ``p90`` split the cells' percentiles by the same shares (the
    band of a need is then the sum of its cells' bands, wider than the band of the sum). No child id is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES, cohort_ids
from rcc.forecast.flowdata import filtered_header
from rcc.forecast.projection import FORECAST_COLUMNS
from rcc.forecast.result import Forecast

__all__ = ["NEED_OF_GROUP", "monthly_demand"]


def _need_of_group() -> Mapping[str, str]:
    from rcc.io.ssda903 import PLACE_MAPPING

    planned = PLACE_MAPPING[PLACE_MAPPING.action == "plan"]
    return MappingProxyType({t: str(planned[planned.home_type == t].need.iloc[0]) for t in HOME_TYPES})


#: The need of a placement group's children when the data show none in it (the first row of
#: :data:`rcc.io.ssda903.PLACE_MAPPING` with that home type).
NEED_OF_GROUP: Mapping[str, str] = _need_of_group()
_VALUES = ("children_expected", "children_p10", "children_p50", "children_p90")


def _need_shares(placements: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Shares of each need in each cell (``council_id``, ``placement``, ``age_band``): ``share``, ``need``."""
    demand = placements[placements.excluded.isna()].rename(columns={"home_type": "placement"})
    exact = demand.groupby(["council_id", "placement", "age_band", "need"]).size().rename("n").reset_index()
    group = demand.groupby(["council_id", "placement", "need"]).size().rename("n").reset_index()
    out = []
    for keys, table in ((["council_id", "placement", "age_band"], exact), (["council_id", "placement"], group)):
        table = table.assign(share=table.n / table.groupby(keys).n.transform("sum"))
        hit = cells.merge(table[[*keys, "need", "share"]], on=keys)
        out.append(hit)
        cells = cells.merge(hit[["council_id", "placement", "age_band"]].drop_duplicates(), how="left",
                            indicator=True).query("_merge == 'left_only'").drop(columns="_merge")
    out.append(cells.assign(need=cells.placement.map(NEED_OF_GROUP), share=1.0))
    return pd.concat(out, ignore_index=True)


def monthly_demand(forecast: pd.DataFrame, result: Any, years: int = 5) -> pd.DataFrame:
    """Sufficiency demand (council x need x age band, plan years) from a monthly forecast.

    Parameters
    ----------
    forecast : pandas.DataFrame
        From :func:`rcc.forecast.forecast_monthly`, of at least ``12 * (years - 1)`` months, with the end date's
        observed stock (``history_months`` >= 0, the default).
    result : rcc.io.ssda903.Ssda903Result
        The return the forecast is of (its ``placements`` give the needs of each placement group; those of the
        children the forecast's ``filters`` keep, when it has some).
    years : int, default 5
        Plan years (1 = the end date's stock).

    Returns
    -------
    Forecast
        :data:`rcc.forecast.FORECAST_COLUMNS` with plan years ``1..years`` (``cohort_id`` as
        :func:`rcc.core.schema.cohort_ids`), every council x need x age band with children in some year; pass it
        to :func:`rcc.to_sufficiency_forecast` with a region holding these cohorts.

    Raises
    ------
    InvalidInputError
        Not a monthly forecast, a forecast too short for ``years``, or ``years`` not a whole number >= 1.

    Examples
    --------
    >>> from rcc.forecast import forecast_monthly, monthly_demand, synthetic_ssda903
    >>> from rcc.forecast.synthetic import SCENARIOS
    >>> from rcc.io.ssda903 import load_ssda903
    >>> ret = synthetic_ssda903(SCENARIOS["steady"], years=2, seed=1)
    >>> result = load_ssda903(ret.header, ret.episodes, reference_date=ret.end_date, council_id="E1")
    >>> demand = monthly_demand(forecast_monthly(result, 12, n_sims=5), result, years=2)
    >>> int(demand[demand.year == 1].children.sum()) == len(result.placements)
    True
    """
    if not isinstance(years, (int, np.integer)) or isinstance(years, bool) or years < 1:
        raise InvalidInputError("parameters", None, "years", "a whole number of plan years >= 1", years)
    need_cols = {"council_id", "placement", "age_band", "month", "kind", *_VALUES}
    if not isinstance(forecast, pd.DataFrame) or not need_cols <= set(forecast.columns) or "end" not in forecast.attrs:
        raise InvalidInputError("forecast", None, "columns", "a forecast of rcc.forecast_monthly", type(forecast).__name__)
    end = pd.Timestamp(forecast.attrs["end"])
    wanted = {y: end + pd.offsets.MonthEnd(12 * (y - 1)) if y > 1 else end for y in range(1, int(years) + 1)}
    rows = forecast[forecast.month.isin(list(wanted.values()))
                    & ((forecast.kind == "forecast") | (forecast.month == end))]
    missing = [y for y, m in wanted.items() if not (rows.month == m).any()]
    if missing:
        raise InvalidInputError("forecast", None, "months", f"a forecast to {wanted[missing[-1]]:%Y-%m-%d} "
                                f"(plan year {missing[-1]}): at least {12 * (missing[-1] - 1)} months", "shorter")
    rows = rows.assign(year=rows.month.map({m: y for y, m in wanted.items()}))
    cells = rows[["council_id", "placement", "age_band"]].drop_duplicates()
    placements = result.placements
    if forecast.attrs.get("filters"):  # a forecast of some children: the needs of those children
        kept = filtered_header(result.header, forecast.attrs["filters"])[["council_id", "child_id"]]
        placements = placements.merge(kept, on=["council_id", "child_id"])
    split = rows.merge(_need_shares(placements, cells), on=["council_id", "placement", "age_band"])
    for c in _VALUES:
        split[c] = split[c].astype(float) * split.share
    out = split.groupby(["council_id", "need", "age_band", "year"], as_index=False)[list(_VALUES)].sum()
    out = out[out.groupby(["council_id", "need", "age_band"]).children_expected.transform("max") > 0]
    out["children"] = np.round(out.children_expected).astype(np.int64)
    out["cohort_id"] = cohort_ids(out.council_id, out.need, out.age_band)
    out = out.sort_values(["council_id", "need", "age_band", "year"]).reset_index(drop=True)
    return Forecast(out[list(FORECAST_COLUMNS)])
