"""May this application receive data today? The custodian's checks of the working tree.

Before these run, the release has proven the approval from git (``verified``: the committees'
own verification at the commit released from, and the folder on disk equal to that commit).
Here the custodian checks what the decision says and that it is about the application as it
stands (the SHA-256 of its reviewed files, hashed in chunks), that the after-review folders
hold only what their commands write (``layout.after_review_problem``, the rule ``review``
applies to the commits), that both agreements are signed (R17), that nobody on the team is
blacklisted (R25: by normalised identity, ``models.person``, in the blacklist committed at the
release's commit and in the one on disk), that the ethics approval and the funding were in
force on the day of the decision and still are on the day of the release (R3, R30:
``approval.validity``; never judged on the form's 'submitted') and that the access period has
not ended (R19, R20). This module reads files only; it imports nothing from the review or CI
code (the folder rules come from ``approval``, as the review's do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from cohortgate.approval.folder_files import (
    after_review_refused,
    file_sha256,
    folder_files,
    unbound_file,
)
from cohortgate.approval.validity import lapse_finding, lapses
from cohortgate.custodian.release import codes as C
from cohortgate.custodian.release.agreements import check_agreements
from cohortgate.files.loading import Document, LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding, has_errors, json_path
from cohortgate.findings.codes import Both
from cohortgate.layout import is_reviewed_file
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist, BlacklistEntry, BlacklistScope
from cohortgate.models.person import Identity
from cohortgate.models.review import Decision, Outcome

M = TypeVar("M", bound=BaseModel)
BLACKLIST = "rubric/blacklist.yaml"


@dataclass(frozen=True)
class Approved:
    app: Application
    decision: Decision
    folder: Path
    display: str  # the folder relative to the repository root


def reviewed_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every reviewed file of the folder (``layout.is_reviewed_file``), as git's
    digest of the commit names them (``approval.digest``): a link by its target; streamed."""
    return {
        item.relative: file_sha256(item)
        for item in folder_files(folder)
        if is_reviewed_file(item.relative)
    }


def load_file(path: Path, display: str, model: type[M]) -> tuple[M | None, list[Finding]]:
    """A YAML file as ``model``, or None and the located findings."""
    try:
        doc = load_yaml_file(path, display)
    except LoadError as exc:
        return None, [exc.finding]
    return check_model(doc, model)


def approved(
    root: Path,
    folder: Path,
    today: date,
    *,
    committed_blacklist: Blacklist | None = None,
    violations: Sequence[tuple[BlacklistEntry, str]] = (),
) -> tuple[Approved | None, list[Finding]]:
    """The approved application of ``folder``, or None and why not. ``committed_blacklist``:
    the blacklist of the commit the approval was proven at, checked besides the one on disk."""
    display = folder.resolve().relative_to(root.resolve()).as_posix()
    app, findings = load_file(
        folder / "application.yaml", f"{display}/application.yaml", Application
    )
    if not isinstance(app, Application):
        return None, findings
    where = f"{display}/decision.yaml"
    if not (folder / "decision.yaml").is_file():
        problem = Both(zh=f"{app.id} 尚无决定", en=f"{app.id} has no decision yet")
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    decision, problems = load_file(folder / "decision.yaml", where, Decision)
    if not isinstance(decision, Decision):
        return None, problems
    if decision.application != app.id:
        problem = Both(
            zh=f"decision.yaml 决定的是 {decision.application}，不是 {app.id}",
            en=f"decision.yaml decides {decision.application}, not {app.id}",
        )
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    if decision.decision is not Outcome.APPROVE:
        outcome = decision.decision.value
        problem = Both(
            zh=f"{app.id} 在 {decision.quarter} 的决定是 '{outcome}'",
            en=f"{app.id} was decided '{outcome}' in {decision.quarter}",
        )
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    current = reviewed_digests(folder)
    if dict(decision.files) != current:
        changed = ", ".join(
            sorted(
                n
                for n in set(current) | set(decision.files)
                if current.get(n) != decision.files.get(n)
            )
        )
        problem = Both(
            zh=f"申请在决定之后有改动（{changed}）",
            en=f"the application changed after the decision ({changed})",
        )
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    result = Approved(app, decision, folder, display)
    findings = check_agreements(folder)
    findings += [  # what no command wrote where sign-offs do not look
        unbound_file(f"{display}/{r.relative}", r.relative, r.problem, r.place)
        for r in after_review_refused(folder)
    ]
    findings += blacklisted(root, app, committed_blacklist)
    for entry, event in violations:  # R25: a violation the chairs signed lists its person
        findings += _entry_findings(app, entry, None, 0, where=event)
    findings += lapsed(app, folder, display, decision.decided_on, today)
    return (result if not has_errors(findings) else None), findings


