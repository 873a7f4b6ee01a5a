"""Renderers of a list of findings: text, JSON, GitHub workflow annotations and Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from cohortgate.findings import Finding, Severity
from cohortgate.findings.markdown import render_markdown


def render_text(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        place = f"{f.file}:{f.line}:{f.column}" if f.line else f.file
        where = f" {f.path}" if f.path and f.path != "$" else ""
        lines.append(f"{place}: {f.severity} {f.code}{where}: {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s)" if findings else "no findings")
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
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
        out.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


REPORTER_BY_NAME: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "markdown": render_markdown,  # the pull-request workflow's job summary
}
