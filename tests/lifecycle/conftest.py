"""Fixtures of the lifecycle tests: the review tests' world (tests/review) plus applicants' keys.

The review helpers are imported from tests/review (put on sys.path here); the fixtures are
copies of tests/review/conftest.py's, with two more keys: ``applicant`` (listed in
rubric/applicants.yaml for the applicant's e-mail) and ``intruder`` (listed nowhere).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from git import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from lifecycle_world import APPLICANTS, LifeWorld, applicants_yaml
from review_keys import PEOPLE
from review_world import APPLICANT_EMAIL, build_world

from signing import Commit, Key, make_keys

NAMES = (*PEOPLE, "applicant", "intruder")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory.mktemp("lifecycle-keys"), NAMES)


@pytest.fixture
def life(repo: Repo, commit: Commit, keys: dict[str, Key]) -> LifeWorld:
    """The review world with the applicant's key in rubric/applicants.yaml on the base."""
    world = build_world(repo, commit, keys)
    text = applicants_yaml([(APPLICANT_EMAIL, keys["applicant"].line)])
    base = commit({APPLICANTS: text}, when="2026-10-02T09:00:00+00:00")
    world.base = base
    return LifeWorld(world, base)
