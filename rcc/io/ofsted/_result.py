"""The record :func:`rcc.io.ofsted.read_ofsted_providers` returns."""

from __future__ import annotations

import attrs
import pandas as pd


@attrs.frozen(eq=False)
class OfstedResult:
    """What :func:`read_ofsted_providers` found.

    Attributes
    ----------
    homes : pandas.DataFrame
        The :data:`rcc.core.schema.TABLES` ``homes`` table (validated), one row per setting,
        plus ``provision_type`` (Ofsted's wording), ``short_break_only``,
        ``registration_status``, ``local_authority`` (as in the source) and ``row`` (0-based
        source row).
    providers : pandas.DataFrame
        The ``providers`` table: ``provider_id``, ``name`` (the owner), ``sector`` (most
        common sector of its homes), ``group`` (the owner), plus ``homes`` and ``places``.
    rejected : pandas.DataFrame
        Rows that could not be used, one line per problem: ``row`` (0-based source row;
        file line = row + 2 for a CSV with the heading on its first line), ``urn``,
        ``column``, ``expected``, ``received``, ``reason`` (one of
        :data:`REJECTION_REASONS`).
    excluded : pandas.DataFrame
        Valid rows that are not homes rcc plans for: ``row``, ``urn``, ``provision_type``,
        ``reason``.
    council_matches : pandas.DataFrame
        How each distinct ``Local authority`` value of the planned, active rows was
        matched: ``local_authority``, ``council_id`` (missing when unmatched), ``match``
        (``"code_column"``, ``"code"``, ``"alias"``, ``"name"`` or ``"unmatched"``),
        ``rows``.
    """

    homes: pd.DataFrame
    providers: pd.DataFrame
    rejected: pd.DataFrame
    excluded: pd.DataFrame
    council_matches: pd.DataFrame

    def summary(self) -> str:
        """A few lines: homes and places by type, providers, rejections and exclusions."""
        h = self.homes
        lines = [
            f"Ofsted providers: {len(h)} homes with {int(h.places.sum())} places in "
            f"{h.council_id.nunique()} councils, {len(self.providers)} providers"
        ]
        for ht, g in h.groupby("home_type"):
            lines.append(f"  {ht}: {len(g)} homes, {int(g.places.sum())} places")
        rows = self.rejected.drop_duplicates("row")
        lines.append(f"  rejected rows: {len(rows)}")
        for reason, n in self.rejected.groupby("reason").row.nunique().items():
            lines.append(f"    {reason}: {n}")
        lines.append(f"  excluded rows: {len(self.excluded)}")
        for reason, n in self.excluded.groupby("reason").size().items():
            lines.append(f"    {reason}: {n}")
        un = self.council_matches[self.council_matches.match == "unmatched"]
        if len(un):
            lines.append(
                "  unmatched local authorities: " + ", ".join(f"{a} ({n})" for a, n in zip(un.local_authority, un.rows))
            )
        return "\n".join(lines)
