"""The steps an application's own files show: THE one place where files become ``Fact`` steps.

=========================  ======================  ==========================================
fact                       file                    day
=========================  ======================  ==========================================
form                       application.yaml        its 'submitted'
screened                   application.yaml        its 'submitted' (being on the tracked
                                                   branch means its pull request passed the
                                                   formal checks of `validate`, R12)
sheet                      reviews/*.yaml          the earliest 'reviewed_on' of a sheet
decision                   decision.yaml           'decided_on'; only when `cohortgate review`
                                                   judges it valid (``decision_valid``)
agreements                 agreements.yaml         the last 'signed_on', when both kinds of
                                                   R17 are recorded
release                    releases/<id>.yaml      'created_on' (one step per release)
access                     releases/<first>.yaml   the first release's 'access_start' (not
                                                   before its 'created_on')
=========================  ======================  ==========================================

Whether a decision is valid is asked of a ``DecisionJudge`` so that callers decide how (the
default runs ``approval.verify.review_application`` with the trusted rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from git import Commit

from cohortgate.findings import Finding
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.read import files_under, read_blob
from cohortgate.layout import DECISION, REVIEWS
from cohortgate.models.agreement import AgreementKind, SignedAgreements
from cohortgate.models.application import Application
from cohortgate.models.lifecycle import Fact, Trigger
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import Outcome, ScoreSheet

FORM = "application.yaml"
AGREEMENTS = "agreements.yaml"
RELEASES = "releases"

# (folder) -> (outcome, decided_on) of a VALID decision, or None.
DecisionJudge = Callable[[str], tuple[Outcome, date] | None]


@dataclass(frozen=True)
class Step:
    """One step of the replay: a fact or a filed event."""

    trigger: Trigger
    day: date
    source: str  # the file it comes from (repository path)
    rank: int  # order among steps of one day: facts in pipeline order, then events
    release: str | None = None  # RELEASE, ACCESS: the release id
    event_index: int | None = None  # events: index into the filed events


@dataclass
class FileFacts:
    app: Application | None
    steps: list[Step] = field(default_factory=list)
    releases: dict[str, ReleaseManifest] = field(default_factory=dict)
    outcome: Outcome | None = None
    findings: list[Finding] = field(default_factory=list)


_RANK = {fact: i for i, fact in enumerate(Fact)}


def _fact(trigger: Fact, day: date, source: str, release: str | None = None) -> Step:
    return Step(trigger, day, source, _RANK[trigger], release=release)


def file_facts(head: Commit, folder: str, judge: DecisionJudge, today: date) -> FileFacts:
    """The fact steps of the application in ``folder`` at ``head``, as of ``today``: a step
    dated later (an access period that starts next week) has not happened yet."""
    form = f"{folder}/{FORM}"
    data = read_blob(head, form)
    if data is None:
        return FileFacts(None)
    app, _doc, problems = load_model(data, form, Application)
    facts = FileFacts(app, findings=problems)
    if app is None:
        return facts
    submitted = app.submitted_date()
    facts.steps += [_fact(Fact.FORM, submitted, form), _fact(Fact.SCREENED, submitted, form)]
    sheet_days = [
        (date.fromisoformat(sheet.reviewed_on), path)
        for path, blob in files_under(head, f"{folder}/{REVIEWS}")
        if path.endswith(".yaml")
        and (sheet := load_model(bytes(blob.data_stream.read()), path, ScoreSheet)[0]) is not None
    ]
    if sheet_days:
        day, path = min(sheet_days)
        facts.steps.append(_fact(Fact.SHEET, day, path))
    decided = judge(folder)
    if decided is not None:
        facts.outcome, day = decided
        facts.steps.append(_fact(Fact.DECISION, day, f"{folder}/{DECISION}"))
    agreements_path = f"{folder}/{AGREEMENTS}"
    blob = read_blob(head, agreements_path)
    if blob is not None:
        signed, _doc, problems = load_model(blob, agreements_path, SignedAgreements)
        facts.findings += problems
        if signed is not None and all(signed.get(kind) for kind in AgreementKind):
            last = max(date.fromisoformat(r.signed_on) for r in signed.agreements)
            facts.steps.append(_fact(Fact.AGREEMENTS, last, agreements_path))
    for path, blob_ in files_under(head, f"{folder}/{RELEASES}"):
        if not path.endswith(".yaml"):
            continue
        manifest, _doc, problems = load_model(
            bytes(blob_.data_stream.read()), path, ReleaseManifest
        )
        facts.findings += problems
        if manifest is None or manifest.application != app.id:
            continue  # the release checks report it
        if date.fromisoformat(manifest.created_on) > today:
            continue  # not made yet
        facts.releases[manifest.release] = manifest
        created = date.fromisoformat(manifest.created_on)
        facts.steps.append(_fact(Fact.RELEASE, created, path, manifest.release))
    if facts.releases:
        first = min(facts.releases.values(), key=lambda m: (m.created_on, m.release))
        start = max(date.fromisoformat(first.access_start), date.fromisoformat(first.created_on))
        source = f"{folder}/{RELEASES}/{first.release}.yaml"
        facts.steps.append(_fact(Fact.ACCESS, start, source, first.release))
    facts.steps = [step for step in facts.steps if step.day <= today]
    return facts
