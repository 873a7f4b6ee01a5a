"""The review workflows cannot be turned against themselves (issue 4, item 6).

review.yml runs on ``pull_request`` with a read-only token, code and rules from the base commit
and the pull request as data; review-comment.yml runs on ``workflow_run`` with the one write
permission it needs, checks out nothing and treats the artifact as untrusted data
(ecosystem research §1.1, §1.4).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from github_files import GITHUB, load_workflow, steps

REVIEW = GITHUB / "workflows" / "review.yml"
COMMENT = GITHUB / "workflows" / "review-comment.yml"
BOTH = [REVIEW, COMMENT]
TRUSTED = 'cohortgate="$GITHUB_WORKSPACE/trusted/.venv/bin/cohortgate"'
SHA = re.compile(r"^[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<ref>[^@\s]+)@(?P<rev>\S+)(?P<comment>\s+#.*)?$")
VERSION_COMMENT = re.compile(r"^\s+#\s*v\d+(\.\d+)*\b")
# Text the pull request's author controls; never in a workflow expression at all.
PR_TEXT = re.compile(
    r"github\.event\.pull_request\.(title|body|head\.ref|head\.label|head\.repo\.|user\.)"
    r"|github\.head_ref|github\.event\.(issue|comment|review)\."
    r"|github\.event\.workflow_run\.(head_branch|display_title|head_commit|head_repository)"
)
EXPRESSION = re.compile(r"\$\{\{")
# What executes code from a checkout or an artifact.
EXECUTES = re.compile(
    r"pip\s+install|bootstrap|\bpython[0-9.]*\b|\bpytest\b|\bmake\b|\bnpm\b|\bnpx\b"
    r"|\bbash\b|\bsh\b|\bsource\b|\beval\b|(^|[;&|]\s*)\.\s|\./|\bchmod\b|\bmkdocs\b"
)


def code_lines(path: Path) -> list[str]:
    return [
        line for line in path.read_text("utf-8").splitlines() if not line.lstrip().startswith("#")
    ]


def runs(path: Path) -> list[dict[str, Any]]:
    return [s for s in steps(load_workflow(path)) if "run" in s]


def step(path: Path, name_part: str) -> dict[str, Any]:
    [found] = [s for s in steps(load_workflow(path)) if name_part in s.get("name", "")]
    return found


# --- both workflows ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    triggers = load_workflow(path)["on"]
    assert "pull_request_target" not in triggers
    assert not [line for line in code_lines(path) if "pull_request_target" in line]


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_every_action_is_pinned_by_sha(path: Path) -> None:
    used = [s["uses"] for s in steps(load_workflow(path)) if "uses" in s]
    lines = [m for line in code_lines(path) if (m := USES_LINE.match(line))]
    assert len(lines) == len(used), "every `uses:` on a line of its own"
    for m in lines:
        assert SHA.match(m["rev"]), f"{m['ref']}@{m['rev']}: pin the full commit SHA"
        assert m["comment"] and VERSION_COMMENT.match(m["comment"]), f"{m['ref']}: # vX.Y.Z"


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_no_pull_request_text_in_any_expression(path: Path) -> None:
    assert not [line for line in code_lines(path) if PR_TEXT.search(line)]


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_scripts_interpolate_nothing(path: Path) -> None:
    """Values reach scripts through env: only; a `${{ }}` in a script is the injection."""
    for s in runs(path):
        assert not EXPRESSION.search(s["run"]), s.get("name")


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_no_secrets(path: Path) -> None:
    text = path.read_text("utf-8")
    assert "secrets." not in text and "secrets:" not in text


@pytest.mark.parametrize("path", BOTH, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    for name, job in load_workflow(path)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), name


def test_the_comment_workflow_follows_the_review_workflow() -> None:
    review, comment = load_workflow(REVIEW), load_workflow(COMMENT)
    assert comment["on"] == {
        "workflow_run": {"workflows": [review["name"]], "types": ["completed"]}
    }
    upload = step(REVIEW, "Upload the comment")
    download = step(COMMENT, "Download")
    assert f"--name {upload['with']['name']} " in download["run"]


# --- review.yml --------------------------------------------------------------------------------


def test_review_runs_on_every_pull_request() -> None:
    """Governed paths reach beyond rubric/ and .github/ (approval/governed.py): no path filter
    may let a pull request that changes one skip the rule-change check."""
    assert load_workflow(REVIEW)["on"] == {"pull_request": None}


def test_review_token_reads_only() -> None:
    workflow = load_workflow(REVIEW)
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}


def review_checkouts() -> dict[str, dict[str, Any]]:
    found = {}
    for s in steps(load_workflow(REVIEW)):
        if str(s.get("uses", "")).startswith("actions/checkout@"):
            found[s["with"]["path"]] = s["with"]
    return found


def test_code_and_rules_come_from_the_base_commit() -> None:
    found = review_checkouts()
    assert set(found) == {"trusted", "pr"}
    assert found["trusted"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert found["pr"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert found["pr"]["fetch-depth"] == 0, "the signed commits: the whole history"
    for checkout in found.values():
        assert checkout["persist-credentials"] is False
    copy = step(REVIEW, "Governance data")["run"]
    assert (
        "rm -rf pr/rubric pr/catalog" in copy and "cp -a trusted/rubric trusted/catalog pr/" in copy
    )


def test_the_rules_are_checked_before_they_are_replaced() -> None:
    names = [s.get("name", "") for s in steps(load_workflow(REVIEW))]
    rules = next(i for i, n in enumerate(names) if "Changes to the rules" in n)
    assert rules < names.index("Governance data from the base commit")


def untrusted_lines(s: dict[str, Any]) -> list[str]:
    """The lines of a run step that act on the pull request's checkout."""
    script = str(s.get("run", ""))
    if str(s.get("working-directory", "")).startswith("pr"):
        return script.splitlines()
    return [line for line in script.splitlines() if re.search(r"(^|[\s\"'=/])pr(/|\b)", line)]


