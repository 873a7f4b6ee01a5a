"""The vault's records of each release: its keys, its members and its metadata, each a file
(0600) whose digest the log records and that is read back against that digest.

``ReleaseRecords`` is the part of ``Vault`` (``store``) that reads and writes them; the log's
details hold counts and digests, never participant ids. A record and the log entry holding its
digest are written in one transaction (``_record``, ``VaultLog.append``): a kill leaves both or
neither, and a release's folder appears only with its key file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
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
from cohortgate.models.release import APPLICATION_ID, RELEASE_ID, application_of

# Per-release metadata is a handful of fields (recipient, watermark ids, dates); a bound keeps
# participant lists out of it.
MAX_META_BYTES = 16 * 1024
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


class ReleaseRecords:
    """The per-release records of an opened vault (keys, members, metadata)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = VaultLog(path)

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
        """Write ``files`` (0600, their folders 0700) and the log entry ``op`` in one
        transaction; ``digest`` names the detail that holds the SHA-256 of the only file."""
        body = dict(details)
        if digest:
            (data,) = files.values()
            body[digest] = _sha256(data)
        self.log.append(
            op, body, {path.relative_to(self.path).as_posix(): data for path, data in files.items()}
        )

    def _known(self, release_id: str) -> Path:
        folder = self._dir(release_id)
        if not folder.is_dir():
            raise VaultError(UNKNOWN_RELEASE, release=release_id, path=str(self.path))
        return folder

    def new_release(
        self, release_id: str, application_id: str, keys: ReleaseKeys | None = None
    ) -> ReleaseKeys:
        """Store the keys of a new release (fresh ones unless ``keys`` are given: the release
        command computes the release before it writes anything); an existing id is refused."""
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
        keys = keys if keys is not None else ReleaseKeys.generate()
        record = {"release": release_id, "application": application_id}
        record.update({name: getattr(keys, name).hex() for name in _KEY_NAMES})
        self._record(
            "release.keys",
            {"release": release_id, "application": application_id},
            {folder / "keys.json": canonical(record) + b"\n"},
            digest="keys_sha256",
        )
        return keys

    def keys(self, release_id: str) -> ReleaseKeys:
        """The keys of a release (the read is logged)."""
        folder = self._known(release_id)
        path = folder / "keys.json"
        if not path.is_file():
            raise VaultError(MISSING_KEY, release=release_id, what="no key file", file=str(path))
        data = path.read_bytes()
        try:
            record = json.loads(data)
            values = [bytes.fromhex(record[name]) for name in _KEY_NAMES]
        except (ValueError, KeyError, TypeError):
            raise VaultError(
                MISSING_KEY, release=release_id, what="the key file is damaged", file=str(path)
            ) from None
        if any(len(v) != KEY_BYTES for v in values) or record.get("release") != release_id:
            raise VaultError(
                MISSING_KEY, release=release_id, what="the key file is damaged", file=str(path)
            )
        logged = self._logged("release.keys", release_id).get("keys_sha256")
        if logged != _sha256(data):
            raise VaultError(
                MISSING_KEY,
                release=release_id,
                what="the key file differs from the one the log recorded",
                file=str(path),
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
        folder = self._known(release_id)
        path = folder / "members.json"
        if path.exists():
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
        self._record(
            "release.members",
            {"release": release_id, "count": len(ids)},
            {path: canonical({"release": release_id, "members": ids}) + b"\n"},
            digest="members_sha256",
        )

    def _read_members(self, release_id: str) -> list[str]:
        path = self._known(release_id) / "members.json"
        if not path.is_file():
            return []
        data = path.read_bytes()
        if self._logged("release.members", release_id).get("members_sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"the members file of {release_id} differs from the one the log recorded",
                fix="Restore the vault from its backup.",
            )
        members = json.loads(data)["members"]
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

    def releases_of(self, patient_id: str) -> list[str]:
        """The releases a participant went into (the log records the count, not the id)."""
        found = [p.name for p in self._release_dirs() if patient_id in self._read_members(p.name)]
        self.log.append("participant.releases", {"count": len(found)})
        return found

    # --- metadata --------------------------------------------------------------------------

    def record_release(self, release_id: str, meta: Mapping[str, Any]) -> None:
        """Store (or replace) small JSON metadata of a release; never row-level data."""
        folder = self._known(release_id)
        try:
            data = canonical(dict(meta))
        except (TypeError, ValueError) as error:
            raise VaultError(
                BAD_RECORD,
                what=f"metadata of {release_id} is not plain JSON ({error})",
                fix="Pass strings, numbers, booleans, lists and objects only.",
            ) from None
        if len(data) > MAX_META_BYTES:
            raise VaultError(
                BAD_RECORD,
                what=f"metadata of {release_id} takes {len(data)} bytes (at most {MAX_META_BYTES})",
                fix="Keep participant lists in record_members; metadata holds a few fields.",
            )
        self._record(
            "release.meta",
            {"release": release_id, "fields": len(meta)},
            {folder / "meta.json": data + b"\n"},
            digest="meta_sha256",
        )

    def release_meta(self, release_id: str) -> dict[str, Any]:
        """The metadata of a release ({} when none was recorded)."""
        path = self._known(release_id) / "meta.json"
        if not path.is_file():
            self.log.append("release.meta-read", {"release": release_id, "fields": 0})
            return {}
        data = path.read_bytes()
        if self._logged("release.meta", release_id).get("meta_sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"the metadata of {release_id} differs from what the log recorded",
                fix="Restore the vault from its backup.",
            )
        meta: dict[str, Any] = json.loads(data)
        self.log.append("release.meta-read", {"release": release_id})
        return meta
