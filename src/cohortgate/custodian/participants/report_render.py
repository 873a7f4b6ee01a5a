"""The participant report as one self-contained HTML page and as the plain lines of its PDF,
in plain Chinese (R33, R35).

The page needs no external CSS, scripts or fonts; every value is escaped; ``lang="zh"``,
headings, tables with ``th scope``. The lines fit a page of ``cohortgate.files.pdf``.
"""

from __future__ import annotations

import html

from cohortgate.custodian.participants.report_data import ParticipantReport, ProjectUse
from cohortgate.files.pdf import wrap
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.release import Treatment

TITLE = "您的数据使用情况报告"

LEVEL_WORDS: dict[PrivacyLevel, str] = {
    PrivacyLevel.L1: "一级（汇总数据）：项目只得到统计数字，看不到任何个人的记录。",
    PrivacyLevel.L2: "二级（去标识化的个人记录）：姓名、证件号、电话、住址等能直接认出您的信息"
    "已经去除，您的编号已经替换。",
    PrivacyLevel.L3: "三级（含身份信息的个人记录）：这类数据不离开数据中心，只能在受控的安全"
    "环境里使用。",
}
TREATMENT_WORDS: dict[Treatment, str] = {
    Treatment.KEPT: "按原样提供",
    Treatment.PSEUDONYMISED: "您的编号换成了只在这个项目里使用的代码，研究人员无法据此找到您",
    Treatment.DATE_SHIFTED: "日期整体前后挪动了一个随机的天数（间隔不变），看不出真实日期",
    Treatment.GENERALISED_MONTH: "日期只保留到年和月",
    Treatment.GENERALISED_YEAR: "日期只保留到年份",
    Treatment.AGE_BANDED: "年龄只给出年龄段",
    Treatment.REGION_GENERALISED: "地区只给出较大的范围",
    Treatment.GENERALISED: "信息被归入较粗的类别",
    Treatment.SUPPRESSED: "个别可能认出您的数值被删去",
    Treatment.AGGREGATED: "只提供汇总数字，不含任何个人的记录",
    Treatment.DROPPED: "申请了但没有提供",
}
ENCLAVE_WORDS = "数据没有以文件形式离开数据中心，研究人员只能在数据中心的安全环境里使用。"
PACKAGE_WORDS = (
    "数据加密后只交给获批的研究人员（只有他们的密钥能打开），并带有只属于该项目的隐形标记，"
    "一旦泄露可以查明来源。"
)
CONTACT_WORDS = (
    "如果您对本报告或返回的结果有疑问，或想退出今后的研究，请联系为您登记的医院或数据中心。"
    "退出后，之后的数据发布和统计都不再包含您的数据。"
)


# --- rendering -----------------------------------------------------------------------------


def _summary_zh(report: ParticipantReport) -> str:
    count = len(report.uses)
    if count == 0:
        return f"截至 {report.today.isoformat()}，没有任何研究项目获得过您的数据。"
    return f"截至 {report.today.isoformat()}，共有 {count} 个研究项目获得过您的数据，详情如下。"


def _summary_en(report: ParticipantReport) -> str:
    count = len(report.uses)
    return (
        f"As of {report.today.isoformat()}, {count} research project(s) received your data; "
        "the details below are in Chinese."
    )


def _withdrawal_zh(report: ParticipantReport) -> str | None:
    if report.withdrawn_on is None:
        return None
    return (
        f"您已于 {report.withdrawn_on.isoformat()} 退出。此后的数据发布和统计都不再包含您的数据；"
        "退出前已经交给项目的数据仍按协议使用，并在项目结束时销毁。"
    )


def _protection_zh(use: ProjectUse) -> list[str]:
    lines = [LEVEL_WORDS[use.level], ENCLAVE_WORDS if use.enclave else PACKAGE_WORDS]
    for treatment, labels in use.treatments.items():
        lines.append(f"{TREATMENT_WORDS[treatment]}：{'、'.join(labels)}")
    return lines


