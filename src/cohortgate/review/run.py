"""From command-line arguments to a rendered review: shared by ``review``, ``decide`` and
``quarter``."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from git import Repo

from cohortgate.approval.rule_changes import RuleChangeStatus, rule_change_status
from cohortgate.approval.signoffs import Channel, SignOff
from cohortgate.approval.verify import ReviewReport, Rules, load_rules, review_application
from cohortgate.findings import Finding, has_errors
from cohortgate.findings.codes import Both
from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
from cohortgate.layout import Layout, application_folder, layout
from cohortgate.lifecycle.credit import credit_record


class ReviewUsageError(Exception):
    """The review cannot run: a message for stderr, exit 2."""


@dataclass
class Session:
    """What every review command opens once: the layout, the repository, the trusted rules."""

    lay: Layout
    repo: Repo
    base: str
    rules: Rules | None
    rule_findings: list[Finding]


def parse_day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReviewUsageError(f"--today '{text}' is not a date; write YYYY-MM-DD") from None


def open_session(root: Path | None, base: str) -> Session:
    lay = layout(root)
    try:
        repo = open_repo(lay.root)
        rules, findings = load_rules(commit_of(repo, base))
    except ReviewInputError as exc:
        raise ReviewUsageError(_message(exc.finding)) from None
    return Session(lay, repo, base, rules, findings)


def _message(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return f"{finding.file}: {finding.message}{hint}"


def github_signoffs(
    session: Session, path: Path, head_sha: str, application: str
) -> tuple[list[SignOff], list[Finding]]:
    """Sign-offs given as pull-request reviews, from a file of recorded API responses."""
    from cohortgate.review.github_reviews import github_signoffs as from_reviews
    from cohortgate.review.github_reviews import parse_reviews

    if session.rules is None:
        return [], []
    try:
        data = json.loads(path.read_text("utf-8"))
        reviews = parse_reviews(data)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReviewUsageError(f"{path.name}: not a list of pull-request reviews ({exc})") from None
    found, findings = from_reviews(reviews, session.rules.roster, head_sha, application)
    signoffs = [
        SignOff(
            g.member,
            g.sheet,
            Channel.GITHUB,
            g.reference,
            f"pull request review {g.review.id} ({g.review.login})",
            shown=Both(
                zh=f"拉取请求审查 {g.review.id}（{g.review.login}）",
                en=f"pull request review {g.review.id} ({g.review.login})",
            ),
        )
        for g in found
    ]
    return signoffs, findings


def review_one(
    session: Session,
    argument: str,
    *,
    head: str,
    today: date,
    github_reviews: Path | None = None,
    head_sha: str | None = None,
) -> ReviewReport:
    try:
        folder = application_folder(session.lay, argument)
    except ValueError as exc:
        raise ReviewUsageError(str(exc)) from None
    extra: list[SignOff] = []
    extra_findings: list[Finding] = []
    try:
        if github_reviews is not None:
            sha = head_sha or commit_of(session.repo, head).hexsha
            extra, extra_findings = github_signoffs(
                session, github_reviews, sha, folder.rsplit("/", 1)[-1]
            )
        report = review_application(
            session.repo,
            session.lay,
            folder,
            base=session.base,
            head=head,
            today=today,
            rules=session.rules,
            github_signoffs=extra,
            github_findings=extra_findings,
            credit=credit_record,
        )
    except ReviewInputError as exc:
        raise ReviewUsageError(_message(exc.finding)) from None
    report.findings = session.rule_findings + report.findings
    return report


def governed_status(session: Session, report: ReviewReport) -> RuleChangeStatus | None:
    """The governed changes the pull request makes (``approval.governed``) and the chairs'
    approval of them, for the report; None when the rules did not load or nothing changed.
    The review's findings already hold one per chair that has not approved."""
    if session.rules is None or report.base == report.head:
        return None
    base, head = commit_of(session.repo, report.base), commit_of(session.repo, report.head)
    return rule_change_status(session.repo, base, head, session.rules.roster)


def run_review(args: argparse.Namespace) -> tuple[str, bool]:
    from cohortgate.findings.render import REPORTER_BY_NAME
    from cohortgate.review.report_render import render_markdown, render_text

    session = open_session(args.root, args.base)
    with session.repo:
        report = review_one(
            session,
            args.submission,
            head=args.head,
            today=parse_day(args.today),
            github_reviews=args.github_reviews,
            head_sha=args.head_sha,
        )
        governed = governed_status(session, report) if args.format != "github" else None
    failed = has_errors(report.findings)
    if args.format == "json":
        data = report.to_dict()
        data["governed_changes"] = governed.to_dict() if governed else None
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n", failed
    if args.format == "markdown":
        return render_markdown(report, governed), failed
    if args.format == "github":
        return REPORTER_BY_NAME["github"](report.findings), failed
    return render_text(report, governed), failed
