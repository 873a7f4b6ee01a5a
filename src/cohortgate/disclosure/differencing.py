"""Differencing: what a new version of a statistics file reveals next to the previous one.

For every cell (and the population) present in both versions, the attacker's interval of the
true count in each version (``attack.published_bounds``; a suppressed cell is anything
``>= 0``) gives an interval for the change. When the change is certainly between 1 and
``threshold`` patients (or -threshold and -1), subtracting the versions isolates a small group:
"three more children with disease X in province Y since last quarter".

With OpenSAFELY rounding the interval of a change is 8 wide, wider than 1..7, so published
cells never trigger this; without rounding (UK Biobank, UK LLC presets) any small change does,
and ``cohortgate stats`` suppresses such cells before secondary suppression. Combinations of
cells across versions (the attacker's LP over both versions together) are not examined.

The previous version comes from git (GitPython): by default the file as committed at HEAD when
the working copy differs from it, else the file as it was before the last commit that changed
it; ``--against REV`` names another revision. No repository, no commit or no earlier version:
nothing to compare, and no finding.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cohortgate.disclosure import codes as P
from cohortgate.disclosure.attack import published_bounds
from cohortgate.disclosure.issues import Issue, where
from cohortgate.models.stats import DatasetStats
from cohortgate.policy import DisclosurePolicy

FloatArray = NDArray[np.float64]
CellKey = tuple[str, tuple[str, ...]]  # (table id, cell key); ("", ()) is the population


class RevisionError(ValueError):
    """``--against`` names no revision of the repository."""


def previous_values(stats: DatasetStats) -> dict[CellKey, int | None]:
    out: dict[CellKey, int | None] = {("", ()): stats.population}
    for table in stats.tables:
        for cell in table.cells:
            out[(table.id, tuple(cell.key))] = cell.value
    return out


def certainly_small_change(
    policy: DisclosurePolicy,
    old_low: FloatArray,
    old_high: FloatArray,
    new_low: FloatArray,
    new_high: FloatArray,
) -> NDArray[np.bool_]:
    """Whether the change new - old is certainly within 1..t or -t..-1 (t = threshold)."""
    low, high = new_low - old_high, new_high - old_low
    t = policy.threshold
    return np.asarray(((low >= 1) & (high <= t)) | ((high <= -1) & (low >= -t)))


def compare(
    current: DatasetStats, previous: DatasetStats, policy: DisclosurePolicy, label: str
) -> list[Issue]:
    """Differencing issues of ``current`` against ``previous`` (labelled e.g. 'HEAD')."""
    before = previous_values(previous)
    places: list[tuple[tuple[str | int, ...], str]] = []
    old: list[int | None] = []
    new: list[int | None] = []
    if ("", ()) in before:
        places.append((("population",), where(None)))
        old.append(before[("", ())])
        new.append(current.population)
    for i, table in enumerate(current.tables):
        for j, cell in enumerate(table.cells):
            key = (table.id, tuple(cell.key))
            if key in before:
                places.append((("tables", i, "cells", j, "value"), where(table.id, cell.key)))
                old.append(before[key])
                new.append(cell.value)
    both = [i for i in range(len(places)) if old[i] is not None and new[i] is not None]
    if not both:
        return []
    old_low, old_high = published_bounds(policy, np.array([old[i] for i in both], np.int64))
    new_low, new_high = published_bounds(policy, np.array([new[i] for i in both], np.int64))
    hit = certainly_small_change(policy, old_low, old_high, new_low, new_high)
    issues = []
    for n in np.flatnonzero(hit).tolist():
        path, name = places[both[n]]
        issues.append(
            Issue(
                P.DIFFERENCING,
                path,
                {
                    "where": name,
                    "previous": label,
                    "low": int(new_low[n] - old_high[n]),
                    "high": int(new_high[n] - old_low[n]),
                    "threshold": policy.threshold,
                },
            )
        )
    return issues


def previous_version(
    root: Path, path: Path, against: str | None = None
) -> tuple[str, DatasetStats] | None:
    """The previous published version of a statistics file, with a label saying which one."""
    with History(root, against) as history:
        return history.previous(path)


def check_revision(root: Path, against: str) -> None:
    """``RevisionError`` unless ``against`` names a commit of the repository at ``root``."""
    from git import Repo
    from git.exc import BadName, BadObject, InvalidGitRepositoryError, NoSuchPathError

    try:
        repo = Repo(root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise RevisionError(
            f"--against {against}: {root.name} is not in a git repository"
        ) from None
    try:
        repo.commit(against)
    except (BadName, BadObject, ValueError):
        raise RevisionError(f"unknown git revision '{against}'") from None
    finally:
        repo.close()


class History:
    """The previous versions of files in the git repository around ``root``.

    One GitPython ``Repo`` (and its git processes) for all the files an audit asks about, the
    commits and folders it reads kept, and the last commit that changed each file of a folder
    found by one walk down the history, as far as the files asked about need and as long as
    it is linear (past a merge: ``git rev-list`` per file, as before).
    """

    def __init__(self, root: Path, against: str | None = None) -> None:
        from git import Repo
        from git.exc import InvalidGitRepositoryError, NoSuchPathError

        self.against = against
        self._repo: Any = None
        with contextlib.suppress(InvalidGitRepositoryError, NoSuchPathError):
            self._repo = Repo(root, search_parent_directories=True)
        self._commits: dict[str, Any] = {}
        self._folders: dict[tuple[str, str], Any] = {}
        self._walks: dict[str, _Walk] = {}

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()

    def previous(self, path: Path) -> tuple[str, DatasetStats] | None:
        """The previous published version of ``path``, with a label saying which one."""
        found = self._text(path)
        if found is None:
            return None
        label, text = found
        try:
            return label, DatasetStats.model_validate(json.loads(text))
        except ValueError:
            return None  # an unreadable old version: nothing to compare with

    def _text(self, path: Path) -> tuple[str, str] | None:
        repo = self._repo
        if repo is None or repo.working_tree_dir is None:
            return None
        try:
            rel = path.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
        except ValueError:
            return None
        if self.against:
            data = self._blob(self._commit(self.against), rel)
            return (self.against, data) if data is not None else None
        if "HEAD" not in self._commits and not repo.head.is_valid():
            return None  # no commit yet
        head = self._commit("HEAD")
        at_head = self._blob(head, rel)
        if at_head is None:
            return None  # a new file: no previous version
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != at_head:
            return "HEAD", at_head
        last = self._last_change(head, rel)
        if last is None or not last.parents:
            return None
        parent = last.parents[0]
        data = self._blob(parent, rel)
        return (parent.hexsha[:10], data) if data is not None else None

    def _commit(self, rev: str) -> Any:
        from git.exc import BadName, BadObject

        if rev not in self._commits:
            try:
                self._commits[rev] = self._repo.commit(rev)
            except (BadName, BadObject, ValueError) as exc:
                raise RevisionError(f"unknown git revision '{rev}'") from exc
        return self._commits[rev]

    def _folder(self, commit: Any, folder: str) -> Any:
        """The tree of ``folder`` ('' for the top) at ``commit``; None if there is none."""
        key = (commit.hexsha, folder)
        if key not in self._folders:
            try:
                tree = commit.tree / folder if folder else commit.tree
            except KeyError:
                tree = None
            self._folders[key] = tree if tree is not None and tree.type == "tree" else None
        return self._folders[key]

    def _blob(self, commit: Any, rel: str) -> str | None:
        folder, _, name = rel.rpartition("/")
        tree = self._folder(commit, folder)
        if tree is None:
            return None
        try:
            blob = tree / name
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _last_change(self, head: Any, rel: str) -> Any:
        """The last commit that changed ``rel`` (``git rev-list -1 HEAD -- rel``)."""
        folder, _, name = rel.rpartition("/")
        if folder not in self._walks:
            tree = self._folder(head, folder)
            self._walks[folder] = _Walk(head, tree, _entries(tree))
        walk = self._walks[folder]
        while name not in walk.found and not walk.done:
            self._step(walk, folder)
        if name in walk.found:
            return walk.found[name]
        return next(self._repo.iter_commits(head, paths=rel, max_count=1), None)

    def _step(self, walk: _Walk, folder: str) -> None:
        """One commit down a linear history: the entries it changed since its parent.

        A root commit changes everything it holds. A merge ends the walk: git simplifies the
        history of a merge per path, so the entries not found yet go to ``git rev-list``.
        """
        commit = walk.commit
        if len(commit.parents) > 1:
            walk.done = True
            return
        parent = commit.parents[0] if commit.parents else None
        before = self._folder(parent, folder) if parent is not None else None
        if walk.tree is None or before is None or walk.tree.binsha != before.binsha:
            old = _entries(before)
            for name, entry in walk.entries.items():
                if name not in walk.found and entry != old.get(name):
                    walk.found[name] = commit
        walk.commit, walk.tree, walk.done = parent, before, parent is None


@dataclass
class _Walk:
    """Where the walk down the history of one folder has got to, from HEAD."""

    commit: Any
    tree: Any  # the folder at ``commit``
    entries: dict[str, tuple[bytes, int]]  # the folder at HEAD
    found: dict[str, Any] = field(default_factory=dict)  # entry -> last commit changing it
    done: bool = False


def _entries(tree: Any) -> dict[str, tuple[bytes, int]]:
    """Name -> (object id, mode) of each entry of a tree (none for no tree)."""
    return {} if tree is None else {item.name: (item.binsha, item.mode) for item in tree}
