"""``cohortgate validate [PATHS...]``: check the catalog and the applications.

With no paths everything is checked: the catalog, the audit of its published statistics and
every application under ``submissions/``. A path is dispatched by its kind: the repository root
means everything; ``catalog/`` (or a file that only makes sense whole) the catalog; a dataset
YAML (inside ``catalog/datasets/`` or a proposed one elsewhere) is checked in the context of
the catalog and only its findings are shown; ``submissions/``, a year folder, an application
folder or an ``application.yaml`` are checked as applications.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options
from cohortgate.findings import has_errors
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import layout

NAME = "validate"
HELP = "校验目录、统计与申请 / check the catalog, its statistics and the applications"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to check (default: the catalog and every application)",
    )
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    # Imported here: every command loads this module to build the parser.
    from cohortgate.applications.collect import collect

    lay = layout(args.root)
    try:
        findings = collect(lay, list(args.paths))
    except ValueError as exc:
        print(f"cohortgate validate: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
