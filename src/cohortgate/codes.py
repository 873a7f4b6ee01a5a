"""The registry of finding codes.

Each code is declared once with a title, a description (which requirement it serves), a
message template and a hint template. Checks make findings only through ``Code.at``; the
site's error reference is generated from this registry and a test fails when a code that the
code base uses is not declared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cohortgate.findings import Finding, Severity


@dataclass(frozen=True)
class Code:
    id: str
    title: str
    description: str
    template: str
    hint: str = ""
    severity: Severity = Severity.ERROR

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
) -> Code:
    if id in CODES:
        raise ValueError(f"finding code {id} declared twice")
    code = Code(id, title, description, template, hint, severity)
    CODES[id] = code
    return code


# Importing the declaring modules fills the registry; keep this list in one place.
def load_all() -> dict[str, Code]:
    from cohortgate import (  # noqa: F401
        codes_agreements,
        codes_application,
        codes_audit,
        codes_catalog,
        codes_deidentify,
        codes_lifecycle,
        codes_loading,
        codes_participants,
        codes_privacy,
        codes_release,
        codes_review,
        codes_review_github,
        codes_rubric,
        codes_site,
        codes_trace,
        codes_vault,
    )

    return CODES
