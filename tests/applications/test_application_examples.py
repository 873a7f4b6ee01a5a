"""The example corpus: each case folder under examples/ gives exactly its expected.txt findings.

``COHORTGATE_UPDATE_GOLDEN=1`` rewrites the expected files instead of comparing (review them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from application_examples import EXAMPLES, UPDATE_GOLDEN, cases, run_case, setup_of

from cohortgate.applications import codes as codes_application
from cohortgate.codes import Code, load_all
from cohortgate.findings import has_errors
from cohortgate.findings.render import render_text

INVALID = cases("invalid")
VALID = cases("valid")
_CODE_IN_TEXT = re.compile(r"^\S+: (?:error|warning) ([a-z]+\.[a-z0-9-]+)", re.MULTILINE)


def _compare(case: Path, text: str) -> None:
    expected = case / "expected.txt"
    if UPDATE_GOLDEN:
        expected.write_text(text, "utf-8")
    assert text == expected.read_text("utf-8")


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_example(case: Path, tmp_path: Path) -> None:
    findings = run_case(case, tmp_path)
    _compare(case, render_text(findings))
    assert has_errors(findings)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_example(case: Path, tmp_path: Path) -> None:
    findings = run_case(case, tmp_path)
    _compare(case, render_text(findings))
    assert not has_errors(findings)


def test_the_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 60
    assert len([c for c in INVALID if not c.name.startswith("loader-")]) >= 45
    assert len(VALID) >= 5


def test_every_application_code_is_exercised_by_an_example() -> None:
    declared = {v.id for v in vars(codes_application).values() if isinstance(v, Code)}
    exercised: set[str] = set()
    for expected in EXAMPLES.glob("*/*/expected.txt"):
        exercised |= set(_CODE_IN_TEXT.findall(expected.read_text("utf-8")))
    assert len(declared) >= 30
    assert sorted(declared - exercised) == []


def test_codes_in_expected_files_are_declared() -> None:
    codes = load_all()
    for expected in EXAMPLES.glob("*/*/expected.txt"):
        named = set(_CODE_IN_TEXT.findall(expected.read_text("utf-8")))
        assert sorted(named - set(codes)) == [], expected.parent.name


@pytest.mark.parametrize("case", INVALID + VALID, ids=lambda p: p.name)
def test_every_case_is_complete(case: Path) -> None:
    assert (case / "expected.txt").is_file(), "run with COHORTGATE_UPDATE_GOLDEN=1 and review"
    setup_of(case)  # parses, and names only known keys
    assert "Traceback" not in (case / "expected.txt").read_text("utf-8")
