"""The review report as plain data: ``cohortgate review --format json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cohortgate.models.common import Text

if TYPE_CHECKING:
    from cohortgate.review.report import ReviewReport


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
