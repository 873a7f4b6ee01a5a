"""A sign-off: one member's score sheet for one application, from either channel.

Channels: an SSH-signed commit of ``reviews/<member>.yaml`` (``approval.sheets``), or a
pull-request review on GitHub (``review.github_reviews``). Both yield ``SignOff`` records that
the same eligibility checks judge (``approval.eligibility``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both, Code
from cohortgate.models.review import ScoreSheet
from cohortgate.models.roster import Member


class Channel(StrEnum):
    COMMIT = "commit"  # an SSH-signed commit verified by git against the roster (primary)
    GITHUB = "github"  # a pull-request review, as far as GitHub's authentication goes


@dataclass(frozen=True)
class SignOff:
    member: Member
    sheet: ScoreSheet
    channel: Channel
    reference: str  # the signed commit's SHA, or the review's URL
    file: str  # where the sheet is, for messages
    doc: Document | None = None  # positions inside the sheet, when it is a file
    shown: Both | None = None  # how messages name a sheet that is not a file (a GitHub review)

    @property
    def named(self) -> Both | str:
        """The sheet as a message names it: its file, or ``shown``."""
        return self.shown if self.shown is not None else self.file

    def at(self, code: Code, path: Sequence[str | int] = (), **params: Any) -> Finding:
        if self.doc is not None:
            return self.doc.finding(code, path, **params)
        return code.at(self.file, **params)
