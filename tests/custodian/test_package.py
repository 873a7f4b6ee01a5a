"""The encrypted package: a reproducible tar, sealed with age for the recipient alone."""

from __future__ import annotations

import io
import stat
import tarfile
from pathlib import Path

import pyrage
import pytest

from cohortgate.custodian.release.package import package, tar_bytes, unpack, write_package

FILES = {
    "patients.csv": b"pseudonym,sex,age_band\nq3x,F,0-4\n",
    "diagnoses.csv": b"pseudonym,orpha\nq3x,ORPHA:558\n",
    "README.md": "数据使用协议 R-2026-0001-01\n".encode(),
}


def _identity() -> tuple[str, str]:
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def test_the_recipient_gets_the_files_back() -> None:
    secret, public = _identity()
    data = package(FILES, [public])
    assert data.startswith(b"age-encryption.org/v1\n")
    assert FILES["patients.csv"] not in data
    assert unpack(data, secret) == FILES


def test_every_listed_recipient_can_decrypt() -> None:
    pairs = [_identity() for _ in range(3)]
    data = package(FILES, [public for _, public in pairs])
    for secret, _ in pairs:
        assert unpack(data, secret) == FILES


def test_another_key_cannot_decrypt() -> None:
    _, public = _identity()
    other, _ = _identity()
    with pytest.raises(ValueError, match="wrong key, or the file was altered"):
        unpack(package(FILES, [public]), other)


@pytest.mark.parametrize("where", [30, 200, -20, -1])
def test_a_tampered_package_fails(where: int) -> None:
    secret, public = _identity()
    data = bytearray(package(FILES, [public]))
    data[where] ^= 0x01
    with pytest.raises(ValueError, match="cannot decrypt the package"):
        unpack(bytes(data), secret)


def test_a_cut_package_fails() -> None:
    secret, public = _identity()
    data = package(FILES, [public])
    with pytest.raises(ValueError, match="cannot decrypt"):
        unpack(data[:-10], secret)


@pytest.mark.parametrize(
    "recipient",
    ["", "age1", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "AGE-SECRET-KEY-1QQQQ", "age1xyz"],
)
def test_a_bad_recipient_is_a_clear_value_error(recipient: str) -> None:
    with pytest.raises(ValueError, match=r"not an age public key .*expected 'age1…'"):
        package(FILES, [recipient])


def test_no_recipient_is_refused() -> None:
    with pytest.raises(ValueError, match="no recipient"):
        package(FILES, [])


def test_a_public_key_is_not_an_identity() -> None:
    _, public = _identity()
    with pytest.raises(ValueError, match="not an age secret key"):
        unpack(b"", public)


def test_the_tar_is_reproducible_and_anonymous() -> None:
    reordered = dict(reversed(list(FILES.items())))
    assert tar_bytes(FILES) == tar_bytes(reordered)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(FILES))) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(FILES)
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.mode) == (0, 0, 0, 0o600)
        assert (member.uname, member.gname) == ("", "")
    # encryption is randomised, the plaintext is not
    _, public = _identity()
    assert package(FILES, [public]) != package(FILES, [public])


@pytest.mark.parametrize("name", ["../escape.csv", "dir/file.csv", ".hidden", "a b.csv", ""])
def test_only_plain_file_names(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain file name"):
        tar_bytes({name: b"x"})


def test_write_package_is_atomic_and_owner_only(tmp_path: Path) -> None:
    _, public = _identity()
    target = tmp_path / "out" / "R-2026-0001-01.tar.age"
    write_package(target, package(FILES, [public]))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == [target.name]
