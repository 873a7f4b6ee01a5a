"""The review report: what verifying one application produced, the trusted rules it was judged
by (loaded from the base commit), and the report as plain data (``cohortgate review --format
json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from git import Commit

from cohortgate.approval.decisions import RecordedDecision
from cohortgate.approval.eligibility import Exclusion, JudgedSignOff, SignOffStatus
from cohortgate.approval.quorum import QuorumState
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_trusted
from cohortgate.gitread.read import read_blob
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist
from cohortgate.models.common import Text
from cohortgate.models.review import Outcome
from cohortgate.models.roster import Roster
from cohortgate.models.rubric import Rubric
from cohortgate.scoring.fees import FeeEstimate
from cohortgate.scoring.indicators import ComputedIndicator
from cohortgate.scoring.scorecard import Scorecard

ROSTER = "rubric/roster.yaml"
RUBRIC = "rubric/rubric.yaml"
BLACKLIST = "rubric/blacklist.yaml"
FORM = "application.yaml"


@dataclass(frozen=True)
class Rules:
    """The trusted rules, from the base commit."""

    roster: Roster
    rubric: Rubric
    blacklist: Blacklist


@dataclass
class ReviewReport:
    application: str
    folder: str
    base: str
    head: str
    as_of: date
    app: Application | None = None
    files: dict[str, str] = field(default_factory=dict)
    computed: list[ComputedIndicator] = field(default_factory=list)
    fee: FeeEstimate | None = None
    signoffs: list[JudgedSignOff] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    quorum: QuorumState | None = None
    scorecard: Scorecard | None = None
    outcome: Outcome | None = None  # what the rubric's rule gives, when quorum is met
    allowed: frozenset[Outcome] = frozenset()
    decision: RecordedDecision | None = None
    decision_valid: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid_signoffs(self) -> list[JudgedSignOff]:
        return [j for j in self.signoffs if j.status is SignOffStatus.VALID]

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self)


def load_rules(base: Commit) -> tuple[Rules | None, list[Finding]]:
    """Roster, rubric and blacklist as committed at ``base``; None if one is unusable."""
    roster, findings = load_trusted(base, ROSTER, Roster, Both(zh="名册", en="the roster"))
    rubric, more = load_trusted(base, RUBRIC, Rubric, Both(zh="评分规则", en="the rubric"))
    findings += more
    blacklist: Blacklist | None = Blacklist()
    if read_blob(base, BLACKLIST) is not None:
        blacklist, more = load_trusted(
            base, BLACKLIST, Blacklist, Both(zh="黑名单", en="the blacklist")
        )
        findings += more
    if roster is None or rubric is None or blacklist is None:
        return None, findings
    return Rules(roster, rubric, blacklist), findings


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def report_dict(report: ReviewReport) -> dict[str, Any]:
    app = report.app
    card = report.scorecard
    quorum = report.quorum
    decision = report.decision
    return {
        "application": report.application,
        "folder": report.folder,
        "title": app.title if app else None,
        "privacy_level": app.privacy_level.value if app else None,
        "base": report.base,
        "head": report.head,
        "as_of": report.as_of.isoformat(),
        "files": report.files,
        "computed_indicators": [
            {
                "id": c.id,
                "value": c.value,
                "score": c.score,
                "evidence": [_text(e) for e in c.evidence],
            }
            for c in report.computed
        ],
        "fee": None
        if report.fee is None
        else {
            "currency": report.fee.currency,
            "total": report.fee.total,
            "fixed": report.fee.fixed,
            "hours": report.fee.hours,
            "stages": [
                {"id": s.id, "hours": s.hours, "rate": s.rate, "amount": s.amount}
                for s in report.fee.stages
            ],
            "evidence": [_text(e) for e in report.fee.evidence],
        },
        "signoffs": [
            {
                "member": j.signoff.member.id,
                "committee": j.signoff.member.committee.value,
                "expertise": j.signoff.member.expertise.value,
                "channel": j.signoff.channel.value,
                "reference": j.signoff.reference,
                "file": j.signoff.file,
                "status": j.status.value,
                "recommendation": j.signoff.sheet.recommendation.value,
                "scores": j.scores,
                "reasons": [f.message for f in j.findings],
            }
            for j in report.signoffs
        ],
        "excluded": [{"member": e.member, "reason": e.reason} for e in report.excluded],
        "quorum": None
        if quorum is None
        else {
            "met": quorum.met,
            "committees": [
                {
                    "committee": c.committee.value,
                    "required": c.required,
                    "members": list(c.members),
                    "met": c.met,
                }
                for c in quorum.committees
            ],
            "required_expertise": list(quorum.required_expertise),
            "missing_expertise": list(quorum.missing_expertise),
        },
        "scorecard": None
        if card is None
        else {
            "indicators": [
                {
                    "id": row.id,
                    "dimension": row.dimension.value,
                    "source": row.source.value,
                    "weight": row.weight,
                    "scores": dict(row.scores),
                    "mean": row.mean,
                }
                for row in card.indicators
            ],
            "dimensions": [
                {"id": d.id.value, "weight": d.weight, "mean": d.mean} for d in card.dimensions
            ],
            "aggregate": card.aggregate,
            "missing": list(card.missing),
            "rule_outcome": card.outcome.value if card.outcome else None,
            "reasons": [_text(r) for r in card.reasons],
        },
        "outcome": report.outcome.value if report.outcome else None,
        "allowed_decisions": sorted(o.value for o in report.allowed),
        "decision": None
        if decision is None
        else {
            "decision": decision.decision.decision.value,
            "quarter": decision.decision.quarter,
            "decided_on": decision.decision.decided_on,
            "chair": decision.chair.id if decision.chair else None,
            "commit": decision.sha,
            "valid": report.decision_valid,
        },
        "findings": [f.to_dict() for f in report.findings],
    }
