"""The cohort: the DuckDB engine (every SQL statement), its tables, the synthetic generator and the
statistics counted from it.
"""
