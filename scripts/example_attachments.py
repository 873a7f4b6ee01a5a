"""Write the PDF attachments of example applications from their own forms.

The example applications in ``submissions/`` (and the valid cases of the test corpus) are
synthetic; their protocol and ethics letter are generated here from what the form says, with
``cohortgate.files.pdf``, never copied from elsewhere. The output is deterministic, so
running the script again changes nothing.

    .venv/bin/python scripts/example_attachments.py [FOLDER ...]   (default: submissions/*/*/)
"""

from __future__ import annotations

import sys
from pathlib import Path

from cohortgate.files.atomic import write_bytes
from cohortgate.files.loading import load_yaml_file
from cohortgate.files.pdf import minimal_pdf, wrap
from cohortgate.models.application import Application

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "合成示例文件，由 scripts/example_attachments.py 生成 / Synthetic example, generated"


def _paragraphs(*items: tuple[str, str]) -> list[str]:
    lines: list[str] = []
    for heading, text in items:
        lines += [heading, *wrap(text), ""]
    return lines


def protocol(app: Application) -> bytes:
    p = app.protocol
    lines = [f"研究方案 / Research protocol — {app.id}", NOTICE, ""]
    lines += _paragraphs(
        ("题目 / Title", p.title),
        (
            "申请人 / Applicant",
            f"{app.applicant.name}, {app.applicant.title} ({app.applicant.institution})",
        ),
        ("目的与意义 / Purpose and significance", p.purpose),
        ("主要终点 / Primary endpoints", "; ".join(p.primary_endpoints)),
        ("统计分析计划 / Statistical analysis plan", p.analysis_plan),
        ("预期结果 / Expected results", p.expected_results),
        ("纳入标准 / Inclusion", ", ".join(app.selection.inclusion.diseases) or "-"),
        (
            "变量 / Variables",
            ", ".join(f"{d.dataset}:{v.table}.{v.name}" for d in app.datasets for v in d.variables),
        ),
    )
    return minimal_pdf(lines, f"{app.id} protocol")


def ethics_letter(app: Application) -> bytes:
    assert app.ethics is not None
    e = app.ethics
    lines = [f"伦理审查批件 / Ethics approval — {e.approval_number}", NOTICE, ""]
    lines += _paragraphs(
        ("伦理委员会 / Committee", e.committee),
        ("项目 / Study", f"{app.protocol.title} ({app.id})"),
        ("申请人 / Applicant", f"{app.applicant.name} ({app.applicant.institution})"),
        ("批准日期 / Approved on", e.approved_on),
        ("有效期至 / Valid until", e.valid_until),
        ("意见 / Decision", "同意开展 / Approved"),
    )
    return minimal_pdf(lines, f"{app.id} ethics approval")


def write_attachments(folder: Path) -> list[Path]:
    app = Application.model_validate(load_yaml_file(folder / "application.yaml").data)
    written = [folder / app.protocol.document]
    write_bytes(written[0], protocol(app))
    if app.ethics is not None:
        written.append(folder / app.ethics.letter)
        write_bytes(written[1], ethics_letter(app))
    return written


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or sorted(
        p.parent for p in (ROOT / "submissions").glob("*/*/application.yaml")
    )
    for folder in folders:
        for path in write_attachments(folder):
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
