"""``rcc sufficiency``: a multi-year plan of what capacity to add, where and when.

Demand: the region's cohorts grown by ``--growth`` per need (:func:`rcc.forecast_from_region`); with ``--ssda903``
(the files and ``--reference-date`` of ``rcc forecast``), the councils of the return are forecast month by month from
their own episodes (:func:`rcc.forecast.forecast_monthly`, ``--sims``, ``--scenario``) and the forecast's placement
groups x age bands mapped to needs x age bands (:func:`rcc.forecast.monthly_demand`): plan year 1 is the stock on the
reference date, plan year y the forecast 12 x (y - 1) months later; ``--growth`` then applies to the other councils.
``--filter`` (only with ``--ssda903``; as ``rcc forecast --filter``, the same codes and errors) forecasts and plans for
some of the returns' children only (by sex, ethnicity, UASC); the other councils' data have no such characteristics,
so their demand stays all their children (said on stderr).
"""

from __future__ import annotations

import argparse
from typing import Any

import attrs
import pandas as pd

from rcc.allocation.result import PlanStatus
from rcc.cli._common import (
    SECONDS,
    SEED,
    Run,
    StageLog,
    command_parser,
    council_names,
    marked,
    noise_options,
    number,
    out_options,
    summary_frame,
)
from rcc.cli._data import add_data_options, data_epilog, load_region
from rcc.cli.forecast import add_filter_option
from rcc.cli.report import add_report_option, write_reports
from rcc.core.errors import InvalidInputError
from rcc.core.params import SolverOptions
from rcc.core.schema import NEEDS, cohort_ids
from rcc.io.output import plan_record, write_frames
from rcc.sufficiency.defaults import EXAMPLE_GROWTH

DEFAULT_REGION = "Greater Manchester RCC"


def _growth_item(text: str) -> tuple[str, float]:
    """``need=rate`` (e.g. ``complex=0.03``): a need of the schema and a finite yearly rate > -1."""
    need, sep, rate = text.partition("=")
    if not sep or need not in NEEDS:
        raise argparse.ArgumentTypeError(f"expected NEED=RATE with NEED one of {list(NEEDS)}; received {text!r}")
    value = number("a finite yearly rate > -1 (e.g. 0.03)", low=-1, strict=True)
    try:
        return need, float(value(rate))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{need}: {exc}; received {text!r}") from None


class _Growth(argparse.Action):
    """``--growth NEED=RATE ...`` into a dict; a need given twice is an error."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        out: dict[str, float] = {}
        for need, rate in values:
            if need in out:
                raise argparse.ArgumentError(self, f"expected each need at most once; received {need!r} twice")
            out[need] = rate
        setattr(namespace, self.dest, out or dict(EXAMPLE_GROWTH))


def _council_codes(names: pd.Series, councils: pd.DataFrame) -> pd.Series:
    """Council codes of a return's councils (codes, or names as in an ``LA`` column); missing: not in ``councils``."""
    from rcc.io.ofsted import normalise_council_name

    by_name = dict(zip(councils.name.map(normalise_council_name), councils.council_id))
    ids = set(councils.council_id)
    return names.map(lambda c: c if c in ids else by_name.get(normalise_council_name(c)))


def _returns_forecast(args: argparse.Namespace, region: Any, forecast: pd.DataFrame,
                      progress: StageLog) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """Demand of the councils with an SSDA903 return from its monthly forecast (:func:`rcc.forecast.forecast_monthly`,
    mapped to needs by :func:`rcc.forecast.monthly_demand`), the other councils' from ``forecast``: the region with
    every forecast cohort (0 children now where new), the planner's forecast and the returns' demand table."""
    from rcc.cli.forecast import read_scenario, use_filters
    from rcc.forecast import forecast_monthly, monthly_demand

    result = args._ssda903_result
    options: dict[str, Any] = {"n_sims": args.sims, "seed": args.seed}
    use_filters(args, options, progress)
    if args.scenario is not None:
        name, options["adjust"] = read_scenario(args.scenario)
        progress(f"scenario {name!r}: {len(options['adjust'])} adjustment(s)")
    months = max(12 * (args.years - 1), 1)
    progress(f"forecasting the returns' demand: {months} months, {args.sims} simulations (monthly forecast by "
             "placement group and age, mapped to needs)")
    demand = monthly_demand(forecast_monthly(result, months, **options), result, args.years)
    covered = set(_council_codes(result.header.council_id.astype(str), region.councils).dropna())
    demand = demand.assign(council_id=_council_codes(demand.council_id.astype(str), region.councils)).dropna(
        subset=["council_id"])
    demand = demand.assign(cohort_id=cohort_ids(demand.council_id, demand.need, demand.age_band), group_size=1)
    others = len(region.councils) - len(covered)
    progress(f"demand of {len(covered)} council(s) from their returns ({int(demand[demand.year == 1].children.sum())} "
             f"children now{' with --filter' if args.filter else ''}); the other {others} council(s): growth by need"
             + (" (all their children: --filter needs a return)" if args.filter and others else ""))
    # the returns' councils' cohorts: the children of plan year 1 (those --filter keeps), 0 where only forecast
    now = demand.sort_values("year").drop_duplicates("cohort_id")
    now = now.assign(children=now.children.where(now.year == 1, 0))[["cohort_id", "council_id", "need", "age_band",
                                                                      "children"]]
    cohorts = pd.concat([region.cohorts[~region.cohorts.council_id.isin(covered)], now], ignore_index=True)
    kept = forecast[~forecast.council_id.isin(covered)]
    both = pd.concat([kept, demand[list(forecast.columns)]], ignore_index=True)
    if args.filter:
        region = attrs.evolve(region, name=f"{region.name}; only children with "
                              + "; ".join(f"{c} in {','.join(v)}" for c, v in args.filter))
    return region.replace(cohorts=cohorts), both, demand


