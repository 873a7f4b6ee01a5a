"""Where things live in a cohortgate repository, and on the custodian's machine.

Public zone (in git, may be published): ``catalog/``, ``submissions/``, ``rubric/``, ``site/``.
Custodian zone (never in git, never on the site): the directory named by
``COHORTGATE_CUSTODIAN_DIR``, by default ``custodian/`` at the repository root, which
``.gitignore`` keeps out of git except for its README.
"""

from __future__ import annotations

import os
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
