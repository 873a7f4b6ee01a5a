"""The files committee members sign, written for them with the digests filled in.

``cohortgate sheet`` writes a reviewer's score sheet, ``cohortgate decide`` a chair's decision,
``cohortgate approve-change`` a chair's approval of a rule change. Each binds the exact committed
content by SHA-256; the member then commits the file alone, signed with their roster key.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from cohortgate.models.review import ChangeApproval, Decision, Outcome, ScoreSheet
from cohortgate.models.roster import Member
from cohortgate.models.rubric import Rubric

PLACEHOLDER = "FILL-IN"


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def sheet_text(
    rubric: Rubric,
    member: Member,
    application: str,
    files: dict[str, str],
    day: date,
    role: list[str],
    previous: ScoreSheet | None = None,
) -> str:
    """A score sheet for ``member``; a previous sheet's scores and comments are kept."""
    scores: dict[str, int | None] = {i: None for i in role}
    if previous is not None:
        scores.update({k: v for k, v in previous.scores.items() if k in scores})
    data = {
        "application": application,
        "reviewer": member.id,
        "reviewed_on": day.isoformat(),
        "files": dict(files),
        "scores": scores,
        "recommendation": (previous.recommendation if previous else Outcome.REVISE).value,
        "comments": previous.comments if previous else PLACEHOLDER,
        "conflict_of_interest": previous.conflict_of_interest if previous else "none",
    }
    ScoreSheet.model_validate(data)  # what is written always loads
    scale = f"{rubric.scale.min}..{rubric.scale.max}"
    header = (
        f"# 评分表 / Score sheet — {application}, {member.name}\n"
        f"# 每项打分 {scale}（越高越好）；files 为所审文件的 SHA-256，勿手改。\n"
        f"# Score each indicator {scale} (higher is better); 'files' binds the exact version\n"
        "# reviewed: do not edit it. Commit this file alone, signed with your roster key:\n"
        f"#   git add <this file> && git commit -S -m 'review {application}'\n"
    )
    return header + _dump(data)


def decision_text(
    application: str,
    quarter: str,
    outcome: Outcome,
    files: dict[str, str],
    day: date,
    reasons: str,
    conditions: list[str],
) -> str:
    data: dict[str, Any] = {
        "application": application,
        "quarter": quarter,
        "decided_on": day.isoformat(),
        "decision": outcome.value,
        "files": dict(files),
        "reasons": reasons,
        "conditions": list(conditions),
    }
    Decision.model_validate(data)
    header = (
        f"# 决定 / Decision — {application}, {quarter}\n"
        "# Commit this file alone, signed with the chair's roster key.\n"
    )
    return header + _dump(data)


def approval_text(chair: str, changes: dict[str, str | None], day: date, reason: str) -> str:
    data: dict[str, Any] = {
        "chair": chair,
        "approved_on": day.isoformat(),
        "changes": dict(changes),
        "reason": reason,
    }
    ChangeApproval.model_validate(data)
    header = (
        "# 规则变更批准 / Approval of a change to the rules or workflows\n"
        "# 'changes' binds the exact new content (SHA-256; null = deleted). Commit this file\n"
        "# alone, signed with the chair's roster key.\n"
    )
    return header + _dump(data)
