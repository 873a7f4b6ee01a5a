"""Attachments (R8): the protocol and the ethics letter, as PDF files in the application folder.

Each attachment path is relative to the application folder and must stay inside it, in the part
that sign-offs bind: never in a folder that follows the review (``reviews/``, ``events/``,
``agreements/``, ``releases/``; ``layout.after_review_place``). Every component is examined with
``lstat`` (a symbolic link anywhere on the way is refused, since it could point anywhere on the
machine that runs the check), the last must be a regular file no larger than
``policy.ATTACHMENT_MAX_BYTES`` (looked at before it is read), and the file must be what it
claims to be: a PDF that pypdf reads, not encrypted, without HTML, JavaScript, launch actions or
embedded files (``pdf_check``). The file is opened with ``O_NOFOLLOW`` so that a link swapped in
after the examination is not followed either.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from cohortgate.applications import codes as C
from cohortgate.applications.pdf_check import pdf_problem
from cohortgate.approval.folder_files import megabytes
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.layout import after_review_place
from cohortgate.models.application import Application
from cohortgate.policy import ATTACHMENT_MAX_BYTES

Loc = tuple[str | int, ...]
PDF_SIGNATURE = b"%PDF-"


def attachment_fields(data: Any) -> Iterator[tuple[Loc, str, Any]]:
    """(where, field name, value) of each attachment in raw form data."""
    if not isinstance(data, dict):
        return
    for section, key in (("protocol", "document"), ("ethics", "letter")):
        part = data.get(section)
        if isinstance(part, dict) and key in part:
            yield (section, key), f"{section}.{key}", part[key]


def leaves_folder(path: str) -> bool:
    posix, windows = PurePosixPath(path), PureWindowsPath(path)
    return (
        posix.is_absolute()
        or windows.is_absolute()
        or bool(windows.drive)
        or path.startswith(("/", "\\", "~"))
        or ".." in posix.parts
        or ".." in windows.parts
    )


def raw_path_findings(doc: Document) -> list[Finding]:
    """Paths that leave the folder, read before the model (whose pattern would only say 'does
    not match')."""
    folder = doc.file.rsplit("/", 1)[0] if "/" in doc.file else "."
    return [
        doc.finding(C.ATTACHMENT_OUTSIDE, loc, field=name, target=value, folder=folder)
        for loc, name, value in attachment_fields(doc.data)
        if isinstance(value, str) and leaves_folder(value)
    ]


def attachments(app: Application) -> list[tuple[Loc, str, str]]:
    """(where in the form, field name, path) of each attachment."""
    return [(loc, ".".join(loc), rel) for loc, rel in app.attachments()]


def attachment_findings(app: Application, doc: Document, folder: Path, shown: str) -> list[Finding]:
    findings = []
    for loc, name, rel in attachments(app):
        problem = examine(folder, rel)
        if problem is not None:
            code, params = problem
            params = {"what": Both(zh=f"{name}“{rel}”", en=f"{name} '{rel}'"), **params}
            findings.append(doc.finding(code, loc, field=name, target=rel, folder=shown, **params))
    return findings


def examine(folder: Path, rel: str) -> tuple[Any, dict[str, Both | str]] | None:
    """The first problem of attachment ``rel`` of ``folder``, as (code, extra parameters)."""
    if leaves_folder(rel):
        return C.ATTACHMENT_OUTSIDE, {}
    if (place := after_review_place(rel)) is not None:
        return C.ATTACHMENT_AFTER_REVIEW, {"place": place}
    current = folder
    parts = PurePosixPath(rel).parts
    info: os.stat_result | None = None
    for i, part in enumerate(parts):
        current = current / part
        try:
            info = os.lstat(current)
        except OSError:  # missing, or not a folder on the way, or unreadable
            return C.ATTACHMENT_MISSING, {}
        if stat.S_ISLNK(info.st_mode):
            return C.ATTACHMENT_SYMLINK, {"link": "/".join(parts[: i + 1])}
    if info is None:  # an empty path; the model does not allow one
        return C.ATTACHMENT_MISSING, {}
    if not stat.S_ISREG(info.st_mode):
        kind = (
            Both(zh="文件夹", en="a folder")
            if stat.S_ISDIR(info.st_mode)
            else Both(zh="特殊文件", en="a special file")
        )
        return C.ATTACHMENT_NOT_A_FILE, {"kind": kind}
    try:
        inside = current.resolve().is_relative_to(folder.resolve())
    except OSError:
        inside = False
    if not inside:  # unreachable without a link, kept as the last line of defence
        return C.ATTACHMENT_OUTSIDE, {}
    if current.suffix.lower() != ".pdf":
        suffix = current.suffix
        return C.ATTACHMENT_NOT_PDF, {
            "why": Both(
                zh=f"文件名以“{suffix}”结尾，不是“.pdf”" if suffix else "文件名没有扩展名“.pdf”",
                en=f"its name ends in '{suffix or '(no suffix)'}', not '.pdf'",
            )
        }
    if info.st_size > ATTACHMENT_MAX_BYTES:
        return C.ATTACHMENT_TOO_LARGE, _too_large(info.st_size)
    data = _read(current)
    if data is None:
        return C.ATTACHMENT_MISSING, {}
    if len(data) > ATTACHMENT_MAX_BYTES:  # grew after the lstat
        return C.ATTACHMENT_TOO_LARGE, _too_large(len(data))
    if not data.startswith(PDF_SIGNATURE):
        why = (
            Both(zh="文件是空的", en="the file is empty")
            if not data
            else Both(zh="文件不是以 %PDF- 开头的", en="it does not start with %PDF-")
        )
        return C.ATTACHMENT_NOT_PDF, {"why": why}
    problem = pdf_problem(data)
    if problem is None:
        return None
    if problem.active:
        return C.ATTACHMENT_ACTIVE_CONTENT, {"what": problem.why}
    return C.ATTACHMENT_INVALID_PDF, {"why": problem.why, "fix": problem.fix}


def _too_large(size: int) -> dict[str, Both | str]:
    return {
        "size": megabytes(size),
        "limit": megabytes(ATTACHMENT_MAX_BYTES),
        "fix": Both(
            zh="把 PDF 改小（以压缩图片的方式重新导出，或删去委员会不需要的附录），"
            "然后附上该文件。",
            en="Make the PDF smaller (export it again with compressed images, or leave out "
            "appendices the committees do not need) and attach that file.",
        ),
    }


def _read(path: Path) -> bytes | None:
    """At most ``ATTACHMENT_MAX_BYTES`` + 1 bytes of ``path``, never through a link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    chunks: list[bytes] = []
    left = ATTACHMENT_MAX_BYTES + 1
    try:
        while left > 0 and (chunk := os.read(fd, min(left, 1024 * 1024))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks)
