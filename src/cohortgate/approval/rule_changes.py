"""Changes to the rules need both chairs (R13): ``cohortgate rule-changes``.

What is governed is listed, with the reason for each entry, in ``approval.governed``: the rubric,
the roster and the blacklist, the workflows and every code-owner file GitHub reads, the policy,
approval, signature and scoring code, each dataset's privacy classes, release levels and use
conditions, and the list itself. A pull request that changes any of it could otherwise approve
itself: add its author to the roster, lower a threshold, turn an identifier into L2 data. So such
a change is accepted only with a signed approval by each chair of the BASE roster:
``rubric/approvals/<chair-id>.yaml``, changed in the pull request, signed by that chair in a commit
touching only that file, listing every governed path the pull request changes with the SHA-256
of its new content (or null when it is deleted). An approval of other content, of an earlier
push, or of another pull request does not match and does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.governed import APPROVALS, GovernedChange, governed_changes_of
from cohortgate.approval.phrases import joined
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import changed_between, read_blob
from cohortgate.models.review import ChangeApproval
from cohortgate.models.roster import Roster
from cohortgate.signatures.signed_files import chair_ids, signed_by


def approval_path(chair: str) -> str:
    return f"{APPROVALS}{chair}.yaml"


@dataclass(frozen=True)
class ChairApproval:
    """One chair's approval of the change, judged."""

    chair: str
    path: str  # rubric/approvals/<chair>.yaml
    problem: Both | None  # None: the chair approved exactly this change
    covers: frozenset[str]  # governed paths whose new content the chair's signed approval lists


@dataclass(frozen=True)
class RuleChangeStatus:
    """The governed changes of a pull request and each chair's approval of them."""

    base: str
    changes: tuple[GovernedChange, ...]
    approvals: tuple[ChairApproval, ...]

    @property
    def approved(self) -> bool:
        """True when nothing governed changed, or every chair approved exactly this change."""
        return all(a.problem is None for a in self.approvals)

    def approved_by(self, path: str) -> list[str]:
        return [a.chair for a in self.approvals if path in a.covers]

    def findings(self) -> list[Finding]:
        """One finding per chair whose approval is missing or does not match, at the approval."""
        listed = ", ".join(c.path for c in self.changes)
        return [
            C.RULE_CHANGE_UNAPPROVED.at(
                a.path,
                problem=Both(
                    zh=f"对 {listed} 的这一改动须经主任委员“{a.chair}”批准：{a.problem.zh}",
                    en=f"this change to {listed} needs the approval of chair '{a.chair}': "
                    + a.problem.en,
                ),
                base=self.base[:12],
            )
            for a in self.approvals
            if a.problem is not None
        ]

    def located_findings(self) -> list[Finding]:
        """When the change is not approved: one finding at each governed change (the field's
        line for a dataset), saying what is governed there and which chairs have not approved."""
        if self.approved:
            return []
        found = []
        for change in self.changes:
            missing = [a.chair for a in self.approvals if change.path not in a.covers]
            found.append(
                C.GOVERNED_CHANGE_UNAPPROVED.at(
                    change.path,
                    change.line,
                    change.column,
                    why=joined(change.why),
                    missing=", ".join(missing) or _NONE_MISSING,
                    base=self.base[:12],
                )
            )
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "approved": self.approved,
            "changes": [
                {
                    "path": c.path,
                    "sha256": c.sha,
                    "why": [w.en for w in c.why],
                    "line": c.line,
                    "approved_by": self.approved_by(c.path),
                }
                for c in self.changes
            ],
            "chairs": [
                {
                    "chair": a.chair,
                    "file": a.path,
                    "approved": a.problem is None,
                    "problem": a.problem.en if a.problem else None,
                }
                for a in self.approvals
            ],
        }


def governed_changes(repo: Repo, base: Commit, head: Commit) -> dict[str, str | None]:
    """{governed path changed from base to head: SHA-256 at head, or None when deleted}: what an
    approval lists (``cohortgate approve-change`` writes it)."""
    return {c.path: c.sha for c in governed_changes_of(repo, base, head)}


def rule_change_status(repo: Repo, base: Commit, head: Commit, roster: Roster) -> RuleChangeStatus:
    """The governed changes from ``base`` to ``head`` and each chair's approval of them.

    ``roster`` is the BASE branch's roster: a pull request cannot name its own chairs."""
    changes = tuple(governed_changes_of(repo, base, head))
    if not changes:
        return RuleChangeStatus(base.hexsha, (), ())
    expected = {c.path: c.sha for c in changes}
    changed = set(changed_between(repo, base, head))
    approvals = tuple(
        _judge(repo, head, chair, roster, expected, changed) for chair in chair_ids(roster)
    )
    return RuleChangeStatus(base.hexsha, changes, approvals)


def rule_change_findings(repo: Repo, base: Commit, head: Commit, roster: Roster) -> list[Finding]:
    """Findings when governed files change without both chairs' signed approval (one per chair
    whose approval is missing or does not match)."""
    return rule_change_status(repo, base, head, roster).findings()


def _judge(
    repo: Repo,
    head: Commit,
    chair: str,
    roster: Roster,
    expected: dict[str, str | None],
    changed: set[str],
) -> ChairApproval:
    path = approval_path(chair)
    approval, problem = _signed_approval(repo, head, path, chair, roster, changed)
    if approval is None:
        return ChairApproval(chair, path, problem, frozenset())
    listed = dict(approval.changes)
    covers = frozenset(p for p, sha in expected.items() if p in listed and listed[p] == sha)
    if listed != expected:
        wrong = sorted(
            p
            for p in set(expected) | set(listed)
            if listed.get(p, "absent") != expected.get(p, "absent")
        )
        names = ", ".join(wrong)
        problem = Both(
            zh=f"批准与改动不符（不一致的有：{names}）",
            en=f"the approval does not match the change (differs for: {names})",
        )
        return ChairApproval(chair, path, problem, covers)
    return ChairApproval(chair, path, None, covers)


def _signed_approval(
    repo: Repo, head: Commit, path: str, chair: str, roster: Roster, changed: set[str]
) -> tuple[ChangeApproval | None, Both]:
    """The chair's approval at ``head`` when it is theirs and signed by them alone, else why not."""
    if path not in changed:
        return None, Both(zh=f"{path} 不在本次改动中", en=f"{path} is not part of this change")
    data = read_blob(head, path)
    if data is None:
        return None, Both(zh=f"{path} 已被删除", en=f"{path} was deleted")
    approval, _doc, findings = load_model(data, path, ChangeApproval)
    if approval is None:
        zh, en = ("无法读取", "unreadable")
        if findings:
            zh, en = findings[0].text("zh")[0], findings[0].message
        return None, Both(
            zh=f"{path} 不是有效的批准（{zh}）", en=f"{path} is not a valid approval ({en})"
        )
    if approval.chair != chair:
        return None, Both(
            zh=f"{path} 写的是“{approval.chair}”，不是“{chair}”",
            en=f"{path} names '{approval.chair}', not '{chair}'",
        )
    signed = signed_by(repo, head, path, roster)
    if signed.problem is not None:
        return None, signed.problem
    if signed.member is None or signed.member.id != chair:
        who = signed.member.id if signed.member else None
        return None, Both(
            zh=f"{path} 的签名人是“{who}”，不是“{chair}”"
            if who
            else f"{path} 无人签名，应由“{chair}”签名",
            en=f"{path} is signed by '{who or 'nobody'}', not by '{chair}'",
        )
    return approval, Both(zh="", en="")


_NONE_MISSING = Both(zh="无（另一路径的批准未通过）", en="none (another path's approval fails)")
