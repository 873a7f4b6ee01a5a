"""Sets of files written as one transaction: a folder swapped whole (``write_files``,
``swap_dir``, ``recover_dir``) and a redo journal for files that change with a log
(``Journal``). The design, and the single-file writer they share their rules with, are in
``files.atomic``; errors are ``atomic.WriteError``, recoveries ``atomic.Recovery``.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import shutil
import stat
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from cohortgate.files.atomic import (
    REMOVED,
    ROLLED_BACK,
    ROLLED_FORWARD,
    Recovery,
    file_mode,
    fsync_path,
    guard,
    new_file,
    remove_path,
    umask,
)

# --- folders swapped whole ------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc older than glibc 2.28
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing names in one step; False where the system or file system cannot."""
    func = _renameat2()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def staging_dir(final: Path) -> Path:
    """Where the next version of the folder ``final`` is staged: beside it, hidden."""
    return final.with_name(f".{final.name}.staging")


def _old_dir(final: Path) -> Path:
    return final.with_name(f".{final.name}.old")


def recover_dir(final: Path, stage: Path | None = None) -> list[Recovery]:
    """Undo what a killed ``swap_dir`` left: a missing ``final`` whose old version waits
    under ``.<name>.old`` is renamed back; staging and old folders are removed."""
    stage = stage or staging_dir(final)
    old = _old_dir(final)
    found: list[Recovery] = []
    with guard(final):
        if not os.path.lexists(final) and os.path.lexists(old):
            os.rename(old, final)
            fsync_path(final.parent)
            found.append(Recovery(final, ROLLED_BACK))
        for leftover in (stage, old):
            if os.path.lexists(leftover):
                remove_path(leftover)
                if not found:
                    found.append(Recovery(final, REMOVED))
    return found


def _fsync_tree(folder: Path) -> None:
    for parent, _dirs, names in os.walk(folder, topdown=False):
        for name in names:
            if not os.path.islink(os.path.join(parent, name)):
                fsync_path(Path(parent, name))
        fsync_path(Path(parent))


def swap_dir(stage: Path, final: Path, *, durable: bool = True) -> None:
    """Put the complete folder ``stage`` in place of ``final`` at once (see the module's
    docstring); the old folder is removed. ``durable``: fsync every file and folder of the
    stage first (else the stage alone: a kill cannot tear the swap, a power cut may)."""
    parent = final.parent
    with guard(final):
        if durable:
            _fsync_tree(stage)
        else:
            fsync_path(stage)
        if not os.path.lexists(final):
            os.rename(stage, final)
        elif _exchange(stage, final):
            fsync_path(parent)
            remove_path(stage)  # the old folder, now under the staging name
        else:
            old = _old_dir(final)
            os.rename(final, old)
            try:
                os.rename(stage, final)
            except OSError:
                os.rename(old, final)
                raise
            fsync_path(parent)
            remove_path(old)
        fsync_path(parent)


def _plain_name(name: str) -> str:
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"'{name}' is not a plain file name")
    return name


def _link_or_copy(source: Path, target: Path) -> None:
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
        return
    try:
        os.link(source, target, follow_symlinks=False)  # unchanged: the same file
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def write_files(
    folder: Path, files: Mapping[str, bytes], *, mode: int | None = None, keep_others: bool = True
) -> list[Recovery]:
    """Replace the files ``files`` (plain names) of ``folder`` as one transaction: all of
    them or none. The folder's other files stay (unless ``keep_others`` is false). Returns what
    was recovered of a killed earlier run; ``WriteError`` when the disk refuses."""
    names = [_plain_name(name) for name in files]
    with guard(folder):
        folder.parent.mkdir(parents=True, exist_ok=True)
    found = recover_dir(folder)
    stage = staging_dir(folder)
    try:
        with guard(folder):
            os.mkdir(stage, 0o700)
            if keep_others and folder.is_dir():
                for item in sorted(folder.iterdir()):
                    if item.name not in files:
                        _link_or_copy(item, stage / item.name)
        for name in names:
            with guard(folder / name):
                new_file(stage / name, files[name], file_mode(mode), sync=False)
        with guard(folder):
            exists = folder.is_dir()
            os.chmod(stage, stat.S_IMODE(folder.stat().st_mode) if exists else 0o777 & ~umask())
        swap_dir(stage, folder)
    except Exception:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return found


