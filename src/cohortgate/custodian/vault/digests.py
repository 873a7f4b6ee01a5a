"""The audit's digest findings: every file of the vault's releases and every package in the
custodian's outbox checked against the SHA-256 the vault's log recorded when it was written.

The log records, per release, the digest of the key file, the member list, each trace array set
and the metadata as stored (sealed or, in an older vault, plain), and of the package sealed for
the recipient (``release.package``); a release manifest records the package's digest too. A file
that is missing, changed, or that nothing records is an error naming the release and the file,
never a participant. Only the stored bytes are hashed: nothing is decrypted here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from cohortgate.custodian.vault.codes import VAULT_FILE_CHANGED
from cohortgate.custodian.vault.sealed import SUFFIX
from cohortgate.custodian.vault.store import Vault
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both

PACKAGE_SUFFIX = ".tar.age"
_DIGEST = {  # log operation -> the detail holding the digest
    "release.keys": "keys_sha256",
    "release.members": "members_sha256",
    "release.meta": "meta_sha256",
    "release.arrays": "sha256",
    "release.package": "sha256",
}
_FILE = {
    "release.keys": "keys.json",
    "release.members": "members.json",
    "release.meta": "meta.json",
}
MISSING = Both(zh="不存在，但保险库日志记录了它", en="is missing, but the vault's log records it")
CHANGED = Both(
    zh="与保险库日志记录的 SHA-256 不符", en="differs from the SHA-256 the vault's log recorded"
)
CHANGED_MANIFEST = Both(
    zh="与其发布清单记录的 SHA-256 不符", en="differs from the SHA-256 its release manifest records"
)
UNRECORDED = Both(zh="未记录在保险库日志中", en="is not recorded in the vault's log")
UNVOUCHED = Both(
    zh="位于发件箱中，但保险库日志和发布清单都没有记录它",
    en="is in the outbox, but neither the vault's log nor a release manifest records it",
)


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def recorded(vault: Vault) -> dict[tuple[str, str], str]:
    """(release, plain file name) -> the last digest the log recorded for it; packages are
    named ``<release>.tar.age``."""
    found: dict[tuple[str, str], str] = {}
    for entry in vault.log.entries():
        op, details = entry["op"], entry["details"]
        if op not in _DIGEST or not isinstance(details.get("release"), str):
            continue
        name = _FILE.get(op) or (
            f"{details.get('name')}.npz" if op == "release.arrays" else str(details.get("name"))
        )
        found[(details["release"], name)] = str(details.get(_DIGEST[op]))
    return found


def digest_findings(
    vault: Vault, outbox: Path | None, manifests: Mapping[str, str | None]
) -> list[Finding]:
    """The vault's release files and the outbox's packages against the recorded digests;
    ``manifests``: release id -> the package digest its manifest records (None: none)."""
    digests = recorded(vault)
    findings: list[Finding] = []

    def changed(release: str, shown: str, problem: Both) -> None:
        findings.append(
            VAULT_FILE_CHANGED.at(shown, release=release, record=shown, problem=problem)
        )

    for (release, name), digest in sorted(digests.items()):
        if name.endswith(PACKAGE_SUFFIX):
            continue
        path = vault._stored(vault.path / "releases" / release, name)
        if not path.is_file():
            changed(release, vault._shown(path), MISSING)
        elif sha256_of(path) != digest:
            changed(release, vault._shown(path), CHANGED)
    for folder in vault._release_dirs():
        for path in sorted(folder.iterdir()):
            plain = path.name.removesuffix(SUFFIX)
            if (folder.name, plain) not in digests:
                changed(folder.name, vault._shown(path), UNRECORDED)
    packages = sorted(outbox.glob(f"*{PACKAGE_SUFFIX}")) if outbox and outbox.is_dir() else []
    for path in packages:
        release = path.name.removesuffix(PACKAGE_SUFFIX)
        shown = f"{outbox.name if outbox else 'outbox'}/{path.name}"
        logged, manifest = digests.get((release, path.name)), manifests.get(release)
        if logged is None and manifest is None:
            changed(release, shown, UNVOUCHED)
            continue
        digest = sha256_of(path)
        if logged is not None and digest != logged:
            changed(release, shown, CHANGED)
        if manifest is not None and digest != manifest:
            changed(release, shown, CHANGED_MANIFEST)
    vault.log.append("vault.verify", {"recorded": len(digests), "problems": len(findings)})
    return findings
