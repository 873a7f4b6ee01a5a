"""The applications workflow dates a submission by the pull request's creation time, which
GitHub records and the applicant cannot set, passed to `cohortgate validate --received` through
`env:` (never `${{ }}` inside a script) (issue item 4)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "applications.yml"
CREATED = "${{ github.event.pull_request.created_at }}"


def _validate_step() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    steps = [s for job in data["jobs"].values() for s in job.get("steps", [])]
    return next(s for s in steps if "validate" in s.get("run", "") and "changed" in s["run"])


def test_the_creation_time_comes_through_env() -> None:
    step = _validate_step()
    names = [name for name, value in step.get("env", {}).items() if value == CREATED]
    assert len(names) == 1, step.get("env")
    script = step["run"]
    assert "${{" not in script
    lines = [shlex.split(line.rstrip(" \\")) for line in script.splitlines() if line.strip()]
    given = [w for w in lines if w[0].startswith("received=")]
    assert given == [["received=(--received", f"${names[0]})"]], given
    calls = [w for w in lines if w[:2] == ["$cohortgate", "validate"]]
    assert len(calls) == 2  # the annotations and the job summary
    assert all("${received[@]}" in words for words in calls), calls


def test_the_validate_cli_takes_what_github_writes() -> None:
    from datetime import date

    from cohortgate.applications.dating import received_day

    # GitHub's created_at: UTC with a Z; counted on the cohort's calendar (UTC+08:00)
    assert received_day("2026-03-04T15:59:59Z") == date(2026, 3, 4)
    assert received_day("2026-03-04T16:00:00Z") == date(2026, 3, 5)
