"""``cohortgate participant-report PATIENT_ID``: a plain-language Chinese report (HTML and PDF)
of how one participant's data were used (R33, R35). Runs on the custodian's machine.

The files go into the custodian zone (default ``custodian/reports/``), never into git. Exit 0
when written, 1 when refused with findings (a participant the cohort does not hold, a release
whose public record cannot be read, a folder inside git): then nothing is written; 2 when the
arguments, the cohort or the vault cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from cohortgate.cli import options
from cohortgate.cli.optout import day

NAME = "participant-report"
HELP = "数据管理员：为参与者生成数据使用报告 / write a participant's data-use report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patient_id", metavar="PATIENT_ID", help="the cohort record id")
    parser.add_argument(
        "--today", metavar="DATE", help="the report's date (default: the system's date)"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: custodian/reports)"
    )
    options.add_cohort(parser)
    options.add_vault(parser)
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.custodian.cohort.engine import CohortError
    from cohortgate.custodian.participants.report import gather, write_report
    from cohortgate.custodian.vault.store import Vault, VaultError, default_vault
    from cohortgate.findings import has_errors, sort_findings
    from cohortgate.findings.render import REPORTER_BY_NAME
    from cohortgate.layout import layout

    today = date.today() if args.today is None else day(args.today, "--today", NAME)
    if today is None:
        return 2
    lay = layout(args.root)
    cohort = args.cohort or lay.cohort_db
    where = args.vault or default_vault(lay.root)
    try:
        vault = Vault.open(where)
        report, findings = gather(lay, vault, cohort, args.patient_id, today)
        findings = [*vault.recovered, *findings]  # what opening recovered of a killed command
        written: list[Path] = []
        if report is not None:
            written, refused = write_report(report, args.out or lay.custodian / "reports")
            findings += refused
    except VaultError as exc:
        print(f"cohortgate {NAME}: {where.name}: {exc} ({exc.hint})", file=sys.stderr)
        return 2
    except CohortError as exc:
        print(f"cohortgate {NAME}: {exc}", file=sys.stderr)
        return 2
    if findings:
        sys.stdout.write(REPORTER_BY_NAME[args.format](sort_findings(findings)))
    if has_errors(findings) or not written:
        return 1
    for path in written:
        print(f"written: {path.name} (custodian zone; hand it to the participant, not to git)")
    return 0
