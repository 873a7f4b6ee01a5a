"""Codes of the lifecycle (``cohortgate track``, ``cohortgate event``) and of its audit
(``cohortgate audit``): signed event files, the transitions they make, and the whole history
verified offline (R15, R17–R25, R31, R32).

An event counts only when it is a well-named file, committed alone and never changed, in a
commit signed by someone holding the role for its kind, dated neither in the future nor before
the events committed before it; and when the transition table allows it in the state the
application is in. Each refusal says what to do instead. The audit re-checks what each step
rested on when it was taken: a decision on valid sign-offs, a release on an approving decision
for the version released and on both signed agreements, a closing on verified destruction.
"""

from cohortgate.findings.codes import declare
from cohortgate.policy import MAX_EXTENSIONS

_COMMIT = (
    "Commit the event file alone, signed with your key: `git add {event} && git -c "
    "gpg.format=ssh -c user.signingkey=<your key>.pub commit -S -m 'event'`."
)

# --- the event file ------------------------------------------------------------------------------

EVENT_NAME = declare(
    "lifecycle.event-name",
    "Not an event file name",
    "Events are files events/<yyyy-mm-dd>-<kind>[-n].yaml; the name must agree with "
    "the file's 'at' and 'kind' so that the folder lists the history in order.",
    "'{name}' {problem}",
    "Name it events/{expected}.yaml (`cohortgate event` writes it for you), or move the file out "
    "of events/ if it is not an event.",
)
EVENT_OTHER_APPLICATION = declare(
    "lifecycle.event-other-application",
    "Event names another application",
    "An event belongs to the folder it is filed in (R19–R25).",
    "the event names {theirs}, but it is filed under {ours}",
    "Move the file to the folder of {theirs}, or correct 'application' to {ours}.",
)
EVENT_ATTACHMENT = declare(
    "lifecycle.event-attachment",
    "Attachment missing or changed",
    "An event binds its attachments (charts, manuscript, certificate) by SHA-256 (R19, R22); "
    "the committed file must be exactly the one signed for.",
    "attachment {name} {problem}",
    "Commit the attachment in the application's events/ folder before the event, then write "
    "the event again with `cohortgate event` (it fills in the digests).",
)

# --- who signed it ------------------------------------------------------------------------------

EVENT_UNSIGNED = declare(
    "lifecycle.event-unsigned",
    "Event not validly signed",
    "Each event is a signed statement: a commit signed with a key of the roster or of "
    "rubric/applicants.yaml on the base branch, touching only the event file. Unsigned, forged "
    "or tampered events do not count.",
    "{problem}",
    _COMMIT,
)
EVENT_CHANGED = declare(
    "lifecycle.event-changed",
    "Event changed after it was filed",
    "Events are a record: once committed, an event file is never changed, renamed or deleted "
    ". A correction is a new event.",
    "{event} was changed by {count} commits ({commits})",
    "Restore the file as first committed and file a new event for the correction.",
)
EVENT_ROLE = declare(
    "lifecycle.event-role",
    "Signed by someone without the role",
    "Each kind of event has one role that may sign it: the applicant (outputs, "
    "extension request, completion notice, destruction certificate), the data management "
    "committee (extension granted, expiry, destruction verified) or a chair (closure, "
    "violation).",
    "a '{kind}' event must be signed by {role}; {problem}",
    "Ask {role} to write the event (with 'by' naming themselves) and commit it signed with "
    "their own key.",
)

# --- time ----------------------------------------------------------------------------------------

EVENT_FUTURE = declare(
    "lifecycle.event-future",
    "Event dated in the future",
    "An event records what happened; a date after today cannot have happened yet.",
    "the event is dated {day}, after today ({today})",
    "File the event on the day it happens, dated that day.",
)
EVENT_OUT_OF_ORDER = declare(
    "lifecycle.event-out-of-order",
    "Event dated before an earlier event",
    "Events are committed in the order they happen; a later commit dated before an "
    "event already filed would rewrite the history.",
    "the event is dated {day}, before {previous} ({earlier}) committed before it",
    "Date the event the day it is filed (after {earlier}), or remove it.",
)

# --- the transition table ------------------------------------------------------------------------

ILLEGAL_TRANSITION = declare(
    "lifecycle.illegal-transition",
    "Step not allowed in this state",
    "The lifecycle is one state machine (R17–R22): each step is allowed only in the "
    "states the transition table lists, e.g. no release before the agreements are signed.",
    "'{step}' on {day} is not allowed in state '{state}'",
    "Allowed in '{state}': {allowed}. Complete those steps first, or remove the step.",
)
GUARD_FAILED = declare(
    "lifecycle.guard-failed",
    "Step refused by the rules",
    "Some steps need more than the right state (R17–R22): a pending extension request "
    "before a grant, a new end after the current one, the period over before an expiry, an "
    "approving decision before the agreements.",
    "'{step}' on {day} is refused: {problem}",
    "{fix}",
)
EXTENSION_LIMIT = declare(
    "lifecycle.extension-limit",
    "Too many extensions",
    f"R20: extensions by written request, at most {MAX_EXTENSIONS} (policy.MAX_EXTENSIONS).",
    "'{step}' on {day} would be extension {number}; at most {limit} are allowed (R20)",
    "File the outputs, or let the committee record the expiry (R21).",
)
NO_DESTRUCTION = declare(
    "lifecycle.no-destruction",
    "Closing without a verified destruction",
    "R22: the user destroys the data and proves it in writing; the data centre checks the "
    "destruction. An application closes only when that is done for every release.",
    "closing on {day}: no verified destruction certificate for {releases}",
    "File the destruction certificate for each release (applicant), have the data centre "
    "verify it (destruction-verified), then close.",
)
UNKNOWN_RELEASE = declare(
    "lifecycle.unknown-release",
    "Release does not exist",
    "R22: a destruction certificate proves the destruction of one release of this "
    "application; a release that was never made cannot be destroyed.",
    "'{step}' on {day} names release {release}, which this application does not have "
    "(releases: {known})",
    "Name one of the application's releases (releases/<release-id>.yaml).",
)
REQUIREMENT_MISSING = declare(
    "lifecycle.requirement-missing",
    "Earlier step missing",
    "Some steps follow others (R22): the destruction certificate follows the completion "
    "notice, the verification follows the certificate.",
    "'{step}' on {day} needs '{needs}' before it",
    "File '{needs}' first.",
)

# --- inputs --------------------------------------------------------------------------------------

APPLICANT_KEY = declare(
    "lifecycle.applicant-key",
    "Unusable applicant key",
    "Applicants sign their events with the key rubric/applicants.yaml lists for their e-mail; "
    "a key that cannot go into git's allowed-signers file would make every signature unknown.",
    "{email}: {problem}",
    "Correct the entry in rubric/applicants.yaml: the applicant's own e-mail (not a roster "
    "principal) with their valid ssh-ed25519 public key (`ssh-keygen -y -f <private key>` "
    "prints it).",
)


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
    "Record both signed agreements (`cohortgate agreements`) before any release. For this "
    "release, ask the recipient to destroy the data, and release again once both are signed.",
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
