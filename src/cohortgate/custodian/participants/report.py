"""``cohortgate participant-report``: how one participant's data were used (R33, R35).

For a participant of the cohort the report lists, in plain Chinese, every project that
received their data: the releases the vault's membership lists (``Vault.releases_of``), each
explained from the public files of its application, all read as files after CI verified them
(this module imports nothing from the review code):

- when: the release manifest's ``created_on`` and access period;
- for what: the application's title and lay summary (``application.yaml``);
- how the data were protected: the privacy level, enclave or encrypted package, and each
  variable's treatment (``ReleasedVariable.treatment``) in plain words;
- what came out: the application's ``outputs`` events (R19, R23);
- results returned to participants (R35): events of the kind ``RESULTS_KIND``, whose
  plain-language text is in ``RESULTS_FIELD`` (read when ``models.lifecycle`` declares them).

The report is an HTML page (self-contained: no external CSS, scripts or fonts; every value
escaped; ``lang="zh"``, headings, tables with ``th scope``) and the same text as a PDF
(``cohortgate.pdf``). Both are written, owner-only, into the custodian zone
(``custodian/reports/`` by default) and never into a git work tree that does not ignore them.
A participant the cohort does not hold, or a release whose public record cannot be read, is
refused with a finding and nothing is written.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cohortgate import atomic
from cohortgate import codes_participants as C
from cohortgate.custodian.engine import Engine
from cohortgate.custodian.release.vault import Vault
from cohortgate.findings import Finding, Severity
from cohortgate.layout import Layout
from cohortgate.loading import LoadError, load_yaml_file
from cohortgate.modelcheck import check_model
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.lifecycle import Event, EventKind, parse_event_name
from cohortgate.models.release import ReleaseManifest, Treatment, application_of
from cohortgate.pdf import minimal_pdf, wrap

__all__ = [
    "RESULTS_FIELD",
    "RESULTS_KIND",
    "ParticipantReport",
    "ProjectUse",
    "gather",
    "render_html",
    "render_lines",
    "write_report",
]

# R35: the event kind (``EventKind`` value) and field that carry results of value to
# participants. Until ``models.lifecycle`` declares them, reports list none.
RESULTS_KIND = "participant-results"
RESULTS_FIELD = "results_zh"

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
TABLE_WORDS = {
    "patient": "基本信息",
    "diagnosis": "诊断",
    "phenotype": "表型",
    "variant": "基因变异",
    "visit": "就诊",
    "lab_result": "化验",
    "treatment": "治疗",
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


@dataclass(frozen=True)
class Note:
    """An output or a returned result: its day and a plain text."""

    on: str
    text: str


@dataclass(frozen=True)
class ProjectUse:
    """One release that held the participant's data, explained."""

    release: str
    application: str
    title: str
    lay_summary: str
    created_on: str
    access_start: str
    access_end: str
    level: PrivacyLevel
    enclave: bool
    treatments: dict[Treatment, list[str]]  # treatment -> "表（列）" labels, in manifest order
    outputs: list[Note] = field(default_factory=list)
    results: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ParticipantReport:
    patient_id: str
    today: date
    uses: list[ProjectUse]
    withdrawn_on: date | None = None


# --- gathering -----------------------------------------------------------------------------


def in_cohort(cohort: Path, patient_id: str, display: str) -> bool:
    """Whether the cohort's patient table holds ``patient_id`` (read through the engine)."""
    with Engine.open(cohort, read_only=True, display=display) as engine:
        return any(pid == patient_id for (pid,) in engine.rows("patient", ("patient_id",)))


def _results_kind() -> EventKind | None:
    return next((k for k in EventKind if k.value == RESULTS_KIND), None)


def _load_manifest(folder: Path, release: str, display: str) -> ReleaseManifest | Finding:
    path = folder / "releases" / f"{release}.yaml"
    fix = (
        "Commit the release manifest the release command wrote, or restore it from git "
        "history; the report is refused until every release it must list can be read."
    )
    if not path.is_file():
        return C.RELEASE_RECORD.at(
            display, release=release, problem="no manifest in the repository", fix=fix
        )
    try:
        doc = load_yaml_file(path, display)
    except LoadError as exc:
        return C.RELEASE_RECORD.at(display, release=release, problem=exc.finding.message, fix=fix)
    manifest, problems = check_model(doc, ReleaseManifest)
    if manifest is None:
        problem = problems[0].message if problems else "not a release manifest"
        return C.RELEASE_RECORD.at(display, release=release, problem=problem, fix=fix)
    return manifest


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _load_application(folder: Path, release: str, display: str) -> tuple[str, str] | Finding:
    """(title, lay summary) read from ``application.yaml`` as plain fields, so that an
    application written under an older form still explains its release."""
    fix = "Restore the application's application.yaml from git history."
    try:
        doc = load_yaml_file(folder / "application.yaml", display)
    except LoadError as exc:
        return C.RELEASE_RECORD.at(display, release=release, problem=exc.finding.message, fix=fix)
    data = doc.data if isinstance(doc.data, dict) else {}
    title, summary = _text(data, "title"), _text(data, "lay_summary_zh")
    if title is None or summary is None:
        return C.RELEASE_RECORD.at(
            display, release=release, problem="the application has no title or lay summary", fix=fix
        )
    return title, summary


