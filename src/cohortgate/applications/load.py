"""Find application folders under ``submissions/`` and load their forms into models.

An application is a folder ``submissions/<year>/<id>/`` holding ``application.yaml`` and its
attachments. Loading turns every problem into a located finding: the loader's own (syntax,
duplicate keys, ...), the model's (schema), and the folder's (id and year differ from the
form's id). Two problems get a specific finding instead of the schema's generic one: e-mail
addresses with look-alike characters and attachment paths that leave the folder. What the folder
holds is checked whether or not the form loads: the folders that follow the review hold only
what their commands write (``layout.after_review_problem``, as ``review`` and the custodian
judge it), and the reviewed files together stay under ``policy.APPLICATION_MAX_BYTES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cohortgate.applications import codes as C
from cohortgate.applications.attachments import raw_path_findings
from cohortgate.applications.identity import raw_email_findings
from cohortgate.approval.folder_files import after_review_refused, folder_files, megabytes
from cohortgate.files import codes as CL
from cohortgate.files.loading import Document, LoadError, load_yaml_file, require_mapping
from cohortgate.files.modelcheck import check_model
from cohortgate.files.parse_cache import ParseCache
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both, Code
from cohortgate.layout import Layout, is_reviewed_file
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist
from cohortgate.models.review import Decision
from cohortgate.policy import APPLICATION_MAX_BYTES

FORM = "application.yaml"
DECISION = "decision.yaml"
_ID = re.compile(r"^A-(20[0-9]{2})-[0-9]{4}$")
_YEAR = re.compile(r"^20[0-9]{2}$")


@dataclass
class Form:
    """An application whose form matches the model: what the checks look at."""

    app: Application
    doc: Document  # the raw data and the positions of application.yaml
    folder: Path
    folder_display: str  # the folder relative to the repository root, for messages

    def at(self, code: Code, path: Iterable[str | int], **params: object) -> Finding:
        return self.doc.finding(code, tuple(path), **params)


@dataclass
class LoadedApplication:
    folder: Path
    file: str  # application.yaml relative to the repository root
    form: Form | None = None  # None when the file did not load or match the model
    findings: list[Finding] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.form.app.id if self.form else self.folder.name


def folder_display(lay: Layout, folder: Path) -> str:
    return lay.rel(folder)


def shown(lay: Layout, path: Path) -> str:
    """``path`` relative to the root, without following a link that ``path`` itself is."""
    parent = lay.rel(path.parent)
    return f"{parent}/{path.name}" if parent not in ("", ".") else path.name


def load_application(
    lay: Layout, folder: Path, cache: ParseCache | None = None
) -> LoadedApplication:
    """The form of ``folder`` and its loading findings (through ``cache`` when given), and
    what the folder holds that sign-offs could not bind (``content_findings``)."""
    loaded = load_form(lay, folder, cache)
    loaded.findings += content_findings(folder_display(lay, folder), folder)
    return loaded


def content_findings(shown: str, folder: Path) -> list[Finding]:
    """Files in the after-review folders that their commands do not write, and the reviewed
    files together over ``policy.APPLICATION_MAX_BYTES``."""
    files = folder_files(folder)
    findings = [
        C.AFTER_REVIEW_FILE.at(
            f"{shown}/{r.relative}", name=r.relative, problem=r.problem, place=r.place
        )
        for r in after_review_refused(folder, files)
    ]
    total = sum(f.info.st_size for f in files if not f.is_link and is_reviewed_file(f.relative))
    if total > APPLICATION_MAX_BYTES:
        fix = Both(
            zh="文件夹中只保留申请表和委员会需要的附件，每个 PDF 都以压缩图片的方式导出。",
            en="Keep only the form and the attachments the committees need in the folder, each "
            "PDF exported with compressed images.",
        )
        findings.append(
            C.ATTACHMENT_TOO_LARGE.at(
                f"{shown}/",
                what=Both(
                    zh=f"{shown}/（申请的全部文件合计）",
                    en=f"{shown}/ (the application's files together)",
                ),
                size=megabytes(total),
                limit=megabytes(APPLICATION_MAX_BYTES),
                fix=fix,
            )
        )
    return findings


def load_form(lay: Layout, folder: Path, cache: ParseCache | None) -> LoadedApplication:
    """The form of ``folder`` and its findings, without looking at the rest of the folder."""
    shown = folder_display(lay, folder)
    loaded = LoadedApplication(folder, f"{shown}/{FORM}")
    path = folder / FORM
    if not path.exists() and not path.is_symlink():  # the loader refuses links itself
        loaded.findings.append(CL.FILE_MISSING.at(loaded.file, what=FORM))
        return loaded
    try:
        doc = cache.document(path, loaded.file) if cache else load_yaml_file(path, loaded.file)
        require_mapping(doc)
    except LoadError as exc:
        loaded.findings.append(exc.finding)
        return loaded
    specific = raw_email_findings(doc) + raw_path_findings(doc)
    app, problems = check_model(doc, Application)
    explained = {f.path for f in specific}
    loaded.findings += specific + [f for f in problems if f.path not in explained]
    if app is not None and not specific:
        loaded.form = Form(app, doc, folder, shown)
        loaded.findings += _folder_findings(lay, loaded.form)
    return loaded


def _folder_findings(lay: Layout, form: Form) -> list[Finding]:
    """The folder is submissions/<year>/<id>/ for the form's id."""
    app_id, folder = form.app.id, form.folder
    findings = []
    if folder.name != app_id:
        fix = (
            Both(
                zh=f"如果 {folder.name} 就是申请编号，请设 id: {folder.name}；否则把文件夹改名为 "
                f"{app_id}。",
                en=f"Set id: {folder.name} if that is the application's id, or rename the folder "
                f"to {app_id}.",
            )
            if _ID.match(folder.name)
            else Both(zh=f"把文件夹改名为 {app_id}。", en=f"Rename the folder to {app_id}.")
        )
        findings.append(
            form.at(C.ID_FOLDER_MISMATCH, ("id",), id=app_id, folder=folder.name, fix=fix)
        )
    year = app_id[2:6]
    try:
        inside = folder.resolve().relative_to(lay.submissions.resolve())
    except ValueError:
        return findings  # a draft outside submissions/: only its own name is checked
    if inside.parts[:1] != (year,) or len(inside.parts) != 2:
        where = f"submissions/{inside.parent.as_posix()}".removesuffix("/.")
        findings.append(form.at(C.YEAR_FOLDER_MISMATCH, ("id",), id=app_id, where=where, year=year))
    return findings


