"""The public notice of approved projects, quarter by quarter (R15).

Built from the repository's history: every application whose ``decision.yaml`` is an approval
that ``cohortgate review`` finds valid (signed by a chair of the roster, quorum met, allowed by
the rubric's rule, for the current version of the application). What is published of each is
what the applicant agreed to publish in the form: title, institution, lead, lay summary,
datasets and privacy level. A repository without git history publishes no notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from git import Repo

from cohortgate.approval.verify import load_rules, review_application
from cohortgate.catalog.load import load_catalog
from cohortgate.gitread.folders import application_folders
from cohortgate.gitread.read import (
    ReviewInputError,
    commit_of,
    ends_git_processes,
    open_repo,
    read_blob,
)
from cohortgate.layout import Layout
from cohortgate.lifecycle.credit import credit_record
from cohortgate.models.review import Outcome


@dataclass(frozen=True)
class Notice:
    quarter: str
    decided_on: str
    application: str
    title: str
    institution: str  # catalog institution id
    lead: str
    lay_summary_zh: str
    datasets: tuple[str, ...]
    privacy_level: str
    conditions: tuple[str, ...]


def approved_projects(lay: Layout, today: date) -> list[Notice]:
    """Every validly approved application at HEAD, newest quarter first."""
    try:
        repo = open_repo(lay.root)
    except ReviewInputError:
        return []
    with repo:
        return _approved(repo, lay, today)


@ends_git_processes  # one run for every application reviewed
def _approved(repo: Repo, lay: Layout, today: date) -> list[Notice]:
    try:
        head = commit_of(repo, "HEAD")
    except ReviewInputError:
        return []
    rules, _findings = load_rules(head)
    if rules is None:
        return []
    notices: list[Notice] = []
    catalog, _problems = load_catalog(lay)  # once for every application
    for folder in application_folders(head):
        if read_blob(head, f"{folder}/decision.yaml") is None:
            continue
        report = review_application(
            repo,
            lay,
            folder,
            base=head.hexsha,
            head=head.hexsha,
            today=today,
            rules=rules,
            catalog=catalog,
            credit=credit_record,
        )
        recorded, app = report.decision, report.app
        if recorded is None or app is None or not report.decision_valid:
            continue
        if recorded.decision.decision is not Outcome.APPROVE:
            continue
        notices.append(
            Notice(
                quarter=recorded.decision.quarter,
                decided_on=recorded.decision.decided_on,
                application=app.id,
                title=app.title,
                institution=app.applicant.institution,
                lead=app.applicant.name,
                lay_summary_zh=app.lay_summary_zh,
                datasets=tuple(d.dataset for d in app.datasets),
                privacy_level=app.privacy_level.value,
                conditions=tuple(recorded.decision.conditions),
            )
        )
    return sorted(notices, key=lambda n: (n.quarter, n.decided_on, n.application), reverse=True)
