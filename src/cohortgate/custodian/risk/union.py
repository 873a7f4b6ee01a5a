"""The union check (R28): the releases one recipient holds, taken together.

Each release has its own pseudonyms and date shift, but a recipient can link the persons two
releases share by what they have in common (diagnosis, sex, birth period, the intervals between
visits, which no shift changes). The custodian assumes the worst: every shared person linked.
It knows who is who (the vault maps each release's pseudonyms to cohort ids), so it builds the
linked view itself: one row per cohort id over all the releases, the quasi-identifiers of
release ``r`` named ``r:<quasi-identifier>``, and a person absent from a release holding a code
of its own there (being in one release and not in the other is information too).

That view goes through the joined gate (``joined_gate.assess``) unchanged: every combination of
up to ``policy.joined_max_qis`` quasi-identifiers of the union must meet the policy. The
findings carry their own code (``release.union-risk``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cohortgate.custodian.risk import codes
from cohortgate.custodian.risk.classes import IntArray
from cohortgate.custodian.risk.joined import JoinedView
from cohortgate.custodian.risk.joined_gate import Assessment, JoinedReport, assess, joined_gate
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY, RiskPolicy
from cohortgate.findings import Finding

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs


@dataclass(frozen=True)
class Linked:
    """One release's joined view and the custodian's map of its pseudonyms to cohort ids."""

    name: str  # the release id (prefix of its quasi-identifiers in the union)
    view: JoinedView
    cohort_ids: Mapping[str, str]  # pseudonym -> cohort id (the vault only)


def union_view(releases: Sequence[Linked]) -> JoinedView:
    """One row per cohort id over ``releases`` (module doc); its ``persons`` are cohort ids,
    so the view stays on the custodian's side like every joined view."""
    if len({r.name for r in releases}) != len(releases):
        raise ValueError("two releases of the union have the same name")
    ids: list[np.ndarray[Any, Any]] = []
    for release in releases:
        mapped = [release.cohort_ids.get(p) for p in release.view.persons.tolist()]
        if any(c is None for c in mapped):
            raise ValueError(f"release {release.name}: a pseudonym without its cohort id")
        ids.append(np.asarray(mapped, dtype=object))
    every = np.concatenate(ids) if ids else np.zeros(0, dtype=object)
    index, persons = pd.factorize(every, use_na_sentinel=False)
    n = len(persons)
    out: dict[str, tuple[IntArray, int]] = {}
    timing: set[str] = set()
    at = 0
    for release, own in zip(releases, ids, strict=True):
        where = np.asarray(index[at : at + len(own)], dtype=np.int64)
        at += len(own)
        for name, (values, m) in release.view.codes.items():
            column = np.full(n, m, dtype=np.int64)  # m: not in this release
            column[where] = values
            out[f"{release.name}:{name}"] = (column, m + 1)
            if name in release.view.timing:
                timing.add(f"{release.name}:{name}")
    return JoinedView(np.asarray(persons, dtype=object), out, frozenset(timing))


def union_assessment(
    releases: Sequence[Linked], policy: RiskPolicy = DEFAULT_RISK_POLICY, *, persons: bool = True
) -> Assessment:
    """The joined gate on the union (with, on the custodian's side, the cohort ids of the
    persons at risk: ``union_view(...).persons[assessment.at_risk]``)."""
    return assess(union_view(releases), policy, persons=persons)


def union_report(
    releases: Sequence[Linked], policy: RiskPolicy = DEFAULT_RISK_POLICY
) -> JoinedReport:
    return union_assessment(releases, policy, persons=False).report


def union_gate(
    report: JoinedReport,
    policy: RiskPolicy = DEFAULT_RISK_POLICY,
    where: str = "release",
    earlier: Sequence[str] = (),
) -> list[Finding]:
    """Findings when the releases together break the policy (``earlier``: the other releases'
    ids, for the message)."""
    names = ", ".join(earlier) or "the recipient's earlier releases"
    return joined_gate(report, policy, where, code=codes.UNION_RISK, earlier=names)
