"""The blacklist: ``rubric/blacklist.yaml`` (R25).

A leak traced by watermarking to a person or an institution puts them on this list, and no
further application of theirs is accepted, for every dataset or for the datasets listed. The
data management committee keeps the file; CI reads it from the base branch, never from the pull
request under review.

A person is named by any of an e-mail address, an ORCID iD and a name, and an applicant who
matches any one of them is that person (``models.person``: a ``+tag``, another case, a Gmail
dot, or a new address under the same ORCID iD does not make someone else). A name alone also
refuses every namesake; give it only with the committee's reasons.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cohortgate.models.common import Email, IsoDate, NonEmpty, Slug, Strict
from cohortgate.models.person import Identity, Orcid, PersonName


class BlacklistScope(StrEnum):
    ALL = "all"  # no application for any dataset is accepted
    LISTED = "listed"  # no application for the datasets in 'datasets'


class BlacklistEntry(Strict):
    person_email: Email | None = Field(
        default=None, description="The person, by the institutional e-mail they applied with"
    )
    person_orcid: Orcid | None = Field(
        default=None, description="The person, by ORCID iD (whatever e-mail they apply with)"
    )
    person_name: PersonName | None = Field(
        default=None,
        description="The person, by name (every namesake is refused too: use with care)",
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
        if not self.names_person and self.institution is None:
            # (person_orcid and person_name name a person too; the message keeps its words)
            raise ValueError("an entry names a person_email, an institution or both")
        if (self.scope is BlacklistScope.LISTED) != bool(self.datasets):
            raise ValueError("'datasets' is given exactly when scope is 'listed'")
        return self

    @property
    def names_person(self) -> bool:
        return bool(self.person_email or self.person_orcid or self.person_name)

    def identity(self) -> Identity:
        """The listed person (``models.person``); empty for an institution-only entry."""
        return Identity.of(
            names=[self.person_name], emails=[self.person_email], orcids=[self.person_orcid]
        )

    def who(self) -> str:
        """The listed person as written in the entry, for messages."""
        parts = [self.person_email, self.person_orcid, self.person_name]
        return ", ".join(p for p in parts if p)


class Blacklist(Strict):
    """``rubric/blacklist.yaml``."""

    entries: list[BlacklistEntry] = Field(default_factory=list)
