"""Re-identification and attribute-disclosure figures from equivalence classes (R28).

Definitions follow pycanon 1.3.6 (``pycanon.anonymity``) and ARX (``org.deidentifier.arx``):

- k-anonymity: the size of the smallest class.
- distinct l-diversity: the fewest distinct sensitive values in a class.
- entropy l-diversity: exp of the smallest class entropy ``-sum p log p``, as a float. pycanon
  returns ``int(exp(H))``; a class with exactly two equally frequent values can come out as
  1.9999999999999996 in floating point, so compare floors with a tolerance.
- recursive (c,l)-diversity: for the given l, the smallest integer c such that every class
  satisfies ``r_1 < c (r_l + ... + r_m)`` with ``r_1 >= r_2 >= ...`` its value counts
  (Machanavajjhala et al. 2007; ARX ``RecursiveCLDiversity``), i.e. ``max floor(r_1 / tail) + 1``.
  pycanon sorts the counts ascending before applying the same formula (``r_1`` becomes the
  *least* frequent value), which is not the published definition; ``descending=False``
  reproduces pycanon for the differential test only.
- t-closeness: the largest earth mover's distance between a class's and the table's sensitive
  distribution: ordered distance over the sorted distinct values for numeric attributes,
  equal distance (half the L1 distance) otherwise. A numeric attribute with one value has t = 0
  (pycanon divides by zero there).
- basic beta-likeness: the largest relative gain ``(q - p) / p`` of a value's share in a class
  over its share in the table.
"""

from __future__ import annotations

import numpy as np

from cohortgate.custodian.risk.classes import (
    EquivalenceClasses,
    FloatArray,
    IntArray,
    SensitiveCounts,
)


def k_anonymity(classes: EquivalenceClasses) -> int:
    return int(classes.sizes.min())


def distinct_per_class(counts: SensitiveCounts, n_classes: int) -> IntArray:
    return np.bincount(counts.pair_class, minlength=n_classes).astype(np.int64, copy=False)


def distinct_l(classes: EquivalenceClasses, counts: SensitiveCounts) -> int:
    return int(distinct_per_class(counts, classes.count).min())


def entropy_l(classes: EquivalenceClasses, counts: SensitiveCounts) -> float:
    # H = log f - (1/f) sum c log c, per class (c: value counts, f: class size)
    c = counts.pair_count.astype(np.float64)
    clogc = np.bincount(counts.pair_class, weights=c * np.log(c), minlength=classes.count)
    f = classes.sizes.astype(np.float64)
    entropy = np.log(f) - clogc / f
    return float(np.exp(max(float(entropy.min()), 0.0)))


def recursive_c(
    classes: EquivalenceClasses, counts: SensitiveCounts, ell: int, descending: bool = True
) -> int | None:
    """The smallest c for which recursive (c, l)-diversity holds for ``ell`` = l, or None
    when a class has fewer than l distinct values (no c will do)."""
    if ell < 2:
        raise ValueError("recursive (c,l)-diversity needs l >= 2")
    distinct = distinct_per_class(counts, classes.count)
    if int(distinct.min()) < ell:
        return None
    sign = -1 if descending else 1
    order = np.lexsort((sign * counts.pair_count, counts.pair_class))
    cls = counts.pair_class[order]
    cnt = counts.pair_count[order]
    starts = np.searchsorted(cls, np.arange(classes.count))
    rank = np.arange(len(cls)) - starts[cls]
    first = cnt[starts]
    tail = np.bincount(cls[rank >= ell - 1], weights=cnt[rank >= ell - 1], minlength=classes.count)
    return int(np.max(np.floor(first / tail) + 1))


def _shares(classes: EquivalenceClasses, counts: SensitiveCounts) -> tuple[FloatArray, FloatArray]:
    q = counts.pair_count / classes.sizes[counts.pair_class]
    p = counts.global_count / classes.rows
    return q, p[counts.pair_value]


def t_closeness(classes: EquivalenceClasses, counts: SensitiveCounts) -> float:
    if counts.numeric:
        return float(_ordered_emd(classes, counts).max())
    q, p = _shares(classes, counts)
    # 0.5 * (sum over present values |q - p| + sum over absent values p)
    present = np.bincount(counts.pair_class, weights=np.abs(q - p), minlength=classes.count)
    p_present = np.bincount(counts.pair_class, weights=p, minlength=classes.count)
    return float((0.5 * (present + 1.0 - p_present)).max())


def _ordered_emd(classes: EquivalenceClasses, counts: SensitiveCounts) -> FloatArray:
    """Per class: 1/(m-1) * sum_i |Q_i - P_i| over the m sorted values, Q and P the class's and
    the table's cumulative shares. Q is constant between the values a class holds, so each
    stretch is summed in O(log m) from prefix sums of P (P is non-decreasing)."""
    m = counts.levels
    if m == 1:
        return np.zeros(classes.count)
    cdf = np.cumsum(counts.global_count) / classes.rows
    prefix = np.concatenate(([0.0], np.cumsum(cdf)))  # prefix[j] = sum of cdf[:j]
    cls, val = counts.pair_class, counts.pair_value
    starts = np.searchsorted(cls, np.arange(classes.count))
    running = np.cumsum(counts.pair_count)
    before = np.concatenate(([0], running))[starts][cls]
    level = (running - before) / classes.sizes[cls]  # Q on [val, next value of the class)
    nxt = np.empty_like(val)
    nxt[:-1] = val[1:]
    last = np.ones(len(val), dtype=bool)
    last[:-1] = cls[1:] != cls[:-1]
    nxt[last] = m
    split = np.clip(np.searchsorted(cdf, level, side="right"), val, nxt)
    stretch = (
        level * (split - val)
        - (prefix[split] - prefix[val])
        + (prefix[nxt] - prefix[split])
        - level * (nxt - split)
    )
    total = np.bincount(cls, weights=stretch, minlength=classes.count)
    total += prefix[val[starts]]  # before a class's first value Q = 0, so |Q - P| = P
    return total / (m - 1)


def basic_beta(classes: EquivalenceClasses, counts: SensitiveCounts) -> float:
    q, p = _shares(classes, counts)
    return float(((q - p) / p).max())
