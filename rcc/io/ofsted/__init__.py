"""Read Ofsted's "Providers and places" list into rcc ``homes`` and ``providers`` tables.

Ofsted publishes every provider registered under children's social care legislation, one
row per setting, with columns such as ``URN``, ``Provision type``, ``Sector``, ``Places``,
``Organisation which owns the provider`` and ``Local authority`` (Ofsted, *Children's
social care data in England*, Open Government Licence v3.0). :func:`read_ofsted_providers`
turns that list into the :data:`rcc.core.schema.TABLES` ``homes`` and ``providers`` tables:

* one home per setting: ``home_id`` is the Ofsted URN (the ``URN`` SSDA903 episodes
  record for the placement), ``council_id`` the ONS code of the ``Local authority``
  (matched by name, see :func:`normalise_council_name`);
* ``home_type``, ``needs`` and ages from the provision type (:data:`PROVISION_MAPPING`):
  children's home -> ``childrens_home`` for ``complex;disability`` aged 5-17;
  short-break-only children's home -> ``childrens_home`` for ``disability`` aged 0-17;
  secure children's home -> ``secure_home`` for ``secure`` aged 10-17; residential
  special school registered as a children's home -> ``residential_school`` for
  ``disability;complex`` aged 5-17. The same choices as the embedded data
  (:mod:`rcc.datasets.england`);
* ``weekly_cost_gbp`` from :data:`rcc.datasets.DEFAULT_WEEKLY_COST_GBP` (editable,
  order-of-magnitude defaults, not prices), by home type and sector;
* one provider per owner (``Organisation which owns the provider``), its ``group`` being
  the owner, so market concentration is by real ownership. Owner spellings that differ
  only by case, spacing or punctuation are one provider.

Nothing is dropped silently. Rows that cannot be used are listed in
``OfstedResult.rejected`` (a local authority that matches no council, missing or invalid
places, a missing or repeated URN) and rows that are valid but are not homes rcc plans
for are listed in ``OfstedResult.excluded`` (fostering and adoption agencies, boarding
schools, family centres..., and suspended registrations unless asked for). Every source
row is in exactly one of ``homes``, ``rejected`` or ``excluded``.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({
...     "URN": ["1000001", "1000002", "1000003"],
...     "Provision type": ["Children's home", "Secure children's home", "Independent Fostering Agency"],
...     "Sector": ["Private", "Local Authority", "Private"],
...     "Places": ["4", "8", ""],
...     "Organisation which owns the provider": ["Acme Care Ltd", "Bolton Council", "Acme Care Ltd"],
...     "Local authority": ["Bolton", "BOLTON", "Bury"],
... })
>>> result = read_ofsted_providers(raw)
>>> result.homes[["home_id", "council_id", "home_type", "places", "needs"]].to_dict("records")
[{'home_id': '1000001', 'council_id': 'E08000001', 'home_type': 'childrens_home', 'places': 4, 'needs': 'complex;disability'}, {'home_id': '1000002', 'council_id': 'E08000001', 'home_type': 'secure_home', 'places': 8, 'needs': 'secure'}]
>>> result.excluded[["row", "reason"]].to_dict("records")
[{'row': 2, 'reason': 'provision type not planned by rcc'}]
"""

from __future__ import annotations

from rcc.io.ofsted._councils import normalise_council_name
from rcc.io.ofsted._homes import read_ofsted_providers
from rcc.io.ofsted._layout import OFSTED_COLUMNS, PROVISION_MAPPING, REJECTION_REASONS, SECTOR_MAPPING
from rcc.io.ofsted._result import OfstedResult

__all__ = [
    "OFSTED_COLUMNS",
    "OfstedResult",
    "PROVISION_MAPPING",
    "REJECTION_REASONS",
    "SECTOR_MAPPING",
    "normalise_council_name",
    "read_ofsted_providers",
]
