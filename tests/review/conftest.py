"""Real ed25519 keys (ssh-keygen, no passphrase), a small roster over them and real git repos."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Repo
from review_keys import PEOPLE, Commit, Key, committer, init_repo, make_keys, roster_data
from review_world import World, build_world

from cohortgate.models.roster import Roster


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory.mktemp("keys"), PEOPLE)


@pytest.fixture
def roster(keys: dict[str, Key]) -> Roster:
    return Roster.model_validate(roster_data(keys))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """An empty repository; the developer's own git config cannot leak in."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    made = init_repo(tmp_path / "repo")
    yield made
    made.close()


@pytest.fixture
def commit(repo: Repo, keys: dict[str, Key]) -> Commit:
    """commit(files, signer=None|name, email=author e-mail, when=ISO date) -> sha."""
    return committer(repo, keys)


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key]) -> World:
    """A repository with the real catalog and rubric, a test roster and two applications."""
    return build_world(repo, commit, keys)