def cmd_sufficiency(args: argparse.Namespace, run: Run) -> int:
    """``rcc sufficiency``: a multi-year sufficiency plan of a region; its tables (with a summary) under ``--out``."""
    from rcc.sufficiency import SufficiencyParams, default_options, forecast_from_region, sufficiency_plan

    progress = StageLog(args.quiet)
    if args.filter and not args.ssda903:  # never plan for every child when some were asked for
        raise InvalidInputError("--filter", None, None, "--ssda903 (it filters the children of a return)", "no return")
    region = load_region(args, progress, default=DEFAULT_REGION)
    run.region = region.name
    growth = args.growth if args.growth is not None else dict(EXAMPLE_GROWTH)
    forecast = forecast_from_region(region, years=args.years, growth_by_need=growth, group_size={"sibling_group": args.sibling_group})
    demand = None
    if args.ssda903:
        region, forecast, demand = _returns_forecast(args, region, forecast, progress)
        run.region = region.name  # with --filter, says whose demand
    options = default_options(region)
    capital = args.capital_per_council * len(region.councils)
    budgets = pd.DataFrame({"budget_id": ["total"], "scope": ["total"], "capital_gbp": [capital]})
    params = SufficiencyParams(
        years=args.years,
        min_inside_region_share=args.min_inside_share,
        hold_placements=not args.afresh,
        solver=SolverOptions(name=args.solver, time_limit_s=args.time_limit, mip_gap=args.gap, msg=args.verbose),
    )
    progress(
        f"{args.years}-year plan, {len(options)} candidate options, capital GBP {capital / 1e6:,.1f}m, growth "
        + ", ".join(f"{k} {v:+.0%}" for k, v in growth.items())
        + f", {args.solver}, time limit {args.time_limit:g}s"
    )
    with progress:  # the engine's stages, as they start
        plan = sufficiency_plan(region, options, forecast, budgets, params)
    progress.done()
    if plan.status is PlanStatus.INFEASIBLE:
        run.plans["sufficiency"] = plan_record(plan, "sufficiency")
        plan.raise_if_infeasible()
    run.record("sufficiency", plan, "sufficiency")
    print(plan.summary())
    write_reports(plan, args, progress)
    if run.out is not None:
        frames = marked(plan.to_frames(), run.plans["sufficiency"])
        if demand is not None:
            frames["demand_forecast"] = demand
        write_frames({**frames, "summary": summary_frame(run)}, run.out.staging, args.format, council_names(region))
    return run.finish()


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``sufficiency`` sub-command's options (``sub``: the ``add_subparsers`` action)."""
    f = command_parser(sub, "sufficiency", "a multi-year sufficiency plan: what capacity to add, where and when")
    add_data_options(f, DEFAULT_REGION)
    f.add_argument("--years", type=number("a whole number of years >= 1", integer=True, low=1), default=5,
                   help="plan years (default 5)")
    f.add_argument("--growth", nargs="*", metavar="NEED=RATE", type=_growth_item, action=_Growth,
                   help="yearly growth per need, finite and > -1, e.g. complex=0.03 (default: " +
                   " ".join(f"{k}={v:g}" for k, v in EXAMPLE_GROWTH.items()) + ")")
    f.add_argument("--sibling-group", type=number("a whole number of children >= 1", integer=True, low=1), default=2,
                   help="children per sibling group placed together (default 2)")
    f.add_argument("--capital-per-council", type=number("a finite amount of GBP >= 0", low=0), default=1_000_000.0,
                   help="total capital budget over the plan, GBP per council, finite and >= 0 (default 1,000,000)")
    f.add_argument("--min-inside-share", type=number("a share between 0 and 1", low=0, high=1), default=0.0,
                   help="minimum share placed inside the region (0-1)")
    f.add_argument("--afresh", action="store_true",
                   help="place every forecast child anew each year (default: start from today's placements, "
                   "held while the children stay in care)")
    f.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    f.add_argument("--time-limit", type=SECONDS, default=300.0,
                   help="whole-run time limit in seconds, > 0 (default 300: England took 95 s in a benchmark run on 2 busy cores)")
    f.add_argument("--gap", type=number("a finite relative gap >= 0", low=0), default=1e-3,
                   help="stop at this relative gap, >= 0 (default 0.001)")
    f.add_argument("--sims", type=number("a whole number of simulations >= 1", integer=True, low=1), default=200,
                   help="with --ssda903: simulations of the monthly forecast of the returns' demand (default 200)")
    f.add_argument("--scenario", default=None, metavar="FILE",
                   help="with --ssda903: a saved forecast scenario, as rcc forecast --scenario takes")
    add_filter_option(f, "; with --ssda903 (as rcc forecast --filter): the returns' councils plan for these "
                      "children only, the other councils for all theirs")
    f.add_argument("--seed", type=SEED, default=0)
    out_options(f, None, "result tables (with summary and the status in metrics)")
    add_report_option(f, "the sufficiency plan")
    f.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="csv (default): rounded for reading (counts as integers, %% to 1 decimal, whole GBP, miles to "
                   "1 decimal) with council names beside codes; parquet: full precision")
    noise_options(f)
    data_epilog(f)
    f.set_defaults(func=cmd_sufficiency)
    return f
