"""An application folder, as both sides of the trust boundary see it.

``submissions/<year>/<id>/`` holds the form and its attachments, then what follows the review:
the score sheets (``reviews/``), the decision (``decision.yaml``), the agreements and their
signed copies (``agreements/``, ``agreements.yaml``), the release manifests (``releases/``) and
the lifecycle events (``events/``). Sign-offs and decisions bind the SHA-256 of the reviewed
files only (``is_reviewed_file``): the committees' review code reads them from git, the
custodian's release code from the working tree, both by this one rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from cohortgate.layout import Layout

REVIEWS = "reviews"
DECISION = "decision.yaml"
EVENTS = "events"
AFTER_REVIEW_FOLDERS = (REVIEWS, EVENTS, "agreements", "releases")
AFTER_REVIEW_FILES = (DECISION, "agreements.yaml")
NOT_REVIEWED = tuple(f"{name}/" for name in AFTER_REVIEW_FOLDERS)


def is_reviewed_file(relative: str) -> bool:
    """True for a file (relative to the application folder) that sign-offs cover."""
    return relative not in AFTER_REVIEW_FILES and not relative.startswith(NOT_REVIEWED)


_ID = re.compile(r"^A-(20[0-9]{2})-[0-9]{4}$")
_RELATIVE = re.compile(r"^submissions/(20[0-9]{2})/(A-\1-[0-9]{4})(/application\.yaml)?/?$")


def application_folder(lay: Layout, argument: str) -> str:
    """``submissions/<year>/<id>`` (repository-relative, POSIX); ValueError says what to pass."""
    if _ID.fullmatch(argument):
        return f"submissions/{argument[2:6]}/{argument}"
    if match := _RELATIVE.fullmatch(argument):  # as the repository names it
        return f"submissions/{match.group(1)}/{match.group(2)}"
    path = Path(argument)
    if path.name == "application.yaml":
        path = path.parent
    resolved = path.resolve()
    try:
        parts = resolved.relative_to(lay.root.resolve()).as_posix().split("/")
    except ValueError:
        parts = []
    if len(parts) != 3 or parts[0] != "submissions" or not _ID.fullmatch(parts[2]):
        raise ValueError(
            f"'{argument}' is not an application: pass its id (A-2026-0001) or its folder "
            "(submissions/<year>/<id>)"
        )
    return "/".join(parts)
