"""The audit driven by examples: ``published/<case>/stats.json`` -> ``expected.yaml``.

Each case is a statistics file as it might reach a pull request (``clean`` is what
``cohortgate stats`` writes; the others were edited by hand or made without complementary
suppression), with the findings the audit must report: code, line and JSON path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.codes import load_all
from cohortgate.disclosure.audit import audit_file
from cohortgate.files.loading import load_yaml_file

PUBLISHED = Path(__file__).parent / "published"
CASES = sorted(p for p in PUBLISHED.iterdir() if (p / "stats.json").is_file())


def test_there_are_cases() -> None:
    assert len(CASES) >= 6
    assert any(not load_yaml_file(c / "expected.yaml").data["findings"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_findings_are_as_expected(case: Path) -> None:
    expected = load_yaml_file(case / "expected.yaml").data["findings"]
    found = audit_file(case / "stats.json", "stats.json")
    assert [{"code": f.code, "line": f.line, "path": f.path} for f in found] == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_finding_says_how_to_fix_it(case: Path) -> None:
    codes = load_all()
    for finding in audit_file(case / "stats.json", "stats.json"):
        assert finding.code in codes
        assert finding.file == "stats.json" and finding.line > 0
        assert "cohortgate stats" in finding.hint


def test_a_hand_edited_small_cell_is_found_on_its_line() -> None:
    path = PUBLISHED / "hand-edited-small-cell" / "stats.json"
    found = [f for f in audit_file(path, "stats.json") if f.code == "privacy.small-cell"]
    assert len(found) == 1
    line = path.read_text(encoding="utf-8").splitlines()[found[0].line - 1]
    assert '"value": 2' in line and "ORPHA:3" in line
