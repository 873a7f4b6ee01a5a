"""A second attacker, written separately from ``cohortgate.disclosure``, for the tests.

It knows the shape of the tables the property tests publish: a population and the tables A,
B, C, A x B and A x C (as disease, sex, province, disease x sex, disease x province). The
equations are spelled out one by one with loops and solved as a dense LP, so that a mistake in
``disclosure.linkage`` (which derives equations generically from shared dimensions) cannot hide
behind the same mistake here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import linprog

from cohortgate.models.stats import DatasetStats
from cohortgate.policy import DisclosurePolicy


def bounds_of(policy: DisclosurePolicy, value: int | None, cap: float) -> tuple[float, float]:
    """What the attacker knows about one number, from the policy's own description."""
    if value is None:
        return 0.0, cap
    low, high = policy.rounding_interval(value)
    possible = [c for c in range(low, high + 1) if not policy.is_small(c)]
    if not possible:
        return float(low), float(high)
    return float(min(possible)), float(max(possible))


def intervals(
    stats: DatasetStats, policy: DisclosurePolicy
) -> dict[tuple[str, tuple[str, ...]], tuple[int, int]]:
    """(table id, key) -> the attacker's integer interval, for every suppressed cell."""
    tables = {t.id: t for t in stats.tables}
    names: list[tuple[str, tuple[str, ...]]] = [("population", ())]
    values: list[int | None] = [stats.population]
    for t in stats.tables:
        for c in t.cells:
            names.append((t.id, tuple(c.key)))
            values.append(c.value)
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    cap = float(10 * (stats.population or 0) + 10**6)
    rows: list[np.ndarray[Any, Any]] = []

    def equation(plus: list[int], minus: list[int]) -> None:
        row = np.zeros(n)
        row[plus] += 1
        row[minus] -= 1
        rows.append(row)

    def cells(table: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(table, tuple(c.key)) for c in tables[table].cells]

    for table in tables:
        equation([index[k] for k in cells(table)], [0])  # every table sums to the population
    for two, one, axis in (
        ("a_x_b", "a", 0),
        ("a_x_b", "b", 1),
        ("a_x_c", "a", 0),
        ("a_x_c", "c", 1),
    ):
        for key in cells(one):
            part = [index[k] for k in cells(two) if k[1][axis] == key[1][0]]
            equation(part, [index[key]])
    for key in cells("a"):  # a x b and a x c agree on each a (implied, kept for clarity)
        left = [index[k] for k in cells("a_x_b") if k[1][0] == key[1][0]]
        right = [index[k] for k in cells("a_x_c") if k[1][0] == key[1][0]]
        equation(left, right)
    matrix = np.array(rows)
    bounds = [bounds_of(policy, v, cap) for v in values]
    out = {}
    for i, v in enumerate(values):
        if v is not None:
            continue
        c = np.zeros(n)
        c[i] = 1
        low = linprog(c, A_eq=matrix, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        high = linprog(-c, A_eq=matrix, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, (low.message, high.message)
        out[names[i]] = (math.ceil(low.fun - 1e-6), math.floor(-high.fun + 1e-6))
    return out
