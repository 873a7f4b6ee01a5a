"""Codes of the custodian's vault: the directory outside git that holds per-release keys,
release membership and the hash-chained log of every operation (R25, R31, R32).

The vault raises ``VaultError`` carrying one of these codes; the CLI turns it into one line and
an exit code, or into a finding on the vault's path.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

NOT_A_VAULT = declare(
    "vault.not-a-vault",
    "Not a custodian vault",
    "Per-release keys and the list of who went into each release live in a vault directory "
    "on the custodian's machine, never in git (R25, R31). The command needs an existing vault, "
    "or an empty place to create one.",
    "{where}: {what}",
    "{fix}",
)
PERMISSIONS = declare(
    "vault.permissions",
    "Vault readable by others",
    "The vault holds the keys that undo pseudonyms and date shifts (R26, R27, R31); only its "
    "owner may read it: the directory mode 0700, every file 0600.",
    "{where} has mode {mode:04o}: group or others may {access} it",
    "Run `chmod {want} {where}` (and check who could have read it meanwhile).",
)
IN_GIT = declare(
    "vault.in-git",
    "Vault inside a git work tree",
    "Keys and participant lists must never reach git (R25, R31): a vault inside a work tree "
    "is allowed only where git ignores it.",
    "{where} is inside the git work tree {top} and git does not ignore it",
    "Move the vault outside the repository (set COHORTGATE_CUSTODIAN_DIR), or add "
    "'{pattern}' to {top}/.gitignore.",
)
MISSING_KEY = declare(
    "vault.missing-key",
    "Release keys missing or damaged",
    "Every release has its own pseudonym, date-shift and watermark keys in the vault (R25, UK "
    "Biobank's per-project keys); without them a release cannot be traced or repeated.",
    "release {release}: {what}",
    "Restore {file} from the custodian's backup of the vault; never make new keys for an "
    "existing release.",
)
LOG_BROKEN = declare(
    "vault.log-broken",
    "Vault log chain broken",
    "Every vault operation appends to a hash-chained log; an edited, deleted, reordered, "
    "inserted or truncated entry breaks the chain (R31: the custodian's trace of releases).",
    "{where}: {problem}",
    "Do not release from this vault: restore the vault from its backup and compare the log "
    "with the head recorded in the last release manifest.",
)
RELEASE_EXISTS = declare(
    "vault.release-exists",
    "Release id already used",
    "A release id names one set of keys and one set of participants for ever (R25); it is "
    "never reused.",
    "release {release} already has keys in the vault",
    "Use the next sequence number (R-<year>-<nnnn>-<mm+1>) for a new release.",
)
UNKNOWN_RELEASE = declare(
    "vault.unknown-release",
    "Release not in the vault",
    "Membership and metadata belong to a release whose keys were made in this vault (R31).",
    "release {release} is not in the vault {where}",
    "Check the release id, or make the release's keys first.",
)
BAD_RECORD = declare(
    "vault.bad-record",
    "Record refused by the vault",
    "The vault stores keys, participant lists and small metadata only; its log holds no "
    "participant-level data (R31).",
    "{what}",
    "{fix}",
)
IDENTITY_MISSING = declare(
    "vault.identity-missing",
    "Custodian identity missing",
    "The vault's release keys, member lists and trace arrays are encrypted with age to the "
    "custodian's identity, a key kept outside the vault (R25, R31): tracing a release, a "
    "participant's report and the audit decrypt them with it.",
    "custodian identity {where}: no such file, so the vault's keys and member lists cannot be "
    "decrypted",
    "Restore the identity from the custodian's offline backup to {where} (`chmod 600`), or set "
    "COHORTGATE_CUSTODIAN_IDENTITY to where it is; never make a new one for an existing vault.",
)
IDENTITY_UNSAFE = declare(
    "vault.identity-unsafe",
    "Custodian identity kept unsafely",
    "The custodian's identity decrypts every release key and member list (R25, R31). Like an "
    "ssh key it is refused when others may read it, when it sits inside the vault (a copy of "
    "the vault would carry its own key) or inside a git work tree (one commit would publish it).",
    "custodian identity {where}: {problem}",
    "{fix}",
)
IDENTITY_WRONG = declare(
    "vault.identity-wrong",
    "Custodian identity does not open the vault",
    "A vault's secrets are encrypted to the identity recorded when the vault was made (its "
    "public key is in the vault's log, R31); another key cannot decrypt them.",
    "custodian identity {where} cannot decrypt this vault: {problem}",
    "Use the identity this vault was made with (restore it from the custodian's offline "
    "backup, or set COHORTGATE_CUSTODIAN_IDENTITY to it); a new identity never opens records "
    "encrypted to the old one.",
)
IDENTITY_CREATED = declare(
    "vault.identity-created",
    "New custodian identity made",
    "On first use cohortgate makes the custodian's identity (an age X25519 key, like "
    "`ssh-keygen`): the vault's release keys and member lists are encrypted to it (R25, R31).",
    "made a new custodian identity {where} (public key {recipient}); the vault's secrets are "
    "encrypted to it",
    "Back it up offline now (on paper or an encrypted USB key, kept apart from the vault's "
    "backups): if it is lost, no release can be traced and no participant report written.",
    Severity.WARNING,
)
PLAINTEXT = declare(
    "vault.plaintext",
    "Vault records not encrypted",
    "An older cohortgate stored release keys and member lists unencrypted in the vault; they "
    "are still read (their digests are in the log) but only the vault's permissions protect "
    "them (R25, R31).",
    "{vault}: {count} record(s) were written unencrypted by an older cohortgate",
    "Keep this vault's backups as secret as the vault itself; new records are encrypted to "
    "the custodian identity.",
    Severity.WARNING,
)
# The identity problems that stop a command reading the vault (exit 2, like a missing vault).
IDENTITY_CODES = frozenset({IDENTITY_MISSING.id, IDENTITY_UNSAFE.id, IDENTITY_WRONG.id})
VAULT_UNUSABLE = declare(
    "audit.vault-unusable",
    "Vault cannot be audited",
    "The vault's log is hash-chained and its files recorded in the log (R25, R31); a vault that "
    "does not open cleanly cannot vouch for any release.",
    "{problem}",
    "{fix}",
)
VAULT_HEAD_MISSING = declare(
    "audit.vault-head-missing",
    "Manifest's vault log head not in the chain",
    "Each release manifest anchors the vault log's head at release time (R25): the anchored "
    "hash must still be an entry of the chain, or the log was rewritten or truncated since.",
    "release {release} anchors vault log head {head}, which is not in the vault's log",
    "Restore the vault from the backup taken at or after the release, and investigate who "
    "rewrote the log.",
)
RELEASE_NOT_IN_VAULT = declare(
    "audit.release-not-in-vault",
    "Release unknown to the vault",
    "Every published release has its keys and members in the vault (R25, R31); without them it "
    "cannot be traced and participants cannot be told about it.",
    "release {release} has a manifest in git but no entry in the vault",
    "Restore the release's folder of the vault from its backup.",
)
VAULT_RELEASE_UNPUBLISHED = declare(
    "audit.vault-release-unpublished",
    "Vault release without a manifest",
    "A release in the vault normally has a public manifest in git (R18); one without is a "
    "release that failed before publishing, or a manifest that was removed.",
    "the vault holds release {release}, but git has no manifest for it",
    "Publish the manifest if the data left; otherwise note why the release was abandoned.",
    Severity.WARNING,
)
RELEASE_AFTER_WITHDRAWAL = declare(
    "audit.release-after-withdrawal",
    "Release includes withdrawn participants",
    "A participant's withdrawal applies to every release made after it (R32): nobody who "
    "withdrew before a release's day may be among its members.",
    "release {release} (made {made}) includes {count} participant(s) who had withdrawn before",
    "Ask the recipient to delete those participants' rows (`cohortgate trace` finds them), "
    "record the incident, and check that `cohortgate release` reads the opt-out registry.",
)
OPTOUTS_UNAVAILABLE = declare(
    "audit.optouts-unavailable",
    "Opt-out check skipped",
    "The opt-out registry (R32) is read from the vault; this vault has none to read.",
    "the vault offers no opt-out registry: releases were not checked against withdrawals",
    "Update cohortgate on the custodian's machine, then run the audit again.",
    Severity.WARNING,
)
VAULT_FILE_CHANGED = declare(
    "audit.vault-file-changed",
    "Vault file or package changed",
    "The vault's log records the SHA-256 of every release's key file, member list and trace "
    "arrays, and of the package sealed for the recipient, as they were written (R25, R31); a "
    "file that no longer matches was replaced or edited since.",
    "release {release}: {record} {problem}",
    "Do not send, trace or report from it: restore {record} from the custodian's backup, and find "
    "out who changed it.",
)
