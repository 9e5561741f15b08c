"""The record :func:`rcc.io.ssda903.load_ssda903` returns."""

from __future__ import annotations

import attrs
import pandas as pd


@attrs.frozen(eq=False)
class Ssda903Result:
    """What :func:`load_ssda903` found.

    Attributes
    ----------
    reference_date : pandas.Timestamp
        Date the placements and ages are taken at.
    header : pandas.DataFrame
        Clean header rows, one per child: ``child_id`` (pseudonym), ``council_id``, ``SEX``,
        ``DOB``, ``ETHNIC``, ``MOTHER``, ``MC_DOB`` (+ ``LA``, ``YEAR``). Index: source row.
        ``UPN`` is dropped. With a UASC table, ``UASC``: ``"1"`` for a child in it (whatever its ``DUC``),
        ``"0"`` for the others.
    episodes : pandas.DataFrame
        Clean episodes: ``child_id``, ``council_id`` and the DfE columns but ``CHILD``
        (+ ``LA``, ``YEAR``). Index: source row.
    rejected : pandas.DataFrame
        One row per problem: ``table`` (header, uasc, episodes or placements), ``row``
        (0-based row of the source table; for ``placements`` the episode's row), ``child``
        (pseudonym, missing when the source had none), ``column``, ``expected``,
        ``received``, ``reason`` (one of :data:`REJECTION_REASONS`). A row that breaks
        several row rules appears once per rule.
    placements : pandas.DataFrame
        One row per child in care on the reference date (episode with
        ``DECOM <= reference_date`` and ``DEC`` blank or after it): ``child_id``,
        ``council_id``, ``episode_row``, ``decom``, ``legal_status``, ``place``,
        ``place_provider``, ``mapped_place`` / ``mapped_provider`` (the codes the mapping
        used: an earlier episode's for temporary placements), ``uasc``, ``age``,
        ``age_band``, ``need``, ``home_type``, ``excluded`` (reason, missing when the child
        is demand), ``cohort_id``, ``home_post``, ``pl_post``, ``distance_miles``.
    cohorts : pandas.DataFrame
        Demand in the :data:`rcc.core.schema.COHORTS` layout: ``cohort_id``, ``council_id``,
        ``need``, ``age_band``, ``children``. Sums to the placements not excluded.
    excluded : pandas.DataFrame
        Children in care but not demand: ``council_id``, ``reason``, ``children``.
    """

    reference_date: pd.Timestamp
    header: pd.DataFrame
    episodes: pd.DataFrame
    rejected: pd.DataFrame
    placements: pd.DataFrame
    cohorts: pd.DataFrame
    excluded: pd.DataFrame

    def __repr__(self) -> str:
        """One line, as the other results (the tables are its attributes; :meth:`summary` says more)."""
        rej = self.rejected.drop_duplicates(["table", "row"]) if len(self.rejected) else self.rejected
        return (f"Ssda903Result({self.reference_date:%Y-%m-%d}: {len(self.header)} header and {len(self.episodes)} "
                f"episode rows kept, {len(rej)} rows rejected; {len(self.placements)} in care, demand "
                f"{int(self.cohorts['children'].sum())} in {len(self.cohorts)} cohorts)")

    def summary(self) -> str:
        """A few lines: rows kept and rejected, children in care, demand and exclusions."""
        rej = self.rejected
        lines = [f"SSDA903 at {self.reference_date:%Y-%m-%d}"]
        for table, kept in (("header", self.header), ("episodes", self.episodes)):
            n_rej = rej.loc[rej["table"] == table, "row"].nunique()
            lines.append(f"  {table}: {len(kept)} rows kept, {n_rej} rejected")
        lines.append(
            f"  in care on the reference date: {len(self.placements)}; demand "
            f"{int(self.cohorts['children'].sum())} in {len(self.cohorts)} cohorts; "
            f"excluded {int(self.excluded['children'].sum())}"
        )
        for (table, reason), n in rej.groupby(["table", "reason"]).size().items():
            lines.append(f"  rejected {table}: {reason}: {n}")
        for reason, n in self.excluded.groupby("reason")["children"].sum().items():
            lines.append(f"  excluded: {reason}: {n}")
        return "\n".join(lines)
