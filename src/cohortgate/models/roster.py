"""The committee roster: ``rubric/roster.yaml`` (R1, R13).

The Data Approval Management Committee (DAMC) is two committees (R1): the academic committee
(medical, legal, ethics experts and researcher representatives) and the data management committee
(data processors and managers). Each member signs their review commits with an SSH key; the
roster is the one place that binds a key to a person, a committee and a term. The allowed-signers
file that git verifies against is generated from it (``cohortgate.signatures.signers``), always from
the trusted base branch, never from the pull request under review.

A member's ``principal`` is the identity git reports for a good signature (``%GS``). It is an
exact, e-mail-like string: wildcards (``*``, ``?``), commas, quotes and spaces would change the
meaning of an allowed-signers line, so the pattern refuses them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from cohortgate.models.common import Email, IsoDate, Slug, Strict
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.person import Identity, Orcid, PersonName


class Committee(StrEnum):
    """R1: the two committees of the DAMC."""

    ACADEMIC = "academic"  # scientific and ethical merit, necessity and significance
    DATA_MANAGEMENT = "data_management"  # catalog, extraction, security and feasibility


class Expertise(StrEnum):
    """R1, R13: members review within their own expertise."""

    MEDICAL = "medical"
    LEGAL = "legal"
    ETHICS = "ethics"
    RESEARCHER = "researcher"  # researcher representative
    DATA_PROCESSING = "data_processing"
    MANAGEMENT = "management"


# The exact identity in the allowed-signers file: no wildcard, comma, quote or space.
Principal = Annotated[
    str,
    StringConstraints(
        pattern=r"^[a-z0-9]([a-z0-9._+-]*[a-z0-9])?@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$",
        max_length=254,
    ),
]
# An OpenSSH ed25519 public key line: type, base64 blob, optional comment. The blob itself is
# decoded and checked by cohortgate.signatures.signers (and by ssh-keygen) before any use.
SshEd25519Key = Annotated[
    str,
    StringConstraints(pattern=r"^ssh-ed25519 AAAA[A-Za-z0-9+/]+={0,2}( [^\r\n]*)?$"),
]
GithubLogin = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9](-?[A-Za-z0-9])*$", max_length=39),
]


class Member(Strict):
    """One committee member and the key they sign reviews with."""

    id: Slug = Field(description="Stable member id, e.g. zhang-wei")
    name: PersonName = Field(
        description="Display name (synthetic in examples); nothing invisible. Chinese and Latin "
        "forms may be given together ('陈静 Chen Jing'): each one identifies the member"
    )
    committee: Committee
    expertise: Expertise
    institution: Slug = Field(description="Catalog institution id (catalog/institutions.yaml)")
    term_start: IsoDate = Field(description="First day of the term")
    term_end: IsoDate = Field(description="Last day of the term (inclusive)")
    github: GithubLogin = Field(description="GitHub login")
    ssh_key: SshEd25519Key = Field(description="'ssh-ed25519 AAAA… comment' public key line")
    principal: Principal = Field(description="Identity in the allowed-signers file (unique)")
    emails: list[Email] = Field(
        default_factory=list,
        description="Institutional e-mail addresses the member uses elsewhere, e.g. as an"
        " applicant: a member named on an applying team never reviews it (R13)",
    )
    orcid: Orcid | None = Field(
        default=None,
        description="ORCID iD, e.g. 0000-0002-1825-0097: the same iD on an applying team is the"
        " member, whatever the e-mail (R13)",
    )

    def identity(self) -> Identity:
        """Who the member is (``models.person``): name, principal, e-mails and ORCID iD."""
        return Identity.of(
            names=[self.name], emails=[self.principal, *self.emails], orcids=[self.orcid]
        )

    def serves_on(self, day: date) -> bool:
        """True when ``day`` lies within the term (both ends inclusive)."""
        return date.fromisoformat(self.term_start) <= day <= date.fromisoformat(self.term_end)

    @field_validator("term_start", "term_end")
    @classmethod
    def _real_date(cls, value: str) -> str:
        date.fromisoformat(value)
        return value

    @model_validator(mode="after")
    def _term_in_order(self) -> Member:
        if self.term_end < self.term_start:
            raise ValueError("term_end is before term_start")
        return self


class Chair(Strict):
    """The chair of one committee."""

    committee: Committee
    member: Slug = Field(description="Member id")


class CommitteeQuorum(Strict):
    committee: Committee
    min_members: int = Field(ge=1, description="Minimum number of reviewing members")


class LevelQuorum(Strict):
    level: PrivacyLevel
    expertise: list[Expertise] = Field(
        min_length=1, description="Expertise that must be among the reviewers at this level"
    )


class Quorum(Strict):
    committees: list[CommitteeQuorum] = Field(min_length=1)
    levels: list[LevelQuorum] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_rule_each(self) -> Quorum:
        committees = [rule.committee for rule in self.committees]
        if len(set(committees)) != len(committees):
            raise ValueError("a committee has more than one quorum rule")
        levels = [rule.level for rule in self.levels]
        if len(set(levels)) != len(levels):
            raise ValueError("a privacy level has more than one quorum rule")
        return self

    def min_members(self, committee: Committee) -> int:
        return next((r.min_members for r in self.committees if r.committee is committee), 0)

    def expertise(self, level: PrivacyLevel) -> frozenset[Expertise]:
        return frozenset(
            next((r.expertise for r in self.levels if r.level is level), list[Expertise]())
        )


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


class Roster(Strict):
    """``rubric/roster.yaml``."""

    members: list[Member] = Field(min_length=1)
    chairs: list[Chair] = Field(min_length=1)
    quorum: Quorum

    @model_validator(mode="after")
    def _consistent(self) -> Roster:
        for label, values in (
            ("member id", [m.id for m in self.members]),
            ("principal", [m.principal for m in self.members]),
            ("github login", [m.github.lower() for m in self.members]),
            ("ssh key", [" ".join(m.ssh_key.split()[:2]) for m in self.members]),
        ):
            if dups := _duplicates(values):
                raise ValueError(f"duplicate {label}: {', '.join(dups)}")
        by_id = {m.id: m for m in self.members}
        if dups := _duplicates([c.committee.value for c in self.chairs]):
            raise ValueError(f"more than one chair for: {', '.join(dups)}")
        for chair in self.chairs:
            member = by_id.get(chair.member)
            if member is None:
                raise ValueError(f"chair {chair.member!r} is not a member")
            if member.committee is not chair.committee:
                raise ValueError(
                    f"chair {chair.member!r} is not on the {chair.committee} committee"
                )
        for rule in self.quorum.committees:
            size = sum(m.committee is rule.committee for m in self.members)
            if size < rule.min_members:
                raise ValueError(
                    f"the {rule.committee} committee has {size} members, fewer than its quorum"
                    f" of {rule.min_members}"
                )
        present = {m.expertise for m in self.members}
        for level_rule in self.quorum.levels:
            if missing := sorted(set(level_rule.expertise) - present):
                raise ValueError(
                    f"no member has the expertise {level_rule.level} needs: {', '.join(missing)}"
                )
        return self

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def by_principal(self, principal: str) -> Member | None:
        """The member whose principal is exactly ``principal`` (no pattern matching)."""
        return next((m for m in self.members if m.principal == principal), None)

    def chair(self, committee: Committee) -> Member | None:
        chair = next((c for c in self.chairs if c.committee is committee), None)
        return None if chair is None else self.member(chair.member)
