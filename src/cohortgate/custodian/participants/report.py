"""``cohortgate participant-report``: how one participant's data were used (R33, R35).

For a participant of the cohort the report lists, in plain Chinese, every project that
received their data: the releases the vault's membership lists (``Vault.releases_of``), each
explained from the public files of its application, all read as files after CI verified them
(this module imports nothing from the review code):

- when: the release manifest's ``created_on`` and access period;
- for what: the application's title and lay summary (``application.yaml``);
- how the data were protected: the privacy level, enclave or encrypted package, and each
  variable's treatment (``ReleasedVariable.treatment``) in plain words;
- what came out: the application's ``outputs`` events (R19, R23);
- results returned to participants (R35): events of the kind ``RESULTS_KIND``, whose
  plain-language text is in ``RESULTS_FIELD`` (read when ``models.lifecycle`` declares them).

The report is an HTML page (self-contained: no external CSS, scripts or fonts; every value
escaped; ``lang="zh"``, headings, tables with ``th scope``) and the same text as a PDF
(``cohortgate.files.pdf``). Both are written, owner-only, into the custodian zone
(``custodian/reports/`` by default) and never into a git work tree that does not ignore them.
A participant the cohort does not hold, or a release whose public record cannot be read, is
refused with a finding and nothing is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cohortgate.custodian.participants import codes as C
from cohortgate.custodian.participants.report_data import (
    RESULTS_FIELD,
    RESULTS_KIND,
    ParticipantReport,
    ProjectUse,
    gather,
)
from cohortgate.custodian.participants.report_render import TITLE, render_html, render_lines
from cohortgate.files import atomic
from cohortgate.files.pdf import minimal_pdf
from cohortgate.findings import Finding

__all__ = [
    "RESULTS_FIELD",
    "RESULTS_KIND",
    "ParticipantReport",
    "ProjectUse",
    "gather",
    "render_html",
    "render_lines",
    "write_report",
]


# --- writing -------------------------------------------------------------------------------


def git_problem(path: Path) -> tuple[str, str] | None:
    """(path, work tree) when ``path`` is inside a git work tree that does not ignore it."""
    resolved = path.resolve()
    top = next((p for p in [resolved, *resolved.parents] if (p / ".git").exists()), None)
    if top is None:
        return None
    git = shutil.which("git")
    if git is None:
        return str(path), str(top)
    result = subprocess.run(
        [git, "check-ignore", "-q", str(resolved) + "/"], cwd=top, capture_output=True, check=False
    )
    return None if result.returncode == 0 else (str(path), str(top))


def report_name(report: ParticipantReport) -> str:
    return f"participant-{report.patient_id}-{report.today.isoformat()}"


def write_report(report: ParticipantReport, out: Path) -> tuple[list[Path], list[Finding]]:
    """Write ``<out>/participant-<id>-<day>.html`` and ``.pdf`` (0600, folder 0700): both or,
    with a finding, neither."""
    problem = git_problem(out)
    if problem is not None:
        return [], [C.REPORT_IN_GIT.at(out.name, folder=problem[0], top=problem[1])]
    page = render_html(report).encode("utf-8")
    pdf = minimal_pdf(render_lines(report), title=TITLE)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    stem = report_name(report)
    written: list[Path] = []
    try:
        for suffix, data in ((".pdf", pdf), (".html", page)):
            path = out / f"{stem}{suffix}"
            atomic.write_bytes(path, data, mode=0o600)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written, []
