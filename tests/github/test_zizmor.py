"""zizmor, the GitHub Actions static analyser, finds nothing in the workflows (auditor persona,
offline), as scripts/test runs it; every deliberate exception is an inline ignore with its reason;
and the check can fail: a workflow made worse on purpose is reported."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from github_files import GITHUB, ROOT, WORKFLOWS

IGNORE = re.compile(r"#\s*zizmor:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")
# The deliberate exceptions, and where they are: the one `workflow_run` (the privileged half of
# review.yml, which checks out and runs nothing) and the container images whose digest could not
# be looked up offline. A new ignore must be added here, with its reason in the workflow.
EXPECTED_IGNORES = {
    ("review-comment.yml", "dangerous-triggers", "workflow_run:"): 1,
    ("applications.yml", "unpinned-images", "container: python:3.11.7-bookworm"): 1,
    ("ci.yml", "unpinned-images", "container: python:3.11.7-bookworm"): 1,
    ("review.yml", "unpinned-images", "container: python:3.11.7-bookworm"): 1,
    ("track.yml", "unpinned-images", "container: python:3.11.7-bookworm"): 1,
}


def zizmor_binary() -> str:
    """The pinned zizmor of the project's virtualenv (requirements.lock), else one on PATH."""
    here = Path(sys.executable).parent / "zizmor"
    found = str(here) if here.is_file() else shutil.which("zizmor")
    assert found, "zizmor is missing: run `bash scripts/bootstrap` (it is in requirements.lock)"
    return found


def zizmor(workflows: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """zizmor as scripts/test runs it: offline, auditor persona; no GitHub token reaches it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "GH_HOST"}
    }
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [
            zizmor_binary(),
            "--offline",
            "--persona",
            "auditor",
            "--no-progress",
            "--color",
            "never",
            *extra,
            str(workflows),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=workflows.parent.parent,
        env=env,
        timeout=120,
    )


def findings(workflows: Path) -> tuple[int, list[str]]:
    """zizmor's exit code and the rules of the findings it did not ignore."""
    result = zizmor(workflows, "--format", "json")
    assert result.stdout.strip(), result.stderr
    return result.returncode, [f["ident"] for f in json.loads(result.stdout) if not f["ignored"]]


def test_the_workflows_are_clean() -> None:
    result = zizmor(GITHUB / "workflows")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_every_ignore_has_a_reason_and_is_one_of_the_known_exceptions() -> None:
    seen: Counter[tuple[str, str, str]] = Counter()
    for path in WORKFLOWS:
        for line in path.read_text("utf-8").splitlines():
            if not (m := IGNORE.search(line)):
                continue
            reason = m["reason"].strip()
            assert len(reason.split()) >= 3, f"{path.name}: {line.strip()!r} gives no reason"
            code = line[: m.start()].strip()
            for rule in m["rules"].split(","):
                seen[(path.name, rule.strip(), code)] += 1
    assert dict(seen) == EXPECTED_IGNORES


# --- the check can fail --------------------------------------------------------------------------


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return change


INJECTION_STEP = (
    "      - name: Greet\n"
    '        run: echo "${{ github.event.pull_request.title }}"\n'
    "      - name: Trusted code (the base commit)\n"
)

BAD_CHANGES = {
    "write-all": (
        "ci.yml",
        replace("permissions:\n  contents: read\n", "permissions: write-all\n"),
        "excessive-permissions",
    ),
    "template-injection": (
        "applications.yml",
        replace("      - name: Trusted code (the base commit)\n", INJECTION_STEP),
        "template-injection",
    ),
    "write-at-workflow-level": (
        "review-comment.yml",
        replace("permissions: {}\n", "permissions:\n  pull-requests: write\n"),
        "excessive-permissions",
    ),
    "workflow-run-without-its-ignore": (
        "review-comment.yml",
        lambda text: re.sub(r"(workflow_run:) # zizmor: ignore\[[^\]]*\].*", r"\1", text),
        "dangerous-triggers",
    ),
    "checkout-keeps-the-token": (
        "ci.yml",
        replace("          persist-credentials: false\n", ""),
        "artipacked",
    ),
    "action-pinned-by-tag": (
        "track.yml",
        replace(
            "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
            "actions/upload-artifact@v4",
        ),
        "unpinned-uses",
    ),
}


@pytest.mark.parametrize("case", BAD_CHANGES, ids=str)
def test_a_workflow_made_worse_is_reported(case: str, tmp_path: Path) -> None:
    name, change, rule = BAD_CHANGES[case]
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    original = (GITHUB / "workflows" / name).read_text("utf-8")
    (workflows / name).write_text(original, "utf-8")
    assert findings(workflows) == (0, []), "the copy alone is clean"
    (workflows / name).write_text(change(original), "utf-8")
    code, rules = findings(workflows)
    assert rule in rules, rules
    assert code != 0, "scripts/test fails on any finding"


def test_scripts_test_runs_zizmor_after_ruff() -> None:
    script = (ROOT / "scripts" / "test").read_text("utf-8")
    ruff = script.index('echo "==> ruff"')
    zizmor_line = next(line for line in script.splitlines() if line.startswith(".venv/bin/zizmor "))
    assert script.index(zizmor_line) > ruff
    for flag in ("--offline", "--persona auditor", ".github/workflows"):
        assert flag in zizmor_line
    assert "--no-exit-codes" not in zizmor_line and "|| true" not in zizmor_line
