"""Text from a pull request made safe for the medium it is shown in: terminal, Markdown, HTML.

Titles, names and file names come from applicants. Shown as they are, a right-to-left override
reverses what a reviewer reads, a zero-width character hides a difference, an escape sequence
rewrites the terminal, and in Markdown an ``@mention`` pings people, a heading or a code fence
restructures a pull-request comment and ``<img onerror>`` is markup. Each function here keeps
the text readable and makes it inert for one medium: invisible and control characters are shown
as their code points (``<U+202E>``), and the medium's own syntax is escaped.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Unicode categories shown as code points wherever text is displayed: controls (C0, C1, DEL),
# format characters (zero-width, bidirectional controls, soft hyphen...), line and paragraph
# separators, surrogates, private use and unassigned code points.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


# The validation error type of text holding an invisible character (``models.common`` raises
# it, ``files.modelcheck`` words its finding).
INVISIBLE_ERROR = "invisible_character"


def code_point(char: str) -> str:
    return f"<U+{ord(char):04X}>"


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in INVISIBLE


def visible(text: str, keep: str = "") -> str:
    """``text`` with every invisible or control character (except those in ``keep``) shown as
    its code point."""
    return "".join(code_point(c) if is_invisible(c) and c not in keep else c for c in text)


def terminal_safe(text: str) -> str:
    """One line for a terminal: no escape sequence, control or bidi character is interpreted."""
    return visible(text)


# Characters that start Markdown syntax anywhere in a line (emphasis, links, code, tables,
# headings, mentions, images, HTML) become numeric character references; GitHub shows them as
# the characters themselves.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]~|#@!<>"})
# ... and those that start a block only at the start of a line: a list item, a setext heading.
_LINE_START = re.compile(r"^([-+=]|[0-9]+(?=[.)]))")


_LEADING_BREAKS = re.compile(r"^[ \t]*(<br>[ \t]*)+")


def markdown_inline(text: str) -> str:
    """Plain text for one line of Markdown (a table cell, a list item, a heading's text): no
    markup, no mention, no line break, nothing invisible."""
    escaped = html.escape(visible(text, keep="\n\r"), quote=False).translate(_MARKDOWN)
    escaped = escaped.replace("\r", "").replace("\n", "<br>")
    # A line that starts with a break would start an HTML block: leading breaks are dropped.
    escaped = _LEADING_BREAKS.sub("", escaped)
    return _LINE_START.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)


def html_text(text: str) -> str:
    """Text for HTML content or a quoted attribute: escaped, nothing invisible."""
    return html.escape(visible(text), quote=True)
