"""The vault's append-only, hash-chained log: one JSON entry a line.

Each entry is ``{seq, at, op, details, prev, hash}``: ``seq`` counts from 1, ``at`` is the UTC
time in seconds, ``details`` a small JSON object (counts, ids of releases, digests: never
participant-level data), ``prev`` the previous entry's hash (64 zeros for the first) and
``hash`` the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the entry without
``hash``. Editing, deleting, reordering or inserting an entry breaks the chain.

Cutting entries off the end leaves a valid chain, so the hash of the last entry is also kept in
``log.head`` (rewritten with each append), and callers anchor it elsewhere: each release
manifest records the head at release time, and ``verify(expected_head=...)`` checks that the
anchored hash is still in the chain. Appends hold an exclusive ``flock`` on ``log.lock``, so two
processes never interleave; the log itself is rewritten atomically (temp file, then rename), so
an interrupted append leaves the previous log intact.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault.codes import BAD_RECORD, LOG_BROKEN
from cohortgate.files import atomic
from cohortgate.findings import Finding
from cohortgate.findings.codes import Code

ZERO = "0" * 64
FIELDS = frozenset({"seq", "at", "op", "details", "prev", "hash"})
# The log says what was done, never to whom: details of one entry stay this small, which
# leaves no room for a list of participants.
MAX_DETAILS_BYTES = 2048
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_OP = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


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


def canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are hashed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``entry`` without its ``hash``."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _shape_problem(entry: Any) -> str | None:
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


class VaultLog:
    """The log in ``directory``: ``log.jsonl``, ``log.head``, ``log.lock``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "log.jsonl"
        self.head_path = directory / "log.head"
        self.lock_path = directory / "log.lock"

    # --- reading ---------------------------------------------------------------------------

    def _lines(self) -> list[str]:
        if not self.path.exists():
            return []
        return self.path.read_bytes().decode("utf-8", errors="replace").splitlines()

    def entries(self) -> list[dict[str, Any]]:
        """The entries, parsed; call ``verify`` first to know they are genuine."""
        return [json.loads(line) for line in self._lines() if line.strip()]

    def head(self) -> str:
        """The hash of the last entry (64 zeros for an empty log)."""
        lines = [line for line in self._lines() if line.strip()]
        if not lines:
            return ZERO
        last = json.loads(lines[-1])
        return str(last["hash"])

    def recorded_head(self) -> str | None:
        """What ``log.head`` says, or None when it is missing."""
        if not self.head_path.exists():
            return None
        return self.head_path.read_text("utf-8").strip()

    def verify(self, expected_head: str | None = None) -> list[str]:
        """Every problem of the chain, each naming its line; [] when the log is intact.

        ``expected_head`` is a hash anchored elsewhere (a release manifest's
        ``vault_log_head``); it must still be the hash of an entry of the chain.
        """
        problems: list[str] = []
        prev: str | None = ZERO
        expected_seq = 1
        hashes: list[str] = []
        last_line = 0
        for number, raw in enumerate(self._lines(), start=1):
            last_line = number
            try:
                entry = json.loads(raw)
            except ValueError:
                problems.append(f"line {number}: not a JSON entry (bad JSON line)")
                prev = None
                continue
            shape = _shape_problem(entry)
            if shape is not None:
                problems.append(f"line {number}: not a log entry ({shape})")
                prev = None
                continue
            if entry_hash(entry) != entry["hash"]:
                problems.append(
                    f"line {number}: entry edited (its content does not match its hash)"
                )
            if entry["seq"] != expected_seq:
                problems.append(
                    f"line {number}: seq {entry['seq']}, expected {expected_seq} "
                    "(an entry was deleted, inserted or moved)"
                )
            if prev is not None and entry["prev"] != prev:
                before = f"line {number - 1}" if number > 1 else "the start of the log"
                problems.append(
                    f"line {number}: prev does not match the hash of {before} "
                    "(an entry was deleted, inserted or moved)"
                )
            prev = entry["hash"]
            expected_seq = entry["seq"] + 1
            hashes.append(entry["hash"])
        problems.extend(self._head_problems(hashes, last_line, expected_head))
        return problems

    def _head_problems(
        self, hashes: list[str], last_line: int, expected_head: str | None
    ) -> list[str]:
        problems = []
        recorded = self.recorded_head()
        last = hashes[-1] if hashes else ZERO
        if recorded is None:
            if hashes:
                problems.append("log.head: missing, so truncation cannot be ruled out")
        elif recorded != last:
            where = f"line {last_line}" if last_line else "the empty log"
            problems.append(
                f"log.head: records {recorded[:12]}… but {where} ends the chain with "
                f"{last[:12]}… (entries were cut off the end, or the head is stale)"
            )
        if expected_head is not None and expected_head not in hashes:
            problems.append(
                f"expected head {expected_head[:12]}… (anchored in a release manifest) is not "
                "in the chain: the log was rewritten or truncated"
            )
        return problems

    def check(self, expected_head: str | None = None) -> None:
        """Raise ``VaultError`` naming the first problem, if any."""
        problems = self.verify(expected_head)
        if problems:
            raise VaultError(LOG_BROKEN, path=self.path.name, problem=problems[0])

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def append(self, op: str, details: Mapping[str, Any]) -> dict[str, Any]:
        """Append one entry under the lock; returns it (with its ``hash``)."""
        if not _OP.match(op):
            raise VaultError(
                BAD_RECORD,
                what=f"log operation {op!r} is not a short lower-case name",
                fix="Name operations like 'release.keys'.",
            )
        body = dict(details)
        size = len(canonical(body))
        if size > MAX_DETAILS_BYTES:
            raise VaultError(
                BAD_RECORD,
                what=f"log details of {op} take {size} bytes (at most {MAX_DETAILS_BYTES})",
                fix="Log counts and digests, never lists of participants or rows.",
            )
        with self._locked():
            old = self.path.read_bytes() if self.path.exists() else b""
            lines = [line for line in old.decode("utf-8", errors="replace").splitlines() if line]
            prev, seq = ZERO, 1
            if lines:
                try:
                    last = json.loads(lines[-1])
                    prev, seq = str(last["hash"]), int(last["seq"]) + 1
                except (ValueError, KeyError, TypeError):
                    raise VaultError(
                        LOG_BROKEN,
                        path=self.path.name,
                        problem=f"line {len(lines)}: not a log entry",
                    ) from None
            recorded = self.recorded_head()
            if (recorded is None and lines) or (recorded is not None and recorded != prev):
                raise VaultError(
                    LOG_BROKEN,
                    path=self.path.name,
                    problem="log.head does not match the last entry (entries were cut off "
                    "the end, or the head is stale)",
                )
            entry: dict[str, Any] = {
                "seq": seq,
                "at": _now(),
                "op": op,
                "details": body,
                "prev": prev,
            }
            entry["hash"] = entry_hash(entry)
            if old and not old.endswith(b"\n"):
                old += b"\n"
            atomic.write_bytes(self.path, old + canonical(entry) + b"\n", mode=0o600)
            atomic.write_text(self.head_path, entry["hash"] + "\n", mode=0o600)
        return entry
