"""`Region`: the validated tables of one planning area."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from rcc.core.csvfiles import INT64_MAX, decode, file_label, parse_whole_numbers, read_csv_table
from rcc.core.display import Card, fmt_count
from rcc.core.errors import InvalidInputError
from rcc.core.geo import distance_matrix
from rcc.core.schema import TABLES
from rcc.core.validate import check_references, normalise

__all__ = ["Region"]

_TABLE_NAMES = ("councils", "providers", "homes", "cohorts", "placements", "travel")


def _read_meta(path: Path) -> dict[str, Any]:
    """``region.json``: a JSON object, or ``{}`` when there is no such file."""
    if not path.exists():
        return {}
    try:
        meta = json.loads(decode(path.read_bytes(), path.name))
    except json.JSONDecodeError as exc:
        received = f"invalid JSON ({exc.msg})"
        raise InvalidInputError(path.name, f"line {exc.lineno}", None, "a JSON object", received) from None
    if not isinstance(meta, dict):
        raise InvalidInputError(path.name, None, None, "a JSON object", type(meta).__name__)
    return meta


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    """One table of a region directory: text cells, blank -> missing, integer columns checked."""
    raw = read_csv_table(path, table)
    label = file_label(table, path)
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    kinds = {c.name: c.dtype for c in TABLES[table].columns}
    for column in raw.columns:
        text = raw[column].reset_index(drop=True)
        text = text.where(text.str.strip() != "")  # blank -> missing
        kind = kinds.get(column)
        if kind in ("int", "float"):
            if kind == "int":
                values, bad = parse_whole_numbers(text, minimum=-INT64_MAX - 1)
                col = TABLES[table].column(column)  # its real bounds, not the int64 range parsed into
                bounds = [f">= {col.minimum:g}"] * (col.minimum is not None) + [f"<= {col.maximum:g}"] * (col.maximum is not None)
                expected = "a whole number written in digits (e.g. 12)" + "".join(f", {b}" for b in bounds)
            else:
                written = text.fillna("").str.strip()
                ok = written.str.fullmatch(_DECIMAL) | (written == "")
                bad = ~ok
                values = pd.to_numeric(written.where(ok & (written != "")), errors="coerce")
                expected = "a number written in digits (e.g. 53.48 or -2.24)"
            if bad.any():
                i = int(bad.to_numpy().argmax())
                raise InvalidInputError(
                    label, f"line {raw.index[i]}", column, expected, text.iloc[i], more=int(bad.sum()) - 1
                )
            out[column] = values.astype(object).where(values.notna(), None) if kind == "int" else values
            continue
        out[column] = text
    return out


_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[table].names})


@attrs.frozen(eq=False)
class Region:
    """The validated tables of one planning area (a council, an RCC, England).

    Build it with :meth:`Region.from_frames`; the constructor does not validate.
    Tables are copies of the input: rcc never mutates what you pass in.

    Attributes
    ----------
    name : str
    councils, providers, homes, cohorts, placements, travel : pandas.DataFrame
        The tables described in :mod:`rcc.core.schema`.
    """

    name: str
    councils: pd.DataFrame
    providers: pd.DataFrame
    homes: pd.DataFrame
    cohorts: pd.DataFrame
    placements: pd.DataFrame
    travel: pd.DataFrame

    @classmethod
    def from_frames(
        cls,
        councils: pd.DataFrame,
        homes: pd.DataFrame,
        cohorts: pd.DataFrame,
        providers: pd.DataFrame | None = None,
        placements: pd.DataFrame | None = None,
        travel: pd.DataFrame | None = None,
        *,
        name: str = "region",
    ) -> Region:
        """Validate the tables and build a Region.

        Parameters
        ----------
        councils, homes, cohorts : pandas.DataFrame
            Required tables (see :func:`rcc.schema_frame`).
        providers : pandas.DataFrame, optional
            If omitted, one provider per ``homes.provider_id`` with sector
            ``"unknown"`` is assumed (provider concentration is then by provider).
        placements : pandas.DataFrame, optional
            Children already living in homes, held in place for stability.
        travel : pandas.DataFrame, optional
            Council-to-council distances that replace straight lines.
        name : str
            A label used in reports.

        Raises
        ------
        InvalidInputError
            The first rule broken, with table, row id, column, expected, received.

        Examples
        --------
        >>> import pandas as pd, rcc
        >>> councils = pd.DataFrame({"council_id": ["A"], "name": ["Aton"], "region": ["R"],
        ...                          "lat": [53.0], "lon": [-2.0]})
        >>> homes = pd.DataFrame({"home_id": ["h1"], "council_id": ["A"], "provider_id": ["p"],
        ...     "home_type": ["childrens_home"], "places": [4], "needs": ["complex"],
        ...     "weekly_cost_gbp": [5000.0]})
        >>> cohorts = pd.DataFrame({"cohort_id": ["c1"], "council_id": ["A"], "need": ["complex"],
        ...     "age_band": ["11-15"], "children": [3]})
        >>> rcc.Region.from_frames(councils, homes, cohorts).homes.places.sum()
        np.int64(4)
        """
        councils_n = normalise(councils, "councils")
        homes_n = normalise(homes, "homes")
        if providers is None:
            ids = pd.unique(homes_n.provider_id)
            providers = pd.DataFrame({"provider_id": ids, "name": ids, "sector": "unknown", "group": ids})
        providers_n = normalise(providers, "providers")
        providers_n["group"] = providers_n.group.where(providers_n.group != "", providers_n.provider_id)
        cohorts_n = normalise(cohorts, "cohorts")
        placements_n = normalise(placements, "placements") if placements is not None else _empty("placements")
        travel_n = normalise(travel, "travel") if travel is not None else _empty("travel")
        check_references(councils_n, providers_n, homes_n, cohorts_n, placements_n, travel_n)
        return cls(
            name=name,
            councils=councils_n,
            providers=providers_n,
            homes=homes_n,
            cohorts=cohorts_n,
            placements=placements_n,
            travel=travel_n,
        )

    # ------------------------------------------------------------------ views
    @property
    def council_ids(self) -> list[str]:
        """Council ids in table order."""
        return list(self.councils.council_id)

    def council_distances(self) -> npt.NDArray[np.float64]:
        """Council x council distance matrix in miles (table order).

        Straight lines between centroids, the within-council typical distance
        on the diagonal, and the travel table's values where given.
        """
        c = self.councils
        d = distance_matrix(c.lat, c.lon, c.area_km2)
        if len(self.travel):
            idx = pd.Index(c.council_id)
            i = idx.get_indexer(self.travel.from_council_id)
            j = idx.get_indexer(self.travel.to_council_id)
            d[i, j] = self.travel.distance_miles.to_numpy(dtype=float)
        return d

    def subset(self, council_ids: Iterable[str], name: str | None = None) -> Region:
        """The region made of some councils: their cohorts, the homes located in
        them and the current placements among those.

        Held placements of the kept cohorts in homes outside the subset are
        not carried over (those homes are not in the subset).
        """
        keep = pd.Index(list(council_ids))
        unknown = keep.difference(pd.Index(self.councils.council_id))
        if len(unknown):
            raise InvalidInputError("councils", str(unknown[0]), "council_id", "a council of this region", str(unknown[0]))
        councils = self.councils[self.councils.council_id.isin(keep)]
        homes = self.homes[self.homes.council_id.isin(keep)]
        homes = homes[(homes.serves_council_id == "") | homes.serves_council_id.isin(keep)]
        cohorts = self.cohorts[self.cohorts.council_id.isin(keep)]
        placements = self.placements[
            self.placements.cohort_id.isin(cohorts.cohort_id) & self.placements.home_id.isin(homes.home_id)
        ]
        providers = self.providers[self.providers.provider_id.isin(homes.provider_id)]
        travel = self.travel[self.travel.from_council_id.isin(keep) & self.travel.to_council_id.isin(keep)]
        tables = dict(
            councils=councils, providers=providers, homes=homes, cohorts=cohorts, placements=placements, travel=travel
        )
        return attrs.evolve(self, name=name or self.name, **{k: t.reset_index(drop=True) for k, t in tables.items()})

    def replace(self, **tables: pd.DataFrame | str) -> Region:
        """A new validated Region with some tables replaced (e.g. ``homes=...``)."""
        current = {k: getattr(self, k) for k in _TABLE_NAMES}
        name = str(tables.pop("name", self.name))
        current.update(tables)  # type: ignore[arg-type]
        return Region.from_frames(
            current["councils"],
            current["homes"],
            current["cohorts"],
            providers=current["providers"],
            placements=current["placements"],
            travel=current["travel"],
            name=name,
        )

    # ------------------------------------------------------------------ I/O
    def to_dir(self, path: str | Path, format: str = "csv") -> Path:
        """Write every table to ``path`` as CSV or Parquet (plus ``region.json``)."""
        if format not in ("csv", "parquet"):
            raise InvalidInputError("region", None, "format", "'csv' or 'parquet'", format)
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        for t in _TABLE_NAMES:
            df = getattr(self, t)
            if format == "csv":
                df.to_csv(out / f"{t}.csv", index=False)
            else:
                df.to_parquet(out / f"{t}.parquet", index=False)
        (out / "region.json").write_text(json.dumps({"name": self.name, "format": format}))
        return out

    @classmethod
    def from_dir(cls, path: str | Path) -> Region:
        """Read a region written by :meth:`to_dir` (CSV or Parquet), validating it.

        CSV files are read as text (UTF-8, UTF-16 with a byte-order mark, or cp1252/latin-1
        with a warning) and must be well-formed; blank cells are missing values. Integer
        columns must hold whole numbers written in digits that fit a 64-bit integer
        (``"12"``, not ``"1e1"``, ``"5.5"`` or ``"True"``). Columns outside the schema are
        kept as text.

        Raises
        ------
        InvalidInputError
            A required table is missing; ``region.json`` is not a JSON object; a CSV file is
            empty, malformed or not text (``row_id`` is ``"line N"``); an integer cell is not
            a whole number; or a rule of :meth:`from_frames` is broken.
        """
        src = Path(path)
        meta = _read_meta(src / "region.json")
        fmt = meta.get("format") or ("parquet" if (src / "councils.parquet").exists() else "csv")
        frames: dict[str, pd.DataFrame | None] = {}
        for t in _TABLE_NAMES:
            f = src / f"{t}.{fmt}"
            if not f.exists():
                frames[t] = None
                continue
            if fmt == "csv":
                frames[t] = _read_csv(f, t)
            else:
                frames[t] = pd.read_parquet(f)
        for t in ("councils", "homes", "cohorts"):
            if frames[t] is None:
                raise InvalidInputError(t, None, None, f"a file {t}.{fmt} in {src}", "no such file")
        return cls.from_frames(
            frames["councils"],  # type: ignore[arg-type]
            frames["homes"],  # type: ignore[arg-type]
            frames["cohorts"],  # type: ignore[arg-type]
            providers=frames["providers"],
            placements=frames["placements"],
            travel=frames["travel"],
            name=meta.get("name", src.name),
        )

    def __repr__(self) -> str:
        return (
            f"Region({self.name!r}: {len(self.councils):,} councils, {len(self.homes):,} homes with "
            f"{int(self.homes.places.sum()):,} places, {len(self.cohorts):,} cohorts with "
            f"{int(self.cohorts.children.sum()):,} children)"
        )

    def card(self) -> Card:
        """The short display of the region: its size and where to look next."""
        held = int(self.placements.children.sum()) if "children" in self.placements.columns else 0
        rows = [
            ("councils", fmt_count(len(self.councils))),
            ("homes", fmt_count(len(self.homes))),
            ("places", fmt_count(self.homes.places.sum())),
            ("providers", fmt_count(len(self.providers))),
            ("cohorts", fmt_count(len(self.cohorts))),
            ("children", fmt_count(self.cohorts.children.sum())),
            ("children already placed (held)", fmt_count(held)),
        ]
        nxt = ["region.councils", "region.homes", "region.cohorts", "rcc.plan(region)"]
        return Card("Region", self.name, "", rows, (), nxt)

    def _repr_html_(self) -> str:
        return self.card().html()