# --- a redo journal -------------------------------------------------------------------------

STAGING, COMMITTED, JOURNAL = ".txn.tmp", ".txn", "journal.json"
_FORMAT = "cohortgate-journal/1"


class Journal:
    """The redo journal of the folder ``root``: ``commit`` replaces a set of files under it as
    one transaction; ``recover`` finishes or discards a killed one. The caller serialises
    writers (the vault holds its lock around both)."""

    def __init__(self, root: Path, *, mode: int | None = None, dir_mode: int | None = None):
        self.root = root
        self.mode = mode  # of the files written (default: 0666 less the umask)
        self.dir_mode = dir_mode  # of the folders made for them (default: 0777 less the umask)
        self.staging = root / STAGING
        self.committed = root / COMMITTED

    def pending(self) -> bool:
        """Whether a killed transaction left something to recover."""
        return os.path.lexists(self.staging) or os.path.lexists(self.committed)

    def recover(self) -> list[Recovery]:
        """Discard an uncommitted transaction, finish a committed one."""
        found: list[Recovery] = []
        if os.path.lexists(self.staging):
            with guard(self.root):
                remove_path(self.staging)
                fsync_path(self.root)
            found.append(Recovery(self.root, ROLLED_BACK))
        if os.path.lexists(self.committed):
            self._apply()
            found.append(Recovery(self.root, ROLLED_FORWARD))
        return found

    def _target(self, name: str) -> Path:
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or ".." in parts or parts[0].startswith(".txn"):
            raise ValueError(f"'{name}' is not a path inside the journal's folder")
        return self.root.joinpath(*parts)

    def commit(self, files: Mapping[str, bytes]) -> None:
        """Write ``files`` (paths relative to the root, '/'-separated), in this order, as one
        transaction. Recover first what a killed run left (``recover``)."""
        names = list(files)
        for name in names:
            self._target(name)
        self.recover()
        stage = self.staging
        mode = file_mode(self.mode)
        try:
            with guard(self.root):
                os.mkdir(stage, 0o700)
            for number, name in enumerate(names):
                with guard(self._target(name)):
                    new_file(stage / str(number), files[name], mode)
            with guard(self.root):
                listing = json.dumps({"format": _FORMAT, "files": names}).encode("utf-8")
                new_file(stage / JOURNAL, listing, 0o600)
                fsync_path(stage)
                os.rename(stage, self.committed)  # the commit point
        except Exception:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        self._apply()

    def _apply(self) -> None:
        txn = self.committed
        with guard(self.root):
            fsync_path(self.root)  # the commit is durable before any target changes
            journal = txn / JOURNAL
            if os.path.lexists(journal):
                try:
                    listing = json.loads(journal.read_bytes())
                    if listing["format"] != _FORMAT:
                        raise ValueError(listing["format"])
                    names = [str(n) for n in listing["files"]]
                except (ValueError, KeyError, TypeError):
                    raise OSError(f"{txn.name}/{JOURNAL} is damaged") from None
                touched = {self.root}
                for number, name in enumerate(names):
                    staged, target = txn / str(number), self._target(name)
                    if os.path.lexists(staged):  # else renamed before a kill
                        with guard(target):
                            self._make_folders(target.parent)
                            os.replace(staged, target)
                    touched.add(target.parent)
                for folder in sorted(touched, reverse=True):
                    fsync_path(folder)
                os.unlink(journal)
            remove_path(txn)
            fsync_path(self.root)

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.exists() and folder != self.root:
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            os.mkdir(made, self.dir_mode if self.dir_mode is not None else 0o777)
            if self.dir_mode is not None:
                os.chmod(made, self.dir_mode)
