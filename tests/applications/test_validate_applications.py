"""``cohortgate validate`` on applications: a thin adapter whose output is the library's result."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from application_examples import EXAMPLES, build_root

from cohortgate.applications.validate import validate_applications
from cohortgate.cli import validate
from cohortgate.layout import Layout

INVALID = EXAMPLES / "invalid"
VALID = EXAMPLES / "valid"
CASE = "submissions/2026/A-2026-0100"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    validate.add_arguments(parser)
    return validate.run(parser.parse_args(argv))


def test_json_equals_the_library_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay, paths = build_root(INVALID / "free-mail", tmp_path)
    assert run(["--root", str(tmp_path), "--format", "json", *map(str, paths)]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == [f.to_dict() for f in validate_applications(lay, paths)]
    assert [f["code"] for f in printed] == ["application.free-mail"]
    assert printed[0]["file"] == f"{CASE}/application.yaml" and printed[0]["line"] == 12


def test_text_is_the_expected_rendering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = INVALID / "identifier-at-l1"
    _, paths = build_root(case, tmp_path)
    assert run(["--root", str(tmp_path), str(paths[0])]) == 1
    assert capsys.readouterr().out == (case / "expected.txt").read_text("utf-8")


def test_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, paths = build_root(INVALID / "ethics-missing", tmp_path)
    assert run(["--root", str(tmp_path), "--format", "github", str(paths[0])]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        f"::error file={CASE}/application.yaml,line=32,col=1,title=application.ethics-missing::"
    )
    assert "(hint: Add an 'ethics' section" in out


@pytest.mark.parametrize(
    "target", [CASE, f"{CASE}/application.yaml", "submissions", "submissions/2026"]
)
def test_every_kind_of_application_path(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_root(INVALID / "not-non-profit", tmp_path)
    assert run(["--root", str(tmp_path), "--format", "json", str(tmp_path / target)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["code"]) for f in found] == [
        (f"{CASE}/application.yaml", "application.not-non-profit")
    ]


def test_no_paths_checks_the_catalog_and_every_application(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_root(INVALID / "unknown-dataset", tmp_path)
    (tmp_path / "catalog" / "datasets" / "ds-iem-labs.yaml").write_text("id: [\n", "utf-8")
    assert run(["--root", str(tmp_path), "--format", "json"]) == 1
    codes = {(f["file"].split("/")[0], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert ("catalog", "yaml.syntax") in codes
    assert ("submissions", "application.unknown-dataset") in codes


def test_a_sibling_application_is_context_not_subject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validating one application shows its findings only, not those of its neighbours."""
    build_root(VALID / "l1-aggregate", tmp_path)
    other = tmp_path / "submissions" / "2026" / "A-2026-0001"
    shutil.copytree(EXAMPLES / "base" / "l1-iem", other)
    (other / "protocol.pdf").unlink()
    assert run(["--root", str(tmp_path), "--format", "json", str(tmp_path / CASE)]) == 0
    assert [f["code"] for f in json.loads(capsys.readouterr().out)] == [
        "application.overlapping-application"
    ]
    assert run(["--root", str(tmp_path), "--format", "json", str(other)]) == 1
    assert "application.attachment-missing" in capsys.readouterr().out


def test_an_overlap_is_found_however_the_other_form_spells_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the forms that can name a requested dataset are loaded: one that writes the id
    with escapes or a folded line (its bytes nowhere in the file) is still loaded and seen."""
    build_root(VALID / "l1-aggregate", tmp_path)
    for n, spelling in enumerate(
        ['"\\x64s-iem-labs"', '"ds-iem-\\\n    labs"', '"ds-i\\u0065m-labs"']
    ):
        other = tmp_path / "submissions" / "2026" / f"A-2026-000{n + 1}"
        shutil.copytree(EXAMPLES / "base" / "l1-iem", other)
        form = other / "application.yaml"
        text = form.read_text("utf-8").replace("A-2026-0001", other.name)
        form.write_text(text.replace("dataset: ds-iem-labs", f"dataset: {spelling}"), "utf-8")
        assert b"ds-iem-labs" not in form.read_bytes()
    assert run(["--root", str(tmp_path), "--format", "json", str(tmp_path / CASE)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in found] == ["application.overlapping-application"] * 3
    named = sorted(m for f in found for m in re.findall(r"A-2026-000[123]", f["message"]))
    assert named == ["A-2026-0001", "A-2026-0002", "A-2026-0003"]


def test_a_draft_outside_submissions_is_checked_by_its_folder_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_root(VALID / "l1-aggregate", tmp_path / "repo")
    draft = tmp_path / "A-2026-0007"
    shutil.copytree(VALID / "l1-aggregate", draft, ignore=shutil.ignore_patterns("*.txt"))
    assert run(["--root", str(tmp_path / "repo"), "--format", "json", str(draft)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["code"]) for f in found] == [
        ("A-2026-0007/application.yaml", "application.id-folder-mismatch")
    ]


def test_unknown_paths_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_root(VALID / "l1-aggregate", tmp_path)
    (tmp_path / "notes.txt").write_text("not an application\n")
    assert run(["--root", str(tmp_path), str(tmp_path / "notes.txt")]) == 2
    assert "not a catalog folder" in capsys.readouterr().err
    assert run(["--root", str(tmp_path), str(tmp_path / "submissions" / "2026" / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def _cohortgate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cohortgate", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("kind", "case", "code"),
    [
        ("valid", "l2-genetic-enclave", 0),
        ("valid", "overlapping-open-application", 0),
        ("invalid", "email-cyrillic-lookalike", 1),
        ("invalid", "attachment-symlink", 1),
        ("invalid", "attachment-parent-path", 1),
        ("invalid", "missing-form", 1),
        ("invalid", "blacklist-malformed", 1),
    ],
)
def test_exit_codes_without_a_traceback(kind: str, case: str, code: int, tmp_path: Path) -> None:
    _, paths = build_root(EXAMPLES / kind / case, tmp_path)
    result = _cohortgate("validate", "--root", str(tmp_path), *map(str, paths))
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert code == 0 or "hint:" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_other_formats_as_a_process(fmt: str, tmp_path: Path) -> None:
    _, paths = build_root(INVALID / "email-zero-width", tmp_path)
    result = _cohortgate("validate", "--root", str(tmp_path), "--format", fmt, *map(str, paths))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "U+200B ZERO WIDTH SPACE" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    build_root(VALID / "l1-aggregate", tmp_path)
    result = _cohortgate("validate", "--root", str(tmp_path), str(tmp_path / "missing"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = _cohortgate("validate", "--root", str(tmp_path), "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_the_repository_validates_clean(repo_root: Path, repo_layout: Layout) -> None:
    """The catalog, its statistics and the example applications in submissions/."""
    assert sorted(p.name for p in (repo_root / "submissions" / "2026").iterdir()) >= [
        "A-2026-0001",
        "A-2026-0002",
    ]
    assert validate_applications(repo_layout) == []
    result = _cohortgate("validate", "--root", str(repo_root))
    assert (result.returncode, result.stdout) == (0, "no findings\n"), result.stderr
