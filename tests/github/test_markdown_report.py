"""``--format markdown``: the job summary of the applications workflow (golden strings)."""

from __future__ import annotations

from cohortgate.findings import Finding, Severity
from cohortgate.findings.markdown import render_markdown
from cohortgate.findings.render import REPORTER_BY_NAME

A1 = "submissions/2026/A-2026-0001/application.yaml"
A2 = "submissions/2026/A-2026-0002/application.yaml"
FINDINGS = [
    Finding(A1, 0, 0, "file.missing", "protocol.pdf is missing\nsecond line"),
    Finding(
        A2, 3, 1, "application.x", "a|b <b>*c*</b> [l](u)", "", "$.applicant", Severity.WARNING
    ),
    Finding(A2, 12, 5, "application.y", "not in ds_a", "Pick one", "$.datasets[0].name"),
]

GOLDEN = """\
## 校验结果 / Validation results

❌ 2 个文件：2 个错误，1 个警告 / 2 file(s): 2 error(s), 1 warning(s)

| 文件 File | 错误 Errors | 警告 Warnings |
|---|---:|---:|
| <code>submissions/2026/A-2026-0001/application.yaml</code> | 1 | 0 |
| <code>submissions/2026/A-2026-0002/application.yaml</code> | 1 | 1 |

### <code>submissions/2026/A-2026-0001/application.yaml</code>

| 位置 Line | 级别 Severity | 代码 Code | 路径 Path | 说明 Message |
|---|---|---|---|---|
|  | 错误 error | <code>file.missing</code> |  | protocol.pdf is missing<br>second line |

### <code>submissions/2026/A-2026-0002/application.yaml</code>

| 位置 Line | 级别 Severity | 代码 Code | 路径 Path | 说明 Message |
|---|---|---|---|---|
| 12:5 | 错误 error | <code>application.y</code> | <code>$.datasets&#91;0&#93;.name</code> \
| not in ds&#95;a<br>提示 hint: Pick one |
| 3:1 | 警告 warning | <code>application.x</code> | <code>$.applicant</code> \
| a&#124;b &lt;b&gt;&#42;c&#42;&lt;/b&gt; &#91;l&#93;(u) |
"""


def test_golden() -> None:
    assert render_markdown(FINDINGS) == GOLDEN


def test_worst_file_first() -> None:
    warned = Finding(
        "submissions/2026/A-2026-0000/application.yaml", 1, 1, "w", "w", severity=Severity.WARNING
    )
    out = render_markdown([warned, *FINDINGS])
    rows = [line for line in out.splitlines() if line.startswith("| <code>submissions")]
    assert [row[32:36] for row in rows] == ["0001", "0002", "0000"]


def test_no_findings() -> None:
    assert render_markdown([]) == (
        "## 校验结果 / Validation results\n\n✅ 未发现问题 / No findings.\n"
    )


def test_registered_for_format_markdown() -> None:
    assert REPORTER_BY_NAME["markdown"] is render_markdown
