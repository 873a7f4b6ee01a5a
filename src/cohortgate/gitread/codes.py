"""Codes of reading git: revisions, the git binary, trusted files at the base commit (R13)."""

from cohortgate.findings import Severity  # noqa: F401
from cohortgate.findings.codes import declare

TRUSTED_MISSING = declare(
    "review.trusted-missing",
    "Rules missing on the base commit",
    "The roster and the rubric are read from the base commit only, never from the change "
    "under review (R13); without them no sign-off can be verified.",
    "{what} does not exist at {ref}",
    "Merge {what} into the base branch first (in its own pull request, approved by both "
    "chairs); review reads it only from there.",
)
GIT_UNAVAILABLE = declare(
    "review.git-unavailable",
    "Not a git repository",
    "Sign-offs are verified from the signed commits that recorded them (R13): review needs the "
    "repository's history.",
    "{problem}",
    "Run the command inside a clone of the repository with its full history (`git fetch "
    "--unshallow` in CI).",
)
BAD_REF = declare(
    "review.bad-ref",
    "Unknown git revision",
    "Review compares the change (head) with the trusted rules of the base commit (R13).",
    "'{ref}' is not a commit of this repository",
    "Pass a branch, tag or commit that exists here (fetch it first in CI).",
)
