"""The demo's governance repository: a scratch git repository under ``build/demo/``.

The demo never commits into the user's repository. It copies what the committees and the
custodian read (the catalog with its statistics, the rubric, the roster, the submissions) into
``build/demo/repo``, gives every roster member a fresh ed25519 key made by ``ssh-keygen`` (in
``build/demo/keys/``, which git ignores like all of ``build/``), writes those public keys into
the copied roster, and commits it all as the trusted base. Members then sign their commits with
their own key, as a committee member does with ``git commit -S``: git runs ``ssh-keygen -Y
sign`` (``gpg.format=ssh``, the member's ``user.signingkey``). The repository's own config names an
allowed-signers file generated from the roster, so that ``git log --show-signature`` works in it
too; ``cohortgate`` itself checks the signatures against the roster of the base commit.

The custodian's zone (a copy of the cohort, the vault, the outbox) is
``build/demo/custodian``; the recipient's age identity is ``build/demo/recipient.key``. The
custodian's own identity, which the vault's secrets are encrypted to, may lie neither in a git
work tree nor in the vault (the vault refuses both): it is made in the system's temporary
folder, never in the user's home. A rerun starts again from nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyrage  # type: ignore[import-untyped]

from cohortgate.cli.demo_application import write_l2_application
from cohortgate.layout import Layout

# What the committees and the custodian read, copied from the user's repository.
COPIED = ("catalog", "rubric", "submissions", "mkdocs.yml", ".gitignore")
CUSTODIAN = ("数据中心 data custodian", "custodian@demo.cohortgate")
BASE_DAY = "2026-10-01"  # the roster, rubric, catalog and applications as the committees found them
_KEY_LINE = re.compile(r"^(?P<indent>\s*)ssh_key:\s*\S.*$")
_ID_LINE = re.compile(r"^\s*-\s+id:\s*(?P<id>\S+)\s*$")


class DemoError(Exception):
    """A step of the demo's governance could not run (git or ssh-keygen failed)."""


@dataclass(frozen=True)
class DemoWorld:
    lay: Layout  # the user's repository
    folder: Path  # build/demo
    members: tuple[str, ...]
    principals: dict[str, str]  # member id -> the roster's principal (their e-mail in git)

    @property
    def repo(self) -> Path:
        return self.folder / "repo"

    @property
    def keys(self) -> Path:
        return self.folder / "keys"

    @property
    def custodian(self) -> Path:
        return self.folder / "custodian"

    @property
    def vault(self) -> Path:
        return self.custodian / "vault"

    @property
    def cohort(self) -> Path:
        return self.custodian / "cohort.duckdb"

    @property
    def identity(self) -> Path:
        """The custodian's identity (the key the vault's secrets are encrypted to): never in a
        git work tree nor in the vault (the vault refuses both), nor in the user's home; the
        system's temporary folder, one per user and repository."""
        digest = hashlib.sha256(str(self.lay.root.resolve()).encode()).hexdigest()[:12]
        folder = Path(tempfile.gettempdir()) / f"cohortgate-demo-{os.getuid()}-{digest}"
        return folder / "custodian-identity.txt"

    @property
    def recipient_key(self) -> Path:
        return self.folder / "recipient.key"

    def shown(self, path: Path) -> str:
        """``path`` as the user's repository sees it (build/demo/...)."""
        return self.lay.rel(path)

    def git(self, *args: str, when: str | None = None, who: tuple[str, str] | None = None) -> str:
        """Run git in the demo repository; ``when`` (ISO date and time) dates the commit,
        ``who`` (name, e-mail) authors and commits it."""
        env = dict(os.environ)
        if when is not None:
            env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        if who is not None:
            env.update(GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1])
            env.update(GIT_COMMITTER_NAME=who[0], GIT_COMMITTER_EMAIL=who[1])
        done = _run(["git", "-C", str(self.repo), *args], env)
        if done.returncode != 0:
            raise DemoError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout.strip()

    def commit(self, paths: Iterable[str], message: str, when: str, signer: str | None) -> str:
        """Commit ``paths`` alone, signed with ``signer``'s key (None: unsigned, as the
        custodian records agreements and manifests); the new commit's sha."""
        self.git("add", "--", *paths)
        if signer is None:
            self.git("commit", "-q", "--no-gpg-sign", "-m", message, when=when, who=CUSTODIAN)
        else:
            key = f"user.signingkey={self.keys / signer}"
            who = (signer, self.principals.get(signer, f"{signer}@demo.cohortgate"))
            self.git("-c", key, "commit", "-q", "-S", "-m", message, when=when, who=who)
        return self.git("rev-parse", "HEAD")

    @contextmanager
    def custodian_env(self) -> Iterator[None]:
        """The custodian's zone for the commands run inside: ``build/demo/custodian``, with its
        own identity, never the user's home or the user's custodian directory."""
        names = ("COHORTGATE_CUSTODIAN_DIR", "COHORTGATE_CUSTODIAN_IDENTITY")
        saved = {name: os.environ.get(name) for name in names}
        os.environ["COHORTGATE_CUSTODIAN_DIR"] = str(self.custodian)
        os.environ["COHORTGATE_CUSTODIAN_IDENTITY"] = str(self.identity)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def roster_members(text: str) -> list[str]:
    return [m.group("id") for line in text.splitlines() if (m := _ID_LINE.match(line))]


