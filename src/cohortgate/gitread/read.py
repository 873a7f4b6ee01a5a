"""Reading committed content: files, folders and histories at a given commit.

Review never reads the working tree for what it verifies: sheets, decisions, the application
files they bind and the rules (roster, rubric) all come from commits, so that what is verified is
exactly what was signed and what will be merged.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import io
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from git import BadName, Blob, Commit, InvalidGitRepositoryError, NoSuchPathError, Repo
from git.exc import GitCommandError

from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread import codes as C
from cohortgate.gitread.blobs import (
    SHA256_OF,
    blob_chunks,
    blob_sha256s,
    remember_sha256,
)
from cohortgate.gitread.blobs import (
    batch_objects as batch_objects,  # re-exported: signatures and approval read through it
)
from cohortgate.gitread.history import history
from cohortgate.gitread.memory import close_memory, open_memory

P = ParamSpec("P")
R = TypeVar("R")


_DEPTH: dict[int, int] = {}  # calls of ``ends_git_processes`` functions under way, per Repo


@contextlib.contextmanager
def git_run(repo: Repo) -> Iterator[None]:
    """One run of reading commits (see ``ends_git_processes``); runs nest, the outermost counts.

    Reading commits goes through GitPython's persistent ``git cat-file`` processes: they end
    when the outermost run does, rather than being left to the garbage collector, and not
    before: a track of a thousand applications reviews each one, and must not start them a
    thousand times. The outermost run also opens and writes back the run's memory
    (``gitread.memory``), and holds the cyclic garbage collector off: a track builds hundreds
    of thousands of long-lived objects (documents, models, verdicts) that the collector would
    traverse again and again (1.3 s of 4 s over a thousand applications) to find nothing: the
    peak memory was the same with it off (250 MB). Reference counting frees everything as
    usual."""
    _DEPTH[id(repo)] = _DEPTH.get(id(repo), 0) + 1
    outermost = _DEPTH[id(repo)] == 1
    collecting = gc.isenabled()
    if outermost:
        open_memory(str(repo.working_dir))
        gc.disable()
    try:
        yield
    finally:
        _DEPTH[id(repo)] -= 1
        if outermost:
            del _DEPTH[id(repo)]
            close_memory(str(repo.working_dir))
            repo.git.clear_cache()
            if collecting:
                gc.enable()


def ends_git_processes(fn: Callable[Concatenate[Repo, P], R]) -> Callable[Concatenate[Repo, P], R]:
    """``fn`` (whose first argument is the repository) as one run of reading commits
    (``git_run``)."""

    @functools.wraps(fn)
    def wrapper(repo: Repo, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with git_run(repo):
            return fn(repo, *args, **kwargs)

    return wrapper


class ReviewInputError(Exception):
    """Review cannot start: the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def open_repo(root: Path) -> Repo:
    try:
        return Repo(root, search_parent_directories=False)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise ReviewInputError(
            C.GIT_UNAVAILABLE.at(
                ".",
                problem=Both(
                    zh=f"“{root.name}”不是 git 仓库的根目录",
                    en=f"'{root.name}' is not the root of a git repository",
                ),
            )
        ) from None


def commit_of(repo: Repo, ref: str) -> Commit:
    """The commit ``ref`` names; a commit id once resolved is remembered for the process (a
    track resolves the same base and head for each of a thousand reviews)."""
    key = (str(repo.working_dir), ref)
    known = _COMMITS.get(key)
    if known is not None:
        return Commit(repo, known)
    try:
        commit = repo.commit(ref)
    except (BadName, ValueError, GitCommandError):
        raise ReviewInputError(C.BAD_REF.at(".", ref=ref)) from None
    if ref == commit.hexsha:
        _COMMITS[key] = commit.binsha
    return commit


_COMMITS: dict[tuple[str, str], bytes] = {}


SMALL_BLOB = 256 * 1024  # forms, sheets, decisions, events: read in bulk; larger files alone


@dataclass(frozen=True)
class _Listing:
    """Every file of one commit: path -> (mode, blob id, size), from ONE ``git ls-tree -r -l``.

    GitPython would parse each tree on the way to a path in Python, and read each blob through
    a persistent ``git cat-file`` process that outlives the call; with a folder of a thousand
    applications that took minutes. The listing takes milliseconds and is cached per commit
    (commits never change); small files are read in bulk, one ``cat-file --batch`` per top
    folder (``_small_blobs``)."""

    files: dict[str, tuple[int, str, int]]
    paths: tuple[str, ...]  # sorted, for prefix scans


@functools.lru_cache(maxsize=16)
def _listing(working_dir: str, sha: str) -> _Listing:
    output = subprocess.run(
        ["git", "ls-tree", "-r", "-l", "-z", "--full-tree", sha],
        cwd=working_dir,
        capture_output=True,
        check=True,
    ).stdout
    files: dict[str, tuple[int, str, int]] = {}
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, object_id, size = meta.split()
        if kind == b"blob":
            path = name.decode("utf-8", "surrogateescape")
            files[path] = (int(mode, 8), object_id.decode(), int(size))
    return _Listing(files, tuple(sorted(files)))


