"""The custodian's vault: per-release keys, release membership and metadata, outside git.

Layout (directory 0700, every file 0600)::

    vault.json                      marks the directory as a vault
    log.jsonl, log.head, log.lock   the hash-chained log of every operation (vault_log)
    releases/<release-id>/keys.json.age     pseudonym, date-shift and watermark keys (hex)
    releases/<release-id>/members.json.age  the participants who went into the release
    releases/<release-id>/meta.json         small per-release metadata (no row data)
    optouts.json                            the opt-out registry (R32): who withdrew, and when
    releases/<release-id>/<name>.npz.age    row-level arrays the tracer needs (the released
                                            tables before the watermark, their row and
                                            patient keys)

The ``.age`` files are sealed with age to the custodian's public key, which creating the vault
records in its log (``vault.create``); they are opened with the custodian's identity, a file
outside the vault (``identity``; made on first use, with a warning to back it up). A vault of
the older format (version 1, plain ``keys.json``, ``members.json``, ``<name>.npz``) is still
read, with a ``vault.plaintext`` warning on opening; its next write records the custodian's
public key (``vault.recipient``) and seals the new records. The opt-out registry and the
metadata stay plain: the release command and the statistics read them without the identity.

Opening a vault refuses, with the reason, a missing directory, a directory that is not a vault,
group or other permission bits, a vault inside a git work tree that git does not ignore, a
release without its key file and a broken log chain. Every operation appends to the log;
the log's details hold counts and digests, never participant ids.

Every write is a transaction of the vault's journal (``.txn/``, see ``files.transaction``): a record
(the opt-out list, a release's keys) and the log entry holding its digest change together.
Opening a vault first finishes or discards what a killed command left (``VaultLog.recover``),
says so in ``Vault.recovered`` (the warning findings a command shows: also a new identity and an
older, unencrypted vault) and logs ``vault.recover``. ``write_release`` writes a whole release in
one transaction (``whole_release``).
A disk that refuses a write raises ``VaultWriteError`` (a ``VaultError`` and an ``OSError``).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from cohortgate.custodian.vault import identity as custodian
from cohortgate.custodian.vault.codes import (
    BAD_RECORD,
    MISSING_KEY,
    NOT_A_VAULT,
    PLAINTEXT,
)
from cohortgate.custodian.vault.keys import ReleaseKeys
from cohortgate.custodian.vault.log import VaultError, VaultLog, VaultWriteError, canonical
from cohortgate.custodian.vault.placement import _check_not_in_git, _check_permissions
from cohortgate.custodian.vault.release_records import _PATIENT_ID, _sha256
from cohortgate.custodian.vault.sealed import created, sealed_name
from cohortgate.custodian.vault.whole_release import WholeRelease
from cohortgate.files import atomic, transaction
from cohortgate.findings import Finding

__all__ = ["ReleaseKeys", "Vault", "VaultError", "VaultWriteError", "default_vault"]

MARKER = "vault.json"
FORMAT = {"format": "cohortgate-vault", "version": 2}  # 2: secrets sealed with age
SECRETS = ("keys.json", "members.json")  # and every <name>.npz: sealed since version 2
# What a create killed before it committed may leave in the directory.
LEFTOVERS = frozenset({transaction.STAGING, transaction.COMMITTED, "log.lock"})


def default_vault(root: Path) -> Path:
    """``$COHORTGATE_CUSTODIAN_DIR/vault``, else ``<root>/custodian/vault`` (ignored by git)."""
    base = os.environ.get("COHORTGATE_CUSTODIAN_DIR")
    return Path(base) / "vault" if base else root / "custodian" / "vault"


class Vault(WholeRelease):
    """An opened vault; make one with ``Vault.create`` or ``Vault.open``. ``identity``: the
    custodian identity file (None: ``COHORTGATE_CUSTODIAN_IDENTITY``, else the default)."""

    # --- opening ---------------------------------------------------------------------------

    recovered: list[Finding]  # warnings a command shows: what opening recovered of a killed
    # command, a custodian identity made on first use, records of the older plain format

    @classmethod
    def create(cls, path: Path, identity: Path | None = None) -> Vault:
        """Make a vault at ``path`` (an existing vault is opened instead), sealed to the
        custodian's identity (made on first use: ``recovered`` then says to back it up)."""
        if (path / MARKER).exists():
            return cls.open(path, identity=identity)
        if path.is_dir() and VaultLog(path).journal.pending():
            try:  # a create killed after it committed is finished, one killed before undone
                return cls.open(path, identity=identity)
            except VaultError:
                if (path / MARKER).exists():
                    raise
        if path.exists() and (
            not path.is_dir() or any(p.name not in LEFTOVERS for p in path.iterdir())
        ):
            raise VaultError(
                NOT_A_VAULT,
                where=str(path),
                what="exists, is not empty and is not a vault",
                fix="Choose an empty or new directory for the vault.",
            )
        _check_not_in_git(path)
        where = custodian.identity_path(identity)
        found, made = custodian.made(where, path)
        recipient = custodian.recipient_of(found)
        try:
            with atomic.guard(path):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.mkdir(mode=0o700, exist_ok=True)
                os.chmod(path, 0o700)
        except atomic.WriteError as error:
            raise VaultWriteError.of(error, path) from error
        vault = cls(path, identity)
        marker = canonical(FORMAT) + b"\n"
        details = {"format": FORMAT["version"], "recipient": recipient}
        vault.log.append("vault.create", details, {MARKER: marker})
        if made:
            vault.recovered.append(created(where, recipient))
        return vault

    @classmethod
    def open(
        cls, path: Path, expected_head: str | None = None, identity: Path | None = None
    ) -> Vault:
        """Open the vault at ``path``, or raise ``VaultError`` saying why it may not be used.

        ``expected_head`` is a log head anchored elsewhere (the last release manifest's
        ``vault_log_head``); it must still be in the log's chain. What a killed command left
        is finished or discarded first and listed in ``recovered``. The identity is read only
        when a sealed record is (``check_identity`` reads it at once).
        """
        if not path.is_dir():
            raise VaultError(
                NOT_A_VAULT,
                where=str(path),
                what="no such directory",
                fix="Create the vault first, or set COHORTGATE_CUSTODIAN_DIR to its parent.",
            )
        marked = (path / MARKER).is_file()
        if marked or VaultLog(path).journal.pending():
            _check_permissions(path)
            _check_not_in_git(path)
        vault = cls(path, identity)
        found = vault.log.recover() if marked or vault.log.journal.pending() else []
        if not (path / MARKER).is_file():
            raise VaultError(
                NOT_A_VAULT,
                where=str(path),
                what=f"no {MARKER}: this directory is not a vault",
                fix="Point to the vault directory itself, or create a vault in a new directory.",
            )
        if not vault.log.path.exists():
            raise VaultError(
                NOT_A_VAULT,
                where=str(path),
                what="the vault has no log.jsonl",
                fix="Restore the vault from its backup.",
            )
        vault.log.check(expected_head)
        plain = 0
        for release in vault._release_dirs():
            keys = vault._stored(release, "keys.json")
            if not keys.is_file():
                raise VaultError(
                    MISSING_KEY, release=release.name, what="no key file", file=vault._shown(keys)
                )
            names = [p.name for p in release.iterdir()]
            plain += sum(1 for n in names if n in SECRETS or n.endswith(".npz"))
        if found:
            vault.recovered.extend(r.finding(vault._shown(r.path)) for r in found)
            actions = [r.action.replace(" ", "_") for r in found]
            vault.log.append("vault.recover", {a: actions.count(a) for a in sorted(set(actions))})
        if plain:
            vault.recovered.append(PLAINTEXT.at(path.name, vault=path.name, count=plain))
        return vault

    def check_identity(self) -> None:
        """Read the custodian's identity now and check that it opens this vault's records
        (``VaultError`` naming the identity file and the fix when it cannot)."""
        if self.sealing.recipient() is not None or any(
            p.name.endswith(sealed_name("")) for p in self.path.glob("releases/*/*")
        ):
            self.sealing.identity()

    def head(self) -> str:
        """The log's head now: what a release manifest records as ``vault_log_head``."""
        return self.log.head()

    # --- opt-outs ----------------------------------------------------------------------------

    # The opt-out registry (R32): participant id -> withdrawal date and a short reason, one
    # file 0600 rewritten with its log entry in one transaction; the log holds its digest and
    # the count, never an id. Not sealed: the release command and the statistics read it to
    # leave withdrawn participants out, without the custodian's identity.
    OPTOUTS = "optouts.json"
    MAX_REASON_CHARS = 500

    def _read_optouts(self) -> dict[str, dict[str, Any]]:
        """``optouts.json`` checked against the last ``optout.record`` digest ({} when none)."""
        path = self.path / self.OPTOUTS
        logged = [e["details"] for e in self.log.entries() if e["op"] == "optout.record"]
        if not path.is_file():
            if logged:
                raise VaultError(
                    BAD_RECORD,
                    what=f"the log records opt-outs but {self.OPTOUTS} is missing",
                    fix="Restore the vault from its backup.",
                )
            return {}
        data = path.read_bytes()
        if not logged or logged[-1].get("optouts_sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"{self.OPTOUTS} differs from the one the log recorded",
                fix="Restore the vault from its backup.",
            )
        records: dict[str, dict[str, Any]] = json.loads(data)["optouts"]
        return records

    def record_optout(self, patient_id: str, withdrawn_on: date, reason: str | None) -> None:
        """Record once that a participant withdrew their broad consent (R32). The caller has
        checked the consent window against the cohort; the log holds the count, not the id."""
        if not isinstance(patient_id, str) or not _PATIENT_ID.match(patient_id):
            raise VaultError(
                BAD_RECORD,
                what="an opt-out needs a participant's cohort id",
                fix="Pass the cohort record id (letters, digits, '_.:-').",
            )
        records = self._read_optouts()
        if patient_id in records:
            raise VaultError(
                BAD_RECORD,
                what=f"an opt-out is already recorded for this participant "
                f"(on {records[patient_id]['on']})",
                fix="The registry holds one withdrawal per participant; nothing to do.",
            )
        text = None if reason is None else reason.strip() or None
        if text is not None and len(text) > self.MAX_REASON_CHARS:
            raise VaultError(
                BAD_RECORD,
                what=f"the reason takes {len(text)} characters (at most {self.MAX_REASON_CHARS})",
                fix="Summarise the reason; keep the signed form on paper.",
            )
        records[patient_id] = {"on": withdrawn_on.isoformat(), "reason": text}
        self._record(
            "optout.record",
            {"count": len(records)},
            {self.path / self.OPTOUTS: canonical({"optouts": records}) + b"\n"},
            digest="optouts_sha256",
        )

    def optouts(self) -> dict[str, date]:
        """Every recorded opt-out: participant id -> withdrawal date (the read is logged)."""
        found = {pid: date.fromisoformat(r["on"]) for pid, r in self._read_optouts().items()}
        self.log.append("optout.read", {"count": len(found)})
        return dict(sorted(found.items()))
