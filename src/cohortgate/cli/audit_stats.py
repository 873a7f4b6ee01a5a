"""``cohortgate audit-stats``: the independent audit of the published statistics.

Reads ``catalog/stats/*.json`` only (no cohort, no custodian code), checks every rule of
``cohortgate.disclosure.audit`` and compares each file with its previous version in git for
differencing. Exit 0 clean, 1 findings, 2 usage error (e.g. an unknown ``--against``).
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options
from cohortgate.findings import has_errors
from cohortgate.findings.render import REPORTER_BY_NAME
from cohortgate.layout import layout

NAME = "audit-stats"
HELP = "审计已发布的统计 / audit the published statistics: small, recoverable, differenced cells"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.add_format(parser)
    options.add_root(parser)
    parser.add_argument(
        "--against",
        default=None,
        metavar="REV",
        help="git revision to compare with for differencing (default: the "
        "previous version of each file: HEAD's if the working copy changed it, "
        "else the one before the last commit that changed it)",
    )


def run(args: argparse.Namespace) -> int:
    # Imported here: the audit's solver (scipy) is slow to import, and every command loads
    # this module to build the parser.
    from cohortgate.disclosure.audit import audit_catalog_stats
    from cohortgate.disclosure.differencing import RevisionError

    lay = layout(args.root)
    try:
        findings = audit_catalog_stats(lay, against=args.against)
    except RevisionError as exc:
        print(f"cohortgate audit-stats: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
