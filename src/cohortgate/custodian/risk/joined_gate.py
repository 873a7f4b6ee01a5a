"""The joined gate (R28): the per-person view a recipient can join (``risk.joined``), judged on
every combination of up to ``policy.joined_max_qis`` of its quasi-identifiers and on the full
set, against the release policy (``risk.policy``).

A combination meets the policy when its smallest class has at least ``k_min`` persons, its
average prosecutor risk (classes / persons) is at most ``average_prosecutor_max`` and, if the
policy caps it, its share of sample uniques is within ``sample_uniqueness_max``. The full set
goes through the whole risk suite (``suite.risk_report``); it is enforced with the same gate as
a table (``gate.gate``) when ``policy.joined_full_set`` says so, reported otherwise.

Each combination is grouped once over the integer codes of the view: a mixed-radix key counted
with ``bincount`` when the key space is small, hashed (``factorize_keys``) otherwise; and only
over the persons who are not alone in the class of the combination's most selective member (a
person alone on one quasi-identifier is alone on every combination that holds it). For the
de-identification that follows (``custodian.deid.longitudinal``) ``assess`` also marks, on the
custodian's side only, the persons that hold a combination below the policy: those in classes
smaller than ``k_min``, and those in the smallest classes beyond the number of classes the
prosecutor limit allows. The report itself holds aggregates only.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.risk import codes
from cohortgate.custodian.risk.classes import IntArray, factorize_keys
from cohortgate.custodian.risk.gate import gate
from cohortgate.custodian.risk.joined import JoinedView
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.custodian.risk.suite import RiskReport, risk_report
from cohortgate.findings import Finding

BoolArray = npt.NDArray[np.bool_]
_KEY_LIMIT = 1 << 62
_SORT_BELOW = 20_000  # persons; above, keys are hashed
WORST = 5  # combinations named in the manifest summary


@dataclass(frozen=True)
class Combination:
    quasi_identifiers: tuple[str, ...]
    classes: int
    k: int
    sample_uniques: int
    records_at_risk: int  # persons in classes smaller than k_min
    average_prosecutor: float
    passes: bool


@dataclass(frozen=True)
class JoinedReport:
    """Aggregate figures only: per combination, and the full set's risk report."""

    persons: int
    quasi_identifiers: tuple[str, ...]
    timing: tuple[str, ...]  # the quasi-identifiers that carry event times
    max_size: int
    k_min: int
    average_prosecutor_max: float
    combinations: tuple[Combination, ...]
    full: RiskReport | None  # the whole suite on the full set (None: not computed)
    full_enforced: bool
    full_passes: bool

    @property
    def failing(self) -> tuple[Combination, ...]:
        return tuple(c for c in self.combinations if not c.passes)

    @property
    def passes(self) -> bool:
        return not self.failing and (self.full_passes or not self.full_enforced)

    def worst(self, count: int = WORST) -> list[Combination]:
        """The riskiest combinations: fewest persons in the smallest class, then most uniques,
        then highest average risk."""
        ranked = sorted(
            self.combinations,
            key=lambda c: (c.passes, c.k, -c.sample_uniques, -c.average_prosecutor),
        )
        return ranked[:count]

    def blame(self) -> list[tuple[str, int]]:
        """Quasi-identifiers by the number of failing combinations they are part of."""
        counts = Counter(q for c in self.failing for q in c.quasi_identifiers)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def summary(self) -> dict[str, Any]:
        """The figures for the release manifest (bounded: no row, no value)."""
        every = self.combinations
        return {
            "persons": self.persons,
            "quasi_identifiers": list(self.quasi_identifiers),
            "max_size": self.max_size,
            "combinations": len(every),
            "failing": len(self.failing),
            "k": min((c.k for c in every), default=self.persons),
            "sample_uniques": max((c.sample_uniques for c in every), default=0),
            "average_prosecutor": max((c.average_prosecutor for c in every), default=0.0),
            "worst": [
                {
                    "quasi_identifiers": " + ".join(c.quasi_identifiers),
                    "k": c.k,
                    "sample_uniques": c.sample_uniques,
                    "average_prosecutor": round(c.average_prosecutor, 6),
                }
                for c in self.worst()
            ],
            "full_set": {
                "k": None if self.full is None else self.full.k,
                "classes": None if self.full is None else self.full.classes,
                "sample_uniques": None if self.full is None else self.full.sample_uniques,
                "average_prosecutor": (
                    None if self.full is None else round(self.full.prosecutor.average, 6)
                ),
                "enforced": self.full_enforced,
                "passes": self.full_passes,
            },
            "passes": self.passes,
        }


