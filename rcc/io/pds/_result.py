"""The record :func:`rcc.io.pds.read_pds` returns."""

from __future__ import annotations

import attrs
import pandas as pd

from rcc.core.region import Region


@attrs.frozen(eq=False)
class PdsResult:
    """What :func:`read_pds` found.

    Attributes
    ----------
    demand : pandas.DataFrame
        The demand view: one row per child's current record (a placement request, or an agreed
        placement): ``row`` (0-based source record), ``request_id`` and ``child_id`` (salted
        pseudonyms, never the child id), ``council_id``, ``age_band``, ``need``, ``cohort_id``,
        ``placed``, ``recommended_type`` (the one type the recommendation prefers, missing when it
        prefers none or several), ``placement_type`` (agreed; missing for a request),
        ``provider_urn``, ``home_id``, ``placement_council_id``, ``preferred_council_id`` (the
        preferred location matched to a council, else missing), then the standard's fields in
        snake_case (``needed_by``, ``sibling_count``, ``preferred_location``, requirements, the
        three suitabilities, risks, ``weekly_cost_gbp`` (the agreed weekly fee), ``referral_date``,
        ``placement_date``...) and ``risk_other_recorded`` / ``risk_to_others_other_recorded``
        (their free text is not kept). Officers' names, the placement's address and dates of
        birth are not kept.
    cohorts, placements, homes, providers, councils : pandas.DataFrame
        Region tables (:data:`rcc.core.schema.TABLES`). ``cohorts``: every current record, requests
        and agreed placements alike, by council x need x age band. ``placements``: the agreed
        placements (held in place by :func:`rcc.plan`). ``homes``: the homes passed in, then one
        home per provider URN, placement council and type of the agreed placements whose URN is
        no home passed in (places = children placed there; ``places_source`` says so).
        ``councils``: the rows of the councils table that the cohorts and homes use.
    rejected : pandas.DataFrame
        One row per problem: ``table`` (``"records"``), ``row`` (0-based source record),
        ``row_id`` (the child's pseudonym; missing when the child id itself is bad), ``column``
        (the standard's field name), ``expected``, ``received`` (never a child id or free text),
        ``reason`` (one of :data:`REJECTION_REASONS`). A record with any problem is not used.
    sources : pandas.DataFrame
        ``source`` (file name, ``"records"`` or ``"DataFrame"``) and ``records`` read from it, in
        row order. A file name holding a child id is shown as ``"file N (name withheld)"``.
    ignored_fields : tuple of str
        Field names that are neither the standard's nor rcc's extensions (not read).
    """

    demand: pd.DataFrame
    cohorts: pd.DataFrame
    placements: pd.DataFrame
    homes: pd.DataFrame
    providers: pd.DataFrame
    councils: pd.DataFrame
    rejected: pd.DataFrame
    sources: pd.DataFrame
    ignored_fields: tuple[str, ...]

    def region(self, name: str = "Placements Data Standard") -> Region:
        """The records as a validated :class:`~rcc.core.region.Region` (for :func:`rcc.plan`).

        Raises
        ------
        rcc.core.errors.InvalidInputError
            A table breaks a Region rule (e.g. a home passed in holds more placed children
            than it has places).
        """
        homes = self.homes.drop(columns=["places_source"], errors="ignore")
        return Region.from_frames(
            self.councils, homes, self.cohorts, providers=self.providers, placements=self.placements, name=name
        )

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name (``demand``, ``rejected``, ``sources`` and the Region tables), e.g. to write out."""
        names = ("demand", "rejected", "sources", "councils", "providers", "homes", "cohorts", "placements")
        return {n: getattr(self, n) for n in names}

    def __repr__(self) -> str:
        """One line, as the other results (the tables are its attributes; :meth:`summary` says more)."""
        d = self.demand
        return (f"PdsResult({int(self.sources['records'].sum())} records read, {len(d)} used, "
                f"{self.rejected['row'].nunique()} rejected; {int(d['placed'].sum())} placed, "
                f"{int((~d['placed']).sum())} awaiting a placement, in {len(self.cohorts)} cohorts; "
                f"{len(self.homes)} homes)")

    def summary(self) -> str:
        """A few lines: records read, used and rejected; demand by need; placements."""
        d, rej = self.demand, self.rejected
        n_read = int(self.sources["records"].sum())
        lines = [
            f"Placements Data Standard: {n_read} records read, {len(d)} used, {rej['row'].nunique()} rejected",
            f"  children: {len(d)} ({int(d['placed'].sum())} placed, {int((~d['placed']).sum())} awaiting a placement)"
            f" in {len(self.cohorts)} cohorts",
        ]
        for need, n in d.groupby("need").size().items():
            lines.append(f"  need {need}: {n}")
        for reason, n in rej.groupby("reason")["row"].nunique().items():
            lines.append(f"  rejected: {reason}: {n}")
        if self.ignored_fields:
            lines.append(f"  fields not in the standard, not read: {len(self.ignored_fields)}")
        return "\n".join(lines)