def test_the_pull_request_is_never_installed_or_run() -> None:
    for s in runs(REVIEW):
        for line in untrusted_lines(s):
            assert not EXECUTES.search(line), f"{s.get('name')}: {line.strip()!r} runs PR code"
    install = step(REVIEW, "Install cohortgate")
    assert install["run"].strip() == "bash trusted/scripts/bootstrap"
    assert install["env"] == {"COHORTGATE_SKIP_NODE": "1"}
    assert "working-directory" not in install


def test_cohortgate_is_the_trusted_console_script() -> None:
    calling = [s for s in runs(REVIEW) if "cohortgate" in s["run"] and "$cohortgate" in s["run"]]
    assert len(calling) == 2
    for s in calling:
        script = s["run"]
        assert s["working-directory"] == "pr"
        assert script.splitlines()[0] == TRUSTED
        assert re.search(r"^\s*(if !\s+)?cohortgate\s", script, re.M) is None
        assert "python -m" not in script and "pr/.venv" not in script


def joined(script: str) -> str:
    """The script with its continued lines (``\\`` at the end) joined."""
    return re.sub(r"\s*\\\n\s*", " ", script)


def test_the_review_commands() -> None:
    rules = joined(step(REVIEW, "Changes to the rules")["run"])
    assert (
        '"$cohortgate" rule-changes --root . --base "$BASE_SHA" --head "$HEAD_SHA" '
        "--format github" in rules
    )
    script = joined(step(REVIEW, "Review the changed applications")["run"])
    assert '--base "$BASE_SHA" --head "$HEAD_SHA" --null >' in script
    assert "mapfile -d '' folders" in script
    assert (
        '"$cohortgate" fetch-reviews --repository "$GITHUB_REPOSITORY" '
        '--pr "$PR_NUMBER" --out "$reviews"' in script
    )
    assert (
        '"$cohortgate" review --root . --base "$BASE_SHA" --head "$HEAD_SHA" '
        '--head-sha "$HEAD_SHA" --github-reviews "$reviews" --format markdown '
        '-- "$folder" >> "$report"' in script
    )
    assert 'cat "$report" >> "$GITHUB_STEP_SUMMARY"' in script


