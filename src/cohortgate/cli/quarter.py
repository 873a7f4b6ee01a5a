"""``cohortgate quarter 2026Q4``: the agenda of a quarter's review meeting (R15).

Every pending application complete by the quarter's cut-off, earlier ones carried over, each
with its sign-offs, quorum and the decision the rules allow; the applications decided at this
meeting; those not complete in time. Formats: text, json, markdown.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "quarter"
HELP = "季度审查会议议程 / the agenda of a quarter's review meeting"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("quarter", metavar="YYYYQn", help="e.g. 2026Q4")
    parser.add_argument("--base", default="HEAD", metavar="REV", help="whose rules apply")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format"
    )
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.review.commands import CommandError, quarter_output

    try:
        output = quarter_output(args)
    except CommandError as exc:
        print(f"cohortgate quarter: {exc}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write(output)
    return 0
