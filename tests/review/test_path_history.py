"""The one walk of the history answers what git answers, path by path and commit by commit:
on linear histories, on histories with merges (where git's own answer is asked), with file names
that hold newlines or control bytes; remembered between runs, extended, refused when spoiled."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from git import Repo

from cohortgate.gitread import history as path_history
from cohortgate.gitread import memory as run_memory
from cohortgate.gitread.folders import version_date
from cohortgate.gitread.history import history, is_ancestor, touched_paths
from cohortgate.gitread.read import changes_of, ends_git_processes, last_changes
from cohortgate.layout import AFTER_REVIEW_FILES, AFTER_REVIEW_FOLDERS

APP = "submissions/2026/A-2026-0001"
ODD = ("line\nbreak.yaml", "ctrl\x01sha.yaml", "space name.yaml", "中文.yaml")


def git(repo: Repo, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo.working_dir, capture_output=True, text=True, check=True
    ).stdout


def write(repo: Repo, files: dict[str, str | None], message: str, day: int) -> str:
    """One commit: ``None`` deletes the file."""
    root = Path(repo.working_dir)
    for rel, text in files.items():
        if text is None:
            repo.git.rm("-q", "--", rel)
            continue
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
        repo.git.add("--", rel)
    when = f"2026-03-{day:02d}T12:00:00+00:00"
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    repo.git.commit("--no-gpg-sign", "-q", "--allow-empty", "-m", message, env=env)
    return repo.head.commit.hexsha


@pytest.fixture(autouse=True)
def _fresh_process_memory() -> None:
    path_history._WALKS.clear()


@pytest.fixture
def linear(repo: Repo) -> list[str]:
    """Adds, changes, deletes and re-adds, in a folder and beside it; odd file names."""
    return [
        write(repo, {f"{APP}/application.yaml": "a\n", "README.md": "r\n"}, "one", 1),
        write(repo, {f"{APP}/reviews/alice.yaml": "x\n"}, "two", 2),
        write(repo, {f"{APP}/application.yaml": "b\n", f"{APP}/{ODD[0]}": "1\n"}, "three", 3),
        write(repo, {f"{APP}/reviews/alice.yaml": None}, "four", 4),
        write(repo, {f"{APP}/{ODD[1]}": "2\n", f"{APP}/{ODD[2]}": "3\n", ODD[3]: "4\n"}, "5", 5),
        write(repo, {f"{APP}/reviews/alice.yaml": "y\n", f"{APP}/decision.yaml": "d\n"}, "6", 6),
        write(repo, {}, "empty", 7),
    ]


def git_files(repo: Repo, sha: str, folder: str) -> dict[str, str]:
    out = git(repo, "ls-tree", "-r", "-z", sha, "--", folder + "/")
    found = {}
    for record in out.split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            found[path] = meta.split()[2]
    return found


def test_linear_history_matches_git_at_every_commit(repo: Repo, linear: list[str]) -> None:
    head = repo.commit(linear[-1])
    walk = history(repo, head).walk
    assert walk.linear and list(walk.shas) == git(repo, "rev-list", head.hexsha).split()
    paths = sorted(set(git(repo, "log", "--format=", "--name-only", "-z", head.hexsha).split("\0")))
    paths = [p for p in paths if p]
    assert set(ODD) <= {p.rsplit("/", 1)[-1] for p in paths}
    for sha in linear:
        seen = history(repo, repo.commit(sha))
        assert seen.walk is walk  # an older commit of a linear walk needs no walk of its own
        assert git_files(repo, sha, APP) == seen.files_at(APP)
        for path in paths:
            theirs = git(repo, "log", "--format=%H", sha, "--", path).split()
            assert seen.changes(path) == theirs, path
            blob = git_files(repo, sha, path.rsplit("/", 1)[0]).get(path) if "/" in path else None
            if "/" in path:
                assert seen.blob_at(path) == blob, path
        assert touched_paths(repo, sha) == tuple(
            sorted(
                p
                for p in git(
                    repo, "diff-tree", "-r", "--root", "--no-commit-id", "--name-only", "-z", sha
                ).split("\0")
                if p
            )
        )
    assert version_date(repo, head, APP) == date(2026, 3, 5) == git_version_date(repo, head.hexsha)
    assert is_ancestor(repo, linear[0], linear[-1]) and not is_ancestor(repo, linear[-1], linear[0])


def git_version_date(repo: Repo, sha: str) -> date:
    """git's own answer: the newest change under the folder, files after review excluded."""
    excluded = [f":(exclude){APP}/{name}" for name in (*AFTER_REVIEW_FOLDERS, *AFTER_REVIEW_FILES)]
    return date.fromisoformat(
        git(repo, "log", "-1", "--format=%cs", sha, "--", APP, *excluded).strip()
    )


