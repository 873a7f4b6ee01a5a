"""Reading committed content: files, folders and histories at a given commit.

Review never reads the working tree for what it verifies: sheets, decisions, the application
files they bind and the rules (roster, rubric) all come from commits, so that what is verified is
exactly what was signed and what will be merged.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

from git import BadName, Blob, Commit, InvalidGitRepositoryError, NoSuchPathError, Repo, Tree
from git.exc import GitCommandError

from cohortgate import codes_review as C
from cohortgate.findings import Finding


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


def _entry(commit: Commit, path: str) -> Blob | Tree | None:
    try:
        return commit.tree / path
    except KeyError:
        return None


def _git(repo: Repo, *args: str, stdin: bytes = b"") -> bytes:
    """Run git in the repository with raw bytes in and out (for ``cat-file --batch``)."""
    result = subprocess.run(
        ["git", *args], cwd=repo.working_dir, input=stdin, capture_output=True, check=True
    )
    return result.stdout


def object_ids(repo: Repo, specs: Sequence[str]) -> list[str | None]:
    """The blob id of each ``<commit>:<path>`` spec (None when it is not a file there), with one
    ``git cat-file --batch-check`` for all of them: GitPython would parse every tree on the
    way in Python, which a folder of a thousand applications makes slow."""
    if not specs:
        return []
    request = "".join(f"{spec}\n" for spec in specs).encode("utf-8")
    lines = _git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=request)
    found: list[str | None] = []
    for line in lines.decode("utf-8").splitlines():
        fields = line.split()
        found.append(fields[0] if len(fields) == 2 and fields[1] == "blob" else None)
    return found


def read_blob(commit: Commit, path: str) -> bytes | None:
    """The content of ``path`` at ``commit``, or None when it is not a file there."""
    request = f"{commit.hexsha}:{path}\n".encode()
    output = _git(commit.repo, "cat-file", "--batch", stdin=request)
    header, _, rest = output.partition(b"\n")
    fields = header.split()
    if len(fields) != 3 or fields[1] != b"blob":
        return None
    return rest[: int(fields[2])]


def blob_sha(commit: Commit, path: str) -> str | None:
    return object_ids(commit.repo, [f"{commit.hexsha}:{path}"])[0]


def files_under(commit: Commit, folder: str) -> list[tuple[str, Blob]]:
    """Every file under ``folder`` at ``commit`` (recursively), as (repo path, blob), sorted."""
    entry = _entry(commit, folder)
    if not isinstance(entry, Tree):
        return []
    found = [(str(item.path), item) for item in entry.traverse() if isinstance(item, Blob)]
    return sorted(found, key=lambda pair: pair[0])


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
