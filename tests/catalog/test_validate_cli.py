"""``cohortgate validate``: a thin adapter whose output is the library's result, rendered."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_examples import EXAMPLES, build_root

from cohortgate.catalog.checks import validate_catalog
from cohortgate.cli import validate

INVALID = EXAMPLES / "invalid"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    validate.add_arguments(parser)
    return validate.run(parser.parse_args(argv))


def test_json_equals_the_library_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay = build_root(INVALID / "unknown-orpha", tmp_path)
    assert run(["--root", str(tmp_path), "--format", "json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == [f.to_dict() for f in validate_catalog(lay)]
    assert [f["code"] for f in printed] == ["catalog.unknown-orpha", "catalog.unknown-orpha"]


def test_text_is_the_expected_rendering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = INVALID / "identifier-not-classed"
    build_root(case, tmp_path)
    assert run(["--root", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (case / "expected.txt").read_text("utf-8")


def test_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_root(INVALID / "unknown-table", tmp_path)
    assert run(["--root", str(tmp_path), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "::error file=catalog/datasets/ds-mini.yaml,line=16,col=5,title=catalog.unknown-table::"
    )


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_root(EXAMPLES / "valid" / "name-differs-from-orphanet", tmp_path)
    assert run(["--root", str(tmp_path)]) == 0
    assert "0 error(s), 1 warning(s)" in capsys.readouterr().out


def test_a_dataset_path_shows_only_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lay = build_root(INVALID / "duo-permissions", tmp_path)
    other = lay.datasets / "ds-other.yaml"
    assert run(["--root", str(tmp_path), "--format", "json", str(other)]) == 1
    files = {f["file"] for f in json.loads(capsys.readouterr().out)}
    assert files == {"catalog/datasets/ds-other.yaml"}


def test_a_proposed_dataset_outside_the_catalog_is_checked_in_its_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_root(EXAMPLES / "valid" / "minimal", tmp_path / "repo")
    proposal = tmp_path / "ds-new.yaml"
    text = (EXAMPLES / "base" / "ds-mini.yaml").read_text("utf-8")
    proposal.write_text(text.replace("id: ds-mini", "id: ds-new").replace("fdpch", "nosuch"))
    assert run(["--root", str(tmp_path / "repo"), "--format", "json", str(proposal)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["code"]) for f in found] == [
        ("ds-new.yaml", "catalog.unknown-institution")
    ]


def test_a_path_of_unknown_kind_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_root(EXAMPLES / "valid" / "minimal", tmp_path)
    (tmp_path / "notes.txt").write_text("not a catalog file\n")
    assert run(["--root", str(tmp_path), str(tmp_path / "notes.txt")]) == 2
    assert "not a catalog folder" in capsys.readouterr().err
    assert run(["--root", str(tmp_path), str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def _cohortgate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cohortgate", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("case", ["yaml-syntax", "duplicate-key", "wrong-type", "unknown-orpha"])
def test_bad_input_exits_1_without_a_traceback(case: str, tmp_path: Path) -> None:
    build_root(INVALID / case, tmp_path)
    result = _cohortgate("validate", "--root", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "hint:" in result.stdout


def test_the_repository_catalog_exits_0(repo_root: Path, tmp_path: Path) -> None:
    # a copy without the published statistics: this test is about the catalog itself
    shutil.copytree(
        repo_root / "catalog", tmp_path / "catalog", ignore=shutil.ignore_patterns("stats")
    )
    result = _cohortgate("validate", "--root", str(tmp_path))
    assert (result.returncode, result.stdout) == (0, "no findings\n"), result.stderr