@dataclass(frozen=True)
class Assessment:
    """The report, and per person (custodian side only) whether they hold a combination below
    the policy: one that carries event times, or one that does not."""

    report: JoinedReport
    at_risk_timing: BoolArray
    at_risk_other: BoolArray
    # persons at risk summed over the failing combinations: the search's graded measure
    # (one combination such as the whole visit sequence can hold nearly everyone at risk)
    risk_mass: int = 0
    persons: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, dtype=object))
    codes: dict[str, tuple[IntArray, int]] = field(default_factory=dict, repr=False)
    memo: dict[tuple[str, ...], tuple[Combination, IntArray | None]] = field(
        default_factory=dict, repr=False
    )

    @property
    def at_risk(self) -> BoolArray:
        return np.asarray(self.at_risk_timing | self.at_risk_other)


def combinations_of(names: Sequence[str], max_size: int) -> list[tuple[str, ...]]:
    size = min(max_size, len(names))
    return [c for r in range(1, size + 1) for c in itertools.combinations(names, r)]


def _group(parts: list[tuple[IntArray, int]], n: int) -> tuple[IntArray, IntArray]:
    """Per person a class key, and the persons per key (zero for unused keys)."""
    key, card = parts[0]
    for codes_, m in parts[1:]:
        if card * m >= _KEY_LIMIT:
            key, card = factorize_keys(key)
        key = key * m + codes_
        card *= m
    if card > 4 * n + 4096:
        if n > _SORT_BELOW:
            key, card = factorize_keys(key)
        else:  # a sort of a few thousand keys costs less than a hash table's set-up
            uniq, inverse = np.unique(key, return_inverse=True)
            key, card = inverse.reshape(-1).astype(np.int64), len(uniq)
    return key, np.bincount(key, minlength=card)


def _flag(counts: IntArray, k_min: int, allowed: int, alone: int = 0) -> BoolArray:
    """Per key: its persons hold the combination below the policy (module doc): the classes
    smaller than ``k_min`` and, beyond ``allowed`` classes, the smallest ones. ``alone``
    persons outside ``counts`` are classes of one each (the smallest, already counted)."""
    present = np.flatnonzero(counts)
    sizes = counts[present]
    order = np.argsort(sizes, kind="stable")
    small = int((sizes < k_min).sum()) + alone
    flagged = max(small, len(present) + alone - allowed) - alone
    flag = np.zeros(len(counts), dtype=np.bool_)
    flag[present[order[: max(flagged, 0)]]] = True
    return flag


def _rest(view: JoinedView, name: str, cache: dict[str, IntArray]) -> IntArray:
    """The persons not alone in their class of ``name`` (a person alone there is alone in
    every combination that holds it: only the others need grouping)."""
    if name not in cache:
        codes_, m = view.codes[name]
        cache[name] = np.flatnonzero(np.bincount(codes_, minlength=m)[codes_] > 1)
    return cache[name]


def _evaluate(
    view: JoinedView,
    combo: tuple[str, ...],
    policy: RiskPolicy,
    allowed: int,
    persons: bool,
    cache: dict[str, IntArray],
) -> tuple[Combination, IntArray | None]:
    """One combination's figures and, when it fails and ``persons``, its persons at risk."""
    n = view.size
    rows = min((_rest(view, q, cache) for q in combo), key=len)
    alone = n - len(rows) if policy.k_min > 1 else 0
    if alone:
        key, counts = _group([(view.codes[q][0][rows], view.codes[q][1]) for q in combo], n)
    else:
        key, counts = _group([view.codes[q] for q in combo], n)
    sizes = counts[counts > 0]
    classes = len(sizes) + alone
    uniques = int((sizes == 1).sum()) + alone
    limit = policy.sample_uniqueness_max
    k = 1 if alone else int(sizes.min())
    figures = Combination(
        quasi_identifiers=combo,
        classes=classes,
        k=k,
        sample_uniques=uniques,
        records_at_risk=int(sizes[sizes < policy.k_min].sum()) + alone,
        average_prosecutor=classes / n,
        passes=bool(
            k >= policy.k_min
            and classes / n <= policy.average_prosecutor_max
            and (limit is None or uniques / n <= limit)
        ),
    )
    if not persons or figures.passes:
        return figures, None
    flagged = _flag(counts, policy.k_min, allowed, alone)[key]
    if not alone:
        return figures, np.flatnonzero(flagged)
    lonely = np.ones(n, dtype=np.bool_)
    lonely[rows] = False
    return figures, np.sort(np.concatenate([np.flatnonzero(lonely), rows[flagged]]))


