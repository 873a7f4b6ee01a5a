"""An application's life after submission: states, events and the ONE table of legal transitions.

The state of an application is never written down; it is derived (``cohortgate.lifecycle``) by
replaying, in date order, two kinds of steps through ``TRANSITIONS``:

- ``Fact``: what the application's own files show, verified as the review and release code
  verify them: the form, the first score sheet, a valid decision, the signed agreements, a
  release manifest and the start of its access period;
- ``EventKind``: a small signed file ``submissions/<year>/<id>/events/<yyyy-mm-dd>-<kind>[-n].yaml``
  (``Event``), committed alone in an SSH-signed commit by someone holding the ``Role`` that
  ``ROLE_OF`` names for its kind (R19–R25).

A step that ``TRANSITIONS`` does not allow from the current state, whose ``requires`` did not
happen before, or whose ``Guard`` fails is refused with a finding and leaves the state as it was.
The site's diagram is drawn from the same table (``cohortgate.lifecycle.diagram``).

Applicants are not on the committee roster, so the keys they sign their events with live in
``rubric/applicants.yaml`` (``ApplicantKeys``), kept by the data management committee: it adds
an applicant's key when the agreements are signed. CI reads it, like the roster, from the base
branch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from cohortgate.models.blacklist import BlacklistEntry
from cohortgate.models.common import Email, IsoDate, NonEmpty, Slug, Strict
from cohortgate.models.review import ApplicationRef, RelPath, Sha256
from cohortgate.models.roster import SshEd25519Key

ReleaseRef = Annotated[str, StringConstraints(pattern=r"^R-20[0-9]{2}-[0-9]{4}-[0-9]{2}$")]


class State(StrEnum):
    """Where an application stands, from submission to closing."""

    SUBMITTED = "submitted"  # the form (application.yaml) exists
    SCREENING = "screening"  # merged: the formal checks of `validate` and R12 passed in its PR
    IN_REVIEW = "in_review"  # at least one score sheet is committed (R13, R14)
    DECIDED = "decided"  # a chair's decision is valid (R15): approve, revise or reject
    AGREEMENTS_SIGNED = "agreements_signed"  # both agreements of R17 signed (agreements.yaml)
    RELEASED = "released"  # a release manifest is committed: the data left (R18)
    TRACKING = "tracking"  # the access period started: TRACKING_MONTHS of follow-up (R19)
    EXTENDED = "extended"  # the data management committee granted an extension (R20)
    OUTPUTS_FILED = "outputs_filed"  # charts, manuscript and citation filed (R19, R23)
    EXPIRED = "expired"  # the period ended without outputs; the topic is reopened (R21)
    CLOSED = "closed"  # destruction certified and verified by the data centre (R22)
    REVOKED = "revoked"  # a violation revoked access; blacklisting follows (R24, R25)


class Fact(StrEnum):
    """Steps read from the application's files (no event file: the files are the record)."""

    # application.yaml, dated by the data management office's 'received' event when there is
    # one, else by its 'submitted' field (the applicant's word; refused when after either)
    FORM = "form"
    SCREENED = "screened"  # the form is on the tracked branch (its PR passed `validate`)
    SHEET = "sheet"  # the first score sheet in reviews/, dated by its 'reviewed_on'
    DECISION = "decision"  # decision.yaml, valid as `cohortgate review` judges it
    AGREEMENTS = "agreements"  # agreements.yaml with both kinds, dated by the last signature
    RELEASE = "release"  # releases/<release-id>.yaml, dated by its 'created_on'
    ACCESS = "access"  # the first release's 'access_start': the tracking period begins


