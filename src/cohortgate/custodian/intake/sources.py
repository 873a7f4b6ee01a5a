"""What a hospital sends, as documents to read: a file, a folder, a zip archive or standard
input (issue 14). Nothing in it is trusted:

- a symbolic link (the file, a folder entry, or anything on the way) is refused: it could
  point at the custodian's own files;
- a zip member whose name is absolute, climbs out with ``..`` or is a link is refused, and
  members are read from the archive into memory, never unpacked onto the disk;
- a document over ``policy.INTAKE_MAX_DOCUMENT_BYTES`` is refused before it is read; an
  archive is refused whole when its members would unpack to more than
  ``policy.INTAKE_MAX_ARCHIVE_BYTES``, number more than ``INTAKE_MAX_MEMBERS`` or unpack to more
  than ``INTAKE_MAX_RATIO`` times their packed size (a zip bomb); a member is read with a bound,
  so that a forged size in the archive's directory gains nothing.

``documents`` yields (name, bytes) in name order, or raises ``SourceError`` with the finding.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from cohortgate import policy
from cohortgate.custodian.intake import codes as C
from cohortgate.findings import Finding

SUFFIXES = (".json",)  # what the readers take (phenopackets; FHIR bundles later)


class SourceError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _refuse(where: str, problem: str) -> SourceError:
    return SourceError(C.UNSAFE_SOURCE.at(where, problem=problem))


def documents(source: str, stdin: IO[bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """The documents of ``source`` (a path, or '-' for ``stdin``)."""
    if source == "-":
        if stdin is None:
            raise SourceError(C.NO_SOURCE.at("-", problem="no standard input"))
        yield "-", _bounded(stdin, "-")
        return
    path = Path(source)
    if path.is_symlink():
        raise _refuse(source, f"'{source}' is a symbolic link")
    if not path.exists():
        raise SourceError(C.NO_SOURCE.at(source, problem=f"'{source}' does not exist"))
    if path.is_dir():
        yield from _folder(path)
    elif zipfile.is_zipfile(path):
        yield from _archive(path)
    else:
        yield path.name, _file(path, path.name)


def _bounded(stream: IO[bytes], where: str) -> bytes:
    data = stream.read(policy.INTAKE_MAX_DOCUMENT_BYTES + 1)
    if len(data) > policy.INTAKE_MAX_DOCUMENT_BYTES:
        raise _refuse(where, f"{where} is larger than {policy.INTAKE_MAX_DOCUMENT_BYTES} bytes")
    return data


def _file(path: Path, shown: str) -> bytes:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(shown, f"{shown} is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(shown, f"{shown} is not a regular file")
    if info.st_size > policy.INTAKE_MAX_DOCUMENT_BYTES:
        raise _refuse(shown, f"{shown} is larger than {policy.INTAKE_MAX_DOCUMENT_BYTES} bytes")
    with path.open("rb") as stream:
        return _bounded(stream, shown)


def _folder(root: Path) -> Iterator[tuple[str, bytes]]:
    found: list[tuple[str, Path]] = []
    for path in sorted(root.rglob("*")):
        shown = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise _refuse(shown, f"{shown} is a symbolic link")
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            found.append((shown, path))
    if len(found) > policy.INTAKE_MAX_MEMBERS:
        raise _refuse(root.name, f"{len(found)} documents (at most {policy.INTAKE_MAX_MEMBERS})")
    for shown, path in found:
        yield shown, _file(path, shown)


def _archive(path: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        _check_archive(path.name, members)
        for member in sorted(members, key=lambda m: m.filename):
            if PurePosixPath(member.filename).suffix.lower() not in SUFFIXES:
                continue
            shown = f"{path.name}:{member.filename}"
            with archive.open(member) as stream:
                yield shown, _bounded(stream, shown)


def _check_archive(name: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > policy.INTAKE_MAX_MEMBERS:
        raise _refuse(name, f"{len(members)} members (at most {policy.INTAKE_MAX_MEMBERS})")
    total = 0
    for member in members:
        where = f"{name}:{member.filename}"
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise _refuse(where, f"member '{member.filename}' would unpack outside the folder")
        if stat.S_ISLNK(member.external_attr >> 16):
            raise _refuse(where, f"member '{member.filename}' is a symbolic link")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > policy.INTAKE_MAX_DOCUMENT_BYTES and ratio > policy.INTAKE_MAX_RATIO:
            raise _refuse(
                where,
                f"member '{member.filename}' unpacks to {member.file_size} bytes from "
                f"{member.compress_size} (a ratio over {policy.INTAKE_MAX_RATIO}: a zip bomb)",
            )
        total += member.file_size
        if total > policy.INTAKE_MAX_ARCHIVE_BYTES:
            raise _refuse(
                name, f"the archive unpacks to more than {policy.INTAKE_MAX_ARCHIVE_BYTES} bytes"
            )
