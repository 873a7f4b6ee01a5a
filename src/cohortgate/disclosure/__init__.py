"""Disclosure control of the published statistics (public side; no row-level data here).

``tables`` (true counts, handed in by the custodian) -> ``suppress`` (primary and secondary
suppression, rounding, totals) -> ``output`` (the JSON file); ``audit`` and ``differencing``
check what was published, using only what was published; ``attack`` and ``linkage`` are the
attacker's linear programme that both sides solve.
"""

from cohortgate.disclosure.audit import audit_catalog_stats, audit_file, audit_stats
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import disclose
from cohortgate.disclosure.tables import CountTable

__all__ = [
    "CountTable",
    "audit_catalog_stats",
    "audit_file",
    "audit_stats",
    "disclose",
    "dumps_stats",
]
