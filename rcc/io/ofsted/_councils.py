"""Matching Ofsted's ``Local authority`` names (or codes) to councils."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from rcc.core.errors import InvalidInputError
from rcc.io.ofsted._layout import _AMBIGUOUS_COUNCIL, _UNKNOWN_COUNCIL

_PREFIXES = (
    "the ",
    "city of ",
    "county of ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "borough of ",
    "county ",
)
_SUFFIXES = (
    " council",
    " city of",
    " county of",
    " metropolitan borough",
    " borough",
    " district",
    " county",
    " city",
)


def normalise_council_name(name: Any) -> str:
    """A council name reduced to a matching key.

    Case folded; ``&`` read as ``and``; punctuation as spaces; then the words that
    different publishers add or leave out are removed: a leading ``The``, ``City of``,
    ``County of``, ``County``, ``(Royal/London/Metropolitan) Borough of``, and a trailing
    ``Council``, ``City``, ``County``, ``Borough``, ``, City of`` or ``, County of``.

    Parameters
    ----------
    name : object
        A council name (anything else gives ``""``).

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_council_name("Bristol, City of") == normalise_council_name("Bristol City Council")
    True
    >>> normalise_council_name("Bournemouth, Christchurch & Poole")
    'bournemouth christchurch and poole'
    >>> normalise_council_name("St. Helens"), normalise_council_name("County Durham")
    ('st helens', 'durham')
    """
    if not isinstance(name, str):
        return ""
    s = name.casefold().replace("&", " and ")
    s = re.sub(r"[^0-9a-z]+", " ", s).strip()
    s = re.sub(r"\s+", " ", s)
    changed = True
    while changed and s:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p) :], True
        for x in _SUFFIXES:
            if s.endswith(x) and len(s) > len(x):
                s, changed = s[: -len(x)], True
    return s.strip()


def _match_councils(
    names: pd.Series, codes: pd.Series | None, councils: pd.DataFrame, aliases: Mapping[str, str] | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """council_id, match kind and problem reason for each row."""
    ids = pd.Index(councils.council_id.astype(str))
    key = councils.name.map(normalise_council_name)
    lookup: dict[str, str | None] = {}
    for k, cid in zip(key, ids):
        lookup[k] = None if (k in lookup and lookup[k] != cid) else cid  # None = ambiguous
    alias = {normalise_council_name(a): str(c) for a, c in (aliases or {}).items()}
    for a, c in alias.items():
        if c not in ids:
            raise InvalidInputError("aliases", a, "council_id", "an id of a row of table 'councils'", c)
    council = pd.Series(np.nan, index=names.index, dtype=object)
    match = pd.Series("unmatched", index=names.index, dtype=object)
    reason = pd.Series(_UNKNOWN_COUNCIL, index=names.index, dtype=object)
    if codes is not None:
        ok = codes.isin(ids)
        council[ok] = codes[ok]
        match[ok] = "code_column"
    todo = council.isna()
    uniq = names[todo].unique()
    for raw_name in uniq:
        rows = todo & (names == raw_name)
        k = normalise_council_name(raw_name)
        if raw_name in ids:
            council[rows], match[rows] = raw_name, "code"
        elif k in alias:
            council[rows], match[rows] = alias[k], "alias"
        elif k in lookup and lookup[k] is not None:
            council[rows], match[rows] = lookup[k], "name"
        elif k in lookup:
            reason[rows] = _AMBIGUOUS_COUNCIL
    reason = reason.where(council.isna())
    return council, match, reason
