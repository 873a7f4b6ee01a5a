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

import hashlib
import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cohortgate.custodian.release import codes as C
from cohortgate.custodian.release.agreement_texts import (
    FOLDER,
    NAMES,
    AgreementError,
    agreement_pdf,
    md_text,
    render_agreements,
    text_version,
    write_agreements,
)
from cohortgate.files import atomic, textfile
from cohortgate.files.loading import Document, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.findings.codes import Code
from cohortgate.models.agreement import AgreementKind, AgreementRecord, SignedAgreements

__all__ = [
    "AgreementError",
    "agreement_pdf",
    "agreements_complete",
    "check_agreements",
    "md_text",
    "record_signed",
    "render_agreements",
    "signed_agreements",
    "text_version",
    "write_agreements",
]

# R17: hours within which the recipient reports a leak to the data centre (the emergency plan).
# A signed copy is a scan or a signed PDF; anything larger is not what it claims to be.
SIGNED_COPY_MAX_BYTES = 50 * 1024 * 1024

RECORD = "agreements.yaml"  # the signed copies, in the application's folder


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
