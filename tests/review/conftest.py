"""Real ed25519 keys (ssh-keygen, no passphrase), a small roster over them and real git repos."""

from __future__ import annotations

import pytest
from git import Repo
from review_keys import PEOPLE, roster_data
from review_world import World, build_world

from cohortgate.models.roster import Roster
from signing import Commit, Key, make_keys


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory.mktemp("keys"), PEOPLE)


@pytest.fixture
def roster(keys: dict[str, Key]) -> Roster:
    return Roster.model_validate(roster_data(keys))


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key]) -> World:
    """A repository with the real catalog and rubric, a test roster and two applications."""
    return build_world(repo, commit, keys)
