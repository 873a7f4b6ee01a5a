"""``cohortgate decide SUBMISSION --chair ID --decision D --quarter Q --reasons TEXT``.

Writes ``decision.yaml`` for a chair, bound to the application's committed files, only when the
quorum is met and the rubric's rule allows the decision (the rule's outcome or a stricter one).
The chair then commits it alone, signed. Exit 1 with the reason when the rules refuse it.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "decide"
HELP = "主任委员记录季度会议的决定 / a chair records the quarterly meeting's decision"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument("--chair", required=True, metavar="ID", help="your member id")
    parser.add_argument(
        "--decision", required=True, choices=("approve", "revise", "reject"), help="the decision"
    )
    parser.add_argument("--quarter", required=True, metavar="YYYYQn", help="e.g. 2026Q4")
    parser.add_argument("--reasons", required=True, help="the reasons, as minuted")
    parser.add_argument(
        "--condition", action="append", default=[], help="a condition of approval (repeatable)"
    )
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day of the meeting")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.review.commands import CommandError, write_decision

    try:
        path = write_decision(args)
    except CommandError as exc:
        print(f"cohortgate decide: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"wrote {path}: commit it alone, signed (git commit -S)")
    return 0
