"""``cohortgate approve-change --base REV --chair ID --reason TEXT``: a chair's approval of the
governed changes (``approval/governed.py``: the rules, the workflows, the code-owner files, the
policy and approval code, the datasets' privacy classes ...) between the base and HEAD, bound by
SHA-256 (``rubric/approvals/<chair>.yaml``). The chair then commits it alone, signed."""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "approve-change"
HELP = (
    "主任委员批准规则、工作流或政策的改动 / a chair approves a change to the rules, workflows "
    "or policy"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REV", help="the target branch's commit")
    parser.add_argument("--chair", required=True, metavar="ID", help="your member id")
    parser.add_argument("--reason", required=True, help="why the change is approved")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day of the approval")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.review.commands import CommandError, write_approval

    try:
        path = write_approval(args)
    except CommandError as exc:
        print(f"cohortgate approve-change: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"wrote {path}: commit it alone, signed (git commit -S)")
    return 0
