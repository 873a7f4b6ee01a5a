"""Reading committed content: files, folders and histories at a given commit.

Review never reads the working tree for what it verifies: sheets, decisions, the application
files they bind and the rules (roster, rubric) all come from commits, so that what is verified is
exactly what was signed and what will be merged.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from git import BadName, Blob, Commit, InvalidGitRepositoryError, NoSuchPathError, Repo
from git.exc import GitCommandError

from cohortgate import codes_review as C
from cohortgate.findings import Finding

P = ParamSpec("P")
R = TypeVar("R")


def ends_git_processes(fn: Callable[Concatenate[Repo, P], R]) -> Callable[Concatenate[Repo, P], R]:
    """Reading commits goes through GitPython's persistent ``git cat-file`` processes: end them
    when ``fn`` (whose first argument is the repository) returns, rather than leave them to the
    garbage collector."""

    @functools.wraps(fn)
    def wrapper(repo: Repo, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(repo, *args, **kwargs)
        finally:
            repo.git.clear_cache()

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
            C.GIT_UNAVAILABLE.at(".", problem=f"'{root.name}' is not the root of a git repository")
        ) from None


def commit_of(repo: Repo, ref: str) -> Commit:
    try:
        return repo.commit(ref)
    except (BadName, ValueError, GitCommandError):
        raise ReviewInputError(C.BAD_REF.at(".", ref=ref)) from None


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
    wanted = sorted(
        {
            oid
            for path, (_m, oid, size) in listing.files.items()
            if path.startswith(top + "/") and size <= SMALL_BLOB
        }
    )
    if not wanted:
        return {}
    output = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=working_dir,
        input="".join(f"{oid}\n" for oid in wanted).encode(),
        capture_output=True,
        check=True,
    ).stdout
    found: dict[str, bytes] = {}
    at = 0
    while at < len(output):
        end = output.index(b"\n", at)
        oid, _kind, size = output[at:end].split()
        start = end + 1
        found[oid.decode()] = output[start : start + int(size)]
        at = start + int(size) + 1
    return found


def _files(commit: Commit) -> _Listing:
    return _listing(str(commit.repo.working_dir), commit.hexsha)


def _content(commit: Commit, path: str, object_id: str, size: int) -> bytes:
    working_dir = str(commit.repo.working_dir)
    if size <= SMALL_BLOB:
        return _small_blobs(working_dir, commit.hexsha, path.split("/", 1)[0])[object_id]
    return subprocess.run(
        ["git", "cat-file", "blob", object_id], cwd=working_dir, capture_output=True, check=True
    ).stdout


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
        return io.BytesIO(_content(self.commit, self.path, self.hexsha, self.size))


def object_ids(repo: Repo, specs: Sequence[str]) -> list[str | None]:
    """The blob id of each ``<commit>:<path>`` spec (None when it is not a file there)."""
    found: list[str | None] = []
    for spec in specs:
        sha, _, path = spec.partition(":")
        entry = _files(repo.commit(sha)).files.get(path)
        found.append(entry[1] if entry else None)
    return found


def read_blob(commit: Commit, path: str) -> bytes | None:
    """The content of ``path`` at ``commit``, or None when it is not a regular file there."""
    entry = _files(commit).files.get(path)
    if entry is None or entry[0] == Blob.link_mode:
        return None
    return _content(commit, path, entry[1], entry[2])


def blob_sha(commit: Commit, path: str) -> str | None:
    entry = _files(commit).files.get(path)
    return entry[1] if entry else None


def files_under(commit: Commit, folder: str) -> list[tuple[str, CommittedFile]]:
    """Every file under ``folder`` at ``commit`` (recursively), as (repo path, file), sorted."""
    listing = _files(commit)
    prefix = folder.rstrip("/") + "/"
    start = bisect.bisect_left(listing.paths, prefix)
    found: list[tuple[str, CommittedFile]] = []
    for path in listing.paths[start:]:
        if not path.startswith(prefix):
            break
        mode, object_id, size = listing.files[path]
        found.append((path, CommittedFile(commit, path, mode, object_id, size)))
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def last_change(repo: Repo, head: Commit, path: str) -> str | None:
    """The newest commit reachable from ``head`` that changed ``path`` (git's own history
    simplification: through a merge, the parent the file came from)."""
    return last_changes(repo, head, [path]).get(path)


def last_changes(repo: Repo, head: Commit, paths: Sequence[str]) -> dict[str, str]:
    """The newest commit that changed each of ``paths``, from ONE walk of the history that
    stops as soon as every path is found (one ``git log -- path`` each would walk it again for
    every path)."""
    wanted = set(paths)
    found: dict[str, str] = {}
    if not wanted:
        return found
    command = [
        "git",
        "log",
        "--format=%x01%H",
        "--name-only",
        "--no-renames",
        "--full-history",
        head.hexsha,
        "--",
        *sorted(wanted),
    ]
    with subprocess.Popen(command, cwd=repo.working_dir, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        sha = ""
        for raw in process.stdout:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("\x01"):
                sha = line[1:]
            elif line in wanted and line not in found:
                found[line] = sha
                if len(found) == len(wanted):
                    process.kill()
                    break
    # The walk ignores history simplification; where it found a commit whose content is not
    # what head holds (a change dropped by a merge), ask git the one-path question instead.
    paths_found = sorted(found)
    at_head = object_ids(repo, [f"{head.hexsha}:{p}" for p in paths_found])
    at_found = object_ids(repo, [f"{found[p]}:{p}" for p in paths_found])
    for path, ours, theirs in zip(paths_found, at_head, at_found, strict=True):
        if ours != theirs:
            output = repo.git.log("-1", "--format=%H", head.hexsha, "--", path).strip()
            found[path] = output or found[path]
    return found


def changes_of(repo: Repo, head: Commit, path: str) -> list[str]:
    """Every commit reachable from ``head`` that changed ``path``, newest first."""
    output = repo.git.log("--format=%H", head.hexsha, "--", path)
    return [line for line in output.split() if line]


def changed_between(repo: Repo, base: Commit, head: Commit) -> tuple[str, ...]:
    """Paths changed on the way from the merge base of ``base`` and ``head`` to ``head`` (what a
    pull request from ``head`` into ``base`` changes), sorted."""
    output = repo.git.diff("--no-renames", "--name-only", "-z", f"{base.hexsha}...{head.hexsha}")
    return tuple(sorted({path for path in output.split("\x00") if path}))
