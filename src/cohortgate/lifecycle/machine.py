"""Replay an application's steps through the transition table: its state, and a finding for
every step the table refuses.

Steps (facts from the files and the filed events) are replayed by day; on one day, facts in
their pipeline order come first, then events in commit order. The form is dated by the data
management office's first 'received' event when there is one (``dated_by_receipt``): the
form's own 'submitted' is the applicant's word. A refused step changes nothing:
the replay goes on from the state before it, so one bad event never hides the ones after it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cohortgate.approval.phrases import NONE
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both, Code
from cohortgate.lifecycle import codes as C
from cohortgate.lifecycle.events import FiledEvent
from cohortgate.lifecycle.facts import Step
from cohortgate.models.lifecycle import (
    EventKind,
    Fact,
    Guard,
    State,
    Transition,
    Trigger,
    transition,
    transitions_from,
)
from cohortgate.models.release import ReleaseManifest
from cohortgate.models.review import Outcome
from cohortgate.policy import MAX_EXTENSIONS, TRACKING_MONTHS


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Applied:
    """A step the table allowed."""

    step: Step
    source: State | None
    target: State


@dataclass
class Replay:
    """Where the replay ended, with what the due dates and the credit record need."""

    state: State | None = None
    since: date | None = None  # the day of the step that entered ``state``
    applied: list[Applied] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    outcome: Outcome | None = None
    tracking_start: date | None = None
    end: date | None = None  # last day of the tracking period, extensions included
    extensions: int = 0  # granted
    requests: int = 0  # filed
    pending: FiledEvent | None = None  # a request not granted yet
    outputs: FiledEvent | None = None
    outputs_on_time: bool | None = None
    expiry: FiledEvent | None = None
    violation: FiledEvent | None = None
    completion: FiledEvent | None = None
    certificates: dict[str, FiledEvent] = field(default_factory=dict)  # by release id
    verified: dict[str, FiledEvent] = field(default_factory=dict)  # by release id
    closure: FiledEvent | None = None
    received: FiledEvent | None = None  # the office's receipt: it dates the submission (R12)

    def happened(self, trigger: Trigger) -> bool:
        return any(a.step.trigger == trigger for a in self.applied)


def replay(
    steps: list[Step],
    events: list[FiledEvent],
    releases: dict[str, ReleaseManifest],
    outcome: Outcome | None,
) -> Replay:
    """Replay ``steps`` (facts and events; ``event_index`` points into ``events``)."""
    state = Replay(outcome=outcome)
    steps = dated_by_receipt(steps, events)
    refused: set[str] = set()  # releases refused: their access period never starts
    for step in sorted(steps, key=lambda s: (s.day, s.rank, s.event_index or 0)):
        filed = events[step.event_index] if step.event_index is not None else None
        if step.trigger is Fact.ACCESS and step.release in refused:
            continue  # the finding on the release says it all
        found = transition(state.state, step.trigger)
        if found is None:
            state.findings.append(_illegal(state, step, filed))
            if step.trigger is Fact.RELEASE and step.release is not None:
                refused.add(step.release)
            continue
        problem = _refusal(state, found, step, filed, releases)
        if problem is not None:
            state.findings.append(problem)
            continue
        _apply(state, found, step, filed, releases)
    return state


def received_day(events: list[FiledEvent]) -> date | None:
    """The day of the first filed 'received' event (commit order), or None."""
    return next((f.event.day for f in events if f.event.kind is EventKind.RECEIVED), None)


def dated_by_receipt(steps: list[Step], events: list[FiledEvent]) -> list[Step]:
    """``steps`` with the form and its screening dated by the office's receipt, if any."""
    day = received_day(events)
    form = (Fact.FORM, Fact.SCREENED)
    later = [s.day for s in steps if isinstance(s.trigger, Fact) and s.trigger not in form]
    if day is None or any(other < day for other in later):
        return steps  # a receipt after the review began: the table refuses it
    return [
        replace(step, day=day) if step.trigger in (Fact.FORM, Fact.SCREENED) else step
        for step in steps
    ]


def event_steps(events: list[FiledEvent]) -> list[Step]:
    return [
        Step(f.event.kind, f.event.day, f.path, 100 + i, event_index=i)
        for i, f in enumerate(events)
    ]


def _where(
    where: Step, filed: FiledEvent | None, code: Code, path: tuple[str, ...] = (), **params: Any
) -> Finding:
    if filed is not None:
        return filed.doc.finding(code, path, **params)
    return code.at(where.source, **params)


def _illegal(state: Replay, step: Step, filed: FiledEvent | None) -> Finding:
    allowed = sorted({str(t.trigger) for t in transitions_from(state.state)})
    return _where(
        step,
        filed,
        C.ILLEGAL_TRANSITION,
        step=str(step.trigger),
        day=step.day.isoformat(),
        state=str(state.state) if state.state else NONE,
        allowed=", ".join(allowed) or Both(zh="无（终态）", en="nothing (final state)"),
    )


