"""Postcodes of SSDA903 episodes: normalising them, checking postcode centroids, distances."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.csvfiles import Source, file_label, read_csv_table
from rcc.core.errors import InvalidInputError
from rcc.core.geo import haversine_miles
from rcc.core.validate import require_columns


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """UK postcodes upper-case with one space before the inward code.

    Whitespace is removed, then a single space is put before the last three characters when
    the code has at least five. Shorter (truncated) values are kept upper-case without spaces.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_postcodes(pd.Series([" m1  1ae", "SW1A1AA", "2tr", None])).tolist()
    ['M1 1AE', 'SW1A 1AA', '2TR', nan]
    """
    s = postcodes.astype("str").str.upper().str.replace(r"\s+", "", regex=True)
    s = s.mask(s == "")
    long = s.str.len() >= 5
    return s.where(~long, s.str[:-3] + " " + s.str[-3:])


def _postcode_key(postcodes: pd.Series) -> pd.Series:
    return postcodes.astype("str").str.upper().str.replace(r"\s+", "", regex=True)


def _check_coords(coords: Source | None) -> pd.DataFrame | None:
    """Postcode centroids indexed by postcode key; every row checked, none dropped."""
    if coords is None:
        return None
    table = "postcode_coords"
    if isinstance(coords, (str, os.PathLike)):
        table = file_label(table, coords)
        coords = read_csv_table(coords, "postcode_coords")
        row_ids: list[Any] = [f"line {line}" for line in coords.index]
    elif isinstance(coords, pd.DataFrame):
        row_ids = list(range(len(coords)))
    else:
        raise TypeError(f"{table}: expected a path or a pandas DataFrame, got {type(coords).__name__}")
    df = coords.rename(columns=lambda c: str(c).strip().lower()).reset_index(drop=True)
    require_columns(df, table, ("postcode", "lat", "lon"))
    key = _postcode_key(df["postcode"])
    blank = key.isna() | (key == "")
    if blank.any():
        i = int(blank.to_numpy().argmax())
        raise InvalidInputError(table, row_ids[i], "postcode", "a postcode", "blank", more=int(blank.sum()) - 1)
    out = pd.DataFrame({"key": key})
    for column, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        value = pd.to_numeric(df[column].astype("str").str.strip(), errors="coerce").astype("float64")
        bad = value.isna() | ~value.between(low, high)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            expected = f"a number in [{low}, {high}] (degrees, WGS84)"
            raise InvalidInputError(table, row_ids[i], column, expected, df.at[i, column], more=int(bad.sum()) - 1)
        out[column] = value
    clash = out.groupby("key")[["lat", "lon"]].transform("nunique").max(axis=1) > 1
    if clash.any():
        i = int(clash.to_numpy().argmax())
        received = f"{df.at[i, 'postcode']} at several positions"
        raise InvalidInputError(table, row_ids[i], "postcode", "one position per postcode", received)
    return out.drop_duplicates("key").set_index("key")


def _distances(placements: pd.DataFrame, coords: pd.DataFrame | None) -> pd.Series:
    if coords is None or placements.empty:
        return pd.Series(np.nan, index=placements.index, dtype="float64")
    home = coords.reindex(_postcode_key(placements["home_post"]).to_numpy())
    place = coords.reindex(_postcode_key(placements["pl_post"]).to_numpy())
    miles = haversine_miles(
        home["lat"].to_numpy(), home["lon"].to_numpy(), place["lat"].to_numpy(), place["lon"].to_numpy()
    )
    return pd.Series(np.asarray(miles, dtype="float64"), index=placements.index)
