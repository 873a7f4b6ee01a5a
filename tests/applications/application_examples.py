"""The application example corpus: each case is an application folder and the findings it gives.

See ``examples/README.md`` for how a case is laid out. In short: the case folder is copied to
``submissions/2026/A-2026-0100/`` of a fresh repository that holds a copy of the real
``catalog/`` and ``rubric/``; an optional ``setup.yaml`` adds files, sibling applications,
symbolic links and a blacklist; ``cohortgate validate`` (its ``collect``) runs on the case;
``expected.txt`` is the text rendering of the findings.

``COHORTGATE_UPDATE_GOLDEN=1 pytest tests/applications/test_application_examples.py`` rewrites every
``expected.txt`` from the current output; review the diff by eye before committing it.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cohortgate.applications.collect import collect
from cohortgate.findings import Finding
from cohortgate.layout import Layout

EXAMPLES = Path(__file__).parent / "examples"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_FOLDER = "submissions/2026/A-2026-0100"
# Files of a case folder that describe the case rather than belong to the application.
CONTROL = frozenset({"expected.txt", "setup.yaml", "siblings"})
SETUP_KEYS = frozenset(
    {"folder", "copy", "files", "symlinks", "sparse", "remove", "validate", "note"}
)
UPDATE_GOLDEN = os.environ.get("COHORTGATE_UPDATE_GOLDEN") == "1"
RECEIVED = date(2026, 3, 9)  # the day every case's pull request was opened (and checked)


def cases(kind: str) -> list[Path]:
    folder = EXAMPLES / kind
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def setup_of(case: Path) -> dict[str, Any]:
    path = case / "setup.yaml"
    data = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
    setup: dict[str, Any] = data or {}
    unknown = set(setup) - SETUP_KEYS
    if unknown:
        raise ValueError(f"{case.name}/setup.yaml: unknown keys {sorted(unknown)}")
    return setup


def _source(case: Path, name: str) -> Path:
    """A ``copy`` source: ``base/<name>`` in examples/, anything else in the case folder."""
    return EXAMPLES / name if name.startswith("base/") else case / name


def build_root(case: Path, root: Path) -> tuple[Layout, list[Path]]:
    """A repository with the real catalog and rubric and the case in place; the paths that
    the case validates."""
    setup = setup_of(case)
    shutil.copytree(REPO / "catalog", root / "catalog", ignore=shutil.ignore_patterns("stats"))
    shutil.copytree(REPO / "rubric", root / "rubric")
    folder = root / setup.get("folder", DEFAULT_FOLDER)
    shutil.copytree(
        case, folder, symlinks=True, ignore=lambda d, names: [n for n in names if n in CONTROL]
    )
    for item in setup.get("copy", []):
        source, target = _source(case, item["from"]), root / item["to"]
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    for rel, text in (setup.get("files") or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    for link in setup.get("symlinks", []):
        path = root / link["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(link["target"])
    for grown in setup.get("sparse", []):  # large files in no time and no disk: a hole
        path = root / grown["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            handle.truncate(int(grown["size"]))
    for rel in setup.get("remove", []):
        target = root / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    paths = [root / rel for rel in setup.get("validate", [folder.relative_to(root).as_posix()])]
    return Layout(root), paths


def run_case(case: Path, root: Path) -> list[Finding]:
    lay, paths = build_root(case, root)
    # Every case is a pull request opened on RECEIVED (`validate --received`, as the
    # applications workflow passes it), checked that day: the findings never depend on the clock.
    return collect(lay, paths, received=RECEIVED, today=RECEIVED)
