"""The CLI is a thin adapter: exit codes, help, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cohortgate.cli import SUBCOMMANDS, build_parser, main


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    text = parser.format_help()
    for name in SUBCOMMANDS:
        assert name.replace("_", "-") in text


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_unknown_command_exits_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_schemas_check_runs_as_a_process(repo_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cohortgate", "schemas", "--check", "--root", str(repo_root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
