"""Renderers of a list of findings: text, JSON, GitHub workflow annotations and Markdown.

The text renderer speaks one language (``findings.language``: ``--lang`` or the locale); the
GitHub annotations and the Markdown job summary are read on GitHub by applicants (Chinese first)
and maintainers alike, so they carry both, Chinese first. JSON carries both as data. Text from a
pull request reaches a terminal only through ``terminal_safe``: control characters, escape
sequences and bidirectional controls are shown as their code points, never interpreted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from cohortgate.findings import Finding, Severity, language
from cohortgate.findings.escape import terminal_safe, visible
from cohortgate.findings.markdown import render_markdown

_WORDS = {
    "en": {"hint": "hint", "none": "no findings", "counts": "{e} error(s), {w} warning(s)"},
    "zh": {"hint": "提示", "none": "未发现问题", "counts": "{e} 个错误，{w} 个警告"},
}


def render_text(findings: Sequence[Finding], lang: str | None = None) -> str:
    lang = lang or language.current()
    words = _WORDS[lang]
    lines = []
    for f in findings:
        message, hint = (terminal_safe(s) for s in f.text(lang))
        place = terminal_safe(f"{f.file}:{f.line}:{f.column}" if f.line else f.file)
        where = f" {terminal_safe(f.path)}" if f.path and f.path != "$" else ""
        lines.append(f"{place}: {f.severity} {f.code}{where}: {message}")
        if hint:
            lines.append(f"    {words['hint']}: {hint}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    lines.append(words["counts"].format(e=errors, w=warnings) if findings else words["none"])
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    """A workflow command's message: one line whatever it holds (line breaks encoded, every
    other control or invisible character shown as its code point)."""
    value = visible(value, keep="\n\r")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding]) -> str:
    """GitHub's workflow commands: ``::error file=F,line=L,col=C,title=T::message``."""
    out = []
    for f in findings:
        level = "error" if f.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f.code)}")
        message = f.message + (f" (hint: {f.hint})" if f.hint else "")
        if f.message_zh:  # Chinese first: most applicants and members read it first
            chinese = f.message_zh + (f"（提示：{f.hint_zh}）" if f.hint_zh else "")
            message = f"{chinese}\n{message}"
        out.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


REPORTER_BY_NAME: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "markdown": render_markdown,  # the pull-request workflow's job summary
}
