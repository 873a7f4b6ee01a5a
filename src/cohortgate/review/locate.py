"""Which application a command-line argument names: an id, a folder or its form."""

from __future__ import annotations

import re
from pathlib import Path

from cohortgate.layout import Layout

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