class EventKind(StrEnum):
    """Steps recorded as signed event files (the value is the file name's ``<kind>``)."""

    # R12: the data management office records the day the application arrived. That day, not
    # the form's 'submitted' nor any commit date (both the applicant's to set), dates the
    # submission: ethics approval and funding are judged valid on it.
    RECEIVED = "received"
    OUTPUTS = "outputs"  # R19, R23: charts and manuscript (attachments) and the citation
    EXTENSION_REQUEST = "extension-request"  # R20: reasons and the new end date asked for
    EXTENSION_GRANTED = "extension-granted"  # R20: the committee grants a request
    EXPIRY = "expiry"  # R21: the committee records the end without outputs; topic reopened
    COMPLETION_NOTICE = "completion-notice"  # R22: the user notifies the end of use in writing
    DESTRUCTION_CERTIFICATE = "destruction-certificate"  # R22: the user's written proof
    DESTRUCTION_VERIFIED = "destruction-verified"  # R22: the data centre checked it
    CLOSURE = "closure"  # R22: a chair closes the application after verified destruction
    VIOLATION = "violation"  # R24, R25: access revoked, blacklist entry proposed
    # R35: results of potential value to the participants (health indicators, effective
    # treatments), vetted by the data management committee; they appear in participant reports
    PARTICIPANT_RESULTS = "participant-results"


Trigger = Fact | EventKind


class Role(StrEnum):
    """Who may sign a step."""

    FILES = "files"  # no signer of its own: the files are verified by review and release code
    APPLICANT = "applicant"  # a person of the application, with a key in rubric/applicants.yaml
    DATA_MANAGEMENT = "data_management"  # a member of the data management committee (R1)
    CHAIR = "chair"  # a chair of either committee


# Who signs each step. Applicant steps are signed with the applicant's key; the rest with a
# roster key of the right committee or a chair's.
ROLE_OF: dict[Trigger, Role] = {
    **{fact: Role.FILES for fact in Fact},
    EventKind.RECEIVED: Role.DATA_MANAGEMENT,
    EventKind.OUTPUTS: Role.APPLICANT,
    EventKind.EXTENSION_REQUEST: Role.APPLICANT,
    EventKind.COMPLETION_NOTICE: Role.APPLICANT,
    EventKind.DESTRUCTION_CERTIFICATE: Role.APPLICANT,
    EventKind.EXTENSION_GRANTED: Role.DATA_MANAGEMENT,
    EventKind.EXPIRY: Role.DATA_MANAGEMENT,
    EventKind.DESTRUCTION_VERIFIED: Role.DATA_MANAGEMENT,
    EventKind.CLOSURE: Role.CHAIR,
    EventKind.VIOLATION: Role.CHAIR,
    EventKind.PARTICIPANT_RESULTS: Role.DATA_MANAGEMENT,
}


class Guard(StrEnum):
    """A condition on the history besides the state (checked by ``lifecycle.machine``)."""

    APPROVED = "approved"  # the valid decision is 'approve'
    UNDER_EXTENSION_LIMIT = "under extension limit"  # fewer than MAX_EXTENSIONS so far (R20)
    REQUEST_PENDING = "request pending"  # an extension request not yet granted
    LATER_END = "later end"  # new_end is after the current end of the tracking period
    PERIOD_ENDED = "period ended"  # the tracking period (with extensions) is over (R21)
    KNOWN_RELEASE = "known release"  # 'release' names a release of this application (R22)
    EVERY_RELEASE_VERIFIED = "every release verified"  # destruction verified for each (R22)
    FIRST_RECEIPT = "first receipt"  # no 'received' event before: an application arrives once


@dataclass(frozen=True)
class Transition:
    """One legal step: in ``source``, ``trigger`` leads to ``target`` when each trigger of
    ``requires`` happened before and each guard holds."""

    source: State | None  # None: the first step of an application
    trigger: Trigger
    target: State
    requires: tuple[Trigger, ...] = ()
    guards: tuple[Guard, ...] = ()


_S = State
_F = Fact
_E = EventKind
_AFTER_RELEASE = (_S.RELEASED, _S.TRACKING, _S.EXTENDED)
_TRACKED = (_S.TRACKING, _S.EXTENDED)
_ENDED = (_S.OUTPUTS_FILED, _S.EXPIRED, _S.REVOKED)
_DESTROY = (_E.COMPLETION_NOTICE,)
_CERTIFY = (_E.DESTRUCTION_CERTIFICATE,)
_EXTEND = (Guard.UNDER_EXTENSION_LIMIT, Guard.LATER_END)
_BEFORE_DECISION = (_S.SUBMITTED, _S.SCREENING, _S.IN_REVIEW)

