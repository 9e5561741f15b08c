"""``rcc compare``: the standard scenarios for an embedded region or pathfinder."""

from __future__ import annotations

import concurrent.futures as cf
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import attrs
import pandas as pd

from rcc.analysis.comparison import Comparison, compare
from rcc.analysis.metrics import TABLE_METRICS, plan_metrics
from rcc.analysis.parallel import DEFAULT_EXECUTOR
from rcc.analysis.rules import Scenario, neighbours_name, standard_scenarios, with_neighbours
from rcc.core.display import SHORT_HEADINGS, fmt_gbp
from rcc.core.errors import InvalidInputError
from rcc.core.glossary import legend
from rcc.core.params import PlanParams, SolverOptions
from rcc.core.region import Region
from rcc.io.output import write_frames
from rcc.simulate import today_plan

__all__ = ["compare_cli", "compare_region", "compare_text", "comparison_frames", "money", "with_today"]


def compare_cli(
    region_name: str,
    scenarios: Sequence[str] | None = None,
    out_dir: str | None = None,
    *,
    seed: int = 0,
    within_miles: float = 60.0,
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    progress: bool = True,
) -> str:
    """``rcc compare``: the standard scenarios for an embedded region or pathfinder.

    Parameters
    ----------
    region_name : str
        A name from :func:`rcc.datasets.region_names`. For a region or
        pathfinder, its councils are the RCC and the base region is the RCC
        plus every council within ``within_miles`` (:func:`with_neighbours`);
        for ``"England"`` the base is all of England and only the pooling
        levels (standalone, rcc_pooled, national) are compared.
    scenarios : sequence of str, optional
        Names from :func:`standard_scenarios` (default: all of them).
    out_dir : str, optional
        If given, writes ``long.csv``, ``table.csv``, ``skew.csv`` and
        ``skew_summary.csv`` there.
    seed : int
        Seed of the embedded data generator.

    Returns
    -------
    str
        The readable table and the skew summary.
    """
    from rcc.datasets import england, regions

    groups = regions()
    if region_name not in groups:
        raise InvalidInputError("regions", region_name, "region", f"one of {sorted(groups)}", region_name)
    eng = england(seed=seed)
    rcc_ids = () if region_name == "England" else tuple(groups[region_name])
    cmp = compare_region(eng, rcc_ids, region_name, scenarios, within_miles=within_miles, executor=executor,
                         progress=progress)
    text = [compare_text(cmp, region_name)]
    if out_dir is not None:
        out = Path(out_dir)
        write_frames(comparison_frames(cmp), out, "csv")
        text.append(f"\nwritten to {out}")
    return "\n".join(text)


def compare_region(
    full: Region,
    rcc_ids: Sequence[str],
    rcc_name: str,
    scenarios: Sequence[str] | None = None,
    *,
    within_miles: float = 60.0,
    executor: cf.Executor | str | None = DEFAULT_EXECUTOR,
    progress: bool = True,
    msg: bool = False,
    base_name: str | None = None,
) -> Comparison:
    """The standard scenarios for the councils ``rcc_ids`` of ``full`` (all of it when empty).

    The base region is the RCC plus every council of ``full`` within ``within_miles``
    (:func:`with_neighbours`; named ``base_name``, default "<rcc_name> and neighbours within N
    miles"); with no ``rcc_ids`` the base is ``full`` and only the pooling levels (standalone,
    rcc_pooled, national) are compared.

    Raises
    ------
    rcc.InvalidInputError
        A scenario that is not one of :func:`standard_scenarios`.
    """
    if rcc_ids:
        name = base_name or neighbours_name(rcc_name, within_miles)
        base = with_neighbours(full, rcc_ids, within_miles, name=name)
    else:
        base = full
    available = standard_scenarios(tuple(rcc_ids), rcc_name)
    chosen = available
    if scenarios:
        names = {s.name: s for s in available}
        unknown = [s for s in scenarios if s not in names]
        if unknown:
            raise InvalidInputError("scenarios", unknown[0], None, f"one of {list(names)}", unknown[0])
        chosen = [names[s] for s in scenarios]
    params = PlanParams(solver=SolverOptions(msg=msg))
    return with_today(compare(base, chosen, params, executor=executor, progress=progress))


def with_today(cmp: Comparison, groups: Mapping[str, Sequence[str]] | None = None) -> Comparison:
    """The comparison with ``today`` first, when its base region has placements (on the embedded England, the
    simulated census, :func:`rcc.simulate.today_plan`): its rows beside each scenario's, measured the same way
    (every scenario holds today's placements), and each scenario's trade-off measured against it. ``groups``:
    the further named groups the comparison was made with (:func:`rcc.compare`'s ``groups``)."""
    if not len(cmp.base.placements):
        return cmp
    today = today_plan(cmp.base, cmp.params)
    extra, groups = groups, {"all": list(cmp.base.council_ids)}
    if cmp.rcc:
        groups |= {"rcc": list(cmp.rcc), "outside_rcc": [c for c in cmp.base.council_ids if c not in set(cmp.rcc)]}
    groups |= {k: list(v) for k, v in (extra or {}).items()}
    labels = {"all": "All councils", "rcc": "The RCC", "outside_rcc": "Outside the RCC"}
    long = plan_metrics(today, groups, cmp.params, labels).assign(scenario="today")[cmp.long.columns]
    scenario = Scenario("today", description="the children in their current placements, held in every scenario")
    return attrs.evolve(cmp, scenarios=(scenario, *cmp.scenarios), plans=MappingProxyType({"today": today, **cmp.plans}),
                        long=pd.concat([long, cmp.long], ignore_index=True))


