"""True counts of a statistics table: custodian-side input of disclosure control.

A ``CountTable`` holds the exact counts over the full product of its dimensions' categories (a
combination that nobody has is a zero, never a missing cell), as an n-dimensional integer array
whose C order is the order of the published cells. It is never written anywhere: only
``cohortgate.disclosure.suppress`` turns it into published numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cohortgate.models.common import Text
from cohortgate.models.stats import Dimension

Counts = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class CountTable:
    id: str
    title: Text
    dimensions: tuple[Dimension, ...]
    # True when each patient of the population is counted in exactly one cell: the table's
    # cells sum to the population and it is linked to every other additive table through
    # their shared dimensions (the attacker's equations, see ``disclosure.linkage``).
    additive: bool
    counts: Counts  # shape: one axis per dimension, in category order
    # For a non-additive one-dimensional table: publish only the ``top`` categories with the
    # largest published values (ties by code); categories whose count is small are left out.
    top: int | None = None

    def __post_init__(self) -> None:
        if self.counts.shape != self.shape:
            raise ValueError(f"table {self.id}: counts {self.counts.shape} != {self.shape}")
        if self.top is not None and (self.additive or len(self.dimensions) != 1):
            raise ValueError(f"table {self.id}: only a 1-D non-additive table can be a top list")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d.categories) for d in self.dimensions)

    def cell_keys(self) -> list[tuple[str, ...]]:
        """Cell keys (one category code per dimension) in C order."""
        codes = [[c.code for c in d.categories] for d in self.dimensions]
        return list(itertools.product(*codes))

    @classmethod
    def from_rows(
        cls,
        id: str,
        title: Text,
        dimensions: Sequence[Dimension],
        additive: bool,
        rows: Iterable[tuple[tuple[str, ...], int]],
        top: int | None = None,
    ) -> CountTable:
        """A table from ``(key, count)`` rows; keys absent from the rows count zero.

        A key with a code that is not one of the dimension's categories is an error: the
        caller decides the categories (usually a fixed, public list), so that the set of
        categories never depends on the data.
        """
        index = [{c.code: i for i, c in enumerate(d.categories)} for d in dimensions]
        counts = np.zeros(tuple(len(d.categories) for d in dimensions), dtype=np.int64)
        for key, count in rows:
            if len(key) != len(index):
                raise ValueError(f"table {id}: key {key!r} has {len(key)} parts")
            try:
                position = tuple(index[i][code] for i, code in enumerate(key))
            except KeyError as exc:
                raise ValueError(f"table {id}: {exc.args[0]!r} is not a category") from None
            counts[position] += int(count)
        return cls(id, title, tuple(dimensions), additive, counts, top)
