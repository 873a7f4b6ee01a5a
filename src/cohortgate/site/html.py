"""Small helpers for writing Markdown with raw HTML blocks, fast (plain string building)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!])")


def esc(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(text, quote=True)


def md_text(text: str) -> str:
    """Escape text for a Markdown heading or paragraph."""
    return _MD_SPECIAL.sub(r"\\\1", text)


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