@pytest.fixture
def merged(repo: Repo) -> str:
    """main and a branch both change the application; merged with a merge commit; then the
    branch's change to the sheet is dropped by a later merge that takes main's side."""
    write(repo, {f"{APP}/application.yaml": "a\n", f"{APP}/reviews/bob.yaml": "1\n"}, "base", 1)
    repo.git.checkout("-q", "-b", "side")
    write(repo, {f"{APP}/reviews/bob.yaml": "side\n", f"{APP}/notes.md": "n\n"}, "side", 3)
    repo.git.checkout("-q", "main")
    write(repo, {f"{APP}/application.yaml": "main\n"}, "main", 2)
    env = {
        "GIT_AUTHOR_DATE": "2026-03-04T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-03-04T12:00:00+00:00",
    }
    repo.git.merge("--no-ff", "-q", "-s", "ours", "side", "-m", "merge, keeping main", env=env)
    return repo.head.commit.hexsha


def test_merges_get_gits_own_answer(repo: Repo, merged: str) -> None:
    head = repo.commit(merged)
    walk = history(repo, head).walk
    assert not walk.linear
    sheet = f"{APP}/reviews/bob.yaml"
    ours = last_changes(repo, head, [sheet, f"{APP}/application.yaml"])
    for path, sha in ours.items():
        assert sha == git(repo, "log", "-1", "--format=%H", merged, "--", path).strip(), path
    assert (
        changes_of(repo, head, sheet)
        == git(repo, "log", "--format=%H", merged, "--", sheet).split()
    )
    assert version_date(repo, head, APP) == git_version_date(repo, merged)
    first_parent = git(repo, "diff", "--name-only", "-z", f"{merged}^1", merged).split("\0")
    assert touched_paths(repo, merged) == tuple(sorted(p for p in first_parent if p))
    side = repo.commit("side").hexsha
    assert is_ancestor(repo, side, merged) and not is_ancestor(repo, merged, side)


def test_walks_are_remembered_extended_and_sealed(
    repo: Repo, linear: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COHORTGATE_NO_CACHE", raising=False)
    calls: list[tuple[str, ...]] = []
    real = path_history._git_log

    def counted(working_dir: str, *revisions: str) -> bytes:
        calls.append(revisions)
        return real(working_dir, *revisions)

    monkeypatch.setattr(path_history, "_git_log", counted)

    @ends_git_processes
    def walk_of(r: Repo, sha: str) -> path_history.Walk:
        return history(r, repo.commit(sha)).walk

    first = walk_of(repo, linear[-1])
    assert calls == [(linear[-1],)]
    folder = Path(repo.working_dir) / "build" / "cache" / f"walks-{run_memory.walks_code()}"
    assert [p.name for p in folder.iterdir()] == [f"{linear[-1]}.linear"]
    path_history._WALKS.clear()
    assert walk_of(repo, linear[-1]) == first and len(calls) == 1  # remembered: no git log
    newer = write(repo, {f"{APP}/decision.yaml": "e\n"}, "seven", 8)
    path_history._WALKS.clear()
    extended = walk_of(repo, newer)
    assert calls[-1] == (newer, f"^{linear[-1]}")  # only the new commit is walked
    path_history._WALKS.clear()
    fresh = path_history._parse(newer, real(str(repo.working_dir), newer))
    assert extended == fresh
    # a spoiled file is a miss, never a wrong history: walked again (extending the older one)
    stored = folder / f"{newer}.linear"
    spoiled = bytearray(stored.read_bytes())
    spoiled[-3] ^= 0x01
    stored.write_bytes(bytes(spoiled))
    path_history._WALKS.clear()
    before = len(calls)
    assert walk_of(repo, newer) == fresh
    assert calls[before:] == [(newer, f"^{linear[-1]}")]
    path_history._WALKS.clear()
    assert walk_of(repo, newer) == fresh and len(calls) == before + 1  # and written again


def test_no_memory_when_build_is_tracked_or_turned_off(
    repo: Repo, linear: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COHORTGATE_NO_CACHE", raising=False)
    root = str(repo.working_dir)
    run_memory.open_memory(root)
    assert run_memory.memory_of(root) is not None
    run_memory.close_memory(root)
    write(repo, {"build/cache/forged.json": "{}\n"}, "a pull request commits build/", 9)
    run_memory.open_memory(root)
    assert run_memory.memory_of(root) is None
    repo.git.rm("-q", "-r", "build")
    repo.git.commit("-q", "--no-gpg-sign", "-m", "removed")
    monkeypatch.setenv("COHORTGATE_NO_CACHE", "1")
    run_memory.open_memory(root)
    assert run_memory.memory_of(root) is None
