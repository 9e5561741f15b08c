"""Readers and writers: SSDA903 returns, Ofsted provider lists, CSV/Parquet/Excel outputs."""
