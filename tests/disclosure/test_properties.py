"""Properties of disclosure control over random tables (hypothesis).

The tables are those of a dataset: A, B, C and A x B, A x C (disease, sex, province, disease x
sex, disease x province) counted from one random three-way table, under every policy preset.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from independent_attacker import intervals

from cohortgate.disclosure.audit import audit_stats
from cohortgate.disclosure.suppress import disclose
from cohortgate.disclosure.tables import CountTable
from cohortgate.models.common import Text
from cohortgate.models.stats import Category, DatasetStats, Dimension
from cohortgate.policy import DISCLOSURE_PRESETS, DisclosurePolicy

T = Text(zh="t", en="t")


def dim(name: str, size: int) -> Dimension:
    return Dimension(
        name=name,
        label=T,
        categories=[Category(code=f"{name}{i}", label=T) for i in range(size)],
    )


@st.composite
def cubes(draw: Any) -> tuple[DisclosurePolicy, np.ndarray[Any, Any]]:
    policy = DISCLOSURE_PRESETS[draw(st.sampled_from(sorted(DISCLOSURE_PRESETS)))]
    shape = tuple(draw(st.integers(1, n)) for n in (4, 2, 4))
    size = int(np.prod(shape))
    small = st.integers(0, 12)
    large = st.integers(0, 120)
    values = draw(st.lists(st.one_of(small, small, large), min_size=size, max_size=size))
    return policy, np.array(values, dtype=np.int64).reshape(shape)


def tables(cube: np.ndarray[Any, Any]) -> list[CountTable]:
    a, b, c = (dim(n, s) for n, s in zip("abc", cube.shape, strict=True))
    return [
        CountTable("a", T, (a,), True, cube.sum(axis=(1, 2))),
        CountTable("b", T, (b,), True, cube.sum(axis=(0, 2))),
        CountTable("c", T, (c,), True, cube.sum(axis=(0, 1))),
        CountTable("a_x_b", T, (a, b), True, cube.sum(axis=2)),
        CountTable("a_x_c", T, (a, c), True, cube.sum(axis=1)),
    ]


def publish(
    policy: DisclosurePolicy, cube: np.ndarray[Any, Any]
) -> tuple[DatasetStats, list[CountTable]]:
    counts = tables(cube)
    return disclose("random", int(cube.sum()), counts, policy), counts


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cubes())
def test_no_small_number_is_published_and_every_number_is_rounded(case: Any) -> None:
    policy, cube = case
    stats, counts = publish(policy, cube)
    if stats.population is None:
        assert policy.is_small(int(cube.sum())) and stats.tables == []
        return
    assert stats.population == policy.round(int(cube.sum()))
    for table, truth in zip(stats.tables, counts, strict=True):
        for cell, true in zip(table.cells, truth.counts.ravel().tolist(), strict=True):
            if policy.is_small(true):
                assert cell.value is None and cell.suppressed
            if cell.value is not None:
                assert not policy.is_small(cell.value)
                assert cell.value % policy.rounding == 0
                low, high = policy.rounding_interval(cell.value)
                assert low <= true <= high


@SETTINGS
@given(cubes())
def test_totals_are_sums_of_published_values(case: Any) -> None:
    policy, cube = case
    stats, _ = publish(policy, cube)
    for table in stats.tables:
        assert table.total == sum(c.value for c in table.cells if c.value is not None)


@SETTINGS
@given(cubes())
def test_the_audit_passes_on_what_disclosure_control_publishes(case: Any) -> None:
    policy, cube = case
    stats, _ = publish(policy, cube)
    assert audit_stats(stats) == []


@SETTINGS
@given(cubes())
def test_an_independent_attacker_cannot_narrow_any_suppressed_cell(case: Any) -> None:
    policy, cube = case
    stats, _ = publish(policy, cube)
    if stats.population is None:
        return
    for name, (low, high) in intervals(stats, policy).items():
        assert high - low >= policy.protection_width, (name, low, high)


@SETTINGS
@given(cubes())
def test_the_audit_and_the_independent_attacker_agree_on_naive_output(case: Any) -> None:
    """Primary suppression only: whatever the audit calls recoverable, the other attacker
    pins to the same interval, and whatever it passes, the other attacker cannot narrow."""
    policy, cube = case
    counts = tables(cube)
    naive = disclose("random", int(cube.sum()), counts, policy, secondary=False)
    if naive.population is None:
        return
    exposed = {
        (i.path[1], i.path[3]): (i.params["low"], i.params["high"])
        for i in audit_stats(naive)
        if i.code.id == "privacy.recoverable-cell"
    }
    theirs = intervals(naive, policy)
    for t, table in enumerate(naive.tables):
        for j, cell in enumerate(table.cells):
            if cell.value is not None:
                continue
            low, high = theirs[(table.id, tuple(cell.key))]
            if (t, j) in exposed:
                assert exposed[(t, j)] == (low, high)
            else:
                assert high - low >= policy.protection_width
