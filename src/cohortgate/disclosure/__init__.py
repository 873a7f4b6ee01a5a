"""Disclosure control of the published statistics (public side; no row-level data here).

``tables`` (true counts, handed in by the custodian) -> ``suppress`` (primary and secondary
suppression, rounding, totals) -> ``output`` (the JSON file); ``audit`` and ``differencing``
check what was published, using only what was published; ``attack`` and ``linkage`` are the
attacker's linear programme that both sides solve.
"""
