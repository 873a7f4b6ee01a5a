"""Building blocks shared by every model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64),
]
OrphaCode = Annotated[str, StringConstraints(pattern=r"^ORPHA:[1-9][0-9]{0,6}$")]
HpoId = Annotated[str, StringConstraints(pattern=r"^HP:[0-9]{7}$")]
Icd10 = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")]
DuoId = Annotated[str, StringConstraints(pattern=r"^DUO:[0-9]{7}$")]
DomainName = Annotated[
    str,
    StringConstraints(pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", max_length=253),
]

# An ISO date, kept as a string so that JSON Schema's pattern applies and values round-trip.
IsoDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9._%+\-]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$",
        max_length=254,
    ),
]


class Text(Strict):
    """A text in Chinese (shown first) and English."""

    zh: NonEmpty = Field(description="中文")
    en: NonEmpty = Field(description="English")

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
