"""May this application receive data today? The custodian's checks before any extraction.

The decision's signature, quorum and rule are verified by ``cohortgate review`` in CI on the
pull request that adds it, so the main branch holds only verified decisions; here the custodian
checks what the decision says and that it is about the application as it stands (the SHA-256
of its reviewed files, hashed in chunks), that the after-review folders hold only what their
commands write (``layout.after_review_problem``, the rule ``review`` applies to the commits),
that both agreements are signed (R17), that nobody on the team is blacklisted (R25), that the
ethics approval and the funding were in force on the day of the decision and still are on the
day of the release (R3, R30: ``approval.validity``; never judged on the form's 'submitted') and
that the access period has not ended (R19, R20). This module reads files only; it imports nothing
from the review or CI code (the folder rules come from ``approval``, as the review's do).
"""

from __future__ import annotations

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
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding, has_errors
from cohortgate.findings.codes import Both
from cohortgate.layout import is_reviewed_file
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist, BlacklistScope
from cohortgate.models.review import Decision, Outcome

M = TypeVar("M", bound=BaseModel)


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


def approved(root: Path, folder: Path, today: date) -> tuple[Approved | None, list[Finding]]:
    """The approved application of ``folder``, or None and why not."""
    display = folder.resolve().relative_to(root.resolve()).as_posix()
    app, findings = load_file(
        folder / "application.yaml", f"{display}/application.yaml", Application
    )
    if not isinstance(app, Application):
        return None, findings
    where = f"{display}/decision.yaml"
    if not (folder / "decision.yaml").is_file():
        return None, [C.NO_APPROVAL.at(where, problem=f"{app.id} has no decision yet")]
    decision, problems = load_file(folder / "decision.yaml", where, Decision)
    if not isinstance(decision, Decision):
        return None, problems
    if decision.application != app.id:
        problem = f"decision.yaml decides {decision.application}, not {app.id}"
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    if decision.decision is not Outcome.APPROVE:
        problem = f"{app.id} was decided '{decision.decision.value}' in {decision.quarter}"
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    current = reviewed_digests(folder)
    if dict(decision.files) != current:
        changed = sorted(
            n for n in set(current) | set(decision.files) if current.get(n) != decision.files.get(n)
        )
        problem = f"the application changed after the decision ({', '.join(changed)})"
        return None, [C.NO_APPROVAL.at(where, problem=problem)]
    result = Approved(app, decision, folder, display)
    findings = check_agreements(folder)
    findings += [  # what no command wrote where sign-offs do not look
        unbound_file(f"{display}/{r.relative}", r.relative, r.problem, r.place)
        for r in after_review_refused(folder)
    ]
    findings += blacklisted(root, app)
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


def blacklisted(root: Path, app: Application) -> list[Finding]:
    path = root / "rubric" / "blacklist.yaml"
    if not path.is_file():
        return []
    blacklist, findings = load_file(path, "rubric/blacklist.yaml", Blacklist)
    if not isinstance(blacklist, Blacklist):
        return findings
    team = [app.applicant, *app.team]
    emails = {p.email.casefold() for p in team}
    institutions = {p.institution for p in team}
    requested = {d.dataset for d in app.datasets}
    for entry in blacklist.entries:
        if entry.scope is BlacklistScope.LISTED and not requested & set(entry.datasets):
            continue
        who = None
        if entry.person_email and entry.person_email.casefold() in emails:
            who = entry.person_email
        elif entry.institution and entry.institution in institutions:
            who = f"institution {entry.institution}"
        if who:
            findings.append(
                C.BLACKLISTED.at(
                    "rubric/blacklist.yaml", who=who, since=entry.listed_on, reason=entry.reason
                )
            )
    return findings
