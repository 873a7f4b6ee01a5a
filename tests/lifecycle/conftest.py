"""Fixtures of the lifecycle tests: the review tests' world (tests/review) plus applicants' keys.

The review helpers are imported from tests/review (put on sys.path here); the fixtures are
copies of tests/review/conftest.py's, with two more keys: ``applicant`` (listed in
rubric/applicants.yaml for the applicant's e-mail) and ``intruder`` (listed nowhere).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from lifecycle_world import APPLICANTS, LifeWorld, applicants_yaml
from review_keys import PEOPLE, Commit, Key
from review_world import APPLICANT_EMAIL, build_world

NAMES = (*PEOPLE, "applicant", "intruder")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    folder = tmp_path_factory.mktemp("lifecycle-keys")
    made: dict[str, Key] = {}
    for name in NAMES:
        private = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", private],
            check=True,
        )
        public = private.with_suffix(".pub")
        made[name] = Key(public, public.read_text("ascii").strip())
    return made


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    made = Repo.init(tmp_path / "repo", initial_branch="main")
    with made.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
    yield made
    made.close()


@pytest.fixture
def commit(repo: Repo, keys: dict[str, Key]) -> Commit:
    """commit(files, signer=None|name, email=author e-mail, when=ISO date) -> sha."""

    def make(
        files: dict[str, str],
        signer: str | None = None,
        email: str = "test@example.org",
        when: str = "2026-03-01T12:00:00+00:00",
    ) -> str:
        root = Path(repo.working_tree_dir or ".")
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, "utf-8")
        repo.git.add(*files)
        env = {
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_EMAIL": email,
        }
        if signer is None:
            repo.git.commit("--no-gpg-sign", "-q", "-m", "unsigned", env=env)
        else:
            options = ["gpg.format=ssh", f"user.signingkey={keys[signer].public_path}"]
            repo.git(c=options).commit("-S", "-q", "-m", f"signed by {signer}", env=env)
        return repo.head.commit.hexsha

    return make


@pytest.fixture
def life(repo: Repo, commit: Commit, keys: dict[str, Key]) -> LifeWorld:
    """The review world with the applicant's key in rubric/applicants.yaml on the base."""
    world = build_world(repo, commit, keys)
    text = applicants_yaml([(APPLICANT_EMAIL, keys["applicant"].line)])
    base = commit({APPLICANTS: text}, when="2026-10-02T09:00:00+00:00")
    world.base = base
    return LifeWorld(world, base)
