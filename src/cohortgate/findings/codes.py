"""Finding codes: each declared once with a title, a description (which requirement it
serves), a message template and a hint template.

Checks make findings only through ``Code.at``. Every domain declares its own codes in its
``codes.py``; ``cohortgate.codes`` collects them into the registry the site's error reference is
generated from.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Any

from cohortgate.findings import Finding, Severity


@dataclass(frozen=True)
class Texts:
    """A code's texts in one more language (Chinese first on the site): the same fields as the
    English ones, the same ``{placeholders}`` in the templates."""

    title: str
    description: str
    template: str
    hint: str = ""


@dataclass(frozen=True)
class Code:
    id: str
    title: str
    description: str
    template: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    zh: Texts | None = None  # the Chinese texts, where declared; English is the fallback

    def texts(self, lang: str) -> Texts:
        """The code's texts in ``lang`` (``zh`` or ``en``), English where none are declared."""
        if lang == "zh" and self.zh is not None:
            return self.zh
        return Texts(self.title, self.description, self.template, self.hint)

    def at(
        self,
        file: str,
        line: int = 0,
        column: int = 0,
        path: str = "$",
        **params: Any,
    ) -> Finding:
        """A finding of this code at a place; ``params`` fill the message and hint templates."""
        return Finding(
            file=file,
            line=line,
            column=column,
            code=self.id,
            message=self.template.format(**params),
            hint=self.hint.format(**params),
            path=path,
            severity=self.severity,
        )


CODES: dict[str, Code] = {}


def declare(
    id: str,
    title: str,
    description: str,
    template: str,
    hint: str = "",
    severity: Severity = Severity.ERROR,
    *,
    zh: Texts | None = None,
) -> Code:
    if id in CODES:
        raise ValueError(f"finding code {id} declared twice")
    if zh is not None and (
        _fields(zh.template) != _fields(template) or _fields(zh.hint) != _fields(hint)
    ):
        raise ValueError(f"finding code {id}: the Chinese texts have other placeholders")
    code = Code(id, title, description, template, hint, severity, zh)
    CODES[id] = code
    return code


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}
