"""The walk started before a command's imports (``gitread.early``) is git's walk of the asked
commit, byte for byte, or nothing: never a walk of another commit, never from an option-like
revision, never when the run memory may answer, and never a git left running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from git import Repo

from cohortgate.gitread import early
from cohortgate.gitread import history as path_history
from cohortgate.gitread.read import last_changes


def _commit(repo: Repo, name: str, text: str) -> str:
    path = Path(repo.working_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    repo.git.add("--", name)
    repo.git.commit("--no-gpg-sign", "-q", "-m", name)
    return repo.head.commit.hexsha


@pytest.fixture(autouse=True)
def _nothing_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHORTGATE_NO_CACHE", raising=False)
    early.discard()
    path_history._WALKS.clear()


def test_the_early_walk_is_gits_walk_of_that_commit(repo: Repo) -> None:
    first = _commit(repo, "submissions/2026/A-2026-0001/a.yaml", "a: 1\n")
    head = _commit(repo, "submissions/2026/A-2026-0001/b.yaml", "b: 1\n")
    early.start(str(repo.working_dir), "HEAD")
    assert early.take(first) is None  # another commit: kept for its own
    taken = early.take(head)
    assert taken == path_history._git_log(str(repo.working_dir), head)
    assert early.take(head) is None  # used up


def test_a_long_linear_history_is_walked_in_two_halves_that_join_exactly(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early, "SPLIT_FROM", 4)
    for n in range(9):
        head = _commit(repo, f"submissions/2026/A-2026-000{n}/a.yaml", f"a: {n}\n")
    early.start(str(repo.working_dir), "HEAD")
    assert len(early._started[0].parts) == 2
    assert early.take(head) == path_history._git_log(str(repo.working_dir), head)


def test_a_history_with_a_merge_is_walked_whole(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early, "SPLIT_FROM", 2)
    _commit(repo, "a.yaml", "a: 1\n")
    repo.git.checkout("-q", "-b", "side")
    _commit(repo, "b.yaml", "b: 1\n")
    repo.git.checkout("-q", "main")
    _commit(repo, "c.yaml", "c: 1\n")
    repo.git.merge("-q", "--no-edit", "--no-gpg-sign", "side")
    head = repo.head.commit.hexsha
    early.start(str(repo.working_dir), "HEAD")
    assert len(early._started[0].parts) == 1
    assert early.take(head) == path_history._git_log(str(repo.working_dir), head)


def test_history_takes_it(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    head = _commit(repo, "submissions/2026/A-2026-0001/a.yaml", "a: 1\n")
    early.start(str(repo.working_dir), "main")
    monkeypatch.setattr(path_history, "_git_log", lambda *a: pytest.fail("walked again"))
    with repo:
        assert last_changes(repo, repo.commit(head), ["submissions/2026/A-2026-0001/a.yaml"]) == {
            "submissions/2026/A-2026-0001/a.yaml": head
        }


@pytest.mark.parametrize(
    "revision", ["--output=stolen", "-p", "HEAD --all", "HEAD;true", "", "no-such-branch"]
)
def test_an_unusual_or_unknown_revision_starts_nothing(repo: Repo, revision: str) -> None:
    _commit(repo, "a.yaml", "a: 1\n")
    early.start(str(repo.working_dir), revision)
    assert early._started == []
    assert not (Path(repo.working_dir) / "stolen").exists()


def test_nothing_outside_a_repository(tmp_path: Path) -> None:
    early.start(str(tmp_path), "HEAD")
    assert early._started == []


def test_not_started_when_the_run_memory_may_answer(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _commit(repo, "a.yaml", "a: 1\n")
    walks = Path(repo.working_dir) / "build" / "cache" / "walks-0123" / ("f" * 40)
    walks.parent.mkdir(parents=True)
    walks.write_text("remembered")
    early.start(str(repo.working_dir), "HEAD")
    assert early._started == []
    monkeypatch.setenv("COHORTGATE_NO_CACHE", "1")  # the workflows: no memory, walk early
    early.start(str(repo.working_dir), "HEAD")
    assert len(early._started) == 1


def test_a_walk_nobody_takes_is_stopped(repo: Repo) -> None:
    _commit(repo, "a.yaml", "a: 1\n")
    early.start(str(repo.working_dir), "HEAD")
    processes = [part.process for part in early._started[0].parts]
    early.discard()
    assert all(p.poll() is not None for p in processes) and early._started == []


def test_the_review_command_ends_with_no_git_behind(repo: Repo, tmp_path: Path) -> None:
    """A review that finds nothing to review still stops its early walk."""
    _commit(repo, "a.yaml", "a: 1\n")
    argv = ["review", "A-2026-0009", "--root", str(repo.working_dir)]
    result = subprocess.run(
        [sys.executable, "-m", "cohortgate", *argv],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COHORTGATE_NO_CACHE": "1"},
    )
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    stray = subprocess.run(["pgrep", "-f", f"git log .*{repo.head.commit.hexsha}"], check=False)
    assert stray.returncode == 1
