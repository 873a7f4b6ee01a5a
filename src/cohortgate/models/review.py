"""What the committees write into git: score sheets, decisions, approvals of rule changes.

Each is a small YAML file, committed on its own in an SSH-signed commit (R13, R15):

- ``submissions/<year>/<id>/reviews/<member-id>.yaml``: one reviewer's ``ScoreSheet``;
- ``submissions/<year>/<id>/decision.yaml``: the chair's ``Decision``;
- ``rubric/approvals/<chair-id>.yaml``: a chair's ``ChangeApproval`` of a change to the rules
  (``rubric/``) or the workflows (``.github/workflows/``) in the same pull request.

Each binds itself to exact content by SHA-256 digests, never by date: git checks a signature's
validity window against a committer date the signer chooses, so only the content hash ties a
sign-off to one version of an application.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from cohortgate.models.common import IsoDate, NonEmpty, Slug, Strict


class Outcome(StrEnum):
    """The three outcomes of a review (R14), from the most to the least permissive."""

    APPROVE = "approve"  # the data may be released under the approved terms
    REVISE = "revise"  # the applicant revises and the application returns to review
    REJECT = "reject"  # refused; a new application is needed

    @property
    def strictness(self) -> int:
        return list(Outcome).index(self)


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
# A path inside the application folder (or the repository, for change approvals): POSIX,
# relative; a '..' component is refused where the path is used.
RelPath = Annotated[
    str,
    StringConstraints(
        pattern=r"^[^/\x00-\x1f\\]([^\x00-\x1f\\]*[^/\x00-\x1f\\])?$", max_length=400
    ),
]
Quarter = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}Q[1-4]$")]
ApplicationRef = Annotated[str, StringConstraints(pattern=r"^A-20[0-9]{2}-[0-9]{4}$")]


class ScoreSheet(Strict):
    """One reviewer's scores for one version of one application."""

    application: ApplicationRef = Field(description="The application id, e.g. A-2026-0001")
    reviewer: Slug = Field(description="The reviewer's member id in rubric/roster.yaml")
    reviewed_on: IsoDate = Field(description="The day of the review")
    files: dict[RelPath, Sha256] = Field(
        min_length=1,
        description="SHA-256 of every application file reviewed (`cohortgate sheet` fills it in)",
    )
    scores: dict[Slug, int | None] = Field(
        description="Indicator id (rubric/rubric.yaml) -> score on its scale; null: not yet"
    )
    recommendation: Outcome
    comments: NonEmpty = Field(description="The reasons for the scores and the recommendation")
    conflict_of_interest: NonEmpty = Field(
        default="none", description="'none', or the interest the reviewer declares"
    )


class Decision(Strict):
    """The decision on one version of an application, recorded by a chair (R15)."""

    application: ApplicationRef
    quarter: Quarter = Field(description="The quarterly meeting that decided, e.g. 2026Q4")
    decided_on: IsoDate
    decision: Outcome
    files: dict[RelPath, Sha256] = Field(
        min_length=1, description="SHA-256 of every application file decided on"
    )
    reasons: NonEmpty
    conditions: list[NonEmpty] = Field(
        default_factory=list, description="Conditions attached to an approval"
    )


class ChangeApproval(Strict):
    """A chair's approval of changes to the rules or the workflows in one pull request."""

    chair: Slug = Field(description="The approving chair's member id")
    approved_on: IsoDate
    changes: dict[RelPath, Sha256 | None] = Field(
        min_length=1,
        description="Every changed path -> SHA-256 of its new content (null: deleted)",
    )
    reason: NonEmpty
