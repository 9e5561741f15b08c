"""Scenario adjustments of the monthly forecast's rates, and the cost of a forecast with inflation.

An :class:`Adjustment` multiplies and/or adds to one rate of :func:`rcc.forecast.forecast_monthly`:
``entries`` (children a month), ``exits`` or ``moves`` (yearly hazards), for every placement group or one.
A scenario is a named list of adjustments (``forecast_monthly(result, adjust=[...])``); plain dicts
(``Adjustment.from_dict``) keep them in JSON or YAML files; :func:`rcc.forecast.compare_scenarios` forecasts
named scenarios side by side.

:func:`forecast_costs` prices a forecast: children x weekly cost of their placement group, inflated by a
yearly rate from the forecast's end date, with the p10-p90 band of the total from the same simulations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import HOME_TYPES

__all__ = ["RATES", "Adjustment", "DEFAULT_COSTS", "apply_adjustments", "forecast_costs"]

#: Rates an :class:`Adjustment` can change.
RATES: tuple[str, ...] = ("entries", "exits", "moves")
_WEEKS_MONTH = 365.25 / 12 / 7


def _default_costs() -> dict[str, float]:
    from rcc.datasets import DEFAULT_WEEKLY_COST_GBP as c

    out = {t: float(c[t]) for t in HOME_TYPES if t in c}
    out["childrens_home"] = float(c["childrens_home_private"])  # most homes are private (84%)
    return out


#: Weekly cost of one placement by placement group, GBP: :data:`rcc.datasets.DEFAULT_WEEKLY_COST_GBP`
#: (editable order-of-magnitude defaults, not published prices; a children's home at the private price).
DEFAULT_COSTS: Mapping[str, float] = _default_costs()


@attrs.frozen
class Adjustment:
    """A change to one rate: ``rate * multiply + add``.

    Parameters
    ----------
    rate : str
        ``"entries"`` (``add`` in children a month), ``"exits"`` or ``"moves"`` (``add`` in a yearly hazard).
    placement : str, optional
        Only this placement group (a home type): for entries, the group entered; for exits and moves, the
        group left. Default: every group.
    multiply, add : float
        The change; the result must stay >= 0 (else :class:`~rcc.core.errors.InvalidInputError`).
    """

    rate: str
    placement: str | None = None
    multiply: float = 1.0
    add: float = 0.0

    def __attrs_post_init__(self) -> None:
        if self.rate not in RATES:
            raise InvalidInputError("adjustment", None, "rate", f"one of {list(RATES)}", self.rate)
        if self.placement is not None and self.placement not in HOME_TYPES:
            raise InvalidInputError("adjustment", self.rate, "placement", f"one of {list(HOME_TYPES)}", self.placement)
        for name in ("multiply", "add"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v)) or (name == "multiply" and v < 0):
                raise InvalidInputError("adjustment", self.rate, name, "a finite number (multiply >= 0)", v)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Adjustment:
        """From ``{"rate": ..., "placement": ..., "multiply": ..., "add": ...}`` (as :func:`attrs.asdict` gives)."""
        if not isinstance(record, Mapping):
            raise InvalidInputError("adjustment", None, None, 'a record {"rate": ..., "multiply": ..., "add": ...}',
                                    type(record).__name__)
        extra = set(record) - {"rate", "placement", "multiply", "add"}
        if extra:
            raise InvalidInputError("adjustment", None, sorted(extra)[0], "rate, placement, multiply, add", record)
        return cls(**record)


def _changed(values: np.ndarray, adj: Adjustment, unit: float) -> np.ndarray:
    out = values * adj.multiply + adj.add * unit
    if (out < 0).any():
        raise InvalidInputError("adjustment", adj.rate, "add", "a change leaving the rate >= 0", adj.add)
    return out


def apply_adjustments(adjust: Sequence[Adjustment], exit_h: np.ndarray, move_h: np.ndarray, entry: np.ndarray,
                      mix: np.ndarray, ages: np.ndarray, band_of_age: np.ndarray) -> tuple[np.ndarray, ...]:
    """Adjusted daily hazards (councils, groups, bands), expected entries (councils, months, 18 ages) and
    entry mix (councils, bands, groups); ``ages`` (councils, 18) spreads an entries ``add`` over ages.

    Entries into one placement group change only the children entering it (its share of the mix); such an
    adjustment can multiply, not add (the ages of added children would be unknown).
    """
    exit_h, move_h, entry, mix = exit_h.copy(), move_h.copy(), entry.copy(), mix.copy()
    for adj in adjust:
        g = slice(None) if adj.placement is None else HOME_TYPES.index(adj.placement)
        if adj.rate == "exits":
            exit_h[:, g] = _changed(exit_h[:, g], adj, 1 / 365.25)
        elif adj.rate == "moves":
            move_h[:, g] = _changed(move_h[:, g], adj, 1 / 365.25)
        elif adj.placement is None:
            entry = entry * adj.multiply + adj.add * ages[:, None, :]
            if (entry < 0).any():
                raise InvalidInputError("adjustment", adj.rate, "add", "a change leaving entries >= 0", adj.add)
        else:
            if adj.add:
                raise InvalidInputError("adjustment", adj.placement, "add", "0 for the entries of one placement "
                                        "(multiply them instead)", adj.add)
            factor = 1 + mix[:, :, g] * (adj.multiply - 1)  # (councils, bands)
            entry = entry * factor[:, band_of_age][:, None, :]
            mix[:, :, g] *= adj.multiply
            total = mix.sum(axis=2, keepdims=True)
            mix = np.divide(mix, total, out=np.zeros_like(mix), where=total > 0)
    return exit_h, move_h, entry, mix


def forecast_costs(forecast: pd.DataFrame, weekly_cost: Mapping[str, float] | None = None,
                   inflation: float = 0.03) -> pd.DataFrame:
    """Monthly cost of a forecast of :func:`rcc.forecast.forecast_monthly` by council and placement group.

    Parameters
    ----------
    forecast : pandas.DataFrame
        From :func:`rcc.forecast.forecast_monthly` (its ``attrs["draws"]`` give the band).
    weekly_cost : Mapping[str, float], optional
        GBP a week per placement group at the forecast's end date (default :data:`DEFAULT_COSTS`).
    inflation : float, default 0.03
        Yearly growth of every cost from the end date (0.03: 3% a year), > -1.

    Returns
    -------
    pandas.DataFrame
        ``council_id``, ``placement`` (and ``"all"``), ``month``, ``cost_gbp`` (expected), ``cost_p10_gbp``,
        ``cost_p90_gbp``: the cost of the month's children for the month.
    """
    costs = dict(DEFAULT_COSTS if weekly_cost is None else weekly_cost)
    draws = forecast.attrs.get("draws")
    if draws is None:
        raise InvalidInputError("forecast", None, "attrs", "a forecast of rcc.forecast_monthly", "no draws")
    if not (isinstance(inflation, (int, float)) and np.isfinite(inflation) and inflation > -1):
        raise InvalidInputError("parameters", None, "inflation", "a finite yearly rate > -1", inflation)
    stock, councils, months = draws["stock"], draws["councils"], pd.DatetimeIndex(draws["months"])
    missing = [t for t in HOME_TYPES if t not in costs and stock[..., HOME_TYPES.index(t)].any()]
    if missing:
        raise InvalidInputError("weekly_cost", missing[0], "weekly_cost", "a weekly cost for every placement", None)
    price = np.array([float(costs.get(t, 0.0)) for t in HOME_TYPES])
    if (price < 0).any() or not np.isfinite(price).all():
        raise InvalidInputError("weekly_cost", None, "weekly_cost", "finite costs >= 0", list(price))
    years = ((months - pd.Timestamp(forecast.attrs["end"])).days / 365.25).to_numpy()
    per_month = _WEEKS_MONTH * (1 + inflation) ** years  # weeks in a month, inflated
    cost = stock * price * per_month[None, :, None, None]  # sims, months, councils, groups
    # the expected cost: of the forecast's expected children (exact for its draws of the rates) when it has them
    mean = draws["expected"] * price * per_month[:, None, None] if "expected" in draws else cost.mean(axis=0)
    rows = []
    for name, arr, e in (("all", cost.sum(axis=3), mean.sum(axis=2)),
                         *((t, cost[..., i], mean[..., i]) for i, t in enumerate(HOME_TYPES))):
        idx = pd.MultiIndex.from_product([months, councils], names=["month", "council_id"])
        rows.append(pd.DataFrame({"cost_gbp": e.ravel(),
                                  "cost_p10_gbp": np.percentile(arr, 10, axis=0).ravel(),
                                  "cost_p90_gbp": np.percentile(arr, 90, axis=0).ravel()}, index=idx)
                    .reset_index().assign(placement=name))
    out = pd.concat(rows, ignore_index=True)
    return out[["council_id", "placement", "month", "cost_gbp", "cost_p10_gbp", "cost_p90_gbp"]]
