"""Is the ethics approval (R30) and the funding (R3) of an application in force on a day?

The day is never the form's 'submitted' (the applicant writes it) nor a commit date (the
applicant sets those too): ``cohortgate validate`` judges on the day the data management office
received the application (its signed 'received' event, or the pull request's creation time
that GitHub recorded), ``cohortgate review`` again on the decision's 'decided_on', and the
custodian once more on the day of the release. Each caller turns a ``Lapse`` into a finding of
its own room, located at the field to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cohortgate.approval import codes as C
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both, Code
from cohortgate.models.application import Application

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Lapse:
    """A period that does not include the day: which, where in the form, and how to fix it."""

    what: Both  # the ethics approval / the funding
    path: Loc  # the field to change: the start when the day is before it, else the end
    start: str
    end: str
    fix: Both


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def lapses(app: Application, day: date) -> list[Lapse]:
    """The ethics approval and the funding of ``app`` not in force on ``day``. A missing or
    unreadable date is left to the form's own checks (``application.invalid-date``)."""
    periods: list[tuple[Both, str, str | None, str | None, Both]] = [
        (
            Both(zh="资助项目", en="the funding"),
            "funding",
            app.funding.start,
            app.funding.end,
            Both(
                zh="在 funding 下填写当天仍在资助期内的项目（R3）。",
                en="Name a project funded on that day under 'funding' (R3).",
            ),
        )
    ]
    if app.ethics is not None:
        periods.append(
            (
                Both(zh="伦理批件", en="the ethics approval"),
                "ethics",
                app.ethics.approved_on,
                app.ethics.valid_until,
                Both(
                    zh="请重新申请伦理审批，并更新 ethics.approved_on、ethics.valid_until 和 "
                    "ethics.letter（R30）。",
                    en="Renew the ethics approval and update ethics.approved_on, "
                    "ethics.valid_until and ethics.letter (R30).",
                ),
            )
        )
    found: list[Lapse] = []
    for what, section, first, last, fix in periods:
        start, end = _day(first), _day(last)
        if start is None or end is None or first is None or last is None:
            continue
        if not start <= day <= end:
            field = ("approved_on" if section == "ethics" else "start") if day < start else None
            field = field or ("valid_until" if section == "ethics" else "end")
            found.append(Lapse(what, (section, field), first, last, fix))
    return found


def lapse_finding(
    code: Code, lapse: Lapse, file: str, doc: Document | None = None, **params: Any
) -> Finding:
    """A finding of ``code`` at the lapse's field (the file itself when no document)."""
    values: dict[str, Any] = {
        "what": lapse.what,
        "start": lapse.start,
        "end": lapse.end,
        "fix": lapse.fix,
    }
    if doc is not None:
        return doc.finding(code, lapse.path, **values, **params)
    return code.at(file, **values, **params)


def lapsed_at_decision(
    app: Application, doc: Document | None, file: str, decided_on: str
) -> list[Finding]:
    """``review.lapsed-at-decision`` for each period not in force on ``decided_on``."""
    day = _day(decided_on)
    if day is None:
        return []  # the decision's own checks report it
    return [
        lapse_finding(C.LAPSED_AT_DECISION, lapse, file, doc, decided_on=decided_on)
        for lapse in lapses(app, day)
    ]
