"""``rcc compare``: the standard scenarios for an embedded region or pathfinder."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Sequence
from pathlib import Path

from rcc.analysis.comparison import compare
from rcc.analysis.parallel import DEFAULT_EXECUTOR
from rcc.analysis.rules import standard_scenarios, with_neighbours
from rcc.core.errors import InvalidInputError

__all__ = ["compare_cli"]


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
    if region_name == "England":
        rcc_ids: tuple[str, ...] = ()
        base = eng
    else:
        rcc_ids = tuple(groups[region_name])
        base = with_neighbours(eng, rcc_ids, within_miles, name=f"{region_name} and neighbours within {within_miles:g} miles")
    available = standard_scenarios(rcc_ids, region_name)
    if scenarios:
        names = {s.name: s for s in available}
        unknown = [s for s in scenarios if s not in names]
        if unknown:
            raise InvalidInputError("scenarios", unknown[0], None, f"one of {list(names)}", unknown[0])
        chosen = [names[s] for s in scenarios]
    else:
        chosen = available
    cmp = compare(base, chosen, executor=executor, progress=progress)
    text = [f"{base!r}", cmp.table().to_string()]
    if rcc_ids:
        summary = cmp.skew_summary()
        text += ["", f"capacity skew of {region_name} against {cmp.baseline!r}:", summary.round(1).to_string(index=False)]
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        cmp.long.to_csv(out / "long.csv", index=False)
        cmp.table().to_csv(out / "table.csv")
        if rcc_ids:
            cmp.skew().to_csv(out / "skew.csv", index=False)
            summary.to_csv(out / "skew_summary.csv", index=False)
        text.append(f"\nwritten to {out}")
    return "\n".join(text)
