"""``cohortgate agreements SUBMISSION``: the data use and confidentiality agreements (R17).

Without ``--record``: generates ``agreements/data-use-agreement.{md,pdf}`` and
``agreements/confidentiality-agreement.{md,pdf}`` from the approved application and its
decision. With ``--record KIND --copy FILE --signed-on DATE --party NAME…``: records the digest
of a signed copy (a file inside the application's folder) in ``agreements.yaml``; the release
refuses until both kinds are recorded and unchanged. Exit 1 with the reason when refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options

NAME = "agreements"
HELP = "数据使用协议与保密协议：生成与登记签署件 / the data use and confidentiality agreements"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="SUBMISSION", help="application id or folder")
    parser.add_argument("--custodian", default="数据中心 / the data centre", help="party name")
    parser.add_argument(
        "--start", metavar="YYYY-MM-DD", help="first day of access (default: today)"
    )
    parser.add_argument(
        "--record", choices=("data_use", "confidentiality"), help="record a signed copy of KIND"
    )
    parser.add_argument("--copy", type=Path, help="the signed copy, inside the folder")
    parser.add_argument("--signed-on", metavar="YYYY-MM-DD", help="the day of the signatures")
    parser.add_argument("--party", action="append", default=[], help="a signing party (repeat)")
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.custodian.release.agreement_command import AgreementUsageError, run_agreements

    try:
        return run_agreements(args)
    except AgreementUsageError as exc:
        print(f"cohortgate agreements: {exc}", file=sys.stderr)
        return 2
