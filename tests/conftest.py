"""Shared fixtures: the repository root and a layout over it; an empty git repository and signed
commits into it (with the requesting directory's ``keys``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyrage  # type: ignore[import-untyped]
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


@pytest.fixture(scope="session", autouse=True)
def custodian_identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The custodian's identity for every test: a fresh age key outside any vault and any git
    work tree, owner-only, named by COHORTGATE_CUSTODIAN_IDENTITY (child processes inherit
    it), so that no test reads or makes the developer's own identity."""
    folder = tmp_path_factory.mktemp("custodian-identity")
    folder.chmod(0o700)
    path = folder / "custodian-identity.txt"
    identity = pyrage.x25519.Identity.generate()
    path.write_text(f"# public key: {identity.to_public()}\n{identity}\n", "ascii")
    path.chmod(0o600)
    saved = os.environ.get("COHORTGATE_CUSTODIAN_IDENTITY")
    os.environ["COHORTGATE_CUSTODIAN_IDENTITY"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("COHORTGATE_CUSTODIAN_IDENTITY", None)
    else:
        os.environ["COHORTGATE_CUSTODIAN_IDENTITY"] = saved
