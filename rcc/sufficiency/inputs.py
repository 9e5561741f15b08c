"""Validation of the sufficiency tables and preparation of the model arrays.

Every rule raises :class:`rcc.core.errors.InvalidInputError` with the table, row
id, column, what was expected and what was received. Inputs are never mutated.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from rcc.allocation.model import edge_costs, unmet_costs
from rcc.allocation.network import eligible_edges
from rcc.core.errors import InvalidInputError
from rcc.core.params import DistanceRules
from rcc.core.region import Region
from rcc.core.schema import NEEDS, TABLES
from rcc.core.validate import is_real, normalise, split_needs
from rcc.sufficiency import stepdowns
from rcc.sufficiency.held import HeldStock, apply_held, group_remainders, held_stock
from rcc.sufficiency.model import BudgetRow, ModelData
from rcc.sufficiency.params import SufficiencyParams
from rcc.sufficiency.tables import BUDGETS, CLOSURES, COSTS, FORECAST, NO_LIMIT, OPTIONS

__all__ = ["SufficiencyInputs", "prepare_inputs"]


@attrs.frozen(eq=False)
class SufficiencyInputs:
    """Validated tables, the site network and the model arrays of one sufficiency plan
    (from :func:`prepare_inputs`; was ``Prepared``, a name the analysis layer also uses)."""

    region: Region  # as given
    sites: pd.DataFrame  # existing homes then options, one row per site
    options: pd.DataFrame
    forecast: pd.DataFrame
    budgets: pd.DataFrame
    closures: pd.DataFrame
    edges: pd.DataFrame  # cohort, site, distance_miles, inside_own_council, weekly_cost_gbp
    rccs: Mapping[str, tuple[str, ...]]
    data: ModelData
    note: str
    held: HeldStock | None = None  # today's placements moved through the years (None: planned afresh)


def _fail_rows(table: str, df: pd.DataFrame, id_col: str, mask: np.ndarray, column: str, expected: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        pos = int(np.flatnonzero(mask)[0])
        row = df[id_col].iloc[pos] if id_col in df.columns and df[id_col].iloc[pos] != "" else f"#{pos}"
        raise InvalidInputError(table, row, column, expected, df[column].iloc[pos], more=int(mask.sum()) - 1)


def _empty(table) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in table.columns if c.required})


def _options(options: pd.DataFrame | None, region: Region) -> pd.DataFrame:
    o = normalise(options if options is not None else _empty(OPTIONS), OPTIONS)
    o["max_units_per_year"] = np.where(o.max_units_per_year == NO_LIMIT, o.max_units, o.max_units_per_year).astype(np.int64)
    o["name"] = o.name.where(o.name != "", o.option_id)
    _fail_rows("options", o, "option_id", (o.max_units_per_year < 0).to_numpy(), "max_units_per_year", "a value >= 0 (empty: max_units)")
    _fail_rows("options", o, "option_id", (o.min_units > o.max_units).to_numpy(), "min_units", "min_units <= max_units")
    _fail_rows("options", o, "option_id", (o.min_age > o.max_age).to_numpy(), "min_age", "min_age <= max_age")
    known = region.councils.council_id
    _fail_rows("options", o, "option_id", ~o.council_id.isin(known).to_numpy(), "council_id", "an id of a row of table 'councils'")
    serves = o.serves_council_id
    _fail_rows(
        "options", o, "option_id", ((serves != "") & ~serves.isin(known)).to_numpy(), "serves_council_id", "empty or a council id"
    )
    bad = split_needs(o.needs).map(lambda xs: len(xs) == 0 or any(x not in NEEDS for x in xs)).to_numpy(dtype=bool)
    _fail_rows("options", o, "option_id", bad, "needs", f"';'-separated codes from {list(NEEDS)}")
    clash = o.option_id.isin(region.homes.home_id).to_numpy()
    _fail_rows("options", o, "option_id", clash, "option_id", "an id that is not also a home_id")
    return o


def _forecast(forecast: pd.DataFrame | None, region: Region, years: int | None) -> tuple[pd.DataFrame, int]:
    cohorts = region.cohorts
    if forecast is None:
        n_years = years or 1
        f = pd.DataFrame(
            {
                "cohort_id": np.repeat(cohorts.cohort_id.to_numpy(), n_years),
                "year": np.tile(np.arange(1, n_years + 1), len(cohorts)),
                "children": np.repeat(cohorts.children.to_numpy(), n_years),
            }
        )
        return normalise(f, FORECAST), n_years
    f = normalise(forecast, FORECAST)
    _fail_rows("forecast", f, "forecast_id", ~f.cohort_id.isin(cohorts.cohort_id).to_numpy(), "cohort_id", "an id of a row of table 'cohorts'")
    _fail_rows("forecast", f, "forecast_id", f.duplicated(["cohort_id", "year"]).to_numpy(), "year", "one row per (cohort_id, year)")
    per_cohort = f.groupby("cohort_id").group_size.transform("nunique").to_numpy()
    _fail_rows("forecast", f, "forecast_id", per_cohort > 1, "group_size", "the same group_size in every year of a cohort")
    _fail_rows(
        "forecast", f, "forecast_id", (f.children % f.group_size != 0).to_numpy(), "children", "a whole number of groups (a multiple of group_size)"
    )
    n_years = years or (int(f.year.max()) if len(f) else 1)
    _fail_rows("forecast", f, "forecast_id", (f.year > n_years).to_numpy(), "year", f"a plan year <= {n_years} (params.years)")
    return f, n_years


def _rccs(params: SufficiencyParams, region: Region) -> dict[str, tuple[str, ...]]:
    if not params.rccs:
        return {region.name: tuple(region.council_ids)}
    known = set(region.council_ids)
    for name, ids in params.rccs.items():
        for cid in ids:
            if cid not in known:
                raise InvalidInputError("params", name, "rccs", "council ids of the region", cid)
    return dict(params.rccs)


def _budgets(
    budgets: pd.DataFrame | None, region: Region, rccs: Mapping[str, tuple[str, ...]], n_years: int
) -> tuple[pd.DataFrame, list[BudgetRow]]:
    b = normalise(_budget_limits(budgets) if budgets is not None else _empty(BUDGETS), BUDGETS)
    for col in ("capital_gbp", "revenue_gbp"):
        arr = b[col].to_numpy(dtype=float)
        b[col] = np.where(arr == NO_LIMIT, math.inf, arr)  # NO_LIMIT here: inf or the column left out
    ids = pd.Index(region.council_ids)
    rows: list[BudgetRow] = []
    for i, r in enumerate(b.itertuples(index=False)):
        mask = np.zeros(len(ids), dtype=bool)
        if r.scope == "total":
            mask[:] = True
        elif r.scope == "council":
            pos = ids.get_indexer([r.scope_id])[0]
            if pos < 0:
                raise InvalidInputError("budgets", r.budget_id or f"#{i}", "scope_id", "a council id of the region", r.scope_id)
            mask[pos] = True
        else:
            if r.scope_id not in rccs:
                raise InvalidInputError("budgets", r.budget_id or f"#{i}", "scope_id", f"an RCC name from {list(rccs)}", r.scope_id)
            mask[ids.get_indexer(list(rccs[r.scope_id]))] = True
        years = np.zeros(n_years, dtype=bool)
        if r.year == "all":
            years[:] = True
        else:
            try:
                y = int(float(r.year))
            except (ValueError, OverflowError):
                y = -1
            if not 1 <= y <= n_years:
                raise InvalidInputError("budgets", r.budget_id or f"#{i}", "year", f"'all' or a plan year 1..{n_years}", r.year)
            years[y - 1] = True
        who = "total" if r.scope == "total" else f"{r.scope} {r.scope_id}"
        label = r.budget_id or who
        rows.append(BudgetRow(label, mask, years, float(r.capital_gbp), float(r.revenue_gbp), r.revenue_basis))
    b["label"] = [r.label for r in rows]
    return b, rows


def _budget_limits(budgets: pd.DataFrame) -> pd.DataFrame:
    """Budget limits before the table rules: a number >= 0 or inf (no limit).

    A missing value (NaN, None) or a negative number is an error, never "no
    limit" (a left-out column is). inf becomes the table's no-limit default,
    which the table rules accept; text and bools are left for them to report.
    """
    if not isinstance(budgets, pd.DataFrame):
        return budgets  # normalise reports it
    out = budgets.copy()
    ids = out["budget_id"] if "budget_id" in out.columns else pd.Series([""] * len(out), index=out.index)
    for col in ("capital_gbp", "revenue_gbp"):
        if col not in out.columns or isinstance(out[col], pd.DataFrame):
            continue  # absent: no limit; a duplicated column: normalise reports it
        s = out[col]
        real = s.map(is_real).to_numpy(dtype=bool)
        x = np.where(real, pd.to_numeric(s.where(real), errors="coerce").to_numpy(dtype=float), 0.0)
        bad = s.isna().to_numpy(dtype=bool) | (real & ~(x >= 0))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            row = ids.iloc[pos] if isinstance(ids.iloc[pos], str) and ids.iloc[pos] else f"#{pos}"
            expected = "a limit in GBP >= 0, or inf for no limit (an empty or negative limit is not 'no limit')"
            raise InvalidInputError("budgets", row, col, expected, s.iloc[pos], more=int(bad.sum()) - 1)
        out[col] = np.where(real & np.isposinf(x), NO_LIMIT, s.to_numpy(dtype=object))
    return out


def _sites(region: Region, options: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Existing homes then options as one homes-like table, and the providers."""
    homes = region.homes[list(TABLES["homes"].names)].copy()
    homes["is_option"] = False
    homes["scope"] = "council"
    opt = pd.DataFrame(
        {
            "home_id": options.option_id,
            "council_id": options.council_id,
            "provider_id": options.provider_id,
            "home_type": options.home_type,
            "places": options.places_per_unit * np.maximum(options.max_units, 1),
            "needs": options.needs,
            "min_age": options.min_age,
            "max_age": options.max_age,
            "weekly_cost_gbp": options.weekly_cost_gbp,
            "serves_council_id": options.serves_council_id,
            "is_option": True,
            "scope": options.scope,
        }
    )
    sites = pd.concat([homes, opt], ignore_index=True)
    providers = region.providers.copy()
    new = options.loc[~options.provider_id.isin(providers.provider_id)].drop_duplicates("provider_id")
    if len(new):
        add = pd.DataFrame(
            {
                "provider_id": new.provider_id,
                "name": new.provider_id,
                "sector": new.sector,
                "group": new.provider_group.where(new.provider_group != "", new.provider_id),
            }
        )
        providers = pd.concat([providers, add], ignore_index=True)
    p = providers.set_index("provider_id")
    known = options.provider_id.isin(region.providers.provider_id).to_numpy()
    opt_group = np.where(options.provider_group != "", options.provider_group, options.provider_id.map(p.group))
    opt_sector = np.where(known, options.provider_id.map(p.sector), options.sector)
    sites["provider_group"] = np.r_[homes.provider_id.map(p.group).to_numpy(dtype=object), opt_group.astype(object)]
    sites["sector"] = np.r_[homes.provider_id.map(p.sector).to_numpy(dtype=object), opt_sector.astype(object)]
    return sites, providers


