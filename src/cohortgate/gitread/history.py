"""Which commit changed which path: ONE walk of the history per head, for every question after.

A review asks git history questions per application (the newest change of each sheet and of the
decision, what a signed commit touched, whether a sheet came before the decision, the date of
the newest version); ``track`` and ``audit`` ask them for a thousand applications. One ``git
log`` process per question walks the whole history again each time: over 20,000 commits that
was minutes. Here the history reachable from a head is walked once::

    git log --format=%x01%H%x00%P%x00%cs --raw --no-abbrev --no-renames -z <head>

(the commits, newest first, with their parents, committer day, and the paths each changed
against its first parent with the blob each left there; a merge lists none, as ``git log``
without ``-m``) and kept for the
process, per repository and head. A question at an older commit reuses a walk that contains it
when the history is linear (each commit has at most one parent: the commits reachable from it
are exactly those after it in the walk). Where git's own answer could differ (merges: history
simplification, which parent a file came from), the functions here ask git directly.
"""

from __future__ import annotations

import bisect
import hashlib
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from git import Commit, Repo

from cohortgate.files import atomic
from cohortgate.gitread import early
from cohortgate.gitread.memory import memory_of


@dataclass(frozen=True)
class Change:
    """One path a commit changed: git's status letter (A, M, D, T) and the blob it left."""

    status: str
    path: str
    blob: str  # the object id after the commit (all zeros when it deleted the path)


@dataclass(frozen=True)
class Walk:
    """Every commit reachable from ``head``, newest first, and the paths each changed."""

    head: str
    shas: tuple[str, ...]
    position: dict[str, int]
    parents: dict[str, tuple[str, ...]]
    day: dict[str, str]  # committer date, YYYY-MM-DD
    changed: dict[str, tuple[Change, ...]]
    by_path: dict[str, list[int]]  # path -> positions of the commits that changed it, ascending
    paths: tuple[str, ...]  # every path ever changed, sorted (prefix scans)
    linear: bool  # no commit has two parents

    def is_merge(self, sha: str) -> bool:
        return len(self.parents.get(sha, ())) > 1


_LOG = early.LOG
_KEEP_ON_DISK = 4  # walks remembered between runs (the newest)


def _git_log(working_dir: str, *revisions: str) -> bytes:
    return subprocess.run(
        [*_LOG, *revisions], cwd=working_dir, capture_output=True, check=True
    ).stdout


def _extension(working_dir: str, old: str, head: str) -> bytes | None:
    """The walk of the commits after ``old`` up to ``head`` when they continue ``old``'s line
    (each has one parent, the oldest's is ``old``); None otherwise."""
    listed = subprocess.run(
        ["git", "rev-list", "--parents", head, f"^{old}"],
        cwd=working_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line.split() for line in listed.stdout.splitlines()]
    if listed.returncode != 0 or not lines or any(len(line) != 2 for line in lines):
        return None
    if lines[-1][1] != old:
        return None
    return _git_log(working_dir, head, f"^{old}")


def _walk_output(working_dir: str, head: str) -> bytes:
    """git's walk output for ``head``, from the run memory when an earlier run walked it or a
    linear history it continues (``gitread.memory``), or from the walk the command started
    before it was imported (``gitread.early``)."""
    started = early.take(head)
    if started is not None:
        return started
    memory = memory_of(working_dir)
    if memory is None:
        return _git_log(working_dir, head)
    folder = memory.walk_file(head).parent
    for name in (head, f"{head}.linear"):
        stored = _stored_walk(folder / name)
        if stored is not None:
            return stored
    try:
        earlier = sorted(folder.glob("*.linear"), key=lambda f: f.stat().st_mtime, reverse=True)
    except OSError:
        earlier = []
    output: bytes | None = None
    for old in earlier[:_KEEP_ON_DISK]:
        extension = _extension(working_dir, old.name.removesuffix(".linear"), head)
        if extension is not None:
            stored = _stored_walk(old)
            if stored is not None:
                output = extension + stored
                break
    return output if output is not None else _git_log(working_dir, head)


_SEAL = b"cohortgate walk sha256 "


