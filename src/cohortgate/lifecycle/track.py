"""What is due, for every application after its release: the dates, who must act, what is late.

=============================  ===================  ==========================================
item (key ``<id>/<what>``)     who acts             due
=============================  ===================  ==========================================
outputs                        applicant            the end of the tracking period (R19, R20)
extension-answer               data management      request + EXTENSION_ANSWER_DAYS (R20)
expiry                         data management      period end + EXPIRY_RECORD_DAYS, when no
                                                    outputs came (R21)
completion-notice              applicant            the end of use (R22)
destruction-<release>          applicant            end of use + DESTRUCTION_DAYS (R22)
verification-<release>         data management      certificate + VERIFICATION_DAYS (R22)
closure                        chairs               the day the last destruction was verified
=============================  ===================  ==========================================

The end of use is the latest release's ``access_end`` once outputs are filed, or the day of the
expiry or of the revocation. An item is overdue when today is after its due day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from cohortgate.findings import Finding
from cohortgate.lifecycle.history import Lifecycle
from cohortgate.lifecycle.policy import (
    DESTRUCTION_DAYS,
    EXPIRY_RECORD_DAYS,
    EXTENSION_ANSWER_DAYS,
    VERIFICATION_DAYS,
)
from cohortgate.models.lifecycle import State


class Actor(StrEnum):
    """Who must act on a due item."""

    APPLICANT = "applicant"
    DATA_MANAGEMENT = "data_management"  # the data management committee (the data centre)
    CHAIRS = "chairs"


@dataclass(frozen=True)
class DueItem:
    application: str
    what: str
    due: date
    actor: Actor
    overdue: bool
    detail: str

    @property
    def key(self) -> str:
        """Stable across runs: the issue of this item is found by it."""
        return f"{self.application}/{self.what}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "application": self.application,
            "what": self.what,
            "due": self.due.isoformat(),
            "actor": self.actor.value,
            "overdue": self.overdue,
            "detail": self.detail,
        }


@dataclass
class Status:
    application: str
    folder: str
    title: str
    state: State | None
    since: date | None
    tracking_end: date | None
    extensions: int
    items: list[DueItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "application": self.application,
            "folder": self.folder,
            "title": self.title,
            "state": self.state.value if self.state else None,
            "since": self.since.isoformat() if self.since else None,
            "tracking_end": self.tracking_end.isoformat() if self.tracking_end else None,
            "extensions": self.extensions,
            "items": [i.to_dict() for i in self.items],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class TrackReport:
    today: date
    statuses: list[Status]
    findings: list[Finding]  # about the trusted inputs

    @property
    def items(self) -> list[DueItem]:
        return sorted((i for s in self.statuses for i in s.items), key=lambda i: (i.due, i.key))

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "applications": [s.to_dict() for s in self.statuses],
            "due": [i.to_dict() for i in self.items],
            "findings": [f.to_dict() for f in self.findings],
        }


def end_of_use(life: Lifecycle) -> date | None:
    r = life.replay
    if r.state is State.OUTPUTS_FILED and life.releases:
        return max(date.fromisoformat(m.access_end) for m in life.releases.values())
    if r.state is State.EXPIRED and r.expiry is not None:
        return r.expiry.event.day
    if r.state is State.REVOKED and r.violation is not None:
        return r.violation.event.day
    return None


def due_items(life: Lifecycle, today: date) -> list[DueItem]:
    """The open items of one application on ``today``."""
    r = life.replay
    out: list[tuple[str, date, Actor, str]] = []
    if r.state in (State.TRACKING, State.EXTENDED) and r.end is not None:
        ext = f" ({r.extensions} extension(s) granted)" if r.extensions else ""
        out.append(
            ("outputs", r.end, Actor.APPLICANT, f"file charts, manuscript and citation{ext}")
        )
        if r.pending is not None:
            asked = r.pending.event
            out.append(
                (
                    "extension-answer",
                    asked.day + timedelta(days=EXTENSION_ANSWER_DAYS),
                    Actor.DATA_MANAGEMENT,
                    f"answer the extension request of {asked.at} (new end {asked.new_end})",
                )
            )
        if today > r.end:
            out.append(
                (
                    "expiry",
                    r.end + timedelta(days=EXPIRY_RECORD_DAYS),
                    Actor.DATA_MANAGEMENT,
                    f"no outputs since the period ended on {r.end}: record the expiry (R21)",
                )
            )
    end = end_of_use(life)
    if end is not None:
        if r.completion is None:
            out.append(
                ("completion-notice", end, Actor.APPLICANT, "notify the end of use in writing")
            )
        for release in sorted(life.releases):
            if release not in r.certificates:
                out.append(
                    (
                        f"destruction-{release}",
                        end + timedelta(days=DESTRUCTION_DAYS),
                        Actor.APPLICANT,
                        f"destroy the data of {release} and file the certificate",
                    )
                )
            elif release not in r.verified:
                filed = r.certificates[release].event.day
                out.append(
                    (
                        f"verification-{release}",
                        filed + timedelta(days=VERIFICATION_DAYS),
                        Actor.DATA_MANAGEMENT,
                        f"verify the destruction certificate of {release} filed {filed}",
                    )
                )
        if life.releases and set(life.releases) <= set(r.verified):
            last = max(f.event.day for f in r.verified.values())
            out.append(("closure", last, Actor.CHAIRS, "close the application (R22)"))
    return [
        DueItem(life.application, what, due, actor, today > due, detail)
        for what, due, actor, detail in out
    ]


def track(lifecycles: list[Lifecycle], findings: list[Finding], today: date) -> TrackReport:
    statuses = [
        Status(
            application=life.application,
            folder=life.folder,
            title=life.app.title if life.app else "",
            state=life.state,
            since=life.replay.since,
            tracking_end=life.replay.end,
            extensions=life.replay.extensions,
            items=due_items(life, today),
            findings=life.findings,
        )
        for life in lifecycles
    ]
    return TrackReport(today, statuses, findings)
