"""The vault's secrets sealed with age to the custodian's identity, a key kept outside the vault:
made on first use, refused where others may read it, needed to read and never to write.

Real identities (pyrage), real files, the real CLI; nothing of the encryption is mocked.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyrage  # type: ignore[import-untyped]
import pytest
from git import Repo

from cohortgate.cli import main
from cohortgate.custodian.vault.audit import audit_vault
from cohortgate.custodian.vault.identity import ENV
from cohortgate.custodian.vault.log import VaultLog, canonical
from cohortgate.custodian.vault.reseal import reseal
from cohortgate.custodian.vault.store import ReleaseKeys, Vault, VaultError
from cohortgate.findings import Severity

R1, R2, A1 = "R-2026-0001-01", "R-2026-0001-02", "A-2026-0001"
MAGIC = b"age-encryption.org/v1\n"
MEMBERS = ["P000001", "P000002", "P000003"]


def _identity(path: Path, mode: int = 0o600) -> Path:
    """A fresh age identity at ``path`` in age-keygen's format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    made = pyrage.x25519.Identity.generate()
    path.write_text(f"# public key: {made.to_public()}\n{made}\n", "ascii")
    path.chmod(mode)
    return path


def _released(path: Path) -> Vault:
    vault = Vault.create(path)
    trace = {"row_key": np.arange(4), "age": np.array(["1", None, "3", "4"], dtype=object)}
    vault.write_release(
        R1,
        A1,
        ReleaseKeys.generate(),
        members=MEMBERS,
        arrays={"trace-visits": trace},
        meta={"application": A1, "tables": ["visits"]},
    )
    return vault


# --- sealing ---------------------------------------------------------------------------------


def test_secrets_are_sealed_to_the_identity_recorded_at_creation(
    tmp_path: Path, custodian_identity: Path
) -> None:
    vault = _released(tmp_path / "vault")
    identity = pyrage.x25519.Identity.from_str(custodian_identity.read_text().split()[-1])
    created = vault.log.entries()[0]
    assert created["op"] == "vault.create"
    assert created["details"] == {"format": 2, "recipient": str(identity.to_public())}
    folder = vault.path / "releases" / R1
    assert sorted(p.name for p in folder.iterdir()) == [
        "keys.json.age",
        "members.json.age",
        "meta.json",
        "trace-visits.npz.age",
    ]
    digests = {e["op"]: e["details"] for e in vault.log.entries() if e["op"].startswith("release.")}
    for name, op, detail in [
        ("keys.json.age", "release.keys", "keys_sha256"),
        ("members.json.age", "release.members", "members_sha256"),
        ("trace-visits.npz.age", "release.arrays", "sha256"),
    ]:
        stored = (folder / name).read_bytes()
        assert stored.startswith(MAGIC), name
        assert b"P000001" not in stored
        assert digests[op][detail] == hashlib.sha256(stored).hexdigest()  # as stored
    plain = pyrage.decrypt((folder / "members.json.age").read_bytes(), [identity])
    assert json.loads(plain)["members"] == MEMBERS  # `age -d -i` opens it by hand too
    reopened = Vault.open(vault.path)
    assert reopened.members(R1) == MEMBERS
    assert reopened.arrays(R1, "trace-visits")["age"].tolist() == ["1", "", "3", "4"]
    assert "P000001" not in vault.log.path.read_text()


def test_first_use_makes_an_owner_only_identity_and_says_to_back_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    vault = Vault.create(tmp_path / "vault")
    path = tmp_path / "config" / "cohortgate" / "custodian-identity.txt"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert [f.code for f in vault.recovered] == ["vault.identity-created"]
    warning = vault.recovered[0]
    assert warning.severity is Severity.WARNING and warning.file == str(path)
    assert str(path) in warning.message and "Back it up offline" in warning.hint
    assert warning.message_zh and warning.hint_zh
    identity = pyrage.x25519.Identity.from_str(path.read_text().split()[-1])
    assert str(identity.to_public()) in warning.message
    again = Vault.create(tmp_path / "other")  # the identity exists now: used, not replaced
    assert again.recovered == []
    assert again.sealing.recipient() == vault.sealing.recipient() == str(identity.to_public())
    keys = again.new_release(R1, A1)
    assert Vault.open(again.path).keys(R1) == keys


