"""``History``: the previous version of many statistics files from one git repository.

It finds the last commit that changed each file by walking down a linear history once, and
asks ``git rev-list`` per file past a merge; either way the answer must be git's own (a merge
that kept one side's version of a file is not where that file changed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Actor, Commit, Repo

from cohortgate.disclosure.differencing import History, previous_version
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import summary
from cohortgate.models.stats import DatasetStats
from cohortgate.policy import DISCLOSURE_PRESETS

WHO = Actor("Data custodian", "custodian@example.org")
NAMES = ("a", "b", "c", "d", "e", "f")


def rel(name: str) -> str:
    return f"catalog/stats/ds-{name}.json"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    repository = Repo.init(tmp_path)
    yield repository
    repository.close()


def commit(repo: Repo, populations: dict[str, int], parents: list[Commit] | None = None) -> Commit:
    """Write the files with these populations and commit them (on top of ``parents``)."""
    root = Path(str(repo.working_tree_dir))
    for name, population in populations.items():
        write(root, name, population)
    repo.index.add([rel(name) for name in populations])
    return repo.index.commit("stats", parent_commits=parents, author=WHO, committer=WHO)


def write(root: Path, name: str, population: int) -> None:
    policy = summary(DISCLOSURE_PRESETS["ukbiobank"])
    stats = DatasetStats(dataset=f"ds-{name}", policy=policy, population=population, tables=[])
    path = root / rel(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_stats(stats), encoding="utf-8")


def test_last_changes_through_a_merge_agree_with_git(repo: Repo) -> None:
    commit(repo, dict.fromkeys(NAMES, 100))
    c1 = commit(repo, {"a": 110})
    side = commit(repo, {"b": 120})  # a side branch off c1
    repo.head.reference.set_commit(c1)
    repo.head.reset(index=True, working_tree=True)
    c2 = commit(repo, {"c": 130})
    merge = commit(repo, {"b": 120}, parents=[c2, side])  # b from the side, c from main
    c3 = commit(repo, {"d": 140})
    commit(repo, {"a": 150})
    root = Path(str(repo.working_tree_dir))
    write(root, "e", 160)  # changed in the working copy
    expected = {
        "a": (c3.hexsha[:10], 110),  # walked: changed by the last commit
        "b": (c1.hexsha[:10], 100),  # git rev-list: changed on the side branch
        "c": (c1.hexsha[:10], 100),  # git rev-list: changed on main before the merge
        "d": (merge.hexsha[:10], 100),  # walked: changed just after the merge
        "e": ("HEAD", 100),  # the working copy differs from HEAD
        "f": None,  # never changed since the first commit
    }
    with History(root) as history:
        found = {n: history.previous(root / rel(n)) for n in NAMES}
    assert {n: f and (f[0], f[1].population) for n, f in found.items()} == expected
    for name in NAMES:  # the one-file function agrees
        assert previous_version(root, root / rel(name)) == found[name]


def test_a_linear_history_is_walked_down_to_its_first_commit(repo: Repo) -> None:
    commit(repo, dict.fromkeys(NAMES, 100))
    first = commit(repo, {"a": 110, "b": 110})
    commit(repo, {"b": 120})
    root = Path(str(repo.working_tree_dir))
    with History(root) as history:
        found = {n: history.previous(root / rel(n)) for n in NAMES}
    assert {n: f and (f[0], f[1].population) for n, f in found.items()} == {
        "a": (first.parents[0].hexsha[:10], 100),
        "b": (first.hexsha[:10], 110),
        "c": None,
        "d": None,
        "e": None,
        "f": None,
    }
    with History(root, against="HEAD~1") as history:
        old = history.previous(root / rel("b"))
    assert old is not None and (old[0], old[1].population) == ("HEAD~1", 110)
