"""The texts of the data use agreement and the confidentiality agreement (R17): Markdown
filled from the bilingual templates and the approved application, and the same text as a PDF.

``render_agreements`` makes the Markdown (same inputs, same text), ``write_agreements`` writes
it with its PDF into ``agreements/`` of the application's folder; ``text_version`` is the
digest a signed copy is recorded against (``agreements``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template

import yaml

from cohortgate import policy
from cohortgate.custodian.release import codes as C
from cohortgate.files import atomic
from cohortgate.files.pdf import markdown_lines, minimal_pdf
from cohortgate.findings import Finding
from cohortgate.lifecycle.machine import add_months
from cohortgate.models.agreement import AgreementKind
from cohortgate.models.application import Application, Person
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.review import Decision, Outcome

FOLDER = "agreements"  # the generated texts, in the application's folder
NAMES = {
    AgreementKind.DATA_USE: "data-use-agreement",
    AgreementKind.CONFIDENTIALITY: "confidentiality-agreement",
}


@cache
def _labels() -> dict[str, dict[str, list[str]]]:
    """The bilingual phrases of ``templates/labels.yaml``: group -> value -> [zh, en]."""
    text = files("cohortgate.custodian.release").joinpath("templates", "labels.yaml")
    labels: dict[str, dict[str, list[str]]] = yaml.safe_load(text.read_text("utf-8"))
    return labels


def _label(group: str, value: str) -> tuple[str, str]:
    zh, en = _labels()[group][value]
    return zh, en


class AgreementError(Exception):
    """The agreements cannot be generated or recorded; carries the findings that say why."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings))
        self.findings = list(findings)


# --- Markdown --------------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&${}])")
_LEADING = re.compile(r"^([#+\-=>])|^(\d+)([.)])")


def md_text(value: str) -> str:
    """``value`` as inline Markdown text: one line, control and format characters removed,
    every character that could start markup, HTML or a placeholder escaped."""
    flat = " ".join(value.split())
    flat = "".join(c for c in flat if not unicodedata.category(c).startswith("C"))
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def text_version(markdown: str) -> str:
    """The version of a generated agreement: SHA-256 of its UTF-8 text."""
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def _person(person: Person, institutions: Mapping[str, str]) -> str:
    zh, en = _label("roles", person.role.value)
    where = md_text(institutions.get(person.institution, person.institution))
    return (
        f"{md_text(person.name)}（{md_text(person.title)}，{where}，{md_text(person.email)}）："
        f"{zh} / {en}"
    )


def _datasets(app: Application, titles: Mapping[str, str]) -> str:
    lines = []
    for request in app.datasets:
        title = md_text(titles.get(request.dataset, request.dataset))
        lines.append(f"- 数据集 / Dataset: {title}（{md_text(request.dataset)}）")
        lines += [
            f"  - 变量 / Variable: {md_text(f'{v.table}.{v.name}')}：{md_text(v.justification)}"
            for v in request.variables
        ]
    return "\n".join(lines)


def _protection(app: Application) -> str:
    p = app.data_protection
    yes_no = {b: " / ".join(_label("yes_no", str(b).lower())) for b in (True, False)}
    cert_zh, cert_en = _label("certifications", p.certification.value)
    trained = md_text(p.training_completed_on) if p.training_completed_on else "未填写 / not stated"
    return "\n".join(
        [
            f"- 存储位置 / Storage: {md_text(p.storage)}",
            f"- 访问控制 / Access control: {md_text(p.access_control)}",
            f"- 存储加密 / Encrypted at rest: {yes_no[p.encryption_at_rest]}",
            f"- 传输加密 / Encrypted in transit: {yes_no[p.encryption_in_transit]}",
            f"- 信息安全认证 / Security certification: {cert_zh} / {cert_en}",
            f"- 培训完成日期 / Training completed on: {trained}",
        ]
    )


def _conditions(decision: Decision) -> str:
    if not decision.conditions:
        return "本批准未附条件。 / The approval carries no conditions."
    lines = ["乙方遵守批准时所附的下列条件。 / Party B meets these conditions of the approval:", ""]
    return "\n".join(lines + [f"- {md_text(c)}" for c in decision.conditions])


def _delivery(app: Application, genetic: bool) -> tuple[str, str]:
    """The delivery sentence of Article 3 (R18), or ``AgreementError`` when these data may
    leave only through an enclave and the application chose a portable method."""
    enclave = app.delivery.value in policy.ENCLAVE_DELIVERY
    if (app.privacy_level is PrivacyLevel.L3 or genetic) and not enclave:
        reason = "genetic data" if genetic else "L3 data"
        finding = C.DELIVERY_NOT_ALLOWED.at(
            _decision_file(app),
            reason=reason,
            delivery=app.delivery.value,
            allowed=", ".join(sorted(policy.ENCLAVE_DELIVERY)),
        )
        raise AgreementError([finding])
    aggregate = app.privacy_level is PrivacyLevel.L1
    zh, en = _label(
        "delivery_terms", "enclave" if enclave else "aggregate" if aggregate else "portable"
    )
    if genetic:
        gene_zh, gene_en = _label("delivery_terms", "genetic")
        zh, en = f"{gene_zh}{zh}", f"{gene_en} {en}"
    return zh, en


