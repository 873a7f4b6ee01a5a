"""What ``cohortgate sheet``, ``decide``, ``approve-change`` and ``quarter`` do."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from cohortgate.approval.digest import application_digests
from cohortgate.approval.quarters import parse_quarter, quarter_bounds
from cohortgate.files.atomic import write_text
from cohortgate.findings import Finding
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import ReviewInputError, commit_of
from cohortgate.layout import DECISION, REVIEWS, application_folder
from cohortgate.models.review import Outcome, ScoreSheet
from cohortgate.review.run import ReviewUsageError, Session, open_session, parse_day, review_one
from cohortgate.signatures.signed_files import chair_ids


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _session(root: Path | None, base: str = "HEAD") -> Session:
    try:
        session = open_session(root, base)
    except ReviewUsageError as exc:
        raise CommandError(str(exc)) from None
    if session.rules is None:
        raise CommandError(_first(session.rule_findings))
    return session


def _first(findings: list[Finding]) -> str:
    if not findings:
        return "the rules could not be loaded"
    f = findings[0]
    return f"{f.file}:{f.line}: {f.message}" + (f" ({f.hint})" if f.hint else "")


def _folder(session: Session, argument: str) -> str:
    try:
        return application_folder(session.lay, argument)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def write_sheet(root: Path | None, submission: str, reviewer: str, today: str | None) -> str:
    from cohortgate.approval.eligibility import role_indicators
    from cohortgate.review.scaffold import sheet_text

    session = _session(root)
    assert session.rules is not None
    member = session.rules.roster.member(reviewer)
    if member is None:
        raise CommandError(f"'{reviewer}' is not a member in rubric/roster.yaml")
    folder = _folder(session, submission)
    head = commit_of(session.repo, "HEAD")
    files = application_digests(head, folder)
    if "application.yaml" not in files:
        raise CommandError(f"{folder}/application.yaml is not committed at HEAD")
    path = f"{folder}/{REVIEWS}/{member.id}.yaml"
    previous: ScoreSheet | None = None
    target = session.lay.root / path
    if target.is_file():
        previous, _doc, _problems = load_model(target.read_bytes(), path, ScoreSheet)
    role = [i.id for i in role_indicators(session.rules.rubric, member)]
    text = sheet_text(
        session.rules.rubric,
        member,
        folder.rsplit("/", 1)[-1],
        files,
        parse_day(today),
        role,
        previous,
    )
    write_text(target, text)
    session.repo.close()
    return path


def write_decision(args: argparse.Namespace) -> str:
    from cohortgate.review.scaffold import decision_text

    session = _session(args.root)
    assert session.rules is not None
    if args.chair not in chair_ids(session.rules.roster):
        raise CommandError(f"'{args.chair}' is not a chair in rubric/roster.yaml", 1)
    try:
        parse_quarter(args.quarter)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    day = parse_day(args.today)
    start, end = quarter_bounds(args.quarter)
    if not start <= day <= end:
        raise CommandError(f"{day} is not in {args.quarter} ({start} to {end})", 1)
    try:
        report = review_one(session, args.submission, head="HEAD", today=day)
    except ReviewUsageError as exc:
        raise CommandError(str(exc)) from None
    outcome = Outcome(args.decision)
    barred = [e.reason for e in report.excluded if e.member == args.chair]
    if barred:  # the chair obeys the same exclusions as the reviewers (R13, R30)
        raise CommandError(
            f"chair '{args.chair}' may not decide this application: {barred[0]}; the other "
            "chair, who is not excluded, records the decision (--chair)",
            1,
        )
    if report.quorum is None or not report.quorum.met:
        why = "; ".join(report.quorum.problems()) if report.quorum else "the review failed"
        raise CommandError(f"no quorum: {why}", 1)
    if outcome not in report.allowed:
        allowed = ", ".join(sorted(o.value for o in report.allowed)) or "none"
        raise CommandError(f"the rule allows only: {allowed}", 1)
    text = decision_text(
        report.application,
        args.quarter.upper(),
        outcome,
        report.files,
        day,
        args.reasons,
        list(args.condition),
    )
    path = f"{report.folder}/{DECISION}"
    write_text(session.lay.root / path, text)
    return path


def write_approval(args: argparse.Namespace) -> str:
    from cohortgate.approval.rule_changes import approval_path, governed_changes
    from cohortgate.review.scaffold import approval_text

    session = _session(args.root, args.base)
    assert session.rules is not None
    if args.chair not in chair_ids(session.rules.roster):
        raise CommandError(f"'{args.chair}' is not a chair in the base roster", 1)
    try:
        base = commit_of(session.repo, args.base)
        head = commit_of(session.repo, "HEAD")
    except ReviewInputError as exc:
        raise CommandError(exc.finding.message) from None
    changes = governed_changes(session.repo, base, head)
    if not changes:
        raise CommandError("no governed path (approval/governed.py) changed since the base", 1)
    path = approval_path(args.chair)
    text = approval_text(args.chair, changes, parse_day(args.today), args.reason)
    write_text(session.lay.root / path, text)
    return path


def quarter_output(args: argparse.Namespace) -> str:
    from cohortgate.review.agenda import build_agenda
    from cohortgate.review.agenda_render import agenda_json, agenda_markdown, agenda_text

    try:
        parse_quarter(args.quarter)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    session = _session(args.root, args.base)
    agenda = build_agenda(
        session, args.quarter.upper(), parse_day(args.today), _validation_errors(session)
    )
    if args.format == "json":
        return agenda_json(agenda)
    if args.format == "markdown":
        return agenda_markdown(agenda)
    return agenda_text(agenda)


def _validation_errors(session: Session) -> Callable[[str], int]:
    from cohortgate.applications.collect import collect
    from cohortgate.findings import Severity

    def errors_of(folder: str) -> int:
        findings = collect(session.lay, [session.lay.root / folder])
        return sum(f.severity is Severity.ERROR for f in findings)

    return errors_of


__all__ = ["CommandError", "quarter_output", "write_approval", "write_decision", "write_sheet"]
