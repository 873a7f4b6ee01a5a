"""The hash chain of the vault's log, apart from its files: the canonical bytes of an entry and
its hash, the shape an entry must have, the head an interrupted append of older versions left
behind, and ``VaultError``, the vault's refusals (``VaultWriteError`` when the disk refused).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cohortgate.files import atomic
from cohortgate.files.codes import FILE_WRITE_FAILED
from cohortgate.findings import Finding
from cohortgate.findings.codes import Code

ZERO = "0" * 64
FIELDS = frozenset({"seq", "at", "op", "details", "prev", "hash"})
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class VaultError(Exception):
    """The vault refuses: ``str(error)`` is the one-line reason, ``hint`` what to do."""

    def __init__(self, code: Code, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code.template.format(**params))

    @property
    def message(self) -> str:
        return str(self)

    @property
    def hint(self) -> str:
        return self.code.hint.format(**self.params)

    def finding(self, file: str) -> Finding:
        return self.code.at(file, **self.params)


class VaultWriteError(VaultError, OSError):
    """The disk refused a write of the vault (read-only, full, no permission): nothing was
    left half-written. ``params`` name the file as ``<vault>/<path>``."""

    @classmethod
    def of(cls, error: atomic.WriteError, directory: Path) -> VaultWriteError:
        try:
            inside = error.target.relative_to(directory).as_posix()
            shown = directory.name if inside == "." else f"{directory.name}/{inside}"
        except ValueError:
            shown = error.target.name
        made = cls(FILE_WRITE_FAILED, target=shown, reason=error.reason, fix=error.fix)
        made.errno = error.errno
        return made


def canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are hashed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``entry`` without its ``hash``."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def shape_problem(entry: Any) -> str | None:
    """What makes ``entry`` no log entry (None when it has the shape of one)."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    if set(entry) != FIELDS:
        return f"fields {sorted(entry)}, expected {sorted(FIELDS)}"
    seq = entry["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return f"seq {seq!r} is not a positive integer"
    for name in ("prev", "hash"):
        if not isinstance(entry[name], str) or not _HEX64.match(entry[name]):
            return f"{name} is not a SHA-256 in hex"
    if not isinstance(entry["op"], str) or not isinstance(entry["at"], str):
        return "op and at must be strings"
    if not isinstance(entry["details"], dict):
        return "details is not a JSON object"
    return None


def lagging_head(raw: bytes, recorded: str | None) -> str | None:
    """The last entry's hash when the recorded head lags exactly one complete, genuine entry
    behind the log ``raw`` (a run of older versions killed between the two writes), else None."""
    lines = [line for line in raw.decode("utf-8", errors="replace").splitlines() if line]
    if not lines or not raw.endswith(b"\n"):
        return None
    try:
        last = json.loads(lines[-1])
        before = json.loads(lines[-2])["hash"] if len(lines) > 1 else ZERO
    except (ValueError, KeyError, TypeError):
        return None
    if shape_problem(last) is not None or entry_hash(last) != last["hash"]:
        return None
    if last["prev"] != before or last["seq"] != len(lines):
        return None
    lags = recorded == before or (recorded is None and len(lines) == 1)
    return str(last["hash"]) if lags else None
