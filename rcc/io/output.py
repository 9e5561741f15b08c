"""Result folders that rcc owns: checked before a solve, written whole after it, with a manifest.

An :class:`OutputFolder` is prepared before any solve (so a bad ``--out`` fails at
once, not after an hour), collects the result files in a staging folder inside it
while the run goes on, and on :meth:`OutputFolder.commit` replaces the files of the
previous rcc run with the new ones and writes ``manifest.json`` last.

The folder holds only files rcc owns:

* ``manifest.json``: what was run (``command``, ``argv``, ``versions``, ``settings``,
  ``region``), how it ended (``outcome``: ``ok``, ``time_limit`` or ``failed``;
  ``exit_code``; ``error``; ``plans``: status, objective, gap, bound, solver and
  run time of each plan), when (``started_at``, ``finished_at``, UTC), and
  ``files``: every file written with its size and sha256. ``"complete": true``
  only once every file is in place; an interrupted write leaves ``"complete": false``.
* the files that manifest lists;
* ``rcc-set-aside-<time>/`` folders: files that were there but that rcc had not
  written, moved aside (only with ``force``, never deleted).

A file is rcc's only if the previous manifest lists it with the same size and
sha256: a listed file edited since is someone else's.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import importlib
import importlib.metadata
import json
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError

__all__ = [
    "CSV_DECIMALS",
    "CSV_ROUNDING",
    "MANIFEST",
    "OTHER_DECIMALS",
    "SHARE_DECIMALS",
    "OutputFolder",
    "check_writers",
    "council_names",
    "csv_decimals",
    "csv_ready",
    "jsonable",
    "now_utc",
    "plan_record",
    "versions",
    "write_frames",
]

#: Name of the manifest in every folder rcc writes.
MANIFEST = "manifest.json"
#: Scratch entries of a run in progress (staging folder, manifest being written).
SCRATCH_PREFIX = ".rcc-"
#: Folders that hold files rcc found and moved aside (``force``).
SET_ASIDE_PREFIX = "rcc-set-aside-"
MANIFEST_VERSION = 1
_LISTED = 8  # foreign files named in an error message

_WRITERS = {
    "parquet": (("pyarrow", "fastparquet"), "pip install pyarrow"),
    "xlsx": (("openpyxl",), "pip install openpyxl"),
}


def now_utc() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_writers(formats: Iterable[str]) -> None:
    """Raise unless a writer library is importable for every format that needs one.

    Parameters
    ----------
    formats : iterable of str
        Output formats (``"csv"``, ``"parquet"``, ``"html"``, ``"xlsx"``); only
        parquet (pyarrow or fastparquet) and xlsx (openpyxl) need a library.

    Raises
    ------
    InvalidInputError
        Naming the format and the library to install.
    """
    for fmt in formats:
        if fmt not in _WRITERS:
            continue
        modules, hint = _WRITERS[fmt]
        if not any(_importable(m) for m in modules):
            raise InvalidInputError(
                "--format",
                None,
                fmt,
                f"{' or '.join(modules)} installed to write {fmt} ({hint}), or another format",
                f"none of {list(modules)} importable",
            )


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def versions() -> dict[str, str | None]:
    """Versions of rcc, Python and the libraries that shape a result (None: not installed)."""
    from rcc.core.version import __version__

    out: dict[str, str | None] = {
        "rcc": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for dist in ("pandas", "numpy", "pulp", "highspy", "pyarrow"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: non-finite floats as the strings ``"nan"``/``"inf"``/``"-inf"``, never dropped."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if value is None or isinstance(value, str):
        return value
    return str(value)


def plan_record(plan: Any, method: str) -> dict[str, Any]:
    """How one plan (:class:`rcc.Plan` or :class:`rcc.SufficiencyPlan`) ended, for the manifest and summary table."""
    info = plan.info
    return {
        "method": method,
        "status": plan.status.value,
        "objective": plan.objective,
        "gap": info.gap,
        "bound": info.bound,
        "solver": info.solver,
        "runtime_s": info.runtime_s,
        "time_limit_s": info.time_limit_s,
        "note": info.note,
    }


#: How CSV files are written (the manifest of every run that writes CSV says so).
SHARE_DECIMALS = 3
#: Decimals kept in a CSV column, by what its name holds (first match; names compared in lower case).
CSV_DECIMALS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("gap",), 6),  # before "pct": gap_pct keeps 6 decimals (0.026%, not 0.0%)
    (("pct", "%", "percent"), 1),
    (("gbp", "cost", "£"), 0),
    (("hhi",), 0),
    (("miles", "distance"), 1),
    (("share", "rate"), SHARE_DECIMALS),
    (("chance",), 6),  # monthly chances of a move or of leaving care (0.0037; at least 1e-6 listed)
    (("runtime", "seconds", "time_limit_s"), 2),
)
#: Decimals kept in any other number column.
OTHER_DECIMALS = 2
CSV_ROUNDING = (
    "CSV files are written for people: number columns holding only whole numbers are written as integers "
    "(counts of children and places); percentages (names with 'pct' or '%') are rounded to 1 decimal, money "
    "(names with 'gbp' or 'cost') to whole GBP, provider concentration (HHI, 0-10,000) to a whole number, "
    f"distances (miles) to 1 decimal, gaps (gap, gap_pct) to 6 decimals, shares and rates (0-1) to {SHARE_DECIMALS} decimals, "
    "monthly chances (of a move or of leaving care) to 6 decimals, "
    f"run times to 2 decimals, other numbers to {OTHER_DECIMALS} decimals; in a metric/value table each row is "
    "rounded as its metric's name says. Every council code column (council_id, home_council_id, ...) has the "
    "council's name beside it (council_name, home_council_name, ...). --format parquet and the Python API keep "
    "every value at full precision, without the name columns."
)


def csv_decimals(name: object) -> int:
    """Decimals a CSV keeps for a number named ``name`` (a column, or a metric in a metric/value table).

    Examples
    --------
    >>> csv_decimals("pct_within_20_miles"), csv_decimals("weekly_cost_gbp"), csv_decimals("mean_distance_miles")
    (1, 0, 1)
    """
    key = str(name).lower()
    for words, decimals in CSV_DECIMALS:
        if any(w in key for w in words):
            return decimals
    return OTHER_DECIMALS


def _whole(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(finite == np.round(finite))) and bool(np.all(np.abs(finite) < 2**53)) \
        and bool(np.isnan(values[~np.isfinite(values)]).all())


def _is_council_code(col: object, s: pd.Series) -> bool:
    key = str(col).lower()
    return (key.endswith("council_id") or key.endswith("_council")) and not pd.api.types.is_bool_dtype(s.dtype) \
        and not pd.api.types.is_numeric_dtype(s.dtype)


def _name_column(col: object) -> str:
    key = str(col)
    return (key[:-3] if key.endswith("_id") else key) + "_name"


def council_names() -> dict[str, str]:
    """Council code -> name of the embedded England councils (what :func:`csv_ready` uses by default)."""
    from rcc.datasets import councils

    c = councils()
    return dict(zip(c.council_id.astype(str), c.name.astype(str)))


def csv_ready(df: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``df`` as written to a CSV file for people (:data:`CSV_ROUNDING`).

    Every number column is rounded to :func:`csv_decimals` of its name (a ``metric``/``value``
    table: each value to the decimals of its metric), then written as integers if it holds
    only whole numbers; every council code column (``council_id``, ``home_council_id``, a
    name ending ``_council``) gets the council's name in a column beside it
    (``council_name``, ``home_council_name``) unless the frame has one; a ``provider_group`` column gets
    ``provider_group_name`` beside it (a council's own homes, ``LA:<code>``, named after the council). The Python API's
    frames keep full precision: this is for files only.

    Parameters
    ----------
    df : pandas.DataFrame
    names : Mapping of str to str, optional
        Council code -> name (default: the embedded England councils, :func:`council_names`).
        A code not in it gets an empty name.

    Returns
    -------
    pandas.DataFrame
        A copy; missing values stay missing.

    Examples
    --------
    >>> df = pd.DataFrame({"council_id": ["E08000001"], "children": [3.0], "pct_placed": [12.345678]})
    >>> csv_ready(df, {"E08000001": "Bolton"}).to_dict("list")
    {'council_id': ['E08000001'], 'council_name': ['Bolton'], 'children': [3], 'pct_placed': [12.3]}
    """
    out = df.copy()
    for col in list(out.columns):
        s = out[col]
        if not pd.api.types.is_float_dtype(s.dtype):
            continue
        if str(col) == "value" and "metric" in out.columns:
            out[col] = _long_values(out["metric"], s)
            continue
        rounded = s.round(csv_decimals(col))
        out[col] = rounded.astype("Int64") if _whole(rounded.to_numpy(dtype=float, na_value=np.nan)) else rounded
    codes = [c for c in out.columns if _is_council_code(c, out[c])]
    if codes:
        lookup = council_names() if names is None else names
        for col in codes:
            name = _name_column(col)
            if name not in out.columns:
                out.insert(out.columns.get_loc(col) + 1, name, out[col].map(lambda c: lookup.get(str(c), pd.NA)
                                                                            if pd.notna(c) else pd.NA))
    if "provider_group" in out.columns and "provider_group_name" not in out.columns:
        lookup = council_names() if names is None else names
        out.insert(out.columns.get_loc("provider_group") + 1, "provider_group_name",
                   out["provider_group"].map(lambda g: _group_name(g, lookup)))
    return out


