"""Spells of care (child x need, unbroken) from SSDA903 episodes, and their checks.

A spell is the input of :func:`rcc.forecast.estimate_rates`. Child ids are
pseudonyms from :func:`rcc.io.ssda903.load_ssda903` and never leave the package
in a forecast.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.core.schema import AGE_BANDS, NEEDS

__all__ = ["spells_from_ssda903"]

_BANDS = list(AGE_BANDS)
_EXCLUDED = "\x00excluded"


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None).dt.normalize() if getattr(values.dt, "tz", None) else values.dt.normalize()
    text = values.astype("str").str.strip()
    text = text.mask(values.isna() | text.isin(["", "nan", "NaT", "None"]))
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    out = out.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))
    bad = text.notna() & out.isna()
    if bad.any():
        i = bad.idxmax()
        raise InvalidInputError("spells", i, values.name, "a date as yyyy-mm-dd or dd/mm/yyyy", values[i])
    return out.dt.normalize()


def _date(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        raise InvalidInputError("parameters", None, name, "a date", value)
    return ts.normalize()


def spells_from_ssda903(result: Any, *, place_mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spells of care (child x need, unbroken) from a loaded SSDA903 return.

    Episodes of a child are put in date order; an episode that overlaps the next one ends
    when the next begins (multi-year extracts repeat and overlap episodes). This differs
    from :func:`rcc.io.ssda903.load_ssda903` in one case: an open episode that starts
    before a later, closed one is cut here (the later return wins) but counted as current
    by the loader, so the stock on a date can differ by a few children on such data. Each episode's
    ``PLACE`` (and ``PLACE_PROVIDER``) is mapped to a need with
    :data:`rcc.io.ssda903.PLACE_MAPPING`: temporary placements (T0-T4) take the need of the
    child's latest earlier placement; excluded placements (placed for adoption, health,
    other) and short breaks (legal status V3/V4) are not demand. Consecutive episodes with
    the same need and no gap are one spell.

    Parameters
    ----------
    result : rcc.io.ssda903.Ssda903Result
        From :func:`rcc.io.ssda903.load_ssda903` (its ``episodes`` and ``header``, both
        pseudonymised). UASC status is not carried into spells (needs are ``mainstream``
        rather than ``uasc``).
    place_mapping : pandas.DataFrame, optional
        Replaces :data:`rcc.io.ssda903.PLACE_MAPPING`.

    Returns
    -------
    pandas.DataFrame
        ``child_id`` (pseudonym), ``council_id``, ``need``, ``start``, ``end`` (missing
        while open), ``dob``.
    """
    episodes = _episodes_in_order(result.episodes)
    episodes["need"] = _episode_needs(episodes, place_mapping)
    spells = _merge_episodes(episodes[episodes.need.notna()].reset_index(drop=True))
    hdr = result.header
    dob = hdr.drop_duplicates(["council_id", "child_id"]).set_index(["council_id", "child_id"]).DOB
    idx = pd.MultiIndex.from_frame(spells[["council_id", "child_id"]])
    spells["dob"] = _dates(dob.reindex(idx).reset_index(drop=True)).to_numpy()
    return spells.dropna(subset=["dob"]).reset_index(drop=True)


def _episodes_in_order(eps: pd.DataFrame) -> pd.DataFrame:
    """Episodes by council, child and start; an episode overlapping the next ends when it begins."""
    df = pd.DataFrame(
        {
            "child_id": eps["child_id"].to_numpy(),
            "council_id": eps["council_id"].to_numpy(),
            "start": _dates(eps["DECOM"]).to_numpy(),
            "end": _dates(eps["DEC"]).to_numpy(),
            "place": eps["PLACE"].to_numpy(),
            "provider": eps["PLACE_PROVIDER"].to_numpy() if "PLACE_PROVIDER" in eps else None,
            "ls": eps["LS"].to_numpy() if "LS" in eps else None,
            "rec": eps["REC"].to_numpy() if "REC" in eps else None,
        }
    )
    df = df.dropna(subset=["child_id", "council_id", "start"])
    df = df.sort_values(["council_id", "child_id", "start"], kind="stable").reset_index(drop=True)
    same_child = (df.child_id.shift(-1) == df.child_id) & (df.council_id.shift(-1) == df.council_id)
    nxt = df.start.shift(-1).where(same_child)
    df["end"] = df.end.where(df.end.notna() & ~(nxt < df.end), nxt)  # overlap: the next episode wins
    return df[df.end.isna() | (df.end > df.start)].reset_index(drop=True)