def _refusal(
    state: Replay,
    found: Transition,
    step: Step,
    filed: FiledEvent | None,
    releases: dict[str, ReleaseManifest],
) -> Finding | None:
    day = step.day.isoformat()
    name = str(step.trigger)
    for needed in found.requires:
        if not state.happened(needed):
            return _where(step, filed, C.REQUIREMENT_MISSING, step=name, day=day, needs=str(needed))
    event = filed.event if filed is not None else None
    for guard in found.guards:
        if guard is Guard.UNDER_EXTENSION_LIMIT:
            done = (
                state.requests if step.trigger is EventKind.EXTENSION_REQUEST else state.extensions
            )
            if done >= MAX_EXTENSIONS:
                return _where(
                    step,
                    filed,
                    C.EXTENSION_LIMIT,
                    step=name,
                    day=day,
                    number=done + 1,
                    limit=MAX_EXTENSIONS,
                )
        elif guard is Guard.KNOWN_RELEASE:
            assert event is not None
            if event.release not in releases:
                known = ", ".join(sorted(releases)) or NONE
                return _where(
                    step,
                    filed,
                    C.UNKNOWN_RELEASE,
                    ("release",),
                    step=name,
                    day=day,
                    release=event.release,
                    known=known,
                )
            if (
                step.trigger is EventKind.DESTRUCTION_VERIFIED
                and event.release not in state.certificates
            ):
                kind = EventKind.DESTRUCTION_CERTIFICATE
                needs = Both(zh=f"{kind}（发布 {event.release}）", en=f"{kind} for {event.release}")
                return _where(step, filed, C.REQUIREMENT_MISSING, step=name, day=day, needs=needs)
        elif guard is Guard.EVERY_RELEASE_VERIFIED:
            missing = sorted(set(releases) - set(state.verified))
            if missing:
                return _where(step, filed, C.NO_DESTRUCTION, day=day, releases=", ".join(missing))
        else:
            problem = _guard_problem(state, guard, step, filed)
            if problem is not None:
                text, fix = problem
                return _where(
                    step, filed, C.GUARD_FAILED, step=name, day=day, problem=text, fix=fix
                )
    return None


def _guard_problem(
    state: Replay, guard: Guard, step: Step, filed: FiledEvent | None
) -> tuple[Both, Both] | None:
    event = filed.event if filed is not None else None
    if guard is Guard.APPROVED:
        if state.outcome is not Outcome.APPROVE:
            decided = state.outcome.value if state.outcome else "none"
            return (
                Both(
                    zh=f"审批决定是“{decided}”，不是“approve”",
                    en=f"the decision is '{decided}', not 'approve'",
                ),
                Both(
                    zh="只有在批准的决定之后才能签署协议（R17）。",
                    en="Agreements follow an approving decision only (R17).",
                ),
            )
    elif guard is Guard.REQUEST_PENDING:
        if state.pending is None:
            return (
                Both(zh="没有待处理的延期申请", en="no extension request is pending"),
                Both(
                    zh="须先由申请人提交附有理由的延期申请（R20）。",
                    en="The applicant files an extension request with reasons first (R20).",
                ),
            )
    elif guard is Guard.LATER_END:
        assert event is not None and event.new_end is not None
        if state.end is not None and date.fromisoformat(event.new_end) <= state.end:
            return (
                Both(
                    zh=f"new_end {event.new_end} 不晚于当前的结束日期 {state.end}",
                    en=f"new_end {event.new_end} is not after the current end {state.end}",
                ),
                Both(
                    zh="把 new_end 设为跟踪期当前结束日期之后的日期。",
                    en="Set new_end after the current end of the tracking period.",
                ),
            )
    elif guard is Guard.FIRST_RECEIPT:
        if state.received is not None:
            at, name = state.received.event.at, state.received.path.rsplit("/", 1)[-1]
            return (
                Both(
                    zh=f"该申请已于 {at} 收到（{name}）",
                    en=f"the application was received on {at} ({name})",
                ),
                Both(
                    zh="一份申请只收件一次：请删除这个事件文件；提交日期以第一个收件事件为准。",
                    en="An application arrives once: delete this event file; the first one "
                    "dates the submission.",
                ),
            )
    elif guard is Guard.PERIOD_ENDED and state.end is not None and step.day <= state.end:
        return (
            Both(
                zh=f"跟踪期到 {state.end} 才结束",
                en=f"the tracking period runs until {state.end}",
            ),
            Both(
                zh=f"如到 {state.end} 仍未报备成果，在该日之后记录到期（R21）。",
                en=f"Record the expiry after {state.end}, if no outputs were filed by then (R21).",
            ),
        )
    return None


def _apply(
    state: Replay,
    found: Transition,
    step: Step,
    filed: FiledEvent | None,
    releases: dict[str, ReleaseManifest],
) -> None:
    state.applied.append(Applied(step, state.state, found.target))
    if found.target != state.state:
        state.since = step.day
    state.state = found.target
    trigger = step.trigger
    if trigger is Fact.ACCESS:
        state.tracking_start = step.day
        state.end = add_months(step.day, TRACKING_MONTHS)
    if filed is None:
        return
    event = filed.event
    if trigger is EventKind.EXTENSION_REQUEST:
        state.requests += 1
        state.pending = filed
    elif trigger is EventKind.EXTENSION_GRANTED:
        assert event.new_end is not None
        state.extensions += 1
        state.pending = None
        state.end = date.fromisoformat(event.new_end)
    elif trigger is EventKind.OUTPUTS:
        state.outputs = filed
        state.outputs_on_time = state.end is None or step.day <= state.end
    elif trigger is EventKind.EXPIRY:
        state.expiry = filed
    elif trigger is EventKind.VIOLATION:
        state.violation = filed
    elif trigger is EventKind.COMPLETION_NOTICE:
        state.completion = filed
    elif trigger is EventKind.DESTRUCTION_CERTIFICATE:
        assert event.release is not None
        state.certificates[event.release] = filed
    elif trigger is EventKind.DESTRUCTION_VERIFIED:
        assert event.release is not None
        state.verified[event.release] = filed
    elif trigger is EventKind.CLOSURE:
        state.closure = filed
    elif trigger is EventKind.RECEIVED:
        state.received = filed
