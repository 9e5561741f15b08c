"""``rcc forecast``: a council's monthly forecast by placement group and age from its own SSDA903 returns.

Prints the forecast total with its p10-p90 band every six months and the table by placement group at the
last month; ``--backtest`` first holds out the last one or two years, forecasts them from the years before
and prints the error per placement group and age band and the band's coverage, so a council sees how well
it is forecast before trusting it. With ``--out``: ``forecast`` (every council x placement x age band x
month), ``totals``, ``flows``, ``trends``, ``costs`` (and ``backtest``) tables and ``forecast.png`` (history, forecast
and band), ``exit_trends``, ``leaving_at_18`` and ``leaving_history`` (Staying Put and supported living after 18,
:mod:`rcc.forecast.leaving`), ``transitions`` (the monthly chance of moving between placement groups and of
leaving care, by group and age band), ``region_totals`` (all the councils together, with their band); with a
UASC file, the UASC children are also forecast on their own (printed, ``uasc_totals``); ``--chart PATH`` writes the
chart anywhere (``.html``: interactive, with plotly). Counts are the council's own: nothing here is
suppressed for publication.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

import pandas as pd

from rcc.cli._common import SEED, Run, StageLog, command_parser, noise_options, number, out_options
from rcc.cli._data import _ssda903_files, coded_result
from rcc.core.errors import InvalidInputError
from rcc.io.output import write_frames


def _load(args: argparse.Namespace) -> Any:
    from rcc.io.ssda903 import load_ssda903

    files = _ssda903_files(args.ssda903)
    return coded_result(load_ssda903(files["header"], files["episodes"], uasc=files.get("uasc"),
                                     reference_date=args.reference_date, council_id=args.council))


def read_scenario(path: str, option: str = "--scenario") -> tuple[str, list[dict[str, Any]]]:
    """A saved scenario: a JSON file ``{"name": ..., "adjust": [{"rate": ..., "placement": ..., "multiply": ...,
    "add": ...}, ...]}`` (see :class:`rcc.forecast.adjust.Adjustment`), every adjustment checked; ``option`` names
    the option it came from in an error."""
    from rcc.forecast.adjust import Adjustment

    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(option, None, None, "a readable JSON file", f"{path}: {exc}") from None
    if not isinstance(record, dict) or not isinstance(record.get("adjust"), list):
        raise InvalidInputError(option, None, "adjust", '{"name": ..., "adjust": [...]}', type(record).__name__)
    for adj in record["adjust"]:
        Adjustment.from_dict(adj)  # raises, naming what is wrong, before anything runs
    return str(record.get("name", Path(path).stem)), record["adjust"]


def _cost_item(text: str) -> tuple[str, float]:
    from rcc.core.schema import HOME_TYPES

    kind, sep, value = text.partition("=")
    try:
        cost = float(value)
    except ValueError:
        cost = float("nan")
    if not sep or kind not in HOME_TYPES or not cost >= 0 or cost == float("inf"):
        raise argparse.ArgumentTypeError(f"expected PLACEMENT=GBP with PLACEMENT one of {list(HOME_TYPES)} and a "
                                         f"finite cost >= 0; received {text!r}")
    return kind, cost


def _filter_item(text: str) -> tuple[str, list[str]]:
    from rcc.forecast.flowdata import FILTER_COLUMNS

    column, sep, values = text.partition("=")
    if not sep or column not in FILTER_COLUMNS or not values:
        raise argparse.ArgumentTypeError(f"expected COLUMN=CODES with COLUMN one of {', '.join(FILTER_COLUMNS)} "
                                         f"(codes separated by commas); received {text!r}")
    return column, values.split(",")


def add_filter_option(parser: argparse.ArgumentParser, more: str = "") -> None:
    """``--filter COLUMN=CODES ...``: only some children of the SSDA903 return (``more``: the rest of the help)."""
    parser.add_argument("--filter", nargs="+", type=_filter_item, default=None, metavar="COLUMN=CODES",
                        help="only some children: SEX=2, ETHNIC=WBRI,WIRI, UASC=1 (UASC: needs the UASC file; 1 a "
                        "child in it, 0 the others) ... (codes comma separated; each column once)" + more)


def use_filters(args: argparse.Namespace, options: dict[str, Any], progress: Any) -> None:
    """``--filter`` into ``options["filters"]`` of :func:`rcc.forecast.forecast_monthly`, said on ``progress``.

    Raises
    ------
    InvalidInputError
        A column given twice (its codes go in one ``COLUMN=A,B``).
    """
    if not args.filter:
        return
    columns = [c for c, _ in args.filter]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise InvalidInputError("--filter", None, twice[0], f"each column once (codes comma separated: {twice[0]}=A,B)",
                                f"{twice[0]} {columns.count(twice[0])} times")
    options["filters"] = dict(args.filter)
    progress("only children with " + "; ".join(f"{c} in {v}" for c, v in args.filter))


def _every_six_months(totals: pd.DataFrame) -> pd.DataFrame:
    """The councils' totals (``placement == "all"``) every six months (every month when fewer than six)."""
    allc = totals[totals.placement == "all"]
    months = sorted(allc.month.unique())
    return allc[allc.month.isin(months[5::6] if len(months) >= 6 else months)]


