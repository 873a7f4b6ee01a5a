"""``cohortgate validate [PATHS...]``: check the catalog (and, later, submissions).

With no paths the whole catalog is checked, including the audit of its published statistics.
A path is dispatched by its kind: the repository root or ``catalog/`` means the whole catalog;
a dataset YAML (inside ``catalog/datasets/`` or a proposed one elsewhere) is checked in the
context of the catalog, and only its findings are shown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from cohortgate.catalog.checks import validate_catalog
from cohortgate.cli import options
from cohortgate.findings import Finding, has_errors, sort_findings
from cohortgate.layout import Layout, layout
from cohortgate.render import REPORTER_BY_NAME

NAME = "validate"
HELP = "校验目录与统计 / check the catalog: schema, codes, privacy classes, statistics"


class PathKind(StrEnum):
    """What a path given on the command line is; each kind has its own validation.
    (Submissions, added by a later issue, become a kind of their own here.)"""

    CATALOG = "catalog"  # the repository root, catalog/ or a file that only makes sense whole
    DATASET = "dataset"  # one dataset YAML, in catalog/datasets/ or a proposal elsewhere


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to check (default: the whole catalog)",
    )
    options.add_format(parser)
    options.add_root(parser)


def path_kind(lay: Layout, path: Path) -> PathKind | None:
    resolved = path.resolve()
    if resolved in (
        lay.root.resolve(),
        lay.catalog.resolve(),
        lay.datasets.resolve(),
        lay.stats.resolve(),
        lay.institutions.resolve(),
    ):
        return PathKind.CATALOG
    if resolved.suffix in (".yaml", ".yml") and resolved.is_file():
        return PathKind.DATASET
    if resolved.suffix == ".json" and resolved.parent == lay.stats.resolve():
        return PathKind.CATALOG
    return None


def audit_stats(lay: Layout) -> list[Finding]:
    """The disclosure audit of ``catalog/stats/`` (R26, R28), where that package provides it."""
    try:
        from cohortgate.disclosure.audit import audit_catalog_stats
    except ImportError:
        return []
    audit: Callable[[Layout], list[Finding]] = audit_catalog_stats
    return audit(lay)


def collect(lay: Layout, paths: list[Path]) -> list[Finding]:
    """Every finding for ``paths`` (the whole catalog when empty). Raises ValueError on a path
    that is neither part of the catalog nor a dataset file."""
    kinds = {}
    for path in paths:
        kind = path_kind(lay, path)
        if kind is None and not path.exists():
            raise ValueError(f"{path}: no such file or folder")
        if kind is None:
            raise ValueError(f"{path}: not a catalog folder, dataset YAML or statistics file")
        kinds[path] = kind
    datasets = [p for p, k in kinds.items() if k is PathKind.DATASET]
    whole = not paths or PathKind.CATALOG in kinds.values()
    findings = validate_catalog(lay, extra=datasets)
    if whole:
        return sort_findings(findings + audit_stats(lay))
    shown = {lay.rel(p) for p in datasets}
    return [f for f in findings if f.file in shown]


def run(args: argparse.Namespace) -> int:
    lay = layout(args.root)
    try:
        findings = collect(lay, list(args.paths))
    except ValueError as exc:
        print(f"cohortgate validate: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
