"""Which application folders a change touches: what the pull-request workflow validates.

Reads git objects only (GitPython over the ``git`` binary): nothing of the compared commits is
checked out, imported or run, and nothing is fetched. The comparison is the one a pull request
shows, from the merge base of ``base`` and ``head`` to ``head`` (``git diff base...head``); for
GitHub's merge commit compared with its first parent that is exactly the pull request's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import git

SUBMISSIONS = "submissions"


class ChangesError(Exception):
    """The repository or a revision cannot be read; the message says which."""


@dataclass(frozen=True)
class Changes:
    folders: list[str]  # application folders present at head, repository-relative, sorted
    removed: list[str]  # folders touched but gone at head: nothing left to validate
    other: list[str]  # changed paths in no application folder (their code owners review them)


def application_folder(path: str) -> str | None:
    """``submissions/2026/A-2026-0007/protocol.pdf`` -> ``submissions/2026/A-2026-0007``.

    A file one level too high (``submissions/2026/x.yaml``) is its own "folder", so that
    validation reports it as misplaced; files directly in ``submissions/`` (its README) are no
    application."""
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or parts[0] != SUBMISSIONS:
        return None
    return "/".join(parts[:3])


def _commit(repo: git.Repo, rev: str) -> git.Commit:
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError) as exc:
        raise ChangesError(f"{rev!r} is not a commit of {repo.working_dir}") from exc


def _exists(commit: git.Commit, path: str) -> bool:
    try:
        commit.tree / path
    except KeyError:
        return False
    return True


def changed_paths(root: Path, base: str, head: str) -> list[str]:
    """Every path added, modified, deleted or renamed (both names) from base...head."""
    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise ChangesError(f"{root} is not a git repository") from exc
    old, new = _commit(repo, base), _commit(repo, head)
    bases = repo.merge_base(old, new)
    start = bases[0] if bases and isinstance(bases[0], git.Commit) else old
    paths: set[str] = set()
    for diff in start.diff(new):
        paths.update(p for p in (diff.a_path, diff.b_path) if p)
    return sorted(paths)


def changed_applications(root: Path, base: str, head: str) -> Changes:
    paths = changed_paths(root, base, head)
    head_commit = git.Repo(root).commit(head)
    touched = sorted({f for f in map(application_folder, paths) if f})
    present = [f for f in touched if _exists(head_commit, f)]
    return Changes(
        folders=present,
        removed=[f for f in touched if f not in present],
        other=[p for p in paths if application_folder(p) is None],
    )
