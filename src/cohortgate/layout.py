"""Where things live in a cohortgate repository, and on the custodian's machine.

Public zone (in git, may be published): ``catalog/``, ``submissions/``, ``rubric/``, ``site/``.
Custodian zone (never in git, never on the site): the directory named by
``COHORTGATE_CUSTODIAN_DIR``, by default ``custodian/`` at the repository root, which
``.gitignore`` keeps out of git except for its README.

An application folder, ``submissions/<year>/<id>/``, as both sides of the trust boundary see it:
the form and its attachments, then what follows the review: the score sheets (``reviews/``),
the decision (``decision.yaml``), the agreements and their signed copies (``agreements/``,
``agreements.yaml``), the release manifests (``releases/``) and the lifecycle events
(``events/``). Sign-offs and decisions bind the SHA-256 of the reviewed files only
(``is_reviewed_file``): the committees' review code reads them from git, the custodian's release
code from the working tree, both by this one rule.

Everything an applicant can add is a reviewed file: the form, the attachments (anywhere in the
folder, e.g. beside the form or in ``attachments/``, but never in an after-review folder) and any
other file. The after-review folders and files are left out of the digest, so they may hold only
what their commands write (``after_review_problem``, the one rule that ``validate``, ``review``
and the custodian's release apply): ``reviews/<member-id>.yaml`` (``cohortgate sheet``),
``decision.yaml`` (``cohortgate decide``), the generated ``agreements/<kind>-agreement.md`` and
``.pdf`` with the signed copies that ``agreements.yaml`` records (``cohortgate agreements``),
``releases/R-<year>-<nnnn>-<mm>.yaml`` of this application (``cohortgate release``) and
``events/<yyyy-mm-dd>-<kind>[-n].yaml`` with the files an event names (``cohortgate event``).
Anything else there could be swapped after approval without making a sign-off stale.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cohortgate.findings.codes import Both


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def institutions(self) -> Path:
        return self.catalog / "institutions.yaml"

    @property
    def datasets(self) -> Path:
        return self.catalog / "datasets"

    @property
    def stats(self) -> Path:
        return self.catalog / "stats"

    @property
    def submissions(self) -> Path:
        return self.root / "submissions"

    @property
    def rubric(self) -> Path:
        return self.root / "rubric"

    @property
    def site_sources(self) -> Path:
        return self.root / "site"

    @property
    def schemas(self) -> Path:
        return self.root / "site" / "schemas"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def custodian(self) -> Path:
        env = os.environ.get("COHORTGATE_CUSTODIAN_DIR")
        return Path(env) if env else self.root / "custodian"

    @property
    def cohort_db(self) -> Path:
        return self.custodian / "cohort.duckdb"

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, for findings."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.name


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds ``catalog/`` and ``mkdocs.yml``.

    The search stops at the top of the git repository that ``start`` is in: a repository
    nested in another (a test's, a benchmark's) is never mistaken for its parent.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "catalog").is_dir() and (candidate / "mkdocs.yml").is_file():
            return candidate
        if (candidate / ".git").exists():
            break
    return here


def layout(root: Path | None = None) -> Layout:
    return Layout(root.resolve() if root else find_root())


REVIEWS = "reviews"
DECISION = "decision.yaml"
EVENTS = "events"
AGREEMENTS = "agreements"  # the generated texts and the signed copies
AGREEMENTS_RECORD = "agreements.yaml"  # the record of the signed copies
RELEASES = "releases"
AFTER_REVIEW_FOLDERS = (REVIEWS, EVENTS, AGREEMENTS, RELEASES)
AFTER_REVIEW_FILES = (DECISION, AGREEMENTS_RECORD)
# A path under one of these is not reviewed: the folders, and the two files (a folder named
# like one of them is not reviewed either, as git's pathspec ':(exclude)<folder>/decision.yaml'
# leaves out the folder too).
NOT_REVIEWED = tuple(f"{name}/" for name in (*AFTER_REVIEW_FOLDERS, *AFTER_REVIEW_FILES))

# What the commands write there. These restate, for the one rule below, names that their
# writers define (kept equal by tests/review/test_after_review_folders.py): the member id
# (``models.common.Slug``), the event file name (``models.lifecycle.EVENT_FILE``, ``EventKind``),
# the release id (``models.release.RELEASE_ID``) and the generated agreement texts
# (``custodian.release.agreement_texts.NAMES``). ``layout`` imports no model: every command
# module imports it when the parser is built.
_SHEET = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.yaml$")
EVENT_KINDS = (
    "received",
    "outputs",
    "extension-request",
    "extension-granted",
    "expiry",
    "completion-notice",
    "destruction-certificate",
    "destruction-verified",
    "closure",
    "violation",
    "participant-results",
)
_EVENT = re.compile(
    rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}-(?:{'|'.join(EVENT_KINDS)})(?:-(?:[2-9]|[1-9][0-9]))?"
    r"\.yaml$"
)
AGREEMENT_TEXTS = tuple(
    f"{name}{suffix}"
    for name in ("data-use-agreement", "confidentiality-agreement")
    for suffix in (".md", ".pdf")
)


def is_reviewed_file(relative: str) -> bool:
    """True for a file (relative to the application folder) that sign-offs cover."""
    return relative not in AFTER_REVIEW_FILES and not relative.startswith(NOT_REVIEWED)


def after_review_place(relative: str) -> str | None:
    """The after-review folder or file ``relative`` lies in or is (``reviews/``,
    ``decision.yaml``, ...), or None for a reviewed path."""
    if is_reviewed_file(relative):
        return None
    top = relative.split("/", 1)[0]
    return top if top in AFTER_REVIEW_FILES and top == relative else f"{top}/"


def after_review_problem(
    relative: str, app_id: str, named: Collection[str] = frozenset()
) -> Both | None:
    """Why the file ``relative`` (to the folder of application ``app_id``) may not be where it
    is, or None: a reviewed file, or an after-review file its command writes. ``named`` are the
    files that records name (``named_after_review``): the events' attachments and the signed
    copies of the agreements. The phrase follows the file's name, in both languages."""
    from cohortgate.findings.codes import Both  # late: the CLI's parser loads this module

    place = after_review_place(relative)
    if place is None or relative in AFTER_REVIEW_FILES:
        return None
    rest = relative[len(place) :]
    if place.rstrip("/") in AFTER_REVIEW_FILES:
        file = place.rstrip("/")
        return Both(
            zh=f"位于 {file} 之内，而 {file} 是 `cohortgate` 写入的文件",
            en=f"is inside {file}, which is a file that `cohortgate` writes",
        )
    if place == f"{REVIEWS}/":
        if _SHEET.fullmatch(rest) and len(rest) <= 64 + len(".yaml"):
            return None
        return Both(
            zh="不是评分表：reviews/ 中只放 <member-id>.yaml（`cohortgate sheet`）",
            en="is not a score sheet: reviews/ holds only <member-id>.yaml (`cohortgate sheet`)",
        )
    if place == f"{RELEASES}/":
        release = "R" + app_id[1:] + "-"
        if rest.startswith(release) and re.fullmatch(r"[0-9]{2}\.yaml", rest[len(release) :]):
            return None
        return Both(
            zh=f"不是 {app_id} 的发布清单：releases/ 中只放 {release}<nn>.yaml"
            "（`cohortgate release`）",
            en=f"is not a release manifest of {app_id}: releases/ holds only "
            f"{release}<nn>.yaml (`cohortgate release`)",
        )
    if relative in named:
        return None
    if place == f"{EVENTS}/":
        if _EVENT.fullmatch(rest):
            return None
        return Both(
            zh="既不是事件（<yyyy-mm-dd>-<kind>[-n].yaml），也不是事件在 attachments 中列出的文件"
            "（`cohortgate event --attach`）",
            en="is neither an event (<yyyy-mm-dd>-<kind>[-n].yaml) nor a file that an event "
            "names in its attachments (`cohortgate event --attach`)",
        )
    if rest in AGREEMENT_TEXTS:
        return None
    return Both(
        zh="既不是生成的协议文本（agreements/<kind>-agreement.md 或 .pdf），也不是 "
        "agreements.yaml 登记的签署件（`cohortgate agreements --record`）",
        en="is neither a generated agreement text (agreements/<kind>-agreement.md or .pdf) nor "
        "a signed copy that agreements.yaml records (`cohortgate agreements --record`)",
    )