def _edges(
    site_region: Region, sites: pd.DataFrame, params: SufficiencyParams, costs: pd.DataFrame | None, region: Region
) -> tuple[pd.DataFrame, str]:
    unlimited = DistanceRules(max_distance_miles=math.inf, max_distance_by_need={})  # limits by scope below
    e = eligible_edges(site_region, unlimited)  # type: ignore[arg-type]  # it reads only distance_limit
    cohorts = site_region.cohorts
    codes, needs = pd.factorize(cohorts.need)  # limits looked up per need, never per pair
    by_need = np.array([params.distance_limit(n) for n in needs] + [math.inf], dtype=float)
    coh, site = e.cohort.to_numpy(), e.home.to_numpy()
    creg = pd.Index(region.councils.council_id)
    reg = region.councils.region.to_numpy()
    # regions and scopes looked up per cohort and per site, then per pair by position
    code = pd.factorize(np.r_[reg[creg.get_indexer(cohorts.council_id)], reg[creg.get_indexer(sites.council_id)]])[0]
    c_reg, s_reg = code[: len(cohorts)][coh], code[len(cohorts) :][site]
    scope = sites.scope.to_numpy()
    national, regional = (scope == "national")[site], (scope == "regional")[site]
    within = e.distance_miles.to_numpy() <= by_need[codes][coh]
    keep = national | np.where(regional, (c_reg == s_reg) & (c_reg >= 0), within)
    e = e.loc[keep].rename(columns={"home": "site"}).drop(columns="held").reset_index(drop=True)
    if costs is not None:
        c = normalise(costs, COSTS)
        _fail_rows("costs", c, "cost_id", ~c.cohort_id.isin(cohorts.cohort_id).to_numpy(), "cohort_id", "an id of a row of table 'cohorts'")
        _fail_rows("costs", c, "cost_id", ~c.site_id.isin(sites.home_id).to_numpy(), "site_id", "a home_id or an option_id")
        _fail_rows("costs", c, "cost_id", c.duplicated(["cohort_id", "site_id"]).to_numpy(), "site_id", "one row per (cohort_id, site_id)")
        key = pd.MultiIndex.from_arrays(
            [pd.Index(cohorts.cohort_id).get_indexer(c.cohort_id), pd.Index(sites.home_id).get_indexer(c.site_id)]
        )
        price = pd.Series(c.weekly_cost_gbp.to_numpy(), index=key)
        at = price.reindex(pd.MultiIndex.from_arrays([e.cohort.to_numpy(), e.site.to_numpy()])).to_numpy()
        e["weekly_cost_gbp"] = np.where(np.isnan(at), e.weekly_cost_gbp.to_numpy(), at)
    note = ""
    k = params.max_homes_per_cohort
    if k is not None:
        score = edge_costs(e, params)  # type: ignore[arg-type]  # it reads only the weights
        is_opt = sites.is_option.to_numpy(dtype=bool)[e.site.to_numpy()]
        rank = pd.Series(np.where(is_opt, np.inf, score)).groupby(e.cohort.to_numpy()).rank(method="first").to_numpy()
        kept = is_opt | (rank <= k)
        note = f"model reduced to each cohort's {k} cheapest existing homes ({int(kept.sum()):,} of {len(e):,} edges)"
        e = e.loc[kept].reset_index(drop=True)
    return e, note


