"""Attachments are checked as what they claim to be, and kept where sign-offs bind them.

The attacks: a 200 MB "PDF"; ``%PDF-1.4`` followed by an HTML page with a ``<script>``; a PDF
that runs JavaScript when opened; an encrypted PDF; an attachment under an after-review
folder. Every PDF here is made by pypdf's writer; large files are files with a hole. pytest
turns warnings into errors, so none of pypdf's may escape the check.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from application_examples import EXAMPLES, build_root
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from cohortgate.applications.pdf_check import pdf_problem
from cohortgate.cli import main
from cohortgate.policy import ATTACHMENT_MAX_BYTES

CASE = EXAMPLES / "valid" / "l1-aggregate"
FOLDER = "submissions/2026/A-2026-0100"
FORM = f"{FOLDER}/application.yaml"


def made(build: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(action: DictionaryObject) -> Callable[[PdfWriter], None]:
    def build(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = action

    return build


def _action(kind: str, **entries: str) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _page_aa(writer: PdfWriter) -> None:
    page = writer.pages[0]
    aa = DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="app.alert(1)")})
    page[NameObject("/AA")] = aa


def _indirect_name(writer: PdfWriter) -> None:
    name = writer._add_object(NameObject("/Launch"))
    action = DictionaryObject({NameObject("/S"): name, NameObject("/F"): TextStringObject("x")})
    writer._root_object[NameObject("/OpenAction")] = action


# --- the check itself --------------------------------------------------------------------------


def test_a_valid_small_pdf_is_accepted() -> None:
    assert pdf_problem(made()) is None


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (_open_action(_action("/JavaScript", JS="app.alert('opened')")), "JavaScript"),
        (lambda w: w.add_open_action(JavaScript("this.print();")), "JavaScript"),  # name tree
        (_page_aa, "JavaScript"),
        (_open_action(_action("/Launch", F="calc.exe")), "launches a program"),
        (_indirect_name, "launches a program"),
        (lambda w: w.add_attachment("data.csv", b"id,dx\n1,PKU\n"), "embedded files"),
    ],
    ids=["open-action-js", "js-name-tree", "page-aa-js", "launch", "indirect-name", "embedded"],
)
def test_active_content_is_refused(build: Callable[[PdfWriter], None], what: str) -> None:
    problem = pdf_problem(made(build))
    assert problem is not None and problem.active and what in problem.why.en


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_an_encrypted_pdf_is_refused(algorithm: str) -> None:
    data = made(lambda w: w.encrypt("", "owner-secret", algorithm=algorithm))
    problem = pdf_problem(data)
    assert problem is not None and not problem.active
    assert "encrypted" in problem.why.en and "unprotected copy" in problem.fix.en
    assert "加密" in problem.why.zh and "副本" in problem.fix.zh


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n", "holds HTML"),
        (b"%PDF-1.4\n<ScRiPt src=//x.example/a.js></ScRiPt>", "holds HTML"),
        (made() + b"\n<script>alert(1)</script>\n", "holds HTML"),
        (made() + b"<a href='javascript:alert(1)'>", "holds HTML"),
        (b"%PDF-1.4\n" + b"\x00" * 1000, "cannot read its structure"),
        (b"%PDF-x\n", "not a PDF header"),
        (made(lambda w: w.remove_page(0)), "no pages"),
    ],
    ids=["html", "mixed-case", "appended-script", "javascript-url", "garbage", "header", "empty"],
)
def test_what_is_not_a_usable_pdf_is_refused(data: bytes, why: str) -> None:
    problem = pdf_problem(data)
    assert problem is not None and not problem.active and why in problem.why.en


def test_pypdf_never_escapes(caplog: pytest.LogCaptureFixture) -> None:
    """Damaged files (a wrong startxref, every truncation) end in a verdict: no exception, no
    warning (errors under pytest), no log line on the user's terminal."""
    good = made(_page_aa)
    wrong_xref = good.replace(b"startxref\n", b"startxref\n1")  # pypdf warns, then recovers
    samples = [wrong_xref] + [good[:n] for n in range(20, len(good), max(1, len(good) // 40))]
    samples.append(good.replace(b"/Pages", b"/Pagez"))
    samples.append(good.replace(b"endobj", b"", 3))
    with caplog.at_level(logging.DEBUG):
        for sample in samples:
            pdf_problem(sample)  # a verdict or None; never raises
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    recovered = pdf_problem(wrong_xref)  # read as viewers read it: its script is still found
    assert recovered is not None and recovered.why.en == "JavaScript"


def test_objects_are_walked_through_arrays_and_references() -> None:
    def nested(writer: PdfWriter) -> None:
        js = writer._add_object(_action("/JavaScript", JS="app.alert(1)"))
        writer._root_object[NameObject("/Extra")] = ArrayObject([ArrayObject([js])])

    problem = pdf_problem(made(nested))
    assert problem is not None and problem.why.en == "JavaScript"


# --- validate, end to end ------------------------------------------------------------------------


def _case(tmp_path: Path, edit: Callable[[Path], None]) -> Path:
    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected.txt"))
    edit(case)
    return case


def _validate(
    tmp_path: Path, case: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    lay, _paths = build_root(case, tmp_path / "repo")
    code = main(["validate", str(lay.root / FOLDER), "--root", str(lay.root), "--format", "json"])
    out = capsys.readouterr().out
    data = json.loads(out)
    findings = data["findings"] if isinstance(data, dict) else data
    return code, findings


def _set(case: Path, old: str, new: str) -> None:
    form = case / "application.yaml"
    form.write_text(form.read_text("utf-8").replace(old, new), "utf-8")


def test_a_valid_pypdf_pdf_passes_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _case(tmp_path, lambda c: (c / "protocol.pdf").write_bytes(made()))
    code, findings = _validate(tmp_path, case, capsys)
    assert code == 0 and [f for f in findings if f["severity"] == "error"] == []


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (
            b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
            "application.attachment-invalid-pdf",
            "holds HTML",
        ),
        (
            made(_open_action(_action("/JavaScript", JS="app.alert(1)"))),
            "application.attachment-active-content",
            "carries JavaScript",
        ),
        (
            made(lambda w: w.encrypt("", "owner")),
            "application.attachment-invalid-pdf",
            "is encrypted",
        ),
    ],
    ids=["html-after-header", "javascript-open-action", "encrypted"],
)
def test_validate_refuses_with_a_located_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, code: str, says: str
) -> None:
    case = _case(tmp_path, lambda c: (c / "protocol.pdf").write_bytes(content))
    exit_code, findings = _validate(tmp_path, case, capsys)
    assert exit_code == 1
    [finding] = findings
    assert finding["code"] == code and finding["file"] == FORM
    assert finding["line"] == 64 and finding["path"] == "$.protocol.document"
    message = str(finding["message"])
    assert "'protocol.pdf'" in message and says in message and finding["hint"]


@pytest.mark.parametrize("folder", ["reviews", "events", "agreements", "releases"])
def test_an_attachment_under_an_after_review_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    def move(case: Path) -> None:
        (case / folder).mkdir()
        (case / "protocol.pdf").rename(case / folder / "protocol.pdf")
        _set(case, "document: protocol.pdf", f"document: {folder}/protocol.pdf")

    exit_code, findings = _validate(tmp_path, _case(tmp_path, move), capsys)
    assert exit_code == 1
    by_code = {str(f["code"]): f for f in findings}
    refused = by_code["application.attachment-after-review"]
    assert refused["file"] == FORM and refused["path"] == "$.protocol.document"
    assert f"lies in {folder}/" in str(refused["message"])
    stray = by_code["application.after-review-file"]
    assert stray["file"] == f"{FOLDER}/{folder}/protocol.pdf"


def test_a_200_mb_pdf_is_refused_by_size_without_reading_it(tmp_path: Path) -> None:
    """In a subprocess: the exit code, the finding, and a peak memory that shows the file was
    never read (a file with a hole; ``VmHWM``, the peak of the subprocess's own address space:
    Linux carries pytest's peak into ``getrusage`` of a child)."""

    def grow(case: Path) -> None:
        with (case / "protocol.pdf").open("r+b") as handle:
            handle.truncate(200 * 1024 * 1024)

    lay, _paths = build_root(_case(tmp_path, grow), tmp_path / "repo")
    assert os.path.getsize(lay.root / FOLDER / "protocol.pdf") > ATTACHMENT_MAX_BYTES
    script = (
        "import json, sys\n"
        "from cohortgate.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "sys.stdout.flush()\n"
        "status = open('/proc/self/status').read() if sys.platform == 'linux' else ''\n"
        "kb = [int(x.split()[1]) for x in status.splitlines() if x.startswith('VmHWM:')]\n"
        "print(json.dumps({'code': code, 'kb': kb[0] if kb else 0}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "validate", str(lay.root / FOLDER), "--root", str(lay.root)],
        capture_output=True,
        text=True,
        env={**os.environ, "COHORTGATE_NO_CACHE": "1"},
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 1
    assert (
        f"{FORM}:64:3: error application.attachment-too-large $.protocol.document: "
        "protocol.document 'protocol.pdf' is 200.0 MB, over the limit of 20.0 MB"
    ) in done.stdout
    assert report["kb"] < 150 * 1024, report  # 0 where /proc is not there to ask
