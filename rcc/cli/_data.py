"""Where a command's region comes from: the embedded data, ``--data``, ``--ssda903`` and ``--ofsted``.

Names are matched without regard to case or spacing ("north west", "greater manchester rcc",
"bolton"). A single council is planned with its neighbours: the councils whose centroid is
within ``--neighbours-miles`` (default 20, the distance DfE's "placed within 20 miles"
headline uses) of the council's centroid.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import pandas as pd

from rcc import datasets
from rcc.analysis.rules import neighbours_name, with_neighbours
from rcc.cli._common import MILES
from rcc.core.csvfiles import read_records
from rcc.core.errors import InvalidInputError
from rcc.core.region import Region
from rcc.core.schema import cohort_ids
from rcc.io.ofsted import PROVISION_MAPPING, normalise_council_name, read_ofsted_providers
from rcc.io.ssda903 import Ssda903Result, load_ssda903
from rcc.io.tables import InputProblemsError, problems_frame, read_region

__all__ = ["DATA_HELP", "add_data_options", "load_region", "load_regions", "match_name"]

NEIGHBOURS_MILES = 20.0

DATA_HELP = f"""\
your own data (instead of the embedded England data):
  --data PATH       a folder of CSV files (councils.csv, homes.csv, cohorts.csv; optional
                    providers.csv, placements.csv, travel.csv) or one .xlsx workbook with a sheet
                    per table, as `rcc template PATH` writes them (its guide describes each column).
                    Every problem in the tables is listed at once (--problems-csv FILE writes them
                    to a file), exit code 2.
  --ssda903 FILES   your SSDA903 return (header, episodes and optionally UASC CSVs, recognised by
                    their columns) with --reference-date: its demand replaces the cohorts of the
                    councils it covers (LA column: council codes or names; without one, the
                    council --region names).
  --ofsted FILE     Ofsted's "Providers and places" list: its children's homes, secure homes and
                    residential special schools replace the homes of those types in the data's
                    councils (fostering and other homes stay).
names (--region): a region ("north west"), an RCC ("greater manchester rcc", or without "rcc") or a
  council ("Bolton", or its code E08000001), in any case. A council is planned with its neighbours: every
  council whose centroid is within --neighbours-miles (default {NEIGHBOURS_MILES:g}) of its centroid.
  With --data, names are the data's council names and codes and its region column."""


GLOSSARY_POINTER = "what the codes in the output mean (scenarios, statuses, HHI 0-10,000...): rcc glossary"


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def match_name(name: str, councils: pd.DataFrame, groups: Sequence[str] = ()) -> tuple[str, list[str]]:
    """What a name means: ``("group", [its canonical name])`` or ``("council", [council_id])``.

    ``groups`` are named council groups (regions, RCCs); then each council's ``region``;
    then council names (as Ofsted's are matched, :func:`rcc.io.ofsted.normalise_council_name`)
    and council ids. Case and spacing do not matter.

    Raises
    ------
    InvalidInputError
        No group or council has that name.
    """
    key = _key(name)
    for wanted in (key, f"{key} rcc"):  # "greater manchester" is the Greater Manchester RCC
        for g in [*groups, *pd.unique(councils.region)]:
            if _key(g) == wanted:
                return "group", [str(g)]
    ids = councils.council_id.astype(str)
    hit = councils[(ids.map(_key) == key) | (councils.name.map(normalise_council_name) == normalise_council_name(name))]
    if len(hit) == 1:
        return "council", [str(hit.council_id.iloc[0])]
    known = sorted({*groups, *map(str, pd.unique(councils.region))})
    raise InvalidInputError("--region", None, None, f"a region or RCC ({', '.join(known)}) or a council name or code",
                            name)


def _select(region: Region, kind: str, found: str, miles: float, groups: dict[str, list[str]]) -> Region:
    if kind == "council":
        label = str(region.councils.set_index("council_id").name[found])
        return with_neighbours(region, [found], miles, name=neighbours_name(label, miles))
    if found == "England" and "England" in groups:
        return region
    ids = groups.get(found) or list(region.councils.council_id[region.councils.region.map(_key) == _key(found)])
    return region.subset(ids, name=found)


