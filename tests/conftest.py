"""Shared fixtures: the repository root and a layout over it; an empty git repository and signed
commits into it (with the requesting directory's ``keys``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Repo

from cohortgate.layout import Layout
from signing import Commit, Key, committer, init_repo

ROOT = Path(__file__).resolve().parents[1]
# Expected reports are in English: a developer's Chinese locale must not change them (the
# language tests set the language themselves). Child processes inherit it.
os.environ["COHORTGATE_LANG"] = "en"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """An empty repository for signed-history tests; the developer's own git config cannot leak
    in. Signers come from the directory's own ``keys`` fixture."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    made = init_repo(tmp_path / "repo")
    yield made
    made.close()


@pytest.fixture
def commit(repo: Repo, keys: dict[str, Key]) -> Commit:
    """commit(files, signer=None|name, email=author e-mail, when=ISO date) -> sha."""
    return committer(repo, keys)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def repo_layout() -> Layout:
    return Layout(ROOT)