def with_keys(text: str, keys: dict[str, str]) -> str:
    """The roster's text with each member's ``ssh_key`` replaced by ``keys[member]`` (comments
    and order kept)."""
    out: list[str] = []
    member: str | None = None
    for line in text.splitlines(keepends=True):
        if found := _ID_LINE.match(line):
            member = found.group("id")
        key = _KEY_LINE.match(line)
        if key and member in keys:
            line = f"{key.group('indent')}ssh_key: {keys[member]}\n"
        out.append(line)
    return "".join(out)


def _run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError:
        raise DemoError(
            f"'{argv[0]}' is not installed: the demo signs with git and ssh-keygen (Debian: "
            "apt-get install git openssh-client); --no-mechanism skips this part"
        ) from None


def _ssh_keygen(private: Path, comment: str) -> str:
    argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(private)]
    done = _run(argv)
    if done.returncode != 0:
        raise DemoError(f"ssh-keygen: {done.stderr.strip()}")
    return private.with_name(private.name + ".pub").read_text("ascii").strip()


def _age_identity(path: Path, what: str) -> str:
    """A new age identity written to ``path`` (owner-only, in the format of ``age-keygen``);
    its public recipient."""
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f"# {what}, made by cohortgate demo\n# public key: {public}\n{identity}\n")
    return public


def recipient_secret(world: DemoWorld) -> str:
    """The recipient's secret key line (``AGE-SECRET-KEY-1…``), to open the package with."""
    lines = world.recipient_key.read_text("ascii").splitlines()
    return next(line for line in lines if line.startswith("AGE-SECRET-KEY-1"))


def recipient_of(world: DemoWorld) -> str:
    """The recipient's public key (``age1…``), to release to."""
    return str(pyrage.x25519.Identity.from_str(recipient_secret(world)).to_public())


def make_world(lay: Layout, cohort: Path) -> DemoWorld:
    """A fresh ``build/demo/``: keys, the custodian's zone with a copy of ``cohort`` and the
    governance repository with its base commit (the copied rules and applications, the roster
    holding the new keys)."""
    folder = lay.build / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    roster_text = (lay.rubric / "roster.yaml").read_text("utf-8")
    world = DemoWorld(lay, folder, tuple(roster_members(roster_text)), _principals(roster_text))
    for made in (world.keys, world.custodian, world.repo):
        made.mkdir(parents=True)
    world.keys.chmod(0o700)
    world.custodian.chmod(0o700)
    lines = {m: _ssh_keygen(world.keys / m, f"{m}@demo.cohortgate") for m in world.members}
    if world.identity.parent.exists():
        shutil.rmtree(world.identity.parent)
    world.identity.parent.mkdir(mode=0o700)
    _age_identity(world.identity, "the demo custodian's identity")
    shutil.copy(cohort, world.cohort)
    _age_identity(world.recipient_key, "the demo recipient's identity")
    for name in COPIED:
        source = lay.root / name
        if source.is_dir():
            shutil.copytree(source, world.repo / name, ignore=shutil.ignore_patterns("releases"))
        elif source.is_file():
            shutil.copy(source, world.repo / name)
    roster = world.repo / "rubric" / "roster.yaml"
    roster.write_text(with_keys(roster_text, lines), "utf-8")
    write_l2_application(world.repo / "submissions" / "2026")
    _init(world, lines)
    copied = [name for name in COPIED if (world.repo / name).exists()]
    when = f"{BASE_DAY}T09:00:00+08:00"
    world.commit(copied, "the rules, the roster and the applications", when, None)
    return world


def _init(world: DemoWorld, lines: dict[str, str]) -> None:
    """``git init`` with a local identity and SSH signing; nothing of the user's git config
    (signing program, hooks) takes part."""
    world.git("init", "-q")
    world.git("symbolic-ref", "HEAD", "refs/heads/main")
    signers = world.folder / "allowed_signers"
    signers.write_text(
        "".join(f"{world.principals.get(m, m)} {lines[m]}\n" for m in world.members), "ascii"
    )
    hooks = world.folder / "no-hooks"
    hooks.mkdir()
    for key, value in (
        ("user.name", CUSTODIAN[0]),
        ("user.email", CUSTODIAN[1]),
        ("gpg.format", "ssh"),
        ("gpg.ssh.program", "ssh-keygen"),
        ("gpg.ssh.allowedSignersFile", str(signers)),
        ("commit.gpgSign", "false"),
        ("core.hooksPath", str(hooks)),
    ):
        world.git("config", "--local", key, value)


def _principals(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    member: str | None = None
    for line in text.splitlines():
        if m := _ID_LINE.match(line):
            member = m.group("id")
        elif member and (p := re.match(r"^\s*principal:\s*(\S+)", line)):
            found[member] = p.group(1)
    return found
