"""The decision on an application: ``<application>/decision.yaml``, signed by a chair (R15).

A recorded decision is valid when a chair of the trusted roster signed it in a commit touching
only that file, it names this application and its current files (SHA-256), it is dated inside
its quarter and not after today, and the quorum and the rubric's rule allow it (checked by the
caller, who holds the score sheet: ``check_against_rules``).

The chair obeys the reviewers' exclusions (``approval.eligibility``, one identity rule from
``models.person``): a chair who is the applicant or on the applying team, from the applicant's
or a team member's institution, outside their term on the day decided, a second roster entry of
a person, or who declared a conflict of interest in their own signed sheet for the application
cannot record a valid decision (``review.chair-excluded``, on the decision file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.digest import differences
from cohortgate.approval.eligibility import member_exclusions
from cohortgate.approval.phrases import NONE, joined
from cohortgate.approval.quarters import quarter_bounds
from cohortgate.approval.quorum import QuorumState
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import read_blob
from cohortgate.layout import DECISION, REVIEWS
from cohortgate.models.application import Application
from cohortgate.models.review import Decision, Outcome, ScoreSheet
from cohortgate.models.roster import Member, Roster
from cohortgate.signatures.signed_files import chair_ids, signed_by

FORM = "application.yaml"


@dataclass(frozen=True)
class RecordedDecision:
    decision: Decision
    doc: Document
    file: str
    chair: Member | None  # the chair who validly signed it and may decide it, else None
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
    elif signed.member is not None:
        barred = chair_findings(repo, head, folder, roster, signed.member, decision, doc)
        findings += barred
        chair = None if barred else signed.member
    return RecordedDecision(decision, doc, path, chair, signed.sha), findings


def chair_findings(
    repo: Repo,
    head: Commit,
    folder: str,
    roster: Roster,
    chair: Member,
    decision: Decision,
    doc: Document,
) -> list[Finding]:
    """Why ``chair``, who signed ``decision``, may not decide the application of ``folder``
    (the reviewers' exclusions, and a conflict declared in the chair's own signed sheet)."""
    form = f"{folder}/{FORM}"
    data = read_blob(head, form)
    if data is None:
        return []
    app, _doc, _problems = load_model(data, form, Application)
    if app is None:
        return []  # the review reports the form's own findings
    day = date.fromisoformat(decision.decided_on)
    reasons = [
        Both(zh=e.finding.text("zh")[0], en=e.finding.message)
        for e in member_exclusions(roster, chair, app, day)
    ]
    if declared := _declared_conflict(repo, head, folder, roster, chair, app.id):
        reasons.append(declared)
    others = ", ".join(c for c in chair_ids(roster) if c != chair.id) or Both(
        zh="名册中没有", en="none in the roster"
    )
    return [
        doc.finding(
            C.CHAIR_EXCLUDED,
            ("decision",),
            member=chair.id,
            application=app.id,
            reason=reason,
            others=others,
        )
        for reason in reasons
    ]


def _declared_conflict(
    repo: Repo, head: Commit, folder: str, roster: Roster, chair: Member, app_id: str
) -> Both | None:
    """The conflict of interest the chair declared in their own sheet, when they signed it."""
    path = f"{folder}/{REVIEWS}/{chair.id}.yaml"
    data = read_blob(head, path)
    if data is None:
        return None
    sheet, _doc, _problems = load_model(data, path, ScoreSheet)
    if sheet is None or sheet.application != app_id:
        return None
    if sheet.conflict_of_interest.casefold() == "none":
        return None
    signed = signed_by(repo, head, path, roster)
    if signed.problem is not None or signed.member is None or signed.member.id != chair.id:
        return None  # only the chair's own signed word counts, not a sheet planted in their name
    return Both(
        zh=f"在 {path} 中申报了利益冲突：{sheet.conflict_of_interest}",
        en=f"declares a conflict of interest in {path}: {sheet.conflict_of_interest}",
    )


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
            doc.finding(C.DECISION_STALE, ("files",), sheet=path, changes=joined(changes))
        )
    day = date.fromisoformat(decision.decided_on)
    start, end = quarter_bounds(decision.quarter)
    problem = None
    if not start <= day <= end:
        problem = Both(
            zh=f"不在 {decision.quarter}（{start} 至 {end}）之内",
            en=f"is outside {decision.quarter} ({start} to {end})",
        )
    elif day > today:
        problem = Both(zh=f"晚于今天（{today}）", en=f"is after today ({today})")
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
                C.DECISION_NO_QUORUM, ("decision",), sheet=path, problem=joined(state.phrases())
            )
        ]
    if decision.decision not in allowed:
        shown = ", ".join(o.value for o in sorted(allowed, key=lambda o: o.strictness)) or NONE
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
