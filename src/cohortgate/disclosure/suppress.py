"""Disclosure control: true counts in, publishable statistics out.

The rule, in order (the numbers come from ``cohortgate.policy``):

1. **Small population.** A dataset whose population is small publishes its population as null
   and no table: every table would describe at most ``threshold`` patients.
2. **Primary suppression.** A true count ``c`` with ``policy.is_small(c)`` is suppressed.
3. **Differencing.** A cell whose published value would differ from the previous published
   version by certainly ``1..threshold`` patients (``disclosure.differencing``) is suppressed
   as well, so that comparing versions never isolates a small group.
4. **Rounding.** Every other count is published as ``policy.round(c)``.
5. **Secondary suppression** over the linked additive tables (``disclosure.linkage``), so that
   no suppressed cell can be narrowed to less than ``policy.protection_width``:

   a. structural pre-pass: an equation with exactly one suppressed cell lets the attacker
      subtract; when the published terms (with their rounding intervals) pin that cell to
      less than the protection width, the smallest non-zero published cell of that equation
      (same table first) is suppressed too, until no equation is exposed this way;
   b. the attacker's LP (``disclosure.attack``) for every suppressed cell; the first exposed
      cell gets one complement: the smallest non-zero published cell of its table that
      differs from it in one dimension (its row or column), else of the equations it is in,
      else of the equations of the suppressed cells linked to it (breadth first), else the
      population; repeat until every suppressed cell is protected.

   This always ends (each step suppresses one more cell; a fully suppressed system is
   unbounded) and is deterministic: cells are examined in order, complements after them, and
   exposure is decided by exact LPs, whatever feasible tables the solver happened to return.
6. **Totals** of each table are the sums of its published values, never of true counts.

Non-additive tables (genes, phenotypes: a patient may count in several cells) are not linked
by equations; they get steps 2-4 only, and a top list leaves out its small categories
altogether (listing a rare gene as "suppressed" would say that somebody has it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from cohortgate.disclosure.attack import EPS, Attacker, published_bounds
from cohortgate.disclosure.differencing import certainly_small_change, previous_values
from cohortgate.disclosure.linkage import Block, Linkage, link
from cohortgate.disclosure.tables import CountTable
from cohortgate.models.stats import (
    Cell,
    DatasetStats,
    Dimension,
    DisclosureSummary,
    StatTable,
)
from cohortgate.policy import DisclosurePolicy

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def small(policy: DisclosurePolicy, counts: IntArray) -> BoolArray:
    """``policy.is_small`` over an array."""
    positive = (counts > 0) & (counts <= policy.threshold)
    return np.asarray(positive | ((counts == 0) & policy.zeros_sensitive))


def rounded(policy: DisclosurePolicy, counts: IntArray) -> IntArray:
    """``policy.round`` over an array."""
    base = policy.rounding
    if base <= 1:
        return counts.copy()
    return np.asarray(((counts + base // 2) // base) * base, dtype=np.int64)


def summary(policy: DisclosurePolicy) -> DisclosureSummary:
    return DisclosureSummary(
        preset=policy.name,
        threshold=policy.threshold,
        rounding=policy.rounding,
        zeros_sensitive=policy.zeros_sensitive,
        protection_width=policy.protection_width,
    )


def disclose(
    dataset: str,
    population: int,
    tables: Sequence[CountTable],
    policy: DisclosurePolicy,
    previous: DatasetStats | None = None,
    *,
    secondary: bool = True,
) -> DatasetStats:
    """The publishable statistics of one dataset (see the module docstring for the rule).

    ``secondary=False`` stops after rounding: the naive output that the audit rejects whenever
    a suppressed cell can be subtracted back (tests and demonstrations only).
    """
    if policy.is_small(population):
        return DatasetStats(dataset=dataset, policy=summary(policy), population=None, tables=[])
    before = previous_values(previous) if previous else {}
    additive = [t for t in tables if t.additive]
    blocks = [Block((), ())] + [
        Block(tuple(d.name for d in t.dimensions), tuple(_codes(d) for d in t.dimensions))
        for t in additive
    ]
    linkage = link(blocks)
    truth = np.concatenate(
        [np.array([population], dtype=np.int64)] + [t.counts.ravel() for t in additive]
    )
    if linkage.matrix.shape[0] and np.any(linkage.matrix @ truth.astype(np.float64) != 0):
        raise ValueError(f"{dataset}: the additive tables do not all sum to the population")
    keys: list[tuple[str, tuple[str, ...]]] = [("", ())]
    for t in additive:
        keys += [(t.id, k) for k in t.cell_keys()]
    published = rounded(policy, truth)
    suppressed = small(policy, truth) | _changed(policy, keys, published, before)
    lower, upper = published_bounds(policy, published)
    lower[suppressed], upper[suppressed] = 0.0, np.inf
    attacker = Attacker(linkage, lower, upper)
    attacker.absorb(truth.astype(np.float64))
    if secondary:
        _structural(linkage, attacker, suppressed, truth, policy.protection_width)
        _secondary(linkage, attacker, suppressed, truth, policy.protection_width)

    out: list[StatTable] = []
    offsets = linkage.offsets
    for b, t in enumerate(additive, start=1):
        values = published[offsets[b] : offsets[b + 1]]
        hidden = suppressed[offsets[b] : offsets[b + 1]]
        out.append(_table(t, list(t.dimensions), t.cell_keys(), values, hidden))
    for t in tables:
        if not t.additive:
            table = _non_additive(t, policy, before)
            if table:
                out.append(table)
    order = {t.id: i for i, t in enumerate(tables)}
    out.sort(key=lambda s: order[s.id])
    return DatasetStats(
        dataset=dataset,
        policy=summary(policy),
        population=None if suppressed[0] else int(published[0]),
        tables=out,
    )


def _codes(dimension: Dimension) -> tuple[str, ...]:
    return tuple(c.code for c in dimension.categories)


def _changed(
    policy: DisclosurePolicy,
    keys: Sequence[tuple[str, tuple[str, ...]]],
    published: IntArray,
    before: dict[tuple[str, tuple[str, ...]], int | None],
) -> BoolArray:
    """Cells whose change since the previous version would isolate a small group."""
    out = np.zeros(len(keys), dtype=np.bool_)
    if not before:
        return out
    index = [i for i, key in enumerate(keys) if before.get(key) is not None]
    if not index:
        return out
    old = np.array([before[keys[i]] for i in index], dtype=np.int64)
    old_low, old_high = published_bounds(policy, old)
    new_low, new_high = published_bounds(policy, published[index])
    out[index] = certainly_small_change(policy, old_low, old_high, new_low, new_high)
    return out


def _structural(
    linkage: Linkage, attacker: Attacker, suppressed: BoolArray, truth: IntArray, width: int
) -> None:
    """Step 5a: no equation may give away its only suppressed cell by subtraction."""
    a = linkage.matrix
    magnitude = abs(a)
    while True:
        count = magnitude @ suppressed.astype(np.float64)
        rows = np.flatnonzero(count == 1)
        if rows.size == 0:
            return
        sub = a[rows]
        known = ~suppressed
        low = np.where(known, attacker.lower, 0.0)
        high = np.where(known, attacker.upper, 0.0)
        plus, minus = sub.maximum(0), (-sub).maximum(0)
        sum_low = plus @ low - minus @ high  # range of the published terms of each equation
        sum_high = plus @ high - minus @ low
        single = sub.multiply(suppressed.astype(np.float64)).tocsr()
        single.eliminate_zeros()
        var = single.indices.astype(np.int64)  # exactly one entry per row
        sign = single.data
        cell_low = np.maximum(np.ceil(np.where(sign > 0, -sum_high, sum_low) - EPS), 0)
        cell_high = np.floor(np.where(sign > 0, -sum_low, sum_high) + EPS)
        exposed = cell_high - cell_low < width
        changed = False
        for row, k in zip(rows[exposed].tolist(), var[exposed].tolist(), strict=True):
            terms = a.indices[a.indptr[row] : a.indptr[row + 1]].astype(np.int64)
            if int(suppressed[terms].sum()) != 1:
                continue  # an earlier complement already covers this equation
            j = _pick(linkage, terms, k, suppressed, truth, same_block_first=True)
            if j is not None:
                suppressed[j] = True
                attacker.release(j)
                changed = True
        if not changed:
            return


def _secondary(
    linkage: Linkage, attacker: Attacker, suppressed: BoolArray, truth: IntArray, width: int
) -> None:
    """Step 5b: complements until the attacker's LP cannot narrow any suppressed cell.

    One pass over the suppressed cells in order, complements joining the end of the queue: a
    cell found protected stays protected, because every later suppression only widens what
    the attacker must consider.
    """
    queue = np.flatnonzero(suppressed).tolist()
    attacker.prove(queue, width)
    at = 0
    while at < len(queue):
        k = queue[at]
        if attacker.exposure(k, width) is None:
            at += 1
            continue
        j = _complement(linkage, k, suppressed, truth)
        if j is None:
            j = 0 if not suppressed[0] else None  # the population, as a last resort
        if j is None:
            raise RuntimeError(f"cannot protect suppressed cell {k}: nothing left to suppress")
        suppressed[j] = True
        attacker.release(j)
        queue.append(j)


def _complement(linkage: Linkage, k: int, suppressed: BoolArray, truth: IntArray) -> int | None:
    """Where to look for the complement of an exposed cell ``k``, nearest first.

    Its own row and column (the same table), then the cells that share an equation with it,
    then those that share an equation with the suppressed cells found so far, and so on: the
    attacker reaches ``k`` through the equations of the suppressed cells around it (e.g. a
    one-row ``disease x province`` table repeats the province table and must be suppressed
    alike).
    """
    j = _pick(linkage, linkage.fibre(k), k, suppressed, truth)
    seen = {k}
    frontier = [k]
    while j is None and frontier:
        near = np.unique(np.concatenate([linkage.related(v) for v in frontier]))
        near = near[~np.isin(near, np.fromiter(seen, dtype=np.int64))]
        j = _pick(linkage, near, k, suppressed, truth)
        seen.update(near.tolist())
        frontier = [v for v in near.tolist() if suppressed[v]]
    return j


def _pick(
    linkage: Linkage,
    candidates: IntArray,
    k: int,
    suppressed: BoolArray,
    truth: IntArray,
    *,
    same_block_first: bool = False,
) -> int | None:
    """The complement for cell ``k`` among ``candidates``: published, non-zero, smallest.

    A published zero is exactly zero, the population is the headline number and the cell of a
    one-cell table equals the population, so none of them is taken here; ties go to the same
    table as ``k``, then to the lower cell index.
    """
    sizes = np.diff(linkage.offsets)[linkage.owner[candidates]]
    c = candidates[(candidates != k) & (sizes > 1)]
    c = c[~suppressed[c] & (truth[c] > 0)]
    if c.size == 0:
        return None
    other_block = (linkage.owner[c] != linkage.owner[k]).astype(np.int64)
    if not same_block_first:
        other_block = np.zeros_like(other_block)
    best = np.lexsort((c, truth[c], other_block))[0]
    return int(c[best])


def _table(
    t: CountTable,
    dimensions: list[Dimension],
    keys: Sequence[tuple[str, ...]],
    values: IntArray,
    hidden: BoolArray,
) -> StatTable:
    cells = [
        Cell(key=list(key), value=None if h else int(v), suppressed=bool(h))
        for key, v, h in zip(keys, values.tolist(), hidden.tolist(), strict=True)
    ]
    total = int(values[~hidden].sum())
    return StatTable(
        id=t.id,
        title=t.title,
        dimensions=dimensions,
        additive=t.additive,
        cells=cells,
        total=total,
    )


def _non_additive(
    t: CountTable,
    policy: DisclosurePolicy,
    before: dict[tuple[str, tuple[str, ...]], int | None],
) -> StatTable | None:
    truth = t.counts.ravel()
    keys = t.cell_keys()
    published = rounded(policy, truth)
    hidden = small(policy, truth) | _changed(policy, [(t.id, k) for k in keys], published, before)
    if t.top is None:
        return _table(t, list(t.dimensions), keys, published, hidden)
    shown = sorted(np.flatnonzero(~hidden).tolist(), key=lambda i: (-published[i], keys[i]))
    shown = shown[: t.top]
    if not shown:
        return None
    categories = t.dimensions[0].categories
    dimension = t.dimensions[0].model_copy(update={"categories": [categories[i] for i in shown]})
    return _table(
        t, [dimension], [keys[i] for i in shown], published[shown], np.zeros(len(shown), bool)
    )
