"""Real ed25519 keys (ssh-keygen, no passphrase), a small roster over them and real git repos."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Repo
from review_keys import PEOPLE, Commit, Key, roster_data
from review_world import World, build_world

from cohortgate.models.roster import Roster


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    folder = tmp_path_factory.mktemp("keys")
    made: dict[str, Key] = {}
    for name in PEOPLE:
        private = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", private],
            check=True,
        )
        public = private.with_suffix(".pub")
        made[name] = Key(public, public.read_text("ascii").strip())
    return made


@pytest.fixture
def roster(keys: dict[str, Key]) -> Roster:
    return Roster.model_validate(roster_data(keys))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """An empty repository; the developer's own git config cannot leak in."""
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
def world(repo: Repo, commit: Commit, keys: dict[str, Key]) -> World:
    """A repository with the real catalog and rubric, a test roster and two applications."""
    return build_world(repo, commit, keys)
