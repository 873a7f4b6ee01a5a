"""``cohortgate audit``, the public side: the whole git history verified offline (issue 6, 7).

What is checked, and against what:

- **every lifecycle**, replayed at HEAD as ``cohortgate track`` replays it: forged, unsigned or
  out-of-order events and illegal steps are the lifecycle's own findings;
- **every decision ever recorded** (each commit that changed a ``decision.yaml``) was valid *when
  it was recorded*: ``review_application(...).decision_valid`` with base and head both the commit
  that recorded it, so the roster, rubric and sheets are those of that moment (a member who
  left the roster later does not void a past decision; a sheet committed after the decision
  never backs it). For the decision still in force at HEAD the HEAD review is used instead when
  it is *equivalent*: the same decision file and the same roster, rubric and blacklist blobs as
  in the recording commit, and valid at HEAD. A decision whose application changed afterwards
  is fine: it is judged at its own commit, and a newer decision (or none, as after 'revise')
  governs what follows;
- **every release manifest** is judged at the commit that added it: the decision file there
  must be a version judged valid above, say 'approve', and name exactly the reviewed files of
  the application as they were in that commit; ``agreements.yaml`` there must record both kinds
  of R17, signed no later than the manifest's ``created_on``; a manifest is never changed after;
- **every closed application** has the destruction of each release verified (R22): the
  lifecycle's table refuses a closure otherwise (``Guard.EVERY_RELEASE_VERIFIED``, counting
  every release up to today, also one made after the closure), so the audit reports it with
  the lifecycle's code ``lifecycle.no-destruction`` rather than a second code of its own.

The custodian's side (``cohortgate.custodian.vault.audit``) checks the vault against the
``ManifestRecord`` list this module returns; this module never imports custodian code.

Reads go through ``gitread.read`` (the cached ``ls-tree`` listing of HEAD) and, for the many
``<commit>:<path>`` objects of past commits, through one ``git cat-file --batch`` per round
(``_objects``), never a tree walk per commit. The reviewed files a release was made from are
hashed by ``approval.digest.digests_at``, streamed: an attachment is never read whole.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from git import Commit, Repo

from cohortgate.approval.digest import differences, digests_at
from cohortgate.approval.phrases import joined
from cohortgate.approval.verify import (
    BLACKLIST,
    ROSTER,
    RUBRIC,
    ReviewReport,
    Rules,
    load_rules,
    review_application,
)
from cohortgate.findings import Finding, Severity, sort_findings
from cohortgate.findings.codes import Both
from cohortgate.gitread.blobs import batch_objects
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.history import history
from cohortgate.gitread.read import ends_git_processes, files_under
from cohortgate.layout import DECISION, Layout
from cohortgate.lifecycle import codes as C
from cohortgate.lifecycle.credit import credit_record
from cohortgate.lifecycle.facts import AGREEMENTS
from cohortgate.lifecycle.history import Lifecycle
from cohortgate.lifecycle.reviewed import lifecycles, review_judge
from cohortgate.models.agreement import AgreementKind, SignedAgreements
from cohortgate.models.lifecycle import State
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import Decision, Outcome

RULES = (ROSTER, RUBRIC, BLACKLIST)
RELEASES = "releases"
_WATCHED = re.compile(rf"submissions/[^/]+/[^/]+/(?:{re.escape(DECISION)}|{RELEASES}/[^/]+\.yaml)")


@dataclass(frozen=True)
class ManifestRecord:
    """A release as git records it: what the custodian's checks need (no participant data)."""

    release: str
    application: str
    path: str  # repository path of the manifest at HEAD
    created_on: date
    vault_log_head: str


@dataclass(frozen=True)
class DecisionVersion:
    """One recorded decision: a commit that changed ``<folder>/decision.yaml``."""

    folder: str
    path: str
    commit: str
    blob: str
    valid: bool
    outcome: Outcome | None
    files: dict[str, str]  # the reviewed files it names, relpath -> SHA-256
    problem: Both  # why it is not valid (empty when valid)
    at_head: bool  # judged by the HEAD review (equivalent), not at its own commit


