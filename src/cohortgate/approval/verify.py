"""``cohortgate review SUBMISSION``: everything the committees need to decide one application.

The rules (roster, rubric, blacklist) come from the BASE commit; the application, its sheets and
its decision from the HEAD commit; the published catalog statistics from the working tree (the
review workflow puts the base branch's catalog there). Nothing is read from uncommitted files
for what is verified.

Produces a ``ReviewReport``: the computed indicators with their evidence and the fee estimate,
every sign-off judged (valid, stale or invalid and why), the members excluded and why, the quorum
per committee with the missing expertise, the score sheet per indicator, dimension and overall,
the outcome the rubric's rule allows, and the recorded decision judged against all of that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.decisions import (
    check_against_rules,
    check_recorded,
    load_decision,
)
from cohortgate.approval.digest import (
    after_review_findings,
    application_digests,
    unbound_attachments,
)
from cohortgate.approval.eligibility import (
    Exclusion,
    JudgedSignOff,
    exclusions,
    judge,
)
from cohortgate.approval.quorum import QuorumState, quorum
from cohortgate.approval.report import (
    BLACKLIST,
    FORM,
    ROSTER,
    RUBRIC,
    ReviewReport,
    Rules,
    load_rules,
)
from cohortgate.approval.rule_changes import rule_change_findings
from cohortgate.approval.sheets import commit_signoffs
from cohortgate.approval.signoffs import Channel, SignOff
from cohortgate.approval.validity import lapsed_at_decision
from cohortgate.catalog.load import Catalog, load_catalog
from cohortgate.findings import Finding, Severity, sort_findings
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.history import is_ancestor
from cohortgate.gitread.read import ReviewInputError, commit_of, ends_git_processes, read_blob
from cohortgate.layout import Layout
from cohortgate.models.application import Application
from cohortgate.models.review import Outcome
from cohortgate.scoring.fees import estimate_fee
from cohortgate.scoring.indicators import (
    CreditRecord,
    IndicatorInputs,
    compute_indicators,
)
from cohortgate.scoring.scorecard import ReviewerScores, allowed_decisions, score

CreditSource = Callable[[Repo, Layout, Commit, Application, date], CreditRecord]
"""The credit record the rubric scores for an application, from the trusted base commit."""


@ends_git_processes
def review_application(
    repo: Repo,
    lay: Layout,
    folder: str,
    *,
    base: str,
    head: str = "HEAD",
    today: date,
    rules: Rules | None,
    credit: CreditSource,
    github_signoffs: Sequence[SignOff] = (),
    github_findings: Sequence[Finding] = (),
    catalog: Catalog | None = None,
) -> ReviewReport:
    """The review of the application in ``folder`` (repository-relative, POSIX). Callers that
    review many applications pass the ``catalog``, loaded once; otherwise it is loaded here.

    ``credit`` gives the applicant's credit record (R22), which the rubric scores: the lifecycle
    counts it from the base branch's history (``lifecycle.credit.credit_record``), which is why
    it is passed in rather than imported: the lifecycle itself judges decisions through this
    function."""
    base_commit, head_commit = commit_of(repo, base), commit_of(repo, head)
    report = ReviewReport(Path(folder).name, folder, base_commit.hexsha, head_commit.hexsha, today)
    findings = report.findings
    if rules is None:  # the caller reports why the rules did not load
        return report
    if base_commit != head_commit:
        findings += rule_change_findings(repo, base_commit, head_commit, rules.roster)
    form = f"{folder}/{FORM}"
    data = read_blob(head_commit, form)
    if data is None:
        raise ReviewInputError(_missing_form(form, head_commit))
    app, doc, problems = load_model(data, form, Application)
    findings += problems
    if app is None or doc is None:
        return _done(report)
    report.app, report.application = app, app.id
    report.files = application_digests(head_commit, folder)
    unbound = unbound_attachments(head_commit, folder, app, doc)  # no decision can rest on it
    findings += unbound

    decision, problems = load_decision(repo, head_commit, folder, rules.roster)
    findings += problems
    report.decision = decision
    if decision is not None:
        decided = date.fromisoformat(decision.decision.decided_on)
        report.as_of = min(decided, today)

    excluded = exclusions(rules.roster, app, report.as_of)
    report.excluded = excluded
    by_member: dict[str, list[Exclusion]] = {}
    for exclusion in excluded:
        by_member.setdefault(exclusion.member, []).append(exclusion)

    signoffs, problems = commit_signoffs(repo, head_commit, folder, rules.roster, today)
    findings += problems
    findings += github_findings
    seen: dict[str, SignOff] = {s.member.id: s for s in signoffs}
    for extra in github_signoffs:
        first = seen.get(extra.member.id)
        if first is not None:
            findings.append(
                C.DUPLICATE_SIGNOFF.at(
                    extra.file, member=extra.member.id, first=first.named, second=extra.reference
                )
            )
            continue
        seen[extra.member.id] = extra
        signoffs.append(extra)
    for signoff in signoffs:
        judged = judge(signoff, app, report.files, rules.rubric, by_member)
        report.signoffs.append(judged)
        findings += judged.findings
    refused = {f.file for f in findings}  # e.g. reviews/notes.pdf: review.sheet-misplaced
    findings += [f for f in after_review_findings(head_commit, folder) if f.file not in refused]

    _score(report, rules, lay, today, credit(repo, lay, base_commit, app, today), catalog)
    if decision is not None:
        problems = check_recorded(decision, app.id, report.files, today)
        problems += lapsed_at_decision(app, doc, form, decision.decision.decided_on)
        if decision.sha is not None:
            state, allowed = _rules_at(repo, report, rules, decision.sha)
            problems += check_against_rules(decision, state, allowed)
        findings += problems
        report.decision_valid = decision.chair is not None and not any(
            p.severity is Severity.ERROR for p in [*problems, *unbound]
        )
    return _done(report)


def _missing_form(form: str, head: Commit) -> Finding:
    from cohortgate.files import codes as CL

    sha = head.hexsha[:12]
    what = Both(
        zh=f"申请（提交 {sha} 中没有 {form}）", en=f"no application here: {form} at commit {sha}"
    )
    return CL.FILE_MISSING.at(form, what=what)


def _score(
    report: ReviewReport,
    rules: Rules,
    lay: Layout,
    today: date,
    credit: CreditRecord,
    catalog: Catalog | None,
) -> None:
    app = report.app
    assert app is not None
    if catalog is None:
        catalog, _problems = load_catalog(lay)  # the catalog's own findings belong to `validate`
    datasets = {d.dataset.id: d.dataset for d in catalog.datasets}
    inputs = IndicatorInputs(
        datasets=datasets,
        stats=catalog.stats,
        blacklist=rules.blacklist,
        today=today,
        credit=credit,
    )
    report.computed = compute_indicators(rules.rubric, app, inputs)
    report.fee = estimate_fee(rules.rubric, app, datasets)
    valid = report.valid_signoffs
    report.quorum = quorum(rules.roster, app.privacy_level, [j.signoff.member for j in valid])
    report.scorecard = score(rules.rubric, app.privacy_level, report.computed, _reviewers(valid))
    if report.quorum.met:
        report.outcome = report.scorecard.outcome
    report.allowed = allowed_decisions(report.outcome)


def _reviewers(judged: Sequence[JudgedSignOff]) -> list[ReviewerScores]:
    return [
        ReviewerScores(
            member_id=j.signoff.member.id,
            committee=j.signoff.member.committee,
            expertise=j.signoff.member.expertise,
            scores=j.scores,
            recommendation=j.signoff.sheet.recommendation,
        )
        for j in judged
    ]


def _rules_at(
    repo: Repo, report: ReviewReport, rules: Rules, decided_in: str
) -> tuple[QuorumState, frozenset[Outcome]]:
    """Quorum and allowed decisions counting only the sign-offs the decision could rest on:
    signed sheets committed before the decision (an ancestor of its commit). Pull-request
    reviews live outside git history, so a recorded decision never rests on them."""
    app = report.app
    assert app is not None
    prior = [
        j
        for j in report.valid_signoffs
        if j.signoff.channel is Channel.COMMIT
        and is_ancestor(repo, j.signoff.reference, decided_in)
    ]
    same = len(prior) == len(report.valid_signoffs)
    if same and report.quorum is not None and report.scorecard is not None:
        state, card = report.quorum, report.scorecard  # the same sign-offs: the same result
    else:
        state = quorum(rules.roster, app.privacy_level, [j.signoff.member for j in prior])
        card = score(rules.rubric, app.privacy_level, report.computed, _reviewers(prior))
    return state, allowed_decisions(card.outcome if state.met else None)


def _done(report: ReviewReport) -> ReviewReport:
    report.findings = sort_findings(report.findings)
    return report


__all__ = [
    "BLACKLIST",
    "FORM",
    "ROSTER",
    "RUBRIC",
    "Channel",
    "CreditSource",
    "ReviewReport",
    "Rules",
    "load_rules",
    "review_application",
]
