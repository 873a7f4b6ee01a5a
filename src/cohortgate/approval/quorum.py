"""Quorum: enough valid sign-offs from each committee, with the expertise the privacy level
requires (R1, R13; ``quorum`` in ``rubric/roster.yaml``).

A person counts once: members whose roster entries are one person (``models.person``: the same
ORCID iD, normalised e-mail or normalised name) count as the first of them in roster order.
The review refuses the later entries' sign-offs with a finding (``review.same-person``); the
count here holds whatever the caller passes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cohortgate.approval.phrases import committee
from cohortgate.findings.codes import Both
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.person import one_person_groups
from cohortgate.models.roster import Committee, Member, Roster


@dataclass(frozen=True)
class CommitteeCount:
    committee: Committee
    required: int
    members: tuple[str, ...]  # who counted, in roster order

    @property
    def met(self) -> bool:
        return len(self.members) >= self.required


@dataclass(frozen=True)
class QuorumState:
    level: PrivacyLevel
    committees: tuple[CommitteeCount, ...]
    required_expertise: tuple[str, ...]
    missing_expertise: tuple[str, ...]
    same_person: tuple[str, ...] = ()  # reviewers not counted: another reviewer is that person

    @property
    def met(self) -> bool:
        return all(c.met for c in self.committees) and not self.missing_expertise

    def problems(self) -> list[str]:
        """Why the quorum is not met, one phrase each (empty when it is), in English."""
        return [p.en for p in self.phrases()]

    def phrases(self) -> list[Both]:
        """Why the quorum is not met, one phrase each in both languages (empty when it is)."""
        found = []
        for c in self.committees:
            if not c.met:
                name, count = committee(str(c.committee)), len(c.members)
                found.append(
                    Both(
                        zh=f"{name.zh}：有效签核 {count} 份，需要 {c.required} 份",
                        en=f"{name.en}: {count} of {c.required} valid sign-offs",
                    )
                )
        if self.missing_expertise:
            listed = ", ".join(self.missing_expertise)
            found.append(
                Both(
                    zh=f"{self.level} 级别须有具备以下专业的委员的有效签核：{listed}",
                    en=f"{self.level} needs a valid sign-off with the expertise: {listed}",
                )
            )
        return found


def quorum(roster: Roster, level: PrivacyLevel, reviewers: Sequence[Member]) -> QuorumState:
    """The quorum state given the members whose sign-offs are valid (each counted once)."""
    ids = {m.id for m in reviewers}
    present = [m for m in roster.members if m.id in ids]
    groups = one_person_groups([(m.id, m.identity()) for m in roster.members])
    first = {next(i for i in group if i in ids) for group in groups if ids & set(group)}
    counted = [m for m in present if m.id in first]
    committees = tuple(
        CommitteeCount(
            rule.committee,
            rule.min_members,
            tuple(m.id for m in counted if m.committee is rule.committee),
        )
        for rule in roster.quorum.committees
    )
    required = sorted(e.value for e in roster.quorum.expertise(level))
    expertise = {m.expertise.value for m in counted}
    return QuorumState(
        level,
        committees,
        tuple(required),
        tuple(e for e in required if e not in expertise),
        tuple(m.id for m in present if m.id not in first),
    )