def _episode_needs(df: pd.DataFrame, place_mapping: pd.DataFrame | None, column: str = "need") -> pd.Series:
    """The need (or ``column`` of the mapping: ``home_type``) of each episode (missing: not demand) from its
    placement and legal status."""
    from rcc.io.ssda903 import PLACE_MAPPING, SHORT_BREAK_LEGAL_STATUSES

    mapping = PLACE_MAPPING if place_mapping is None else place_mapping
    lookup: dict[tuple[str, str], tuple[Any, str]] = {}
    for r in mapping.itertuples(index=False):
        prov = str(r.place_provider).upper() if isinstance(r.place_provider, str) else "*"
        lookup[(str(r.place).upper(), prov)] = (getattr(r, column), str(r.action))

    def act(place: Any, provider: Any) -> tuple[Any, str]:
        place = str(place).upper()
        prov = provider.upper() if isinstance(provider, str) else "*"
        return lookup.get((place, prov)) or lookup.get((place, "*")) or (None, "exclude")

    acts = [act(p, q) for p, q in zip(df.place, df.provider)]
    need = pd.Series([a[0] if a[1] == "plan" else _EXCLUDED for a in acts], index=df.index, dtype=object)
    inherit = pd.Series([a[1] == "inherit" for a in acts], index=df.index)
    # temporary placements: the need of the latest earlier non-temporary episode of the child
    # (not demand when that one was excluded or there is none)
    carried = need.where(~inherit).groupby([df.council_id, df.child_id]).ffill()
    need = need.where(~inherit, carried)
    need = need.where(need != _EXCLUDED)
    short = df.ls.isin(list(SHORT_BREAK_LEGAL_STATUSES)) if df.ls is not None else False
    return need.where(~short)


def _merge_episodes(df: pd.DataFrame, column: str = "need", carry: tuple[str, ...] = ()) -> pd.DataFrame:
    """Consecutive episodes of one child with the same need (or ``column``) and no gap as one spell (with the
    ``carry`` columns of its last episode)."""
    prev_same = (
        (df.child_id.shift() == df.child_id)
        & (df.council_id.shift() == df.council_id)
        & (df[column].shift() == df[column])
        & (df.end.shift() == df.start)
    )
    spell = (~prev_same).cumsum()
    first = ~spell.duplicated(keep="first")
    last = ~spell.duplicated(keep="last")  # its end may be blank (open): not groupby "last"
    spells = df.loc[first, ["child_id", "council_id", column, "start"]].reset_index(drop=True)
    spells["end"] = df.loc[last, "end"].to_numpy()
    for c in carry:
        spells[c] = df.loc[last, c].to_numpy()
    return spells


def _check_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """A validated copy of ``spells`` with the column names of :func:`rcc.forecast.estimate_rates`.

    Raises
    ------
    InvalidInputError
        Not a frame, a missing column, a missing council or need, an unknown need, a bad
        date, an end before the start, or an unknown age band.
    """
    if not isinstance(spells, pd.DataFrame):
        raise InvalidInputError("spells", None, None, "a pandas DataFrame", type(spells).__name__)
    df = spells.rename(columns={"DECOM": "start", "DEC": "end", "DOB": "dob", "child": "child_id"}).copy()
    for c in ("council_id", "need", "start"):
        if c not in df.columns:
            raise InvalidInputError("spells", None, c, f"a column named {c}", list(spells.columns))
    if "end" not in df.columns:
        df["end"] = pd.NaT
    if "dob" not in df.columns and "age_band" not in df.columns:
        raise InvalidInputError("spells", None, "dob", "a dob (or DOB) column, or an age_band column", list(spells.columns))
    df = df.reset_index(drop=True)
    for c in ("council_id", "need"):
        miss = df[c].isna()
        if miss.any():
            raise InvalidInputError("spells", int(miss.idxmax()), c, "a value", None, more=int(miss.sum()) - 1)
    bad = ~df.need.isin(NEEDS)
    if bad.any():
        raise InvalidInputError("spells", int(bad.idxmax()), "need", f"one of {list(NEEDS)}", df.need[bad.idxmax()])
    df["start"], df["end"] = _dates(df.start.rename("start")), _dates(df.end.rename("end"))
    if df.start.isna().any():
        i = int(df.start.isna().idxmax())
        raise InvalidInputError("spells", i, "start", "a start date (DECOM)", None)
    back = df.end.notna() & (df.end < df.start)
    if back.any():
        i = int(back.idxmax())
        raise InvalidInputError("spells", i, "end", "an end on or after the start", str(df.end[i].date()))
    if "dob" in df.columns:
        df["dob"] = _dates(df.dob.rename("dob"))
        if df.dob.isna().any():
            i = int(df.dob.isna().idxmax())
            raise InvalidInputError("spells", i, "dob", "a date of birth", None)
    else:
        bad = ~df.age_band.isin(_BANDS)
        if bad.any():
            i = int(bad.idxmax())
            raise InvalidInputError("spells", i, "age_band", f"one of {_BANDS}", df.age_band[i])
    return df
