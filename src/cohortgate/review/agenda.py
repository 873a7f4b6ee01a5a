"""A quarter's meeting (R15): ``cohortgate quarter 2026Q4``.

The agenda holds every application without a valid decision on its current version whose
current version was complete (no error from ``cohortgate validate``) by the quarter's cut-off
(``meetings.cutoff_days`` before the quarter ends, ``rubric/rubric.yaml``), earlier ones carried
over; each with its review (sign-offs, quorum, scores, the decision the rules allow). The
version's date is the later of its declared submission date and the commit that brought it.
Applications not complete in time are listed apart, with the number of errors to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cohortgate.approval.quarters import cutoff, parse_quarter, quarter_bounds
from cohortgate.approval.verify import ReviewReport, Rules, review_application
from cohortgate.catalog.load import load_catalog
from cohortgate.findings import Finding
from cohortgate.gitread.folders import application_folders, version_date
from cohortgate.gitread.read import commit_of, git_run
from cohortgate.lifecycle.credit import credit_record
from cohortgate.review.run import Session


@dataclass
class AgendaItem:
    folder: str
    completed_on: date
    first_quarter: str  # the first meeting the application could join
    report: ReviewReport
    quarter: str  # the meeting whose agenda this is

    @property
    def carried_over(self) -> bool:
        """True when the application could have joined an earlier meeting."""
        return parse_quarter(self.first_quarter) < parse_quarter(self.quarter)


@dataclass
class Agenda:
    quarter: str
    cutoff: date
    items: list[AgendaItem] = field(default_factory=list)
    decided: list[ReviewReport] = field(default_factory=list)  # validly decided this quarter
    incomplete: list[tuple[str, int]] = field(default_factory=list)  # folder, error count
    later: list[str] = field(default_factory=list)  # complete after the cut-off
    findings: list[Finding] = field(default_factory=list)


Validator = Callable[[str], int]  # folder -> number of error findings


def build_agenda(session: Session, quarter: str, today: date, errors_of: Validator) -> Agenda:
    if session.rules is None:
        return Agenda(quarter, quarter_bounds(quarter)[1], findings=session.rule_findings)
    agenda = Agenda(quarter, cutoff(quarter, session.rules.rubric.meetings.cutoff_days))
    with git_run(session.repo):  # one run for every application reviewed
        return _fill(agenda, session, session.rules, quarter, today, errors_of)


def _fill(
    agenda: Agenda,
    session: Session,
    rules: Rules,
    quarter: str,
    today: date,
    errors_of: Validator,
) -> Agenda:
    head = commit_of(session.repo, "HEAD")
    catalog, _problems = load_catalog(session.lay)  # once for every application
    for folder in application_folders(head):
        report = review_application(
            session.repo,
            session.lay,
            folder,
            base=session.base,
            today=today,
            rules=rules,
            catalog=catalog,
            credit=credit_record,
        )
        if report.app is None:
            agenda.incomplete.append((folder, sum(1 for _ in report.findings) or 1))
            continue
        if report.decision is not None and report.decision_valid:
            if report.decision.decision.quarter == quarter:
                agenda.decided.append(report)
            continue
        arrived = version_date(session.repo, head, folder) or today
        completed = max(date.fromisoformat(report.app.submitted), arrived)
        first = rules.rubric.meetings.agenda_quarter(completed)
        if parse_quarter(first) > parse_quarter(quarter):
            agenda.later.append(folder)
            continue
        if (count := errors_of(folder)) > 0:
            agenda.incomplete.append((folder, count))
            continue
        agenda.items.append(AgendaItem(folder, completed, first, report, quarter))
    return agenda