def _unchanged(view: JoinedView, before: Assessment | None) -> set[str]:
    """The quasi-identifiers whose codes equal those of the view ``before`` was made of."""
    if before is None or not np.array_equal(before.persons, view.persons):
        return set()
    return {
        q
        for q, (codes_, m) in view.codes.items()
        if q in before.codes
        and before.codes[q][1] == m
        and np.array_equal(before.codes[q][0], codes_)
    }


def assess(
    view: JoinedView,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    *,
    persons: bool = True,
    max_size: int | None = None,
    full: bool = True,
    before: Assessment | None = None,
) -> Assessment:
    """Every combination of up to ``max_size`` (default: the policy's) quasi-identifiers of
    ``view`` and the full set (module doc); ``persons`` also marks the persons at risk.
    Without ``full`` the full set is not put through the whole suite (its k and risk are
    still checked when enforced); ``before``, an assessment of a view of the same persons,
    lends its results for the combinations whose codes did not change."""
    n = view.size
    if n == 0:
        raise ValueError("the joined view is empty: there is no risk to measure")
    size = policy.joined_max_qis if max_size is None else max_size
    names = view.names
    allowed = max(1, int(np.floor(policy.average_prosecutor_max * n + 1e-9)))
    same = _unchanged(view, before) if persons else set()
    timing_risk = np.zeros(n, dtype=np.bool_)
    other_risk = np.zeros(n, dtype=np.bool_)
    found, memo, mass = [], {}, 0
    rests: dict[str, IntArray] = {}
    chosen = combinations_of(names, size)
    if policy.joined_full_set and tuple(names) not in chosen:
        chosen.append(tuple(names))
    for combo in chosen:
        if before is not None and same.issuperset(combo) and combo in before.memo:
            memo[combo] = before.memo[combo]
        else:
            memo[combo] = _evaluate(view, combo, policy, allowed, persons, rests)
        figures, marked = memo[combo]
        if len(combo) <= size:
            found.append(figures)
        if marked is not None:
            mass += len(marked)
            (timing_risk if view.timing.intersection(combo) else other_risk)[marked] = True
    suite = risk_report(view.table(), names, policy=policy, impact=True) if full else None
    full_combo = memo.get(tuple(names))
    report = JoinedReport(
        persons=n,
        quasi_identifiers=tuple(names),
        timing=tuple(q for q in names if q in view.timing),
        max_size=size,
        k_min=policy.k_min,
        average_prosecutor_max=policy.average_prosecutor_max,
        combinations=tuple(found),
        full=suite,
        full_enforced=policy.joined_full_set,
        full_passes=(
            not gate(suite, policy)
            if suite is not None
            else full_combo is None or full_combo[0].passes
        ),
    )
    return Assessment(report, timing_risk, other_risk, mass, view.persons, view.codes, memo)


def joined_report(view: JoinedView, policy: RiskPolicy = DEFAULT_RISK_POLICY) -> JoinedReport:
    """The joined gate's figures for ``view`` (no per-person marks)."""
    return assess(view, policy, persons=False).report


def joined_gate(
    report: JoinedReport,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    where: str = "release",
    code: Any = codes.JOINED_RISK,
    **extra: Any,
) -> list[Finding]:
    """Findings when the joined view breaks the policy; empty means it may go. ``code`` and
    ``extra`` let the union check (``risk.union``) report with its own code."""
    findings: list[Finding] = []
    if report.failing:
        worst = report.worst(1)[0]
        blamed = report.blame()
        findings.append(
            code.at(
                where,
                path="$.risk.joined",
                failing=len(report.failing),
                combinations=len(report.combinations),
                size=report.max_size,
                k_min=report.k_min,
                limit=report.average_prosecutor_max,
                worst=" + ".join(worst.quasi_identifiers),
                k=worst.k,
                uniques=worst.sample_uniques,
                persons=report.persons,
                generalise=", ".join(f"'{q}'" for q, _ in blamed[:3]),
                ranking=", ".join(f"{q} -> {n}" for q, n in blamed[:8]),
                **extra,
            )
        )
    if report.full_enforced and report.full is not None:
        findings += gate(report.full, policy, where=f"{where}:joined")
    return findings