@functools.lru_cache(maxsize=16)
def _small_blobs(working_dir: str, sha: str, top: str) -> dict[str, bytes]:
    """The content of every small file under ``top/`` at the commit, by blob id."""
    listing = _listing(working_dir, sha)
    wanted = [
        oid
        for path, (_m, oid, size) in listing.files.items()
        if path.startswith(top + "/") and size <= SMALL_BLOB
    ]
    return {oid: content for oid, (_t, _o, content) in batch_objects(working_dir, wanted).items()}


def _files(commit: Commit) -> _Listing:
    return _listing(str(commit.repo.working_dir), commit.hexsha)


def _content(commit: Commit, path: str, object_id: str, size: int) -> bytes:
    """The whole content (small files in bulk); hashing goes through ``CommittedFile.sha256``,
    which streams what is large."""
    working_dir = str(commit.repo.working_dir)
    if size <= SMALL_BLOB:
        return _small_blobs(working_dir, commit.hexsha, path.split("/", 1)[0])[object_id]
    return b"".join(blob_chunks(working_dir, object_id))


@dataclass(frozen=True)
class CommittedFile:
    """A file of a commit, read on demand."""

    commit: Commit
    path: str
    mode: int
    hexsha: str
    size: int

    @property
    def data_stream(self) -> io.BytesIO:
        """The whole content in memory: for the small files that are parsed (forms, sheets)."""
        return io.BytesIO(_content(self.commit, self.path, self.hexsha, self.size))

    def sha256(self) -> str:
        """The SHA-256 of the content, in fixed memory whatever the size."""
        known = SHA256_OF.get(self.hexsha)
        if known is None:
            if self.size > SMALL_BLOB:
                working_dir = str(self.commit.repo.working_dir)
                return blob_sha256s(working_dir, [self.hexsha])[self.hexsha]
            known = sha256(_content(self.commit, self.path, self.hexsha, self.size))
            remember_sha256(self.hexsha, known)
        return known


def read_blob(commit: Commit, path: str) -> bytes | None:
    """The content of ``path`` at ``commit``, or None when it is not a regular file there."""
    entry = _files(commit).files.get(path)
    if entry is None or entry[0] == Blob.link_mode:
        return None
    return _content(commit, path, entry[1], entry[2])


def blob_sha(commit: Commit, path: str) -> str | None:
    entry = _files(commit).files.get(path)
    return entry[1] if entry else None


def _span(listing: _Listing, folder: str) -> tuple[str, ...]:
    """The sorted paths under ``folder/``: one bisect for each end ('0' follows '/')."""
    prefix = folder.rstrip("/") + "/"
    start = bisect.bisect_left(listing.paths, prefix)
    return listing.paths[start : bisect.bisect_left(listing.paths, prefix[:-1] + "0", start)]


def paths_under(commit: Commit, folder: str) -> list[str]:
    """The paths of every file under ``folder`` at ``commit`` (recursively), sorted."""
    return list(_span(_files(commit), folder))


def files_under(commit: Commit, folder: str) -> list[tuple[str, CommittedFile]]:
    """Every file under ``folder`` at ``commit`` (recursively), as (repo path, file), sorted."""
    listing = _files(commit)
    files = listing.files
    return [(path, CommittedFile(commit, path, *files[path])) for path in _span(listing, folder)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def last_change(repo: Repo, head: Commit, path: str) -> str | None:
    """The newest commit reachable from ``head`` that changed ``path`` (git's own history
    simplification: through a merge, the parent the file came from)."""
    return last_changes(repo, head, [path]).get(path)


def last_changes(repo: Repo, head: Commit, paths: Sequence[str]) -> dict[str, str]:
    """The newest commit that changed each of ``paths``, from the history walk of ``head``
    (``gitread.history``: one ``git log`` for every question of the run)."""
    seen = history(repo, head)
    found: dict[str, str] = {}
    for path in paths:
        changes = seen.positions(path)
        if not changes:
            continue
        sha = seen.walk.shas[changes[0]]
        # The walk ignores history simplification; where it found a commit whose content is
        # not what head holds (a change dropped by a merge), ask git the one-path question.
        if seen.blob_after(sha, path) != blob_sha(head, path):
            sha = repo.git.log("-1", "--format=%H", head.hexsha, "--", path).strip() or sha
        found[path] = sha
    return found


def changes_of(repo: Repo, head: Commit, path: str) -> list[str]:
    """Every commit reachable from ``head`` that changed ``path``, newest first."""
    seen = history(repo, head)
    if seen.walk.linear:
        return seen.changes(path)
    output = repo.git.log("--format=%H", head.hexsha, "--", path)
    return [line for line in output.split() if line]


def signed_blob(repo: Repo, head: Commit, sha: str, path: str) -> str | None:
    """The blob commit ``sha`` (reachable from ``head``) left at ``path``, from the walk."""
    return history(repo, head).blob_after(sha, path)


def changed_between(repo: Repo, base: Commit, head: Commit) -> tuple[str, ...]:
    """Paths changed on the way from the merge base of ``base`` and ``head`` to ``head`` (what a
    pull request from ``head`` into ``base`` changes), sorted."""
    output = repo.git.diff("--no-renames", "--name-only", "-z", f"{base.hexsha}...{head.hexsha}")
    return tuple(sorted({path for path in output.split("\x00") if path}))
