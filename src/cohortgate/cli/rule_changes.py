"""``cohortgate rule-changes --base REV``: refuse changes to what decides approvals that both
chairs of the base roster have not approved in signed commits (R13).

What is governed is listed in ``approval/governed.py``: ``rubric/``, ``.github/``, every
``CODEOWNERS`` GitHub reads, the policy, approval, signature and scoring code, each dataset's
privacy classes, release levels and use conditions, and the list itself. An unapproved change
is reported at each governed file (at the changed field of a dataset) and at each chair's
missing or mismatched approval.

Exit 0 when nothing governed changed or both approvals match the change exactly, 1 otherwise,
2 when the repository or a revision cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from cohortgate.cli import options

NAME = "rule-changes"
HELP = (
    "规则、工作流、政策代码与数据集隐私类别的改动须两位主任委员签署批准 / changes to the rules, "
    "workflows, policy code or datasets' privacy classes need both chairs"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REV", help="the target branch's commit")
    parser.add_argument("--head", default="HEAD", metavar="REV", help="the proposed commit")
    options.add_format(parser)
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from git.exc import GitCommandError

    from cohortgate.approval.rule_changes import rule_change_status
    from cohortgate.findings import has_errors, sort_findings
    from cohortgate.findings.render import REPORTER_BY_NAME
    from cohortgate.gitread.read import ReviewInputError, commit_of
    from cohortgate.review.run import ReviewUsageError, open_session

    try:
        session = open_session(args.root, args.base)
        base, head = commit_of(session.repo, args.base), commit_of(session.repo, args.head)
        findings = list(session.rule_findings)
        if session.rules is not None:
            status = rule_change_status(session.repo, base, head, session.rules.roster)
            findings += status.findings() + status.located_findings()
    except ReviewUsageError as exc:
        print(f"cohortgate rule-changes: {exc}", file=sys.stderr)
        return 2
    except ReviewInputError as exc:
        print(f"cohortgate rule-changes: {exc.finding.message}", file=sys.stderr)
        return 2
    except GitCommandError as exc:  # e.g. no merge base: the change cannot be read
        print(f"cohortgate rule-changes: git failed: {str(exc.stderr).strip()}", file=sys.stderr)
        return 2
    findings = sort_findings(findings)
    sys.stdout.write(REPORTER_BY_NAME[args.format](findings))
    return 1 if has_errors(findings) else 0
