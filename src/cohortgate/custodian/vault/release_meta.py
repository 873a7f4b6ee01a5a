"""A release's metadata in the vault: small plain JSON (the application, the recipient's public
key, the watermark plans, the tables), written with the log entry holding its digest and read
back against it. It is not sealed: no participant-level data belongs in it (a bound keeps
participant lists out), so that reading it needs no identity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault.codes import BAD_RECORD
from cohortgate.custodian.vault.log import VaultError, canonical
from cohortgate.custodian.vault.release_records import Record, ReleaseRecords, _sha256

# Per-release metadata is a handful of fields (recipient, watermark ids, dates); a bound keeps
# participant lists out of it.
MAX_META_BYTES = 16 * 1024


class ReleaseMeta(ReleaseRecords):
    """The per-release records of an opened vault, with their metadata."""

    def record_release(self, release_id: str, meta: Mapping[str, Any]) -> None:
        """Store (or replace) small JSON metadata of a release; never row-level data."""
        self._write([self._meta_record(self._known(release_id), release_id, meta)])

    def _meta_record(self, folder: Path, release_id: str, meta: Mapping[str, Any]) -> Record:
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
        return Record(
            "release.meta",
            {"release": release_id, "fields": len(meta)},
            folder / "meta.json",
            data + b"\n",
            "meta_sha256",
            secret=False,
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
