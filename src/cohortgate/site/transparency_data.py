"""What the transparency pages publish, read from the repository (R15, R19–R25, R34).

- the register: every validly approved application (``review.register.Notice``) joined with its
  replayed lifecycle (``lifecycle.history``): its state, tracking end and extensions, the outputs
  it filed with their citation (R19, R23), the day its topic was reopened (R21);
- the dashboard: counts per quarter of submission (applications, valid decisions, approvals,
  outputs on time, late, expired) and the days from submission to decision and to the first
  release; these are counts of applications, never of participants;
- the blacklist as ``rubric/blacklist.yaml`` holds it (``pages_transparency`` decides what of
  it is published).

Only what is already public reaches these pages: the notice fields the applicant agreed to
publish, event files committed in the public repository, and no release manifest field that
counts participants (``rows`` is never read here). A root that is not a git repository, or has
no valid rules, yields no register and no dashboard: the pages then say so in a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from cohortgate.approval.quarters import quarter_of
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.lifecycle.history import Lifecycle
from cohortgate.models.blacklist import Blacklist, BlacklistEntry
from cohortgate.models.lifecycle import Fact, State
from cohortgate.models.review import Outcome
from cohortgate.review.register import Notice

BLACKLIST = "blacklist.yaml"  # in rubric/


@dataclass(frozen=True)
class Output:
    """An outputs event (R19): when, how the publication cites the source (R23), its files."""

    filed_on: str
    citation: str
    attachments: tuple[str, ...]  # file names under the application's events/ folder
    on_time: bool | None


@dataclass(frozen=True)
class Use:
    """One approved use: the public notice and where its lifecycle stands."""

    notice: Notice
    state: State | None
    since: str | None
    released_on: str | None
    tracking_end: str | None
    extensions: int
    output: Output | None
    reopened_on: str | None  # the expiry day: the topic is open to others again (R21)


@dataclass
class QuarterRow:
    """Applications submitted in one quarter."""

    quarter: str
    submitted: int = 0
    decided: int = 0
    approved: int = 0
    days_to_decision: list[int] = field(default_factory=list)
    days_to_release: list[int] = field(default_factory=list)
    on_time: int = 0
    late: int = 0
    expired: int = 0

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None

    @property
    def median_to_decision(self) -> float | None:
        return median(self.days_to_decision) if self.days_to_decision else None

    @property
    def median_to_release(self) -> float | None:
        return median(self.days_to_release) if self.days_to_release else None


@dataclass(frozen=True)
class Transparency:
    uses: list[Use]
    quarters: list[QuarterRow]  # oldest first
    blacklist: list[BlacklistEntry] | None  # None: no rubric/blacklist.yaml


def _first_day(life: Lifecycle, trigger: Fact) -> date | None:
    days = [a.step.day for a in life.replay.applied if a.step.trigger is trigger]
    return min(days) if days else None


def use_of(notice: Notice, life: Lifecycle | None) -> Use:
    if life is None:
        return Use(notice, None, None, None, None, 0, None, None)
    r = life.replay
    output = None
    if r.outputs is not None:
        event = r.outputs.event
        output = Output(
            filed_on=event.at,
            citation=event.citation or "",
            attachments=tuple(sorted(name.rsplit("/", 1)[-1] for name in event.attachments)),
            on_time=r.outputs_on_time,
        )
    released = _first_day(life, Fact.RELEASE)
    return Use(
        notice=notice,
        state=r.state,
        since=r.since.isoformat() if r.since else None,
        released_on=released.isoformat() if released else None,
        tracking_end=r.end.isoformat() if r.end else None,
        extensions=r.extensions,
        output=output,
        reopened_on=r.expiry.event.at if r.expiry is not None else None,
    )


def quarter_rows(lifecycles: Sequence[Lifecycle]) -> list[QuarterRow]:
    """The dashboard's rows, by quarter of submission, oldest first."""
    rows: dict[str, QuarterRow] = {}
    for life in lifecycles:
        submitted = _first_day(life, Fact.FORM)
        if submitted is None:
            continue  # no valid form: not an application the register counts
        row = rows.setdefault(quarter_of(submitted), QuarterRow(quarter_of(submitted)))
        row.submitted += 1
        r = life.replay
        decided = _first_day(life, Fact.DECISION)
        if decided is not None and r.outcome is not None:
            row.decided += 1
            row.approved += r.outcome is Outcome.APPROVE
            row.days_to_decision.append((decided - submitted).days)
        released = _first_day(life, Fact.RELEASE)
        if released is not None:
            row.days_to_release.append((released - submitted).days)
        if r.outputs is not None:
            row.on_time += r.outputs_on_time is not False
            row.late += r.outputs_on_time is False
        elif r.expiry is not None:
            row.expired += 1
    return [rows[q] for q in sorted(rows)]


def load_blacklist(lay: Layout) -> tuple[list[BlacklistEntry] | None, list[Finding]]:
    path = lay.rubric / BLACKLIST
    if not path.is_file():
        return None, []
    try:
        doc = load_yaml_file(path, lay.rel(path))
    except LoadError as exc:
        return None, [exc.finding]
    value, findings = check_model(doc, Blacklist)
    return (value.entries if value is not None else None), findings


def lifecycles_at_head(lay: Layout, today: date) -> list[Lifecycle]:
    """Every application's lifecycle at HEAD, decisions judged as ``cohortgate review`` does;
    [] when the root is not a git repository or has no commit."""
    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
    from cohortgate.lifecycle.reviewed import lifecycles  # late: GitPython

    try:
        repo = open_repo(lay.root)
    except ReviewInputError:
        return []
    with repo:
        try:
            head = commit_of(repo, "HEAD")
        except ReviewInputError:
            return []
        return lifecycles(repo, lay, base=head, head=head, today=today).lifecycles


def build(
    notices: Sequence[Notice], lives: Sequence[Lifecycle], blacklist: list[BlacklistEntry] | None
) -> Transparency:
    by_id = {life.application: life for life in lives}
    uses = [use_of(n, by_id.get(n.application)) for n in notices]
    return Transparency(uses, quarter_rows(lives), blacklist)


def load(lay: Layout, notices: Sequence[Notice], today: date) -> tuple[Transparency, list[Finding]]:
    """The pages' inputs; findings only about ``rubric/blacklist.yaml``."""
    blacklist, findings = load_blacklist(lay)
    return build(notices, lifecycles_at_head(lay, today), blacklist), findings
