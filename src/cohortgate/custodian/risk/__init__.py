"""Disclosure risk of row-level tables: the re-identification risk suite (k, l, t, uniqueness,
prosecutor risk) and the release gate.
"""
