"""The example corpus: each case is a folder of catalog files and the findings it must give.

A case folder holds dataset YAML files (copied to ``catalog/datasets/``), optionally its own
``institutions.yaml`` (else ``base/institutions.yaml`` is used), and ``expected.txt``: the text
rendering of the findings. ``invalid/`` cases must give at least one error, ``valid/`` cases
none (warnings allowed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cohortgate.catalog.checks import validate_catalog
from cohortgate.findings import Finding
from cohortgate.layout import Layout

EXAMPLES = Path(__file__).parent / "examples"
BASE_INSTITUTIONS = EXAMPLES / "base" / "institutions.yaml"


def cases(kind: str) -> list[Path]:
    return sorted(p for p in (EXAMPLES / kind).iterdir() if p.is_dir())


def build_root(case: Path, root: Path) -> Layout:
    """A repository root whose catalog holds the case's files."""
    lay = Layout(root)
    lay.datasets.mkdir(parents=True)
    own = case / "institutions.yaml"
    shutil.copy(own if own.is_file() else BASE_INSTITUTIONS, lay.institutions)
    for path in sorted(case.glob("*.yaml")):
        if path.name != "institutions.yaml":
            shutil.copy(path, lay.datasets / path.name)
    return lay


def run_case(case: Path, root: Path) -> list[Finding]:
    return validate_catalog(build_root(case, root))
