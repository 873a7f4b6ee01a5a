"""Where things live in a cohortgate repository, and on the custodian's machine.

Public zone (in git, may be published): ``catalog/``, ``submissions/``, ``rubric/``, ``site/``.
Custodian zone (never in git, never on the site): the directory named by
``COHORTGATE_CUSTODIAN_DIR``, by default ``custodian/`` at the repository root, which
``.gitignore`` keeps out of git except for its README.

An application folder, ``submissions/<year>/<id>/``, as both sides of the trust boundary see it:
the form and its attachments, then what follows the review: the score sheets (``reviews/``),
the decision (``decision.yaml``), the agreements and their signed copies (``agreements/``,
``agreements.yaml``), the release manifests (``releases/``) and the lifecycle events
(``events/``). Sign-offs and decisions bind the SHA-256 of the reviewed files only
(``is_reviewed_file``): the committees' review code reads them from git, the custodian's release
code from the working tree, both by this one rule.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def institutions(self) -> Path:
        return self.catalog / "institutions.yaml"

    @property
    def datasets(self) -> Path:
        return self.catalog / "datasets"

    @property
    def stats(self) -> Path:
        return self.catalog / "stats"

    @property
    def submissions(self) -> Path:
        return self.root / "submissions"

    @property
    def rubric(self) -> Path:
        return self.root / "rubric"

    @property
    def site_sources(self) -> Path:
        return self.root / "site"

    @property
    def schemas(self) -> Path:
        return self.root / "site" / "schemas"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def custodian(self) -> Path:
        env = os.environ.get("COHORTGATE_CUSTODIAN_DIR")
        return Path(env) if env else self.root / "custodian"

    @property
    def cohort_db(self) -> Path:
        return self.custodian / "cohort.duckdb"

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes, for findings."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.name


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that holds ``catalog/`` and ``mkdocs.yml``.

    The search stops at the top of the git repository that ``start`` is in: a repository
    nested in another (a test's, a benchmark's) is never mistaken for its parent.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "catalog").is_dir() and (candidate / "mkdocs.yml").is_file():
            return candidate
        if (candidate / ".git").exists():
            break
    return here


def layout(root: Path | None = None) -> Layout:
    return Layout(root.resolve() if root else find_root())


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
