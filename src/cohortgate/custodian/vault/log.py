"""The vault's append-only, hash-chained log: one JSON entry a line.

Each entry is ``{seq, at, op, details, prev, hash}``: ``seq`` counts from 1, ``at`` is the UTC
time in seconds, ``details`` a small JSON object (counts, ids of releases, digests: never
participant-level data), ``prev`` the previous entry's hash (64 zeros for the first) and
``hash`` the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the entry without
``hash``. Editing, deleting, reordering or inserting an entry breaks the chain.

Cutting entries off the end leaves a valid chain, so the hash of the last entry is also kept in
``log.head``, and callers anchor it elsewhere: each release manifest records the head at release
time, and ``verify(expected_head=...)`` checks that the anchored hash is still in the chain.
Appends hold an exclusive ``flock`` on ``log.lock``, so two processes never interleave.

Each append is one transaction of the vault's journal (``files.transaction.Journal``): the new
``log.jsonl``, the new ``log.head`` and the records the entry vouches for (``files``: an opt-out
list, a key file, whose digest the entry holds) are staged and committed together, so a kill at
any point leaves all of them old or all of them new; ``append_all`` chains several entries (a
whole release: one per record) into the same single transaction. ``recover`` (run by
``Vault.open``, under the lock) finishes or discards what a killed append left, and rolls
forward a head that lags exactly one complete entry behind the log (what an append of older
versions, which wrote the two files one after the other, left when killed between them).
A disk that refuses a write raises ``VaultWriteError``, a ``VaultError`` that is also an
``OSError``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault.chain import (
    FIELDS,
    ZERO,
    VaultError,
    VaultWriteError,
    canonical,
    chain_problems,
    entry_hash,
    lagging_head,
)
from cohortgate.custodian.vault.codes import BAD_RECORD, LOG_BROKEN
from cohortgate.files import atomic, transaction

__all__ = [
    "FIELDS",
    "MAX_DETAILS_BYTES",
    "ZERO",
    "VaultError",
    "VaultLog",
    "VaultWriteError",
    "canonical",
    "entry_hash",
]

# The log says what was done, never to whom: details of one entry stay this small, which
# leaves no room for a list of participants.
MAX_DETAILS_BYTES = 2048
_OP = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class VaultLog:
    """The log in ``directory``: ``log.jsonl``, ``log.head``, ``log.lock``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "log.jsonl"
        self.head_path = directory / "log.head"
        self.lock_path = directory / "log.lock"
        self.journal = transaction.Journal(directory, mode=0o600, dir_mode=0o700)

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
        return chain_problems(self._lines(), self.recorded_head(), expected_head)

    def check(self, expected_head: str | None = None) -> None:
        """Raise ``VaultError`` naming the first problem, if any."""
        problems = self.verify(expected_head)
        if problems:
            raise VaultError(LOG_BROKEN, where=self.path.name, problem=problems[0])

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with atomic.guard(self.lock_path):
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except atomic.WriteError as error:
            raise VaultWriteError.of(error, self.directory) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _commit(self, files: Mapping[str, bytes]) -> None:
        try:
            self.journal.commit(files)
        except atomic.WriteError as error:
            raise VaultWriteError.of(error, self.directory) from error

    # --- recovering ------------------------------------------------------------------------

    def _lagging_head(self) -> str | None:
        raw = self.path.read_bytes() if self.path.exists() else b""
        return lagging_head(raw, self.recorded_head())

    def recover(self) -> list[atomic.Recovery]:
        """Finish or discard what a killed append left; [] when there was nothing to do."""
        if not self.journal.pending() and self._lagging_head() is None:
            return []  # the usual case: nothing written, no lock taken
        with self._locked():
            try:
                found = self.journal.recover()
            except atomic.WriteError as error:
                raise VaultWriteError.of(error, self.directory) from error
            head = self._lagging_head()
            if head is not None:
                self._commit({self.head_path.name: head.encode("ascii") + b"\n"})
                found.append(atomic.Recovery(self.head_path, atomic.ROLLED_FORWARD))
        return found

    # --- writing ---------------------------------------------------------------------------

    def append(
        self, op: str, details: Mapping[str, Any], files: Mapping[str, bytes] | None = None
    ) -> dict[str, Any]:
        """Append one entry under the lock, in one transaction with ``files`` (paths relative
        to the vault, written first); returns the entry (with its ``hash``)."""
        return self.append_all([(op, details)], files)[-1]

    def append_all(
        self,
        ops: Sequence[tuple[str, Mapping[str, Any]]],
        files: Mapping[str, bytes] | None = None,
    ) -> list[dict[str, Any]]:
        """Append several entries, chained in this order, in ONE transaction with ``files``
        (a whole release: its records and one entry per record); returns the entries."""
        bodies = [(op, self._checked(op, details)) for op, details in ops]
        if not bodies:
            raise VaultError(BAD_RECORD, what="nothing to log", fix="Pass at least one entry.")
        records = dict(files or {})
        if {self.path.name, self.head_path.name} & set(records):
            raise VaultError(
                BAD_RECORD, what="the log is written by append alone", fix="Pass records only."
            )
        with self._locked():
            try:  # what a killed append left, before reading what it may have written
                self.journal.recover()
            except atomic.WriteError as error:
                raise VaultWriteError.of(error, self.directory) from error
            old = self.path.read_bytes() if self.path.exists() else b""
            prev, seq = self._tail(old)
            entries: list[dict[str, Any]] = []
            for op, body in bodies:
                entry: dict[str, Any] = {
                    "seq": seq,
                    "at": _now(),
                    "op": op,
                    "details": body,
                    "prev": prev,
                }
                entry["hash"] = prev = entry_hash(entry)
                seq += 1
                entries.append(entry)
            if old and not old.endswith(b"\n"):
                old += b"\n"
            records[self.path.name] = old + b"".join(canonical(e) + b"\n" for e in entries)
            records[self.head_path.name] = prev.encode("ascii") + b"\n"
            self._commit(records)
        return entries

    def _checked(self, op: str, details: Mapping[str, Any]) -> dict[str, Any]:
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
        return body

    def _tail(self, old: bytes) -> tuple[str, int]:
        """The hash and next seq after the log ``old``, checked against ``log.head``."""
        lines = [line for line in old.decode("utf-8", errors="replace").splitlines() if line]
        prev, seq = ZERO, 1
        if lines:
            try:
                last = json.loads(lines[-1])
                prev, seq = str(last["hash"]), int(last["seq"]) + 1
            except (ValueError, KeyError, TypeError):
                raise VaultError(
                    LOG_BROKEN,
                    where=self.path.name,
                    problem=f"line {len(lines)}: not a log entry",
                ) from None
        recorded = self.recorded_head()
        if (recorded is None and lines) or (recorded is not None and recorded != prev):
            raise VaultError(
                LOG_BROKEN,
                where=self.path.name,
                problem="log.head does not match the last entry (entries were cut off "
                "the end, or the head is stale)",
            )
        return prev, seq
