"""Changes to the rules need both chairs (R13): ``cohortgate rule-changes``.

The rubric, the roster, the blacklist (``rubric/``), the code owners and the workflows
(``.github/``) decide what counts as an approval. A pull request that changes any of them could
otherwise approve itself: add its author to the roster, lower a threshold, or make the review job
run its own code. So such a change is accepted only with a signed approval by each chair of the
BASE roster: ``rubric/approvals/<chair-id>.yaml``, changed in the pull request, signed by that
chair in a commit touching only that file, listing every governed path the pull request changes
with the SHA-256 of its new content (or null when it is deleted). An approval of other content,
of an earlier push, or of another pull request does not match and does not count.
"""

from __future__ import annotations

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.findings import Finding
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import changed_between, read_blob, sha256
from cohortgate.models.review import ChangeApproval
from cohortgate.models.roster import Roster
from cohortgate.signatures.signed_files import chair_ids, signed_by

APPROVALS = "rubric/approvals/"
GOVERNED = ("rubric/", ".github/")


def approval_path(chair: str) -> str:
    return f"{APPROVALS}{chair}.yaml"


def governed_changes(repo: Repo, base: Commit, head: Commit) -> dict[str, str | None]:
    """{governed path changed from base to head: SHA-256 at head, or None when deleted}."""
    changes: dict[str, str | None] = {}
    for path in changed_between(repo, base, head):
        if path.startswith(GOVERNED) and not path.startswith(APPROVALS):
            data = read_blob(head, path)
            changes[path] = None if data is None else sha256(data)
    return changes


def rule_change_findings(repo: Repo, base: Commit, head: Commit, roster: Roster) -> list[Finding]:
    """Findings when governed files change without both chairs' signed approval.

    ``roster`` is the BASE branch's roster: a pull request cannot name its own chairs.
    """
    expected = governed_changes(repo, base, head)
    if not expected:
        return []
    changed = set(changed_between(repo, base, head))
    findings: list[Finding] = []
    listed = ", ".join(expected)
    for chair in chair_ids(roster):
        path = approval_path(chair)
        problem = _approval_problem(repo, head, path, chair, roster, expected, changed)
        if problem:
            findings.append(
                C.RULE_CHANGE_UNAPPROVED.at(
                    path,
                    problem=f"this change to {listed} needs the approval of chair '{chair}': "
                    + problem,
                    base=base.hexsha[:12],
                )
            )
    return findings


def _approval_problem(
    repo: Repo,
    head: Commit,
    path: str,
    chair: str,
    roster: Roster,
    expected: dict[str, str | None],
    changed: set[str],
) -> str | None:
    if path not in changed:
        return f"{path} is not part of this change"
    data = read_blob(head, path)
    if data is None:
        return f"{path} was deleted"
    approval, _doc, findings = load_model(data, path, ChangeApproval)
    if approval is None:
        return (
            f"{path} is not a valid approval ({findings[0].message if findings else 'unreadable'})"
        )
    if approval.chair != chair:
        return f"{path} names '{approval.chair}', not '{chair}'"
    signed = signed_by(repo, head, path, roster)
    if signed.problem is not None:
        return signed.problem
    if signed.member is None or signed.member.id != chair:
        who = signed.member.id if signed.member else "nobody"
        return f"{path} is signed by '{who}', not by '{chair}'"
    if dict(approval.changes) != expected:
        wrong = sorted(
            p
            for p in set(expected) | set(approval.changes)
            if approval.changes.get(p, "absent") != expected.get(p, "absent")
        )
        return f"the approval does not match the change (differs for: {', '.join(wrong)})"
    return None
