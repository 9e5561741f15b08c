"""Child pseudonyms: the only form in which a child id leaves the SSDA903 reader."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from rcc.io.ssda903._layout import _REJECTED_COLUMNS, _TABLE_ORDER, EXTRA_COLUMNS


def pseudonymise(child: pd.Series, council: pd.Series, salt: str) -> pd.Series:
    """Salted, one-way pseudonyms of child ids.

    Parameters
    ----------
    child : pandas.Series
        Child ids (``CHILD``) as strings; missing values stay missing.
    council : pandas.Series
        Council of each child (child ids are unique within a council only).
    salt : str
        Secret salt. The same salt gives the same pseudonyms.

    Returns
    -------
    pandas.Series
        12 hex digits of ``sha256(salt + "|" + council + "|" + child)``, same index.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pseudonymise(pd.Series(["123"]), pd.Series(["E08000003"]), salt="s")
    >>> len(p[0]), p[0] == pseudonymise(pd.Series(["123"]), pd.Series(["E08000003"]), "s")[0]
    (12, True)
    """
    out = [
        hashlib.sha256(f"{salt}|{c}|{k}".encode()).hexdigest()[:12] if isinstance(k, str) else None
        for k, c in zip(child.tolist(), council.fillna("").tolist(), strict=True)
    ]
    return pd.Series(out, index=child.index, dtype="str")


def _with_children(found: pd.DataFrame, ids: dict[str, pd.DataFrame], salt: str) -> pd.DataFrame:
    """Add the pseudonymous ``child`` of each problem; never the raw id."""
    out = found.copy()
    child = pd.Series(np.nan, index=out.index, dtype="str")
    for table in out["table"].unique():
        source = "episodes" if table == "placements" else str(table)
        sel = out["table"] == table
        lookup = ids[source]
        rows = out.loc[sel, "row"].to_numpy()
        child.loc[sel] = pseudonymise(
            lookup["CHILD"].loc[rows].reset_index(drop=True), lookup["_council"].loc[rows].reset_index(drop=True), salt
        ).to_numpy()
    out["child"] = child
    is_child_col = out["column"] == "CHILD"
    out["received"] = out["received"].astype("object").where(~is_child_col, child.fillna("blank"))
    out = out.assign(_t=out["table"].map(_TABLE_ORDER)).sort_values(["_t", "row"], kind="stable")
    out = out.loc[:, list(_REJECTED_COLUMNS)].reset_index(drop=True)
    for column in _REJECTED_COLUMNS:
        out[column] = out[column].astype("int64" if column == "row" else "str")
    return out


def _public(df: pd.DataFrame, columns: tuple[str, ...], salt: str, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    out["child_id"] = pseudonymise(df["CHILD"], df["_council"], salt)
    out["council_id"] = df["_council"]
    for column in list(columns) + list(EXTRA_COLUMNS):
        if column in df.columns and column != "CHILD" and column not in drop:
            out[column] = df[column]
    return out