def load_regions(args: argparse.Namespace, progress: Callable[[str], None],
                 default: str | None = None) -> tuple[Region, Region, str | None]:
    """The whole source (``--data`` or embedded England, with the returns), the part ``--region``
    names (the whole when none), and the kind of name (``"group"``, ``"council"`` or None).

    ``default`` is the name used without ``--region`` on the embedded data (with ``--data``: all of it)."""
    name = args.region if args.region is not None else (default if args.data is None else None)
    groups: dict[str, list[str]] = {}
    if args.data is not None:
        progress(f"reading {args.data}")
        full = read_region(args.data)
    else:
        groups = datasets.regions()
        progress(f"loading embedded data (seed {args.seed})")
        full = datasets.england(seed=args.seed)
    kind, found = None, ""
    if name is not None:
        kind, (found,) = match_name(name, full.councils, list(groups))
    sources = []
    if args.ssda903:
        full = _with_ssda903(full, args, progress, found if kind == "council" else None)
        sources.append("demand: SSDA903")
    if args.ofsted is not None:
        full = _with_ofsted(full, args.ofsted, progress)
        sources.append("homes: Ofsted")
    chosen = full if kind is None else _select(full, kind, found, args.neighbours_miles, groups)
    if sources:
        chosen = attrs.evolve(chosen, name=f"{chosen.name} ({', '.join(sources)})")
    return full, chosen, kind


def load_region(args: argparse.Namespace, progress: Callable[[str], None], default: str | None = None) -> Region:
    """The region a command plans: ``--data`` or the embedded data, ``--region``, then the returns."""
    return load_regions(args, progress, default)[1]


# ---------------------------------------------------------------- returns
_KINDS = (("episodes", "DECOM"), ("uasc", "DUC"), ("header", "DOB"))


def _ssda903_files(paths: Sequence[str]) -> dict[str, str]:
    """Which file is which table, by its header row (``DECOM``: episodes, ``DUC``: UASC, ``DOB``: header)."""
    found: dict[str, str] = {}
    problems = []
    for path in paths:
        try:
            head = {f.strip().upper() for f in read_records(path, "ssda903")[0][1]}
        except (InvalidInputError, OSError) as exc:
            problems.append(exc if isinstance(exc, InvalidInputError) else
                            InvalidInputError("--ssda903", None, None, "a readable CSV file", f"{path}: {exc}"))
            continue
        kind = next((k for k, col in _KINDS if col in head), None)
        if kind is None or kind in found:
            problems.append(InvalidInputError(
                "--ssda903", None, None, "one header file (DOB), one episodes file (DECOM), at most one UASC file (DUC)",
                f"{Path(path).name}: " + ("another " + kind + " file" if kind else "none of those columns")))
            continue
        found[kind] = path
    for kind in ("header", "episodes"):
        if kind not in found and not problems:
            problems.append(InvalidInputError("--ssda903", None, None, f"a {kind} file among the files", "none"))
    if problems:
        raise InputProblemsError(problems)
    return found


def council_codes(values: pd.Series, councils: pd.DataFrame) -> pd.Series:
    """``values`` (an SSDA903 ``LA`` column: codes, names or DfE's three-digit numbers when ``councils`` has a
    ``dfe_code``) as council codes of ``councils`` where one matches (names as Ofsted's are matched); anything
    else as given."""
    ids = set(councils.council_id)
    by_name = dict(zip(councils.name.map(normalise_council_name), councils.council_id))
    if "dfe_code" in councils.columns:
        by_name |= dict(zip(councils.dfe_code.astype(str), councils.council_id))
    distinct = pd.unique(values)
    code = {c: c if c in ids else by_name.get(str(c).strip(), by_name.get(normalise_council_name(c), c)) for c in distinct}
    return values.map(code)


def coded_result(result: Ssda903Result) -> Ssda903Result:
    """An SSDA903 load whose ``council_id`` columns hold England's council codes where the ``LA`` column gave
    names or DfE numbers (``"Bromley"``, ``"305"`` -> ``E09000006``), so outputs carry codes and names as
    everywhere else; cohorts and exclusions of a council named both ways are added up."""
    councils = datasets.councils()
    tables = {}
    for field in ("header", "episodes", "placements", "excluded"):
        table = getattr(result, field)
        if "council_id" in table.columns and len(table):
            tables[field] = table.assign(council_id=council_codes(table.council_id, councils))
    placements = tables.get("placements")
    if placements is not None and "cohort_id" in placements.columns:
        has = placements.cohort_id.notna()
        ids = placements.cohort_id.astype(object).copy()
        ids[has] = cohort_ids(placements.council_id[has], placements.need[has], placements.age_band[has])
        tables["placements"] = placements.assign(cohort_id=ids)
    if len(result.cohorts):
        tables["cohorts"] = _coded(result.cohorts, councils)
    if "excluded" in tables:
        tables["excluded"] = tables["excluded"].groupby(["council_id", "reason"], sort=False, as_index=False).children.sum()
    return attrs.evolve(result, **tables)


