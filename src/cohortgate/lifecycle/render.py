"""``cohortgate track`` as text, Markdown (the job summary) and JSON."""

from __future__ import annotations

import html
import json

from cohortgate.lifecycle.track import DueItem, Status, TrackReport

_MARKUP = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]~|<>"})


def _cell(text: str) -> str:
    """Plain text for a Markdown table cell (titles come from applicants)."""
    escaped = html.escape(text, quote=False).translate(_MARKUP)
    return escaped.replace("\r", "").replace("\n", " ")


def _state(status: Status) -> str:
    if status.state is None:
        return "unreadable"
    since = f" since {status.since}" if status.since else ""
    end = ""
    if status.tracking_end is not None and status.state.value in ("tracking", "extended"):
        end = f" (period ends {status.tracking_end}, {status.extensions} extension(s))"
    return f"{status.state.value}{since}{end}"


def _when(item: DueItem) -> str:
    return f"OVERDUE {item.due}" if item.overdue else f"due {item.due}"


def render_text(report: TrackReport) -> str:
    lines = [f"cohortgate track — {report.today}"]
    for finding in report.findings:
        lines.append(f"  {finding.file}: {finding.code}: {finding.message}")
    for status in report.statuses:
        lines.append(f"{status.application}  {_state(status)}")
        for item in status.items:
            lines.append(f"  {_when(item):<20}  {item.actor.value:<16} {item.what}: {item.detail}")
        for finding in status.findings:
            lines.append(
                f"  refused  {finding.file}:{finding.line}: {finding.code}: {finding.message}"
            )
            if finding.hint:
                lines.append(f"           {finding.hint}")
    overdue = sum(i.overdue for i in report.items)
    refused = sum(len(s.findings) for s in report.statuses) + len(report.findings)
    lines.append(
        f"{len(report.statuses)} application(s), {len(report.items)} item(s) due, "
        f"{overdue} overdue, {refused} finding(s)"
    )
    return "\n".join(lines) + "\n"


def render_markdown(report: TrackReport) -> str:
    out = [
        f"## 申请跟踪 / Lifecycle tracking — {report.today}",
        "",
        "| 申请 / Application | 状态 / State | 题目 / Title |",
        "|---|---|---|",
    ]
    for status in report.statuses:
        out.append(f"| {status.application} | {_cell(_state(status))} | {_cell(status.title)} |")
    out += ["", "### 待办 / Due", ""]
    if report.items:
        out += ["| 事项 / Item | 期限 / Due | 谁来办 / Who acts | |", "|---|---|---|---|"]
        for item in report.items:
            flag = "**逾期 / overdue**" if item.overdue else ""
            out.append(
                f"| {item.key} | {item.due} | {item.actor.value} | {flag} {_cell(item.detail)} |"
            )
    else:
        out.append("没有待办事项 / Nothing due.")
    findings = [*report.findings, *(f for s in report.statuses for f in s.findings)]
    if findings:
        out += ["", "### 被拒绝的事件与步骤 / Refused events and steps", ""]
        out += ["| 文件 / File | 代码 / Code | 说明 / Message |", "|---|---|---|"]
        for f in findings:
            out.append(f"| {_cell(f.file)}:{f.line} | {f.code} | {_cell(f.message)} |")
    return "\n".join(out) + "\n"


def render_json(report: TrackReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
