"""The application folders committed at a commit, and when each version arrived.

A version is a change to the reviewed files (``layout.is_reviewed_file``): the walk asks the rule
itself, and git's pathspec leaves out exactly the same paths (``layout.NOT_REVIEWED``: the
after-review folders, and the two after-review files together with anything named like them).
"""

from __future__ import annotations

import re
from datetime import date

from git import Commit, Repo

from cohortgate.gitread.history import history, newest_change
from cohortgate.gitread.read import paths_under
from cohortgate.layout import NOT_REVIEWED, is_reviewed_file

_ID = re.compile(r"^A-(20[0-9]{2})-[0-9]{4}$")


def application_folders(head: Commit) -> list[str]:
    """``submissions/<year>/<id>`` folders holding an application.yaml at ``head``, sorted."""
    found: list[str] = []
    for path in paths_under(head, "submissions"):
        parts = path.split("/")
        if len(parts) == 4 and parts[3] == "application.yaml" and _ID.fullmatch(parts[2]):
            found.append("/".join(parts[:3]))
    return sorted(found)


def version_date(repo: Repo, head: Commit, folder: str) -> date | None:
    """The committer date of the newest change to the reviewed files of ``folder``."""
    if history(repo, head).walk.linear:
        prefix = folder + "/"
        newest = newest_change(
            repo, head, folder, lambda path: is_reviewed_file(path.removeprefix(prefix))
        )
        return newest[1] if newest else None
    excluded = [f":(exclude){folder}/{name.rstrip('/')}" for name in NOT_REVIEWED]
    output = repo.git.log("-1", "--format=%cs", head.hexsha, "--", folder, *excluded).strip()
    return date.fromisoformat(output) if output else None
