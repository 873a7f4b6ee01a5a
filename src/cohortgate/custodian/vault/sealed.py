"""The vault's secrets sealed with age: each release's keys, member list and trace arrays are
encrypted (``pyrage``, X25519) to the custodian's public key that the vault's log records, and
opened with the custodian's identity (``identity``), a file kept outside the vault.

``Sealing`` is what a vault knows of this: the recipient recorded in its log (``vault.create``,
or ``vault.recipient`` when an older vault gets its first encrypted record), ``seal`` for a
write (which needs only that public key) and ``open`` for a read (which needs the identity, and
refuses another one before trying it). A stored record is sealed when it begins with age's
header; one without it is a record of the older, unencrypted format, read as it is (its digest,
checked by the caller against the log, is what that older version recorded).

Cost: age seals and opens about 270 MB/s on one core (0.37 s for 100 MB, 550 bytes of overhead
for 1 MB), cheap beside building the trace arrays, so they are sealed too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyrage  # type: ignore[import-untyped]

from cohortgate.custodian.vault import identity as custodian
from cohortgate.custodian.vault.chain import VaultError
from cohortgate.custodian.vault.codes import BAD_RECORD, IDENTITY_CREATED, IDENTITY_WRONG
from cohortgate.custodian.vault.log import VaultLog
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both

MAGIC = b"age-encryption.org/v1\n"
SUFFIX = ".age"  # a sealed record's file: keys.json.age, members.json.age, trace-x.npz.age
RECIPIENT_OPS = ("vault.create", "vault.recipient")


def sealed_name(name: str) -> str:
    return name + SUFFIX


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


class Sealing:
    """The sealing of one vault: ``vault`` its folder, ``identity_file`` the identity to read
    with (None: ``COHORTGATE_CUSTODIAN_IDENTITY`` or the default place), ``notes`` the list of
    warnings the vault shows (a new identity is announced there)."""

    def __init__(
        self, vault: Path, log: VaultLog, identity_file: Path | None, notes: list[Finding]
    ) -> None:
        self.vault = vault
        self.log = log
        self.identity_file = identity_file
        self.notes = notes
        self._identity: Any = None

    @property
    def identity_path(self) -> Path:
        return custodian.identity_path(self.identity_file)

    def recipient(self) -> str | None:
        """The public key the vault's records are sealed to (None: an older vault)."""
        found = None
        for entry in self.log.entries():
            if entry["op"] in RECIPIENT_OPS and "recipient" in entry["details"]:
                found = str(entry["details"]["recipient"])
        return found

    def for_write(self) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
        """The recipient to seal to, and the log entry that records it when an older vault has
        none yet (the identity is then read, or made on first use)."""
        recorded = self.recipient()
        if recorded is not None:
            return recorded, []
        path = self.identity_path
        found, made = custodian.made(path, self.vault)
        recipient = custodian.recipient_of(found)
        if made:
            self.notes.append(created(path, recipient))
        return recipient, [("vault.recipient", {"recipient": recipient})]

    def seal(self, data: bytes, recipient: str) -> bytes:
        try:
            key = pyrage.x25519.Recipient.from_str(recipient)
        except pyrage.RecipientError:
            raise VaultError(
                BAD_RECORD,
                what=f"the vault's log records '{recipient[:16]}…', which is not an age public key",
                fix="Restore the vault from its backup.",
            ) from None
        sealed: bytes = pyrage.encrypt(data, [key])
        return sealed

    def identity(self) -> Any:
        """The custodian's identity, checked against the recipient the vault recorded."""
        if self._identity is None:
            path = self.identity_path
            found = custodian.load(path, self.vault)
            recorded = self.recipient()
            own = custodian.recipient_of(found)
            if recorded is not None and own != recorded:
                problem = Both(
                    zh=f"它是 {own[:16]}… 的私钥，而本保险库的记录加密给 {recorded[:16]}…",
                    en=f"it is the key of {own[:16]}…, but this vault's records are encrypted "
                    f"to {recorded[:16]}…",
                )
                raise VaultError(IDENTITY_WRONG, where=str(path), problem=problem)
            self._identity = found
        return self._identity

    def open(self, data: bytes, shown: str) -> bytes:
        """The plain bytes of a stored record (``shown``: its name in findings)."""
        if not is_sealed(data):
            return data  # the older, unencrypted format
        identity = self.identity()
        try:
            plain: bytes = pyrage.decrypt(data, [identity])
        except pyrage.DecryptError as error:
            problem = Both(
                zh=f"无法用它解密 {shown}（{error}）",
                en=f"{shown} does not decrypt with it ({error})",
            )
            where = str(self.identity_path)
            raise VaultError(IDENTITY_WRONG, where=where, problem=problem) from None
        return plain


def created(path: Path, recipient: str) -> Finding:
    """The warning that a new identity was made at ``path``: back it up."""
    return IDENTITY_CREATED.at(str(path), where=str(path), recipient=recipient)
