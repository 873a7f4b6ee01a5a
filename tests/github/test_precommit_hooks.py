""".pre-commit-hooks.yaml is what src/cohortgate/ci/precommit.py generates, and each hook's entry
is a command the CLI accepts."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from github_files import ROOT

from cohortgate.ci.precommit import FILE_NAME, HOOKS, main, render_hooks
from cohortgate.cli import SUBCOMMANDS, build_parser


def test_committed_file_is_current() -> None:
    assert (ROOT / FILE_NAME).read_text("utf-8") == render_hooks(), (
        "run `python -m cohortgate.ci.precommit` and commit the result"
    )


def test_check_detects_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--root", str(tmp_path), "--check"]) == 0
    assert (tmp_path / FILE_NAME).read_text("utf-8") == render_hooks()


def test_hooks_as_pre_commit_reads_them() -> None:
    hooks = yaml.safe_load(render_hooks())
    assert [h["id"] for h in hooks] == ["cohortgate-validate", "cohortgate-schemas"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # pre-commit pip-installs this repository


def test_entries_are_cli_commands() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    for hook in HOOKS:
        program, command, *args = hook.entry.split()
        assert program in scripts
        assert command.replace("-", "_") in SUBCOMMANDS
        files = ["submissions/2026/A-2026-0001/application.yaml"] if hook.pass_filenames else []
        build_parser().parse_args([command, *args, *files])


def test_validate_hook_sees_applications_only() -> None:
    validate = next(h for h in HOOKS if h.id == "cohortgate-validate")
    assert validate.pass_filenames
    pattern = re.compile(validate.files)
    assert pattern.search("submissions/2026/A-2026-0001/application.yaml")
    assert pattern.search("submissions/2026/A-2026-0001/application.yml")
    assert not pattern.search("submissions/2026/A-2026-0001/protocol.pdf")
    assert not pattern.search("catalog/datasets/ds-registry-core.yaml")
