"""The custodian's vault: owner-only, outside git, keys per release, every operation logged."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import git
import pytest

from cohortgate.custodian.vault.log import VaultLog
from cohortgate.custodian.vault.store import ReleaseKeys, Vault, VaultError, default_vault

ROOT = Path(__file__).resolve().parents[2]
R1, R2 = "R-2026-0001-01", "R-2026-0001-02"
A1 = "A-2026-0001"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.create(tmp_path / "vault")


def _ops(vault: Vault) -> list[str]:
    return [e["op"] for e in VaultLog(vault.path).entries()]


# --- creating and opening ------------------------------------------------------------------


def test_create_makes_an_owner_only_vault(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "vault"
    old = os.umask(0o022)
    try:
        vault = Vault.create(path)
        vault.new_release(R1, A1)
    finally:
        os.umask(old)
    assert _mode(path) == 0o700
    for item in path.rglob("*"):
        assert _mode(item) == (0o700 if item.is_dir() else 0o600), item
    assert Vault.open(path).releases() == [R1]
    assert _ops(vault) == ["vault.create", "release.keys", "vault.releases"]


def test_create_refuses_a_non_empty_directory_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(VaultError, match="exists, is not empty and is not a vault") as caught:
        Vault.create(tmp_path)
    assert caught.value.code.id == "vault.not-a-vault"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_create_accepts_an_empty_directory_and_reopens_a_vault(tmp_path: Path) -> None:
    path = tmp_path / "v"
    path.mkdir(mode=0o755)
    Vault.create(path).new_release(R1, A1)
    assert _mode(path) == 0o700
    assert Vault.create(path).releases() == [R1]  # an existing vault is opened, not wiped


def test_open_refuses_a_missing_directory_and_a_plain_one(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="no such directory"):
        Vault.open(tmp_path / "nowhere")
    plain = tmp_path / "plain"
    plain.mkdir(mode=0o700)
    with pytest.raises(VaultError, match="this directory is not a vault"):
        Vault.open(plain)


@pytest.mark.parametrize(
    ("target", "mode", "fix"),
    [
        (".", 0o750, "chmod 700"),
        (".", 0o701, "chmod 700"),
        ("releases", 0o755, "chmod 700"),
        ("vault.json", 0o644, "chmod 600"),
        ("log.jsonl", 0o640, "chmod 600"),
        ("releases/R-2026-0001-01/keys.json.age", 0o604, "chmod 600"),
    ],
)
def test_open_refuses_group_or_other_bits(vault: Vault, target: str, mode: int, fix: str) -> None:
    vault.new_release(R1, A1)
    path = (vault.path / target).resolve()
    os.chmod(path, mode)
    with pytest.raises(VaultError) as caught:
        Vault.open(vault.path)
    assert str(caught.value).startswith(f"{path} has mode {mode:04o}: group or others may")
    assert caught.value.hint.startswith(f"Run `{fix} {path}`")
    assert caught.value.code.id == "vault.permissions"
    os.chmod(path, 0o700 if path.is_dir() else 0o600)
    Vault.open(vault.path)


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHORTGATE_CUSTODIAN_DIR", raising=False)
    assert default_vault(tmp_path) == tmp_path / "custodian" / "vault"
    monkeypatch.setenv("COHORTGATE_CUSTODIAN_DIR", str(tmp_path / "secure"))
    assert default_vault(tmp_path) == tmp_path / "secure" / "vault"


# --- git -----------------------------------------------------------------------------------


def test_a_vault_in_a_work_tree_must_be_ignored(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path / "repo")
    top = Path(repo.working_tree_dir or "")
    path = top / "custodian" / "vault"
    with pytest.raises(VaultError, match="git does not ignore it") as caught:
        Vault.create(path)
    assert "'/custodian/vault/'" in caught.value.hint
    assert not (top / "custodian").exists()  # refused before writing anything

    (top / ".gitignore").write_text("/custodian/*\n")
    Vault.create(path).new_release(R1, A1)
    Vault.open(path)

    (top / ".gitignore").write_text("# nothing ignored any more\n")
    with pytest.raises(VaultError) as caught:
        Vault.open(path)
    assert caught.value.code.id == "vault.in-git"


def test_a_tracked_vault_file_is_not_ignored(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path / "repo")
    top = Path(repo.working_tree_dir or "")
    (top / ".gitignore").write_text("/custodian/*\n")
    path = top / "custodian" / "vault"
    vault = Vault.create(path)
    vault.new_release(R1, A1)
    # somebody forced a key file into the index
    repo.git.add("-f", str(path / "releases" / R1 / "keys.json.age"))
    with pytest.raises(VaultError, match="git does not ignore it"):
        Vault.open(path)


def test_the_projects_default_vault_is_ignored_by_its_gitignore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cohortgate.custodian.vault import store as vault_module

    monkeypatch.delenv("COHORTGATE_CUSTODIAN_DIR", raising=False)
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    vault_module._check_not_in_git(default_vault(ROOT))  # does not raise
    with pytest.raises(VaultError):
        vault_module._check_not_in_git(ROOT / "src" / "vault")


# --- keys ----------------------------------------------------------------------------------


def test_each_release_gets_its_own_random_keys(vault: Vault) -> None:
    first = vault.new_release(R1, A1)
    second = vault.new_release(R2, A1)
    for keys in (first, second):
        values = [keys.pseudonym_key, keys.date_shift_key, keys.watermark_key]
        assert all(isinstance(v, bytes) and len(v) == 32 for v in values)
        assert len(set(values)) == 3
    assert first != second
    assert vault.keys(R1) == first
    assert Vault.open(vault.path).keys(R2) == second
    sealed = (vault.path / "releases" / R1 / "keys.json.age").read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1\n")  # sealed to the custodian's key
    assert first.pseudonym_key.hex().encode() not in sealed
    assert not (vault.path / "releases" / R1 / "keys.json").exists()
    assert "secret" in repr(first) and first.pseudonym_key.hex() not in repr(first)
    log_text = (vault.path / "log.jsonl").read_text()
    assert first.pseudonym_key.hex() not in log_text


def test_keys_are_never_replaced(vault: Vault) -> None:
    keys = vault.new_release(R1, A1)
    with pytest.raises(VaultError, match="already has keys") as caught:
        vault.new_release(R1, A1)
    assert "R-<year>-<nnnn>-<mm+1>" in caught.value.hint
    assert vault.keys(R1) == keys


@pytest.mark.parametrize(
    ("release", "application", "message"),
    [
        ("R-2026-0002-01", A1, "does not belong to application A-2026-0001"),
        ("R-26-0001-01", A1, "is not a release id"),
        ("../R-2026-0001-01", A1, "is not a release id"),
        (R1, "A-2026-1", "does not belong"),
    ],
)
def test_release_ids_are_checked(
    vault: Vault, release: str, application: str, message: str
) -> None:
    with pytest.raises(VaultError, match=message):
        vault.new_release(release, application)
    assert not (vault.path / "releases").exists()


def test_a_missing_key_file_is_refused(vault: Vault) -> None:
    vault.new_release(R1, A1)
    (vault.path / "releases" / R1 / "keys.json.age").unlink()
    with pytest.raises(VaultError, match="release R-2026-0001-01: no key file") as caught:
        Vault.open(vault.path)
    assert caught.value.code.id == "vault.missing-key"
    with pytest.raises(VaultError, match="no key file"):
        vault.keys(R1)


def test_swapped_key_file_is_refused(vault: Vault) -> None:
    vault.new_release(R1, A1)
    vault.new_release(R2, A1)
    folder = vault.path / "releases"
    (folder / R1 / "keys.json.age").write_bytes((folder / R2 / "keys.json.age").read_bytes())
    with pytest.raises(VaultError, match="differs from the one the log recorded") as caught:
        vault.keys(R1)
    assert caught.value.hint.startswith(f"Restore vault/releases/{R1}/keys.json.age from")
    (folder / R2 / "keys.json.age").write_text("{not json")
    with pytest.raises(VaultError, match="differs from the one the log recorded"):
        vault.keys(R2)


def test_unknown_release(vault: Vault) -> None:
    with pytest.raises(VaultError, match="R-2026-0009-01 is not in the vault"):
        vault.keys("R-2026-0009-01")


# --- membership and metadata ---------------------------------------------------------------


def test_membership_is_recorded_once_and_found_by_participant(vault: Vault) -> None:
    vault.new_release(R1, A1)
    vault.new_release(R2, A1)
    vault.record_members(R1, ["P000003", "P000001", "P000002"])
    vault.record_members(R2, ["P000002", "P000004"])
    assert vault.members(R1) == ["P000001", "P000002", "P000003"]
    assert vault.releases_of("P000002") == [R1, R2]
    assert vault.releases_of("P000004") == [R2]
    assert vault.releases_of("P999999") == []
    assert vault.releases() == [R1, R2]
    with pytest.raises(VaultError, match="already recorded"):
        vault.record_members(R1, ["P000009"])
    log_text = (vault.path / "log.jsonl").read_text()
    assert "P00000" not in log_text  # counts and digests only
    counts = [e["details"].get("count") for e in VaultLog(vault.path).entries()]
    assert 3 in counts and 2 in counts


def test_membership_rejects_repeats_and_odd_ids(vault: Vault) -> None:
    vault.new_release(R1, A1)
    with pytest.raises(VaultError, match="0 invalid and 1 repeated"):
        vault.record_members(R1, ["P1", "P1"])
    with pytest.raises(VaultError, match="1 invalid"):
        vault.record_members(R1, ["P1", "../etc"])
    assert vault.members(R1) == []


def test_an_edited_member_list_is_refused(vault: Vault) -> None:
    vault.new_release(R1, A1)
    vault.record_members(R1, ["P1", "P2"])
    path = vault.path / "releases" / R1 / "members.json.age"
    path.write_bytes(
        vault.sealing.seal(
            json.dumps({"release": R1, "members": ["P1"]}).encode(), vault.sealing.recipient() or ""
        )
    )
    with pytest.raises(VaultError, match="differs from the one the log recorded"):
        vault.members(R1)


def test_release_metadata_round_trips_and_stays_small(vault: Vault) -> None:
    vault.new_release(R1, A1)
    assert vault.release_meta(R1) == {}
    meta = {"recipient": "age1example", "watermark_id": 17, "period": ["2026-01-01", "2027-01-01"]}
    vault.record_release(R1, meta)
    assert vault.release_meta(R1) == meta
    vault.record_release(R1, {**meta, "watermark_id": 18})
    assert vault.release_meta(R1)["watermark_id"] == 18
    with pytest.raises(VaultError, match="at most 16384"):
        vault.record_release(R1, {"members": [f"P{i:07d}" for i in range(5000)]})
    with pytest.raises(VaultError, match="not plain JSON"):
        vault.record_release(R1, {"when": object()})
    assert vault.release_meta(R1)["watermark_id"] == 18


def test_every_operation_is_logged(vault: Vault) -> None:
    vault.new_release(R1, A1)
    vault.keys(R1)
    vault.record_members(R1, ["P1"])
    vault.members(R1)
    vault.releases_of("P1")
    vault.record_release(R1, {"a": 1})
    vault.release_meta(R1)
    assert _ops(vault) == [
        "vault.create",
        "release.keys",
        "release.keys-read",
        "release.members",
        "release.members-read",
        "participant.releases",
        "release.meta",
        "release.meta-read",
    ]
    assert VaultLog(vault.path).verify() == []


def test_a_tampered_log_closes_the_vault(vault: Vault) -> None:
    vault.new_release(R1, A1)
    vault.record_members(R1, ["P1", "P2"])
    log = vault.path / "log.jsonl"
    lines = log.read_text().splitlines()
    lines[2] = lines[2].replace('"count":2', '"count":1')
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(VaultError) as caught:
        Vault.open(vault.path)
    assert str(caught.value) == (
        "log.jsonl: line 3: entry edited (its content does not match its hash)"
    )


def test_a_failing_write_leaves_the_previous_file(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.new_release(R1, A1)
    vault.record_release(R1, {"a": 1})
    meta = vault.path / "releases" / R1 / "meta.json"
    before = meta.read_bytes()

    def broken(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        vault.record_release(R1, {"a": 2})
    monkeypatch.undo()
    assert meta.read_bytes() == before
    assert sorted(p.name for p in meta.parent.iterdir()) == ["keys.json.age", "meta.json"]
    assert Vault.open(vault.path).release_meta(R1) == {"a": 1}


def test_release_keys_type() -> None:
    keys = ReleaseKeys.generate()
    with pytest.raises(AttributeError):
        keys.pseudonym_key = b""  # type: ignore[misc]


def test_open_checks_the_head_anchored_in_a_manifest(vault: Vault) -> None:
    vault.new_release(R1, A1)
    anchor = vault.head()  # recorded in the release manifest
    assert len(anchor) == 64
    vault.record_members(R1, ["P1"])
    Vault.open(vault.path, expected_head=anchor)  # the log grew since: fine
    log = vault.path / "log.jsonl"
    lines = log.read_text().splitlines()[:1]  # history rewritten from line 2 on
    log.write_text(lines[0] + "\n")
    (vault.path / "log.head").write_text(json.loads(lines[0])["hash"] + "\n")
    Vault.open(vault.path)  # the vault alone cannot tell
    with pytest.raises(VaultError, match="is not in the chain"):
        Vault.open(vault.path, expected_head=anchor)
