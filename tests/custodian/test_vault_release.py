"""A whole release written to the vault as one transaction (``Vault.write_release``): a kill at
any write point leaves the whole release or nothing of it, and a refused part writes nothing.

The kill is ``test_transactions.Faults``: every write point counted, the N-th and all after it
raise, for every N.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from cohortgate.custodian.vault.store import ReleaseKeys, Vault, VaultError
from cohortgate.findings import Severity
from test_transactions import crash_everywhere

R1, A1 = "R-2026-0001-01", "A-2026-0001"
MEMBERS = ["P000001", "P000002"]
KEYS = ReleaseKeys.generate()
PACKAGE = hashlib.sha256(b"the sealed package").hexdigest()
RELEASE_OPS = [
    "release.keys",
    "release.members",
    "release.arrays",
    "release.arrays",
    "release.meta",
    "release.package",
]


def _write(vault: Vault, members: list[str] = MEMBERS, name: str = "trace-b") -> None:
    vault.write_release(
        R1,
        A1,
        KEYS,
        members=members,
        arrays={
            "trace-a": {"row_key": np.arange(3), "x": np.array([1.5, 2.5, 3.5])},
            name: {"row_key": np.arange(2), "y": np.array(["u", None], dtype=object)},
        },
        meta={"application": A1, "tables": ["a", "b"]},
        package_sha256=PACKAGE,
    )


def _ops(vault: Vault) -> list[str]:
    return [e["op"] for e in vault.log.entries() if e["op"] in set(RELEASE_OPS)]


def _whole(vault: Vault) -> None:
    assert _ops(vault) == RELEASE_OPS
    assert vault.keys(R1) == KEYS
    assert vault.members(R1) == MEMBERS
    assert vault.array_sets(R1) == ["trace-a", "trace-b"]
    assert vault.arrays(R1, "trace-b")["y"].tolist() == ["u", ""]
    assert vault.release_meta(R1)["tables"] == ["a", "b"]


def test_a_release_is_written_with_one_log_append(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "vault")
    before = len(vault.log.entries())
    _write(vault)
    entries = vault.log.entries()
    assert [e["op"] for e in entries[before:]] == RELEASE_OPS
    assert entries[-1]["details"] == {"release": R1, "name": f"{R1}.tar.age", "sha256": PACKAGE}
    assert vault.log.verify() == [] and vault.log.recorded_head() == entries[-1]["hash"]
    _whole(Vault.open(vault.path))
    with pytest.raises(VaultError, match="already has keys"):
        _write(vault)


def test_a_killed_release_leaves_all_or_nothing(tmp_path: Path) -> None:
    def check(vault: Vault) -> None:
        opened = Vault.open(vault.path)
        assert all(f.code == "file.recovered" for f in opened.recovered)
        assert all(f.severity is Severity.WARNING for f in opened.recovered)
        assert sorted(p.name for p in opened.path.iterdir() if p.name.startswith(".")) == []
        assert opened.log.verify() == []
        if opened.releases() == []:  # killed before the commit point: nothing of it
            assert _ops(opened) == []
            assert not (opened.path / "releases").exists()
            _write(opened)  # and it can be run again
        _whole(Vault.open(vault.path))

    points = crash_everywhere(
        tmp_path, lambda folder: Vault.create(folder / "vault"), _write, check
    )
    assert points >= 20


def test_a_killed_release_is_reported_when_the_vault_is_opened(tmp_path: Path) -> None:
    vault = Vault.create(tmp_path / "vault")
    staged = vault.path / ".txn.tmp"
    staged.mkdir(mode=0o700)
    (staged / "0").write_bytes(b"half a release")
    (staged / "0").chmod(0o600)
    opened = Vault.open(vault.path)
    assert [f.code for f in opened.recovered] == ["file.recovered"]
    assert "rolled back" in opened.recovered[0].message
    assert not staged.exists() and opened.releases() == []
    assert [e["op"] for e in opened.log.entries()][-2] == "vault.recover"


@pytest.mark.parametrize(
    ("members", "name", "message"),
    [
        (["P1", "P1"], "trace-b", "1 repeated participant id"),
        (["P1", "../x"], "trace-b", "1 invalid"),
        (MEMBERS, "Trace B", "is not a plain array-set name"),
    ],
)
def test_a_refused_part_writes_nothing(
    tmp_path: Path, members: list[str], name: str, message: str
) -> None:
    vault = Vault.create(tmp_path / "vault")
    log = vault.log.path.read_bytes()
    with pytest.raises(VaultError, match=message):
        _write(vault, members, name)
    assert vault.log.path.read_bytes() == log
    assert not (vault.path / "releases").exists()
    _write(vault)
    _whole(vault)
