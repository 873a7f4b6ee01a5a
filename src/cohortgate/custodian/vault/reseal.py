"""A rotated custodian identity: every sealed record of the vault opened with the current
identity and sealed again to a new one, in ONE transaction with the log entries that record the
new public key (``vault.recipient``) and each record's new digest (the same operations as when it
was written, so readers and the audit take the newest). Records of the older, unencrypted format
are sealed on the way, and their plain files removed once the transaction has committed.

Only then may the old identity be destroyed; back the new one up offline first.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault import identity as custodian
from cohortgate.custodian.vault.codes import BAD_RECORD
from cohortgate.custodian.vault.digests import recorded, sha256_of
from cohortgate.custodian.vault.log import VaultError
from cohortgate.custodian.vault.sealed import sealed_name
from cohortgate.custodian.vault.store import Vault
from cohortgate.files import atomic

_SECRET = {
    "keys.json": ("release.keys", "keys_sha256"),
    "members.json": ("release.members", "members_sha256"),
}


def _op(name: str) -> tuple[str, str]:
    return _SECRET.get(name) or ("release.arrays", "sha256")


def reseal(vault: Vault, new_identity: Path) -> int:
    """Seal every secret record of ``vault`` to the identity in ``new_identity`` (the current
    one opens them); returns how many records were sealed again."""
    new = custodian.load(new_identity, vault.path)
    recipient = custodian.recipient_of(new)
    entries: list[tuple[str, dict[str, Any]]] = [("vault.recipient", {"recipient": recipient})]
    files: dict[str, bytes] = {}
    plain: list[Path] = []
    for (release, name), digest in sorted(recorded(vault).items()):
        if name not in _SECRET and not name.endswith(".npz"):
            continue  # metadata and packages are not sealed in the vault
        folder = vault.path / "releases" / release
        path = vault._stored(folder, name)
        if not path.is_file() or sha256_of(path) != digest:
            raise VaultError(
                BAD_RECORD,
                what=f"{vault._shown(path)} differs from what the log recorded",
                fix="Restore the vault from its backup before rotating the identity.",
            )
        stored = vault.sealing.seal(vault._opened(path, path.read_bytes()), recipient)
        target = folder / sealed_name(name)
        files[target.relative_to(vault.path).as_posix()] = stored
        op, detail = _op(name)
        details: dict[str, Any] = {"release": release, detail: hashlib.sha256(stored).hexdigest()}
        if op == "release.arrays":
            details["name"] = name.removesuffix(".npz")
        entries.append((op, details))
        if path != target:
            plain.append(path)
    vault.log.append_all(entries, files)
    vault.sealing.identity_file, vault.sealing._identity = new_identity, new
    for path in plain:  # committed: the sealed copies are what the log now records
        with atomic.guard(path):
            os.unlink(path)
    return len(files)
