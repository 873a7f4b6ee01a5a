"""`cohortgate track` and `cohortgate event` as commands (built from their own modules: the lead
registers them in cli/__init__.py)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lifecycle_world import RELEASE, LifeWorld
from review_world import APPLICANT_EMAIL, FOLDER

import cohortgate
from cohortgate.cli import LEAVE_AT_ONCE
from cohortgate.cli import event as event_cli
from cohortgate.cli import track as track_cli


def _run(module: object, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)  # type: ignore[attr-defined]
    return module.run(parser.parse_args(argv))  # type: ignore[attr-defined,no-any-return]


def test_text_report_exits_0_with_refused_events(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    life.released()
    life.outputs("2027-05-20", signer="intruder")
    root = str(life.world.root)
    assert _run(track_cli, ["--root", root, "--today", "2027-06-20"]) == 0
    out = capsys.readouterr().out
    assert "A-2026-0001  tracking since 2026-12-10 (period ends 2027-06-10, 0 extension(s))" in out
    assert "OVERDUE 2027-06-10" in out and "applicant" in out
    assert "lifecycle.event-unsigned" in out
    assert out.rstrip().endswith("2 application(s), 2 item(s) due, 1 overdue, 1 finding(s)")
    assert _run(track_cli, ["--root", root, "--today", "2027-06-20", "--check"]) == 1


def test_json_markdown_and_issues(
    life: LifeWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    life.released()
    root = str(life.world.root)
    argv = ["--root", root, "--today", "2027-06-01", "--check"]
    assert _run(track_cli, [*argv, "--format", "json", "--issues", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["due"] == [
        {
            "key": "A-2026-0001/outputs",
            "application": "A-2026-0001",
            "what": "outputs",
            "due": "2027-06-10",
            "actor": "applicant",
            "overdue": False,
            "detail": "file charts, manuscript and citation",
        }
    ]
    listed = json.loads((tmp_path / "issues.json").read_text("utf-8"))
    assert [x["key"] for x in listed] == ["A-2026-0001/outputs"]
    assert _run(track_cli, [*argv, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "| A-2026-0001/outputs | 2027-06-10 | applicant |" in markdown


def test_usage_errors_exit_2(
    life: LifeWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = str(life.world.root)
    assert _run(track_cli, ["--root", root, "--today", "June"]) == 2
    assert "--today 'June' is not a date" in capsys.readouterr().err
    assert _run(track_cli, ["--root", root, "--base", "no-such-ref"]) == 2
    assert _run(track_cli, ["--root", str(tmp_path)]) == 2


def test_event_writes_the_digests_and_the_signed_event_counts(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    life.released()
    life.commit({f"{FOLDER}/events/outputs/manuscript.pdf": "%PDF manuscript"})
    root = str(life.world.root)
    argv = [
        "A-2026-0001",
        "outputs",
        "--root",
        root,
        "--by",
        APPLICANT_EMAIL,
        "--today",
        "2027-05-20",
        "--attach",
        "outputs/manuscript.pdf",
        "--citation",
        "Data: the pediatric rare-disease cohort.",
    ]
    assert _run(event_cli, argv) == 0
    path = f"{FOLDER}/events/2027-05-20-outputs.yaml"
    assert f"wrote {path}" in capsys.readouterr().out
    text = (life.world.root / path).read_text("utf-8")
    assert "outputs/manuscript.pdf: " in text
    life.commit({path: text}, signer="applicant", when="2027-05-20T10:00:00+00:00")
    assert life.life().state is not None and life.life().state.value == "outputs_filed"
    assert _run(event_cli, argv) == 0  # a second one that day gets -2
    assert (life.world.root / f"{FOLDER}/events/2027-05-20-outputs-2.yaml").is_file()


def test_event_refuses_what_would_not_load(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(life.world.root)
    base = ["A-2026-0001", "--root", root, "--today", "2027-05-01"]
    assert _run(event_cli, [*base[:1], "extension-request", *base[1:], "--by", "x@y.org"]) == 1
    assert "needs: reasons, new_end" in capsys.readouterr().err
    argv = [*base[:1], "outputs", *base[1:], "--by", "x@y.org", "--attach", "missing.pdf"]
    assert _run(event_cli, argv) == 1
    assert "is not committed at HEAD" in capsys.readouterr().err
    destruction = ["destruction-verified", *base[1:], "--by", "erin", "--release", RELEASE]
    assert _run(event_cli, ["A-2026-9999", *destruction]) == 2


def test_the_process_leaves_at_once_with_everything_said(
    life: LifeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m cohortgate track`` ends its process without tearing the heap down
    (``cli.LEAVE_AT_ONCE``): what it printed to a pipe, and its exit code, are all there."""
    life.released()
    life.outputs("2027-05-20", signer="intruder")
    root = str(life.world.root)
    argv = ["track", "--root", root, "--today", "2027-06-20", "--check"]
    assert _run(track_cli, argv[1:]) == 1
    expected = capsys.readouterr().out
    env = {**os.environ, "PYTHONPATH": str(Path(cohortgate.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "cohortgate", *argv], capture_output=True, text=True, env=env
    )
    assert (done.returncode, done.stdout) == (1, expected)
    assert "track" in LEAVE_AT_ONCE
