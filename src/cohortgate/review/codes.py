"""Codes of the second sign-off channel: pull-request reviews read through GitHub's REST API (R13).

A committee member signs off on GitHub by submitting a pull-request review on the head commit
whose body holds a fenced ``cohortgate-review`` block with their score sheet
(``cohortgate.review.github_reviews``). These codes say why such a review does not count.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

UNKNOWN_LOGIN = declare(
    "github.unknown-login",
    "Review by someone who is not on the roster",
    "Only members of the committees in the base branch's roster sign off (R1, R13); a "
    "GitHub login counts only when a member's 'github' field names it.",
    "the {state} review by '{login}' does not count: no member of rubric/roster.yaml has this "
    "GitHub login",
    "If '{login}' is a committee member, the chairs add the login to their 'github' field in "
    "rubric/roster.yaml (in its own pull request); otherwise nothing needs to change.",
    Severity.WARNING,
)
STALE_REVIEW = declare(
    "github.stale-review",
    "Review given on an earlier commit",
    "A sign-off holds for the exact version reviewed (R13): a review submitted before the "
    "latest push may not have seen the current application.",
    "{member}'s review was given on commit {commit}, not on the pull request's head {head}",
    "{member}: review the current version and submit the review again on the latest commit.",
    Severity.WARNING,
)
APPROVAL_WITHOUT_SHEET = declare(
    "github.approval-without-sheet",
    "Approval without a score sheet",
    "A sign-off carries the reviewer's scores, recommendation and reasons (R13, R14); an "
    "approval alone says none of that.",
    "{member} approved the pull request, but the review has no ```cohortgate-review block",
    "{member}: submit the review again with the score sheet in a fenced block that opens with "
    "```cohortgate-review (`cohortgate sheet` prints one to fill in).",
)
SHEET_UNCLOSED = declare(
    "github.sheet-unclosed",
    "Score block not closed",
    "The score sheet in a review is a fenced block; without its closing fence the end of the "
    "sheet is unknown (R13).",
    "the ```cohortgate-review block opened on line {opened} is never closed",
    "End the block with a line of three backticks (```).",
)
SEVERAL_SHEETS = declare(
    "github.several-sheets",
    "More than one score block in a review",
    "One review is one reviewer's sign-off on one application (R13); two sheets in it would "
    "leave open which one counts.",
    "the review holds {count} ```cohortgate-review blocks",
    "Keep one score block per review; review each application in the pull request separately.",
)
OTHER_APPLICATION = declare(
    "github.other-application",
    "Score sheet for another application",
    "A sign-off binds to one application (R13); a sheet naming another application was "
    "copied or posted on the wrong pull request.",
    "the sheet is for application {sheet_application}, not {application}",
    "Write 'application: {application}' and score this application; a sheet is never copied "
    "from another application.",
)
REVIEWER_MISMATCH = declare(
    "github.reviewer-mismatch",
    "Sheet names another reviewer",
    "Each member signs off only for themselves (R13): the sheet's reviewer must be the member "
    "whose GitHub account submitted the review.",
    "the sheet names reviewer '{named}', but the review was submitted by {login}, who is "
    "member '{member}'",
    "Write 'reviewer: {member}'; every member submits their own review.",
)
STATE_MISMATCH = declare(
    "github.state-mismatch",
    "Review state contradicts the recommendation",
    "GitHub's review state and the sheet's recommendation must say the same (R14): only an "
    "'Approve' review recommends approval, and an 'Approve' review cannot recommend "
    "revision or rejection.",
    "{member}'s sheet recommends '{recommendation}', but the review was submitted as {state}",
    "{fix}",
)
