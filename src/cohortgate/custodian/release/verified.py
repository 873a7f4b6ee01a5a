"""The approval, proven from git before anything is extracted (R13–R16).

The custodian trusts no file on disk for the approval. At the commit the release is made from
(HEAD of the repository at ``--root``, or ``--at REV``) it runs the committees' own
verification, ``approval.verify.review_application``, with base = head = that commit, so the
roster, rubric and blacklist are the ones committed there: the decision signed by a serving
chair in a commit touching only it, a quorum of valid signed sheets committed before it, the
rubric's rule allowing its outcome, every file of the application bound by its digests, the
exclusions judged by normalised identity (``models.person``). The release goes ahead only when
that review has no error, the decision is present and valid, and it says approve.

Then the application folder in the working tree must be exactly that commit's: every reviewed
file (``layout.is_reviewed_file``) and ``decision.yaml`` with the SHA-256 of the committed
blob, nothing added and nothing missing, so that what is extracted is what was approved. The
after-review folders (agreements, releases, events) are the custodian's to write; their rule is
checked by ``approval`` on the working tree. No GitHub access is needed: a clone is enough.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from git import Commit

from cohortgate.approval.digest import application_digests
from cohortgate.approval.folder_files import file_sha256, folder_files
from cohortgate.approval.report import ReviewReport, load_rules
from cohortgate.approval.verify import review_application
from cohortgate.custodian.release import codes as C
from cohortgate.findings import Finding, has_errors
from cohortgate.findings.codes import Both
from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo, read_blob
from cohortgate.layout import DECISION, Layout, is_reviewed_file
from cohortgate.lifecycle.credit import credit_record, verified_violations
from cohortgate.models.blacklist import Blacklist, BlacklistEntry
from cohortgate.models.review import Outcome


@dataclass(frozen=True)
class Proof:
    """A valid approving decision at ``commit``, and the blacklist there: the committed
    ``rubric/blacklist.yaml`` plus the entry of every verified violation event (R25)."""

    commit: str
    report: ReviewReport
    blacklist: Blacklist
    violations: list[tuple[BlacklistEntry, str]]  # each verified violation's entry and event


def prove_approval(
    lay: Layout, folder: Path, *, at: str = "HEAD", today: date, base: str | None = None
) -> tuple[Proof | None, list[Finding]]:
    """The proof that the application in ``folder`` is approved at ``at``, or None and the
    findings the review prints with one ``release.not-approved`` saying why. ``base``: the
    commit whose roster, rubric and blacklist are trusted (default: ``at`` itself); give the
    branch the committees protect (e.g. ``origin/main``) when ``at`` is a local commit, so that
    a roster changed on the way is reported as the review reports it."""
    display = folder.resolve().relative_to(lay.root.resolve()).as_posix()
    where = f"{display}/{DECISION}"
    try:
        repo = open_repo(lay.root)
    except ReviewInputError as exc:
        no_git = Both(
            zh=f"'{lay.root.name}' 不是 git 仓库的根目录，无法从提交中核验批准",
            en=f"'{lay.root.name}' is not the root of a git repository, so no approval can be "
            "verified from its commits",
        )
        return None, [exc.finding, C.NO_APPROVAL.at(where, problem=no_git)]
    with repo:
        try:
            commit = commit_of(repo, at)
            trusted = commit if base is None else commit_of(repo, base)
            rules, findings = load_rules(trusted)
            report = review_application(
                repo,
                lay,
                display,
                base=trusted.hexsha,
                head=commit.hexsha,
                today=today,
                rules=rules,
                credit=credit_record,
            )
        except ReviewInputError as exc:
            cannot = Both(
                zh=f"无法在 {at} 处核验批准", en=f"the approval cannot be verified at {at}"
            )
            return None, [exc.finding, C.NO_APPROVAL.at(where, problem=cannot)]
        findings += report.findings
        findings += working_tree_changes(commit, folder, display)
        reason = _why_not(
            report,
            (trusted, commit),
            today,
            no_rules=rules is None,
            errors=has_errors(findings),
        )
        if reason is not None:
            return None, [*findings, C.NO_APPROVAL.at(where, problem=reason)]
        assert rules is not None
        violations = verified_violations(repo, lay, commit, today)
        return Proof(commit.hexsha, report, rules.blacklist, violations), findings


def _why_not(
    report: ReviewReport,
    commits: tuple[Commit, Commit],
    today: date,
    *,
    no_rules: bool,
    errors: bool,
) -> Both | None:
    """Why the review of ``commits`` (trusted base, released commit) does not prove an
    approval, or None when it does."""
    base, commit = commits[0].hexsha[:12], commits[1].hexsha[:12]
    sha = commit
    name = report.application
    decision = report.decision
    again = f"`cohortgate review {name} --base {base} --head {sha} --today {today.isoformat()}`"
    if no_rules:
        return Both(
            zh=f"提交 {sha} 中的名册、评分表或黑名单无法加载，无从核验决定",
            en=f"the roster, rubric or blacklist committed at {sha} do not load, so no decision "
            "can be verified",
        )
    if report.app is None:
        return Both(
            zh=f"提交 {sha} 中的 application.yaml 无法加载",
            en=f"application.yaml does not load at commit {sha}",
        )
    if decision is None:
        return Both(
            zh=f"提交 {sha} 中 {name} 没有已提交的决定 (decision.yaml)",
            en=f"{name} has no committed decision (decision.yaml) at commit {sha}",
        )
    outcome = decision.decision.decision
    if outcome is not Outcome.APPROVE:
        return Both(
            zh=f"{name} 在 {decision.decision.quarter} 的决定是 '{outcome.value}'，不是批准",
            en=f"{name} was decided '{outcome.value}' in {decision.decision.quarter}, not approved",
        )
    if errors or not report.decision_valid:
        return Both(
            zh=f"提交 {sha} 中的批准决定未通过核验（见评审的各项发现；{again} 给出同样的结果）",
            en=f"the approving decision does not verify at commit {sha} (see the review's "
            f"findings; {again} shows the same)",
        )
    return None


def working_tree_changes(commit: Commit, folder: Path, display: str) -> list[Finding]:
    """A finding for each reviewed file or decision of ``folder`` whose content on disk is not
    the blob at ``commit``: changed, not committed, or missing."""
    committed = application_digests(commit, display)
    blob = read_blob(commit, f"{display}/{DECISION}")
    if blob is not None:
        committed[DECISION] = hashlib.sha256(blob).hexdigest()
    on_disk = {
        item.relative: file_sha256(item)
        for item in folder_files(folder)
        if is_reviewed_file(item.relative) or item.relative == DECISION
    }
    sha = commit.hexsha[:12]
    findings: list[Finding] = []
    for relative in sorted(set(committed) | set(on_disk)):
        there, here = committed.get(relative), on_disk.get(relative)
        if there == here:
            continue
        if there is None:
            state = Both(zh="尚未提交", en="is not committed")
        elif here is None:
            state = Both(zh="在工作区中缺失", en="is missing from the working tree")
        else:
            state = Both(zh="与已提交的版本不同", en="differs from the version committed")
        findings.append(
            C.UNCOMMITTED.at(f"{display}/{relative}", relative=relative, state=state, commit=sha)
        )
    return findings