def distance_penalty(edges: pd.DataFrame, params: SufficiencyParams) -> np.ndarray:
    """Per child per week: the distance and out-of-area part of each edge's cost, that is
    :func:`rcc.allocation.model.edge_costs` without the weekly cost (which the sufficiency
    objective discounts by year and adds at ``per_gbp / weeks`` per pound)."""
    return edge_costs(edges.assign(weekly_cost_gbp=0.0), params)  # type: ignore[arg-type]  # it reads only the weights


def _model_data(
    region: Region,
    sites: pd.DataFrame,
    opts: pd.DataFrame,
    fc: pd.DataFrame,
    clo: pd.DataFrame,
    edges: pd.DataFrame,
    budget_rows: list[BudgetRow],
    rccs: Mapping[str, tuple[str, ...]],
    n_years: int,
    params: SufficiencyParams,
) -> ModelData:
    """The model's arrays from the validated tables (row positions; 0-based years)."""
    cohorts = region.cohorts
    cidx = pd.Index(region.council_ids)
    coh_idx = pd.Index(cohorts.cohort_id)
    demand = np.zeros((len(cohorts), n_years))
    group = np.ones(len(cohorts), dtype=np.int64)
    if len(fc):
        ci = coh_idx.get_indexer(fc.cohort_id)
        demand[ci, fc.year.to_numpy() - 1] = fc.children.to_numpy(dtype=float)
        group[ci] = fc.group_size.to_numpy()

    n_homes = len(region.homes)
    site_option = np.r_[np.full(n_homes, -1), np.arange(len(opts))].astype(np.int64)
    exempt = sites.sector.isin(params.share_exempt_sectors).to_numpy()
    codes, names = pd.factorize(sites.provider_group.where(~exempt, None), use_na_sentinel=True)
    lead = opts.lead_time_months.to_numpy(dtype=float)
    first = np.floor(lead / 12.0) if params.lead_time_rule == "share" else np.ceil(lead / 12.0)
    lag = first.astype(np.int64)  # first year whose places count (ModelData.unit_share)
    hidx = pd.Index(region.homes.home_id)
    return ModelData(
        n_years=n_years,
        demand=demand,
        unmet_cost=unmet_costs(region, params),  # type: ignore[arg-type]  # it reads only the weights
        group_size=group,
        cohort_council=cidx.get_indexer(cohorts.council_id).astype(np.int64),
        site_council=cidx.get_indexer(sites.council_id).astype(np.int64),
        site_places=np.r_[region.homes.places.to_numpy(dtype=float), opts.places_per_unit.to_numpy(dtype=float)],
        site_option=site_option,
        site_group=codes.astype(np.int64),
        group_names=[str(n) for n in names],
        opt_site=(n_homes + np.arange(len(opts))).astype(np.int64),
        opt_lag=lag,
        opt_earliest=(opts.earliest_year.to_numpy() - 1).astype(np.int64),
        opt_max_units=opts.max_units.to_numpy(dtype=float),
        opt_max_per_year=opts.max_units_per_year.to_numpy(dtype=float),
        opt_min_units=opts.min_units.to_numpy(dtype=float),
        opt_capital=opts.capital_cost_gbp.to_numpy(dtype=float),
        opt_start_up=opts.start_up_cost_gbp.to_numpy(dtype=float),
        opt_running=opts.annual_running_cost_gbp.to_numpy(dtype=float),
        close_site=hidx.get_indexer(clo.home_id).astype(np.int64),
        close_earliest=(clo.earliest_year.to_numpy() - 1).astype(np.int64),
        close_cost=clo.closure_cost_gbp.to_numpy(dtype=float),
        close_saving=clo.annual_saving_gbp.to_numpy(dtype=float),
        e_cohort=edges.cohort.to_numpy(dtype=np.int64),
        e_site=edges.site.to_numpy(dtype=np.int64),
        e_penalty=distance_penalty(edges, params),
        e_weekly=edges.weekly_cost_gbp.to_numpy(dtype=float),
        rcc_councils=[cidx.isin(list(ids)) for ids in rccs.values()],
        rcc_names=list(rccs),
        budgets=budget_rows,
        per_gbp=params.weights.per_gbp,
        weeks_per_year=params.weeks_per_year,
        discount_rate=params.discount_rate,
        min_inside_share=params.min_inside_region_share,
        max_group_share=params.max_provider_group_share,
        whole_children=params.whole_children,
        strong_linking=params.strong_linking,
        opt_lead_months=lead,
        lead_time_rule=params.lead_time_rule,
    )


