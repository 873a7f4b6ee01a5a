"""Codes of the participants' rights on the custodian's side: the opt-out registry (R32) and the
participant report (R33, R35).

Messages name the participant id: they are printed on the custodian's machine only, never
committed or published.
"""

from cohortgate.findings.codes import declare

UNKNOWN_PATIENT = declare(
    "participants.unknown-patient",
    "Participant not in the cohort",
    "Opt-outs (R32) and participant reports (R33) concern a participant of the cohort; an id "
    "the cohort does not hold is refused rather than recorded or reported on.",
    "participant {patient} is not in the cohort {cohort}",
    "Check the id against the cohort (cohort record ids look like P00000042), or point "
    "--cohort at the right database.",
)
NO_BROAD_CONSENT = declare(
    "participants.no-broad-consent",
    "Participant gave no broad consent",
    "Withdrawal ends a broad consent for future research (R32). A participant without a "
    "broad consent date is never extracted into a release, so there is no consent to withdraw.",
    "participant {patient} has no broad consent date in the cohort's consent table",
    "Correct the consent table at the source if the consent exists; otherwise no opt-out is "
    "needed: the participant is never extracted.",
)
OUTSIDE_WINDOW = declare(
    "participants.outside-window",
    "Withdrawal outside the broad-consent window",
    "R32: broad consent for future research comes with a window in which a participant may "
    "withdraw (custodian/participants/policy.py: WITHDRAWAL_WINDOW_YEARS from the broad "
    "consent date). A date outside it is refused and nothing is recorded.",
    "withdrawal on {on} is outside the window {start} .. {end} of participant {patient}",
    "Check the date on the signed withdrawal form. After the window the participant's "
    "request goes to the data management committee, which renews or ends the consent in the "
    "cohort's consent table at the source.",
)
FUTURE_DATE = declare(
    "participants.future-date",
    "Withdrawal dated in the future",
    "An opt-out records a withdrawal that has happened (R32); a future date would hide the "
    "participant from releases made before it.",
    "withdrawal on {on} is after today ({today})",
    "Record the withdrawal on the day it was signed (--on YYYY-MM-DD, today or earlier).",
)
ALREADY_OPTED_OUT = declare(
    "participants.already-opted-out",
    "Opt-out already recorded",
    "The opt-out registry holds one withdrawal per participant (R32); it is never rewritten, "
    "so every release and audit sees the same date.",
    "participant {patient} already withdrew on {on}",
    "Nothing to do: the participant is left out of every later release and statistics run.",
)
RELEASE_RECORD = declare(
    "participants.release-record",
    "Release record unreadable",
    "A participant report lists every project that received the participant's data (R33) "
    "from the vault's membership and the release manifest, application and events in git; "
    "a report that silently left a release out would mislead the participant.",
    "release {release}: {problem}",
    "{fix}",
)
REPORT_IN_GIT = declare(
    "participants.report-in-git",
    "Report folder inside git",
    "A participant report names one participant and the projects that used their data: it "
    "stays in the custodian zone and never reaches git (R33).",
    "{folder} is inside the git work tree {top} and git does not ignore it",
    "Write the report into the custodian zone (default: custodian/reports/), or choose "
    "--out outside the repository.",
)
