"""The intake's sources (issue 14): a file, a folder, a zip archive or standard input, read
without trusting them. The hostile ones stay small: the limits are made small in the test."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from cohortgate import policy
from cohortgate.custodian.intake.sources import SourceError, documents

DOC = b'{"id": "case-1"}'


def refused(source: str, code: str = "intake.unsafe-source") -> str:
    with pytest.raises(SourceError) as caught:
        list(documents(source))
    assert caught.value.finding.code == code and caught.value.finding.hint
    return caught.value.finding.message


def test_a_file_a_folder_and_standard_input(tmp_path: Path) -> None:
    (tmp_path / "export" / "a").mkdir(parents=True)
    (tmp_path / "export" / "a" / "one.json").write_bytes(DOC)
    (tmp_path / "export" / "two.json").write_bytes(DOC)
    (tmp_path / "export" / "notes.txt").write_text("not a document")
    assert [n for n, _ in documents(str(tmp_path / "export"))] == ["a/one.json", "two.json"]
    assert list(documents(str(tmp_path / "export" / "two.json"))) == [("two.json", DOC)]
    assert list(documents("-", io.BytesIO(DOC))) == [("-", DOC)]
    assert "does not exist" in refused(str(tmp_path / "missing"), "intake.no-source")


def test_a_zip_export_is_read_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cases/b.json", DOC)
        archive.writestr("cases/a.json", DOC)
        archive.writestr("README.txt", "ignored")
    assert [n for n, _ in documents(str(path))] == [
        "export.zip:cases/a.json",
        "export.zip:cases/b.json",
    ]
    assert not (tmp_path / "cases").exists()  # nothing unpacked onto the disk


@pytest.mark.parametrize(
    "name", ["../outside.json", "/etc/passwd.json", "a/../../b.json", "C:/x.json"]
)
def test_a_member_that_climbs_out_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fine.json", DOC)
        archive.writestr(name, DOC)
    assert "would unpack outside the folder" in refused(str(path))


def test_a_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy, "INTAKE_MAX_DOCUMENT_BYTES", 64 * 1024)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("case.json", b"{" + b" " * (4 * 1024 * 1024) + b"}")
    assert path.stat().st_size < 20 * 1024
    assert "a zip bomb" in refused(str(path))


def test_a_forged_size_gains_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member whose directory entry lies about its size is still read with a bound."""
    monkeypatch.setattr(policy, "INTAKE_MAX_DOCUMENT_BYTES", 1024)
    monkeypatch.setattr(policy, "INTAKE_MAX_RATIO", 10**9)
    path = tmp_path / "forged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("case.json", b"x" * 5000)
    assert "larger than 1024 bytes" in refused(str(path))


def test_too_many_members_or_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(5):
            archive.writestr(f"{n}.json", DOC)
    monkeypatch.setattr(policy, "INTAKE_MAX_MEMBERS", 4)
    assert "5 members" in refused(str(path))
    monkeypatch.setattr(policy, "INTAKE_MAX_MEMBERS", 10)
    monkeypatch.setattr(policy, "INTAKE_MAX_ARCHIVE_BYTES", 3 * len(DOC))
    assert "unpacks to more than" in refused(str(path))


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "INTAKE_MAX_DOCUMENT_BYTES", 10)
    (tmp_path / "big.json").write_bytes(DOC)
    assert "larger than 10 bytes" in refused(str(tmp_path / "big.json"))
    with pytest.raises(SourceError):
        list(documents("-", io.BytesIO(DOC)))


def test_links_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(DOC)
    export = tmp_path / "export"
    export.mkdir()
    (export / "case.json").symlink_to(secret)
    assert "symbolic link" in refused(str(export))
    assert "symbolic link" in refused(str(export / "case.json"))
    path = tmp_path / "links.zip"
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("case.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, os.fsdecode(secret))
    assert "symbolic link" in refused(str(path))
