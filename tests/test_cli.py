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


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_a_command_parses_alike_with_only_itself_set_up(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the arguments, only the command they run is imported; its help and its options
    are those of the whole parser, and the others are still known by name."""
    command = name.replace("_", "-")
    argv = ["--lang", "en", command, "--help"]
    helps = []
    for parser in (build_parser(), build_parser(argv)):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
        helps.append(capsys.readouterr().out)
    assert helps[0] == helps[1] and command in helps[0]
    with pytest.raises(SystemExit):
        build_parser(argv).parse_args(["no-such-command"])
    choices = capsys.readouterr().err
    assert all(f"'{n.replace('_', '-')}'" in choices for n in SUBCOMMANDS)


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


def test_validate_reports_hand_edited_statistics_once(repo_root: Path, tmp_path: Path) -> None:
    """A small count revealed by hand and a truncated file: located findings, exit 1."""
    import json
    import shutil

    shutil.copytree(repo_root / "catalog", tmp_path / "catalog")
    shutil.copy(repo_root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    stats = sorted((tmp_path / "catalog" / "stats").glob("*.json"))
    data = json.loads(stats[0].read_text("utf-8"))
    cell = next(c for t in data["tables"] for c in t["cells"] if c["value"] is None)
    cell.update(value=3, suppressed=False)
    stats[0].write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    stats[1].write_text('{"dataset": ', "utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cohortgate",
            "validate",
            "--root",
            str(tmp_path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    small = [f for f in findings if f["code"] == "privacy.small-cell"]
    assert len(small) == 1 and small[0]["file"] == f"catalog/stats/{stats[0].name}"
    assert small[0]["line"] > 1 and "cohortgate stats" in small[0]["hint"]
    assert [f["code"] for f in findings if f["file"].endswith(stats[1].name)] == ["json.syntax"]