# THE table. Anything not listed is refused (a release before the agreements: no row from
# 'decided'; a third extension: UNDER_EXTENSION_LIMIT; closing without a verified destruction
# certificate: EVERY_RELEASE_VERIFIED).
TRANSITIONS: tuple[Transition, ...] = (
    Transition(None, _F.FORM, _S.SUBMITTED),
    Transition(_S.SUBMITTED, _F.SCREENED, _S.SCREENING),
    # R12: the office records the arrival before the decision; the form is dated by it.
    *(Transition(s, _E.RECEIVED, s, guards=(Guard.FIRST_RECEIPT,)) for s in _BEFORE_DECISION),
    Transition(_S.SCREENING, _F.SHEET, _S.IN_REVIEW),
    Transition(_S.IN_REVIEW, _F.DECISION, _S.DECIDED),
    Transition(_S.DECIDED, _F.AGREEMENTS, _S.AGREEMENTS_SIGNED, guards=(Guard.APPROVED,)),
    Transition(_S.AGREEMENTS_SIGNED, _F.RELEASE, _S.RELEASED),
    *(Transition(s, _F.RELEASE, s) for s in _AFTER_RELEASE),  # a further release (R10 data)
    Transition(_S.RELEASED, _F.ACCESS, _S.TRACKING),
    *(
        Transition(s, _E.EXTENSION_REQUEST, s, guards=(Guard.UNDER_EXTENSION_LIMIT,))
        for s in _TRACKED
    ),
    *(
        Transition(s, _E.EXTENSION_GRANTED, _S.EXTENDED, guards=(Guard.REQUEST_PENDING, *_EXTEND))
        for s in _TRACKED
    ),
    *(Transition(s, _E.OUTPUTS, _S.OUTPUTS_FILED) for s in _TRACKED),
    *(Transition(s, _E.EXPIRY, _S.EXPIRED, guards=(Guard.PERIOD_ENDED,)) for s in _TRACKED),
    *(Transition(s, _E.VIOLATION, _S.REVOKED) for s in (*_AFTER_RELEASE, *_ENDED[:2])),
    *(Transition(s, _E.COMPLETION_NOTICE, s) for s in _ENDED),
    *(
        Transition(s, _E.DESTRUCTION_CERTIFICATE, s, _DESTROY, (Guard.KNOWN_RELEASE,))
        for s in _ENDED
    ),
    *(Transition(s, _E.DESTRUCTION_VERIFIED, s, _CERTIFY, (Guard.KNOWN_RELEASE,)) for s in _ENDED),
    *(Transition(s, _E.CLOSURE, _S.CLOSED, guards=(Guard.EVERY_RELEASE_VERIFIED,)) for s in _ENDED),
    # R35: results returned to participants, from the tracking period on, also after closing.
    *(Transition(s, _E.PARTICIPANT_RESULTS, s) for s in (*_TRACKED, _S.OUTPUTS_FILED, _S.CLOSED)),
)


def transitions_from(state: State | None) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def transition(state: State | None, trigger: Trigger) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == state and t.trigger == trigger), None)


# --- event files -------------------------------------------------------------------------------

# events/<yyyy-mm-dd>-<kind>[-n].yaml; n (2..99) tells apart two events of a kind on one day.
EVENT_FILE = re.compile(
    r"^(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})-(?P<kind>[a-z]+(?:-[a-z]+)*?)(?:-(?P<n>[2-9]|[1-9][0-9]))?"
    r"\.yaml$"
)


def parse_event_name(name: str) -> tuple[str, EventKind, int] | None:
    """(day, kind, n) of an event file name, or None when it is not one."""
    match = EVENT_FILE.fullmatch(name)
    if match is None:
        return None
    try:
        kind = EventKind(match["kind"])
    except ValueError:
        return None
    return match["day"], kind, int(match["n"] or 1)


