"""``cohortgate track``: every application's state, due dates, what is overdue, who must act.

The state is derived from the application's files and its signed events (``events/``), replayed
through the lifecycle's transition table (issue 6, R19–R25). ``--format markdown`` is the job
summary; ``json`` the whole report; ``github`` the refused events as annotations. ``--issues
DIR`` also writes one GitHub issue body per item due soon (for ``.github/workflows/track.yml``).

Exit 0: it is a report. With ``--check`` (pull requests): 1 when an event or a step is refused.
2 on usage errors (a bad date or revision, no repository, unusable roster).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cohortgate.cli import options

NAME = "track"
HELP = "跟踪申请：状态、期限、逾期与经办人 / every application's state, due dates and who acts"
FORMATS = ("text", "json", "markdown", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day to judge due dates on (default: today)"
    )
    parser.add_argument(
        "--base",
        default="HEAD",
        metavar="REV",
        help="the trusted commit whose roster and rubric/applicants.yaml apply (default: HEAD; "
        "in a pull request: the target branch's commit)",
    )
    parser.add_argument(
        "--head", default="HEAD", metavar="REV", help="the commit to track (default: HEAD)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when an event or a step is refused (CI)"
    )
    parser.add_argument(
        "--issues",
        type=Path,
        metavar="DIR",
        help="also write issues.json and one issue body per item due soon into DIR",
    )
    options.add_root(parser)


def run(args: argparse.Namespace) -> int:
    from cohortgate.findings import has_errors
    from cohortgate.lifecycle.commands import CommandError, parse_day, track_report

    try:
        report = track_report(args.root, args.base, args.head, parse_day(args.today))
    except CommandError as exc:
        print(f"cohortgate track: {exc}", file=sys.stderr)
        return exc.exit_code
    findings = [*report.findings, *(f for s in report.statuses for f in s.findings)]
    if args.format == "json":
        from cohortgate.lifecycle.render import render_json

        output = render_json(report)
    elif args.format == "markdown":
        from cohortgate.lifecycle.render import render_markdown

        output = render_markdown(report)
    elif args.format == "github":
        from cohortgate.findings.render import REPORTER_BY_NAME

        output = REPORTER_BY_NAME["github"](findings)
    else:
        from cohortgate.lifecycle.render import render_text

        output = render_text(report)
    sys.stdout.write(output)
    if args.issues is not None:
        from cohortgate.lifecycle.issues import write_issues

        args.issues.mkdir(parents=True, exist_ok=True)
        write_issues(report, args.issues)
    return 1 if args.check and has_errors(findings) else 0