def _decision_file(app: Application) -> str:
    return f"submissions/{app.id[2:6]}/{app.id}/decision.yaml"


def _check_terms(app: Application, decision: Decision, start: date, end: date) -> None:
    problems: list[Finding] = []
    where = _decision_file(app)
    if decision.decision is not Outcome.APPROVE or decision.application != app.id:
        problems.append(
            C.NOT_APPROVED.at(
                where,
                decision_of=decision.application,
                outcome=decision.decision.value,
                application=decision.application,
                expected=app.id,
            )
        )
    decided = date.fromisoformat(decision.decided_on)
    if start < decided:
        problem = f"access start {start} is before the approval of {decided}"
        problems.append(C.BAD_PERIOD.at(where, problem=problem, decided_on=decided))
    if end < start:
        problem = f"access end {end} is before the access start {start}"
        problems.append(C.BAD_PERIOD.at(where, problem=problem, decided_on=decided))
    if problems:
        raise AgreementError(problems)


def render_agreements(
    app: Application,
    decision: Decision,
    *,
    custodian: str,
    access_start: date,
    access_end: date,
    datasets_titles: Mapping[str, str],
    institutions: Mapping[str, str] | None = None,
    genetic: bool = False,
    fees: str | None = None,
) -> dict[str, str]:
    """The Markdown of both agreements, keyed by ``AgreementKind`` value; same inputs, same text.

    ``institutions`` maps institution ids to the names printed (default: the id); ``genetic``
    says that the approved variables include genetic data (R18: enclave only); ``fees`` is the
    cost-recovery fee agreed (R34), or None when none is charged. Raises ``AgreementError``
    when the decision is not an approval of ``app``, the period is impossible, or the delivery
    is not allowed for the data.
    """
    _check_terms(app, decision, access_start, access_end)
    names = institutions or {}
    delivery_zh, delivery_en = _label("delivery", app.delivery.value)
    enclave_zh, enclave_en = _delivery(app, genetic)
    level_zh, level_en = _label("levels", app.privacy_level.value)
    people = app.people()
    values = {
        "application_id": md_text(app.id),
        "title": md_text(app.title),
        "protocol_title": md_text(app.protocol.title),
        "quarter": md_text(decision.quarter),
        "decided_on": md_text(decision.decided_on),
        "custodian": md_text(custodian),
        "institution": md_text(names.get(app.applicant.institution, app.applicant.institution)),
        "applicant": md_text(app.applicant.name),
        "team": "\n".join(f"- {_person(p, names)}" for p in people),
        "datasets": _datasets(app, datasets_titles),
        "level_zh": level_zh,
        "level_en": level_en,
        "delivery_zh": delivery_zh,
        "delivery_en": delivery_en,
        "enclave_zh": enclave_zh,
        "enclave_en": enclave_en,
        "access_start": access_start.isoformat(),
        "access_end": access_end.isoformat(),
        "tracking_months": str(policy.TRACKING_MONTHS),
        "follow_up": add_months(access_start, policy.TRACKING_MONTHS).isoformat(),
        "max_extensions": str(policy.MAX_EXTENSIONS),
        "protection": _protection(app),
        "leak_hours": str(policy.LEAK_NOTICE_HOURS),
        "fees_zh": f"乙方按成本回收标准支付数据服务费用：{md_text(fees)}。"
        if fees
        else "本次数据服务不收取费用。",
        "fees_en": f"Party B pays the cost-recovery fee for the data service: {md_text(fees)}."
        if fees
        else "No fee is charged for this data service.",
        "conditions": _conditions(decision),
        "signatures": "\n".join(
            f"- {_person(p, names)}；签字 / Signature: ____________________ "
            "日期 / Date: ____________"
            for p in people
        ),
    }
    texts = {}
    for kind, name in NAMES.items():
        template = files("cohortgate.custodian.release").joinpath("templates", f"{name}.md")
        texts[kind.value] = Template(template.read_text("utf-8")).substitute(values)
    return texts


# --- PDF -------------------------------------------------------------------------------------


def agreement_pdf(markdown: str) -> bytes:
    """The agreement as a PDF of plain text (``cohortgate.files.pdf``), titled by its first line."""
    lines = markdown_lines(markdown)
    return minimal_pdf(lines, lines[0] if lines else "")


def write_agreements(folder: Path, texts: Mapping[str, str]) -> list[Path]:
    """Write ``agreements/<name>.md`` and ``.pdf`` for each kind in ``texts`` (the result of
    ``render_agreements``) into the application's ``folder``, each file atomically."""
    written = []
    for kind, name in NAMES.items():
        markdown = texts[kind.value]
        base = folder / FOLDER / name
        atomic.write_text(base.with_suffix(".md"), markdown)
        atomic.write_bytes(base.with_suffix(".pdf"), agreement_pdf(markdown))
        written += [base.with_suffix(".md"), base.with_suffix(".pdf")]
    return written
