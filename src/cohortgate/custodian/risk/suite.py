"""The re-identification risk report of a row-level table (R28): aggregate figures only.

``risk_report(table, quasi_identifiers, sensitive)`` computes, in one pass over integer codes,
k-anonymity, distinct / entropy / recursive (c,l)-diversity, t-closeness and basic
beta-likeness per sensitive field (``risk_metrics``), sample uniqueness, prosecutor, journalist
and marketer risk (ARX ``RiskModelSampleSummary``, after El Emam's *Guide to the
De-Identification of Personal Health Information*), a population-uniqueness estimate, the
class-size histogram, and for each quasi-identifier the k the table would have without it
(what the gate ranks to say which one to generalise).

Risk definitions, with f the size of a class in the table (the sample), F its size in the
population table (F = f when none is given), n the rows and tau the record-risk threshold:

- prosecutor: highest 1/min f; average (classes)/n; records at risk: sum of f over classes
  with 1/f > tau, over n;
- journalist: highest 1/min F; average max(classes / sum F, (1/n) sum f/F); records at risk:
  sum of f over classes with 1/F > tau, over n;
- marketer: (1/n) sum f/F (= classes/n without a population table).

Population uniqueness: Zayatz (1991) as implemented in ARX (``ModelZayatz``): the chance that a
sample unique is a population unique is ``u_1 h(1) / sum_i u_i h(i)``, u_i the number of
classes of size i and h(i) the hypergeometric probability of drawing exactly one of i records
in a sample of n from N. It needs only the population size (the cohort's registry size), not a
population table, and is defined for every sampling fraction; ARX's Pitman and SNB estimators
(Dankar et al. 2012 decision rule) need Newton iterations and are not implemented yet. With no
population size (the release is the whole population) the estimate is the sample uniques.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cohortgate.custodian.risk import metrics
from cohortgate.custodian.risk.classes import (
    EquivalenceClasses,
    IntArray,
    Table,
    column,
    encode,
    encode_columns,
)
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy

HISTOGRAM_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)  # exact sizes; then 11-20, 21-50, 51-100, >100
_BANDS = ((11, 20), (21, 50), (51, 100), (101, None))


@dataclass(frozen=True)
class AttackerRisk:
    highest: float  # the largest per-record re-identification probability
    average: float  # the expected share of records re-identified
    records_at_risk: float  # share of records whose risk exceeds the threshold


@dataclass(frozen=True)
class SensitiveFigures:
    name: str
    numeric: bool  # ordered (numeric) or equal (categorical) distance for t-closeness
    distinct_values: int
    distinct_l: int
    entropy_l: float
    recursive_l: int
    recursive_c: int | None  # None: some class has fewer than recursive_l distinct values
    t_closeness: float
    basic_beta: float


@dataclass(frozen=True)
class QuasiIdentifierImpact:
    name: str
    k_without: int  # k if this quasi-identifier were dropped (or fully generalised)
    classes_without: int


@dataclass(frozen=True)
class PopulationUniqueness:
    estimator: str
    population_size: int
    sampling_fraction: float
    sample_uniques_unique_in_population: float  # ARX: u_1 * P(population unique | sample unique)
    share_of_records: float  # the same over the release's rows (ARX's population uniqueness risk)
    population_uniques: float  # the same scaled to the whole population (divided by the fraction)


@dataclass(frozen=True)
class SizeBand:
    sizes: str  # "1", "2", ..., "11-20", ">100"
    classes: int
    records: int


@dataclass(frozen=True)
class RiskReport:
    """Aggregate figures only: no row, no value of a quasi-identifier or sensitive field."""

    rows: int
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    classes: int
    k: int
    sample_uniques: int
    sample_uniqueness: float
    record_risk_threshold: float
    prosecutor: AttackerRisk
    journalist: AttackerRisk
    marketer: float
    population_table: bool
    population_uniqueness: PopulationUniqueness
    sensitive_figures: tuple[SensitiveFigures, ...]
    class_sizes: tuple[SizeBand, ...]
    impact: tuple[QuasiIdentifierImpact, ...] = field(default=())

    @property
    def distinct_l(self) -> int | None:
        """The smallest distinct l over the sensitive fields (pycanon's ``gen=True``)."""
        return min((s.distinct_l for s in self.sensitive_figures), default=None)

    @property
    def t_closeness(self) -> float | None:
        return max((s.t_closeness for s in self.sensitive_figures), default=None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Population:
    """Population frequencies for journalist and marketer risk: a table with the same
    quasi-identifier columns, one row per person or, with ``count``, per combination."""

    table: Table
    count: str | None = None


def _check(table: Table, quasi_identifiers: Sequence[str]) -> list[str]:
    names = list(quasi_identifiers)
    if not names:
        raise ValueError("no quasi-identifiers given: the risk is undefined")
    if len(set(names)) != len(names):
        raise ValueError(f"quasi-identifiers named twice: {names}")
    return names


def classes_of(table: Table, quasi_identifiers: Sequence[str]) -> EquivalenceClasses:
    names = _check(table, quasi_identifiers)
    codes, rows = encode_columns(table, names)
    if rows == 0:
        raise ValueError("the table is empty: there is no risk to measure and nothing to release")
    return EquivalenceClasses.of(codes, rows)


def k_anonymity(table: Table, quasi_identifiers: Sequence[str]) -> int:
    return metrics.k_anonymity(classes_of(table, quasi_identifiers))


def distinct_l_diversity(
    table: Table, quasi_identifiers: Sequence[str], sensitive: Sequence[str]
) -> int:
    """pycanon's ``l_diversity`` (gen=True): the smallest over the sensitive fields."""
    classes = classes_of(table, quasi_identifiers)
    return min(
        metrics.distinct_l(classes, classes.sensitive(s, column(table, s))) for s in sensitive
    )


def _histogram(sizes: IntArray) -> tuple[SizeBand, ...]:
    per_size = np.bincount(sizes)
    records = per_size * np.arange(len(per_size))
    bands = []
    for size in HISTOGRAM_SIZES:
        if size < len(per_size) and per_size[size]:
            bands.append(SizeBand(str(size), int(per_size[size]), int(records[size])))
    for low, high in _BANDS:
        hi = len(per_size) if high is None else min(high + 1, len(per_size))
        if low < hi and per_size[low:hi].sum():
            label = f">{low - 1}" if high is None else f"{low}-{high}"
            bands.append(SizeBand(label, int(per_size[low:hi].sum()), int(records[low:hi].sum())))
    return tuple(bands)


def _risks(f: IntArray, big_f: IntArray, rows: int, tau: float) -> tuple[AttackerRisk, ...]:
    prosecutor = AttackerRisk(
        highest=1.0 / int(f.min()),
        average=len(f) / rows,
        records_at_risk=int(f[1.0 / f > tau].sum()) / rows,
    )
    marketer = float((f / big_f).sum()) / rows
    journalist = AttackerRisk(
        highest=1.0 / int(big_f.min()),
        average=max(len(f) / int(big_f.sum()), marketer),
        records_at_risk=int(f[1.0 / big_f > tau].sum()) / rows,
    )
    return prosecutor, journalist, AttackerRisk(marketer, marketer, 0.0)


def _population_sizes(
    table: Table, names: list[str], population: Population, rows: int
) -> tuple[IntArray, IntArray]:
    """(f, F) for the classes present in the sample, coded jointly with the population."""
    pop_rows = len(column(population.table, names[0]))
    codes = []
    for name in names:
        joint = np.concatenate([column(table, name), column(population.table, name)])
        codes.append(encode(joint))
    both = EquivalenceClasses.of(codes, rows + pop_rows)
    weights = (
        np.ones(pop_rows)
        if population.count is None
        else np.asarray(column(population.table, population.count), dtype=np.float64)
    )
    f = np.bincount(both.ids[:rows], minlength=both.count)
    big_f = np.rint(np.bincount(both.ids[rows:], weights=weights, minlength=both.count))
    present = f > 0
    f, big_f = f[present], big_f[present].astype(np.int64)
    if (big_f < f).any():
        raise ValueError(
            "the population table has fewer people than the release in some class: "
            "it cannot be the release's population"
        )
    return f.astype(np.int64), big_f


def zayatz(sizes: IntArray, population_size: int | None) -> PopulationUniqueness:
    """Zayatz's estimate of the records that are unique in the population (see module doc)."""
    rows = int(sizes.sum())
    per_size = np.bincount(sizes)
    uniques = int(per_size[1]) if len(per_size) > 1 else 0
    if population_size is None or population_size == rows or uniques == 0:
        n_pop = rows if population_size is None else population_size
        fraction = rows / n_pop
        return PopulationUniqueness(
            "zayatz", n_pop, fraction, float(uniques), uniques / rows, uniques / fraction
        )
    if population_size < rows:
        raise ValueError(f"population size {population_size} is smaller than the {rows} rows")
    from scipy.special import logsumexp
    from scipy.stats import hypergeom

    present = np.nonzero(per_size)[0]
    # in logs: for a tiny sampling fraction every h(i) underflows to 0 in floating point
    log_weight = np.log(per_size[present]) + hypergeom.logpmf(1, population_size, present, rows)
    share = float(np.exp(log_weight[0] - logsumexp(log_weight)))
    estimate = uniques * share
    fraction = rows / population_size
    return PopulationUniqueness(
        "zayatz", population_size, fraction, estimate, estimate / rows, estimate / fraction
    )


def risk_report(
    table: Table,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str] = (),
    *,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    population: Population | None = None,
    population_size: int | None = None,
    impact: bool = True,
) -> RiskReport:
    """Every figure of the gate for ``table`` (see the module doc). ``population_size`` is the
    number of people the release was drawn from (for the uniqueness estimate); ``impact``
    computes k without each quasi-identifier (one extra grouping per quasi-identifier)."""
    names = _check(table, quasi_identifiers)
    overlap = set(names) & set(sensitive)
    if overlap:
        raise ValueError(f"{sorted(overlap)} named both quasi-identifier and sensitive")
    codes, rows = encode_columns(table, names)
    if rows == 0:
        raise ValueError("the table is empty: there is no risk to measure and nothing to release")
    classes = EquivalenceClasses.of(codes, rows)
    if population is None:
        f, big_f = classes.sizes, classes.sizes
    else:
        f, big_f = _population_sizes(table, names, population, rows)
    prosecutor, journalist, marketer = _risks(f, big_f, rows, policy.record_risk_threshold)
    figures = []
    for name in sensitive:
        values = column(table, name)
        if len(values) != rows:
            raise ValueError(f"column {name!r} has {len(values)} rows, the others {rows}")
        counts = classes.sensitive(name, values)
        figures.append(
            SensitiveFigures(
                name=name,
                numeric=counts.numeric,
                distinct_values=counts.levels,
                distinct_l=metrics.distinct_l(classes, counts),
                entropy_l=metrics.entropy_l(classes, counts),
                recursive_l=policy.recursive_l,
                recursive_c=metrics.recursive_c(classes, counts, policy.recursive_l),
                t_closeness=metrics.t_closeness(classes, counts),
                basic_beta=metrics.basic_beta(classes, counts),
            )
        )
    impacts = []
    if impact:
        for i, name in enumerate(names):
            rest = EquivalenceClasses.of(codes[:i] + codes[i + 1 :], rows)
            impacts.append(QuasiIdentifierImpact(name, int(rest.sizes.min()), rest.count))
    uniques = int((classes.sizes == 1).sum())
    return RiskReport(
        rows=rows,
        quasi_identifiers=tuple(names),
        sensitive=tuple(sensitive),
        classes=classes.count,
        k=metrics.k_anonymity(classes),
        sample_uniques=uniques,
        sample_uniqueness=uniques / rows,
        record_risk_threshold=policy.record_risk_threshold,
        prosecutor=prosecutor,
        journalist=journalist,
        marketer=marketer.average,
        population_table=population is not None,
        population_uniqueness=zayatz(classes.sizes, population_size),
        sensitive_figures=tuple(figures),
        class_sizes=_histogram(classes.sizes),
        impact=tuple(impacts),
    )
