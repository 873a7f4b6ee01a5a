"""The custodian's identity: the age X25519 key that the vault's secrets (release keys, member
lists, trace arrays) are encrypted to, kept in a file outside the vault, like an ssh key.

Where it lives: ``$COHORTGATE_CUSTODIAN_IDENTITY``, else
``$XDG_CONFIG_HOME/cohortgate/custodian-identity.txt`` (``~/.config/...`` by default). The file
has the format of ``age-keygen`` (``#`` comments, then one ``AGE-SECRET-KEY-1…`` line), so that
``age -d -i FILE`` opens a record by hand.

It is refused (``vault.identity-unsafe``) when group or others may read or write it, when it
belongs to another user, when it lies inside the vault (a copy of the vault would carry its own
key) or inside a git work tree (one ``git add`` would publish it). Writing needs only its public
key, which the vault's log records; reading needs the file. ``made`` writes a new one on first
use (mode 0600, new folders 0700), never over an existing one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage  # type: ignore[import-untyped]

from cohortgate.custodian.vault.chain import VaultError, VaultWriteError
from cohortgate.custodian.vault.codes import IDENTITY_MISSING, IDENTITY_UNSAFE, IDENTITY_WRONG
from cohortgate.files import atomic
from cohortgate.findings.codes import Both

ENV = "COHORTGATE_CUSTODIAN_IDENTITY"
FILE_NAME = "custodian-identity.txt"
_SECRET = "AGE-SECRET-KEY-1"
_ELSEWHERE = Both(
    zh="将它移到保险库和任何 git 仓库之外（默认位置 ~/.config/cohortgate/custodian-identity.txt），"
    "或将 COHORTGATE_CUSTODIAN_IDENTITY 设为新的位置",
    en="Move it outside the vault and outside any git repository (the default place is "
    "~/.config/cohortgate/custodian-identity.txt), or set COHORTGATE_CUSTODIAN_IDENTITY to "
    "where it now is",
)


def identity_path(given: Path | None = None) -> Path:
    """``given``, else ``$COHORTGATE_CUSTODIAN_IDENTITY``, else the XDG default."""
    if given is not None:
        return given
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "")
    config = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return config / "cohortgate" / FILE_NAME


def _unsafe(path: Path, problem: Both, fix: Both) -> VaultError:
    return VaultError(IDENTITY_UNSAFE, where=str(path), problem=problem, fix=fix)


def check_place(path: Path, vault: Path) -> None:
    """Refuse an identity inside the vault or inside a git work tree."""
    resolved, home = path.resolve(), vault.resolve()
    if resolved == home or home in resolved.parents:
        problem = Both(
            zh=f"位于保险库 {vault} 之内：保险库的副本会连同打开它的钥匙一起被带走",
            en=f"lies inside the vault {vault}: a copy of the vault would carry the key that "
            "opens it",
        )
        raise _unsafe(path, problem, _ELSEWHERE)
    top = next((p for p in resolved.parents if (p / ".git").exists()), None)
    if top is not None:
        problem = Both(
            zh=f"位于 git 工作区 {top} 之内：一次提交就会公开它",
            en=f"lies inside the git work tree {top}: one commit would publish it",
        )
        raise _unsafe(path, problem, _ELSEWHERE)


def _check_file(path: Path) -> None:
    """Refuse, like ssh, an identity that others may read or that belongs to someone else."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _unsafe(
            path,
            Both(zh="不是普通文件", en="is not a regular file"),
            Both(zh="请从离线备份恢复该文件", en="Restore the file from the offline backup"),
        )
    if info.st_uid != os.getuid():
        raise _unsafe(
            path,
            Both(zh=f"属于另一个用户（uid {info.st_uid}）", en=f"belongs to uid {info.st_uid}"),
            Both(
                zh=f"以其所有者身份运行命令，或 `chown` {path} 给自己",
                en=f"Run the command as its owner, or `chown` {path} to yourself",
            ),
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise _unsafe(
            path,
            Both(
                zh=f"权限为 {mode:04o}：组用户或其他用户可以读取或写入它",
                en=f"has mode {mode:04o}: group or others may read or write it",
            ),
            Both(
                zh=f"运行 `chmod 600 {path}`，并核查在此期间谁可能读取过它",
                en=f"Run `chmod 600 {path}`, and check who could have read it meanwhile",
            ),
        )


def parse(text: str, path: Path) -> Any:
    """The identity in ``text`` (age-keygen format), or ``vault.identity-wrong``."""
    keys = [line.strip() for line in text.splitlines() if line.strip().startswith(_SECRET)]
    try:
        if len(keys) != 1:
            raise ValueError(f"{len(keys)} secret key lines")
        return pyrage.x25519.Identity.from_str(keys[0])
    except (ValueError, pyrage.IdentityError):
        problem = Both(
            zh="文件中没有恰好一行 age 身份密钥（AGE-SECRET-KEY-1…）",
            en="the file holds no single age identity (a line AGE-SECRET-KEY-1…)",
        )
        raise VaultError(IDENTITY_WRONG, where=str(path), problem=problem) from None


def load(path: Path, vault: Path) -> Any:
    """The identity in ``path``, checked: in a safe place, owner-only, well-formed."""
    check_place(path, vault)
    if not path.exists():
        raise VaultError(IDENTITY_MISSING, where=str(path))
    _check_file(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Both(zh=f"无法读取（{error}）", en=f"it cannot be read ({error})")
        raise VaultError(IDENTITY_WRONG, where=str(path), problem=problem) from None
    return parse(text, path)


def recipient_of(identity: Any) -> str:
    return str(identity.to_public())


def made(path: Path, vault: Path) -> tuple[Any, bool]:
    """The identity in ``path``, made there first when there is none yet (True then)."""
    check_place(path, vault)
    if path.exists() or path.is_symlink():
        return load(path, vault), False
    identity = pyrage.x25519.Identity.generate()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    text = (
        f"# cohortgate custodian identity, created: {now}\n"
        f"# public key: {recipient_of(identity)}\n"
        "# Keep an offline backup; never copy it into the vault or into git.\n"
        f"{identity}\n"
    )
    try:
        written = _write_new(path, text.encode("ascii"))
    except atomic.WriteError as error:
        raise VaultWriteError.of(error, path.parent) from error
    if not written:  # another command made one meanwhile: use that one
        return load(path, vault), False
    return identity, True


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` (0600) to the new file ``path`` (folders made 0700); False, writing
    nothing, when ``path`` exists (a link, unlike a rename, never replaces a file)."""
    with atomic.guard(path):
        missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700)
                os.chmod(folder, 0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            try:
                os.fchmod(fd, 0o600)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        atomic.fsync_path(path.parent)
    return True