def scan_submissions(lay: Layout, under: Path | None = None) -> tuple[list[Path], list[Finding]]:
    """Every application folder under ``submissions/`` (or one year folder of it), and a
    finding for everything there that is not an application folder."""
    root = lay.submissions
    folders: list[Path] = []
    findings: list[Finding] = []
    if not root.is_dir():
        return folders, findings
    years = [under] if under is not None and under != root else sorted(root.iterdir())
    for year in years:
        if year.is_symlink():
            findings.append(
                misplaced(lay, year, IS_LINK, Both(zh="删除该链接。", en="Remove the link."))
            )
        elif year.is_file():
            continue  # README.md and the like: submissions/ may explain itself
        elif not _YEAR.match(year.name):
            fix = Both(
                zh="把申请移到 submissions/<year>/<id>/。",
                en="Move applications to submissions/<year>/<id>/.",
            )
            findings.append(
                misplaced(lay, year, Both(zh="不是年份文件夹", en="is not a year folder"), fix)
            )
            folders += [p.parent for p in sorted(year.rglob(FORM))]
        else:
            for item in sorted(year.iterdir()):
                if item.is_symlink():
                    findings.append(misplaced(lay, item, IS_LINK, REPLACE_LINK))
                elif item.is_dir():
                    folders.append(item)
                else:
                    fix = Both(
                        zh="把它移到所属的申请文件夹中。", en="Move it into its application folder."
                    )
                    findings.append(
                        misplaced(lay, item, Both(zh="是一个文件", en="is a file"), fix)
                    )
    return folders, findings


IS_LINK = Both(zh="是符号链接", en="is a symbolic link")
REPLACE_LINK = Both(zh="用文件夹本身替换该链接。", en="Replace it with the folder itself.")


def misplaced(lay: Layout, path: Path, what: Both, fix: Both) -> Finding:
    where = shown(lay, path)
    text = Both(
        zh=f"“{where}”{what.zh}；submissions/ 中只放 <year>/<id>/ 文件夹",
        en=f"'{where}' {what.en}; submissions/ holds only <year>/<id>/ folders",
    )
    return C.MISPLACED.at(where, what=text, fix=fix)


def decision_of(folder: Path) -> str | None:
    """The decision recorded for an application (``decision.yaml``, the ``Decision`` model), or
    None while it is open; a missing, unreadable or malformed file means "no decision".

    This reads the decision as data. Whether a chair signed it, with quorum and as the rubric's
    rule allows, is ``cohortgate review``'s question: the review workflow asks it on the pull
    request that adds the file, so the main branch holds only verified decisions.
    """
    path = folder / DECISION
    if not path.is_file() or path.is_symlink():
        return None
    try:
        doc = load_yaml_file(path)
    except LoadError:
        return None
    decision, _problems = check_model(doc, Decision)
    return None if decision is None else decision.decision.value


def load_blacklist(lay: Layout) -> tuple[Blacklist, Document | None, list[Finding]]:
    """``rubric/blacklist.yaml``; a repository without one has an empty blacklist."""
    path = lay.rubric / "blacklist.yaml"
    if not path.exists():
        return Blacklist(), None, []
    try:
        doc = load_yaml_file(path, lay.rel(path))
    except LoadError as exc:
        return Blacklist(), None, [exc.finding]
    blacklist, problems = check_model(doc, Blacklist)
    return blacklist or Blacklist(), doc, problems
