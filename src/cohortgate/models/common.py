"""Building blocks shared by every model."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from cohortgate.findings.escape import INVISIBLE_ERROR, is_invisible


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors (a typo must not pass silently)."""

    # defer_build: a model's validator is built when first used, not when its module is
    # imported; a command imports some forty models and uses a few (a tenth of a second).
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


def _refuse_invisible(value: str, allowed: str) -> str:
    """Text is data: a right-to-left override, a zero-width or control character in a title, a
    name or a summary would make what a reviewer reads differ from what is stored."""
    for index, char in enumerate(value):
        if is_invisible(char) and char not in allowed:
            name = unicodedata.name(char, "a control character")
            raise PydanticCustomError(  # files.modelcheck words it in both languages
                INVISIBLE_ERROR,
                "character {position} is {codepoint} {name}, an invisible or control character; "
                "remove it (retype the text if you cannot see it)",
                {"position": index + 1, "codepoint": f"U+{ord(char):04X}", "name": name},
            )
    return value


def _plain_text(value: str) -> str:
    return _refuse_invisible(value, allowed="\n\t")


def _one_line(value: str) -> str:
    return _refuse_invisible(value, allowed="")


# Text of any length, lines allowed: nothing invisible but line breaks and tabs.
PlainText = Annotated[str, AfterValidator(_plain_text)]
NonEmpty = Annotated[str, StringConstraints(min_length=1), AfterValidator(_plain_text)]
# One line: titles and names (shown in headings, table cells, terminals).
Line = Annotated[str, StringConstraints(min_length=1), AfterValidator(_one_line)]
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
