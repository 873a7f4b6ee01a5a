"""``cohortgate rule-changes --base REV``: refuse changes to the rules or the workflows that both
chairs of the base roster have not approved in signed commits (R13).

Exit 0 when nothing governed changed or both approvals match the change exactly, 1 otherwise,
2 when the repository or a revision cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "rule-changes"
HELP = "规则与工作流的改动须两位主任委员签署批准 / rule and workflow changes need both chairs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REV", help="the target branch's commit")
    parser.add_argument("--head", default="HEAD", metavar="REV", help="the proposed commit")
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.approval.rule_changes import rule_change_findings
    from cohortgate.findings import has_errors, sort_findings
    from cohortgate.findings.render import REPORTER_BY_NAME
    from cohortgate.gitread.read import ReviewInputError, commit_of
    from cohortgate.review.run import ReviewUsageError, open_session

    try:
        session = open_session(args.root, args.base)
        base, head = commit_of(session.repo, args.base), commit_of(session.repo, args.head)
    except ReviewUsageError as exc:
        print(f"cohortgate rule-changes: {exc}", file=sys.stderr)
        return 2
    except ReviewInputError as exc:
        print(f"cohortgate rule-changes: {exc.finding.message}", file=sys.stderr)
        return 2
    findings = list(session.rule_findings)
    if session.rules is not None:
        findings += rule_change_findings(session.repo, base, head, session.rules.roster)
    findings = sort_findings(findings)
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
