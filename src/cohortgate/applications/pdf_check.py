"""Is a PDF attachment what it claims to be? Read with pypdf: a document with pages, not
encrypted, holding no web page, no JavaScript, no launch action and no embedded file.

A file that starts with ``%PDF-`` need not be a PDF: ``%PDF-1.4`` followed by an HTML page
with a ``<script>`` passes a look at the first bytes, and a browser that sniffs it runs the
script. So the bytes are searched for HTML (a tag such as ``<script``, ``<html``, ``<iframe``
cannot occur in a PDF's own syntax: dictionaries open with ``<<``, hex strings hold only hex
digits), then pypdf must read the structure (its tolerant mode, as viewers read real PDFs), the
document must not be encrypted (reviewers must open it without a password, and its objects
cannot be inspected) and must have a page, and every object reachable from the trailer is
walked for active content: ``/JS`` and ``/S /JavaScript`` actions (wherever they hang:
``/OpenAction``, ``/AA``, links, the ``/JavaScript`` name tree), ``/S /Launch``, embedded files
(``/EmbeddedFiles``, ``/EmbeddedFile``, file attachment annotations), rich media and XFA forms.
Streams are never decoded for the walk.

pypdf's warnings and log messages are silenced while it reads, and every exception it raises
becomes a problem (a crafted file must never end the check with a traceback).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from cohortgate.findings.codes import Both
from cohortgate.policy import PDF_MAX_OBJECTS

# Tags long enough that compressed (random-looking) bytes practically never spell them: the
# chance for 20 MB of random bytes is below 1 in 1000; text in a real PDF is in content streams.
_HTML = re.compile(
    rb"<(?:script|iframe|html|body|object|embed|!doctype\s+html)\b|<svg[\s/]|javascript:",
    re.IGNORECASE,
)
_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_EXPORT = Both(
    zh="用生成该文档的程序重新导出为 PDF（文件 > 另存为 PDF，或打印为 PDF），然后附上该文件。",
    en="Export the document again as PDF from the program that made it (File > Save as PDF, or "
    "print to PDF) and attach that file.",
)


@dataclass(frozen=True)
class PdfProblem:
    """Why a PDF is refused: ``active`` for content that runs or hides files, else a file that
    is not a usable PDF; ``fix`` says what to do (for ``active`` the code's hint does)."""

    active: bool
    why: Both
    fix: Both = _EXPORT


def pdf_problem(data: bytes) -> PdfProblem | None:
    """The first reason to refuse ``data`` as a PDF attachment, or None."""
    if not _HEADER.match(data):
        return PdfProblem(
            False,
            Both(
                zh="第一行不是 %PDF-1.7 这样的 PDF 文件头",
                en="its first line is not a PDF header such as %PDF-1.7",
            ),
        )
    html = _HTML.search(data)
    if html is not None:
        found, at = html.group(0).decode("ascii", "replace"), html.start()
        return PdfProblem(
            False,
            Both(
                zh=f"其中含有 HTML（第 {at} 字节处的“{found}”）：PDF 文件头后面是一个网页",
                en=f"it holds HTML ('{found}' at byte {at}): a web page behind a PDF header",
            ),
        )
    with _quiet():
        try:
            return _read(data)
        except Exception as exc:  # pypdf raises many kinds on crafted input; none escapes
            said = _short(exc)
            return PdfProblem(
                False,
                Both(
                    zh=f"pypdf 无法读取其结构（{said}）",
                    en=f"pypdf cannot read its structure ({said})",
                ),
            )


def _read(data: bytes) -> PdfProblem | None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return PdfProblem(
            False,
            Both(
                zh="文件已加密（设有密码或使用限制）：审查人必须能直接打开它，而且无法检查其内容",
                en="it is encrypted (a password or restrictions): reviewers must open it as it "
                "is, and its content cannot be checked",
            ),
            Both(
                zh="另存一份不受保护的副本（在生成它的程序中去掉密码和限制，或打印为新的 PDF），"
                "然后附上该文件。",
                en="Save an unprotected copy (remove the password and restrictions in the program "
                "that made it, or print it to a new PDF) and attach that file.",
            ),
        )
    root = reader.trailer.get("/Root")
    if not isinstance(root, IndirectObject | DictionaryObject) or not isinstance(
        root.get_object(), DictionaryObject
    ):
        return PdfProblem(
            False,
            Both(zh="没有文档目录（/Root）", en="it has no document catalog (/Root)"),
        )
    if len(reader.pages) == 0:
        return PdfProblem(False, Both(zh="文档没有页面", en="it has no pages"))
    found = _active(reader)
    return PdfProblem(True, found) if found else None


def _active(reader: PdfReader) -> Both | None:
    """What active content the objects reachable from the trailer hold, or None."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visited = 0
    kinds: list[Both] = []
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            visited += 1
            if visited > PDF_MAX_OBJECTS:
                return Both(
                    zh=f"超过 {PDF_MAX_OBJECTS} 个对象（多到无法检查）",
                    en=f"more than {PDF_MAX_OBJECTS} objects (too many to check)",
                )
            item = _resolve(item)
        if isinstance(item, DictionaryObject):
            for kind in _kinds(item):
                if kind not in kinds:
                    kinds.append(kind)
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    if not kinds:
        return None
    return Both(zh="、".join(k.zh for k in kinds), en=", ".join(k.en for k in kinds))


_JAVASCRIPT = Both(zh="JavaScript", en="JavaScript")
_LAUNCH = Both(zh="启动程序的动作（/Launch）", en="an action that launches a program (/Launch)")
_EMBEDDED = Both(zh="内嵌文件", en="embedded files")
_RICH_MEDIA = Both(zh="富媒体（/RichMedia）", en="rich media (/RichMedia)")
_XFA = Both(zh="可含脚本的 XFA 表单", en="an XFA form, which can hold scripts")


def _kinds(item: DictionaryObject) -> Iterator[Both]:
    """The kinds of active content one dictionary is (an action, an annotation ...)."""
    action, kind, subtype = (_name(item, key) for key in ("/S", "/Type", "/Subtype"))
    if "/JS" in item or "/JavaScript" in item or action == "/JavaScript":
        yield _JAVASCRIPT  # an action, or the document's /JavaScript name tree
    if action == "/Launch":
        yield _LAUNCH
    if "/EmbeddedFiles" in item or kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        yield _EMBEDDED
    if subtype == "/RichMedia":
        yield _RICH_MEDIA
    if "/XFA" in item:
        yield _XFA


def _name(item: DictionaryObject, key: str) -> object:
    """The value of ``key``, through an indirect reference (a name may be one)."""
    value = dict.get(item, key)
    return _resolve(value) if isinstance(value, IndirectObject) else value


def _resolve(item: IndirectObject) -> Any:
    try:
        return item.get_object()
    except Exception:  # a broken reference: nothing to walk there
        return None


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's warnings and log messages off while it reads (its children log as 'pypdf.*')."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
