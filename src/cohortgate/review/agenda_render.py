"""A quarter's agenda as text, Markdown and JSON."""

from __future__ import annotations

import json
from typing import Any

from cohortgate.approval.verify import ReviewReport
from cohortgate.findings.markdown import _cell
from cohortgate.review.agenda import Agenda, AgendaItem


def _state(report: ReviewReport) -> str:
    if report.quorum is None:
        return "cannot be reviewed"
    valid = len(report.valid_signoffs)
    if not report.quorum.met:
        return f"{valid} valid sign-off(s); quorum not met: " + "; ".join(report.quorum.problems())
    if report.outcome is None:
        return f"{valid} valid sign-off(s); scores incomplete"
    allowed = ", ".join(o.value for o in sorted(report.allowed, key=lambda o: o.strictness))
    return f"{valid} valid sign-off(s); the rule gives {report.outcome.value} (allowed: {allowed})"


def _item_dict(item: AgendaItem) -> dict[str, Any]:
    report = item.report
    data = report.to_dict()
    data.update(
        completed_on=item.completed_on.isoformat(),
        first_quarter=item.first_quarter,
        carried_over=item.carried_over,
    )
    return data


def agenda_json(agenda: Agenda) -> str:
    data = {
        "quarter": agenda.quarter,
        "cutoff": agenda.cutoff.isoformat(),
        "agenda": [_item_dict(i) for i in agenda.items],
        "decided": [
            {
                "application": r.application,
                "decision": r.decision.decision.decision.value if r.decision else None,
            }
            for r in agenda.decided
        ],
        "incomplete": [{"folder": f, "errors": n} for f, n in agenda.incomplete],
        "later": agenda.later,
        "findings": [f.to_dict() for f in agenda.findings],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def agenda_text(agenda: Agenda) -> str:
    lines = [f"{agenda.quarter} 审查会议议程 / review meeting agenda (cut-off {agenda.cutoff})"]
    if not agenda.items:
        lines.append("  没有待审申请 / no pending application")
    for item in agenda.items:
        r = item.report
        title = r.app.title if r.app else ""
        carried = " [carried over from " + item.first_quarter + "]" if item.carried_over else ""
        lines.append(f"  {r.application} ({r.app.privacy_level.value if r.app else '?'}){carried}")
        lines.append(f"    {title}")
        lines.append(f"    {_state(r)}")
    if agenda.decided:
        lines.append("已决定 / decided at this meeting:")
        lines += [
            f"  {r.application}: {r.decision.decision.decision.value}"
            for r in agenda.decided
            if r.decision
        ]
    if agenda.incomplete:
        lines.append("未完成 / not complete (fix the errors of `cohortgate validate`):")
        lines += [f"  {folder}: {n} error(s)" for folder, n in agenda.incomplete]
    if agenda.later:
        lines.append("下一季度 / completed after the cut-off, next meeting:")
        lines += [f"  {folder}" for folder in agenda.later]
    for f in agenda.findings:
        lines.append(f"{f.file}:{f.line}: {f.code}: {f.message}")
    return "\n".join(lines) + "\n"


def agenda_markdown(agenda: Agenda) -> str:
    lines = [
        f"## {agenda.quarter} 审查会议议程 / Review meeting agenda",
        "",
        f"截止日期 / cut-off: {agenda.cutoff}",
        "",
        "| 申请 Application | 级别 Level | 题目 Title | 状态 State |",
        "|---|---|---|---|",
    ]
    for item in agenda.items:
        r = item.report
        level = r.app.privacy_level.value if r.app else "?"
        title = _cell(r.app.title) if r.app else ""
        carried = " (carried over)" if item.carried_over else ""
        lines.append(f"| {r.application}{carried} | {level} | {title} | {_cell(_state(r))} |")
    if agenda.decided:
        lines += ["", "### 已决定 / Decided", ""]
        lines += [
            f"- {r.application}: {r.decision.decision.decision.value}"
            for r in agenda.decided
            if r.decision
        ]
    if agenda.incomplete:
        lines += ["", "### 未完成 / Not complete", ""]
        lines += [f"- `{_cell(folder)}`: {n} error(s)" for folder, n in agenda.incomplete]
    return "\n".join(lines) + "\n"
