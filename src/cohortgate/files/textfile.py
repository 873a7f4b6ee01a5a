"""Read an untrusted text file: a bounded read of a regular file, decoded as UTF-8.

Applications arrive as pull requests, so a file may be anything: a symbolic link to a secret
on the CI machine, a named pipe that blocks forever, a device that never ends, 50 MB of text or
a document saved in the wrong encoding. Each of these becomes a ``LoadError`` that carries a
located finding:

* the path is looked at before it is opened (``lstat``): a link is not followed, and anything
  but a regular file is refused without opening it;
* it is then opened without following links and without blocking, and at most ``limit + 1``
  bytes are read, so a file that is too large is never read whole;
* the bytes must be UTF-8. A file in another encoding is named when it can be recognised
  (UTF-16 and UTF-32 by their byte-order mark or their zero bytes; GBK/GB18030, the Chinese
  Windows default, when the whole file decodes as such and holds Chinese text);
* characters that YAML does not allow (NUL and other control characters) are refused with their
  line and column (``check_characters``).
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path

from cohortgate.files import codes as C
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a link swapped in after lstat: ELOOP, not its target
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after lstat: no wait for a writer
    | getattr(os, "O_BINARY", 0)
)
# YAML's printable characters (YAML 1.1 and 1.2, section 5.1); everything else is refused.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what the YAML parser counts as a break
_CJK = re.compile("[\u3400-\u9fff]")
_NAMES = {
    0x00: Both(zh="NUL，即零字节", en="NUL, a zero byte"),
    0x08: Both(zh="退格符", en="backspace"),
    0x0B: Both(zh="垂直制表符", en="vertical tab"),
    0x0C: Both(zh="换页符", en="form feed"),
    0x1B: Both(zh="转义符", en="escape"),
    0x7F: Both(zh="删除符", en="delete"),
    0xFFFE: Both(zh="非字符", en="a non-character"),
    0xFFFF: Both(zh="非字符", en="a non-character"),
}
_KINDS = (
    (stat.S_ISDIR, Both(zh="文件夹", en="folder")),
    (stat.S_ISFIFO, Both(zh="命名管道（FIFO）", en="named pipe (FIFO)")),
    (stat.S_ISCHR, Both(zh="字符设备", en="character device")),
    (stat.S_ISBLK, Both(zh="块设备", en="block device")),
    (stat.S_ISSOCK, Both(zh="套接字", en="socket")),
)


class LoadError(Exception):
    """The file cannot be read as data at all; carries the finding that says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def read_text(path: Path, display: str, limit: int) -> str:
    """The text of the regular file ``path``, or ``LoadError``; never reads more than
    ``limit + 1`` bytes and never blocks."""
    return decode(read_bytes(path, display, limit), display)


def read_bytes(path: Path, display: str, limit: int) -> bytes:
    try:
        _check_kind(os.lstat(path).st_mode, display)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise LoadError(C.FILE_MISSING.at(display, what=Both(zh="该文件", en="file"))) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link between lstat and open
            raise LoadError(C.FILE_SYMLINK.at(display)) from None
        raise LoadError(C.FILE_UNREADABLE.at(display, reason=_reason(exc))) from None
    try:
        info = os.fstat(fd)
        _check_kind(info.st_mode, display)
        if info.st_size > limit:
            raise LoadError(C.FILE_TOO_LARGE.at(display, size=info.st_size, limit=limit))
        chunks, size = [], 0
        while size <= limit:  # the size may change while we read: stop one byte past the limit
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise LoadError(C.FILE_UNREADABLE.at(display, reason=_reason(exc))) from None
    finally:
        os.close(fd)
    if size > limit:
        at_least = Both(zh=f"至少 {size}", en=f"at least {size}")
        raise LoadError(C.FILE_TOO_LARGE.at(display, size=at_least, limit=limit))
    return b"".join(chunks)


def _check_kind(mode: int, display: str) -> None:
    if stat.S_ISLNK(mode):
        raise LoadError(C.FILE_SYMLINK.at(display))
    if not stat.S_ISREG(mode):
        special = Both(zh="特殊文件", en="special file")
        kind = next((name for test, name in _KINDS if test(mode)), special)
        raise LoadError(C.FILE_NOT_REGULAR.at(display, kind=kind))


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def decode(raw: bytes, display: str) -> str:
    """UTF-8 text, or ``LoadError`` naming the encoding the bytes are in when it is recognised."""
    guessed = _utf16_or_32(raw)
    if guessed:
        raise LoadError(C.FILE_WRONG_ENCODING.at(display, 1, 1, encoding=guessed, iconv=guessed))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    before = raw[:start]
    line_start = before.rfind(b"\n") + 1
    line = before.count(b"\n") + 1
    column = len(before[line_start:].decode("utf-8")) + 1
    if before.isascii() and _is_chinese_gb18030(raw):  # no UTF-8 before the first bad byte
        raise LoadError(
            C.FILE_WRONG_ENCODING.at(
                display,
                line,
                column,
                encoding=Both(zh="GBK/GB18030（中文 Windows）", en="GBK/GB18030 (Chinese Windows)"),
                iconv="GB18030",
            )
        )
    raise LoadError(C.FILE_NOT_UTF8.at(display, line, column, byte=f"0x{raw[start]:02x}"))


def _utf16_or_32(raw: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            return name
    # UTF-16 without a mark: every other byte of its ASCII text is zero
    if len(raw) >= 4 and raw.count(0) * 3 >= len(raw) and (raw[0] == 0 or raw[1] == 0):
        return "UTF-16"
    return None


def _is_chinese_gb18030(raw: bytes) -> bool:
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return bool(_CJK.search(text))


def check_characters(text: str, display: str) -> None:
    """``LoadError`` at the first character that YAML does not allow (NUL, other controls)."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is None:
        return
    line, column = position(text, bad.start())
    point = ord(bad.group())
    if 0xD800 <= point <= 0xDFFF:
        name = Both(zh="单独的代理码元", en="a lone surrogate")
    else:
        name = _NAMES.get(point, Both(zh="控制字符", en="a control character"))
    raise LoadError(
        C.FILE_CONTROL_CHARACTER.at(display, line, column, char=f"U+{point:04X}", name=name)
    )


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``text[index]``, counting line breaks as the YAML parser does."""
    line, start = 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, brk.end()
    return line, index - start + 1
