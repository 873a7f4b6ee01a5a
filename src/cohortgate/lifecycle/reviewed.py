"""Lifecycles whose decisions are judged as ``cohortgate review`` judges them.

The replay itself (``lifecycle.history``) asks a ``DecisionJudge``; here the judge is a full
review of the application (``approval.verify``), whose score includes the applicant's credit
record, itself counted from lifecycles judged by their chair's signature alone
(``lifecycle.credit``). Keeping this composition apart keeps the replay below the credit record.
"""

from __future__ import annotations

from datetime import date

from git import Commit, Repo

from cohortgate.approval.report import ReviewReport, Rules, load_rules
from cohortgate.approval.verify import review_application
from cohortgate.catalog.load import load_catalog
from cohortgate.findings import Finding, sort_findings
from cohortgate.gitread.read import read_blob
from cohortgate.layout import DECISION, Layout
from cohortgate.lifecycle import history
from cohortgate.lifecycle.credit import credit_record
from cohortgate.lifecycle.facts import DecisionJudge
from cohortgate.lifecycle.history import Histories, trusted_signers
from cohortgate.models.review import Outcome


def review_judge(
    repo: Repo,
    lay: Layout,
    base: Commit,
    head: Commit,
    today: date,
    rules: Rules,
    reports: dict[str, ReviewReport] | None = None,
) -> DecisionJudge:
    """Valid decisions as ``cohortgate review`` judges them (``ReviewReport.decision_valid``);
    each review is kept in ``reports`` when given (the audit reuses them)."""
    catalog, _problems = load_catalog(lay)  # once for every application judged

    def judge(folder: str) -> tuple[Outcome, date] | None:
        if read_blob(head, f"{folder}/{DECISION}") is None:
            return None
        report = review_application(
            repo,
            lay,
            folder,
            base=base.hexsha,
            head=head.hexsha,
            today=today,
            rules=rules,
            catalog=catalog,
            credit=credit_record,
        )
        if reports is not None:
            reports[folder] = report
        if not report.decision_valid or report.decision is None:
            return None
        decision = report.decision.decision
        return decision.decision, date.fromisoformat(decision.decided_on)

    return judge


def lifecycles(
    repo: Repo,
    lay: Layout,
    *,
    base: Commit,
    head: Commit,
    today: date,
    judge: DecisionJudge | None = None,
    folders: list[str] | None = None,
) -> Histories:
    """The lifecycle of every application at ``head`` (or of ``folders``); without a ``judge``,
    decisions count when ``cohortgate review`` with the rules at ``base`` finds them valid."""
    extra: list[Finding] = []
    if judge is None:
        who, findings = trusted_signers(base)
        if who is None:
            return Histories([], findings)
        rules, extra = load_rules(base)
        if rules is None:
            return Histories([], findings + extra)
        judge = review_judge(repo, lay, base, head, today, rules)
    found = history.lifecycles(
        repo, lay, base=base, head=head, today=today, judge=judge, folders=folders
    )
    return Histories(found.lifecycles, sort_findings(found.findings + extra))