# The fields each kind must fill in (besides kind, application, at, by).
REQUIRED: dict[EventKind, tuple[str, ...]] = {
    EventKind.RECEIVED: (),
    EventKind.OUTPUTS: ("attachments", "citation"),
    EventKind.EXTENSION_REQUEST: ("reasons", "new_end"),
    EventKind.EXTENSION_GRANTED: ("new_end",),
    EventKind.EXPIRY: ("reasons",),
    EventKind.COMPLETION_NOTICE: (),
    EventKind.DESTRUCTION_CERTIFICATE: ("release", "attachments"),
    EventKind.DESTRUCTION_VERIFIED: ("release",),
    EventKind.CLOSURE: (),
    EventKind.VIOLATION: ("reasons", "blacklist"),
    EventKind.PARTICIPANT_RESULTS: ("results_zh",),
}


class Event(Strict):
    """One signed event of an application's lifecycle."""

    kind: EventKind
    application: ApplicationRef
    at: IsoDate = Field(
        description="The day of the event; also the file name's date. For 'received': the day "
        "the application arrived, which dates the submission"
    )
    by: NonEmpty = Field(
        description="Who signs: a member id (committee events) or the applicant's e-mail"
    )
    reasons: NonEmpty | None = Field(
        default=None, description="Why: extension request, expiry, violation"
    )
    new_end: IsoDate | None = Field(
        default=None, description="Extension: the new last day of the tracking period (R20)"
    )
    attachments: dict[RelPath, Sha256] = Field(
        default_factory=dict,
        description="Files in the application's events/ folder (not .yaml) -> SHA-256: charts "
        "and manuscript (outputs), the signed certificate (destruction)",
    )
    release: ReleaseRef | None = Field(
        default=None, description="Destruction: the release (R-<year>-<nnnn>-<mm>) it concerns"
    )
    citation: NonEmpty | None = Field(
        default=None, description="Outputs: how the publication cites the data source (R23)"
    )
    blacklist: BlacklistEntry | None = Field(
        default=None,
        description="Violation: the entry the chairs add to rubric/blacklist.yaml (R25)",
    )
    results_zh: NonEmpty | None = Field(
        default=None,
        max_length=1000,
        description="Participant results (R35): what the project found of value to the "
        "participants, in plain Chinese, as their reports show it",
    )

    @field_validator("at", "new_end")
    @classmethod
    def _calendar_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a calendar date (YYYY-MM-DD)") from None
        return value

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        missing = [name for name in REQUIRED[self.kind] if not getattr(self, name)]
        if missing:
            raise ValueError(f"a '{self.kind}' event needs: {', '.join(missing)}")
        if self.new_end is not None and self.new_end <= self.at:
            raise ValueError(f"new_end {self.new_end} must come after the event's day {self.at}")
        return self

    @property
    def day(self) -> date:
        return date.fromisoformat(self.at)


# --- applicants' keys -----------------------------------------------------------------------------


class ApplicantKey(Strict):
    """The key one person of an approved application signs their events with."""

    email: Email = Field(description="The institutional e-mail the application names")
    ssh_key: SshEd25519Key = Field(description="'ssh-ed25519 AAAA… comment' public key line")
    added_on: IsoDate = Field(description="The day the agreements were signed and the key added")
    added_by: Slug = Field(description="The data management committee member who added it")
    valid_until: IsoDate = Field(
        default="2099-12-31", description="Last day the key may sign (inclusive)"
    )


class ApplicantKeys(Strict):
    """``rubric/applicants.yaml``: applicants' signing keys, one per e-mail."""

    applicants: list[ApplicantKey] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_key_each(self) -> ApplicantKeys:
        emails = [a.email.lower() for a in self.applicants]
        if len(emails) != len(set(emails)):
            raise ValueError("an e-mail is listed more than once")
        return self

    def key_of(self, email: str) -> ApplicantKey | None:
        wanted = email.lower()
        return next((a for a in self.applicants if a.email.lower() == wanted), None)