def leaving_text(fc: pd.DataFrame) -> str:
    """Young people leaving care at 18 by outcome: the last year of the history and the forecast's first 12 months
    (Staying Put from ``REC`` E17; said to be absent when the episodes have no ``REC``)."""
    hist, fut = fc.attrs["leaving_history"], fc.attrs["leaving_at_18"]
    lines = ["leaving care at 18 (REC of the last episode: E17 staying put, E5 supported living incl. Staying Close):"]
    first = fut[fut.month <= sorted(fut.month.unique())[:12][-1]]
    for council, part in first.groupby("council_id"):
        last = hist[(hist.council_id == council) & (hist.year_to == fc.attrs["end"])].groupby("outcome").young_people
        sums = part.groupby("outcome")[["young_people_expected", "young_people_p10", "young_people_p90"]].sum(
            min_count=1)
        if sums.loc[["staying_put", "supported_living", "other"], "young_people_expected"].isna().all():
            lines.append(f"  {council}: Staying Put is not in the data (no REC for those who left at 18): "
                         f"{sums.young_people_expected.sum():,.0f} expected to leave at 18 in the next 12 months")
            continue
        counts = last.sum()
        for outcome in ("staying_put", "supported_living", "other", "unknown"):
            r = sums.loc[outcome]
            lines.append(f"  {council} {outcome}: last year {int(counts.get(outcome, 0))}, next 12 months "
                         f"{r.young_people_expected:,.1f} (p10-p90 of months summed {r.young_people_p10:,.0f}-"
                         f"{r.young_people_p90:,.0f})")
    return "\n".join(lines)


def uasc_text(fc: pd.DataFrame) -> str:
    """The UASC children's own forecast (total and band every six months)."""
    shown = _every_six_months(fc.attrs["totals"])
    obs = fc[(fc.kind == "observed") & (fc.month == fc.attrs["end"])].groupby("council_id").children.sum()
    lines = ["UASC children (the UASC table's children, forecast from their own episodes; included above): now "
             + ", ".join(f"{c} {n}" for c, n in obs.items())]
    lines += [f"  {r.month:%Y-%m} {r.council_id}: {r.children_expected:,.1f} ({r.children_p10:,.0f}-"
              f"{r.children_p90:,.0f})" for r in shown.itertuples()]
    return "\n".join(lines)


