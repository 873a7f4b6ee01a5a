"""Everything ``cohortgate validate`` checks for some paths: the catalog, the disclosure audit of
its published statistics and the applications, each path dispatched by its kind.

With no paths everything is checked. The repository root means everything; ``catalog/`` (or a
file that only makes sense whole) the catalog; a dataset YAML (inside ``catalog/datasets/`` or a
proposed one elsewhere) is checked in the context of the catalog and only its findings are
shown; ``submissions/``, a year folder, an application folder or an ``application.yaml`` are
checked as applications.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from cohortgate.findings import Finding, sort_findings
from cohortgate.layout import Layout


class PathKind(StrEnum):
    """What a path given on the command line is; each kind has its own validation."""

    ROOT = "root"  # the repository root: everything
    CATALOG = "catalog"  # catalog/ or a file that only makes sense whole
    DATASET = "dataset"  # one dataset YAML, in catalog/datasets/ or a proposal elsewhere
    APPLICATION = "application"  # submissions/, a year folder, an application or its form


def path_kind(lay: Layout, path: Path) -> PathKind | None:
    from cohortgate.applications.validate import is_application_path

    resolved = path.resolve()
    if resolved == lay.root.resolve():
        return PathKind.ROOT
    if resolved in (
        lay.catalog.resolve(),
        lay.datasets.resolve(),
        lay.stats.resolve(),
        lay.institutions.resolve(),
    ):
        return PathKind.CATALOG
    if is_application_path(lay, path):
        return PathKind.APPLICATION
    if resolved.suffix in (".yaml", ".yml") and resolved.is_file():
        return PathKind.DATASET
    if resolved.suffix == ".json" and resolved.parent == lay.stats.resolve():
        return PathKind.CATALOG
    return None


def audit_stats(lay: Layout) -> list[Finding]:
    """The disclosure audit of ``catalog/stats/`` (R26, R28)."""
    # Imported here: its solver (scipy) takes longer to import than checking an application.
    from cohortgate.disclosure.audit import audit_catalog_stats

    return audit_catalog_stats(lay, memo=True)


def collect(
    lay: Layout, paths: list[Path], *, received: date | None = None, today: date | None = None
) -> list[Finding]:
    """Every finding for ``paths`` (everything when empty). Raises ValueError on a path that is
    neither part of the catalog, a dataset file nor an application. Applications are judged on
    the day they were ``received`` (``applications.dating``), else as of ``today``."""
    kinds: dict[Path, PathKind] = {}
    for path in paths:
        kind = path_kind(lay, path)
        if kind is None and not path.exists():
            raise ValueError(f"{path}: no such file or folder")
        if kind is None:
            raise ValueError(
                f"{path}: not a catalog folder, dataset YAML, statistics file or application"
            )
        kinds[path] = kind
    everything = not paths or PathKind.ROOT in kinds.values()
    datasets = [p for p, k in kinds.items() if k is PathKind.DATASET]
    applications = [p for p, k in kinds.items() if k is PathKind.APPLICATION]
    findings: list[Finding] = []
    # Imported here, not at the top: every command loads this module to build the parser, and
    # checking an application needs none of the catalog's own checks.
    if everything or datasets or PathKind.CATALOG in kinds.values():
        from cohortgate.catalog.checks import validate_catalog
    if everything or PathKind.CATALOG in kinds.values():
        findings += validate_catalog(lay, extra=datasets) + audit_stats(lay)
    elif datasets:
        shown = {lay.rel(p) for p in datasets}
        findings += [f for f in validate_catalog(lay, extra=datasets) if f.file in shown]
    if everything or applications:
        from cohortgate.applications.validate import validate_applications

        # the datasets are loaded as the checks ask for them (all of them for every application)
        findings += validate_applications(
            lay, None if everything else applications, received=received, today=today
        )
    return sort_findings(findings)
