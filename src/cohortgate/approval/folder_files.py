"""An application folder in the working tree: its files, their SHA-256 streamed, and what the
after-review rule refuses there; for the custodian's release and for ``validate``.

The same rule as ``approval.digest`` applies to a commit (``layout.after_review_problem``), here
applied to files on disk. The folder is walked without following links (a link is a file, as
git records it: its digest is the SHA-256 of the link's target, as git stores it), and files
are hashed in chunks, so the memory used does not grow with their size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cohortgate.approval import codes as C
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.layout import (
    AGREEMENTS_RECORD,
    EVENTS,
    after_review_place,
    after_review_problem,
    named_after_review,
)

CHUNK = 1024 * 1024
_OPEN = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True)
class FolderFile:
    """A file of the folder: its path relative to the folder (POSIX) and its ``lstat``."""

    relative: str
    path: Path
    info: os.stat_result

    @property
    def is_link(self) -> bool:
        return stat.S_ISLNK(self.info.st_mode)


def folder_files(folder: Path) -> list[FolderFile]:
    """Every regular file and link under ``folder`` (links are not followed), sorted."""
    found: list[FolderFile] = []
    for top, dirs, names in os.walk(folder):
        base = Path(top)
        for name in dirs + names:
            path = base / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                found.append(FolderFile(path.relative_to(folder).as_posix(), path, info))
    return sorted(found, key=lambda f: f.relative)


def file_sha256(item: FolderFile) -> str:
    """The SHA-256 git would bind: of a file's content read in chunks, of a link's target."""
    if item.is_link:
        return hashlib.sha256(os.fsencode(os.readlink(item.path))).hexdigest()
    digest = hashlib.sha256()
    fd = os.open(item.path, _OPEN)
    with os.fdopen(fd, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def named_in(folder: Path) -> frozenset[str]:
    """The after-review files that the records in ``folder`` name (``layout``'s
    ``named_after_review``): its events' attachments, the signed copies of agreements.yaml."""
    events: list[object] = []
    listed = [] if (folder / EVENTS).is_symlink() else (folder / EVENTS).glob("*.yaml")
    for path in sorted(listed):
        with contextlib.suppress(LoadError):
            events.append(load_yaml_file(path).data)
    agreements: object = None
    if (folder / AGREEMENTS_RECORD).is_file():
        with contextlib.suppress(LoadError):
            agreements = load_yaml_file(folder / AGREEMENTS_RECORD).data
    return named_after_review(events, agreements)


@dataclass(frozen=True)
class Refused:
    """A file of an after-review folder that its command does not write, and why."""

    relative: str
    place: str  # reviews/, events/, ... or decision.yaml
    problem: Both  # follows the file's name: 'is not a score sheet: ...'


def after_review_refused(folder: Path, files: list[FolderFile] | None = None) -> list[Refused]:
    """The files of the after-review folders of ``folder`` that their commands do not write
    (``layout.after_review_problem``); ``files`` when the caller has walked the folder."""
    named: frozenset[str] | None = None
    refused: list[Refused] = []
    for item in folder_files(folder) if files is None else files:
        place = after_review_place(item.relative)
        if place is None:
            continue
        if named is None:
            named = named_in(folder)
        problem = after_review_problem(item.relative, folder.name, named)
        if problem is None and item.is_link:
            problem = SYMLINK_WRITTEN_BY_NONE
        if problem is not None:
            refused.append(Refused(item.relative, place, problem))
    return refused


SYMLINK_WRITTEN_BY_NONE = Both(
    zh="是符号链接，任何命令都不会写入符号链接", en="is a symbolic link, which no command writes"
)


def unbound_file(path: str, relative: str, problem: Both | str, place: str) -> Finding:
    """The finding for a file of an after-review folder that no command writes there."""
    fix = Both(
        zh=f"把它从 {place} 中删除，或移到申请文件夹本身（签核绑定那里的文件），"
        "并在重新审查的拉取请求中提交。",
        en=f"Remove it from {place}, or move it into the application folder itself (where "
        "sign-offs bind it) in a pull request that is reviewed again.",
    )
    what = Both(zh=f"“{relative}”", en=f"'{relative}'")
    return C.UNBOUND_FILE.at(path, what=what, problem=problem, fix=fix)


def megabytes(size: int) -> str:
    """A size as findings state it: '20.0 MB' (of 1024 × 1024 bytes, as ``policy`` counts)."""
    return f"{size / (1024 * 1024):.1f} MB"