def _group_name(group: Any, names: Mapping[str, str]) -> Any:
    """A provider group as people read it: a council's own homes (``LA:E08000001``) as ``Bolton (council's own
    homes)``; any other group is already a name."""
    if not isinstance(group, str):
        return pd.NA
    if group.startswith("LA:"):
        code = group[3:]
        council = names.get(code) or council_names().get(code, code)  # a council of England outside the names
        return f"{council} (council's own homes)"
    return group


def _long_values(metrics: pd.Series, values: pd.Series) -> pd.Series:
    """A metric/value table's values, each rounded as its metric's name says; whole numbers as integers."""
    decimals = metrics.map(csv_decimals).to_numpy()
    raw = values.to_numpy(dtype=float, na_value=np.nan)
    rounded = np.array([round(v, int(d)) if np.isfinite(v) else v for v, d in zip(raw, decimals)], dtype=float)
    if _whole(rounded):
        return pd.Series(rounded, index=values.index).astype("Int64")
    cells = [int(v) if np.isfinite(v) and v == round(v) and abs(v) < 2**53 else v for v in rounded]
    return pd.Series(cells, index=values.index, dtype=object)


def write_frames(frames: Mapping[str, pd.DataFrame], folder: Path, fmt: str,
                 names: Mapping[str, str] | None = None) -> list[Path]:
    """Write each frame to ``folder/<name>.<fmt>`` (csv or parquet, no index); return the paths.

    CSV files are written as :func:`csv_ready` makes them (:data:`CSV_ROUNDING`: rounded for
    people, council names beside codes; ``names``: council code -> name, default the embedded
    England councils); Parquet files hold the values as they are.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            csv_ready(df, names).to_csv(path, index=False)
        elif fmt == "parquet":
            df.to_parquet(path, index=False)
        else:
            raise InvalidInputError("--format", None, "format", "'csv' or 'parquet'", fmt)
        written.append(path)
    return written


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _entry(root: Path, path: Path) -> dict[str, Any]:
    return {"path": path.relative_to(root).as_posix(), "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _read_manifest(root: Path) -> dict[str, Any] | None:
    """The previous run's manifest, or None if there is none or it is not an rcc manifest."""
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("rcc_manifest") != MANIFEST_VERSION
        or not isinstance(data.get("files"), list)
    ):
        return None
    return data


