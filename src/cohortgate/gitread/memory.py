"""What review, track and audit remember on disk between runs, under ``build/cache/``.

Each record is a pure function of inputs that never change, so a later run may take it instead
of computing it again:

- ``signatures``: (the allowed signers, a commit id) -> git's verdict on the commit's signature
  (a commit id names its bytes, signature included; the verdict depends on nothing else);
- ``documents``: the SHA-256 of a committed YAML file's bytes -> its data and positions (the
  loader is deterministic: the parse cache of ``validate`` rests on the same fact);
- ``walks``: a head commit -> the history walk from it (``gitread.history``), extended from
  an earlier head when the history is linear.

Each file's name carries a fingerprint of the code that produced it (``parse_cache``'s for
documents; ``signatures.py``, ``signed_payloads.py`` and the sshsig and cryptography versions for
signatures; ``path_history.py`` for walks): changed code is a miss, never a wrong answer.

The memory is used only when ``COHORTGATE_NO_CACHE`` is unset and the repository tracks nothing
under ``build/`` at HEAD: a pull request that committed forged entries there would otherwise
have them believed. The workflows, which read pull requests, turn it off altogether. Memory is
opened by the outermost ``gitread.ends_git_processes`` call on a repository and written back
(atomically, only what changed) when that call returns; a file that cannot be read is a miss,
one that cannot be written is no memory, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from cohortgate.files import atomic
from cohortgate.files.parse_cache import DISABLE, code_fingerprint

CACHE = Path("build") / "cache"


@cache
def _code(*names: str) -> str:
    digest = hashlib.sha256()
    package = resources.files("cohortgate")
    for name in names:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes() + b"\0")
    for dist in ("sshsig", "cryptography"):
        digest.update(f"{dist} {metadata.version(dist)}\0".encode())
    return digest.hexdigest()[:16]


def signatures_code() -> str:
    return _code("signatures/verify.py", "signatures/payloads.py")


def walks_code() -> str:
    return _code("gitread/history.py")


@dataclass
class Record:
    """One remembered mapping, loaded on first use; what was added is written back."""

    path: Path
    values: dict[str, Any] | None = None
    added: dict[str, str] = field(default_factory=dict)  # key -> the value as JSON

    def load(self) -> dict[str, Any]:
        if self.values is None:
            try:
                found = json.loads(self.path.read_bytes())
            except (OSError, ValueError):
                found = {}
            self.values = found if isinstance(found, dict) else {}
        return self.values

    def get(self, key: str) -> Any:
        return self.load().get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` (a JSON value; one that is not is simply not remembered)."""
        try:
            self.added[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            return
        self.load()[key] = value

    def save(self) -> None:
        if not self.added or self.values is None:
            return
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        try:
            parts = [
                f"{dump(key)}:{self.added[key] if key in self.added else dump(value)}"
                for key, value in self.values.items()
            ]
            atomic.write_text(self.path, "{" + ",".join(parts) + "}")
        except (OSError, ValueError, TypeError):
            pass
        self.added = {}


@dataclass
class Memory:
    """The memory of one repository for one run."""

    folder: Path
    records: dict[str, Record] = field(default_factory=dict)

    def record(self, name: str) -> Record:
        if name not in self.records:
            self.records[name] = Record(self.folder / f"{name}.json")
        return self.records[name]

    def walk_file(self, head: str) -> Path:
        return self.folder / f"walks-{walks_code()}" / head

    def save(self) -> None:
        for record in self.records.values():
            record.save()


_OPEN: dict[str, Memory] = {}


def _usable(working_dir: str) -> bool:
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return False
    tracked = subprocess.run(
        ["git", "ls-tree", "--name-only", "HEAD", "--", "build"],
        cwd=working_dir,
        capture_output=True,
        check=False,
    )
    return tracked.returncode == 0 and not tracked.stdout.strip()


def open_memory(working_dir: str) -> None:
    """Open the memory of the repository at ``working_dir`` for this run (if usable)."""
    if working_dir not in _OPEN and _usable(working_dir):
        _OPEN[working_dir] = Memory(Path(working_dir) / CACHE)


def close_memory(working_dir: str) -> None:
    """Write back what grew and forget the memory (a later run reads the files again)."""
    memory = _OPEN.pop(working_dir, None)
    if memory is not None:
        memory.save()


def memory_of(working_dir: str) -> Memory | None:
    return _OPEN.get(working_dir)


def any_memory() -> Memory | None:
    """The memory when exactly one repository's is open (the YAML loader knows no repository)."""
    return next(iter(_OPEN.values())) if len(_OPEN) == 1 else None


def documents_name() -> str:
    return f"documents-{code_fingerprint()}"


def signatures_name() -> str:
    return f"signatures-{signatures_code()}"