def test_values_reach_the_scripts_through_env() -> None:
    [job] = load_workflow(REVIEW)["jobs"].values()
    assert job["env"] == {
        "COHORTGATE_NO_CACHE": "1",  # a pull request's build/ is never believed
        "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
        "PR_NUMBER": "${{ github.event.pull_request.number }}",
    }
    with_token = [s for s in steps(load_workflow(REVIEW)) if "GITHUB_TOKEN" in s.get("env", {})]
    assert [s["env"]["GITHUB_TOKEN"] for s in with_token] == ["${{ github.token }}"]
    assert "fetch-reviews" in with_token[0]["run"]


def test_the_comment_is_uploaded_even_when_the_review_fails() -> None:
    for name in ("Hand the comment", "Upload the comment"):
        assert step(REVIEW, name)["if"] == "${{ !cancelled() }}"
    assert "review-comment/pr-number" in step(REVIEW, "Hand the comment")["run"]
    assert step(REVIEW, "Upload the comment")["uses"].startswith("actions/upload-artifact@")


# --- review-comment.yml ------------------------------------------------------------------------


def test_comment_token_writes_comments_only() -> None:
    """The workflow grants nothing; the one job that comments holds the one write."""
    workflow = load_workflow(COMMENT)
    assert workflow["permissions"] == {}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "pull_request" in job["if"] and "workflow_run.event" in job["if"]


def test_comment_checks_out_and_runs_nothing() -> None:
    workflow = load_workflow(COMMENT)
    assert [s for s in steps(workflow) if "uses" in s] == [], "no action, no checkout"
    for s in runs(COMMENT):
        assert "working-directory" not in s
        for line in s["run"].splitlines():
            assert not EXECUTES.search(line), f"{s.get('name')}: {line.strip()!r}"
            assert not re.search(r"\bgit\s", line), line


def test_comment_treats_the_artifact_as_data() -> None:
    check = step(COMMENT, "Check the report")["run"]
    assert r'"$number" =~ ^[1-9][0-9]{0,9}$' in check
    assert '[ "$head" != "$RUN_HEAD_SHA" ]' in check, "only the run's own pull request"
    assert '[ -L "$dir/$name" ]' in check and "iconv -f UTF-8 -t UTF-8" in check
    [job] = load_workflow(COMMENT)["jobs"].values()
    assert 0 < int(job["env"]["MAX_BYTES"]) <= 65536
    assert job["env"]["MARKER"].startswith("<!--") and job["env"]["MARKER"].endswith("-->")
    post = step(COMMENT, "Create or update")["run"]
    assert "jq -Rs '{body: .}'" in post and post.count('--input "$RUNNER_TEMP/payload.json"') == 2
    assert "-f body" not in post and "-F body" not in post
    assert 'select(.user.login == "github-actions[bot]")' in post
    assert "startswith(env.MARKER)" in post


# --- the guards above can fail -----------------------------------------------------------------


def test_the_guards_catch_the_classic_mistakes() -> None:
    assert PR_TEXT.search('run: echo "${{ github.event.pull_request.title }}"')
    assert PR_TEXT.search("ref: ${{ github.head_ref }}")
    assert not PR_TEXT.search("${{ github.event.pull_request.head.sha }}")
    for bad in (
        {"run": "pip install ./pr"},
        {"run": "bash pr/scripts/bootstrap"},
        {"run": "cd pr && python -m cohortgate review"},
        {"run": ". ./review.sh", "working-directory": "pr"},
    ):
        assert any(EXECUTES.search(line) for line in untrusted_lines(bad)), bad
    assert USES_LINE.match("      - uses: actions/checkout@v4") is not None
    assert not SHA.match("v4")


# --- actionlint, where installed -----------------------------------------------------------------


def test_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed")
    result = subprocess.run(
        [actionlint, "-no-color", *(str(p) for p in BOTH)],
        capture_output=True,
        text=True,
        check=False,
        cwd=GITHUB.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
