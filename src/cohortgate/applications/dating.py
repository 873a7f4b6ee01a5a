"""The day ``cohortgate validate`` judges each application on (``context.Received``).

In this order: the day given as ``--received`` (the applications workflow passes the time
GitHub recorded when the pull request was opened: the applicant cannot set it); else the data
management office's signed 'received' event committed for the application
(``lifecycle.received``); else today, and the findings say so. Never the form's 'submitted'
nor a commit date, which are the applicant's to write.

``--received`` takes a day (YYYY-MM-DD) or a timestamp with its offset, as GitHub writes it
(2026-03-05T01:30:00Z); a timestamp counts on the cohort's calendar, China Standard Time
(UTC+08:00, no daylight saving), so a pull request opened at 07:00 in Beijing counts on that day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cohortgate.applications.context import Received, judged_today
from cohortgate.applications.load import Form
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both

CHINA = timezone(timedelta(hours=8), "CST")  # the hospitals' calendar: no daylight saving


def received_day(text: str) -> date:
    """``--received``: a day, or a timestamp with an offset (its day in China). ValueError
    when it is neither."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone: write YYYY-MM-DD or 2026-03-05T01:30:00Z")
    return stamp.astimezone(CHINA).date()


def resolver(
    root: Path, folders: list[Path], received: date | None, today: date
) -> tuple[Callable[[Form], Received], list[Finding]]:
    """How each form's day is found, and the findings on refused 'received' events."""
    if received is not None:
        given = Received(
            received,
            Both(
                zh="收件日期：拉取请求的创建日期（--received）",
                en="received: the day the pull request was opened (--received)",
            ),
        )
        return (lambda form: given), []
    if not any(next((folder / "events").glob("*-received*.yaml"), None) for folder in folders):
        # no receipt in the working tree, so none committed to verify: git is not needed
        return (lambda form: judged_today(today)), []
    from cohortgate.lifecycle.received import receipts  # late: GitPython

    found, findings = receipts(root, folders, today)

    def day_of(form: Form) -> Received:
        got = found.get(form.folder)
        if got is None:
            return judged_today(today)
        return Received(
            got.day,
            Both(
                zh=f"数据管理办公室签名的收件事件 {got.path}",
                en=f"received by the data management office: {got.path}",
            ),
        )

    return day_of, findings
