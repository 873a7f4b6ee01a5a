"""The review report as text (terminal) and Markdown (the pull-request comment).

Values that can come from a pull request (titles, comments, file names) are escaped in Markdown
with the same rules as the validation summary (``findings.markdown``).
"""

from __future__ import annotations

from cohortgate.approval.eligibility import SignOffStatus
from cohortgate.approval.rule_changes import RuleChangeStatus
from cohortgate.approval.verify import ReviewReport
from cohortgate.findings import Severity
from cohortgate.findings.markdown import _cell
from cohortgate.findings.markdown import render_markdown as render_findings_markdown
from cohortgate.findings.render import render_text as render_findings_text
from cohortgate.models.common import Text

MARKER = "<!-- cohortgate-review -->"
_STATUS_ZH = {
    SignOffStatus.VALID: "有效 valid",
    SignOffStatus.STALE: "过期 stale",
    SignOffStatus.INVALID: "无效 invalid",
}


def _both(text: Text) -> str:
    return f"{text.zh} / {text.en}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _outcome_line(report: ReviewReport) -> str:
    if report.quorum is None or report.scorecard is None:
        return "无法审查 / cannot be reviewed (see the findings)"
    if not report.quorum.met:
        return "未达法定人数，尚不能决定 / no decision yet: " + "; ".join(report.quorum.problems())
    if report.outcome is None:
        missing = ", ".join(report.scorecard.missing)
        return f"评分未完成 / scores incomplete: {missing}"
    allowed = ", ".join(o.value for o in sorted(report.allowed, key=lambda o: o.strictness))
    return f"规则给出 / the rule gives: {report.outcome.value} (allowed: {allowed})"


def _decision_line(report: ReviewReport) -> str | None:
    recorded = report.decision
    if recorded is None:
        return None
    d = recorded.decision
    state = "有效 valid" if report.decision_valid else "无效 invalid"
    chair = recorded.chair.id if recorded.chair else "—"
    return f"{d.decision.value} ({d.quarter}, {d.decided_on}, chair {chair}): {state}"


def _printable(text: str) -> str:
    """One line for a terminal: control, format and other invisible characters as code points."""
    return "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in text)


def _governed_verdict(governed: RuleChangeStatus) -> str:
    if governed.approved:
        return "两位主任委员已签名批准 / approved by both chairs"
    return "未获两位主任委员签名批准 / NOT approved by both chairs"


def _governed_text(governed: RuleChangeStatus | None) -> list[str]:
    """Which governed changes the pull request makes (``approval/governed.py``), and whether
    both chairs approved them."""
    if governed is None or not governed.changes:
        return []
    lines = ["", "受管辖的改动 / Governed changes: " + _governed_verdict(governed)]
    for change in governed.changes:
        by = ", ".join(governed.approved_by(change.path)) or "none"
        lines.append(f"  {_printable(change.path)} (approved by: {by})")
        lines += [f"    - {_printable(why.en)}" for why in change.why]
    for a in governed.approvals:
        state = "approved" if a.problem is None else _printable(a.problem.en)
        lines.append(f"  chair {a.chair}: {state}")
    return lines


def _governed_markdown(governed: RuleChangeStatus | None) -> list[str]:
    if governed is None or not governed.changes:
        return []
    mark = "✅" if governed.approved else "❌"
    lines = [
        "",
        "### 受管辖的改动 / Governed changes",
        "",
        f"{mark} {_governed_verdict(governed)} (approval/governed.py)",
        "",
        "| 路径 Path | 改动 What changed | 已批准 Approved by |",
        "|---|---|---|",
    ]
    for change in governed.changes:
        why = "<br>".join(_cell(w.en) for w in change.why)
        by = ", ".join(governed.approved_by(change.path)) or "—"
        lines.append(f"| {_cell(change.path)} | {why} | {_cell(by)} |")
    lines.append("")
    for a in governed.approvals:
        state = "✅ approved" if a.problem is None else f"❌ {_cell(a.problem.en)}"
        lines.append(f"- {_cell(a.chair)}: {state}")
    return lines


