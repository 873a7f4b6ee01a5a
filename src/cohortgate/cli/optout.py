"""``cohortgate optout PATIENT_ID --on DATE``: record a participant's withdrawal (R32) in the
custodian's vault. Runs on the custodian's machine.

Every later ``cohortgate release`` and ``cohortgate stats`` leaves the participant out. Exit 0
when recorded, 1 when refused with findings (unknown participant, no broad consent, a date in
the future or outside the broad-consent window, already recorded), 2 when the arguments, the
cohort or the vault cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cohortgate.cli import options

NAME = "optout"
HELP = "数据管理员：登记参与者退出 / record a participant's withdrawal of consent"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patient_id", metavar="PATIENT_ID", help="the cohort record id")
    parser.add_argument(
        "--on", required=True, metavar="DATE", help="the day the withdrawal was signed"
    )
    parser.add_argument("--reason", metavar="TEXT", help="a short reason (kept in the vault)")
    parser.add_argument("--today", metavar="DATE", help="today's date (default: the system's date)")
    options.add_cohort(parser)
    options.add_vault(parser)
    options.add_format(parser)
    options.add_root(parser)


def day(text: str, flag: str, command: str) -> date | None:
    """``text`` as a date, or None after saying on stderr why it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(
            f"cohortgate {command}: {flag} '{text}' is not a date; write YYYY-MM-DD",
            file=sys.stderr,
        )
        return None


def run(args: argparse.Namespace) -> int:
    from cohortgate.custodian.cohort.engine import CohortError
    from cohortgate.custodian.participants.optout import record_optout
    from cohortgate.custodian.vault.store import Vault, VaultError, default_vault
    from cohortgate.findings import has_errors, sort_findings
    from cohortgate.findings.render import REPORTER_BY_NAME
    from cohortgate.layout import layout

    on = day(args.on, "--on", NAME)
    today = date.today() if args.today is None else day(args.today, "--today", NAME)
    if on is None or today is None:
        return 2
    lay = layout(args.root)
    cohort = args.cohort or lay.cohort_db
    where = args.vault or default_vault(lay.root)
    try:
        # Only the default vault is made when missing: a mistyped --vault must not start a
        # second registry that releases would never read.
        vault = Vault.create(where) if args.vault is None else Vault.open(where)
        findings = list(vault.recovered)  # what opening recovered of a killed command
        findings += record_optout(
            vault, cohort, args.patient_id, on, args.reason, today, lay.rel(cohort)
        )
    except VaultError as exc:
        print(f"cohortgate optout: {where.name}: {exc} ({exc.hint})", file=sys.stderr)
        return 2
    except CohortError as exc:
        print(f"cohortgate optout: {exc}", file=sys.stderr)
        return 2
    if findings:
        sys.stdout.write(REPORTER_BY_NAME[args.format](sort_findings(findings)))
    if has_errors(findings):
        return 1
    print(  # after a JSON report, on stderr: stdout stays one JSON document
        f"已登记退出 / opt-out recorded ({on.isoformat()}): every later release and statistics "
        "run leaves this participant out",
        file=sys.stdout if args.format == "text" or not findings else sys.stderr,
    )
    return 0