def _write_json(root: Path, data: Mapping[str, Any]) -> None:
    """Write ``root/manifest.json`` whole or not at all (temporary file, then rename)."""
    tmp = root / f"{SCRATCH_PREFIX}manifest.tmp"
    tmp.write_text(json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


class OutputFolder:
    """A results folder: checked by :meth:`prepare`, filled through :attr:`staging`, written by :meth:`commit`.

    Use :meth:`prepare`, not the constructor.

    Attributes
    ----------
    path : Path
        The folder.
    staging : Path
        A fresh folder inside ``path`` (``.rcc-staging-*``): write the result files
        there, in the layout they should have under ``path``.
    force : bool
        Move files rcc did not write into ``rcc-set-aside-<time>/`` instead of refusing.
    """

    def __init__(self, path: Path, staging: Path, force: bool) -> None:
        self.path = path
        self.staging = staging
        self.force = force

    @classmethod
    def prepare(cls, path: str | os.PathLike[str], *, force: bool = False, formats: Sequence[str] = ()) -> OutputFolder:
        """Check an output folder before anything is solved, create it if needed.

        Parameters
        ----------
        path : path-like
            The output folder (created with its parents if missing).
        force : bool
            Accept a folder holding files rcc did not write: they are moved into
            ``rcc-set-aside-<time>/`` when the results are written (never deleted).
        formats : sequence of str
            Formats to be written; see :func:`check_writers`.

        Returns
        -------
        OutputFolder

        Raises
        ------
        InvalidInputError
            If ``path`` is a file, cannot be created or written, holds files rcc did
            not write (without ``force``), or a format has no writer installed.
        """
        check_writers(formats)
        root = Path(path)
        if root.exists() and not root.is_dir():
            raise InvalidInputError(
                "--out", None, "path", "a folder, or a path where one can be created", f"{root} is a file"
            )
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInputError(
                "--out", None, "path", "a folder rcc can create", f"{root}: {exc.strerror or exc}"
            ) from None
        folder = cls(root, root, force)
        folder._refuse_foreign()
        try:
            folder.staging = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}staging-", dir=root))
        except OSError as exc:
            raise InvalidInputError(
                "--out", None, "path", "a folder rcc can write to", f"{root}: {exc.strerror or exc}"
            ) from None
        return folder

    # ------------------------------------------------------------------ ownership
    def _scan(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[str]]:
        """(previous manifest, its files still here unchanged, paths of files rcc did not write)."""
        previous = _read_manifest(self.path)
        listed: dict[str, list[dict[str, Any]]] = {}
        for e in previous["files"] if previous else []:
            listed.setdefault(str(e.get("path")), []).append(e)
        set_aside = set(previous.get("set_aside", [])) if previous else set()
        owned: list[dict[str, Any]] = []
        foreign: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.path):
            here = Path(dirpath)
            top = here == self.path
            for d in list(dirnames):
                if (top and (d.startswith(SCRATCH_PREFIX) or d in set_aside)) or (here / d).is_symlink():
                    dirnames.remove(d)
                    if (here / d).is_symlink():
                        foreign.append((here / d).relative_to(self.path).as_posix())
            for name in filenames:
                file = here / name
                rel = file.relative_to(self.path).as_posix()
                if top and (name.startswith(SCRATCH_PREFIX) or (name == MANIFEST and previous is not None)):
                    continue
                entry = None if file.is_symlink() else _owned_entry(file, listed.get(rel, []))
                if entry is None:
                    foreign.append(rel)
                else:
                    owned.append(entry)
        return previous, owned, sorted(foreign)

    def _refuse_foreign(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[str]]:
        previous, owned, foreign = self._scan()
        if foreign and not self.force:
            shown = ", ".join(foreign[:_LISTED]) + (
                f" and {len(foreign) - _LISTED} more" if len(foreign) > _LISTED else ""
            )
            raise InvalidInputError(
                "--out",
                None,
                "contents",
                f"an empty folder or one holding only files an earlier rcc run wrote (listed unchanged in its {MANIFEST});"
                f" choose another folder, or pass --force to move the other files into {SET_ASIDE_PREFIX}<time>/",
                f"{len(foreign)} file(s) rcc did not write in {self.path}: {shown}",
            )
        return previous, owned, foreign

    # ------------------------------------------------------------------ writing
    def discard(self) -> None:
        """Remove the staging folder and whatever is in it (safe to call twice)."""
        if self.staging != self.path:
            shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, manifest: Mapping[str, Any], *, tables: bool = True) -> list[dict[str, Any]]:
        """Replace the previous run's files with the staged ones; write the manifest last.

        Order, so that an interruption never leaves a set that looks complete:
        a manifest with ``"complete": false`` listing old and new files; files rcc
        did not write moved aside (``force``); the previous run's files removed;
        the new ones moved in (renames inside the folder); the manifest rewritten
        with ``"complete": true``.

        Parameters
        ----------
        manifest : Mapping
            What the run was and how it ended (see :func:`rcc.cli.main`); the
            ``files``, ``set_aside`` and ``complete`` keys are filled in here.
        tables : bool
            False for a failed run: staged files are dropped and only the manifest is written.

        Returns
        -------
        list of dict
            The files written (path relative to the folder, bytes, sha256), manifest excluded.
        """
        previous, owned, foreign = self._refuse_foreign()
        if not tables:
            self.discard()
        staged = sorted(p for p in self.staging.rglob("*") if p.is_file()) if self.staging.exists() else []
        new = [_entry(self.staging, p) for p in staged]
        set_aside = list(previous.get("set_aside", [])) if previous else []
        aside = f"{SET_ASIDE_PREFIX}{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}" if foreign else None
        record = {"rcc_manifest": MANIFEST_VERSION, **manifest}
        _write_json(
            self.path,
            {**record, "complete": False, "files": owned + new, "set_aside": set_aside + ([aside] if aside else [])},
        )
        if aside:
            for rel in foreign:
                target = self.path / aside / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path / rel, target)
                _prune(self.path, (self.path / rel).parent)
            set_aside.append(aside)
        for e in owned:
            (self.path / e["path"]).unlink(missing_ok=True)
            _prune(self.path, (self.path / e["path"]).parent)
        for p in staged:
            target = self.path / p.relative_to(self.staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(p, target)
        self.discard()
        for leftover in self.path.glob(f"{SCRATCH_PREFIX}staging-*"):  # from interrupted runs
            shutil.rmtree(leftover, ignore_errors=True)
        _write_json(self.path, {**record, "complete": True, "files": new, "set_aside": set_aside})
        return new


def _owned_entry(file: Path, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The manifest entry ``file`` matches (same size and sha256), or None."""
    if not entries:
        return None
    size = file.stat().st_size
    sized = [e for e in entries if e.get("bytes") == size]
    if not sized:
        return None
    digest = _sha256(file)
    return next((e for e in sized if e.get("sha256") == digest), None)


def _prune(root: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents up to (not including) ``root`` while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
