"""The vault's records of each release: its keys and its members (its metadata: ``release_meta``,
its trace arrays: ``release_arrays``), each a file (0600) whose digest the log records and that
is read back against that digest.

``ReleaseRecords`` is the part of ``Vault`` (``store``) that reads and writes them; the log's
details hold counts and digests, never participant ids. The keys and the member list are
sealed with age to the custodian's public key (``sealed``: ``keys.json.age``,
``members.json.age``; the digest is of the sealed bytes as stored) and opened with the
custodian's identity. Records
and the log entries holding their digests are written in one transaction (``_write``,
``VaultLog.append_all``): a kill leaves all or none, and a release's folder appears only with
its key file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault.codes import (
    BAD_RECORD,
    MISSING_KEY,
    RELEASE_EXISTS,
    UNKNOWN_RELEASE,
)
from cohortgate.custodian.vault.keys import _KEY_NAMES, KEY_BYTES, ReleaseKeys
from cohortgate.custodian.vault.log import VaultError, VaultLog, canonical
from cohortgate.custodian.vault.sealed import Sealing, sealed_name
from cohortgate.findings import Finding
from cohortgate.models.release import APPLICATION_ID, RELEASE_ID, application_of

_PATIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_release_id(release_id: str) -> None:
    if not re.match(RELEASE_ID, release_id):
        raise VaultError(
            BAD_RECORD,
            what=f"'{release_id}' is not a release id",
            fix="Release ids are R-<year>-<nnnn>-<mm>, e.g. R-2026-0001-01.",
        )


@dataclass(frozen=True)
class Record:
    """One file to write and the log entry that vouches for it: ``digest`` names the detail
    holding the SHA-256 of the bytes as stored; a ``secret`` one is sealed (``<name>.age``)."""

    op: str
    details: Mapping[str, Any]
    path: Path
    data: bytes
    digest: str
    secret: bool = True


class ReleaseRecords:
    """The per-release records of an opened vault (keys, members, metadata). ``identity``:
    the custodian identity to read sealed records with (None: the configured one)."""

    recovered: list[Finding]  # warnings a command shows (see ``Vault``)

    def __init__(self, path: Path, identity: Path | None = None) -> None:
        self.path = path
        self.log = VaultLog(path)
        self.recovered = []
        self.sealing = Sealing(path, self.log, identity, self.recovered)

    def _shown(self, path: Path) -> str:
        """``path`` as ``<vault>/<inside>``: no path of this machine in a finding."""
        inside = path.relative_to(self.path).as_posix()
        return self.path.name if inside == "." else f"{self.path.name}/{inside}"

    # --- keys ------------------------------------------------------------------------------

    def _release_dirs(self) -> list[Path]:
        folder = self.path / "releases"
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def _dir(self, release_id: str) -> Path:
        _check_release_id(release_id)
        return self.path / "releases" / release_id

    def _record(
        self, op: str, details: Mapping[str, Any], files: Mapping[Path, bytes], digest: str = ""
    ) -> None:
        """Write ``files`` (0600, their folders 0700, not sealed) and the log entry ``op`` in
        one transaction; ``digest`` names the detail that holds the SHA-256 of the only file."""
        body = dict(details)
        if digest:
            (data,) = files.values()
            body[digest] = _sha256(data)
        self.log.append(
            op, body, {path.relative_to(self.path).as_posix(): data for path, data in files.items()}
        )

    def _write(
        self, records: Sequence[Record], extra: Sequence[tuple[str, dict[str, Any]]] = ()
    ) -> None:
        """Seal the secret ``records`` to the vault's recipient and write them all with their
        log entries (one each, in order, then ``extra``) in ONE transaction of the journal."""
        entries: list[tuple[str, dict[str, Any]]] = []
        recipient = ""
        if any(r.secret for r in records):
            recipient, entries = self.sealing.for_write()
        files: dict[str, bytes] = {}
        for record in records:
            path, stored = record.path, record.data
            if record.secret:
                path = path.with_name(sealed_name(path.name))
                stored = self.sealing.seal(stored, recipient)
            files[path.relative_to(self.path).as_posix()] = stored
            entries.append((record.op, {**record.details, record.digest: _sha256(stored)}))
        self.log.append_all([*entries, *extra], files)

    def _stored(self, folder: Path, name: str) -> Path:
        """Where the record ``name`` of a release is: sealed, else in the older plain format
        (the sealed name when neither exists)."""
        sealed = folder / sealed_name(name)
        return folder / name if not sealed.exists() and (folder / name).exists() else sealed

    def _opened(self, path: Path, data: bytes) -> bytes:
        """The plain bytes of a record whose stored bytes ``data`` matched the log."""
        return self.sealing.open(data, self._shown(path))

    def _known(self, release_id: str) -> Path:
        folder = self._dir(release_id)
        if not folder.is_dir():
            raise VaultError(UNKNOWN_RELEASE, release=release_id, where=str(self.path))
        return folder

    def new_release(
        self, release_id: str, application_id: str, keys: ReleaseKeys | None = None
    ) -> ReleaseKeys:
        """Store the keys of a new release (fresh ones unless ``keys`` are given: the release
        command computes the release before it writes anything); an existing id is refused."""
        keys = keys if keys is not None else ReleaseKeys.generate()
        self._write([self._keys_record(release_id, application_id, keys)])
        return keys

    def _keys_record(self, release_id: str, application_id: str, keys: ReleaseKeys) -> Record:
        folder = self._dir(release_id)
        if (
            not re.match(APPLICATION_ID, application_id)
            or application_of(release_id) != application_id
        ):
            raise VaultError(
                BAD_RECORD,
                what=f"release {release_id} does not belong to application {application_id}",
                fix="A release id is the application's id with a sequence: A-2026-0001 -> "
                "R-2026-0001-01.",
            )
        if folder.exists():
            raise VaultError(RELEASE_EXISTS, release=release_id)
        record = {"release": release_id, "application": application_id}
        record.update({name: getattr(keys, name).hex() for name in _KEY_NAMES})
        return Record(
            "release.keys",
            {"release": release_id, "application": application_id},
            folder / "keys.json",
            canonical(record) + b"\n",
            "keys_sha256",
        )

    def keys(self, release_id: str) -> ReleaseKeys:
        """The keys of a release (the read is logged; needs the custodian's identity)."""
        folder = self._known(release_id)
        path = self._stored(folder, "keys.json")
        if not path.is_file():
            raise VaultError(
                MISSING_KEY, release=release_id, what="no key file", file=self._shown(path)
            )
        data = path.read_bytes()
        logged = self._logged("release.keys", release_id).get("keys_sha256")
        if logged != _sha256(data):
            raise VaultError(
                MISSING_KEY,
                release=release_id,
                what="the key file differs from the one the log recorded",
                file=self._shown(path),
            )
        plain = self._opened(path, data)
        try:
            record = json.loads(plain)
            values = [bytes.fromhex(record[name]) for name in _KEY_NAMES]
            damaged = record["release"] != release_id or any(len(v) != KEY_BYTES for v in values)
        except (ValueError, KeyError, TypeError):
            damaged, values = True, []
        if damaged:
            raise VaultError(
                MISSING_KEY,
                release=release_id,
                what="the key file is damaged",
                file=self._shown(path),
            )
        self.log.append("release.keys-read", {"release": release_id})
        return ReleaseKeys(*values)

    def _logged(self, op: str, release_id: str) -> dict[str, Any]:
        """The details of the last ``op`` entry for a release ({} when there is none)."""
        found: dict[str, Any] = {}
        for entry in self.log.entries():
            if entry["op"] == op and entry["details"].get("release") == release_id:
                found = entry["details"]
        return found

    # --- membership ------------------------------------------------------------------------

    def record_members(self, release_id: str, patient_ids: Sequence[str]) -> None:
        """Record once which participants went into a release (R31: participant reports)."""
        self._write([self._members_record(self._known(release_id), release_id, patient_ids)])

    def _members_record(self, folder: Path, release_id: str, patient_ids: Sequence[str]) -> Record:
        if self._stored(folder, "members.json").exists():
            raise VaultError(
                BAD_RECORD,
                what=f"the members of {release_id} are already recorded",
                fix="A release's membership is written once; make a new release instead.",
            )
        ids = sorted(set(patient_ids))
        bad = [p for p in ids if not isinstance(p, str) or not _PATIENT_ID.match(p)]
        if bad or len(ids) != len(patient_ids):
            raise VaultError(
                BAD_RECORD,
                what=f"{len(bad)} invalid and {len(patient_ids) - len(ids)} repeated "
                "participant id(s)",
                fix="Pass each participant's cohort id once.",
            )
        return Record(
            "release.members",
            {"release": release_id, "count": len(ids)},
            folder / "members.json",
            canonical({"release": release_id, "members": ids}) + b"\n",
            "members_sha256",
        )

    def _read_members(self, release_id: str) -> list[str]:
        path = self._stored(self._known(release_id), "members.json")
        if not path.is_file():
            return []
        data = path.read_bytes()
        if self._logged("release.members", release_id).get("members_sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"the members file of {release_id} differs from the one the log recorded",
                fix="Restore the vault from its backup.",
            )
        members = json.loads(self._opened(path, data))["members"]
        return [str(m) for m in members]

    def members(self, release_id: str) -> list[str]:
        """The participants of a release, sorted ([] when not recorded yet)."""
        ids = self._read_members(release_id)
        self.log.append("release.members-read", {"release": release_id, "count": len(ids)})
        return ids

    def releases(self) -> list[str]:
        """Every release id in the vault, sorted."""
        found = [p.name for p in self._release_dirs()]
        self.log.append("vault.releases", {"count": len(found)})
        return found

    def abandon_release(self, release_id: str, reason: str) -> None:
        """Record that a release stopped before its manifest was written: nobody received it,
        and no participant went into it (``releases_of``). Its records stay, for the audit."""
        self._known(release_id)
        self.log.append("release.abandoned", {"release": release_id, "reason": reason[:200]})

    def abandoned(self) -> frozenset[str]:
        """The releases recorded as abandoned."""
        return frozenset(
            str(e["details"].get("release"))
            for e in self.log.entries()
            if e["op"] == "release.abandoned"
        )

    def releases_of(self, patient_id: str) -> list[str]:
        """The releases a participant went into (the log records the count, not the id);
        abandoned ones are not."""
        gone = self.abandoned()
        found = [
            p.name
            for p in self._release_dirs()
            if p.name not in gone and patient_id in self._read_members(p.name)
        ]
        self.log.append("participant.releases", {"count": len(found)})
        return found
