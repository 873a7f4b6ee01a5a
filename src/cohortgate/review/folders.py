"""The application folders committed at a commit, and when each version arrived."""

from __future__ import annotations

import re
from datetime import date

from git import Commit, Repo, Tree

from cohortgate.submission import AFTER_REVIEW_FILES, AFTER_REVIEW_FOLDERS

_ID = re.compile(r"^A-(20[0-9]{2})-[0-9]{4}$")


def application_folders(head: Commit) -> list[str]:
    """``submissions/<year>/<id>`` folders holding an application.yaml at ``head``, sorted."""
    try:
        submissions = head.tree / "submissions"
    except KeyError:
        return []
    found: list[str] = []
    for year in submissions.trees if isinstance(submissions, Tree) else []:
        for folder in year.trees:
            if _ID.fullmatch(folder.name) and any(
                b.name == "application.yaml" for b in folder.blobs
            ):
                found.append(str(folder.path))
    return sorted(found)


def version_date(repo: Repo, head: Commit, folder: str) -> date | None:
    """The committer date of the newest change to the reviewed files of ``folder``."""
    names = (*AFTER_REVIEW_FOLDERS, *AFTER_REVIEW_FILES)
    excluded = [f":(exclude){folder}/{name}" for name in names]
    output = repo.git.log("-1", "--format=%cs", head.hexsha, "--", folder, *excluded).strip()
    return date.fromisoformat(output) if output else None