def costs_text(costs: pd.DataFrame, inflation: float) -> str:
    """The cost of each year of the forecast (12 months from the end date), expected and p10-p90."""
    c = costs[costs.placement == "all"].sort_values("month").copy()
    c["year"] = (pd.RangeIndex(len(c)) // (12 * c.council_id.nunique())) + 1
    per = c.groupby(["council_id", "year"])[["cost_gbp", "cost_p10_gbp", "cost_p90_gbp"]].sum()
    lines = [f"cost (weekly costs by placement, inflation {inflation:.1%} a year; the p10-p90 of months summed):"]
    for (council, year), r in per.iterrows():
        lines.append(f"  year {year} {council}: GBP {r.cost_gbp / 1e6:,.1f}m "
                     f"({r.cost_p10_gbp / 1e6:,.1f}m-{r.cost_p90_gbp / 1e6:,.1f}m)")
    return "\n".join(lines)


def backtest_text(bt: pd.DataFrame) -> str:
    """The backtest as lines: error and coverage per placement group and age band, and per group."""
    cut = bt.attrs.get("cut")
    head = f"backtest: forecast from {cut:%Y-%m-%d} to {bt.attrs.get('end'):%Y-%m-%d}, against what was observed"
    rows = bt[(bt.observed > 0) | (bt.forecast >= 0.5)].copy()
    rows["forecast"] = rows.forecast.round(1)
    rows["error_pct"] = rows.error_pct.round(1)
    rows["coverage"] = (100 * rows.coverage).round(0)
    cols = ["council_id", "placement", "age_band", "observed", "forecast", "children_p10", "children_p90",
            "error_pct", "coverage"]
    groups = bt.groupby("placement").agg(observed=("observed", "sum"), forecast=("forecast", "sum"),
                                         coverage=("coverage", "mean"))
    groups = groups[groups.observed > 0]
    groups["error_pct"] = ((groups.forecast - groups.observed) / groups.observed * 100).round(1)
    groups["coverage"] = (100 * groups.coverage).round(0)
    mean_abs = rows.error_pct.abs().mean()
    return "\n".join([head, rows[cols].to_string(index=False), "", "by placement group (coverage: % of the "
                      "holdout's month ends inside p10-p90, mean over age bands)",
                      groups.round(1).to_string(), "", f"mean absolute error per group x age band: {mean_abs:.1f}%"])


def forecast_text(fc: pd.DataFrame) -> str:
    """The total with its band every six months, and the last month by placement group."""
    tot = fc.attrs["totals"]
    shown = _every_six_months(tot)
    months = sorted(tot.month.unique())
    obs = fc[fc.kind == "observed"]
    now = obs[obs.month == obs.month.max()].groupby("council_id").children.sum()
    lines = [f"children in care on {fc.attrs['end']:%Y-%m-%d}: " + ", ".join(f"{c} {n}" for c, n in now.items()),
             "forecast total (expected, p10-p90):"]
    for r in shown.itertuples():
        lines.append(f"  {r.month:%Y-%m} {r.council_id}: {r.children_expected:,.0f} "
                     f"({r.children_p10:,.0f}-{r.children_p90:,.0f})")
    if len(now) > 1:  # the councils together: their band is not the sum of theirs
        both = fc.attrs["region_totals"]
        for r in both[(both.placement == "all") & both.month.isin(shown.month)].itertuples():
            lines.append(f"  {r.month:%Y-%m} all {len(now)} councils: {r.children_expected:,.0f} "
                         f"({r.children_p10:,.0f}-{r.children_p90:,.0f})")
    last = tot[(tot.month == months[-1]) & (tot.placement != "all") & (tot.children_expected >= 0.5)]
    lines.append(f"by placement group at {months[-1]:%Y-%m}:")
    lines.append(last[["council_id", "placement", "children_expected", "children_p10", "children_p90"]]
                 .round(1).to_string(index=False))
    trends = fc.attrs["trends"]
    for r in trends[trends.chosen].itertuples():
        lines.append(f"entry trend of {r.council_id} (chosen by backtest): {r.trend}, "
                     f"{'all months' if r.months == 0 else f'last {r.months} months'} ({r.error_pct:.1f}% error)")
    return "\n".join(lines)


def draw_chart(fc: pd.DataFrame, path: str | Path) -> Path:
    """:func:`rcc.report.plot_monthly_forecast` of ``fc`` saved at ``path`` (png, svg or pdf; no display needed), or
    with an ``.html`` path the interactive chart of the total (:func:`rcc.report.interactive.forecast_figure`, plotly:
    a self-contained page)."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        from rcc.report.interactive import forecast_figure

        forecast_figure(fc).write_html(path, include_plotlyjs=True, full_html=True)
        return path
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rcc.report.plots import plot_monthly_forecast

    fig = plot_monthly_forecast(fc)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _check_chart(path: str | None) -> None:
    """The ``--chart`` path's format is one rcc can write (checked before the forecast runs)."""
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        if importlib.util.find_spec("plotly") is None:
            raise InvalidInputError("--chart", None, path, 'plotly installed for an interactive .html chart '
                                    '(pip install "rcc[interactive]"), or a png, svg or pdf path', "plotly not importable")
    elif suffix not in (".png", ".svg", ".pdf"):
        raise InvalidInputError("--chart", None, path, "a path ending .png, .svg, .pdf or .html (interactive)", suffix or "no suffix")


def _read_compared(paths: list[str], named: dict[str, Any]) -> dict[str, Any]:
    """The forecast as estimated, ``--scenario``'s (``named``) and each of ``paths``' saved scenarios, by name,
    to compare side by side (:func:`rcc.forecast.compare_scenarios`: the same data, seed and simulations)."""
    named = dict(named)
    for path in paths:
        name, adjust = read_scenario(path, "--compare")
        if name in named:
            raise InvalidInputError("--compare", None, path, "scenarios with names of their own", name)
        named[name] = adjust
    return named


def scenarios_text(table: pd.DataFrame) -> str:
    """Scenarios side by side: each council's total every six months, expected (p10-p90)."""
    allc = _every_six_months(table)
    cells = allc.assign(cell=[f"{r.children_expected:,.0f} ({r.children_p10:,.0f}-{r.children_p90:,.0f})"
                              for r in allc.itertuples()])
    wide = cells.pivot_table(index=["council_id", "month"], columns="scenario", values="cell", aggfunc="first",
                             sort=False)[list(dict.fromkeys(table.scenario))]
    wide.index = [f"{c} {m:%Y-%m}" for c, m in wide.index]
    return "scenarios side by side (children in care, expected and p10-p90):\n" + wide.to_string()


def cmd_forecast(args: argparse.Namespace, run: Run) -> int:
    """``rcc forecast``: the monthly forecast (and ``--backtest``) of a council's SSDA903 returns."""
    from rcc.forecast import DEFAULT_COSTS, backtest_monthly, compare_scenarios, forecast_costs, forecast_monthly

    _check_chart(args.chart)
    progress = StageLog(args.quiet)
    progress("reading the SSDA903 files")
    result = _load(args)
    run.region = ", ".join(sorted(result.header.council_id.astype(str).unique()))
    options: dict[str, Any] = {"n_sims": args.sims, "seed": args.seed, "end": result.reference_date}
    use_filters(args, options, progress)
    named: dict[str, Any] = {"as estimated": []}
    if args.scenario is not None:
        name, adjust = read_scenario(args.scenario)
        if name in named:
            raise InvalidInputError("--scenario", None, args.scenario, "a name other than 'as estimated'", name)
        options["adjust"] = named[name] = adjust
        progress(f"scenario {name!r}: {len(adjust)} adjustment(s)")
    compared = _read_compared(args.compare or [], named)  # every file checked before anything runs
    estimated = {k: v for k, v in options.items() if k != "adjust"}
    frames: dict[str, pd.DataFrame] = {}
    if args.backtest:  # the model as estimated: a scenario is a what-if, not what the history shows
        progress(f"backtest: holding out the last {args.backtest} year(s)")
        bt = backtest_monthly(result, args.backtest, **estimated)
        print(backtest_text(bt) + "\n")
        frames["backtest"] = bt
    if len(compared) > len(named):
        progress(f"comparing {len(compared)} scenarios: " + ", ".join(compared))
        frames["scenarios"] = compare_scenarios(result, compared, args.months, **estimated)
    progress(f"forecasting {args.months} months with {args.sims} simulations")
    fc = forecast_monthly(result, args.months, **options)
    uasc: Any = None
    if "UASC" in result.header.columns and "UASC" not in options.get("filters", {}) and (result.header.UASC == "1").any():
        progress("forecasting the UASC children separately")
        try:
            uasc = forecast_monthly(result, args.months, **{**options, "filters": {**options.get("filters", {}),
                                                                                     "UASC": ["1"]}})
        except InvalidInputError as exc:  # too little UASC history: said, the main forecast stands
            uasc = f"UASC children: not forecast separately ({exc})"
    progress.done()
    print(forecast_text(fc))
    print(leaving_text(fc))
    if uasc is not None:
        print(uasc if isinstance(uasc, str) else uasc_text(uasc))
        if not isinstance(uasc, str):
            frames["uasc_totals"] = uasc.attrs["totals"]
    if "scenarios" in frames:
        print(scenarios_text(frames["scenarios"]))
    costs = forecast_costs(fc, {**DEFAULT_COSTS, **dict(args.cost or [])}, args.inflation)
    print(costs_text(costs, args.inflation))
    frames.update(forecast=fc, totals=fc.attrs["totals"], flows=fc.attrs["flows"], trends=fc.attrs["trends"],
                  exit_trends=fc.attrs["exit_trends"], costs=costs, leaving_at_18=fc.attrs["leaving_at_18"],
                  leaving_history=fc.attrs["leaving_history"], transitions=fc.attrs["transitions"],
                  region_totals=fc.attrs["region_totals"])
    if args.chart is not None:
        print(f"chart: {draw_chart(fc, args.chart)}")
    if run.out is not None:
        write_frames(frames, run.out.staging, args.format)
        draw_chart(fc, run.out.staging / "forecast.png")
    return run.finish()


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``forecast`` sub-command's options (``sub``: the ``add_subparsers`` action)."""
    f = command_parser(sub, "forecast", "a monthly forecast of children in care by placement group and age "
                       "from a council's SSDA903 returns, with its band and a backtest")
    f.add_argument("--ssda903", nargs="+", required=True, metavar="FILE",
                   help="SSDA903 header and episodes CSVs (several years of returns; optionally the UASC CSV)")
    f.add_argument("--reference-date", required=True, metavar="DATE",
                   help="last day of the data (e.g. 2025-03-31): the forecast starts the month after")
    f.add_argument("--council", default="council", metavar="ID",
                   help="council of rows without an LA column (default 'council')")
    f.add_argument("--months", type=number("a whole number of months >= 1", integer=True, low=1), default=24,
                   help="months to forecast (default 24)")
    f.add_argument("--sims", type=number("a whole number of simulations >= 1", integer=True, low=1), default=200,
                   help="simulations behind the band (default 200)")
    f.add_argument("--backtest", type=int, choices=(1, 2), nargs="?", const=1, default=None, metavar="YEARS",
                   help="first hold out the last 1 (default) or 2 years and print the error and band coverage")
    f.add_argument("--scenario", default=None, metavar="FILE",
                   help='a saved scenario: JSON {"name": ..., "adjust": [{"rate": "entries", "multiply": 1.1}, ...]}'
                   " (rates entries, exits, moves; optional placement; multiply and/or add)")
    f.add_argument("--compare", nargs="+", default=None, metavar="FILE",
                   help="saved scenarios (as --scenario) to print and write side by side with the forecast as "
                   "estimated (and --scenario's): the same data, seed and simulations for each")
    f.add_argument("--cost", nargs="+", type=_cost_item, default=None, metavar="PLACEMENT=GBP",
                   help="weekly cost of a placement group (default: rcc's editable defaults)")
    f.add_argument("--inflation", type=number("a finite yearly rate > -1", low=-1, strict=True), default=0.03,
                   help="yearly inflation of the costs (default 0.03)")
    add_filter_option(f, "; with the UASC file and no UASC filter, the UASC children are also forecast on their own")
    f.add_argument("--chart", default=None, metavar="PATH", help="write the chart to PATH: png, svg or pdf; .html for an "
                   'interactive chart (needs plotly: pip install "rcc[interactive]")')
    f.add_argument("--seed", type=SEED, default=0)
    out_options(f, None, "forecast tables and chart")
    f.add_argument("--format", choices=("csv", "parquet"), default="csv")
    noise_options(f)
    f.set_defaults(func=cmd_forecast)
    return f


__all__ = ["add_filter_option", "add_parser", "backtest_text", "cmd_forecast", "costs_text", "draw_chart", "forecast_text", "read_scenario",
           "leaving_text", "scenarios_text", "uasc_text", "use_filters"]
