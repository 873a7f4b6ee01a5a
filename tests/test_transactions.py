"""Fault injection: every write of the vault, the statistics and the site build is a transaction.

``Faults`` (tests/faults.py, shared with tests/custodian/test_command_faults.py, which kills the
custodian's commands the same way) counts the write points of an operation call by call
(``os.open``, ``os.write``, ``os.fsync``, ``os.replace``, ``os.rename``, ``os.link``,
``os.mkdir``, ``os.unlink``, ``os.rmdir`` and the directory exchange) and kills it at the N-th:
from there on every write point raises ``Crash`` (a BaseException, so no ``except Exception``
clean-up runs, and a dead process writes nothing more, not even its clean-up). For every N up
to the number of points, the test then checks that the previous state is intact or rolled
forward completely, that the vault opens without error, and that running the operation again
succeeds."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest

from cohortgate.cli import main
from cohortgate.cli.stats import write_all_stats
from cohortgate.custodian.vault.log import VaultWriteError
from cohortgate.custodian.vault.store import Vault, VaultError
from cohortgate.disclosure.suppress import summary
from cohortgate.files import atomic, transaction
from cohortgate.findings import Severity
from cohortgate.layout import Layout
from cohortgate.models.stats import DatasetStats
from cohortgate.policy import DISCLOSURE_PRESETS
from cohortgate.site import build as site_build
from cohortgate.site.generate import Generated
from faults import Crash, Faults, fake_mkdocs

R1, A1 = "R-2026-0001-01", "A-2026-0001"
T = TypeVar("T")


def crash_everywhere(
    tmp_path: Path,
    setup: Callable[[Path], T],
    operation: Callable[[T], object],
    check: Callable[[T], None],
) -> int:
    """Run ``operation`` once to count its write points, then once per point with a crash
    there, each on a fresh ``setup``; ``check`` the state after each crash. Returns the count."""
    counting, first = Faults(), setup(tmp_path / "count")
    with counting.active():
        operation(first)
    assert counting.calls > 0
    for n in range(1, counting.calls + 1):
        state = setup(tmp_path / f"crash-{n}")
        with pytest.raises(Crash), Faults(n).active():
            operation(state)
        check(state)
    return counting.calls


# --- the vault ------------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _reopened(path: Path) -> Vault:
    """The vault after a crash: it opens without error, says what it recovered, keeps no
    leftovers and a whole chain."""
    vault = Vault.open(path)
    assert all(f.code == "file.recovered" for f in vault.recovered)
    assert all(f.severity is Severity.WARNING for f in vault.recovered)
    assert _leftovers(path) == []
    assert vault.log.verify() == []
    return vault


def _vault_with_one_optout(folder: Path) -> Vault:
    vault = Vault.create(folder / "vault")
    vault.record_optout("P1", date(2024, 1, 2), None)
    return vault


def test_recording_an_optout_is_all_or_nothing(tmp_path: Path) -> None:
    def check(vault: Vault) -> None:
        opened = _reopened(vault.path)
        ids = set(opened.optouts())  # read against the digest the log holds
        assert ids in ({"P1"}, {"P1", "P2"})
        if "P2" not in ids:  # the crash came before the commit point: run it again
            opened.record_optout("P2", date(2024, 2, 3), "moved away")
        again = _reopened(vault.path)
        assert set(again.optouts()) == {"P1", "P2"}
        assert [e["op"] for e in again.log.entries()].count("optout.record") == 2

    points = crash_everywhere(
        tmp_path,
        _vault_with_one_optout,
        lambda v: v.record_optout("P2", date(2024, 2, 3), "moved away"),
        check,
    )
    assert points >= 15


def test_a_log_append_and_its_head_are_one_write(tmp_path: Path) -> None:
    def check(vault: Vault) -> None:
        opened = _reopened(vault.path)
        ops = [e["op"] for e in opened.log.entries()]
        assert ops.count("test.op") in (0, 1)
        if "test.op" not in ops:
            opened.log.append("test.op", {"n": 1})
        log = _reopened(vault.path).log
        assert [e["op"] for e in log.entries()].count("test.op") == 1
        assert log.recorded_head() == log.head()

    points = crash_everywhere(
        tmp_path,
        lambda folder: Vault.create(folder / "vault"),
        lambda v: v.log.append("test.op", {"n": 1}),
        check,
    )
    assert points >= 12


def test_a_release_folder_appears_only_with_its_keys(tmp_path: Path) -> None:
    def check(vault: Vault) -> None:
        opened = _reopened(vault.path)  # never "release without its key file"
        if R1 not in [p.name for p in opened._release_dirs()]:
            opened.new_release(R1, A1)
        assert len(_reopened(vault.path).keys(R1).pseudonym_key) == 32

    crash_everywhere(
        tmp_path,
        lambda folder: Vault.create(folder / "vault"),
        lambda v: v.new_release(R1, A1),
        check,
    )


def test_creating_a_vault_can_always_be_run_again(tmp_path: Path) -> None:
    def check(path: Path) -> None:
        vault = Vault.create(path)  # finishes a committed create, redoes an undone one
        assert [e["op"] for e in vault.log.entries()][:1] == ["vault.create"]
        _reopened(path)

    crash_everywhere(tmp_path, lambda folder: folder / "vault", Vault.create, check)


def test_a_head_left_one_entry_behind_is_rolled_forward(tmp_path: Path) -> None:
    """What an append of older versions left when killed between log.jsonl and log.head."""
    vault = Vault.create(tmp_path / "vault")
    before = vault.head()
    vault.log.append("test.op", {})
    vault.log.head_path.write_text(before + "\n")
    opened = Vault.open(vault.path)
    assert [f.code for f in opened.recovered] == ["file.recovered"]
    assert "rolled forward" in opened.recovered[0].message
    assert opened.recovered[0].file == "vault/log.head"
    assert opened.log.verify() == []
    assert [e["op"] for e in opened.log.entries()][-1] == "vault.recover"
    entries = opened.log.entries()
    opened.log.head_path.write_text(entries[-3]["hash"] + "\n")  # two behind: cut off
    with pytest.raises(VaultError, match=r"log\.head"):
        Vault.open(vault.path)


@pytest.mark.parametrize(
    ("point", "code", "shown"),
    [
        ("write", errno.ENOSPC, "vault/optouts.json"),
        ("open", errno.EROFS, "vault/log.lock"),
        ("mkdir", errno.EACCES, "vault"),
    ],
)
def test_a_refused_vault_write_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, code: int, shown: str
) -> None:
    vault = _vault_with_one_optout(tmp_path)
    before = sorted(p.name for p in vault.path.rglob("*"))
    real = getattr(os, point)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        if point == "open" and not args[1] & os.O_CREAT:
            return real(*args, **kwargs)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, point, refuse)
    with pytest.raises(VaultWriteError) as caught:
        vault.record_optout("P2", date(2024, 2, 3), None)
    monkeypatch.undo()
    assert isinstance(caught.value, OSError) and caught.value.errno == code
    finding = caught.value.finding(shown)
    assert finding.code == "file.write-failed" and finding.message.startswith(
        f"cannot write {shown}"
    )
    assert "no file was left half-written" in finding.hint and finding.hint_zh
    assert sorted(p.name for p in vault.path.rglob("*")) == before
    assert set(_reopened(vault.path).optouts()) == {"P1"}


# --- the statistics -------------------------------------------------------------------------

OPENSAFELY = summary(DISCLOSURE_PRESETS["opensafely"])


def _stats(population: int | None) -> list[DatasetStats]:
    return [
        DatasetStats(dataset=ds, policy=OPENSAFELY, population=population, tables=[])
        for ds in ("ds-a", "ds-b", "ds-c")
    ]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def _old_stats(folder: Path) -> Layout:
    lay = Layout(folder)
    write_all_stats(lay, _stats(None))
    (lay.stats / "ds-kept.json").write_text("{}\n", "utf-8")  # not rewritten: it stays
    return lay


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_statistics_are_written_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(transaction, "_exchange", lambda first, second: False)
    old = _snapshot(_old_stats(tmp_path / "old").stats)
    lay = _old_stats(tmp_path / "new")
    write_all_stats(lay, _stats(120))
    new = _snapshot(lay.stats)
    assert new != old and new["ds-kept.json"] == old["ds-kept.json"]

    def check(lay: Layout) -> None:
        if not exchange:  # a kill between the two renames: the next writer puts it back
            transaction.recover_dir(lay.stats)
        assert _snapshot(lay.stats) in (old, new)  # never a mix, never missing
        write_all_stats(lay, _stats(120))
        assert _snapshot(lay.stats) == new
        assert sorted(p.name for p in lay.stats.parent.iterdir()) == ["stats"]

    points = crash_everywhere(
        tmp_path / "runs", _old_stats, lambda lay: write_all_stats(lay, _stats(120)), check
    )
    assert points >= 20


def test_refused_statistics_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lay = _old_stats(tmp_path)
    old = _snapshot(lay.stats)

    def full(*args: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(atomic.WriteError) as caught:
        write_all_stats(lay, _stats(120))
    monkeypatch.undo()
    assert lay.rel(caught.value.target) == "catalog/stats/ds-a.json"
    finding = caught.value.finding("catalog/stats/ds-a.json")
    assert finding.message == "cannot write catalog/stats/ds-a.json: the disk is full"
    assert finding.message_zh == "无法写入 catalog/stats/ds-a.json：磁盘已满"
    assert _snapshot(lay.stats) == old
    assert sorted(p.name for p in lay.stats.parent.iterdir()) == ["stats"]


# --- the site -------------------------------------------------------------------------------


@pytest.fixture
def fake_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        site_build, "generate", lambda lay, audit=None: (Generated(lay.build / "docs"), [])
    )
    monkeypatch.setattr(site_build, "run_mkdocs", fake_mkdocs)


def _old_site(folder: Path) -> Layout:
    lay = Layout(folder)
    site = lay.build / "site"
    (site / "en").mkdir(parents=True)
    (site / "index.html").write_text("old zh\n", "utf-8")
    (site / "en" / "index.html").write_text("old en\n", "utf-8")
    (site / "old.css").write_text("old\n", "utf-8")
    return lay


def _build(lay: Layout) -> None:
    built, findings = site_build.build(lay)
    assert built is not None
    assert all(f.code == "file.recovered" for f in findings)  # what a killed build left


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
@pytest.mark.usefixtures("fake_site")
def test_the_site_is_swapped_in_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(transaction, "_exchange", lambda first, second: False)
    old = _snapshot(_old_site(tmp_path / "old").build / "site")
    lay = _old_site(tmp_path / "new")
    _build(lay)
    new = _snapshot(lay.build / "site")
    assert new == {"index.html": b"new mkdocs.yml\n", "en/index.html": b"new mkdocs.en.yml\n"}

    def check(lay: Layout) -> None:
        site = lay.build / "site"
        if not exchange:
            transaction.recover_dir(site)
        assert _snapshot(site) in (old, new)
        _build(lay)
        assert _snapshot(site) == new
        assert sorted(p.name for p in lay.build.iterdir()) == ["site"]

    points = crash_everywhere(tmp_path / "runs", _old_site, _build, check)
    assert points >= 10


@pytest.mark.usefixtures("fake_site")
def test_a_refused_site_build_keeps_the_old_site_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lay = _old_site(tmp_path)
    old = _snapshot(lay.build / "site")
    real = os.mkdir

    def read_only(path: Any, *args: Any, **kwargs: Any) -> None:
        if ".site.staging" in str(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    assert main(["site", "build", "--root", str(lay.root)]) == 2
    out, err = capsys.readouterr()
    assert (
        "build/.site.staging: error file.write-failed: cannot write build/.site.staging: "
        "the file system is read-only"
    ) in out
    assert "internal error" not in err and "previous build/site is intact" in err
    assert _snapshot(lay.build / "site") == old
