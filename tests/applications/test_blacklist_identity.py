"""The blacklist through ``cohortgate validate``, with the one identity rule (``models.person``):
a listed person is caught under a ``+tag``, another case, a new e-mail with the same ORCID iD
or the same name; names that hide characters and ORCID iDs that fail their check are located
findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from application_examples import EXAMPLES, run_case

from cohortgate.findings import Finding

CASE = EXAMPLES / "valid" / "l1-aggregate"  # applicant 陈思远 <chen.siyuan@xinhuamed.com.cn>
EMAIL = "chen.siyuan@xinhuamed.com.cn"
ORCID = "0000-0002-1825-0097"


def _validate(
    tmp_path: Path, entry: dict[str, object] | None = None, **applicant: object
) -> tuple[list[Finding], list[str]]:
    """Findings for the example application with the applicant's fields changed, under a
    blacklist holding ``entry``; and the lines of the form."""
    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected.txt"))
    form = case / "application.yaml"
    data = yaml.safe_load(form.read_text("utf-8"))
    data["applicant"].update(applicant)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    form.write_text(text, "utf-8")
    if entry is not None:
        listed = {
            **entry,
            "reason": "fictional: a leak traced by the watermark",
            "listed_on": "2025-11-20",
            "decided_by": ["虚构主任甲"],
        }
        blacklist = yaml.safe_dump({"entries": [listed]}, allow_unicode=True, sort_keys=False)
        setup = {"files": {"rubric/blacklist.yaml": blacklist}}
        (case / "setup.yaml").write_text(yaml.safe_dump(setup, allow_unicode=True), "utf-8")
    return run_case(case, tmp_path / "root"), text.splitlines()


def _line_of(lines: list[str], key: str) -> int:
    """The line of the applicant's ``key`` (the first such key in the form)."""
    return 1 + next(n for n, line in enumerate(lines) if line.lstrip().startswith(f"{key}:"))


@pytest.mark.parametrize(
    ("entry", "applicant", "field", "why"),
    [
        pytest.param(
            {"person_email": EMAIL},
            {"email": "chen.siyuan+2026@xinhuamed.com.cn"},
            "email",
            f"the same e-mail address (normalised: {EMAIL})",
            id="plus-tag",
        ),
        pytest.param(
            {"person_email": "Chen.SIYUAN@xinhuamed.com.cn"},
            {},
            "email",
            f"'{EMAIL}' is blacklisted since",
            id="other-case",
        ),
        pytest.param(
            {"person_email": EMAIL, "person_orcid": ORCID},
            {"email": "siyuan.chen@xinhuamed.com.cn"},
            "orcid",
            f"the same ORCID iD {ORCID}",
            id="same-orcid-new-email",
        ),
        pytest.param(
            {"person_orcid": ORCID},
            {"email": "s.chen@xinhuamed.com.cn"},
            "orcid",
            f"the same ORCID iD {ORCID}",
            id="orcid-only-entry",
        ),
        pytest.param(
            {"person_name": "陈思远 Chen Siyuan"},
            {"email": "s.chen@xinhuamed.com.cn", "orcid": None},
            "name",
            "the same name (normalised: 陈思远)",
            id="same-name",
        ),
    ],
)
def test_a_blacklisted_person_is_caught_under_another_identifier(
    tmp_path: Path,
    entry: dict[str, object],
    applicant: dict[str, object],
    field: str,
    why: str,
) -> None:
    findings, lines = _validate(tmp_path, entry, **applicant)
    assert [f.code for f in findings] == ["application.blacklisted"]
    finding = findings[0]
    assert finding.path == f"$.applicant.{field}"
    assert finding.line == _line_of(lines, field)
    assert why in finding.message


def test_someone_else_is_not_caught(tmp_path: Path) -> None:
    entry = {"person_email": "lin.yutong+x@xinhuamed.com.cn", "person_orcid": "0000-0001-5109-3700"}
    findings, _lines = _validate(tmp_path, entry)
    assert findings == []


def test_a_zero_width_character_in_a_name_is_a_located_finding(tmp_path: Path) -> None:
    findings, lines = _validate(tmp_path, None, name="陈\u200b思远")
    assert [(f.code, f.path) for f in findings] == [("schema.invalid", "$.applicant.name")]
    assert findings[0].line == _line_of(lines, "name")
    assert "U+200B ZERO WIDTH SPACE" in findings[0].message


def test_a_bidi_override_in_a_team_member_s_name_is_a_located_finding(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected.txt"))
    form = case / "application.yaml"
    form.write_text(form.read_text("utf-8").replace("name: 林雨桐", "name: 林\u202e雨桐"), "utf-8")
    findings = run_case(case, tmp_path / "root")
    assert [(f.code, f.path) for f in findings] == [("schema.invalid", "$.team[0].name")]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in findings[0].message


def test_an_orcid_with_a_wrong_check_digit_is_a_located_finding(tmp_path: Path) -> None:
    findings, lines = _validate(tmp_path, None, orcid="0000-0002-1825-0098")
    assert [(f.code, f.path) for f in findings] == [("schema.invalid", "$.applicant.orcid")]
    assert findings[0].line == _line_of(lines, "orcid")
    assert "fails its check (ISO 7064 11,2)" in findings[0].message
