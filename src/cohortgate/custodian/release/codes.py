"""Codes of the custodian's release and of its agreements: approval, agreements signed, period,
recipient, cohort (R15–R18, R25, R31)."""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

# --- before anything is extracted (R15, R17, R25) -------------------------------------------

NO_APPROVAL = declare(
    "release.not-approved",
    "No approval to release",
    "R13, R15, R16: data leave only for an application the committees approved; the release "
    "verifies it again from git at the commit it releases from, as `cohortgate review` does: "
    "the decision signed by a serving chair, a quorum of signed sheets committed before it, "
    "the rubric's rule allowing it, every file bound by its digests; it must say approve.",
    "{problem}",
    "Release only after the quarterly meeting recorded 'approve' for the current version of "
    "the application (`cohortgate review <id>` shows the decision and whether it is valid).",
)
UNCOMMITTED = declare(
    "release.uncommitted",
    "The application on disk is not the approved version",
    "R16: the release uses exactly the version of the application that was approved: every "
    "reviewed file and the decision in the working tree must be the ones committed at the "
    "commit the approval is verified at.",
    "{relative} {state} (commit {commit}): the release uses only the approved version",
    "`git status` shows the change; put the committed file back (`git restore --source "
    "{commit} -- <file>`). A change the applicant wants is reviewed and decided again.",
)
BLACKLISTED = declare(
    "release.blacklisted",
    "Someone on the team is blacklisted",
    "R25: no data for a person or institution on the blacklist (rubric/blacklist.yaml).",
    "{who} is on the blacklist since {since}: {reason}",
    "No release while the entry stands; the committee reviews it on its review date.",
)
PERIOD_OVER = declare(
    "release.period-over",
    "Access period over",
    "R19, R20: data are released within the approved period of use; after its end (and the "
    "extensions the rules allow) nothing more leaves.",
    "the access period ended on {end} (today is {today})",
    "Ask for an extension first (at most {max_extensions} in all, R20), or close the application.",
)
BAD_RECIPIENT = declare(
    "release.bad-recipient",
    "Not an age public key",
    "R31: a release is encrypted to its recipient's own age key (X25519), 'age1…'.",
    "{problem}",
    "Ask the recipient for the public key `age-keygen` printed (it starts with 'age1').",
)
COHORT_UNUSABLE = declare(
    "release.cohort-unusable",
    "The cohort database cannot be used",
    "R16: releases are extracted from the custodian's cohort database.",
    "{problem}",
    "Point --cohort at the cohort's DuckDB file (`cohortgate cohort generate` makes one).",
)
ENCLAVE_ONLY = declare(
    "release.enclave",
    "Released into an enclave workspace",
    "R18, R29: level L3 and genetic data never leave as a portable file: the approved "
    "variables go into a workspace on the custodian's side that the recipient reaches by "
    "remote desktop or in the safe room.",
    "{release} prepared as an enclave workspace ({rows} rows in {tables} table(s))",
    "Grant the recipient access to the workspace; nothing is sent.",
    Severity.WARNING,
)


# --- generating the texts ---------------------------------------------------------------------

NOT_APPROVED = declare(
    "agreement.not-approved",
    "No approval to write agreements for",
    "R17: only approved applicants sign the data use and confidentiality agreements; the "
    "agreements are generated from the chair's decision on that very application.",
    "the decision {decision_of} is '{outcome}' for {application}; agreements need an approval "
    "of {expected}",
    "Generate the agreements from the approving decision.yaml of {expected}, recorded after "
    "the quarterly meeting.",
)
BAD_PERIOD = declare(
    "agreement.bad-period",
    "Impossible period of use",
    "R19, R20: the agreement states the period of use; it starts on or after the day of the "
    "approval and ends on or after its start.",
    "{problem}",
    "Give an access start on or after {decided_on} and an access end on or after the start.",
)
DELIVERY_NOT_ALLOWED = declare(
    "agreement.delivery-not-allowed",
    "Delivery method not allowed for these data",
    "R18: L3 data and children's genetic data never leave as a portable file; they are used "
    "only inside the data centre's enclave (local database, remote desktop, safe room, "
    "blockchain-backed access).",
    "{reason} must be delivered through an enclave, not by '{delivery}'",
    "Revise the application's delivery to one of: {allowed}; the academic committee "
    "decides on the revised application.",
)

# --- recording the signed copies --------------------------------------------------------------

