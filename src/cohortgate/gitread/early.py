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
_RESOLVE = ["rev-parse", "--show-toplevel", "--verify", "--quiet", "--end-of-options"]
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*")


@dataclass
class _Part:
    process: subprocess.Popen[bytes]
    output: IO[bytes]


@dataclass
class _Started:
    head: str  # the commit being walked (its full id)
    parts: list[_Part]  # newest commits first; their outputs, joined, are the whole walk


_started: list[_Started] = []  # at most one
CACHE = Path("build") / "cache"  # as in gitread.memory (not imported here: it reads metadata)
# From this many commits on, a linear history is walked in two halves at once, one per core:
# ``git log HEAD ^M`` and ``git log M`` print, one after the other, exactly ``git log HEAD``
# when every commit has at most one parent (M the middle commit).
SPLIT_FROM = 2_000


def start(where: str, revision: str) -> None:
    """Have git walk ``revision``'s history from ``where`` in the background; no-op for an
    unusual revision or when git cannot resolve it or be started (the walk is then made when
    asked for, and git's own error said there)."""
    if _started or not _REVISION.fullmatch(revision):
        return
    found = _git(where, *_RESOLVE, f"{revision}^{{commit}}")
    lines = (found or "").splitlines()
    if len(lines) != 2:
        return
    top, head = lines
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", head) or _remembered(Path(top)):
        return
    ranges = [[head]]
    middle = _middle(where, head)
    if middle is not None:
        ranges = [[head, f"^{middle}"], [middle]]
    parts: list[_Part] = []
    for revisions in ranges:
        output = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until ``take`` reads it
        try:
            process = subprocess.Popen(
                [*LOG, *revisions],
                cwd=where,
                stdout=output,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
        except OSError:
            output.close()
            _stop(parts)
            return
        parts.append(_Part(process, output))
    _started.append(_Started(head, parts))


def _git(where: str, *args: str) -> str | None:
    """git's output, or None when it fails or cannot be started."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=where, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _middle(where: str, head: str) -> str | None:
    """The middle commit of ``head``'s history when it is linear and long enough to split."""
    listed = _git(where, "rev-list", "--parents", head)
    if listed is None:
        return None
    commits = [line.split() for line in listed.splitlines()]
    if len(commits) < SPLIT_FROM or any(len(c) > 2 for c in commits):
        return None
    return commits[len(commits) // 2][0]


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
    chunks: list[bytes] = []
    for part in started.parts:
        with part.output:
            if part.process.wait() != 0:
                _stop(started.parts)
                return None
            part.output.seek(0)
            chunks.append(part.output.read())
    data = b"".join(chunks)
    first = data.lstrip(b"\n").split(b"\x00", 1)[0]
    return data if first == b"\x01" + head.encode("ascii") else None


def discard() -> None:
    """Stop an early walk nobody took (the process ends without a stray git behind it)."""
    while _started:
        _stop(_started.pop().parts)


def _stop(parts: list[_Part]) -> None:
    for part in parts:
        if part.process.poll() is None:
            part.process.kill()
        part.process.wait()
        part.output.close()
