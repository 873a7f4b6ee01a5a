"""Start git's walk of the history before the rest of a command is even imported: ``start``.

A review's longest single step is ``git log`` over the whole history (``gitread.history``), and
its other long step is importing and parsing in Python. Both are independent: started first
thing, git walks on one core while the command imports and loads on the other. Nothing here
imports GitPython or the models. When the run memory under ``build/cache/`` may hold walks
(a reviewer's machine, not CI), no walk is started: the memory answers sooner.

The revision is resolved to its commit first (a few milliseconds); the walk writes to an
unnamed temporary file (a pipe would fill and stop git) and is taken by ``gitread.history`` only
for that commit. A commit's id fixes its whole history, so the walk is the same whichever
repository or folder git was started in.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cohortgate.files.parse_cache import DISABLE

# The walk's command, shared with ``gitread.history`` (which parses its output).
LOG = ["git", "log", "--format=%x01%H%x00%P%x00%cs", "--raw", "--no-abbrev", "--no-renames", "-z"]
# A revision as a user writes one (a name, a sha, HEAD~2, main^{commit}): nothing git could take
# for an option.
_RESOLVE = ["git", "rev-parse", "--show-toplevel", "--verify", "--quiet", "--end-of-options"]
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*")


@dataclass
class _Started:
    head: str  # the commit being walked (its full id)
    process: subprocess.Popen[bytes]
    output: IO[bytes]


_started: list[_Started] = []  # at most one
CACHE = Path("build") / "cache"  # as in gitread.memory (not imported here: it reads metadata)


def start(where: str, revision: str) -> None:
    """Have git walk ``revision``'s history from ``where`` in the background; no-op for an
    unusual revision or when git cannot resolve it or be started (the walk is then made when
    asked for, and git's own error said there)."""
    if _started or not _REVISION.fullmatch(revision):
        return
    try:
        resolved = subprocess.run(
            [*_RESOLVE, f"{revision}^{{commit}}"],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return
    lines = resolved.stdout.splitlines()
    if resolved.returncode != 0 or len(lines) != 2:
        return
    top, head = lines
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", head) or _remembered(Path(top)):
        return
    output = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until ``take`` reads it
    try:
        process = subprocess.Popen(
            [*LOG, head],
            cwd=where,
            stdout=output,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        output.close()
        return
    _started.append(_Started(head, process, output))


def _remembered(top: Path) -> bool:
    """Whether the run memory may hold walks (``gitread.memory``): then it answers faster than
    a new walk, which is not started."""
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return False
    return any((top / CACHE).glob("walks-*/*"))


def take(head: str) -> bytes | None:
    """The early walk's output if it is the walk of commit ``head`` and git succeeded (it is
    then used up); else None."""
    if not _started or _started[0].head != head:
        return None
    started = _started.pop()
    with started.output:
        if started.process.wait() != 0:
            return None
        started.output.seek(0)
        data = started.output.read()
    first = data.lstrip(b"\n").split(b"\x00", 1)[0]
    return data if first == b"\x01" + head.encode("ascii") else None


def discard() -> None:
    """Stop an early walk nobody took (the process ends without a stray git behind it)."""
    while _started:
        started = _started.pop()
        started.process.kill()
        started.process.wait()
        started.output.close()