NOT_GENERATED = declare(
    "agreement.not-generated",
    "Agreement text not generated",
    "R17: a signed copy is recorded against the exact text generated for the application "
    "(agreements/*.md), so that what was signed can be checked later.",
    "{text} does not exist or is not a regular file",
    "Generate the agreements for the application first, then record the signed copy.",
)
SIGNED_COPY_UNSAFE = declare(
    "agreement.signed-copy-unsafe",
    "Signed copy is not a file of the application folder",
    "R17: the signed copies are kept with the application; a link or a file elsewhere can "
    "change without the record noticing.",
    "signed copy {copy}: {why}",
    "Copy the signed agreement itself (not a link) into the application's folder, e.g. "
    "agreements/signed/, and record that file.",
)
UNSIGNED_COPY = declare(
    "agreement.unsigned-copy",
    "Signed copy is the unsigned text",
    "R17: the record proves that the parties signed; the generated text or PDF itself "
    "proves nothing.",
    "{copy} is byte for byte the generated {generated}, not a signed copy",
    "Record the scan or the digitally signed PDF that carries the parties' signatures.",
)
NO_PARTIES = declare(
    "agreement.no-parties",
    "Nobody named as signing",
    "R17: the agreements bind the data centre, the applicant's institution and the people "
    "who use the data; the record names who signed.",
    "the {kind} agreement is recorded without the parties who signed it",
    "Name every signing party: the data centre, the institution and each person.",
)

# --- complete before a release ----------------------------------------------------------------

NOT_SIGNED = declare(
    "agreement.not-signed",
    "Agreement not signed",
    "R17: approved applicants sign a data use agreement and a confidentiality agreement "
    "before any data are delivered; the release refuses until both are recorded.",
    "the {kind} agreement of {application} has no signed copy on record",
    "Have the parties sign {pdf}, put the signed copy in the application's folder and "
    "record it in agreements.yaml.",
)
WRONG_APPLICATION = declare(
    "agreement.wrong-application",
    "Agreements recorded for another application",
    "R17: the signed agreements are kept with the application they are for.",
    "agreements.yaml names {named}, but it is in the folder of {application}",
    "Record the signed agreements of {application} in its own folder.",
)
SIGNED_COPY_CHANGED = declare(
    "agreement.signed-copy-changed",
    "Signed copy changed since it was recorded",
    "R17, R26: the digest recorded when the signed copy was filed must still match; "
    "otherwise the copy on file is not the one the parties signed.",
    "{copy} now has SHA-256 {now}, recorded was {recorded}",
    "Restore the signed copy from the original, or have the agreement signed again and "
    "record the new copy.",
)
TEXT_CHANGED = declare(
    "agreement.text-changed",
    "Agreement text changed since signing",
    "R17: the parties signed one version of the text; when the application, the decision or "
    "the terms change, the text generated now differs and must be signed again.",
    "the {kind} agreement generated now (SHA-256 {now}) is not the version signed ({signed})",
    "Have the parties sign the current text ({text}) and record the new signed copy.",
)
LAPSED = declare(  # issue item 4: validity judged at the decision and on the release day
    "release.approval-lapsed",
    "Ethics approval or funding not in force",
    "R3, R30: no data leave unless the ethics approval and the funding were in force on the day "
    "of the decision and still are on the day of the release; the form's 'submitted' counts "
    "for neither.",
    "{what} runs from {start} to {end}, not on {when} {day}",
    "{fix} A renewed application needs a new decision before any release.",
)
JOINED_UNPROTECTABLE = declare(
    "release.joined-unprotectable",
    "The joined release cannot be protected",
    "R28: the release is de-identified as its recipient joins it (every table linked by the "
    "pseudonym, visit histories included), and with the releases the recipient already holds; "
    "when no generalisation within the suppression budgets meets the policy, nothing leaves.",
    "{problem}",
    "Request fewer dated tables or fewer quasi-identifiers, a narrower selection, or an enclave "
    "(L3) release where the data stay with the custodian.",
)
RERELEASE_REASON = declare(
    "release.rerelease-reason",
    "A re-release needs a recorded reason",
    "R19, R20: data are released once per approval; a further release inside the access "
    "period is an exception the custodian records with its reason, and it counts in the "
    "application's lifecycle.",
    "{application} already received {earlier}; a further release needs a reason",
    'Run the release again with --reason "why the recipient needs a new copy" (at most '
    "{limit} re-release(s) per application).",
)
RERELEASE_LIMIT = declare(
    "release.rerelease-limit",
    "Too many re-releases",
    "R19, R20: the number of re-releases per application is limited by policy; beyond it the "
    "application must be decided again.",
    "{application} has had {count} release(s) ({earlier}); policy allows {limit} re-release(s)",
    "Ask the committees for a new decision (a new application or a revision) instead.",
)
UNFINISHED = declare(
    "release.unfinished",
    "An earlier release was not finished",
    "A release is made when its manifest, the last file it writes, exists; one the vault "
    "records without a manifest was stopped while writing (killed, or a full disk) and nobody "
    "received it. It is not counted as a release, not joined with later ones, and what it left "
    "is removed before the new release is made.",
    "{releases} stopped before writing the manifest: not delivered; {removed} leftover file(s) "
    "removed",
    "Nothing to do; the vault keeps its record, and `cohortgate audit --vault` lists it as "
    "not published.",
    Severity.WARNING,
)