def lapsed(
    app: Application, folder: Path, display: str, decided_on: str, today: date
) -> list[Finding]:
    """Ethics approval and funding not in force on the day of the decision or of the release,
    located at the field of application.yaml to change."""
    file = f"{display}/application.yaml"
    try:
        doc = load_yaml_file(folder / "application.yaml", file)
    except LoadError:  # pragma: no cover - it loaded a moment ago
        doc = None
    days = [
        (Both(zh="决定日期", en="the day of the decision"), date.fromisoformat(decided_on)),
        (Both(zh="发布日期（今天）", en="the day of the release (today)"), today),
    ]
    findings: list[Finding] = []
    seen: set[str | int] = set()
    for when, day in days:
        for lapse in lapses(app, day):
            if lapse.path[0] in seen:
                continue  # one finding per period: the earliest day it fails on
            seen.add(lapse.path[0])
            findings.append(
                lapse_finding(C.LAPSED, lapse, file, doc, when=when, day=day.isoformat())
            )
    return findings


def blacklisted(root: Path, app: Application, committed: Blacklist | None = None) -> list[Finding]:
    """The blacklist entries that name someone of the team (by normalised identity: a
    ``+tag``, another case, a Gmail dot or the same ORCID iD is the same person) or their
    institution, in ``rubric/blacklist.yaml`` on disk and in the ``committed`` one; an entry
    in both is reported once, at its line on disk."""
    path = root / BLACKLIST
    findings: list[Finding] = []
    sources: list[tuple[Blacklist, Document | None]] = []
    if path.is_file():
        try:
            loaded = load_yaml_file(path, BLACKLIST)
        except LoadError as exc:
            return [exc.finding]
        on_disk, problems = check_model(loaded, Blacklist)
        if not isinstance(on_disk, Blacklist):
            return problems
        sources.append((on_disk, loaded))
    if committed is not None:
        sources.append((committed, None))
    seen: set[str] = set()
    for blacklist, doc in sources:
        for n, entry in enumerate(blacklist.entries):
            if (key := entry.model_dump_json()) in seen:
                continue
            seen.add(key)
            findings += _entry_findings(app, entry, doc, n)
    return findings


def _entry_findings(
    app: Application,
    entry: BlacklistEntry,
    doc: Document | None,
    index: int,
    where: str = BLACKLIST,
) -> list[Finding]:
    requested = {d.dataset for d in app.datasets}
    if entry.scope is BlacklistScope.LISTED and not requested & set(entry.datasets):
        return []
    line, column = doc.locate(("entries", index)) if doc is not None else (0, 0)
    path = json_path(("entries", index)) if doc is not None else "$"
    whos: list[Both] = []
    listed = entry.identity()
    if entry.names_person:
        for person in app.people():
            agreed = listed.agreement(them := person.identity())
            if agreed is not None:
                field, why = agreed
                same = _same_zh(field, listed, them)
                whos.append(
                    Both(
                        zh=f"{person.email}（即名单上的 {entry.who()}：{same}）",
                        en=f"{person.email} (the person listed as {entry.who()}: {why})",
                    )
                )
                break
    institutions = {p.institution for p in app.people()}
    if entry.institution is not None and entry.institution in institutions:
        whos.append(Both(zh=f"机构 {entry.institution}", en=f"institution {entry.institution}"))
    return [
        C.BLACKLISTED.at(
            where, line, column, path, who=who, since=entry.listed_on, reason=entry.reason
        )
        for who in whos
    ]


def _same_zh(field: str, listed: Identity, person: Identity) -> str:
    """What makes two records one person (``Identity.agreement``'s phrase), in Chinese."""
    if field == "orcid":
        return f"同一 ORCID iD {min(listed.orcids & person.orcids)}"
    if field == "email":
        return f"规范化后相同的电子邮件地址 {min(listed.emails & person.emails)}"
    return "规范化后相同的姓名"
