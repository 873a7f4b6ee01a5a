"""The scheduled workflow that keeps one issue per due item: what it may do, and that it speaks
the marker and file names `cohortgate track --issues` writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cohortgate.lifecycle.issues import LABEL, MARKER_PREFIX, marker

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "track.yml"


def _workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    data["on"] = data.pop(True)
    return dict(data)


def test_runs_on_schedule_and_by_hand_only() -> None:
    assert set(_workflow()["on"]) == {"schedule", "workflow_dispatch"}


def test_only_the_issue_job_writes_and_it_runs_no_repository_code() -> None:
    workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read"}
    report, issues = workflow["jobs"]["report"], workflow["jobs"]["issues"]
    assert report["permissions"] == {"contents": "read"}
    assert issues["permissions"] == {"issues": "write"}
    assert issues["needs"] == "report"
    uses = [s.get("uses", "") for s in issues["steps"]]
    assert not [u for u in uses if u.startswith("actions/checkout@")]
    scripts = "\n".join(s.get("run", "") for s in issues["steps"])
    assert not re.search(r"^\s*(\S*/)?(cohortgate|python\S*|bash|sh)\s|\./", scripts, re.M)
    assert "${{" not in scripts


def test_the_workflow_finds_issues_by_the_marker_the_bodies_carry() -> None:
    scripts = "\n".join(s.get("run", "") for s in _workflow()["jobs"]["issues"]["steps"])
    assert f"<!-- {MARKER_PREFIX}(?<k>" in scripts
    assert f'"<!-- {MARKER_PREFIX}$key -->"' in scripts
    assert marker("A-2026-0001/outputs") == f"<!-- {MARKER_PREFIX}A-2026-0001/outputs -->"
    assert f"--label {LABEL}" in scripts
    key = re.search(r'\[\[ "\$key" =~ (\S+) \]\]', scripts)
    assert key is not None
    for good in ("A-2026-0001/outputs", "A-2026-0001/destruction-R-2026-0001-01"):
        assert re.fullmatch(key.group(1), good)
    assert not re.fullmatch(key.group(1), "A-2026-0001/x; rm -rf /")
    assert "--issues track-issues" in _workflow()["jobs"]["report"]["steps"][2]["run"]
