"""``cohortgate changed --base REV --head REV``: the application folders a change touches.

Prints one folder per line (``submissions/<year>/<id>``, relative to the repository root), or
NUL-separated with ``--null`` for scripts; the pull-request workflow passes them to
``cohortgate validate``. Folders removed by the change are named on stderr, as are the changed
paths outside any application folder. Exit 0 (also when nothing changed), 2 when a revision or
the repository cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options
from cohortgate.layout import layout

NAME = "changed"
HELP = "列出改动涉及的申请文件夹 / list the application folders that changed between two commits"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REV", help="the target branch's commit")
    parser.add_argument(
        "--head", default="HEAD", metavar="REV", help="the proposed commit (default: HEAD)"
    )
    parser.add_argument(
        "--null", action="store_true", help="end each folder with NUL instead of a newline"
    )
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    # GitPython is imported here, not at the top: every other command loads this module too.
    from cohortgate.ci.changes import ChangesError, changed_applications

    lay = layout(args.root)
    try:
        changes = changed_applications(lay.root, args.base, args.head)
    except ChangesError as exc:
        print(f"cohortgate changed: {exc}", file=sys.stderr)
        return 2
    end = "\0" if args.null else "\n"
    sys.stdout.write("".join(folder + end for folder in changes.folders))
    for folder in changes.removed:
        print(f"removed, nothing to validate: {folder}", file=sys.stderr)
    if changes.other:
        print(
            f"{len(changes.other)} changed path(s) outside application folders "
            "(reviewed by their code owners)",
            file=sys.stderr,
        )
    return 0
