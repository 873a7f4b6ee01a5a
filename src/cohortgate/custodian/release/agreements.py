"""The data use agreement and the confidentiality agreement of an approved application (R17).

Generated from bilingual templates (``templates/*.md``, Chinese first in every article) and the
approved application as Markdown and as a plain-text PDF, into ``agreements/`` of the
application's folder. The parties sign a printed or digitally signed copy; the custodian files it
in the folder and records it in ``agreements.yaml`` (``cohortgate.models.agreement``) with the
SHA-256 of the generated text that was signed and of the signed copy. ``check_agreements`` is
what the release command asks before anything leaves: both kinds signed, each signed copy
unchanged, and the text generated now still the one that was signed.

Every value taken from the application enters the Markdown escaped (``md_text``): whatever an
applicant writes stays text and cannot add headings, list items, links or HTML, nor template
placeholders (the templates are filled in one pass by ``string.Template``).
"""

from __future__ import annotations

import calendar
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

import yaml

from cohortgate import atomic, policy, textfile
from cohortgate import codes_agreements as C
from cohortgate.codes import Code
from cohortgate.findings import Finding
from cohortgate.loading import Document, load_yaml_file
from cohortgate.modelcheck import check_model
from cohortgate.models.agreement import AgreementKind, AgreementRecord, SignedAgreements
from cohortgate.models.application import Application, Person
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.review import Decision, Outcome
from cohortgate.pdf import markdown_lines, minimal_pdf

# R17: hours within which the recipient reports a leak to the data centre (the emergency plan).
# A signed copy is a scan or a signed PDF; anything larger is not what it claims to be.
SIGNED_COPY_MAX_BYTES = 50 * 1024 * 1024

FOLDER = "agreements"  # the generated texts, in the application's folder
RECORD = "agreements.yaml"  # the signed copies, in the application's folder
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


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
        "follow_up": _add_months(access_start, policy.TRACKING_MONTHS).isoformat(),
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
    """The agreement as a PDF of plain text (``cohortgate.pdf``), titled by its first line."""
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


# --- the signed copies -----------------------------------------------------------------------


def _display(folder: Path, rel: str) -> str:
    """``rel`` in ``folder`` as the repository-relative path findings name."""
    if folder.parent.parent.name == "submissions":
        return f"submissions/{folder.parent.name}/{folder.name}/{rel}"
    return f"{folder.name}/{rel}"


def _read_inside(folder: Path, path: Path, limit: int = SIGNED_COPY_MAX_BYTES) -> tuple[str, bytes]:
    """The POSIX path relative to ``folder`` and the bytes of ``path`` (relative paths are taken
    relative to ``folder``), or ``AgreementError`` when it lies outside the folder, passes
    through a link, is a link or is not a regular file."""
    base = Path(os.path.abspath(folder))
    full = Path(os.path.abspath(path if path.is_absolute() else base / path))
    shown = _display(folder, path.as_posix())
    if not full.is_relative_to(base) or full == base:
        why = "it is outside the application's folder"
        raise AgreementError([C.SIGNED_COPY_UNSAFE.at(shown, copy=path.as_posix(), why=why)])
    rel = full.relative_to(base)
    shown = _display(folder, rel.as_posix())
    current = base
    for part in rel.parts[:-1]:
        current = current / part
        if current.is_symlink():
            why = f"its folder {current.relative_to(base).as_posix()} is a link"
            raise AgreementError([C.SIGNED_COPY_UNSAFE.at(shown, copy=rel.as_posix(), why=why)])
    try:
        return rel.as_posix(), textfile.read_bytes(full, shown, limit)
    except textfile.LoadError as exc:
        raise AgreementError([exc.finding]) from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load(folder: Path) -> tuple[SignedAgreements | None, list[Finding], Document | None]:
    """The record in ``folder`` (None when there is none), the findings against it, and its
    document (for locating findings)."""
    path = folder / RECORD
    if not os.path.lexists(path):
        return None, [], None
    try:
        doc = load_yaml_file(path, _display(folder, RECORD))
    except textfile.LoadError as exc:
        return None, [exc.finding], None
    model, findings = check_model(doc, SignedAgreements)
    return model, findings, doc


def signed_agreements(folder: Path) -> list[AgreementRecord]:
    """The signed agreements recorded in ``folder`` (none when there is no record), or
    ``AgreementError`` when the record cannot be read."""
    model, findings, _ = _load(folder)
    if findings:
        raise AgreementError(findings)
    return list(model.agreements) if model else []


