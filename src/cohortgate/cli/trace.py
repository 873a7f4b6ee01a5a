"""``cohortgate trace FILE``: name the release a leaked table came from (R25), with the
probability that the accusation is false. Runs on the custodian's machine (it needs the vault).

Exit 0 when a release is named, 1 when no release can be named with enough certainty or the
file cannot be read, 2 when the vault cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options

NAME = "trace"
HELP = "数据管理员：追踪泄露数据的来源 / trace a leaked table to its release"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the leaked table (CSV)")
    options.add_vault(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="how findings are printed"
    )
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.custodian.release.command import ReleaseUsageError, run_trace

    try:
        return run_trace(args)
    except ReleaseUsageError as exc:
        print(f"cohortgate trace: {exc}", file=sys.stderr)
        return 2