def _period(use: ProjectUse) -> str:
    return f"{use.created_on} 发布；项目可使用数据的期限为 {use.access_start} 至 {use.access_end}"


_CSS = """
body { font-family: "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       line-height: 1.6; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #111; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #777; padding: 0.4rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #eee; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.3rem; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _list(items: list[str], empty: str) -> str:
    if not items:
        return f"<p>{_e(empty)}</p>"
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def render_html(report: ParticipantReport) -> str:
    """The report as one self-contained HTML page; every value is escaped."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(TITLE)}</h1>",
        f'<p lang="en">{_e(_summary_en(report))}</p>',
        f"<p>参与者编号：{_e(report.patient_id)}；报告日期：{_e(report.today.isoformat())}</p>",
        f"<p>{_e(_summary_zh(report))}</p>",
    ]
    withdrawal = _withdrawal_zh(report)
    if withdrawal:
        parts.append(f"<p><strong>{_e(withdrawal)}</strong></p>")
    if report.uses:
        parts += [
            "<table>",
            "<caption>获得您数据的研究项目</caption>",
            "<thead><tr>"
            + "".join(
                f'<th scope="col">{h}</th>'
                for h in ("发布编号", "研究题目", "发布日期", "隐私级别")
            )
            + "</tr></thead>",
            "<tbody>",
        ]
        for use in report.uses:
            parts.append(
                f'<tr><th scope="row">{_e(use.release)}</th><td>{_e(use.title)}</td>'
                f"<td>{_e(use.created_on)}</td><td>{_e(use.level.value)}</td></tr>"
            )
        parts += ["</tbody>", "</table>"]
    for number, use in enumerate(report.uses, start=1):
        rows = (
            ("何时", _period(use)),
            ("用于什么研究", use.lay_summary),
            ("申请编号", use.application),
        )
        parts += [
            "<section>",
            f"<h2>项目 {number}：{_e(use.title)}</h2>",
            "<table>",
            f"<caption>{_e(use.release)}</caption>",
            "<tbody>",
            *(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows),
            "</tbody>",
            "</table>",
            "<h3>您的数据是怎样被保护的</h3>",
            _list(_protection_zh(use), ""),
            "<h3>研究产出</h3>",
            _list([f"{n.on}：{n.text}" for n in use.outputs], "该项目尚未提交研究成果。"),
            "<h3>返回给参与者的结果</h3>",
            _list(
                [f"{n.on}：{n.text}" for n in use.results], "该项目尚未返回对参与者有价值的结果。"
            ),
            "</section>",
        ]
    parts += [
        "<h2>如有疑问</h2>",
        f"<p>{_e(CONTACT_WORDS)}</p>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def render_lines(report: ParticipantReport) -> list[str]:
    """The report as plain lines that fit a PDF page (``cohortgate.files.pdf``)."""
    text: list[str] = [
        TITLE,
        "",
        f"参与者编号：{report.patient_id}；报告日期：{report.today.isoformat()}",
        _summary_zh(report),
        _summary_en(report),
    ]
    withdrawal = _withdrawal_zh(report)
    if withdrawal:
        text.append(withdrawal)
    for number, use in enumerate(report.uses, start=1):
        text += [
            "",
            f"项目 {number}：{use.title}",
            f"发布编号：{use.release}（申请 {use.application}）",
            f"何时：{_period(use)}",
            f"用于什么研究：{use.lay_summary}",
            "您的数据是怎样被保护的：",
            *(f"- {line}" for line in _protection_zh(use)),
            "研究产出：",
            *([f"- {n.on}：{n.text}" for n in use.outputs] or ["- 该项目尚未提交研究成果。"]),
            "返回给参与者的结果：",
            *(
                [f"- {n.on}：{n.text}" for n in use.results]
                or ["- 该项目尚未返回对参与者有价值的结果。"]
            ),
        ]
    text += ["", "如有疑问", CONTACT_WORDS]
    return [line for item in text for line in wrap(item)]
