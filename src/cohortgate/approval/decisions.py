"""The decision on an application: ``<application>/decision.yaml``, signed by a chair (R15).

A recorded decision is valid when a chair of the trusted roster signed it in a commit touching
only that file, it names this application and its current files (SHA-256), it is dated inside
its quarter and not after today, and the quorum and the rubric's rule allow it (checked by the
caller, who holds the score sheet: ``check_against_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.digest import differences
from cohortgate.approval.quarters import quarter_bounds
from cohortgate.approval.quorum import QuorumState
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import read_blob
from cohortgate.layout import DECISION
from cohortgate.models.review import Decision, Outcome
from cohortgate.models.roster import Member, Roster
from cohortgate.signatures.signed_files import chair_ids, signed_by


@dataclass(frozen=True)
class RecordedDecision:
    decision: Decision
    doc: Document
    file: str
    chair: Member | None  # the chair who validly signed it, else None
    sha: str | None


def load_decision(
    repo: Repo, head: Commit, folder: str, roster: Roster
) -> tuple[RecordedDecision | None, list[Finding]]:
    """The decision file at ``head`` with its signer, or (None, findings) when unreadable."""
    path = f"{folder}/{DECISION}"
    data = read_blob(head, path)
    if data is None:
        return None, []
    decision, doc, findings = load_model(data, path, Decision)
    if decision is None or doc is None:
        return None, findings
    signed = signed_by(repo, head, path, roster)
    chair: Member | None = None
    if signed.problem is not None:
        findings.append(doc.finding(C.DECISION_UNSIGNED, (), sheet=path, problem=signed.problem))
    elif signed.member is not None and signed.member.id not in chair_ids(roster):
        chairs = ", ".join(chair_ids(roster))
        findings.append(doc.finding(C.NOT_A_CHAIR, (), member=signed.member.id, chairs=chairs))
    else:
        chair = signed.member
    return RecordedDecision(decision, doc, path, chair, signed.sha), findings


def check_recorded(
    recorded: RecordedDecision, app_id: str, digests: dict[str, str], today: date
) -> list[Finding]:
    """The decision's own consistency: application, version, date."""
    decision, doc, path = recorded.decision, recorded.doc, recorded.file
    findings: list[Finding] = []
    if decision.application != app_id:
        findings.append(
            doc.finding(
                C.DECISION_OTHER_APPLICATION,
                ("application",),
                sheet=path,
                theirs=decision.application,
                ours=app_id,
            )
        )
    if changes := differences(decision.files, digests):
        findings.append(
            doc.finding(C.DECISION_STALE, ("files",), sheet=path, changes="; ".join(changes))
        )
    day = date.fromisoformat(decision.decided_on)
    start, end = quarter_bounds(decision.quarter)
    problem = None
    if not start <= day <= end:
        problem = f"is outside {decision.quarter} ({start} to {end})"
    elif day > today:
        problem = f"is after today ({today})"
    if problem is not None:
        findings.append(
            doc.finding(
                C.DECISION_DATE, ("decided_on",), sheet=path, day=day.isoformat(), problem=problem
            )
        )
    return findings


def check_against_rules(
    recorded: RecordedDecision, state: QuorumState, allowed: frozenset[Outcome]
) -> list[Finding]:
    """Quorum and the rubric's rule, as they stand for the version decided on."""
    decision, doc, path = recorded.decision, recorded.doc, recorded.file
    if not state.met:
        return [
            doc.finding(
                C.DECISION_NO_QUORUM, ("decision",), sheet=path, problem="; ".join(state.problems())
            )
        ]
    if decision.decision not in allowed:
        shown = ", ".join(o.value for o in sorted(allowed, key=lambda o: o.strictness)) or "none"
        return [
            doc.finding(
                C.DECISION_AGAINST_RULE,
                ("decision",),
                sheet=path,
                decision=decision.decision.value,
                allowed=shown,
            )
        ]
    return []