def test_writing_needs_only_the_recorded_recipient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = Vault.create(tmp_path / "vault")
    gone = tmp_path / "elsewhere" / "custodian-identity.txt"
    monkeypatch.setenv(ENV, str(gone))
    opened = Vault.open(vault.path)
    keys = opened.new_release(R1, A1)
    opened.record_members(R1, MEMBERS)
    assert not gone.exists()  # a vault that has a recipient never makes an identity
    with pytest.raises(VaultError) as caught:
        opened.keys(R1)
    assert caught.value.code.id == "vault.identity-missing"
    assert str(gone) in str(caught.value) and "offline backup" in caught.value.hint
    monkeypatch.undo()
    assert Vault.open(vault.path).keys(R1) == keys


# --- a refused identity: each a finding, through the library and the CLI ----------------------


def _missing(tmp_path: Path, vault: Path) -> Path:
    return tmp_path / "nowhere" / "custodian-identity.txt"


def _world_readable(tmp_path: Path, vault: Path) -> Path:
    return _identity(tmp_path / "loose" / "custodian-identity.txt", 0o644)


def _group_readable(tmp_path: Path, vault: Path) -> Path:
    return _identity(tmp_path / "loose" / "custodian-identity.txt", 0o640)


def _in_the_vault(tmp_path: Path, vault: Path) -> Path:
    return _identity(vault / "custodian-identity.txt")


def _in_a_work_tree(tmp_path: Path, vault: Path) -> Path:
    Repo.init(tmp_path / "dotfiles").close()
    return _identity(tmp_path / "dotfiles" / "custodian-identity.txt")


def _another_key(tmp_path: Path, vault: Path) -> Path:
    return _identity(tmp_path / "other" / "custodian-identity.txt")


def _not_a_key(tmp_path: Path, vault: Path) -> Path:
    path = tmp_path / "notes" / "custodian-identity.txt"
    path.parent.mkdir()
    path.write_text("age1notasecret\n")
    path.chmod(0o600)
    return path


REFUSED = [
    (_missing, "vault.identity-missing", "no such file"),
    (_world_readable, "vault.identity-unsafe", "has mode 0644: group or others may read"),
    (_group_readable, "vault.identity-unsafe", "has mode 0640"),
    (_in_the_vault, "vault.identity-unsafe", "lies inside the vault"),
    (_in_a_work_tree, "vault.identity-unsafe", "lies inside the git work tree"),
    (_another_key, "vault.identity-wrong", "but this vault's records are encrypted to age1"),
    (_not_a_key, "vault.identity-wrong", "holds no single age identity"),
]


READS = {
    "keys": lambda vault: vault.keys(R1),
    "members": lambda vault: vault.members(R1),
    "arrays": lambda vault: vault.arrays(R1, "trace-visits"),
    "releases_of": lambda vault: vault.releases_of("P000001"),
    "check_identity": lambda vault: vault.check_identity(),
}


@pytest.mark.parametrize(("make", "code", "problem"), REFUSED)
def test_a_refused_identity_stops_every_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    custodian_identity: Path,
    make: Callable[[Path, Path], Path],
    code: str,
    problem: str,
) -> None:
    vault = _released(tmp_path / "vault")
    path = make(tmp_path, vault.path)
    monkeypatch.setenv(ENV, str(path))
    opened = Vault.open(vault.path)
    for name, read in READS.items():
        with pytest.raises(VaultError) as caught:
            read(opened)
        assert caught.value.code.id == code, name
        assert str(path) in str(caught.value) and problem in str(caught.value), name
        assert caught.value.hint
    right = Vault.open(vault.path, identity=custodian_identity)  # an explicit identity wins
    assert right.members(R1) == MEMBERS


def _audit_repo(repo: Repo) -> Path:
    root = Path(repo.working_tree_dir or "")
    (root / "README.md").write_text("cohort\n")
    repo.index.add(["README.md"])
    repo.index.commit("start")
    return root