def _events(
    folder: Path, display: str, today: date
) -> tuple[list[Note], list[Note], list[Finding]]:
    """Outputs and returned results filed up to ``today``; an unreadable event file is
    reported as a warning and left out (CI refuses such files on the tracked branch)."""
    outputs: list[Note] = []
    results: list[Note] = []
    warnings: list[Finding] = []
    results_kind = _results_kind()
    events = folder / "events"
    for path in sorted(events.glob("*.yaml")) if events.is_dir() else []:
        parsed = parse_event_name(path.name)
        if parsed is None or parsed[1] not in (EventKind.OUTPUTS, results_kind):
            continue
        shown = f"{display}/events/{path.name}"
        try:
            event, problems = check_model(load_yaml_file(path, shown), Event)
        except LoadError as exc:
            event, problems = None, [exc.finding]
        if event is None:
            problem = problems[0].message if problems else "not an event"
            warnings.append(
                C.RELEASE_RECORD.at(
                    shown,
                    release=folder.name,
                    problem=f"event left out of the report: {problem}",
                    fix="Correct the event with a new signed event file.",
                )
            )
            continue
        if event.day > today:
            continue
        if event.kind is EventKind.OUTPUTS:
            files = len(event.attachments)
            outputs.append(Note(event.at, f"{event.citation}（附件 {files} 份）"))
        else:
            text = getattr(event, RESULTS_FIELD, None)
            if isinstance(text, str) and text.strip():
                results.append(Note(event.at, text.strip()))
    return outputs, results, [_warning(w) for w in warnings]


def _warning(finding: Finding) -> Finding:
    return replace(finding, severity=Severity.WARNING)


def _label(table: str, name: str) -> str:
    return f"{TABLE_WORDS.get(table, table)}（{name}）"


def gather(
    lay: Layout, vault: Vault, cohort: Path, patient_id: str, today: date
) -> tuple[ParticipantReport | None, list[Finding]]:
    """The report of one participant, or None and why not."""
    display = lay.rel(cohort)
    if not in_cohort(cohort, patient_id, display):
        return None, [C.UNKNOWN_PATIENT.at(display, patient=patient_id, cohort=display)]
    findings: list[Finding] = []
    uses: list[ProjectUse] = []
    for release in vault.releases_of(patient_id):
        application = application_of(release)
        folder = lay.submissions / application[2:6] / application
        shown = lay.rel(folder)
        manifest = _load_manifest(folder, release, shown)
        app = _load_application(folder, release, shown)
        if isinstance(manifest, Finding) or isinstance(app, Finding):
            findings += [f for f in (manifest, app) if isinstance(f, Finding)]
            continue
        if date.fromisoformat(manifest.created_on) > today:
            continue
        outputs, results, warnings = _events(folder, shown, today)
        findings += warnings
        treatments: dict[Treatment, list[str]] = {}
        for variable in manifest.variables:
            treatments.setdefault(variable.treatment, []).append(
                _label(variable.table, variable.name)
            )
        uses.append(
            ProjectUse(
                release=release,
                application=application,
                title=app[0],
                lay_summary=app[1],
                created_on=manifest.created_on,
                access_start=manifest.access_start,
                access_end=manifest.access_end,
                level=manifest.privacy_level,
                enclave=manifest.enclave,
                treatments=treatments,
                outputs=outputs,
                results=results,
            )
        )
    if any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    withdrawn = vault.optouts().get(patient_id)
    uses.sort(key=lambda u: (u.created_on, u.release))
    return ParticipantReport(patient_id, today, uses, withdrawn), findings


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
    """The report as plain lines that fit a PDF page (``cohortgate.pdf``)."""
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


# --- writing -------------------------------------------------------------------------------


def git_problem(path: Path) -> tuple[str, str] | None:
    """(path, work tree) when ``path`` is inside a git work tree that does not ignore it."""
    resolved = path.resolve()
    top = next((p for p in [resolved, *resolved.parents] if (p / ".git").exists()), None)
    if top is None:
        return None
    git = shutil.which("git")
    if git is None:
        return str(path), str(top)
    result = subprocess.run(
        [git, "check-ignore", "-q", str(resolved) + "/"], cwd=top, capture_output=True, check=False
    )
    return None if result.returncode == 0 else (str(path), str(top))


def report_name(report: ParticipantReport) -> str:
    return f"participant-{report.patient_id}-{report.today.isoformat()}"


def write_report(report: ParticipantReport, out: Path) -> tuple[list[Path], list[Finding]]:
    """Write ``<out>/participant-<id>-<day>.html`` and ``.pdf`` (0600, folder 0700): both or,
    with a finding, neither."""
    problem = git_problem(out)
    if problem is not None:
        return [], [C.REPORT_IN_GIT.at(out.name, folder=problem[0], top=problem[1])]
    page = render_html(report).encode("utf-8")
    pdf = minimal_pdf(render_lines(report), title=TITLE)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    stem = report_name(report)
    written: list[Path] = []
    try:
        for suffix, data in ((".pdf", pdf), (".html", page)):
            path = out / f"{stem}{suffix}"
            atomic.write_bytes(path, data, mode=0o600)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written, []