def prepare_inputs(
    region: Region,
    options: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    budgets: pd.DataFrame | None,
    params: SufficiencyParams,
    closures: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    hold: Region | None = None,
    home_class: np.ndarray | None = None,
) -> SufficiencyInputs:
    """Validate the tables and build the model arrays (was ``prepare``).

    ``hold``: the region as given, whose ``placements`` are held (:mod:`rcc.sufficiency.held`);
    ``home_class``: each of its homes' class in ``region`` when homes were merged."""
    if not isinstance(region, Region):
        raise InvalidInputError("region", None, None, "an rcc.Region", type(region).__name__)
    opts = _options(options, region)
    fc, n_years = _forecast(forecast, region, params.years)
    rccs = _rccs(params, region)
    bud, budget_rows = _budgets(budgets, region, rccs, n_years)
    clo = normalise(closures if closures is not None else _empty(CLOSURES), CLOSURES)
    _fail_rows("closures", clo, "home_id", ~clo.home_id.isin(region.homes.home_id).to_numpy(), "home_id", "an id of a row of table 'homes'")

    sites, providers = _sites(region, opts)
    site_region = attrs.evolve(
        region, providers=providers, homes=sites[list(TABLES["homes"].names)], placements=region.placements.iloc[0:0]
    )
    edges, note = _edges(site_region, sites, params, costs, region)

    data = _model_data(region, sites, opts, fc, clo, edges, budget_rows, rccs, n_years, params)
    stock = None
    if hold is not None and len(hold.placements):
        stock = held_stock(hold, data.demand, params.whole_children, data.group_size)
        site = stock.home if home_class is None else np.asarray(home_class)[stock.home]
        weekly = hold.homes.weekly_cost_gbp.to_numpy(dtype=float)[stock.home]
        data = apply_held(data, stock, site, weekly, len(region.councils))
        if params.step_downs:
            data = stepdowns.attach(data, stock, site, params.step_down_cost_gbp)
        data, edges = group_remainders(data, edges)
    return SufficiencyInputs(region, sites, opts, fc, bud, clo, edges, rccs, data, note, stock)


#: Old names (rcc 0.1) -> new names: they clashed with :mod:`rcc.analysis.scenarios`' ``Prepared``/``prepare``.
_RENAMED = {"Prepared": "SufficiencyInputs", "prepare": "prepare_inputs"}


def __getattr__(name: str) -> object:
    """``Prepared`` and ``prepare`` forward to their new names with a DeprecationWarning."""
    if name in _RENAMED:
        new = _RENAMED[name]
        warnings.warn(
            f"rcc.sufficiency.inputs.{name} is deprecated: renamed rcc.sufficiency.inputs.{new} in rcc 0.2",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