@pytest.mark.parametrize(("make", "code", "problem"), REFUSED)
def test_the_audit_cli_exits_2_with_the_identity_finding(
    tmp_path: Path,
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path, Path], Path],
    code: str,
    problem: str,
) -> None:
    root = _audit_repo(repo)
    vault = _released(tmp_path / "vault")
    path = make(tmp_path, vault.path)
    monkeypatch.setenv(ENV, str(path))
    argv = ["audit", "--root", str(root), "--vault", str(vault.path), "--format", "json"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"]
    found = [f for f in findings if f["code"] == code]
    assert len(found) == 1, findings
    assert found[0]["file"] == str(path) and problem in found[0]["message"]
    assert found[0]["hint"] and "Traceback" not in err


def test_the_identity_flag_and_a_child_process(tmp_path: Path, repo: Repo) -> None:
    """The console entry in a child process: it inherits the test identity, and ``--identity``
    names another one."""
    root = _audit_repo(repo)
    vault = _released(tmp_path / "vault")
    other = _identity(tmp_path / "other" / "custodian-identity.txt")
    command = [sys.executable, "-m", "cohortgate", "audit", "--root", str(root)]
    command += ["--vault", str(vault.path)]
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    fine = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert "vault.identity" not in fine.stdout, fine.stdout
    wrong = subprocess.run(
        [*command, "--identity", str(other)], capture_output=True, text=True, env=env, check=False
    )
    assert wrong.returncode == 2, wrong.stderr
    assert f"{other}: error vault.identity-wrong" in wrong.stdout
    assert "Traceback" not in wrong.stderr


# --- the older, unencrypted format -------------------------------------------------------------


def _older_vault(path: Path) -> dict[str, str]:
    """A vault as cohortgate wrote it before sealing: version 1, plain key and member files."""
    path.mkdir(mode=0o700)
    log = VaultLog(path)
    marker = canonical({"format": "cohortgate-vault", "version": 1}) + b"\n"
    log.append("vault.create", {"format": 1}, {"vault.json": marker})
    keys = {"release": R1, "application": A1}
    keys |= {n: os.urandom(32).hex() for n in ("pseudonym_key", "date_shift_key", "watermark_key")}
    for op, name, detail, data in [
        ("release.keys", "keys.json", "keys_sha256", canonical(keys) + b"\n"),
        ("release.members", "members.json", "members_sha256", canonical({"members": MEMBERS})),
    ]:
        details = {"release": R1, detail: hashlib.sha256(data).hexdigest()}
        log.append(op, details, {f"releases/{R1}/{name}": data})
    return keys


def test_an_older_plaintext_vault_is_read_with_a_warning_and_sealed_from_then_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _older_vault(tmp_path / "vault")
    fresh = tmp_path / "new-identity" / "custodian-identity.txt"
    monkeypatch.setenv(ENV, str(fresh))
    vault = Vault.open(tmp_path / "vault")
    assert [f.code for f in vault.recovered] == ["vault.plaintext"]
    assert "2 record(s) were written unencrypted" in vault.recovered[0].message
    assert vault.keys(R1).pseudonym_key.hex() == keys["pseudonym_key"]  # no identity needed
    assert vault.members(R1) == MEMBERS
    assert not fresh.exists()
    later = vault.new_release(R2, A1)  # the first sealed record: the identity is made
    assert [f.code for f in vault.recovered] == ["vault.plaintext", "vault.identity-created"]
    assert fresh.is_file()
    ops = [e["op"] for e in vault.log.entries()]
    assert ops[-2:] == ["vault.recipient", "release.keys"]
    assert (vault.path / "releases" / R2 / "keys.json.age").read_bytes().startswith(MAGIC)
    again = Vault.open(vault.path)
    assert again.keys(R2) == later
    assert again.keys(R1).watermark_key.hex() == keys["watermark_key"]
    assert [f.code for f in again.recovered] == ["vault.plaintext"]


# --- rotating the identity -------------------------------------------------------------------


def test_rotating_the_identity_reseals_every_record_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, custodian_identity: Path
) -> None:
    _older_vault(tmp_path / "vault")  # R1 in the older, plain format
    vault = Vault.open(tmp_path / "vault")
    vault.write_release(
        R2, A1, ReleaseKeys.generate(), members=MEMBERS[:1], arrays={}, meta={"tables": []}
    )
    before = {n: vault.members(n) for n in (R1, R2)}
    new = _identity(tmp_path / "rotated" / "custodian-identity.txt")
    assert reseal(vault, new) == 4  # the key files and member lists of both releases
    assert sorted(p.name for p in (vault.path / "releases" / R1).iterdir()) == [
        "keys.json.age",
        "members.json.age",
    ]
    monkeypatch.setenv(ENV, str(new))
    rotated = Vault.open(vault.path)
    assert rotated.recovered == []  # nothing plain any more
    assert {n: rotated.members(n) for n in (R1, R2)} == before
    assert rotated.sealing.recipient() == str(
        pyrage.x25519.Identity.from_str(new.read_text().split()[-1]).to_public()
    )
    found = audit_vault(vault.path, [])  # every digest the log now records matches
    assert [f.code for f in found] == ["audit.vault-release-unpublished"] * 2
    monkeypatch.setenv(ENV, str(custodian_identity))
    with pytest.raises(VaultError) as caught:  # the old identity opens nothing any more
        Vault.open(vault.path).keys(R2)
    assert caught.value.code.id == "vault.identity-wrong"