def _coded(cohorts: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Cohorts whose ``council_id`` is a council's name (an ``LA`` column of names) given its code instead."""
    code = council_codes(cohorts.council_id, councils)
    if (code == cohorts.council_id).all():
        return cohorts
    out = cohorts.assign(council_id=code, cohort_id=cohort_ids(code, cohorts.need, cohorts.age_band))
    keys = ["cohort_id", "council_id", "need", "age_band"]
    return out.groupby(keys, sort=False, as_index=False).children.sum()


def _with_ssda903(region: Region, args: argparse.Namespace, progress: Callable[[str], None], council: str | None) -> Region:
    if args.reference_date is None:
        raise InvalidInputError("--reference-date", None, None, "a date with --ssda903 (e.g. 2025-03-31)", None)
    files = _ssda903_files(args.ssda903)
    progress("reading the SSDA903 return")
    result = load_ssda903(files["header"], files["episodes"], uasc=files.get("uasc"), reference_date=args.reference_date,
                          council_id=council)
    progress(result.summary().replace("\n", "; "))
    if int(result.cohorts.children.sum()) == 0:  # never fall back on the data's own demand
        raise InputProblemsError([InvalidInputError(
            "--ssda903", None, None,
            "a return with at least one child in care on --reference-date kept as demand (without it nothing is "
            "planned: the data's own demand is never used instead)",
            "no demand: " + "; ".join(result.summary().splitlines()[1:4]).replace("  ", "")),
            *_rejected_problems(result.rejected)])
    _note_rejected(args, result.rejected, len(result.header) + len(result.episodes))
    args._ssda903_result = result  # rcc sufficiency forecasts its demand from the same return
    cohorts = _coded(result.cohorts, region.councils)
    covered = pd.unique(cohorts.council_id)
    unknown = [c for c in covered if c not in set(region.council_ids)]
    if unknown:
        raise InvalidInputError("--ssda903", None, "LA", f"councils of the data ({region.name}): codes or names",
                                unknown[0], more=len(unknown) - 1)
    kept = region.cohorts[~region.cohorts.council_id.isin(covered)]
    held = region.placements[region.placements.cohort_id.isin(kept.cohort_id)]
    _released(progress, region.placements, held, "the councils of the return")
    return region.replace(cohorts=pd.concat([kept, cohorts[["cohort_id", "council_id", "need", "age_band", "children"]]],
                                            ignore_index=True),
                          placements=held)


#: The file under ``--out`` listing the rows of a return that were rejected (see :func:`_note_rejected`).
REJECTED_ROWS = "rejected_rows.csv"


def _rejected_problems(rejected: pd.DataFrame) -> list[InvalidInputError]:
    """The rejected rows of a return as problems: the first row of each (table, column, reason), with the
    count of the others (rows by their source row, never a child id)."""
    problems = []
    for (table, column, reason), rows in rejected.groupby(["table", "column", "reason"], sort=False, dropna=False):
        first = rows.iloc[0]
        problems.append(InvalidInputError(f"--ssda903 {table}", f"row {first['row']}", column,
                                          f"{first['expected']} ({reason})", first["received"], more=len(rows) - 1))
    return problems


def _note_rejected(args: argparse.Namespace, rejected: pd.DataFrame, kept: int) -> None:
    """Count the rejected rows of the SSDA903 return on stdout (even with ``--quiet``) and keep them for
    :data:`REJECTED_ROWS` under ``--out`` (rows by their source row and child pseudonym, never a child id)."""
    if not len(rejected):
        return
    rows = rejected.drop_duplicates(["table", "row"])
    by_table = ", ".join(f"{t} {n}" for t, n in rows.groupby("table", sort=False).size().items())
    out = getattr(args, "out", None)
    where = f"listed in {Path(out) / REJECTED_ROWS}" if out else "--out writes them to " + REJECTED_ROWS
    print(f"rcc {args.command}: SSDA903 return: {len(rows)} row(s) rejected ({by_table}), {kept} kept; "
          f"{len(rejected)} problem(s) {where}")
    args._rejected_rows = rejected.reset_index(drop=True)


def _with_ofsted(region: Region, path: str, progress: Callable[[str], None]) -> Region:
    progress(f"reading Ofsted providers from {path}")
    result = read_ofsted_providers(path)
    types = set(PROVISION_MAPPING.home_type)
    homes = result.homes[result.homes.council_id.isin(region.council_ids)]
    kept = region.homes[~region.homes.home_type.isin(types)]
    if not len(homes):  # never keep planning with the data's own homes of those types, nor with none unsaid
        raise InvalidInputError("--ofsted", None, "Local authority",
                                f"at least one home in the councils of {region.name}",
                                f"none: {len(result.homes)} homes elsewhere, {len(result.rejected)} rows rejected")
    replaced = region.homes[region.homes.home_type.isin(types)]
    progress(f"Ofsted file: {len(result.homes):,} homes read ({len(result.rejected)} rows rejected); "
             f"{len(homes):,} of them, with {int(homes.places.sum()):,} places, are in the {len(region.councils)} "
             f"councils of {region.name} and replace its {len(replaced):,} homes of those types "
             f"({len(result.homes) - len(homes):,} are elsewhere); the area planned is chosen from these councils next")
    providers = pd.concat([region.providers[region.providers.provider_id.isin(kept.provider_id)],
                           result.providers[result.providers.provider_id.isin(homes.provider_id)]], ignore_index=True)
    held = region.placements[region.placements.home_id.isin(kept.home_id)]
    _released(progress, region.placements, held, "the homes the Ofsted file replaces")
    return region.replace(homes=pd.concat([kept, homes], ignore_index=True), providers=providers, placements=held)


def _released(progress: Callable[[str], None], before: pd.DataFrame, held: pd.DataFrame, where: str) -> None:
    """Say how many children of today's placements are no longer held (the plans place them as demand)."""
    released = int(before.children.sum() - held.children.sum())
    if released:
        progress(f"{released:,} children in today's placements in {where} are no longer held: the plans place them")


# ---------------------------------------------------------------- options
def add_data_options(p: argparse.ArgumentParser, default: str | None) -> None:
    """``--region``, ``--data``, ``--ssda903``, ``--ofsted`` and their companions (see :data:`DATA_HELP`)."""
    where = f"default: {default}" if default else "default: England, or all of --data"
    p.add_argument("--region", default=None, metavar="NAME",
                   help=f"a region, RCC or council name, any case ({where}); a council comes with its neighbours")
    p.add_argument("--data", default=None, metavar="PATH", help="a folder of CSV tables or an .xlsx workbook (see below)")
    p.add_argument("--ssda903", nargs="+", default=None, metavar="FILE", help="SSDA903 header/episodes/UASC CSVs")
    p.add_argument("--reference-date", default=None, metavar="DATE", help="snapshot date of --ssda903 (e.g. 2025-03-31)")
    p.add_argument("--ofsted", default=None, metavar="FILE", help="Ofsted 'Providers and places' CSV or Excel file")
    p.add_argument("--neighbours-miles", type=MILES, default=NEIGHBOURS_MILES,
                   help=f"a council's neighbours: centroids within this many miles (default {NEIGHBOURS_MILES:g})")
    p.add_argument("--problems-csv", default=None, metavar="FILE",
                   help="with bad input, also write the list of problems to this CSV file")


def data_epilog(p: argparse.ArgumentParser) -> None:
    """Put :data:`DATA_HELP` before the parser's epilog."""
    p.epilog = DATA_HELP + "\n\n" + GLOSSARY_POINTER + "\n\n" + (p.epilog or "")


def left_table(frame: pd.DataFrame, max_width: int = 60) -> str:
    """A frame as text columns, left-aligned, cells cut to ``max_width`` characters (``...``)."""
    cells = {c: [str(c)] + [v if len(v) <= max_width else v[: max_width - 3] + "..." for v in frame[c].astype(str)]
             for c in frame.columns}
    widths = {c: max(map(len, v)) for c, v in cells.items()}
    rows = zip(*(v for v in cells.values()))
    return "\n".join("  ".join(v.ljust(widths[c]) for c, v in zip(cells, row)).rstrip() for row in rows)


#: Problems printed on stderr; the rest are counted (``--problems-csv`` writes them all).
SHOWN_PROBLEMS = 25


def report_problems(exc: InvalidInputError, command: str, csv_path: str | None) -> None:
    """Print the problems of ``exc`` as one table on stderr (the first :data:`SHOWN_PROBLEMS`, then how many
    more); write every one to ``csv_path`` if given."""
    frame = problems_frame(exc)
    if len(frame) == 1:
        one = exc.problems[0] if isinstance(exc, InputProblemsError) else exc
        print(f"rcc {command}: error: {one}", file=sys.stderr)
    else:
        print(f"rcc {command}: error: {len(frame)} problem(s) in the input; nothing was solved:", file=sys.stderr)
        print(left_table(frame.head(SHOWN_PROBLEMS)), file=sys.stderr)
        if len(frame) > SHOWN_PROBLEMS:
            where = f"all of them are in {csv_path}" if csv_path else "--problems-csv FILE writes all of them"
            print(f"... and {len(frame) - SHOWN_PROBLEMS} more problem(s); {where}", file=sys.stderr)
    if csv_path:
        try:
            frame.to_csv(csv_path, index=False)
        except OSError as exc:
            print(f"rcc {command}: could not write the problems to {csv_path}: {exc.strerror or exc}", file=sys.stderr)
        else:
            print(f"rcc {command}: the problems are listed in {csv_path}", file=sys.stderr)
