"""``audit --vault`` checks every file of the vault's releases and every package in the
custodian's outbox against the digests the vault's log recorded: a replaced package, an edited
member list, key file or trace array is an error naming the release and the file, never a
participant.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cohortgate.custodian.vault.audit import ReleaseAnchor, audit_vault
from cohortgate.custodian.vault.store import ReleaseKeys, Vault
from cohortgate.findings import Finding

R1, A1 = "R-2026-0001-01", "A-2026-0001"
MEMBERS = ["P000001", "P000002", "P000003"]
MANIFEST = f"submissions/2026/{A1}/releases/{R1}.yaml"


class World:
    """A vault holding one release, its sealed package in the outbox, and its manifest's
    anchor (log head and package digest) as git records them."""

    def __init__(self, tmp_path: Path) -> None:
        self.vault = Vault.create(tmp_path / "vault")
        self.outbox = tmp_path / "outbox"
        self.outbox.mkdir(mode=0o700)
        self.package = self.outbox / f"{R1}.tar.age"
        self.package.write_bytes(b"age-encryption.org/v1\n the package for the recipient")
        digest = hashlib.sha256(self.package.read_bytes()).hexdigest()
        self.vault.write_release(
            R1,
            A1,
            ReleaseKeys.generate(),
            members=MEMBERS,
            arrays={"trace-visits": {"row_key": np.arange(3), "age": np.array([4, 7, 9])}},
            meta={"application": A1, "tables": ["visits"]},
            package_sha256=digest,
        )
        head = self.vault.head()
        self.anchor = ReleaseAnchor(R1, MANIFEST, date(2026, 12, 10), head, digest)
        self.folder = self.vault.path / "releases" / R1

    def audit(self) -> list[Finding]:
        return audit_vault(self.vault.path, [self.anchor], outbox=self.outbox)

    def reseal(self, name: str, plain: bytes) -> None:
        """Replace a record by other content sealed to the vault's own key (a forgery that
        decrypts: only the log's digest tells)."""
        recipient = self.vault.sealing.recipient() or ""
        (self.folder / name).write_bytes(self.vault.sealing.seal(plain, recipient))


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def _changed(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.file, f.message) for f in findings if f.code == "audit.vault-file-changed"]


def test_a_clean_vault_and_outbox_audit_clean(world: World) -> None:
    assert world.audit() == []
    ops = [e["op"] for e in world.vault.log.entries()]
    assert "vault.verify" in ops[ops.index("release.package") :]  # the audit is logged too


def test_a_replaced_package_is_found(world: World) -> None:
    world.package.write_bytes(b"age-encryption.org/v1\n another package")
    shown = f"outbox/{R1}.tar.age"
    assert _changed(world.audit()) == [
        (shown, f"release {R1}: {shown} differs from the SHA-256 the vault's log recorded"),
        (shown, f"release {R1}: {shown} differs from the SHA-256 its release manifest records"),
    ]


def test_an_edited_member_list_is_found_without_naming_anyone(world: World) -> None:
    world.reseal("members.json.age", json.dumps({"members": MEMBERS[:2]}).encode())
    found = world.audit()
    shown = f"vault/releases/{R1}/members.json.age"
    assert (shown, f"release {R1}: {shown} differs from the SHA-256 the vault's log recorded") in (
        _changed(found)
    )
    text = json.dumps([f.to_dict() for f in found], ensure_ascii=False)
    assert "P00000" not in text


def test_an_edited_key_file_is_found(world: World) -> None:
    world.reseal("keys.json.age", b'{"release": "R-2026-0001-01"}')
    shown = f"vault/releases/{R1}/keys.json.age"
    assert _changed(world.audit()) == [
        (shown, f"release {R1}: {shown} differs from the SHA-256 the vault's log recorded")
    ]


def test_an_edited_trace_array_is_found(world: World) -> None:
    path = world.folder / "trace-visits.npz.age"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # one bit of the sealed arrays
    path.write_bytes(bytes(data))
    shown = f"vault/releases/{R1}/trace-visits.npz.age"
    assert _changed(world.audit()) == [
        (shown, f"release {R1}: {shown} differs from the SHA-256 the vault's log recorded")
    ]


def test_a_missing_record_and_an_unrecorded_file_are_found(world: World) -> None:
    (world.folder / "members.json.age").unlink()
    (world.folder / "trace-extra.npz.age").write_bytes(b"planted")
    (world.folder / "trace-extra.npz.age").chmod(0o600)
    changed = dict(_changed(world.audit()))
    members, extra = (
        f"vault/releases/{R1}/{n}" for n in ("members.json.age", "trace-extra.npz.age")
    )
    assert changed[members].endswith("is missing, but the vault's log records it")
    assert changed[extra].endswith("is not recorded in the vault's log")


def test_a_package_nobody_recorded_is_found(world: World) -> None:
    stray = world.outbox / "R-2026-0009-01.tar.age"
    stray.write_bytes(b"age-encryption.org/v1\n")
    assert _changed(world.audit()) == [
        (
            "outbox/R-2026-0009-01.tar.age",
            "release R-2026-0009-01: outbox/R-2026-0009-01.tar.age is in the outbox, but "
            "neither the vault's log nor a release manifest records it",
        )
    ]


def test_a_delivered_package_may_leave_the_outbox(world: World) -> None:
    world.package.unlink()
    assert world.audit() == []
