"""The attacker's equations: how the additive tables of one dataset are linked.

Every additive table counts each patient of the same population exactly once. So for any two
tables A and B whose dimension sets share S, the sums of A's cells over each combination of
S-categories equal the same sums of B's cells; with S empty, both grand sums are equal. The
population count is a table with no dimension, so "every additive table sums to the
population" is the same rule. A category that one table lists and the other does not counts
zero in the other (additive tables cover everybody).

The variables are all cells of all blocks, concatenated in block order (cells in C order);
``Linkage.matrix`` holds one row per equation ``sum(+cells of A) - sum(cells of B) = 0``.
Redundant equations (e.g. disease x sex against disease x province, both already tied to the
disease table) are kept: they cost the solver's presolve nothing worth measuring and keep the
rule simple enough to audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    """One additive table as the attacker sees it: dimension names and category codes."""

    dims: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]  # per dimension, in cell order

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(c) for c in self.categories)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Linkage:
    blocks: tuple[Block, ...]
    offsets: IntArray  # first variable of each block; offsets[-1] = number of variables
    owner: IntArray  # block index of each variable
    local: tuple[IntArray, ...]  # per block: (cells x dims) category index of each cell
    matrix: sp.csr_matrix  # equations x variables, entries +1 / -1

    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    def fibre(self, var: int) -> IntArray:
        """Variables of the same block that differ from ``var`` in exactly one dimension."""
        b = int(self.owner[var])
        idx = self.local[b]
        here = idx[var - self.offsets[b]]
        differ = (idx != here).sum(axis=1) == 1
        return np.asarray(np.flatnonzero(differ) + self.offsets[b], dtype=np.int64)

    def related(self, var: int) -> IntArray:
        """Every variable that shares an equation with ``var`` (``var`` excluded)."""
        rows = self.matrix[:, [var]].nonzero()[0]
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64)
        cols = np.unique(self.matrix[rows].nonzero()[1]).astype(np.int64)
        return np.asarray(cols[cols != var], dtype=np.int64)


def link(blocks: Sequence[Block]) -> Linkage:
    blocks = tuple(blocks)
    sizes = np.array([b.size for b in blocks], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    owner = np.repeat(np.arange(len(blocks), dtype=np.int64), sizes)
    # Global category index of every dimension name: the union over blocks, first seen first.
    codes: dict[str, dict[str, int]] = {}
    for b in blocks:
        for name, cats in zip(b.dims, b.categories, strict=True):
            table = codes.setdefault(name, {})
            for code in cats:
                table.setdefault(code, len(table))
    local: list[IntArray] = []
    coords: list[dict[str, IntArray]] = []  # per block: dim -> global category of each cell
    for b in blocks:
        if b.dims:
            idx = np.indices(b.shape, dtype=np.int64).reshape(len(b.dims), -1).T
        else:  # the population: one cell, no dimension
            idx = np.zeros((1, 0), dtype=np.int64)
        local.append(idx)
        per: dict[str, IntArray] = {}
        for d, (name, cats) in enumerate(zip(b.dims, b.categories, strict=True)):
            to_global = np.array([codes[name][c] for c in cats], dtype=np.int64)
            per[name] = to_global[idx[:, d]] if cats else np.zeros(0, dtype=np.int64)
        coords.append(per)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[NDArray[np.float64]] = []
    n_rows = 0
    for i, a in enumerate(blocks):
        for j in range(i + 1, len(blocks)):
            b = blocks[j]
            shared = sorted(set(a.dims) & set(b.dims))
            if not shared and a.dims and b.dims:
                continue  # both already equal the population block's single cell
            dims_size = [len(codes[name]) for name in shared]
            n_marg = int(np.prod(dims_size, dtype=np.int64))
            for k, sign in ((i, 1.0), (j, -1.0)):
                if shared:
                    marg = np.ravel_multi_index(
                        tuple(coords[k][name] for name in shared), tuple(dims_size)
                    ).astype(np.int64)
                else:
                    marg = np.zeros(int(sizes[k]), dtype=np.int64)
                rows.append(marg + n_rows)
                cols.append(np.arange(offsets[k], offsets[k + 1], dtype=np.int64))
                vals.append(np.full(int(sizes[k]), sign))
            n_rows += n_marg
    if rows:
        r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    else:
        r = c = np.zeros(0, dtype=np.int64)
        v = np.zeros(0)
    matrix = sp.csr_matrix((v, (r, c)), shape=(n_rows, int(offsets[-1])))
    nonempty = np.diff(matrix.indptr) > 0
    matrix = sp.csr_matrix(matrix[np.flatnonzero(nonempty)])
    return Linkage(blocks, offsets, owner, tuple(local), matrix)
