"""A whole release written to the vault as ONE transaction: its keys, its members, its trace
arrays, its metadata and the digest of the package sealed for the recipient.

``write_release`` checks everything first (the ids, the members, the array names, the size of
the metadata), seals the secrets to the custodian's public key, then hands every file and one
log entry per record (``release.keys``, ``release.members``, ``release.arrays`` per table,
``release.meta``, ``release.package``) to a single ``VaultLog.append_all``: the journal stages
them in one folder (``.txn.tmp/``), one rename commits them with the log's new entries and its
head, so a kill leaves the whole release in the vault or nothing of it. What a killed run
staged is rolled back when the vault is next opened and reported in ``Vault.recovered``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy.typing as npt

from cohortgate.custodian.vault.codes import BAD_RECORD
from cohortgate.custodian.vault.keys import ReleaseKeys
from cohortgate.custodian.vault.log import VaultError
from cohortgate.custodian.vault.release_arrays import ReleaseArrays
from cohortgate.custodian.vault.release_meta import ReleaseMeta

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class WholeRelease(ReleaseArrays, ReleaseMeta):
    """The records of an opened vault, and the writing of a whole release at once."""

    def write_release(
        self,
        release_id: str,
        application_id: str,
        keys: ReleaseKeys,
        *,
        members: Sequence[str],
        arrays: Mapping[str, Mapping[str, npt.NDArray[Any]]],
        meta: Mapping[str, Any],
        package_sha256: str | None = None,
    ) -> None:
        """Write a new release (keys, members, the trace arrays by name, metadata, and the
        SHA-256 of its sealed package, when it has one) in one transaction; nothing is
        written when any part is refused."""
        if package_sha256 is not None and not _SHA256.match(package_sha256):
            raise VaultError(
                BAD_RECORD,
                what=f"'{package_sha256[:16]}' is not the SHA-256 of a package",
                fix="Pass hashlib.sha256(package).hexdigest().",
            )
        records = [self._keys_record(release_id, application_id, keys)]
        folder = self._dir(release_id)
        records.append(self._members_record(folder, release_id, members))
        records += [self._arrays_record(folder, release_id, n, a) for n, a in arrays.items()]
        records.append(self._meta_record(folder, release_id, meta))
        extra: list[tuple[str, dict[str, Any]]] = []
        if package_sha256 is not None:
            package = {"release": release_id, "name": f"{release_id}.tar.age"}
            extra.append(("release.package", {**package, "sha256": package_sha256}))
        self._write(records, extra)