def named_after_review(events: Iterable[object], agreements: object) -> frozenset[str]:
    """The after-review files that records name, relative to the application folder: each
    event's ``attachments`` (under ``events/``, never a .yaml file) and each signed copy that
    ``agreements.yaml`` records (under ``agreements/``). ``events`` and ``agreements`` are the
    raw data of the files (anything: a malformed record names nothing)."""
    found: set[str] = set()
    for event in events:
        attachments = event.get("attachments") if isinstance(event, dict) else None
        for name in attachments if isinstance(attachments, dict) else ():
            path = _inside(f"{EVENTS}/{name}" if isinstance(name, str) else "", EVENTS)
            if path and not path.endswith(".yaml"):
                found.add(path)
    records = agreements.get("agreements") if isinstance(agreements, dict) else None
    for record in records if isinstance(records, list) else ():
        copy = record.get("signed_copy") if isinstance(record, dict) else None
        path = _inside(copy if isinstance(copy, str) else "", AGREEMENTS)
        if path:
            found.add(path)
    return frozenset(found)


def _inside(path: str, folder: str) -> str | None:
    """``path`` when it is a plain path below ``folder/`` (no '.', '..' or empty segment, as
    the lifecycle and the agreements read them), else None."""
    if "\\" in path or posixpath.normpath(path) != path:
        return None
    return path if path.startswith(f"{folder}/") else None


_ID = re.compile(r"^A-(20[0-9]{2})-[0-9]{4}$")
_RELATIVE = re.compile(r"^submissions/(20[0-9]{2})/(A-\1-[0-9]{4})(/application\.yaml)?/?$")


def application_folder(lay: Layout, argument: str) -> str:
    """``submissions/<year>/<id>`` (repository-relative, POSIX); ValueError says what to pass."""
    if _ID.fullmatch(argument):
        return f"submissions/{argument[2:6]}/{argument}"
    if match := _RELATIVE.fullmatch(argument):  # as the repository names it
        return f"submissions/{match.group(1)}/{match.group(2)}"
    path = Path(argument)
    if path.name == "application.yaml":
        path = path.parent
    resolved = path.resolve()
    try:
        parts = resolved.relative_to(lay.root.resolve()).as_posix().split("/")
    except ValueError:
        parts = []
    if len(parts) != 3 or parts[0] != "submissions" or not _ID.fullmatch(parts[2]):
        raise ValueError(
            f"'{argument}' is not an application: pass its id (A-2026-0001) or its folder "
            "(submissions/<year>/<id>)"
        )
    return "/".join(parts)