def _stored_walk(path: Path) -> bytes | None:
    """A remembered walk whose seal (the SHA-256 of what follows it) holds; None otherwise: a
    truncated or edited file is a miss, never a wrong history."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, output = data.partition(b"\n")
    if header != _SEAL + hashlib.sha256(output).hexdigest().encode():
        return None
    return output


def _remember_output(working_dir: str, head: str, output: bytes, linear: bool) -> None:
    memory = memory_of(working_dir)
    if memory is None:
        return
    target = memory.walk_file(head)
    target = target.with_name(f"{head}.linear") if linear else target
    try:
        if _stored_walk(target) is None:  # new, or spoiled: (re)written
            atomic.write_bytes(
                target, _SEAL + hashlib.sha256(output).hexdigest().encode() + b"\n" + output
            )
        kept = sorted(target.parent.iterdir(), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in kept[_KEEP_ON_DISK:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # no memory, not an error


def _walk(working_dir: str, head: str) -> Walk:
    output = _walk_output(working_dir, head)
    walk = _parse(head, output)
    _remember_output(working_dir, head, output, walk.linear)
    return walk


def _parse(head: str, output: bytes) -> Walk:
    shas: list[str] = []
    parents: dict[str, tuple[str, ...]] = {}
    day: dict[str, str] = {}
    changed: dict[str, list[Change]] = {}
    by_path: dict[str, list[int]] = {}
    # Read token by token: a path is whatever follows its status letter, so a file name that
    # holds \x01 or a newline (which anyone can commit) is never taken for a commit header.
    tokens = output.split(b"\x00")
    at = 0
    sha = ""
    while at < len(tokens):
        token = tokens[at].lstrip(b"\n")
        if token.startswith(b"\x01"):
            sha = token[1:].decode("ascii")
            parents[sha] = tuple(tokens[at + 1].decode("ascii").split())
            day[sha] = tokens[at + 2].decode("ascii")
            changed[sha] = []
            shas.append(sha)
            at += 3
        elif token.startswith(b":") and at + 1 < len(tokens):
            # ":<old mode> <new mode> <old blob> <new blob> <status>", then the path
            meta = token.decode("ascii").split()
            path = tokens[at + 1].decode("utf-8", "surrogateescape")
            changed[sha].append(Change(meta[4][:1], path, meta[3]))
            by_path.setdefault(path, []).append(len(shas) - 1)
            at += 2
        else:
            at += 1
    return Walk(
        head=head,
        shas=tuple(shas),
        position={sha: i for i, sha in enumerate(shas)},
        parents=parents,
        day=day,
        changed={sha: tuple(pairs) for sha, pairs in changed.items()},
        by_path=by_path,
        paths=tuple(sorted(by_path)),
        linear=all(len(p) <= 1 for p in parents.values()),
    )


_WALKS: dict[tuple[str, str], Walk] = {}
_KEEP = 8  # walks kept per process (a review needs one or two heads; an audit one)


def _remember(working_dir: str, walk: Walk) -> Walk:
    if len(_WALKS) >= _KEEP:
        _WALKS.pop(next(iter(_WALKS)))
    _WALKS[(working_dir, walk.head)] = walk
    return walk


@dataclass(frozen=True)
class History:
    """The history reachable from one commit: a walk, and where that commit is in it."""

    walk: Walk
    start: int  # the position of the commit; everything from here on is reachable from it

    def positions(self, path: str) -> list[int]:
        found = self.walk.by_path.get(path, [])
        return found[bisect.bisect_left(found, self.start) :]

    def changes(self, path: str) -> list[str]:
        """The commits that changed ``path``, newest first (merges never listed)."""
        return [self.walk.shas[i] for i in self.positions(path)]

    def commits(self) -> Iterator[str]:
        return iter(self.walk.shas[self.start :])

    def blob_at(self, path: str) -> str | None:
        """The blob at ``path`` in this commit (None: no file there), from the newest change at
        or before it. Linear walks only: on others, ask git (``<commit>:<path>``)."""
        found = self.positions(path)
        if not found:
            return None
        change = next(c for c in self.walk.changed[self.walk.shas[found[0]]] if c.path == path)
        return None if change.status == "D" else change.blob

    def files_at(self, folder: str) -> dict[str, str]:
        """{path: blob} of every file under ``folder/`` in this commit (linear walks only)."""
        paths = self.walk.paths
        prefix = folder.rstrip("/") + "/"
        start = bisect.bisect_left(paths, prefix)
        end = bisect.bisect_left(paths, prefix[:-1] + "0", start)
        return {path: blob for path in paths[start:end] if (blob := self.blob_at(path))}

    def at(self, sha: str) -> History | None:
        """The history seen from ``sha`` when this linear walk holds it."""
        if not self.walk.linear or sha not in self.walk.position:
            return None
        return History(self.walk, self.walk.position[sha])

    def blob_after(self, sha: str, path: str) -> str | None:
        """The blob ``sha`` left at ``path`` (None when it did not change ``path``)."""
        return next((c.blob for c in self.walk.changed.get(sha, ()) if c.path == path), None)


_PENDING: dict[tuple[str, str], Future[Walk]] = {}


def walk_soon(repo: Repo, head: Commit) -> None:
    """Start walking ``head``'s history in a thread, for a ``history()`` call to come: git walks
    on one core while this process parses YAML on the other."""
    key = (str(repo.working_dir), head.hexsha)
    if key in _WALKS or key in _PENDING:
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cohortgate-walk")
    _PENDING[key] = pool.submit(_walk, *key)
    pool.shutdown(wait=False)


def history(repo: Repo, head: Commit | str) -> History:
    """The history reachable from ``head`` (a walk of it, or of a linear walk that holds it)."""
    working_dir = str(repo.working_dir)
    sha = head.hexsha if isinstance(head, Commit) else repo.commit(head).hexsha
    walk = _WALKS.get((working_dir, sha))
    if walk is not None:
        return History(walk, 0)
    pending = _PENDING.pop((working_dir, sha), None)
    if pending is not None:
        return History(_remember(working_dir, pending.result()), 0)
    for (where, _head), known in _WALKS.items():
        if where == working_dir and known.linear and sha in known.position:
            return History(known, known.position[sha])
    return History(_remember(working_dir, _walk(working_dir, sha)), 0)


def known_walk(repo: Repo, sha: str) -> Walk | None:
    """A walk of this process that holds ``sha``, if any (no new walk is made)."""
    working_dir = str(repo.working_dir)
    for (where, _head), known in _WALKS.items():
        if where == working_dir and sha in known.position:
            return known
    return None


def touched_paths(repo: Repo, sha: str) -> tuple[str, ...]:
    """Paths a commit adds, changes, deletes or renames (both names), against its first parent;
    a root commit against the empty tree. Repository-relative, POSIX, sorted."""
    walk = known_walk(repo, sha)
    if walk is not None and not walk.is_merge(sha):
        return tuple(sorted({change.path for change in walk.changed[sha]}))
    commit = repo.commit(sha)
    if commit.parents:
        args = ["--no-renames", "--name-only", "-z", commit.parents[0].hexsha, commit.hexsha]
        output = repo.git.diff(*args)
    else:
        output = repo.git.diff_tree(
            "-r", "--root", "--no-commit-id", "--no-renames", "--name-only", "-z", commit.hexsha
        )
    return tuple(sorted({path for path in output.split("\x00") if path}))


def is_ancestor(repo: Repo, ancestor: str, descendant: str) -> bool:
    """``git merge-base --is-ancestor``: a commit is its own ancestor."""
    walk = known_walk(repo, descendant)
    if walk is not None and walk.linear:
        at = walk.position.get(ancestor)
        return at is not None and at >= walk.position[descendant]
    return bool(repo.is_ancestor(repo.commit(ancestor), repo.commit(descendant)))


def newest_change(
    repo: Repo, head: Commit, folder: str, counts: Callable[[str], bool]
) -> tuple[str, date] | None:
    """The newest commit reachable from ``head`` that changed a path under ``folder/`` that
    ``counts`` accepts, with its committer day; None when no commit did. Linear history only
    (ValueError otherwise: history simplification is git's to apply)."""
    seen = history(repo, head)
    if not seen.walk.linear:
        raise ValueError("newest_change needs a linear history")
    prefix = folder.rstrip("/") + "/"
    paths = seen.walk.paths
    best: int | None = None
    for path in paths[bisect.bisect_left(paths, prefix) :]:
        if not path.startswith(prefix):
            break
        if not counts(path):
            continue
        found = seen.positions(path)
        if found and (best is None or found[0] < best):
            best = found[0]
    if best is None:
        return None
    sha = seen.walk.shas[best]
    return sha, date.fromisoformat(seen.walk.day[sha])
