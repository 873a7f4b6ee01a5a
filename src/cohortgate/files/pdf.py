"""A minimal PDF writer: one or more A4 pages of plain text, Chinese and English.

Enough for the attachments of the example applications (a protocol, an ethics letter) that the
repository generates itself instead of copying documents from elsewhere, and for the agreements
the custodian prints for signature (``markdown_lines`` turns their Markdown into lines). Latin
lines are set in Helvetica; lines with Chinese characters in STSong-Light, one of the Chinese
fonts that PDF readers provide themselves (Adobe-GB1, addressed by UCS-2 codes through the
predefined UniGB-UCS2-H CMap), so that nothing is embedded. Every structure a reader needs is there:
catalog, page tree, fonts, content streams and a cross-reference table with exact offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN, LEADING, FONT_SIZE = 56, 15, 11
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def _escape(line: str) -> bytes:
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text.encode("latin-1", errors="replace")


def _latin(char: str) -> bool:
    return ord(char) < 0x100


def _show(line: str) -> bytes:
    """The operators that show one line: Latin runs in Helvetica, the others in the Chinese
    font."""
    runs: list[bytes] = []
    start = 0
    for end in range(1, len(line) + 1):
        if end == len(line) or _latin(line[end]) != _latin(line[start]):
            run = line[start:end]
            if _latin(run[0]):
                runs.append(f"/F1 {FONT_SIZE} Tf (".encode() + _escape(run) + b") Tj")
            else:
                ucs2 = "".join(f"{ord(c):04X}" if ord(c) <= 0xFFFF else "003F" for c in run)
                runs.append(f"/F2 {FONT_SIZE} Tf <{ucs2}> Tj".encode())
            start = end
    return b" ".join([*runs, b"T*"])


def _content(lines: Sequence[str]) -> bytes:
    out = [b"BT", f"{LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    out += [_show(line) for line in lines]
    out.append(b"ET")
    return b"\n".join(out) + b"\n"


_FONTS = (
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [5 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
    b"/FontDescriptor 6 0 R /DW 1000 >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
    b"/CapHeight 880 /StemV 93 >>",
)


# Approximate advance widths in ems: a Chinese character is one em; Helvetica averages half.
TEXT_WIDTH_EM = (PAGE_WIDTH - 2 * MARGIN) / FONT_SIZE


def _width(text: str) -> float:
    return sum(0.55 if _latin(c) else 1.0 for c in text)


def _pieces(token: str, width_em: float) -> list[str]:
    """``token`` as it is, or cut between characters when even a line of its own is too
    narrow for it (a long digest, a path, a word without spaces)."""
    if _width(token.rstrip()) <= width_em:
        return [token]
    pieces, piece, used = [], "", 0.0
    for char in token:
        if piece and not char.isspace() and used + _width(char) > width_em:
            pieces.append(piece)
            piece, used = "", 0.0
        piece += char
        used += _width(char)
    return [*pieces, piece]


def wrap(text: str, width_em: float = TEXT_WIDTH_EM) -> list[str]:
    """``text`` broken into lines that fit the page: between words in Latin text, between any
    two characters in Chinese text, and inside a word only when it is wider than a line."""
    tokens = re.findall(r"[\u0000-\u00ff]+?(?:\s+|$|(?=[^\u0000-\u00ff]))|[^\u0000-\u00ff]", text)
    lines: list[str] = []
    line, used = "", 0.0
    for token in (piece for whole in tokens for piece in _pieces(whole, width_em)):
        if line and used + _width(token.rstrip()) > width_em:
            lines.append(line.rstrip())
            line, used = "", 0.0
        line += token
        used += _width(token)
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark's backslash escapes
_HEADING = re.compile(r"^#{1,6} +(.*)$")
_ITEM = re.compile(r"^( *)([-*+]|\d+[.)]) +(.*)$")


def markdown_lines(markdown: str) -> list[str]:
    """Simple Markdown (headings, paragraphs of one line, list items; no inline markup but
    backslash escapes) as plain lines that fit the page: heading marks and escapes removed,
    list items keep their marks and indent their continuation lines, blank lines collapse."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line:
            if lines and lines[-1]:
                lines.append("")
        elif heading := _HEADING.match(line):
            lines += wrap(_UNESCAPE.sub(r"\1", heading[1]))
        elif item := _ITEM.match(line):
            lead = f"{item[1]}{item[2]} "
            body = wrap(_UNESCAPE.sub(r"\1", item[3]), TEXT_WIDTH_EM - 0.55 * len(lead))
            lines += [lead + body[0], *(" " * len(lead) + rest for rest in body[1:])]
        else:
            lines += wrap(_UNESCAPE.sub(r"\1", line))
    return lines


def minimal_pdf(lines: Sequence[str], title: str = "") -> bytes:
    """A PDF document showing ``lines``, ``LINES_PER_PAGE`` to a page."""
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    first_page = 7  # objects: 1 catalog, 2 page tree, 3-6 fonts, then (page, content) pairs
    kids = " ".join(f"{first_page + 2 * n} 0 R" for n in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        *_FONTS,
    ]
    for n, page in enumerate(pages):
        content = _content(page)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            f"/Contents {first_page + 2 * n + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream")
    info = len(objects) + 1
    utf16 = ("\ufeff" + title).encode("utf-16-be").hex().upper()  # a PDF text string
    objects.append(f"<< /Title <{utf16}> /Producer (cohortgate) >>".encode())
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(body)
