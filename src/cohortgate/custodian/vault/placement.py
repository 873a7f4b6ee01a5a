"""Where a vault may be: every file and folder its owner's alone (0600 and 0700, no symbolic
links, no other owner), and outside any git work tree unless git ignores it and tracks none of
its files. ``Vault.create`` and ``Vault.open`` raise ``VaultError`` with the reason and the fix.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from cohortgate.custodian.vault.chain import VaultError
from cohortgate.custodian.vault.codes import BAD_RECORD, IN_GIT, PERMISSIONS


def _check_permissions(root: Path) -> None:
    uid = os.getuid()
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            raise VaultError(
                BAD_RECORD,
                what=f"{path} is a symbolic link inside the vault",
                fix="Replace the link by the file it points to, or remove it.",
            )
        if info.st_uid != uid:
            raise VaultError(
                BAD_RECORD,
                what=f"{path} belongs to another user (uid {info.st_uid})",
                fix=f"Run the command as the vault's owner, or `chown` {path} to yourself.",
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            is_dir = stat.S_ISDIR(info.st_mode)
            raise VaultError(
                PERMISSIONS,
                where=str(path),
                mode=mode,
                access="enter or list" if is_dir else "read or write",
                want="700" if is_dir else "600",
            )


def _check_not_in_git(path: Path) -> None:
    """Refuse a vault inside a git work tree unless git ignores it."""
    resolved = path.resolve()
    top = next((p for p in [resolved, *resolved.parents] if (p / ".git").exists()), None)
    if top is None:
        return
    git = shutil.which("git")
    pattern = "/" + resolved.relative_to(top).as_posix() + "/"
    if git is None:
        raise VaultError(IN_GIT, where=str(path), top=str(top), pattern=pattern)
    result = subprocess.run(
        [git, "check-ignore", "-q", str(resolved) + "/"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:  # 1: not ignored; 128: git cannot tell, so no either
        raise VaultError(IN_GIT, where=str(path), top=str(top), pattern=pattern)
    tracked = subprocess.run(
        [git, "ls-files", "-z", "--", str(resolved)],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if tracked.returncode != 0 or tracked.stdout:  # a file forced into the index
        raise VaultError(IN_GIT, where=str(path), top=str(top), pattern=pattern)
