"""Text is data: arbitrary Unicode rendered into a terminal, Markdown, HTML or a GitHub
annotation cannot break out of its place, ping anyone or hide itself.

Markdown is checked by parsing what we write with a real CommonMark parser (markdown-it-py,
with GitHub's tables): the text stays one inline run of plain text in its cell or paragraph.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cohortgate.findings import Finding
from cohortgate.findings.escape import INVISIBLE, html_text, markdown_inline, terminal_safe
from cohortgate.findings.markdown import render_markdown
from cohortgate.findings.render import render_github, render_text
from cohortgate.models.application import Application
from cohortgate.site.html import esc, md_text

# Every kind of code point, with the dangerous ones made likely.
DANGEROUS = "\u202e\u202d\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\x1b\x00\x07\r\n\t\x85"
MARKUP = "|`*_[]()<>#@!~-+=.:\\&\"'"
TEXT = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(DANGEROUS + MARKUP)), max_size=60
)
SETTINGS = settings(max_examples=300, deadline=None)
PARSER = MarkdownIt("commonmark").enable("table")
# Inline tokens that plain text may produce: text, and the <br> we write for a line break.
PLAIN = {"text", "softbreak"}


def _inline_children(markdown: str) -> list[tuple[str, str]]:
    tokens = PARSER.parse(markdown)
    return [(c.type, c.content) for t in tokens if t.type == "inline" for c in t.children or []]


def _no_invisible(text: str, allowed: str = "") -> bool:
    return all(unicodedata.category(c) not in INVISIBLE or c in allowed for c in text)


@SETTINGS
@given(TEXT)
def test_terminal_text_shows_every_control_character(text: str) -> None:
    shown = terminal_safe(text)
    assert _no_invisible(shown)
    assert "\x1b" not in shown and "\n" not in shown


@SETTINGS
@given(TEXT)
def test_a_markdown_table_cell_stays_one_plain_cell(text: str) -> None:
    cell = markdown_inline(text)
    assert _no_invisible(cell) and "@" not in cell and "|" not in cell
    tokens = PARSER.parse(f"| a | b |\n|---|---|\n| {cell} | end |\n")
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 2  # neither split nor swallowed
    children = _inline_children(f"| a | b |\n|---|---|\n| {cell} | end |\n")
    assert {kind for kind, content in children if content != "<br>"} <= PLAIN


@SETTINGS
@given(TEXT)
@example("\n")  # a break at the start of a line would open an HTML block
@example(" \n\n- item")
def test_a_markdown_line_stays_one_paragraph(text: str) -> None:
    line = markdown_inline(text)
    tokens = PARSER.parse(f"{line}\n")
    blocks = [t.type for t in tokens if t.nesting == 1 or t.type in ("fence", "hr", "html_block")]
    assert blocks in ([], ["paragraph_open"])  # no heading, list, quote, fence or HTML block
    assert {k for k, c in _inline_children(f"{line}\n") if c != "<br>"} <= PLAIN


@SETTINGS
@given(TEXT)
def test_html_text_is_inert(text: str) -> None:
    for escaped in (html_text(text), esc(text)):
        assert not set("<>\"'") & set(escaped)
        assert _no_invisible(escaped)


@SETTINGS
@given(TEXT)
def test_site_markdown_text_stays_plain(text: str) -> None:
    line = md_text(text.replace("\n", " ").replace("\r", " "))
    assert _no_invisible(line)
    tokens = PARSER.parse(f"{line}\n")
    blocks = [t.type for t in tokens if t.nesting == 1 or t.type in ("fence", "hr", "html_block")]
    assert blocks in ([], ["paragraph_open"])
    kinds = {k for k, _ in _inline_children(f"{line}\n")}
    assert kinds <= PLAIN | {"html_inline"} and "html_inline" not in kinds


def _finding(message: str, hint: str = "", file: str = "submissions/2026/A-2026-0001/x") -> Finding:
    return Finding(file, 3, 1, "application.demo", message, hint, message_zh=message, hint_zh=hint)


@SETTINGS
@given(TEXT, TEXT, TEXT)
def test_findings_renderers_cannot_be_broken_out_of(message: str, hint: str, file: str) -> None:
    findings = [_finding(message, hint, file or "f"), _finding("second", "")]
    github = render_github(findings).splitlines()
    assert len(github) == 2 and all(line.startswith("::error file=") for line in github)
    text = render_text(findings, "en")
    assert _no_invisible(text, allowed="\n")
    assert sum(line.startswith(("    hint:",)) is False for line in text.splitlines()) == 3
    markdown = render_markdown(findings)
    rows = [line for line in markdown.splitlines() if line.startswith("| 3:1 |")]
    assert len(rows) == 2  # one table row per finding, whatever the message holds
    assert "@" not in "".join(rows)


@pytest.mark.parametrize(
    "title",
    [
        "Dravet \u202eevil\u202c study",  # right-to-left override
        "Dravet\u200bstudy",  # zero-width space
        "Dravet \x1b[31mred\x1b[0m",  # terminal escape sequence
        "Dravet\n## Approved",  # a heading smuggled into one line
    ],
)
def test_a_title_with_an_invisible_or_control_character_is_refused(title: str) -> None:
    import yaml
    from pydantic import ValidationError

    from cohortgate.applications.scaffold import template_text

    data = yaml.safe_load(template_text())
    data["title"] = title
    with pytest.raises(ValidationError, match="invisible or control character"):
        Application.model_validate(data)
