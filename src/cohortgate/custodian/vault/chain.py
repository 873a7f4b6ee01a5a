"""The hash chain of the vault's log, apart from its files: the canonical bytes of an entry and
its hash, the shape an entry must have, every problem of a chain (``chain_problems``), the head
an interrupted append of older versions left behind, and ``VaultError``, the vault's refusals
(``VaultWriteError`` when the disk refused).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
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


def chain_problems(
    lines: Sequence[str], recorded: str | None, expected_head: str | None
) -> list[str]:
    """Every problem of the log ``lines`` and its recorded head, each naming its line ([] when
    intact); ``expected_head``, anchored elsewhere, must be the hash of one of its entries."""
    problems: list[str] = []
    prev: str | None = ZERO
    expected_seq = 1
    hashes: list[str] = []
    last_line = 0
    for number, raw in enumerate(lines, start=1):
        last_line = number
        try:
            entry = json.loads(raw)
        except ValueError:
            problems.append(f"line {number}: not a JSON entry (bad JSON line)")
            prev = None
            continue
        shape = shape_problem(entry)
        if shape is not None:
            problems.append(f"line {number}: not a log entry ({shape})")
            prev = None
            continue
        if entry_hash(entry) != entry["hash"]:
            problems.append(f"line {number}: entry edited (its content does not match its hash)")
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
    problems.extend(_head_problems(hashes, last_line, recorded, expected_head))
    return problems


def _head_problems(
    hashes: list[str], last_line: int, recorded: str | None, expected_head: str | None
) -> list[str]:
    problems = []
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
