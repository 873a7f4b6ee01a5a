"""Codes of committee review (``cohortgate review``, ``quarter``, ``rule-changes``, ``sheet``,
``decide``): sign-offs, quorum, decisions (R1, R13–R15).

A sign-off counts only when every one of these checks passes; each refusal says why and what
the reviewer, the chair or the applicant does next.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

_SIGN = (
    "Commit the sheet alone, signed with the key the roster lists for you: `git add {sheet} && "
    "git -c gpg.format=ssh -c user.signingkey=<your key>.pub commit -S -m 'review'`."
)

# --- the trusted inputs -------------------------------------------------------------------------


# --- score sheets in signed commits -------------------------------------------------------------

SHEET_MISPLACED = declare(
    "review.sheet-misplaced",
    "Not a score sheet",
    "An application's reviews/ folder holds one sheet per reviewer, named <member-id>.yaml "
    "(R13); anything else could be mistaken for a sign-off.",
    "'{name}' is not a score sheet file",
    "Name the sheet reviews/<your member id>.yaml, or remove the file.",
)
SHEET_NAME_MISMATCH = declare(
    "review.sheet-name-mismatch",
    "Sheet file named after another reviewer",
    "The file name says whose sheet it is; it must match the reviewer inside (R13).",
    "the sheet {sheet} names reviewer '{reviewer}'",
    "Rename the file to reviews/{reviewer}.yaml or correct the reviewer field.",
)
SHEET_UNSIGNED = declare(
    "review.sheet-unsigned",
    "Unsigned score sheet",
    "Only a sheet committed in an SSH-signed commit by a roster member counts (R13): anyone "
    "can write an unsigned commit under any name.",
    "the last change to {sheet} (commit {sha}) is not signed",
    _SIGN,
)
SIGNER_UNKNOWN = declare(
    "review.signer-unknown",
    "Signed by a key that is not in the roster",
    "git verifies the signature against an allowed-signers file generated from the roster of "
    "the base commit (R13); a key outside it, or outside its holder's term, is not a member's.",
    "commit {sha} changing {sheet} is signed, but not by a roster key valid then ({detail})",
    "Sign with the key listed for you in rubric/roster.yaml; a new key is added to the roster "
    "first, in its own pull request approved by both chairs.",
)
SIGNATURE_BAD = declare(
    "review.signature-bad",
    "Signature does not verify",
    "A bad signature means the commit changed after it was signed, or the key was revoked (R13).",
    "the signature of commit {sha} changing {sheet} does not verify (git status {status})",
    "Sign the sheet again in a new commit with your current roster key.",
)
SIGNER_NOT_REVIEWER = declare(
    "review.signer-not-reviewer",
    "Signed by someone other than the named reviewer",
    "A sheet speaks for the reviewer it names; only that member's signature makes it theirs "
    "(R13). The author e-mail is never used: anyone can set it.",
    "{sheet} names reviewer '{reviewer}' but commit {sha} is signed by '{signer}'",
    "The named reviewer commits and signs their own sheet; a member writes only reviews/<own "
    "id>.yaml.",
)
SHEET_EDITED_BY_OTHER = declare(
    "review.sheet-edited-by-other",
    "Another member changed a reviewer's sheet",
    "Each sheet is one reviewer's own judgement (R13); a later change signed by another member "
    "does not carry the reviewer's sign-off.",
    "{sheet} was signed by '{reviewer}', then changed in commit {sha} signed by '{signer}'",
    "Revert the change; '{reviewer}' signs any correction of their own sheet.",
)
SHEET_COMMIT_NOT_ALONE = declare(
    "review.sheet-commit-not-alone",
    "The signed commit changes more than the sheet",
    "A sign-off commit touches only the reviewer's sheet, so that a signature can never be "
    "read as approving other changes made in the same commit (R13).",
    "commit {sha} changes {sheet} and also: {others}",
    "Commit the sheet alone, in its own signed commit.",
)
SHEET_NOT_FROM_COMMIT = declare(
    "review.sheet-not-from-commit",
    "The sheet differs from what was signed",
    "The content of a sheet must be exactly what its reviewer signed (R13).",
    "{sheet} at {head} differs from the content signed in commit {sha}",
    "The reviewer signs the sheet again in a commit of its own.",
)

# --- every sign-off, whatever the channel ------------------------------------------------------

SHEET_OTHER_APPLICATION = declare(
    "review.sheet-other-application",
    "Sheet for another application",
    "A sign-off is for one application only; a sheet copied from another folder does not "
    "review this one (R13).",
    "{sheet} reviews application {theirs}, not {ours}",
    "The reviewer reviews {ours} and signs a sheet made for it (`cohortgate sheet {ours} "
    "--reviewer <id>`).",
)
SHEET_STALE = declare(
    "review.sheet-stale",
    "Sheet for an earlier version of the application",
    "A sign-off binds the SHA-256 of the exact files reviewed; the application changed since, "
    "so the sign-off no longer covers it (R13, R15). Dates cannot bind: the signer chooses them.",
    "{sheet} reviewed another version of the application: {changes}",
    "The reviewer reviews the current version and signs an updated sheet (`cohortgate sheet "
    "{application} --reviewer {reviewer}` refreshes the digests).",
    Severity.WARNING,
)
MEMBER_TERM = declare(
    "review.member-term",
    "Reviewer outside their term",
    "Only serving members review (R13): the roster's term dates bound who may sign on a given day.",
    "'{member}' serves from {start} to {end}, not on {day}",
    "A serving member of the {committee} committee reviews instead.",
)
REVIEWER_IS_APPLICANT = declare(
    "review.reviewer-is-applicant",
    "Reviewer on the applying team",
    "Nobody reviews their own application (R13).",
    "'{member}' is {role} of {application}",
    "Another member of the {committee} committee reviews this application.",
)
MEMBER_CONFLICT = declare(
    "review.member-conflict",
    "Reviewer with a conflict of interest",
    "A member from the applicant's or a team member's institution, or who declares an "
    "interest, is excluded from reviewing (R13, R30).",
    "'{member}' has a conflict of interest: {reason}",
    "Another member of the {committee} committee without a conflict reviews this application.",
)
SCORE_UNKNOWN = declare(
    "review.score-unknown",
    "Score for an indicator the rubric does not have",
    "Sheets score the reviewer indicators of rubric/rubric.yaml (R14), nothing else.",
    "'{indicator}' is not an indicator of the rubric",
    "Use one of: {known}.",
)
SCORE_OUT_OF_RANGE = declare(
    "review.score-out-of-range",
    "Score outside the rubric's scale",
    "Every score lies on the rubric's scale (R14).",
    "{indicator} = {value} is outside {low}..{high}",
    "Give a whole number from {low} to {high}.",
)
SCORE_NOT_YOURS = declare(
    "review.score-not-yours",
    "Score outside the reviewer's role",
    "Members review within their own expertise (R13): each reviewer indicator names the "
    "committee (and expertise) that scores it; computed indicators are not scored by hand.",
    "'{member}' scored '{indicator}', which {who}; the score is ignored",
    "Remove the score from the sheet.",
    Severity.WARNING,
)
SCORE_MISSING = declare(
    "review.score-missing",
    "Sheet not complete",
    "A sign-off counts when the reviewer has scored every indicator of their role (R14).",
    "'{member}' has not scored: {missing}",
    "Fill in the scores and sign the sheet again.",
)
DUPLICATE_SIGNOFF = declare(
    "review.duplicate-signoff",
    "Two sign-offs by one member",
    "Each member counts once (R13).",
    "'{member}' signed off twice ({first} and {second}); the signed commit counts",
    "Keep one: the signed sheet, or the pull-request review.",
    Severity.WARNING,
)

# --- quorum and decisions ---------------------------------------------------------------------

DECISION_UNSIGNED = declare(
    "review.decision-unsigned",
    "Decision not signed by a chair",
    "Decisions are recorded by a committee chair in a signed commit that touches only "
    "decision.yaml (R15).",
    "{sheet}: {problem}",
    "The chair records the decision with `cohortgate decide` and commits it alone, signed.",
)
DECISION_OTHER_APPLICATION = declare(
    "review.decision-other-application",
    "Decision for another application",
    "A decision is for the application of its folder (R15).",
    "{sheet} decides {theirs}, not {ours}",
    "Record the decision in the folder of {theirs}.",
)
DECISION_STALE = declare(
    "review.decision-stale",
    "Decision on an earlier version",
    "A decision binds the SHA-256 of the files decided on (R15); the application changed after it.",
    "{sheet} decided another version of the application: {changes}",
    "Revert the change to the application, or review and decide again.",
)
DECISION_NO_QUORUM = declare(
    "review.decision-no-quorum",
    "Decision without quorum",
    "A decision needs the quorum of both committees and the expertise its privacy level "
    "requires (R1, R13).",
    "{sheet}: {problem}",
    "Wait for the missing sign-offs, then record the decision.",
)
DECISION_AGAINST_RULE = declare(
    "review.decision-against-rule",
    "Decision against the rubric's rule",
    "The chair may decide what the rubric's rule allows or something stricter (R14).",
    "{sheet} records '{decision}' but the rule allows only: {allowed}",
    "Record one of the allowed decisions, with the reasons.",
)
DECISION_DATE = declare(
    "review.decision-date",
    "Decision date outside its quarter or in the future",
    "Review meets once a quarter (R15); a decision is dated within its meeting's quarter and "
    "not after today.",
    "{sheet}: decided_on {day} {problem}",
    "Date the decision on the day of the quarter's meeting.",
)
NOT_A_CHAIR = declare(
    "review.not-a-chair",
    "Not a chair",
    "Decisions and approvals of rule changes are signed by the committee chairs (R13, R15).",
    "'{member}' is not a chair in the roster",
    "Ask a chair ({chairs}) to record it.",
)

# --- changes to the rules -----------------------------------------------------------------------

RULE_CHANGE_UNAPPROVED = declare(
    "review.rule-change-unapproved",
    "Rules or workflows changed without both chairs",
    "The rubric, the roster and the workflows decide what counts as approval; a pull request "
    "that changes them needs the signed approval of both chairs of the base branch (R13), or "
    "it could approve itself.",
    "{problem}",
    "Each chair runs `cohortgate approve-change --base {base} --chair <id>` and commits "
    "rubric/approvals/<id>.yaml alone, signed.",
)

# --- one person, one count (models.person) ------------------------------------------------------

SAME_PERSON = declare(
    "review.same-person",
    "Two roster entries for one person",
    "One person counts once towards quorum and scores (R1, R13). Roster entries are one person "
    "when their ORCID iD, a normalised e-mail address (case, +tag and Gmail dots ignored) or "
    "their normalised name agree; only the first of them serving on the day signs.",
    "'{member}' is the same person as {others} ({why}); '{counted}' signs for them",
    "Sign as '{counted}'; the data management committee merges the roster entries, or tells "
    "two namesakes apart in their display names.",
)
CHAIR_EXCLUDED = declare(
    "review.chair-excluded",
    "Chair excluded from deciding",
    "The chair who records a decision obeys the exclusions of the reviewers (R13, R15, R30): "
    "not the applicant, not on the applying team (by ORCID iD, normalised e-mail or name), not "
    "from the applicant's or a team member's institution, no declared conflict of interest, "
    "serving on the day decided.",
    "'{member}' may not decide {application}: {reason}",
    "The chair of the other committee ({others}) records the decision instead.",
)

# --- governed changes (approval.governed) -------------------------------------------------------

GOVERNED_CHANGE_UNAPPROVED = declare(
    "review.governed-change-unapproved",
    "A governed change without both chairs",
    "What decides approvals is listed in approval/governed.py: the rubric and roster, the "
    "workflows and code-owner files, the policy, approval and signature code, each dataset's "
    "privacy classes, release levels and use conditions. A pull request changing any of it "
    "needs the signed approval of both chairs of the base roster (R13), or it could approve "
    "itself.",
    "this change needs the signed approval of both chairs: {why} (not approved by: {missing})",
    "Each chair runs `cohortgate approve-change --base {base} --chair <id>` and commits "
    "rubric/approvals/<id>.yaml alone, signed; or revert the change.",
)
UNBOUND_FILE = declare(  # issue 12: files, sizes and places the sign-offs' digest cannot cover
    "review.unbound-file",
    "File that sign-offs cannot bind",
    "Sign-offs bind the SHA-256 of all files but what follows the review (reviews/, events/, "
    "agreements/, releases/, decision.yaml, agreements.yaml), which only commands write (R13).",
    "{what} {problem}",
    "{fix}",
)
LAPSED_AT_DECISION = declare(  # issue item 4: validity judged on the decision's day
    "review.lapsed-at-decision",
    "Ethics approval or funding not in force on the day of the decision",
    "R3, R30: the ethics approval and the funding must be in force when the committees decide, "
    "not only when the application arrived; the day is the decision's 'decided_on', never the "
    "form's 'submitted'.",
    "{what} runs from {start} to {end}, not on the day of the decision {decided_on}",
    "{fix} Then the committees decide again on the renewed application.",
)
SHEET_FUTURE = declare(  # issue item 4: a sheet dated after today does not count
    "review.sheet-future",
    "Score sheet dated in the future",
    "A score sheet records a review that happened (R13); a 'reviewed_on' after today cannot "
    "have happened yet, so the sheet is no sign-off.",
    "{sheet} is dated {reviewed_on}, after today ({today})",
    "Set reviewed_on to the day of the review (today or earlier) and commit the sheet again, "
    "signed.",
)
