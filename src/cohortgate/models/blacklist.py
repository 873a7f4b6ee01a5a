"""The blacklist: ``rubric/blacklist.yaml`` (R25).

A leak traced by watermarking to a person or an institution puts them on this list, and no
further application of theirs is accepted, for every dataset or for the datasets listed. The
data management committee keeps the file; CI reads it from the base branch, never from the pull
request under review.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cohortgate.models.common import Email, IsoDate, NonEmpty, Slug, Strict


class BlacklistScope(StrEnum):
    ALL = "all"  # no application for any dataset is accepted
    LISTED = "listed"  # no application for the datasets in 'datasets'


class BlacklistEntry(Strict):
    person_email: Email | None = Field(
        default=None, description="The person, by the institutional e-mail they applied with"
    )
    institution: Slug | None = Field(default=None, description="Catalog institution id")
    reason: NonEmpty = Field(description="What happened, e.g. the leak the watermark traced")
    scope: BlacklistScope = BlacklistScope.ALL
    datasets: list[Slug] = Field(
        default_factory=list, description="For scope 'listed': the datasets concerned"
    )
    listed_on: IsoDate
    review_on: IsoDate | None = Field(
        default=None, description="When the committee reviews the entry again"
    )
    decided_by: list[NonEmpty] = Field(
        min_length=1, description="The chairs who decided (names, as in the roster)"
    )

    @model_validator(mode="after")
    def _complete(self) -> BlacklistEntry:
        if self.person_email is None and self.institution is None:
            raise ValueError("an entry names a person_email, an institution or both")
        if (self.scope is BlacklistScope.LISTED) != bool(self.datasets):
            raise ValueError("'datasets' is given exactly when scope is 'listed'")
        return self


class Blacklist(Strict):
    """``rubric/blacklist.yaml``."""

    entries: list[BlacklistEntry] = Field(default_factory=list)
