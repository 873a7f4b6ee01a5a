"""``cohortgate review SUBMISSION``: the committees' view of one application (R13–R15).

Verifies every sign-off (signed score sheets in git; optionally pull-request reviews recorded
from GitHub's API) against the roster and rubric of the BASE commit, and prints the score sheet,
the computed indicators with their evidence, the fee estimate, the quorum, who is excluded and
why, and the decision the rules allow. ``--format markdown`` is the pull-request comment;
``json`` the whole report; ``github`` the findings as annotations. Exit 1 when a sign-off or
decision is refused (an error finding), 2 when the review cannot run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options

NAME = "review"
HELP = "委员会审查：评分、签核、法定人数与可作的决定 / committee review of one application"
FORMATS = ("text", "json", "markdown", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument(
        "--base",
        default="HEAD",
        metavar="REV",
        help="the trusted commit whose roster and rubric apply (default: HEAD; in a pull "
        "request: the target branch's commit)",
    )
    parser.add_argument(
        "--head", default="HEAD", metavar="REV", help="the commit under review (default: HEAD)"
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day of the review (default: today)"
    )
    parser.add_argument(
        "--github-reviews",
        type=Path,
        metavar="FILE",
        help="pull-request reviews as GitHub's REST API returns them (`cohortgate fetch-reviews`)",
    )
    parser.add_argument(
        "--head-sha",
        metavar="SHA",
        help="the pull request's head commit the GitHub reviews must be given on (default: --head)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.gitread import early

    early.start(str(args.root or Path.cwd()), args.head)  # git walks while the rest imports
    try:
        from cohortgate.review.run import ReviewUsageError, run_review

        try:
            output, failed = run_review(args)
        except ReviewUsageError as exc:
            print(f"cohortgate review: {exc}", file=sys.stderr)
            return 2
    finally:
        early.discard()
    sys.stdout.write(output)
    return 1 if failed else 0
