"""Member institutions of the cohort (R2, R3): who contributes data and who may apply."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cohortgate.models.common import DomainName, Slug, Strict, Text


class Institution(Strict):
    id: Slug = Field(description="Stable short id, e.g. 'shch' for Shanghai Children's Hospital")
    name: Text
    email_domains: list[DomainName] = Field(
        min_length=1,
        description="Institutional e-mail domains; applications must come from one of these (R3)",
    )
    member: StrictBool = Field(
        description="Member of the project group: contributes data and has priority (R3)"
    )
    province: str = Field(pattern=r"^[1-8][0-9]$", description="GB/T 2260 province code")


class InstitutionRegistry(Strict):
    """``catalog/institutions.yaml``."""

    institutions: list[Institution] = Field(min_length=1)
