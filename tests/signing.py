"""Real ssh-keygen keys, repositories and signed commits: the helpers every test of signed
git history shares (review, lifecycle, the site's register)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from git import Repo


@dataclass(frozen=True)
class Key:
    public_path: Path
    line: str  # 'ssh-ed25519 AAAA… comment'


Commit = Callable[..., str]


def make_keys(folder: Path, names: Iterable[str]) -> dict[str, Key]:
    """Real ed25519 keys made by ssh-keygen (no passphrase), one per name."""
    made: dict[str, Key] = {}
    for name in names:
        private = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", private],
            check=True,
        )
        public = private.with_suffix(".pub")
        made[name] = Key(public, public.read_text("ascii").strip())
    return made


def init_repo(path: Path) -> Repo:
    """An empty repository with a test identity (set GIT_CONFIG_GLOBAL/NOSYSTEM first)."""
    made = Repo.init(path, initial_branch="main")
    with made.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
    return made


def committer(repo: Repo, keys: Mapping[str, Key]) -> Commit:
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
