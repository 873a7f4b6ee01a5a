"""The vault's hash-chained log: every kind of tampering is found and named by its line."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from cohortgate.custodian.vault.log import ZERO, VaultError, VaultLog, canonical, entry_hash


def _log(tmp_path: Path, n: int = 5) -> VaultLog:
    log = VaultLog(tmp_path)
    for i in range(n):
        log.append("test.op", {"i": i, "release": "R-2026-0001-01"})
    return log


def _lines(log: VaultLog) -> list[str]:
    return log.path.read_text("utf-8").splitlines()


def _write_lines(log: VaultLog, lines: list[str]) -> None:
    log.path.write_text("".join(line + "\n" for line in lines), "utf-8")


def test_entries_chain_and_hash_canonically(tmp_path: Path) -> None:
    log = _log(tmp_path, 3)
    entries = log.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == ZERO
    assert entries[1]["prev"] == entries[0]["hash"]
    assert entries[2]["prev"] == entries[1]["hash"]
    first = entries[0]
    assert set(first) == {"seq", "at", "op", "details", "prev", "hash"}
    assert first["at"].endswith("+00:00") and len(first["at"]) == len("2026-01-01T00:00:00+00:00")
    body = {k: v for k, v in first.items() if k != "hash"}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert first["hash"] == hashlib.sha256(raw).hexdigest() == entry_hash(first)
    assert log.head() == entries[-1]["hash"] == log.recorded_head()
    assert log.verify() == []
    assert log.verify(expected_head=entries[1]["hash"]) == []


def test_files_are_owner_only(tmp_path: Path) -> None:
    log = _log(tmp_path, 1)
    for path in (log.path, log.head_path, log.lock_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_empty_log_is_valid_and_head_is_zero(tmp_path: Path) -> None:
    log = VaultLog(tmp_path)
    assert log.verify() == []
    assert log.head() == ZERO


def test_edited_byte_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[2] = lines[2].replace('"i":2', '"i":7')
    _write_lines(log, lines)
    assert log.verify() == [
        "line 3: entry edited (its content does not match its hash)",
    ]


def test_deleted_line_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    del lines[1]
    _write_lines(log, lines)
    problems = log.verify()
    assert problems and all(p.startswith("line 2:") for p in problems)
    assert "seq 3, expected 2" in problems[0]
    assert any("prev does not match the hash of line 1" in p for p in problems)


def test_swapped_lines_are_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _write_lines(log, lines)
    problems = log.verify()
    assert problems[0].startswith("line 2: seq 3, expected 2")
    assert any(p.startswith("line 3:") for p in problems)
    assert any(p.startswith("line 4: prev does not match") for p in problems)


def test_inserted_self_consistent_entry_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    forged = json.loads(lines[1])
    forged["details"] = {"i": 99}
    forged["hash"] = entry_hash(forged)  # consistent in itself, same seq and prev as line 2
    lines.insert(2, canonical(forged).decode())
    _write_lines(log, lines)
    problems = log.verify()
    assert problems[0] == ("line 3: seq 2, expected 3 (an entry was deleted, inserted or moved)")
    assert any(p.startswith("line 3: prev does not match the hash of line 2") for p in problems)


def test_forged_entry_with_wrong_prev_appended_at_the_end(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    forged = {"seq": 6, "at": "2026-01-01T00:00:00+00:00", "op": "x", "details": {}}
    forged["prev"] = "1" * 64
    forged["hash"] = entry_hash(forged)
    _write_lines(log, [*lines, canonical(forged).decode()])
    problems = log.verify()
    assert problems[0].startswith("line 6: prev does not match the hash of line 5")
    assert problems[1].startswith("log.head: records")


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[3] = lines[3][:-5]
    _write_lines(log, lines)
    assert log.verify()[0] == "line 4: not a JSON entry (bad JSON line)"


def test_truncation_with_stale_head_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _write_lines(log, _lines(log)[:3])
    problems = log.verify()
    assert len(problems) == 1
    assert problems[0].startswith("log.head: records") and "line 3" in problems[0]
    with pytest.raises(VaultError, match="cut off"):
        log.append("test.op", {})


def test_truncation_with_rewritten_head_is_found_by_the_anchor(tmp_path: Path) -> None:
    log = _log(tmp_path)
    anchor = log.head()  # what a release manifest records
    lines = _lines(log)[:3]
    _write_lines(log, lines)
    log.head_path.write_text(json.loads(lines[-1])["hash"] + "\n")
    assert log.verify() == []  # the file alone cannot tell
    problems = log.verify(expected_head=anchor)
    assert len(problems) == 1 and "is not in the chain" in problems[0]


def test_check_names_the_first_bad_line(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[3] = lines[3].replace('"i":3', '"i":4')
    _write_lines(log, lines)
    with pytest.raises(VaultError) as caught:
        log.check()
    assert str(caught.value) == (
        "log.jsonl: line 4: entry edited (its content does not match its hash)"
    )
    assert caught.value.code.id == "vault.log-broken"
    assert "backup" in caught.value.hint


def test_details_stay_small_and_ops_are_names(tmp_path: Path) -> None:
    log = VaultLog(tmp_path)
    with pytest.raises(VaultError, match=r"take 5013 bytes \(at most 2048\)") as caught:
        log.append("release.members", {"members": [f"P{i:06d}" for i in range(500)]})
    assert "never lists of participants" in caught.value.hint
    with pytest.raises(VaultError, match="not a short lower-case name"):
        log.append("Drop Table", {})
    assert not log.path.exists()


def test_failing_write_leaves_the_previous_log_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(tmp_path, 2)
    before = log.path.read_bytes()
    head = log.head_path.read_bytes()

    def broken(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        log.append("test.op", {"i": 2})
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    assert log.head_path.read_bytes() == head
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.head", "log.jsonl", "log.lock"]
    assert log.verify() == []


def _append_many(directory: str, tag: str, count: int) -> None:
    log = VaultLog(Path(directory))
    for i in range(count):
        log.append("test.concurrent", {"who": tag, "i": i})


def test_two_processes_appending_keep_one_valid_chain(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), tag, 40)) for tag in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    log = VaultLog(tmp_path)
    assert log.verify() == []
    entries = log.entries()
    assert len(entries) == 80
    assert [e["seq"] for e in entries] == list(range(1, 81))
    for tag in "ab":
        assert [e["details"]["i"] for e in entries if e["details"]["who"] == tag] == list(range(40))