@dataclass
class AuditReport:
    head: str
    today: date
    lifecycles: list[Lifecycle]
    decisions: list[DecisionVersion]
    releases: list[ManifestRecord]
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "today": self.today.isoformat(),
            "checked": {
                "applications": len(self.lifecycles),
                "decisions": len(self.decisions),
                "releases": len(self.releases),
                "closed": sum(1 for x in self.lifecycles if x.state is State.CLOSED),
            },
            "findings": [f.to_dict() for f in self.findings],
        }


# --- reading past commits in bulk -----------------------------------------------------------


def _objects(repo: Repo, head: Commit, specs: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
    """{spec: (type, object id, content)} of ``<commit>:<path>`` specs naming files. On a linear
    history the walk names each blob (``History.blob_at``), so only distinct blobs are read; the
    others are asked of git as they are."""
    seen = history(repo, head)
    named: dict[str, str] = {}
    asked: list[str] = []
    for spec in specs:
        sha, _, path = spec.partition(":")
        there = seen.at(sha)
        if there is None:
            asked.append(spec)
        elif (blob := there.blob_at(path)) is not None:
            named[spec] = blob
    found = batch_objects(str(repo.working_dir), asked)
    contents = batch_objects(str(repo.working_dir), sorted(set(named.values())))
    for spec, blob in named.items():
        if blob in contents:
            found[spec] = contents[blob]
    return found


def _changes(repo: Repo, head: Commit) -> list[tuple[str, str, str]]:
    """(commit, status letter, path) of every change to a decision or a release manifest in the
    history of ``head``, newest first, from the run's one walk (``gitread.history``)."""
    seen = history(repo, head)
    return [
        (sha, change.status, change.path)
        for sha in seen.commits()
        for change in seen.walk.changed[sha]
        if _WATCHED.fullmatch(change.path)
    ]


# --- the checks -----------------------------------------------------------------------------


def _first_error(report: ReviewReport) -> Both:
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if report.decision is not None and report.decision.chair is None and not errors:
        return Both(zh="没有名册中的主任委员签署它", en="no chair of the roster signed it")
    if not errors:
        return Both(zh="审查没有对它作出判断", en="the review did not judge it")
    first = errors[0]
    return Both(zh=f"{first.code}：{first.text('zh')[0]}", en=f"{first.code}: {first.message}")


_VALID = Both(zh="", en="")


def _decisions(
    repo: Repo,
    lay: Layout,
    head: Commit,
    today: date,
    changes: list[tuple[str, str, str]],
    reports: dict[str, ReviewReport],
) -> list[DecisionVersion]:
    wanted = [
        (sha, path)
        for sha, status, path in changes
        if path.endswith(f"/{DECISION}") and status != "D"
    ]
    specs = [f"{sha}:{path}" for sha, path in wanted]
    specs += [f"{sha}:{rule}" for sha, _ in wanted for rule in RULES]
    specs += [f"{head.hexsha}:{path}" for _, path in wanted]
    specs += [f"{head.hexsha}:{rule}" for rule in RULES]
    found = _objects(repo, head, specs)

    def oid(spec: str) -> str:
        return found[spec][1] if spec in found else ""

    versions: list[DecisionVersion] = []
    own_rules: dict[str, Rules | None] = {}
    for sha, path in wanted:
        folder = path.rsplit("/", 1)[0]
        blob = oid(f"{sha}:{path}")
        decision = load_model(found[f"{sha}:{path}"][2], path, Decision)[0] if blob else None
        outcome = decision.decision if decision else None
        named = dict(decision.files) if decision else {}
        current = reports.get(folder)
        equivalent = (
            current is not None
            and blob == oid(f"{head.hexsha}:{path}")
            and all(oid(f"{sha}:{r}") == oid(f"{head.hexsha}:{r}") for r in RULES)
        )
        if equivalent and current is not None and current.decision_valid:
            versions.append(
                DecisionVersion(folder, path, sha, blob, True, outcome, named, _VALID, True)
            )
            continue
        if sha not in own_rules:
            own_rules[sha] = load_rules(repo.commit(sha))[0]
        rules = own_rules[sha]
        if rules is None:
            problem = Both(
                zh="该提交中的名册、评分规则或黑名单无法读取",
                en="the roster, rubric or blacklist of that commit does not load",
            )
            versions.append(
                DecisionVersion(folder, path, sha, blob, False, outcome, named, problem, False)
            )
            continue
        report = review_application(
            repo,
            lay,
            folder,
            base=sha,
            head=sha,
            today=today,
            rules=rules,
            credit=credit_record,
        )
        valid = report.decision_valid
        problem = _VALID if valid else _first_error(report)
        versions.append(
            DecisionVersion(folder, path, sha, blob, valid, outcome, named, problem, False)
        )
    return versions


def _decision_findings(versions: list[DecisionVersion]) -> list[Finding]:
    return [
        C.DECISION_UNBACKED.at(v.path, commit=v.commit[:12], problem=v.problem)
        for v in versions
        if not v.valid
    ]


def _manifests(head: Commit) -> tuple[list[ManifestRecord], list[Finding]]:
    records: list[ManifestRecord] = []
    findings: list[Finding] = []
    for path, blob in files_under(head, "submissions"):
        parts = path.split("/")
        if len(parts) != 5 or parts[3] != RELEASES or not path.endswith(".yaml"):
            continue
        manifest, _doc, problems = load_model(bytes(blob.data_stream.read()), path, ReleaseManifest)
        findings += problems
        if manifest is not None:
            records.append(
                ManifestRecord(
                    manifest.release,
                    manifest.application,
                    path,
                    date.fromisoformat(manifest.created_on),
                    manifest.vault_log_head,
                )
            )
    return records, findings


def _release_findings(
    repo: Repo,
    head: Commit,
    records: list[ManifestRecord],
    changes: list[tuple[str, str, str]],
    versions: list[DecisionVersion],
) -> list[Finding]:
    history: dict[str, list[str]] = defaultdict(list)  # path -> commits, newest first
    removed: dict[str, str] = {}  # manifests whose newest change deleted them
    for sha, status, path in changes:
        if f"/{RELEASES}/" in path and status == "D" and path not in history:
            removed[path] = sha
        history[path].append(sha)
    by_blob = {(v.folder, v.blob): v for v in reversed(versions)}  # newest wins
    added = {r.path: history[r.path][-1] for r in records if history.get(r.path)}
    findings = [
        C.MANIFEST_CHANGED.at(
            path,
            release=path.rsplit("/", 1)[-1].removesuffix(".yaml"),
            commit=history[path][-1][:12],
            changes=len(history[path]) - 1,
        )
        for path in sorted(removed)
    ]
    places: list[tuple[str, str]] = []
    specs: list[str] = []
    for record in records:
        sha = added.get(record.path, "")
        if not sha:
            continue
        folder = record.path.rsplit("/", 2)[0]
        places.append((sha, folder))
        specs += [f"{sha}:{folder}/{DECISION}", f"{sha}:{folder}/{AGREEMENTS}"]
        later = len(history[record.path]) - 1
        if later:
            findings.append(
                C.MANIFEST_CHANGED.at(
                    record.path, release=record.release, commit=sha[:12], changes=later
                )
            )
    found = _objects(repo, head, specs)
    digests = digests_at(repo, head, places)
    for record in records:
        first = added.get(record.path)
        if first is None:
            continue
        folder = record.path.rsplit("/", 2)[0]
        problem = _decision_problem(
            found.get(f"{first}:{folder}/{DECISION}"), by_blob, folder, digests[(first, folder)]
        )
        if problem:
            findings.append(
                C.RELEASE_WITHOUT_DECISION.at(
                    record.path, release=record.release, commit=first[:12], problem=problem
                )
            )
        problem = _agreements_problem(found.get(f"{first}:{folder}/{AGREEMENTS}"), folder, record)
        if problem:
            findings.append(
                C.RELEASE_WITHOUT_AGREEMENTS.at(
                    record.path, release=record.release, commit=first[:12], problem=problem
                )
            )
    return findings


def _decision_problem(
    decision: tuple[str, str, bytes] | None,
    by_blob: dict[tuple[str, str], DecisionVersion],
    folder: str,
    files: dict[str, str],
) -> Both | None:
    if decision is None:
        return Both(zh="旁边没有 decision.yaml", en="has no decision.yaml beside it")
    version = by_blob.get((folder, decision[1]))
    if version is None:  # pragma: no cover - every blob of the path comes from a change
        return Both(
            zh="所依据的决定文件没有任何提交记录过",
            en="rests on a decision file no commit recorded",
        )
    if not version.valid:
        sha = version.commit[:12]
        return Both(
            zh=f"所依据的提交 {sha} 中的决定无效",
            en=f"rests on the decision of commit {sha}, which was not valid",
        )
    if version.outcome is not Outcome.APPROVE:
        shown = version.outcome.value if version.outcome else "none"
        return Both(
            zh=f"所依据的决定是“{shown}”，不是“approve”",
            en=f"rests on a '{shown}' decision, not 'approve'",
        )
    if changes := differences(version.files, files):
        listed = joined(changes)
        return Both(
            zh=f"发布的版本未经该决定批准：{listed.zh}",
            en=f"released a version the decision did not approve: {listed.en}",
        )
    return None


def _agreements_problem(
    blob: tuple[str, str, bytes] | None, folder: str, record: ManifestRecord
) -> Both | None:
    path = f"{folder}/{AGREEMENTS}"
    if blob is None:
        return Both(zh=f"发布时没有 {AGREEMENTS}", en=f"was made without {AGREEMENTS}")
    signed = load_model(blob[2], path, SignedAgreements)[0]
    if signed is None:
        return Both(
            zh=f"发布时的 {AGREEMENTS} 无法读取", en=f"was made with an unreadable {AGREEMENTS}"
        )
    missing = [kind.value for kind in AgreementKind if signed.get(kind) is None]
    if missing:
        listed = ", ".join(missing)
        return Both(
            zh=f"发布时 {listed} 协议尚未登记",
            en=f"was made before the {listed} agreement was recorded",
        )
    late = [
        (r.kind.value, r.signed_on)
        for r in signed.agreements
        if date.fromisoformat(r.signed_on) > record.created_on
    ]
    if late:
        zh = ", ".join(f"{kind} 于 {day} 签署" for kind, day in late)
        en = ", ".join(f"{kind} signed {day}" for kind, day in late)
        return Both(
            zh=f"发布于 {record.created_on}，早于协议的签署：{zh}",
            en=f"was made on {record.created_on}, before the agreements: {en}",
        )
    return None


@ends_git_processes
def audit_history(repo: Repo, lay: Layout, *, head: Commit, today: date) -> AuditReport:
    """Audit the history of ``head`` as of ``today``; the rules of each step are those of the
    commit that took it (see the module's docstring)."""
    rules, findings = load_rules(head)
    if rules is None:
        return AuditReport(head.hexsha, today, [], [], [], sort_findings(findings))
    reports: dict[str, ReviewReport] = {}
    judge = review_judge(repo, lay, head, head, today, rules, reports)
    found = lifecycles(repo, lay, base=head, head=head, today=today, judge=judge)
    findings += found.findings
    for life in found.lifecycles:
        findings += life.findings
    changes = _changes(repo, head)
    versions = _decisions(repo, lay, head, today, changes, reports)
    findings += _decision_findings(versions)
    records, problems = _manifests(head)
    findings += problems
    findings += _release_findings(repo, head, records, changes, versions)
    return AuditReport(
        head.hexsha,
        today,
        found.lifecycles,
        versions,
        records,
        sort_findings(list(dict.fromkeys(findings))),
    )
