"""Findings are data: every check returns a list of these and never prints.

The CLI's text output, ``--format json`` and GitHub annotations are three renderers
(``cohortgate.findings.render``) of the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # blocks: exit 1
    WARNING = "warning"  # shown, does not block


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one place.

    ``file`` is relative to the repository root; ``line`` and ``column`` are 1-based (0 when
    unknown); ``path`` is where in the document, as a JSONPath-like ``$.a.b[2]``.
    ``message`` and ``hint`` are English; ``message_zh`` and ``hint_zh`` the Chinese texts of
    the same finding, where its code declares them (empty otherwise: English is the fallback).
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    path: str = "$"
    severity: Severity = field(default=Severity.ERROR)
    message_zh: str = ""
    hint_zh: str = ""

    def text(self, lang: str) -> tuple[str, str]:
        """(message, hint) in ``lang`` (``zh`` or ``en``), English where no Chinese exists."""
        if lang == "zh" and self.message_zh:
            return self.message_zh, self.hint_zh
        return self.message, self.hint

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """In file order; a finding that two checks both made is reported once."""
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.file, f.line, f.column, f.code, f.message))


def json_path(parts: Iterable[str | int]) -> str:
    """``["datasets", 2, "name"]`` -> ``$.datasets[2].name``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
