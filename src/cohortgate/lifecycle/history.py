"""Every application's lifecycle at a commit: facts and signed events replayed through the table.

The trusted inputs (the roster, ``rubric/applicants.yaml`` and the rules that judge decisions)
come from the BASE commit; the applications, their events and the history from HEAD. On the
default branch both are the same commit; in a pull request the base is the target branch, so a
pull request cannot add the key it signs with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from git import Commit, Repo

from cohortgate.approval.decisions import check_recorded, load_decision
from cohortgate.approval.digest import application_digests
from cohortgate.approval.verify import ROSTER
from cohortgate.findings import Finding, has_errors, sort_findings
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_trusted, prefetch_documents
from cohortgate.gitread.folders import application_folders
from cohortgate.gitread.history import walk_soon
from cohortgate.gitread.read import ends_git_processes, read_blob
from cohortgate.layout import Layout
from cohortgate.lifecycle.events import (
    APPLICANTS,
    FiledEvent,
    Signers,
    accepted_events,
    committed_events,
    event_index,
    signers,
    verdicts_of,
)
from cohortgate.lifecycle.facts import DecisionJudge, file_facts
from cohortgate.lifecycle.machine import Replay, event_steps, replay
from cohortgate.models.application import Application
from cohortgate.models.lifecycle import ApplicantKeys, State
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import Outcome
from cohortgate.models.roster import Roster
from cohortgate.signatures.signed_files import verify_signed_files


@dataclass
class Lifecycle:
    """One application: its state and how it got there."""

    application: str
    folder: str
    app: Application | None
    events: list[FiledEvent]
    releases: dict[str, ReleaseManifest]
    replay: Replay
    findings: list[Finding] = field(default_factory=list)

    @property
    def state(self) -> State | None:
        return self.replay.state


def signed_decision_judge(repo: Repo, head: Commit, roster: Roster, today: date) -> DecisionJudge:
    """Decisions signed by a chair, alone, on the files as they are, dated right; quorum and
    the rubric's rule are NOT re-checked. For the credit record inside a review, where the full
    judge (a review of every earlier application) would recurse into the credit record."""

    def judge(folder: str) -> tuple[Outcome, date] | None:
        recorded, problems = load_decision(repo, head, folder, roster)
        if recorded is None or recorded.chair is None or has_errors(problems):
            return None
        app_id = folder.rsplit("/", 1)[-1]
        if has_errors(check_recorded(recorded, app_id, application_digests(head, folder), today)):
            return None
        return recorded.decision.decision, date.fromisoformat(recorded.decision.decided_on)

    return judge


def trusted_signers(base: Commit) -> tuple[Signers | None, list[Finding]]:
    """The roster and the applicants' keys at ``base``; None when the roster is unusable."""
    from cohortgate.models.roster import Roster

    roster, findings = load_trusted(base, ROSTER, Roster, Both(zh="名册", en="the roster"))
    applicants: ApplicantKeys | None = ApplicantKeys()
    if read_blob(base, APPLICANTS) is not None:
        applicants, more = load_trusted(
            base, APPLICANTS, ApplicantKeys, Both(zh="申请人的密钥", en="the applicants' keys")
        )
        findings += more
    if roster is None or applicants is None:
        return None, findings
    who, more = signers(roster, applicants)
    return who, findings + more


@dataclass
class Histories:
    lifecycles: list[Lifecycle]
    findings: list[Finding]  # about the trusted inputs


@ends_git_processes
def lifecycles(
    repo: Repo,
    lay: Layout,
    *,
    base: Commit,
    head: Commit,
    today: date,
    judge: DecisionJudge,
    folders: list[str] | None = None,
) -> Histories:
    """The lifecycle of every application at ``head`` (or of ``folders``), decisions judged by
    ``judge`` (``lifecycle.reviewed`` judges them as ``cohortgate review`` does)."""
    walk_soon(repo, head)  # git walks the history while the files below are parsed
    who, findings = trusted_signers(base)
    if who is None:
        return Histories([], findings)
    chosen = folders if folders is not None else application_folders(head)
    prefetch_documents(head, chosen)
    index = event_index(repo, head)
    verify_signed_files(repo, head, chosen, who.roster)  # sheets and decisions, in one pass
    committed = {folder: committed_events(repo, head, folder, index) for folder in chosen}
    every = [c for candidates, _problems in committed.values() for c in candidates]
    verdicts = verdicts_of(repo, every, who)  # one allowed-signers file, one ssh-keygen pass
    found: list[Lifecycle] = []
    for folder, (candidates, problems) in committed.items():
        facts = file_facts(head, folder, judge, today)
        events, more = accepted_events(head, folder, facts.app, candidates, verdicts, who, today)
        replayed = replay(facts.steps + event_steps(events), events, facts.releases, facts.outcome)
        found.append(
            Lifecycle(
                application=folder.rsplit("/", 1)[-1],
                folder=folder,
                app=facts.app,
                events=events,
                releases=facts.releases,
                replay=replayed,
                findings=sort_findings(facts.findings + problems + more + replayed.findings),
            )
        )
    return Histories(found, sort_findings(findings))
