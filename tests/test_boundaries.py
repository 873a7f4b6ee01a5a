"""The trust boundary shows in the imports: the public side never imports custodian code."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cohortgate"
# Commands that run on the custodian's machine may import custodian code; nothing else may.
CUSTODIAN_ENTRY_POINTS = {
    "cli/cohort.py",
    "cli/stats.py",
    "cli/demo.py",
    "cli/agreements.py",
    "cli/release.py",
    "cli/trace.py",
    "cli/optout.py",
    "cli/participant_report.py",
    "cli/audit.py",  # joins the history audit with the vault's (with --vault)
}
# The custodian's code trusts no review or CI code (issue 5): it reads the decision and the
# agreements as files, after CI has verified them.
REVIEW_AND_CI = (
    "cohortgate.review",
    "cohortgate.applications",
    "cohortgate.cli",
    "cohortgate.site",
    "cohortgate.changes",
    "cohortgate.precommit",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_public_modules_do_not_import_custodian_code() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("custodian/") or rel in CUSTODIAN_ENTRY_POINTS:
            continue
        if any(name.startswith("cohortgate.custodian") for name in _imports(path)):
            offenders.append(rel)
    assert offenders == []


def test_the_check_sees_imports() -> None:
    """Guard against a vacuous pass: the custodian entry points do import custodian code."""
    assert any(
        name.startswith("cohortgate.custodian")
        for rel in CUSTODIAN_ENTRY_POINTS
        if (PACKAGE / rel).exists()
        for name in _imports(PACKAGE / rel)
    )


def test_custodian_code_imports_no_review_or_ci_code() -> None:
    offenders = {
        path.relative_to(PACKAGE).as_posix(): sorted(
            name for name in _imports(path) if name.startswith(REVIEW_AND_CI)
        )
        for path in sorted((PACKAGE / "custodian").rglob("*.py"))
    }
    assert {rel: names for rel, names in offenders.items() if names} == {}
