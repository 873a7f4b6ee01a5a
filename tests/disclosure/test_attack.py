"""The attacker's knowledge, the linking equations and the LP, on small hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest

from cohortgate.disclosure.attack import (
    Attacker,
    Inconsistent,
    published_bounds,
    published_interval,
)
from cohortgate.disclosure.linkage import Block, link
from cohortgate.policy import DISCLOSURE_PRESETS

OPENSAFELY = DISCLOSURE_PRESETS["opensafely"]
UKBIOBANK = DISCLOSURE_PRESETS["ukbiobank"]
UKLLC = DISCLOSURE_PRESETS["ukllc"]


@pytest.mark.parametrize(
    ("policy", "value", "interval"),
    [
        (OPENSAFELY, 0, (0, 0)),  # 1 and 2 would have been suppressed: a published 0 is 0
        (OPENSAFELY, 10, (8, 12)),
        (OPENSAFELY, 15, (13, 17)),
        (OPENSAFELY, 5, (3, 7)),  # never published; the rounding interval as is
        (UKBIOBANK, 5, (5, 5)),
        (UKLLC, 0, (0, 0)),  # never published (zeros are small); as is
        (UKLLC, 10, (10, 10)),
        (OPENSAFELY, None, (0, float("inf"))),
    ],
)
def test_what_a_published_value_tells(
    policy: object, value: int | None, interval: tuple[float, float]
) -> None:
    assert published_interval(policy, value) == interval  # type: ignore[arg-type]


def test_bounds_agree_with_the_policy_for_every_value() -> None:
    for policy in DISCLOSURE_PRESETS.values():
        values = np.arange(0, 200, dtype=np.int64)
        low, high = published_bounds(policy, values)
        for v, lo, hi in zip(values.tolist(), low.tolist(), high.tolist(), strict=True):
            possible = [
                c
                for c in range(policy.rounding_interval(v)[0], policy.rounding_interval(v)[1] + 1)
                if not policy.is_small(c)
            ]
            if possible:
                assert (lo, hi) == (min(possible), max(possible))


def two_by_two() -> tuple[object, np.ndarray]:
    """Population, sex (M, F), disease (A, B), disease x sex: variables in this order."""
    blocks = [
        Block((), ()),
        Block(("sex",), (("M", "F"),)),
        Block(("disease",), (("A", "B"),)),
        Block(("disease", "sex"), (("A", "B"), ("M", "F"))),
    ]
    truth = np.array([78, 50, 28, 23, 55, 20, 3, 30, 25], dtype=np.float64)
    return link(blocks), truth


def test_true_counts_satisfy_every_equation_and_a_change_breaks_one() -> None:
    linkage, truth = two_by_two()
    assert linkage.size == 9
    assert not np.any(linkage.matrix @ truth)
    changed = truth.copy()
    changed[6] += 1  # one more girl with disease A, nowhere else
    assert np.any(linkage.matrix @ changed)


def test_fibre_is_the_row_and_column_of_a_cell() -> None:
    linkage, _ = two_by_two()
    # A x F (variable 6): A x M (5) in its row and B x F (8) in its column
    assert linkage.fibre(6).tolist() == [5, 8]
    assert set(linkage.related(6).tolist()) >= {2, 3, 5, 8}


def test_a_lone_suppressed_cell_is_pinned_exactly() -> None:
    linkage, truth = two_by_two()
    lower, upper = truth.copy(), truth.copy()
    lower[6], upper[6] = 0, np.inf
    attacker = Attacker(linkage, lower, upper)
    assert attacker.interval(6) == (3, 3)
    assert [(e.var, e.low, e.high) for e in attacker.exposed([6], 5)] == [(6, 3, 3)]


def test_four_suppressed_cells_protect_each_other() -> None:
    linkage, truth = two_by_two()
    lower, upper = truth.copy(), truth.copy()
    for var in (5, 6, 7, 8):
        lower[var], upper[var] = 0, np.inf
    attacker = Attacker(linkage, lower, upper)
    assert attacker.interval(6) == (0, 23)
    assert attacker.exposed([5, 6, 7, 8], 5) == []


def test_cells_proven_by_feasible_tables_need_no_lp_of_their_own() -> None:
    linkage, truth = two_by_two()
    lower, upper = truth.copy(), truth.copy()
    for var in (5, 6, 7, 8):
        lower[var], upper[var] = 0, np.inf
    attacker = Attacker(linkage, lower, upper)
    attacker.absorb(truth)
    for cells in ([23, 0, 27, 28], [15, 8, 35, 20]):  # two more feasible tables
        other = truth.copy()
        other[[5, 6, 7, 8]] = cells
        attacker.absorb(other)
    assert attacker.exposed([5, 6, 7, 8], 5) == []
    assert attacker.lp_count == 0


def test_numbers_that_cannot_come_from_one_table_are_inconsistent() -> None:
    linkage, truth = two_by_two()
    lower, upper = truth.copy(), truth.copy()
    lower[0] = upper[0] = 500  # a population that no table adds up to
    lower[6], upper[6] = 0, np.inf
    with pytest.raises(Inconsistent):
        Attacker(linkage, lower, upper).exposed([6], 5)