def record_signed(
    folder: Path,
    kind: AgreementKind | str,
    signed_copy: Path,
    signed_on: date,
    parties: Sequence[str],
) -> AgreementRecord:
    """Record the signed copy of the ``kind`` agreement, a file in the application's
    ``folder`` (a relative path is taken relative to it), against the text generated there now;
    replaces an earlier record of that kind. Writes ``agreements.yaml`` atomically."""
    kind = AgreementKind(kind)
    name = NAMES[kind]
    signers = [p.strip() for p in parties if p.strip()]
    if not signers:
        raise AgreementError([C.NO_PARTIES.at(_display(folder, RECORD), kind=kind.value)])
    generated = {}
    for suffix in (".md", ".pdf"):
        rel = f"{FOLDER}/{name}{suffix}"
        try:
            generated[rel] = textfile.read_bytes(folder / rel, rel, SIGNED_COPY_MAX_BYTES)
        except textfile.LoadError:
            if suffix == ".md":
                shown = _display(folder, rel)
                raise AgreementError([C.NOT_GENERATED.at(shown, text=shown)]) from None
    rel_copy, data = _read_inside(folder, signed_copy)
    digest = _sha256(data)
    for rel, content in generated.items():
        if _sha256(content) == digest:
            shown = _display(folder, rel_copy)
            raise AgreementError([C.UNSIGNED_COPY.at(shown, copy=rel_copy, generated=rel)])
    record = AgreementRecord(
        kind=kind,
        version=_sha256(generated[f"{FOLDER}/{name}.md"]),
        signed_copy=rel_copy,
        signed_copy_sha256=digest,
        signed_on=signed_on.isoformat(),
        parties=signers,
    )
    others = [r for r in signed_agreements(folder) if r.kind is not kind]
    order = list(AgreementKind)
    model = SignedAgreements(
        application=folder.name,
        agreements=sorted([*others, record], key=lambda r: order.index(r.kind)),
    )
    header = (
        "# 已签署的协议 / Signed agreements (R17): the custodian records each signed copy with\n"
        "# the SHA-256 of the text signed and of the copy; do not edit by hand.\n"
    )
    body = yaml.safe_dump(
        model.model_dump(mode="json"), allow_unicode=True, sort_keys=False, width=100
    )
    atomic.write_text(folder / RECORD, header + body)
    return record


def check_agreements(folder: Path, current: Mapping[str, str] | None = None) -> list[Finding]:
    """What stands between the application in ``folder`` and a release (R17): a kind not
    signed, a signed copy changed or gone since it was recorded, a text generated now that is
    not the version signed. ``current`` holds the texts generated now (``render_agreements``);
    without it, the generated ``agreements/*.md`` in the folder are compared."""
    model, findings, doc = _load(folder)
    if findings:
        return findings
    record_file = _display(folder, RECORD)
    problems: list[Finding] = []

    def at(code: Code, path: tuple[str | int, ...], **params: Any) -> Finding:
        return doc.finding(code, path, **params) if doc else code.at(record_file, **params)

    if model and model.application != folder.name:
        problems.append(
            at(
                C.WRONG_APPLICATION,
                ("application",),
                named=model.application,
                application=folder.name,
            )
        )
    for kind, name in NAMES.items():
        record = model.get(kind) if model else None
        if record is None:
            file = f"{FOLDER}/{name}.pdf"
            problems.append(
                at(
                    C.NOT_SIGNED,
                    ("agreements",),
                    kind=kind.value,
                    application=folder.name,
                    pdf=file,
                )
            )
            continue
        index = model.agreements.index(record) if model else 0
        try:
            _, data = _read_inside(folder, Path(record.signed_copy))
        except AgreementError as exc:
            problems += exc.findings
        else:
            if (now := _sha256(data)) != record.signed_copy_sha256:
                problems.append(
                    at(
                        C.SIGNED_COPY_CHANGED,
                        ("agreements", index, "signed_copy_sha256"),
                        copy=record.signed_copy,
                        now=now,
                        recorded=record.signed_copy_sha256,
                    )
                )
        rel = f"{FOLDER}/{name}.md"
        if current is not None:
            version = text_version(current[kind.value])
        else:
            try:
                version = _sha256(textfile.read_bytes(folder / rel, rel, SIGNED_COPY_MAX_BYTES))
            except textfile.LoadError:
                version = "(no generated text)"
        if version != record.version:
            problems.append(
                at(
                    C.TEXT_CHANGED,
                    ("agreements", index, "version"),
                    kind=kind.value,
                    now=version,
                    signed=record.version,
                    text=rel,
                )
            )
    return problems


def agreements_complete(folder: Path, current: Mapping[str, str] | None = None) -> list[str]:
    """The problems of ``check_agreements`` as lines ``code: message``; empty when complete."""
    return [f"{f.code}: {f.message}" for f in check_agreements(folder, current)]
