"""The example corpus: each folder under examples/ gives exactly its expected.txt findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from catalog_examples import EXAMPLES, cases, run_case

from cohortgate.catalog import codes as codes_catalog
from cohortgate.codes import Code
from cohortgate.findings import has_errors
from cohortgate.findings.render import render_text

INVALID = cases("invalid")
VALID = cases("valid")
_CODE_IN_TEXT = re.compile(r"^\S+: (?:error|warning) (\S+)", re.MULTILINE)


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_example(case: Path, tmp_path: Path) -> None:
    findings = run_case(case, tmp_path)
    assert render_text(findings) == (case / "expected.txt").read_text("utf-8")
    assert has_errors(findings)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_example(case: Path, tmp_path: Path) -> None:
    findings = run_case(case, tmp_path)
    expected = case / "expected.txt"
    assert render_text(findings) == expected.read_text("utf-8")
    assert not has_errors(findings)


def test_every_catalog_code_is_exercised_by_an_example() -> None:
    declared = {v.id for v in vars(codes_catalog).values() if isinstance(v, Code)}
    exercised = set()
    for expected in EXAMPLES.glob("*/*/expected.txt"):
        exercised |= set(_CODE_IN_TEXT.findall(expected.read_text("utf-8")))
    assert len(declared) >= 15  # the module declares its codes as module attributes
    assert sorted(declared - exercised) == []


def test_every_example_has_an_expected_file() -> None:
    for case in INVALID + VALID:
        assert (case / "expected.txt").is_file(), case.name
        assert list(case.glob("*.yaml")), case.name
