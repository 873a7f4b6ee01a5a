"""Small helpers for writing Markdown with raw HTML blocks, fast (plain string building).

Every value is escaped for the place it goes, and invisible or control characters (a
right-to-left override in a title, a zero-width space in a name) are shown as their code points
(``findings.escape.visible``), never passed through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from cohortgate.findings.escape import html_text, visible

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!])")
_MD_LINE_START = re.compile(r"^([-+=]|[0-9]+(?=[.)]))", re.M)


def esc(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return html_text(text)


def md_text(text: str) -> str:
    """Escape text for a Markdown heading or paragraph."""
    escaped = _MD_SPECIAL.sub(r"\\\1", visible(text, keep="\n"))
    return _MD_LINE_START.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)


def md_cell(text: str) -> str:
    """Escape text for one Markdown table cell (no line breaks)."""
    return md_text(text).replace("\n", " ")


def md_head(labels: Sequence[str], align: str) -> list[str]:
    """The header row and separator of a Markdown table: ``align`` has one letter a column,
    ``l`` (left) or ``r`` (right, for numbers)."""
    if len(align) != len(labels) or set(align) - {"l", "r"}:
        raise ValueError(f"align {align!r} does not fit {len(labels)} columns")
    rule = "".join("---|" if a == "l" else "---:|" for a in align)
    return ["| " + " | ".join(labels) + " |", "|" + rule]


def front_matter(**fields: str) -> str:
    """YAML front matter; JSON strings are valid YAML scalars, whatever the text holds."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def num(value: int) -> str:
    return f"{value:,}"


def badge(css: str, text: str, title: str = "") -> str:
    tip = f' title="{esc(title)}"' if title else ""
    return f'<span class="cg-badge cg-badge--{css}"{tip}>{esc(text)}</span>'
