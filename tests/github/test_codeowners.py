"""CODEOWNERS: every line parses (one bad line and GitHub ignores the file), the last match
wins, and the committees own submissions/."""

from __future__ import annotations

import re

import pytest
from github_files import GITHUB
from pathspec import GitIgnoreSpec

CODEOWNERS = GITHUB / "CODEOWNERS"
OWNER = re.compile(r"^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")
ACADEMIC = "@cohortgate/academic-committee"
DATA = "@cohortgate/data-management-committee"
MAINTAINERS = "@cohortgate/maintainers"


def rules() -> list[tuple[str, list[str]]]:
    parsed = []
    for number, raw in enumerate(CODEOWNERS.read_text("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        assert owners, f"line {number}: a pattern without owners"
        assert all(OWNER.match(o) for o in owners), f"line {number}: {owners}"
        assert "\\" not in pattern and not pattern.startswith("!"), f"line {number}: {pattern}"
        parsed.append((pattern, owners))
    return parsed


def owners_of(path: str) -> list[str]:
    """GitHub's rule: the last matching pattern decides."""
    found: list[str] = []
    for pattern, owners in rules():
        if GitIgnoreSpec.from_lines([pattern]).match_file(path):
            found = owners
    return found


def test_catch_all_comes_first() -> None:
    assert rules()[0] == ("*", [MAINTAINERS])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("submissions/2026/A-2026-0007/application.yaml", {ACADEMIC, DATA}),
        ("submissions/2026/A-2026-0007/protocol.pdf", {ACADEMIC, DATA}),
        ("submissions/README.md", {ACADEMIC, DATA}),
        ("rubric/blacklist.yaml", {ACADEMIC, DATA}),
        ("catalog/datasets/ds-registry-core.yaml", {DATA}),
        ("src/cohortgate/cli/validate.py", {MAINTAINERS}),
        ("src/cohortgate/policy.py", {MAINTAINERS, DATA}),
        ("scripts/bootstrap", {MAINTAINERS}),
        (".github/workflows/applications.yml", {MAINTAINERS, DATA}),
        (".github/CODEOWNERS", {MAINTAINERS, ACADEMIC, DATA}),
        ("README.md", {MAINTAINERS}),
        ("tests/test_cli.py", {MAINTAINERS}),
    ],
)
def test_owners(path: str, expected: set[str]) -> None:
    assert set(owners_of(path)) == expected


def test_a_file_named_like_a_folder_elsewhere_is_not_matched() -> None:
    """Patterns are anchored at the root: a nested submissions/ is not the committees'."""
    assert set(owners_of("site/submissions/x.md")) == {MAINTAINERS}
