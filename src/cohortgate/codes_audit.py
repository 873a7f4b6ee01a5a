"""Codes of ``cohortgate audit``: the whole history verified offline, from git and the vault
(issue 6, item 7; R15, R17, R18, R22, R25, R31, R32).

The audit re-checks what each step rested on when it was taken: a decision on valid sign-offs,
a release on an approving decision for the version released and on both signed agreements, a
closing on verified destruction; with the vault, that no release made after a participant
withdrew includes them and that the vault's log still holds every head a manifest anchored.
"""

from cohortgate.codes import declare
from cohortgate.findings import Severity

DECISION_UNBACKED = declare(
    "audit.decision-unbacked",
    "Decision not backed by valid sign-offs",
    "Every recorded decision must rest on valid sign-offs when it was made (R13–R15): judged as "
    "`cohortgate review` judges it, with the roster, rubric and score sheets as committed in the "
    "commit that recorded the decision.",
    "the decision recorded in commit {commit} was not valid then: {problem}",
    "Record a new decision signed by a chair after a valid review (`cohortgate decide`), and "
    "find out how the invalid one reached the default branch.",
)
RELEASE_WITHOUT_DECISION = declare(
    "audit.release-without-decision",
    "Release without an approving decision",
    "Data leave only for the version of an application the committees approved (R15, R18): at "
    "the commit that added the manifest, a valid 'approve' decision must name exactly the "
    "application's files as they were then.",
    "release {release} (added in commit {commit}) {problem}",
    "Stop using the release: ask the recipient to destroy it, record the violation, and release "
    "again only after a valid 'approve' decision on the current version.",
)
RELEASE_WITHOUT_AGREEMENTS = declare(
    "audit.release-without-agreements",
    "Release before the signed agreements",
    "Both agreements of R17 (data use and confidentiality) must be recorded in agreements.yaml, "
    "signed no later than the day of the release, before any data leave.",
    "release {release} (added in commit {commit}) {problem}",
    "Record both signed agreements (`cohortgate agreements`) before releasing; for this release "
    "ask the recipient to destroy the data until they are signed.",
)
MANIFEST_CHANGED = declare(
    "audit.manifest-changed",
    "Release manifest changed after the release",
    "A release manifest is the public record of what left (R18, R25): written once, never "
    "edited or deleted.",
    "the manifest of {release} was changed or removed after commit {commit} ({changes} later "
    "change(s))",
    "Restore the manifest as committed in {commit}; record a correction as a new release.",
)
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
