"""Fixtures of the lifecycle tests: the review tests' world (tests/review) plus applicants' keys.

The review helpers are imported from tests/review (put on sys.path here); the fixtures are
copies of tests/review/conftest.py's, with two more keys: ``applicant`` (listed in
rubric/applicants.yaml for the applicant's e-mail) and ``intruder`` (listed nowhere).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from lifecycle_world import APPLICANTS, LifeWorld, applicants_yaml
from review_keys import PEOPLE, Commit, Key, committer, init_repo, make_keys
from review_world import APPLICANT_EMAIL, build_world

NAMES = (*PEOPLE, "applicant", "intruder")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory.mktemp("lifecycle-keys"), NAMES)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
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
def life(repo: Repo, commit: Commit, keys: dict[str, Key]) -> LifeWorld:
    """The review world with the applicant's key in rubric/applicants.yaml on the base."""
    world = build_world(repo, commit, keys)
    text = applicants_yaml([(APPLICANT_EMAIL, keys["applicant"].line)])
    base = commit({APPLICANTS: text}, when="2026-10-02T09:00:00+00:00")
    world.base = base
    return LifeWorld(world, base)
