"""Write files so that nothing is ever half-written, and sets of files so that a kill at any
point leaves all the old ones or all the new ones (the sets: ``files.transaction``).

One rule underlies every writer: new bytes go to a new name, are flushed with ``fsync``, and
only then take their real name by a rename, which the kernel performs whole.

``write_bytes`` / ``write_text`` (one file)
    A temporary file beside the target, fsync, ``os.replace``, fsync of the folder.

``transaction.write_files`` / ``swap_dir`` (a folder whose files change together: ``catalog/stats``,
``build/site``)
    The new folder is staged beside the target as ``.<name>.staging`` (``write_files`` links
    the files it does not replace into it): every file is fsynced, then every folder (with
    ``durable=False`` only the stage itself: a site of thousands of files that a build can
    always recreate), and the stage and the target are exchanged in one
    ``renameat2(RENAME_EXCHANGE)`` (Linux); the old folder, now under the staging name, is
    removed. Where the system cannot exchange two names, the target is renamed to
    ``.<name>.old`` and the stage to the target; a kill between these two renames leaves no
    target, and ``recover_dir`` (which every writer runs first) renames ``.<name>.old`` back.
    Readers see the old folder or the new one, never a mix.

``transaction.Journal`` (files that must change with an append-only log: the vault)
    A redo journal in the folder. The new contents are staged in ``.txn.tmp/`` (each file,
    then ``journal.json`` listing their targets in order, all fsynced, then the folder); the
    rename of ``.txn.tmp/`` to ``.txn/`` is the commit point; then each staged file is renamed
    onto its target in order, the folders are fsynced and the journal removed. ``recover``
    (run when the folder is opened, under the writer's lock) removes a ``.txn.tmp/`` (the
    transaction never committed: all old) and finishes a ``.txn/`` (renames the files still
    staged: all new). A log and its head file are two files of one transaction, so an entry
    and its head, and a record and the log entry holding its digest, are one atomic write.

A disk that refuses a write (read-only, full, no permission) raises ``WriteError``, an
``OSError`` that names the target and says what to do (``WriteError.finding``); the failed
write leaves no staging behind. Recoveries are reported as ``Recovery`` (``finding``: a
warning).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cohortgate.files.codes import FILE_RECOVERED, FILE_WRITE_FAILED
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both

# --- errors ---------------------------------------------------------------------------------

# The errors of a disk rather than of the program: they become findings, never "internal error".
DISK_ERRORS = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM})
_INTACT = Both(zh="；没有任何文件被写了一半。", en="; no file was left half-written.")
_FULL = (
    Both(zh="磁盘已满", en="the disk is full"),
    Both(
        zh="请腾出磁盘空间，然后重新运行命令",
        en="Free space on the disk, then run the command again",
    ),
)
_DENIED = (
    Both(zh="没有写入权限", en="permission denied"),
    Both(
        zh="请让当前用户可以写入该文件所在的文件夹（或以其所有者身份运行命令），然后重新运行",
        en="Let your user write to the folder that holds it (or run the command as its "
        "owner), then run it again",
    ),
)
_ADVICE = {
    errno.EROFS: (
        Both(zh="文件系统是只读的", en="the file system is read-only"),
        Both(
            zh="请把磁盘重新挂载为可写（或在可写的位置运行命令），然后重新运行",
            en="Remount the disk read-write (or run the command where it can write), then run "
            "it again",
        ),
    ),
    errno.ENOSPC: _FULL,
    errno.EDQUOT: (Both(zh="超出了磁盘配额", en="the disk quota is exceeded"), _FULL[1]),
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
}
_OTHER_FIX = Both(
    zh="请检查磁盘和文件夹的权限，然后重新运行命令",
    en="Check the disk and the folder's permissions, then run the command again",
)


class WriteError(OSError):
    """A write the disk refused: ``target`` (the file or folder being written), the reason and
    what to do, in both languages (``finding``)."""

    def __init__(self, target: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause), str(target))
        self.target = target

    @property
    def reason(self) -> Both:
        advice = _ADVICE.get(self.errno) if self.errno is not None else None
        if advice:
            return advice[0]
        text = str(self.strerror or "unknown error")
        return Both(zh=text, en=text)

    @property
    def fix(self) -> Both:
        advice = _ADVICE.get(self.errno) if self.errno is not None else None
        fix = advice[1] if advice else _OTHER_FIX
        return Both(zh=fix.zh + _INTACT.zh, en=fix.en + _INTACT.en)

    def __str__(self) -> str:
        return f"cannot write {self.target}: {self.reason.en}"

    def finding(self, shown: str) -> Finding:
        """The finding at ``shown`` (the target as the user knows it: relative, no machine path)."""
        return FILE_WRITE_FAILED.at(shown, target=shown, reason=self.reason, fix=self.fix)


def disk_error(error: BaseException) -> bool:
    """Whether ``error`` is the disk refusing (read-only, full, no permission)."""
    return isinstance(error, WriteError) or (
        isinstance(error, OSError) and error.errno in DISK_ERRORS
    )


@contextlib.contextmanager
def guard(target: Path) -> Iterator[None]:
    """Turn an ``OSError`` inside the block into a ``WriteError`` naming ``target``."""
    try:
        yield
    except WriteError:
        raise
    except OSError as error:
        raise WriteError(target, error) from error


# --- recoveries -----------------------------------------------------------------------------

ROLLED_BACK, ROLLED_FORWARD, REMOVED = "rolled back", "rolled forward", "removed"
_WHAT = {
    ROLLED_BACK: Both(
        zh="一次被中断且未提交的写入已回滚：之前的文件完好无损",
        en="an interrupted write that had not committed was rolled back: the previous files "
        "are intact",
    ),
    ROLLED_FORWARD: Both(
        zh="一次被中断但已提交的写入已前滚完成：新文件已就位",
        en="an interrupted write that had committed was rolled forward: the new files are in place",
    ),
    REMOVED: Both(
        zh="已删除一次被中断的写入留下的暂存文件；现有文件是完整的",
        en="the staging files of an interrupted write were removed; the files in place are whole",
    ),
}


@dataclass(frozen=True)
class Recovery:
    """What a recovery did about the leftovers of a killed run at ``path``."""

    path: Path
    action: str  # ROLLED_BACK, ROLLED_FORWARD or REMOVED

    def finding(self, shown: str) -> Finding:
        return FILE_RECOVERED.at(shown, target=shown, what=_WHAT[self.action])


# --- files ----------------------------------------------------------------------------------


def umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def file_mode(given: int | None) -> int:
    return given if given is not None else 0o666 & ~umask()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_file(path: Path, data: bytes, mode: int, sync: bool = True) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, mode)
        _write_all(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    write_bytes(path, text.encode("utf-8"), mode)


def write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (``WriteError`` when the disk refuses).

    ``mode`` defaults to what a plain ``open()`` would give (0666 less the umask), so that
    published files are readable; the custodian's secrets pass 0o600.
    """
    with guard(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            try:
                os.fchmod(fd, file_mode(mode))
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_path(path.parent)
