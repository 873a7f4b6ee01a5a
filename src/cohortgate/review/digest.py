"""The SHA-256 of every file of an application, as committed: what a sign-off binds.

An application folder holds the form, its attachments and what follows the review. The latter is
not part of what is reviewed: the score sheets (``reviews/``), the decision (``decision.yaml``),
the agreements generated from it and their signed copies (``agreements/``,
``agreements.yaml``), the release manifests (``releases/``) and the lifecycle events
(``events/``). Everything else is, so a changed attachment makes every earlier sign-off stale
just as a changed form does.
"""

from __future__ import annotations

from git import Commit

from cohortgate.review.gitread import files_under, sha256

REVIEWS = "reviews"
DECISION = "decision.yaml"
EVENTS = "events"
AFTER_REVIEW_FOLDERS = (REVIEWS, EVENTS, "agreements", "releases")
AFTER_REVIEW_FILES = (DECISION, "agreements.yaml")
NOT_REVIEWED = tuple(f"{name}/" for name in AFTER_REVIEW_FOLDERS)


def is_reviewed_file(relative: str) -> bool:
    """True for a file (relative to the application folder) that sign-offs cover."""
    return relative not in AFTER_REVIEW_FILES and not relative.startswith(NOT_REVIEWED)


def application_digests(commit: Commit, folder: str) -> dict[str, str]:
    """{path relative to the folder: SHA-256} of the reviewed files at ``commit``, sorted."""
    prefix = folder.rstrip("/") + "/"
    digests: dict[str, str] = {}
    for path, blob in files_under(commit, folder):
        relative = path.removeprefix(prefix)
        if is_reviewed_file(relative):
            digests[relative] = sha256(bytes(blob.data_stream.read()))
    return digests


def differences(signed: dict[str, str], current: dict[str, str]) -> list[str]:
    """What changed from ``signed`` to ``current``, one phrase per file, sorted by file."""
    phrases: list[str] = []
    for name in sorted(set(signed) | set(current)):
        if name not in current:
            phrases.append(f"{name} removed")
        elif name not in signed:
            phrases.append(f"{name} added")
        elif signed[name] != current[name]:
            phrases.append(f"{name} changed")
    return phrases
