"""Readers and writers: SSDA903 returns, Ofsted provider lists, Placements Data Standard records, CSV/Parquet/Excel
outputs."""

from rcc.io.pds import read_pds

__all__ = ["read_pds"]
