"""The workflows and issue templates against GitHub's schemas, as check-jsonschema vendors them
(SchemaStore copies inside the package: offline). Skipped when check-jsonschema is missing."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from github_files import GITHUB, WORKFLOWS

TEMPLATES = GITHUB / "ISSUE_TEMPLATE"
CASES = [
    ("github-workflows", WORKFLOWS),
    ("github-issue-forms", sorted(p for p in TEMPLATES.glob("*.yml") if p.name != "config.yml")),
    ("github-issue-config", [TEMPLATES / "config.yml"]),
]


def check(schema: str, files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    except ModuleNotFoundError:
        pytest.skip("check-jsonschema is not installed")
    if not vendor.joinpath(f"{schema}.json").is_file():
        pytest.skip(f"this check-jsonschema does not vendor the {schema} schema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", f"vendor.{schema}"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,  # nothing to pick up from the repository
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(("schema", "files"), CASES, ids=[c[0] for c in CASES])
def test_valid_per_githubs_schema(schema: str, files: list[Path], tmp_path: Path) -> None:
    assert files
    result = check(schema, files, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_a_broken_workflow_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text("utf-8").replace("runs-on:", "runs_on:", 1), "utf-8")
    result = check("github-workflows", [broken], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
