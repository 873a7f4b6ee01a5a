"""Every workflow: least privilege, pinned actions, timeouts; the applications workflow: PR
content is data, never code (ecosystem research §1.4)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from github_files import GITHUB, WORKFLOWS, load_workflow, steps

APPLICATIONS = GITHUB / "workflows" / "applications.yml"
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<ref>\S+?)@(?P<rev>\S+)(?P<comment>\s+#.*)?$")
BASE_SHA = "${{ github.event.pull_request.base.sha }}"
SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+#\s*v\d+(\.\d+)*\b")
# What executes code from a checkout: installers, interpreters, build tools, test runners.
EXECUTES = re.compile(
    r"pip\s+install|bootstrap|\bpython[0-9.]*\b|\bpytest\b|\bmake\b|\bnpm\b|\bnpx\b"
    r"|\bbash\b|\bsh\b|\bsource\b|(^|[;&|]\s*)\.\s|\./|\bmkdocs\b|\bpre-commit\b"
)


# The one workflow that writes: it posts the review comment from a `workflow_run`, checks out
# nothing and treats the artifact as data (tests/github/test_review_workflows.py holds it to that).
COMMENTER = "review-comment.yml"
READ_ONLY = [p for p in WORKFLOWS if p.name != COMMENTER]
# The one job that may write elsewhere: track.yml's `issues` job opens and updates the lifecycle
# issues; it checks nothing out and runs only gh and jq (tests/lifecycle/test_track_workflow.py).
WRITERS = {("track.yml", "issues"): {"issues": "write"}}


def test_there_are_workflows() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "applications.yml", "review.yml", COMMENTER} <= names


@pytest.mark.parametrize("path", READ_ONLY, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load_workflow(path)
    assert workflow.get("permissions") == {"contents": "read"}, "top level: contents: read only"
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        if (path.name, name) in WRITERS:
            assert granted == WRITERS[(path.name, name)], name
            continue
        assert "write" not in (granted.values() if isinstance(granted, dict) else [granted]), name


@pytest.mark.parametrize("path", READ_ONLY, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    workflow = load_workflow(path)
    triggers = workflow["on"]
    names = set(triggers) if isinstance(triggers, dict | list) else {triggers}
    assert not names & {"pull_request_target", "workflow_run"}
    code = [
        line for line in path.read_text("utf-8").splitlines() if not line.lstrip().startswith("#")
    ]
    assert not [line for line in code if "pull_request_target" in line]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_by_sha_with_a_version_comment(path: Path) -> None:
    used = [s["uses"] for s in steps(load_workflow(path)) if "uses" in s]
    lines = [m for line in path.read_text("utf-8").splitlines() if (m := USES_LINE.match(line))]
    assert len(lines) == len(used), "every `uses:` on a line of its own"
    for m in lines:
        assert SHA.match(m["rev"]), f"{m['ref']}@{m['rev']}: pin the full commit SHA"
        assert m["comment"] and VERSION_COMMENT.match(m["comment"]), f"{m['ref']}: # vX.Y.Z"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    for name, job in load_workflow(path)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_is_named_as_its_id(path: Path) -> None:
    """Named (zizmor's anonymous-definition), and by its id: the checks keep their names."""
    for job_id, job in load_workflow(path)["jobs"].items():
        assert job.get("name") == job_id, job_id


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_keep_the_token(path: Path) -> None:
    for step in steps(load_workflow(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, step.get("name")


def applications() -> dict[str, Any]:
    return load_workflow(APPLICATIONS)


def test_applications_runs_on_pull_requests_that_touch_submissions() -> None:
    assert applications()["on"] == {"pull_request": {"paths": ["submissions/**"]}}


def test_applications_uses_no_secrets() -> None:
    text = APPLICATIONS.read_text("utf-8")
    assert "secrets." not in text and "secrets:" not in text
    assert "GITHUB_TOKEN" not in text and "github.token" not in text


def checkouts() -> dict[str, dict[str, Any]]:
    """Checkout steps of the applications workflow by their ``path``."""
    found = {}
    for step in steps(applications()):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            found[step["with"]["path"]] = step["with"]
    return found


def test_code_comes_from_the_base_commit() -> None:
    found = checkouts()
    trusted = [p for p, w in found.items() if w.get("ref") == BASE_SHA]
    assert trusted == ["trusted"]
    assert set(found) == {"trusted", "pr"}
    assert "ref" not in found["pr"], "the pull request: GitHub's merge commit"


def untrusted_lines(step: dict[str, Any]) -> list[str]:
    """The lines of a run step that act on the pull request's checkout."""
    script = str(step.get("run", ""))
    if str(step.get("working-directory", "")).startswith("pr"):
        return script.splitlines()
    return [line for line in script.splitlines() if re.search(r"(^|[\s\"'=/])pr(/|\b)", line)]


def test_the_pull_request_is_never_installed_or_run() -> None:
    runs = [s for s in steps(applications()) if "run" in s]
    assert runs
    for step in runs:
        for line in untrusted_lines(step):
            assert not EXECUTES.search(line), f"{step.get('name')}: {line.strip()!r} runs PR code"
    install = next(s for s in runs if "bootstrap" in s["run"])
    assert install["run"].strip() == "bash trusted/scripts/bootstrap"
    assert "working-directory" not in install


def test_cohortgate_is_the_trusted_console_script() -> None:
    validate = next(s for s in steps(applications()) if "validate" in str(s.get("run", "")))
    script = validate["run"]
    assert validate["working-directory"] == "pr"
    assert 'cohortgate="$GITHUB_WORKSPACE/trusted/.venv/bin/cohortgate"' in script
    assert re.search(r"^\s*cohortgate\s", script, re.M) is None, "only the trusted path"
    assert "${{" not in script, "no expression interpolated into the script"
    assert '--format github -- "${folders[@]}"' in script
    assert '--format markdown -- "${folders[@]}"' in script and "GITHUB_STEP_SUMMARY" in script


def test_the_untrusted_line_finder_finds(tmp_path: Path) -> None:
    """The guard above would catch the classic mistakes."""
    for bad in (
        {"run": "pip install ./pr"},
        {"run": "bash pr/scripts/bootstrap"},
        {"run": "cd pr && python -m cohortgate validate"},
        {"run": "pytest", "working-directory": "pr"},
    ):
        assert any(EXECUTES.search(line) for line in untrusted_lines(bad)), bad
    assert not any(EXECUTES.search(x) for x in untrusted_lines({"run": "rm -rf pr/rubric"}))
