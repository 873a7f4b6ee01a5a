"""``cohortgate audit --vault``, the custodian's side: the vault checked against git's releases.

Given the releases git records (``ReleaseAnchor``: id, manifest path, day made, anchored log
head; the CLI builds them from the public audit), this checks that

- the vault opens cleanly: permissions, not in git, every release's key file, and the log's
  hash chain intact with ``log.head`` matching its last entry (``Vault.open``; what it
  recovered of a killed command is reported as a warning);
- every release's key file, member list, trace arrays and metadata, and every package in the
  custodian's outbox, still has the SHA-256 the log recorded (and a package the one its
  manifest records), with nothing unrecorded beside them (``digests``);
- the custodian's identity opens the vault's sealed records (``Vault.check_identity``): a
  missing, unsafe or wrong identity is its own finding (``IDENTITY_CODES``: the CLI exits 2);
- each manifest's ``vault_log_head`` is still an entry of the chain (a rewritten or truncated
  log loses the anchor);
- each published release is in the vault, and each vault release is published (a warning:
  a release may fail before its manifest is written);
- no release includes a participant who withdrew before the day it was made (R32), from the
  vault's opt-out registry (``Vault.optouts``) and each release's members. Findings give counts,
  never participant ids: audit output may end up in a CI log.

Every read goes through the vault's own methods, so the audit's reads are logged like any other.
This module imports nothing from review or CI code (see tests/test_boundaries.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cohortgate.custodian.vault import codes as C
from cohortgate.custodian.vault.digests import digest_findings
from cohortgate.custodian.vault.store import Vault, VaultError
from cohortgate.findings import Finding

VAULT = "vault"  # where vault findings point (the vault is outside git; its path is local)


@dataclass(frozen=True)
class ReleaseAnchor:
    release: str
    path: str  # the manifest in git
    created_on: date
    vault_log_head: str
    package_sha256: str | None = None  # the sealed package's digest in the manifest, if any


def _refusal(error: VaultError) -> Finding:
    """An identity problem as itself (on the identity file), any other as an unusable vault."""
    if error.code.id in C.IDENTITY_CODES:
        return error.finding(str(error.params["where"]))
    return C.VAULT_UNUSABLE.at(VAULT, problem=error.message, fix=error.hint)


def audit_vault(
    path: Path,
    anchors: Sequence[ReleaseAnchor],
    *,
    outbox: Path | None = None,
    identity: Path | None = None,
) -> list[Finding]:
    """The vault's findings; [] when it vouches for every release. ``outbox``: the custodian's
    folder of sealed packages; ``identity``: the custodian identity (None: the configured one)."""
    try:
        vault = Vault.open(path, identity=identity)
    except VaultError as error:
        return [_refusal(error)]
    findings: list[Finding] = list(vault.recovered)
    packages = {a.release: a.package_sha256 for a in anchors}
    findings += digest_findings(vault, outbox, packages)
    chain = {str(entry["hash"]) for entry in vault.log.entries()}
    for anchor in anchors:
        if anchor.vault_log_head not in chain:
            findings.append(
                C.VAULT_HEAD_MISSING.at(
                    anchor.path, release=anchor.release, head=anchor.vault_log_head[:12]
                )
            )
    held = set(vault.releases())
    published = {a.release: a for a in anchors}
    for release in sorted(set(published) - held):
        findings.append(C.RELEASE_NOT_IN_VAULT.at(published[release].path, release=release))
    for release in sorted(held - set(published)):
        findings.append(C.VAULT_RELEASE_UNPUBLISHED.at(VAULT, release=release))
    optouts: Callable[[], Mapping[str, date]] | None = getattr(vault, "optouts", None)
    if optouts is None:
        return [*findings, C.OPTOUTS_UNAVAILABLE.at(VAULT)]
    try:
        vault.check_identity()  # the member lists are sealed: no check without the identity
        withdrawn = optouts()
        for release in sorted(set(published) & held):
            anchor = published[release]
            if not withdrawn:
                break
            count = sum(
                1
                for member in vault.members(release)
                if member in withdrawn and withdrawn[member] < anchor.created_on
            )
            if count:
                findings.append(
                    C.RELEASE_AFTER_WITHDRAWAL.at(
                        anchor.path,
                        release=release,
                        made=anchor.created_on.isoformat(),
                        count=count,
                    )
                )
    except VaultError as error:
        findings.append(_refusal(error))
    return findings
