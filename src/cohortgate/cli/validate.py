"""``cohortgate validate [PATHS...]``: check the catalog and the applications.

With no paths everything is checked: the catalog, the audit of its published statistics and
every application under ``submissions/``. A path is dispatched by its kind: the repository root
means everything; ``catalog/`` (or a file that only makes sense whole) the catalog; a dataset
YAML (inside ``catalog/datasets/`` or a proposed one elsewhere) is checked in the context of
the catalog and only its findings are shown; ``submissions/``, a year folder, an application
folder or an ``application.yaml`` are checked as applications.

Ethics approval and funding are judged on the day the application was received, never on the
form's 'submitted': ``--received`` (the applications workflow passes the time GitHub recorded
when the pull request was opened), else the data management office's signed 'received' event,
else today (``--today``), which the findings then say.
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
    parser.add_argument(
        "--received",
        metavar="YYYY-MM-DD",
        help="the day the application was received, or a timestamp with its offset "
        "(2026-03-05T01:30:00Z, as GitHub records a pull request's creation); default: the "
        "office's signed 'received' event, else today",
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day of the check (default: today)"
    )
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    # Imported here: every command loads this module to build the parser.
    from datetime import date

    from cohortgate.applications.collect import collect
    from cohortgate.applications.dating import received_day

    lay = layout(args.root)
    try:
        received = None if args.received is None else received_day(args.received)
        today = None if args.today is None else date.fromisoformat(args.today)
    except ValueError:
        print(
            "cohortgate validate: --received and --today take YYYY-MM-DD "
            "(--received also a timestamp with its offset, 2026-03-05T01:30:00Z)",
            file=sys.stderr,
        )
        return 2
    try:
        findings = collect(lay, list(args.paths), received=received, today=today)
    except ValueError as exc:
        print(f"cohortgate validate: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
