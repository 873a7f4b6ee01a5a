"""Findings as Markdown: the job summary of the pull-request workflow (``$GITHUB_STEP_SUMMARY``).

GitHub shows only a few annotations per step, so the summary carries the whole report: the
counts, a table of files (the worst first), then one table of findings per file. Every value
that can come from a pull request (file names, messages quoting the YAML) is escaped, so that
it cannot break the table or inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from cohortgate.findings import Finding, Severity
from cohortgate.findings.escape import markdown_inline

TITLE = "## 校验结果 / Validation results"


def _cell(text: str) -> str:
    """Plain text for one table cell: no markup, no pipes, no mentions, no line breaks."""
    return markdown_inline(text)


def _code(text: str) -> str:
    return f"<code>{_cell(text)}</code>" if text else ""


def _counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    return errors, len(findings) - errors


def render_markdown(findings: Sequence[Finding]) -> str:
    if not findings:
        return f"{TITLE}\n\n✅ 未发现问题 / No findings.\n"
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    errors, warnings = _counts(findings)
    mark = "❌" if errors else "⚠️"
    lines = [
        TITLE,
        "",
        f"{mark} {len(by_file)} 个文件：{errors} 个错误，{warnings} 个警告 / "
        f"{len(by_file)} file(s): {errors} error(s), {warnings} warning(s)",
        "",
        "| 文件 File | 错误 Errors | 警告 Warnings |",
        "|---|---:|---:|",
    ]
    worst_first = sorted(by_file, key=lambda name: (-_counts(by_file[name])[0], name))
    for name in worst_first:
        e, w = _counts(by_file[name])
        lines.append(f"| {_code(name)} | {e} | {w} |")
    for name in worst_first:
        lines += [
            "",
            f"### {_code(name)}",
            "",
            "| 位置 Line | 级别 Severity | 代码 Code | 路径 Path | 说明 Message |",
            "|---|---|---|---|---|",
        ]
        for f in sorted(by_file[name], key=lambda f: (f.severity is not Severity.ERROR, f.line)):
            place = f"{f.line}:{f.column}" if f.line else ""
            level = "错误 error" if f.severity is Severity.ERROR else "警告 warning"
            message = _cell(f.message) + (f"<br>提示 hint: {_cell(f.hint)}" if f.hint else "")
            if f.message_zh:  # Chinese first, then English
                chinese = _cell(f.message_zh) + (
                    f"<br>提示：{_cell(f.hint_zh)}" if f.hint_zh else ""
                )
                message = f"{chinese}<br><br>{message}"
            path = _code(f.path) if f.path and f.path != "$" else ""
            lines.append(f"| {place} | {level} | {_code(f.code)} | {path} | {message} |")
    return "\n".join(lines) + "\n"
