"""The credit record (R22, R25): what each applicant and each institution did with data before.

Counted from the replayed lifecycles, never from anything an applicant writes alone:

- ``on_time_outputs`` / ``late_outputs``: outputs events, on or after the end of the tracking
  period (extensions included) at the time they were filed;
- ``missing_outputs``: expiry events (R21);
- ``verified_destructions``: destruction-verified events (one per release);
- ``violations``: violation events; counted for the application's applicant and institution
  and for the person and institution the proposed blacklist entry names;
- ``earlier_approvals``: valid approving decisions.

A person is their e-mail (lower case); the record of an application's applicant is the
applicant's own, with the violations of their institution added (each violation event once):
a leak at an institution bears on every application from it (R25).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from git import Commit, Repo

from cohortgate.gitread.folders import application_folders
from cohortgate.gitread.read import blob_sha, files_under
from cohortgate.layout import DECISION, EVENTS, Layout
from cohortgate.lifecycle.history import (
    Lifecycle,
    lifecycles,
    signed_decision_judge,
    trusted_signers,
)
from cohortgate.models.application import Application
from cohortgate.models.blacklist import BlacklistEntry
from cohortgate.models.review import Outcome
from cohortgate.scoring.indicators import CreditRecord


@dataclass
class _Tally:
    on_time: set[str] = field(default_factory=set)  # application ids
    late: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    verified: set[str] = field(default_factory=set)  # event paths
    violations: set[str] = field(default_factory=set)  # event paths
    approvals: set[str] = field(default_factory=set)  # application ids
    _counted: dict[int, tuple[int, Counter[str]]] = field(default_factory=dict, repr=False)

    def per_application(self, paths: set[str]) -> Counter[str]:
        """How many of the event ``paths`` each application holds (the folder after
        ``submissions/<year>/``), counted once per set and size: a ledger is asked once per
        application it scores."""
        known = self._counted.get(id(paths))
        if known is None or known[0] != len(paths):
            counts = Counter(p.split("/")[2] for p in paths if p.count("/") >= 3)
            known = self._counted[id(paths)] = (len(paths), counts)
        return known[1]

    def record(self, without: str | None = None) -> CreditRecord:
        """The counts, leaving out application ``without`` (the one being scored)."""

        def ids(items: set[str]) -> int:
            return len(items - {without} if without else items)

        def events(paths: set[str]) -> int:
            return len(paths) - (self.per_application(paths)[without] if without else 0)

        return CreditRecord(
            on_time_outputs=ids(self.on_time),
            late_outputs=ids(self.late),
            missing_outputs=ids(self.missing),
            verified_destructions=events(self.verified),
            violations=events(self.violations),
            earlier_approvals=ids(self.approvals),
        )


@dataclass
class CreditLedger:
    """Credit by applicant e-mail (lower case) and by institution id."""

    by_email: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    by_institution: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    # R25: the blacklist entry of every verified violation event and the event's path
    violations: list[tuple[BlacklistEntry, str]] = field(default_factory=list)

    def person(self, email: str, without: str | None = None) -> CreditRecord:
        tally = self.by_email.get(email.lower())
        return tally.record(without) if tally else CreditRecord()

    def institution(self, institution: str, without: str | None = None) -> CreditRecord:
        tally = self.by_institution.get(institution)
        return tally.record(without) if tally else CreditRecord()

    def credit_for(self, app: Application) -> CreditRecord:
        """The record the rubric scores for ``app``: its applicant's history (other
        applications only), with violations at the applicant's institution added."""
        person = self.by_email.get(app.applicant.email.lower(), _Tally())
        place = self.by_institution.get(app.applicant.institution, _Tally())
        own = person.record(app.id)
        violations = {p for p in person.violations | place.violations if f"/{app.id}/" not in p}
        return replace(own, violations=len(violations))


def ledger(lifecycles: list[Lifecycle]) -> CreditLedger:
    """The credit of every applicant and institution in ``lifecycles``."""
    book = CreditLedger()
    for life in lifecycles:
        if life.app is None:
            continue
        r = life.replay
        tallies = [
            book.by_email[life.app.applicant.email.lower()],
            book.by_institution[life.app.applicant.institution],
        ]
        for tally in tallies:
            if r.outputs is not None:
                (tally.on_time if r.outputs_on_time else tally.late).add(life.application)
            if r.expiry is not None:
                tally.missing.add(life.application)
            tally.verified |= {f.path for f in r.verified.values()}
            if r.outcome is Outcome.APPROVE and r.state is not None:
                tally.approvals.add(life.application)
        if r.violation is not None:
            entry = r.violation.event.blacklist
            named = tallies
            if entry is not None and entry.person_email is not None:
                named = [*named, book.by_email[entry.person_email.lower()]]
            if entry is not None and entry.institution is not None:
                named = [*named, book.by_institution[entry.institution]]
            for tally in named:
                tally.violations.add(r.violation.path)
            if entry is not None:
                book.violations.append((entry, r.violation.path))
    return book


def credit_record(
    repo: Repo, lay: Layout, base: Commit, app: Application, today: date
) -> CreditRecord:
    """The credit record the rubric scores for ``app``, from the trusted ``base`` commit alone
    (roster, applicants' keys, earlier applications and their events). Decisions count when a
    chair signed them (``signed_decision_judge``): running a full review of every earlier
    application here would recurse into this record."""
    book = _ledger_at(str(repo.working_dir), base.hexsha, today, repo, lay)
    return CreditRecord() if book is None else book.credit_for(app)


def verified_violations(
    repo: Repo, lay: Layout, base: Commit, today: date
) -> list[tuple[BlacklistEntry, str]]:
    """The blacklist entry of every violation event validly signed and filed at ``base``, with
    the event's path (R25): with ``rubric/blacklist.yaml``, the blacklist the custodian's gate
    reads."""
    book = _ledger_at(str(repo.working_dir), base.hexsha, today, repo, lay)
    return [] if book is None else list(book.violations)


def _ledger_at(
    working_dir: str, sha: str, today: date, repo: Repo, lay: Layout
) -> CreditLedger | None:
    """The ledger of one base commit on one day, computed once per process: ``track`` and
    ``audit`` review every application against the same base, and a commit never changes."""
    key = (working_dir, sha, today)
    if key not in _LEDGERS:
        base = repo.commit(sha)
        who, _findings = trusted_signers(base)
        folders = contributing_folders(base) if who is not None else []
        book = None
        if who is not None and folders:
            judge = signed_decision_judge(repo, base, who.roster, today)
            found = lifecycles(
                repo, lay, base=base, head=base, today=today, judge=judge, folders=folders
            )
            book = ledger(found.lifecycles)
        if len(_LEDGERS) >= _LEDGER_CACHE:
            _LEDGERS.pop(next(iter(_LEDGERS)))
        _LEDGERS[key] = book
    return _LEDGERS[key]


_LEDGER_CACHE = 8
_LEDGERS: dict[tuple[str, str, date], CreditLedger | None] = {}


def contributing_folders(base: Commit) -> list[str]:
    """The applications that can change anyone's credit: those with a decision, events or
    releases. An application still waiting for its review adds nothing to the ledger, so the
    record costs what the applications that went somewhere cost, not the whole register."""
    return [
        folder
        for folder in application_folders(base)
        if blob_sha(base, f"{folder}/{DECISION}")
        or files_under(base, f"{folder}/{EVENTS}")
        or files_under(base, f"{folder}/releases")
    ]
