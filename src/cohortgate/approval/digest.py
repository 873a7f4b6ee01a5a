"""The SHA-256 of every file of an application, as committed: what a sign-off binds.

Which files are reviewed is the rule of ``cohortgate.layout``: everything but what follows
the review, so a changed attachment makes every earlier sign-off stale just as a changed form
does.
"""

from __future__ import annotations

from git import Commit

from cohortgate.gitread.read import files_under, sha256
from cohortgate.layout import is_reviewed_file


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
