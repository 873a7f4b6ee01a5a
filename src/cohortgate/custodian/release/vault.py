"""The custodian's vault: per-release keys, release membership and metadata, outside git.

Layout (directory 0700, every file 0600)::

    vault.json                      marks the directory as a vault
    log.jsonl, log.head, log.lock   the hash-chained log of every operation (vault_log)
    releases/<release-id>/keys.json     pseudonym, date-shift and watermark keys (hex)
    releases/<release-id>/members.json  the participants who went into the release
    releases/<release-id>/meta.json     small per-release metadata (no row data)
    optouts.json                        the opt-out registry (R32): who withdrew, and when
    releases/<release-id>/<name>.npz    row-level arrays the tracer needs (the released tables
                                        before the watermark, their row and patient keys)

Opening a vault refuses, with the reason, a missing directory, a directory that is not a vault,
group or other permission bits, a vault inside a git work tree that git does not ignore, a
release without its key file and a broken log chain. Every operation appends to the log;
the log's details hold counts and digests, never participant ids.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate import atomic
from cohortgate.codes_vault import (
    BAD_RECORD,
    IN_GIT,
    MISSING_KEY,
    NOT_A_VAULT,
    PERMISSIONS,
    RELEASE_EXISTS,
    UNKNOWN_RELEASE,
)
from cohortgate.custodian.release.vault_log import VaultError, VaultLog, canonical
from cohortgate.models.release import APPLICATION_ID, RELEASE_ID, application_of

__all__ = ["ReleaseKeys", "Vault", "VaultError", "default_vault"]

MARKER = "vault.json"
FORMAT = {"format": "cohortgate-vault", "version": 1}
KEY_BYTES = 32
# Per-release metadata is a handful of fields (recipient, watermark ids, dates); a bound keeps
# participant lists out of it.
MAX_META_BYTES = 16 * 1024
_KEY_NAMES = ("pseudonym_key", "date_shift_key", "watermark_key")
_PATIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_ARRAYS_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def default_vault(root: Path) -> Path:
    """``$COHORTGATE_CUSTODIAN_DIR/vault``, else ``<root>/custodian/vault`` (ignored by git)."""
    base = os.environ.get("COHORTGATE_CUSTODIAN_DIR")
    return Path(base) / "vault" if base else root / "custodian" / "vault"


@dataclass(frozen=True, repr=False)
class ReleaseKeys:
    """The three secrets of one release, 32 random bytes each."""

    pseudonym_key: bytes
    date_shift_key: bytes
    watermark_key: bytes

    def __repr__(self) -> str:  # never print a key by accident
        return "ReleaseKeys(<secret>)"

    @classmethod
    def generate(cls) -> ReleaseKeys:
        return cls(*(secrets.token_bytes(KEY_BYTES) for _ in _KEY_NAMES))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_release_id(release_id: str) -> None:
    if not re.match(RELEASE_ID, release_id):
        raise VaultError(
            BAD_RECORD,
            what=f"'{release_id}' is not a release id",
            fix="Release ids are R-<year>-<nnnn>-<mm>, e.g. R-2026-0001-01.",
        )


def _check_permissions(root: Path) -> None:
    uid = os.getuid()
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            raise VaultError(
                BAD_RECORD,
                what=f"{path} is a symbolic link inside the vault",
                fix="Replace the link by the file it points to, or remove it.",
            )
        if info.st_uid != uid:
            raise VaultError(
                BAD_RECORD,
                what=f"{path} belongs to another user (uid {info.st_uid})",
                fix=f"Run the command as the vault's owner, or `chown` {path} to yourself.",
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            is_dir = stat.S_ISDIR(info.st_mode)
            raise VaultError(
                PERMISSIONS,
                path=str(path),
                mode=mode,
                access="enter or list" if is_dir else "read or write",
                want="700" if is_dir else "600",
            )


def _check_not_in_git(path: Path) -> None:
    """Refuse a vault inside a git work tree unless git ignores it."""
    resolved = path.resolve()
    top = next((p for p in [resolved, *resolved.parents] if (p / ".git").exists()), None)
    if top is None:
        return
    git = shutil.which("git")
    pattern = "/" + resolved.relative_to(top).as_posix() + "/"
    if git is None:
        raise VaultError(IN_GIT, path=str(path), top=str(top), pattern=pattern)
    result = subprocess.run(
        [git, "check-ignore", "-q", str(resolved) + "/"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:  # 1: not ignored; 128: git cannot tell, so no either
        raise VaultError(IN_GIT, path=str(path), top=str(top), pattern=pattern)
    tracked = subprocess.run(
        [git, "ls-files", "-z", "--", str(resolved)],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if tracked.returncode != 0 or tracked.stdout:  # a file forced into the index
        raise VaultError(IN_GIT, path=str(path), top=str(top), pattern=pattern)


class Vault:
    """An opened vault; make one with ``Vault.create`` or ``Vault.open``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = VaultLog(path)

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> Vault:
        """Make a vault at ``path`` (an existing vault is opened instead)."""
        if (path / MARKER).exists():
            return cls.open(path)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise VaultError(
                NOT_A_VAULT,
                path=str(path),
                what="exists, is not empty and is not a vault",
                fix="Choose an empty or new directory for the vault.",
            )
        _check_not_in_git(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
        atomic.write_bytes(path / MARKER, canonical(FORMAT) + b"\n", mode=0o600)
        vault = cls(path)
        vault.log.append("vault.create", {"format": FORMAT["version"]})
        return vault

    @classmethod
    def open(cls, path: Path, expected_head: str | None = None) -> Vault:
        """Open the vault at ``path``, or raise ``VaultError`` saying why it may not be used.

        ``expected_head`` is a log head anchored elsewhere (the last release manifest's
        ``vault_log_head``); it must still be in the log's chain.
        """
        if not path.is_dir():
            raise VaultError(
                NOT_A_VAULT,
                path=str(path),
                what="no such directory",
                fix="Create the vault first, or set COHORTGATE_CUSTODIAN_DIR to its parent.",
            )
        if not (path / MARKER).is_file():
            raise VaultError(
                NOT_A_VAULT,
                path=str(path),
                what=f"no {MARKER}: this directory is not a vault",
                fix="Point to the vault directory itself, or create a vault in a new directory.",
            )
        _check_permissions(path)
        _check_not_in_git(path)
        vault = cls(path)
        if not vault.log.path.exists():
            raise VaultError(
                NOT_A_VAULT,
                path=str(path),
                what="the vault has no log.jsonl",
                fix="Restore the vault from its backup.",
            )
        vault.log.check(expected_head)
        for release in vault._release_dirs():
            keys = release / "keys.json"
            if not keys.is_file():
                raise VaultError(
                    MISSING_KEY, release=release.name, what="no key file", file=str(keys)
                )
        return vault

    def head(self) -> str:
        """The log's head now: what a release manifest records as ``vault_log_head``."""
        return self.log.head()

    # --- keys ------------------------------------------------------------------------------

    def _release_dirs(self) -> list[Path]:
        folder = self.path / "releases"
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def _dir(self, release_id: str) -> Path:
        _check_release_id(release_id)
        return self.path / "releases" / release_id

    def _write(self, path: Path, value: Any) -> bytes:
        data = canonical(value) + b"\n"
        path.parent.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path.parent, 0o700)
        atomic.write_bytes(path, data, mode=0o600)
        return data

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
        self.path.joinpath("releases").mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(mode=0o700)
        data = self._write(folder / "keys.json", record)
        self.log.append(
            "release.keys",
            {"release": release_id, "application": application_id, "keys_sha256": _sha256(data)},
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
        data = self._write(path, {"release": release_id, "members": ids})
        self.log.append(
            "release.members",
            {"release": release_id, "count": len(ids), "members_sha256": _sha256(data)},
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
        written = self._write(folder / "meta.json", dict(meta))
        self.log.append(
            "release.meta",
            {"release": release_id, "fields": len(meta), "meta_sha256": _sha256(written)},
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

    # --- row-level arrays (trace) -------------------------------------------------------------

    def record_arrays(
        self, release_id: str, name: str, arrays: Mapping[str, npt.NDArray[Any]]
    ) -> None:
        """Store named columns of a release (written once). Text columns are stored as
        fixed-width Unicode (a missing value as ''), so that loading needs no pickle."""
        folder = self._known(release_id)
        if not _ARRAYS_NAME.match(name):
            raise VaultError(
                BAD_RECORD, what=f"'{name}' is not a plain array-set name", fix="Use a-z, 0-9, -."
            )
        path = folder / f"{name}.npz"
        if path.exists():
            raise VaultError(
                BAD_RECORD,
                what=f"the arrays '{name}' of {release_id} are already recorded",
                fix="A release's arrays are written once; make a new release instead.",
            )
        plain: dict[str, npt.NDArray[Any]] = {}
        for column, values in arrays.items():
            data = np.asarray(values)
            if data.dtype == object:
                data = np.asarray(["" if v is None else str(v) for v in data], dtype=np.str_)
            plain[column] = data
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **plain)
        written = buffer.getvalue()
        folder.mkdir(mode=0o700, exist_ok=True)
        atomic.write_bytes(path, written, mode=0o600)
        self.log.append(
            "release.arrays",
            {
                "release": release_id,
                "name": name,
                "columns": len(plain),
                "sha256": _sha256(written),
            },
        )

    def arrays(self, release_id: str, name: str) -> dict[str, npt.NDArray[Any]]:
        """The columns stored by ``record_arrays`` (checked against the log's digest)."""
        path = self._known(release_id) / f"{name}.npz"
        if not _ARRAYS_NAME.match(name) or not path.is_file():
            raise VaultError(
                BAD_RECORD,
                what=f"{release_id} has no arrays '{name}'",
                fix="Only releases made by `cohortgate release` hold them.",
            )
        data = path.read_bytes()
        logged = [
            e["details"]
            for e in self.log.entries()
            if e["op"] == "release.arrays"
            and e["details"].get("release") == release_id
            and e["details"].get("name") == name
        ]
        if not logged or logged[-1].get("sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"the arrays '{name}' of {release_id} differ from what the log recorded",
                fix="Restore the vault from its backup.",
            )
        with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
            found = {key: loaded[key] for key in loaded.files}
        self.log.append("release.arrays-read", {"release": release_id, "name": name})
        return found

    def array_sets(self, release_id: str) -> list[str]:
        """The names of the array sets stored for a release, sorted."""
        return sorted(p.stem for p in self._known(release_id).glob("*.npz"))

    # --- opt-outs ----------------------------------------------------------------------------

    # The opt-out registry (R32): participant id -> withdrawal date and a short reason, one
    # file 0600 rewritten atomically; the log holds its digest and the count, never an id.
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
        data = self._write(self.path / self.OPTOUTS, {"optouts": records})
        self.log.append("optout.record", {"count": len(records), "optouts_sha256": _sha256(data)})

    def optouts(self) -> dict[str, date]:
        """Every recorded opt-out: participant id -> withdrawal date (the read is logged)."""
        found = {pid: date.fromisoformat(r["on"]) for pid, r in self._read_optouts().items()}
        self.log.append("optout.read", {"count": len(found)})
        return dict(sorted(found.items()))
