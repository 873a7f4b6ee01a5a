"""Problems found in a statistics file, placed on its lines only when there are any.

The audit works on the parsed model and says *where* as a path into the JSON
(``("tables", 3, "cells", 17, "value")``); turning paths into line numbers needs a second,
line-aware parse of the file, so it is done only for files that have problems.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cohortgate.findings import Finding, json_path
from cohortgate.findings.codes import Code

JsonPath = tuple[str | int, ...]
Positions = dict[tuple[str | int, ...], tuple[int, int]]


@dataclass(frozen=True)
class Issue:
    code: Code
    path: JsonPath
    params: dict[str, Any] = field(default_factory=dict)


def where(table: str | None, key: Sequence[str] = ()) -> str:
    """How a message names a cell: ``table 'disease_x_sex' cell ORPHA:70 × F``."""
    if table is None:
        return "the population"
    return f"table '{table}' cell {' × '.join(key) if key else '(all)'}"


def locate(issues: Sequence[Issue], file: str, positions: Callable[[], Positions]) -> list[Finding]:
    """Findings for ``issues`` in ``file``; ``positions`` is called once, only if needed."""
    if not issues:
        return []
    known = positions()
    out = []
    for issue in issues:
        parts = issue.path
        while parts and parts not in known:
            parts = parts[:-1]
        line, column = known.get(parts, (1, 1)) if known else (0, 0)
        out.append(issue.code.at(file, line, column, json_path(issue.path), **issue.params))
    return out
