"""``cohortgate release SUBMISSION --recipient age1…``: the custodian's release (R13, R15–R18,
R25, R28, R31, R32). Runs on the custodian's machine only.

Before anything is extracted, proves the approval from git at the commit released from (HEAD,
or ``--at REV``) as ``cohortgate review`` does, and refuses, with the review's findings and
exit 1, a decision that is unsigned, not a serving chair's, stale, without quorum or not
allowed by the rule, or not approve; an application folder on disk that differs from that
commit; an application whose agreements are not signed, whose team has a blacklisted member
whose access period is over, or a re-release without a
--reason or beyond the policy's limit; a requested variable the cohort lacks; a cohort file that is
not a DuckDB database; a release the re-identification gate refuses. Exit 2: the vault cannot
be used (tampered log, missing key, permissions) or bad arguments. Nothing is written unless
the whole release succeeds.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "release"
HELP = "数据管理员：生成一次数据发布（最小必要、去标识化、重识别检测、水印、加密） / make a release"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument("--recipient", metavar="AGE1…", help="the recipient's age public key")
    options.add_cohort(parser)
    options.add_vault(parser)
    parser.add_argument(
        "--at",
        metavar="REV",
        default="HEAD",
        help="the commit whose approval is verified and released (default: HEAD)",
    )
    parser.add_argument(
        "--base",
        metavar="REV",
        help="the commit whose roster, rubric and blacklist are trusted, e.g. origin/main "
        "(default: the --at commit itself)",
    )
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument(
        "--start", metavar="YYYY-MM-DD", help="first day of access (default: today)"
    )
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help="a re-release: why the recipient needs a new copy (recorded in the manifest)",
    )
    parser.add_argument("--k", type=int, default=None, help="k-anonymity (default: policy)")
    parser.add_argument("--l", type=int, default=None, help="l-diversity (default: policy)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="how findings are printed"
    )
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.custodian.release.command import ReleaseUsageError, run_release

    try:
        return run_release(args)
    except ReleaseUsageError as exc:
        print(f"cohortgate release: {exc}", file=sys.stderr)
        return 2
