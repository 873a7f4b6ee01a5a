"""``cohortgate sheet SUBMISSION --reviewer ID``: write the reviewer's score sheet.

The sheet names the application, the reviewer and the SHA-256 of every application file as
committed at HEAD, with the indicators of the reviewer's role to score. Run again after the
application changed: the digests are refreshed, scores and comments kept. The reviewer then
commits the sheet alone, signed.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "sheet"
HELP = "为评审委员生成评分表 / write a reviewer's score sheet for an application"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument("--reviewer", required=True, metavar="ID", help="your member id")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day of the review")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.review.commands import CommandError, write_sheet

    try:
        path = write_sheet(args.root, args.submission, args.reviewer, args.today)
    except CommandError as exc:
        print(f"cohortgate sheet: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"wrote {path}: score it, then commit it alone, signed (git commit -S)")
    return 0