def render_text(report: ReviewReport, governed: RuleChangeStatus | None = None) -> str:
    app = report.app
    lines = [f"{report.application}: {app.title if app else '(form not loaded)'}"]
    if app:
        lines.append(f"  privacy level {app.privacy_level.value}, reviewed as of {report.as_of}")
    lines.append(f"  base {report.base[:12]}  head {report.head[:12]}")
    lines += ["", "决定 / Outcome: " + _outcome_line(report)]
    if (line := _decision_line(report)) is not None:
        lines.append("记录的决定 / Recorded decision: " + line)
    lines += _governed_text(governed)
    if report.quorum is not None:
        lines += ["", "法定人数 / Quorum:"]
        for c in report.quorum.committees:
            who = ", ".join(c.members) or "—"
            lines.append(f"  {c.committee}: {len(c.members)}/{c.required} ({who})")
        if report.quorum.required_expertise:
            need = ", ".join(report.quorum.required_expertise)
            missing = ", ".join(report.quorum.missing_expertise) or "none"
            lines.append(f"  expertise needed: {need}; missing: {missing}")
    if report.signoffs:
        lines += ["", "签核 / Sign-offs:"]
        for j in report.signoffs:
            s = j.signoff
            lines.append(
                f"  {s.member.id} ({s.member.committee}, {s.member.expertise}) via {s.channel}: "
                f"{j.status.value}, recommends {s.sheet.recommendation.value}"
            )
            lines += [f"    - {f.message}" for f in j.findings]
    if report.excluded:
        lines += ["", "回避 / Excluded:"]
        lines += [f"  {e.member}: {e.reason}" for e in report.excluded]
    if report.scorecard is not None:
        card = report.scorecard
        lines += ["", "评分 / Scores:"]
        for row in card.indicators:
            given = ", ".join(f"{who}={value}" for who, value in row.scores) or "—"
            lines.append(f"  {row.dimension}/{row.id}: {_num(row.mean)} ({given})")
        for d in card.dimensions:
            lines.append(f"  = {d.id}: {_num(d.mean)} (weight {_num(d.weight)})")
        lines.append(f"  = aggregate: {_num(card.aggregate)}")
        lines += [f"  {_both(r)}" for r in card.reasons]
    if report.computed:
        lines += ["", "计算指标依据 / Evidence of the computed indicators:"]
        for ind in report.computed:
            lines.append(f"  {ind.id}: value {_num(ind.value)} -> score {ind.score}")
            lines += [f"    {_both(e)}" for e in ind.evidence]
    if report.fee is not None:
        fee = report.fee
        lines += ["", f"费用估算 / Fee estimate (R34): {fee.total} {fee.currency}"]
        for stage in fee.stages:
            lines.append(
                f"  {stage.id}: {_num(stage.hours)} h x {_num(stage.rate)} = {stage.amount}"
            )
    lines += ["", render_findings_text(report.findings).rstrip("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(report: ReviewReport, governed: RuleChangeStatus | None = None) -> str:
    app = report.app
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    mark = "❌" if errors else ("✅" if report.outcome else "⏳")
    title = _cell(app.title) if app else ""
    lines = [
        MARKER,
        f"## 委员会审查 / Committee review: {_cell(report.application)}",
        "",
        f"{title}  ",
        f"隐私级别 / privacy level **{app.privacy_level.value if app else '—'}** · "
        f"base `{report.base[:12]}` · head `{report.head[:12]}` · as of {report.as_of}",
        "",
        f"{mark} {_cell(_outcome_line(report))}",
    ]
    if (line := _decision_line(report)) is not None:
        lines += ["", f"记录的决定 / Recorded decision: {_cell(line)}"]
    lines += _governed_markdown(governed)
    if report.quorum is not None:
        lines += [
            "",
            "### 法定人数 / Quorum",
            "",
            "| 委员会 Committee | 有效 Valid | 需要 Required | 成员 Members |",
            "|---|---:|---:|---|",
        ]
        for c in report.quorum.committees:
            lines.append(
                f"| {c.committee} | {len(c.members)} | {c.required} |"
                f" {_cell(', '.join(c.members))} |"
            )
        if report.quorum.missing_expertise:
            lines += [
                "",
                "缺少的专业 / Missing expertise: " + ", ".join(report.quorum.missing_expertise),
            ]
    if report.signoffs:
        lines += [
            "",
            "### 签核 / Sign-offs",
            "",
            "| 委员 Member | 委员会 Committee | 渠道 Channel | 状态 Status"
            " | 建议 Recommendation | 原因 Why |",
            "|---|---|---|---|---|---|",
        ]
        for j in report.signoffs:
            s = j.signoff
            why = "<br>".join(_cell(f.message) for f in j.findings)
            lines.append(
                f"| {_cell(s.member.id)} | {s.member.committee} ({s.member.expertise}) | "
                f"{s.channel} | {_STATUS_ZH[j.status]} | {s.sheet.recommendation.value} | {why} |"
            )
    if report.excluded:
        lines += [
            "",
            "### 回避 / Excluded members",
            "",
            "| 委员 Member | 原因 Reason |",
            "|---|---|",
        ]
        lines += [f"| {_cell(e.member)} | {_cell(e.reason)} |" for e in report.excluded]
    if report.scorecard is not None:
        card = report.scorecard
        lines += [
            "",
            "### 评分表 / Score sheet",
            "",
            "| 维度 Dimension | 指标 Indicator | 来源 Source | 评分 Scores | 均值 Mean |",
            "|---|---|---|---|---:|",
        ]
        for row in card.indicators:
            given = ", ".join(f"{_cell(who)} {value}" for who, value in row.scores) or "—"
            lines.append(
                f"| {row.dimension} | {row.id} | {row.source} | {given} | {_num(row.mean)} |"
            )
        for d in card.dimensions:
            lines.append(f"| **{d.id}** | | weight {_num(d.weight)} | | **{_num(d.mean)}** |")
        lines.append(f"| **aggregate** | | | | **{_num(card.aggregate)}** |")
        if card.reasons:
            lines += [""] + [f"- {_cell(_both(r))}" for r in card.reasons]
    if report.computed:
        lines += [
            "",
            "<details><summary>计算指标的依据 / Evidence of the computed indicators</summary>",
            "",
        ]
        for ind in report.computed:
            lines.append(f"- **{ind.id}**: {_num(ind.value)} → {ind.score}")
            lines += [f"  - {_cell(_both(e))}" for e in ind.evidence]
        lines += ["", "</details>"]
    if report.fee is not None:
        fee = report.fee
        lines += [
            "",
            f"### 费用估算 / Fee estimate (R34): {fee.total} {fee.currency}",
            "",
            "| 环节 Stage | 工时 Hours | 费率 Rate | 金额 Amount |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {_cell(_both(s.label))} | {_num(s.hours)} | {_num(s.rate)} | {s.amount} |"
            for s in fee.stages
        ]
        if fee.fixed:
            lines.append(f"| fixed | | | {fee.fixed} |")
    lines += ["", render_findings_markdown(report.findings).replace("## ", "### ", 1)]
    return "\n".join(lines).rstrip("\n") + "\n"