def comparison_frames(cmp: Comparison) -> dict[str, pd.DataFrame]:
    """The tables ``rcc compare`` writes: long, table (and skew, skew_summary with an RCC).

    ``table``'s first column, the group of councils ("All councils", "The RCC", ...), is called ``group``.
    """
    table = cmp.table().reset_index()
    frames = {"long": cmp.long, "table": table.rename(columns={table.columns[0]: "group"})}
    if cmp.rcc:
        frames["skew"] = cmp.skew()
        frames["skew_summary"] = cmp.skew_summary()
    return frames


_CODE_HEADING = {code: heading for heading, code in SHORT_HEADINGS.items()}  # rcc glossary explains each heading
_SHORT = {
    m: (_CODE_HEADING.get(m, m), fmt)
    for m, fmt in {
        "children": "{:,.0f}",
        "unmet": "{:,.0f}",
        "pct_within_20_miles": "{:.1f}",
        "pct_inside_own_council": "{:.1f}",
        "pct_inside_own_region": "{:.1f}",
        "weekly_cost_gbp": "money",
        "utilisation_pct": "{:.1f}",
    }.items()
}
_SKEW = {code: _CODE_HEADING[code] for code in (
    "places_taken_from_neighbours", "places_freed_for_neighbours", "net_places_taken", "neighbours_losing_places",
    "places_created_in_rcc", "rcc_children_placed_inside_rcc_change", "neighbours_unmet_change")}


def money(value: float) -> str:
    """Pounds, short: ``£39.2m``, ``£850k``, ``£120``.

    >>> money(39_153_000), money(850_400), money(120)
    ('£39.2m', '£850k', '£120')
    """
    v = float(value)
    if abs(v) >= 1e6:
        return f"£{v / 1e6:,.1f}m"
    if abs(v) >= 1e4:
        return f"£{v / 1e3:,.0f}k"
    return f"£{v:,.0f}"


def _text(frame: pd.DataFrame, formats: dict[str, str]) -> str:
    cells = frame.copy().astype(object)
    for col, fmt in formats.items():
        cells[col] = [fmt_gbp(v) if fmt == "money" else fmt.format(v) for v in frame[col]]
    return cells.to_string(index=False)


def _left(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    """``frame`` with the text column ``col`` (and its heading) left-aligned by padding."""
    width = max(len(col), int(frame[col].str.len().max()))
    return frame.assign(**{col: frame[col].str.ljust(width)}).rename(columns={col: col.ljust(width)})


def compare_text(cmp: Comparison, rcc_name: str) -> str:
    """``rcc compare``'s printed tables: each group x scenario with short headings, money in whole GBP; the skew.

    Lines are at most 100 characters; ``rcc glossary`` explains the scenario codes.
    """
    wide = cmp.table().reset_index()
    wide.columns = ["group", "scenario", *TABLE_METRICS]
    wide["group"] = wide.group.where(wide.group != wide.group.shift(), "")
    wide = _left(_left(wide, "group"), "scenario")
    heads = {m: short for m, (short, _) in _SHORT.items()}
    b = cmp.base
    lines = [f"{b.name}: {len(b.councils)} councils, {len(b.homes):,} homes with {int(b.homes.places.sum()):,} places,",
             f"  {int(b.cohorts.children.sum()):,} children in {len(b.cohorts):,} cohorts; 'rcc glossary' explains the codes",
             _text(wide.rename(columns=heads), {heads[m]: f for m, (_, f) in _SHORT.items()}),
             "", *legend(dict.fromkeys(s.name for s in cmp.scenarios), "scenarios", "scenario")]
    if cmp.rcc:
        skew = cmp.skew_summary().rename(columns=_SKEW)
        skew = _left(skew, "scenario")
        lines += ["", f"capacity skew of {rcc_name} against {cmp.baseline!r} (places, children):",
                  _text(skew, dict.fromkeys(_SKEW.values(), "{:,.0f}"))]
    return "\n".join(lines + trade_off_lines(cmp))


def trade_off_lines(cmp: Comparison) -> list[str]:
    """What each scenario trades against today (when the comparison has it: :func:`with_today`), else against the
    baseline, over the whole base region (:meth:`Comparison.trade_off`), one wrapped sentence each; none with a
    single scenario."""
    against = "today" if "today" in cmp.plans else cmp.baseline
    others = [s.name for s in cmp.scenarios if s.name != against]
    if not others:
        return []
    lines = ["", *textwrap.wrap(f"trade-offs against {against!r} (all councils of {cmp.base.name}):", 100,
                                subsequent_indent="  ")]
    for name in others:
        lines += textwrap.wrap(cmp.trade_off(name, against).sentence, 100, initial_indent="  ", subsequent_indent="    ")
    return lines
