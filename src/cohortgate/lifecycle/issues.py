"""One GitHub issue per due item: title, Markdown body and labels, rendered offline.

The scheduled workflow (``.github/workflows/track.yml``) finds an item's issue by the hidden
marker at the top of its body (``<!-- cohortgate-track:<key> -->``, the key being
``<application>/<what>``) and creates or updates it; an open issue whose key is no longer due
is closed. Only items due within ``NOTICE_DAYS`` (or overdue) get an issue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cohortgate.files.atomic import write_text
from cohortgate.lifecycle.track import Actor, DueItem, TrackReport

# How many days before its due day an item gets its issue (policy: one month's notice).
NOTICE_DAYS = 30
MARKER_PREFIX = "cohortgate-track:"
LABEL = "lifecycle"

_ACTOR = {
    Actor.APPLICANT: "申请人 / the applicant",
    Actor.DATA_MANAGEMENT: "数据管理委员会 / the data management committee",
    Actor.CHAIRS: "主席 / the chairs",
}
_HOW = {
    "outputs": "`cohortgate event {app} outputs --by <e-mail> --attach <charts> --attach "
    "<manuscript> --citation '<how the paper cites the source>'`, or ask for an extension "
    "(`cohortgate event {app} extension-request --by <e-mail> --new-end <day> --reasons '…'`)",
    "extension-answer": "`cohortgate event {app} extension-granted --by <member id> "
    "--new-end <day>`",
    "expiry": "`cohortgate event {app} expiry --by <member id> --reasons '…'` (R21: the topic "
    "is reopened)",
    "completion-notice": "`cohortgate event {app} completion-notice --by <e-mail>`",
    "destruction": "`cohortgate event {app} destruction-certificate --by <e-mail> --release "
    "{release} --attach <signed certificate>`",
    "verification": "`cohortgate event {app} destruction-verified --by <member id> --release "
    "{release}`",
    "closure": "`cohortgate event {app} closure --by <chair id>`",
}


@dataclass(frozen=True)
class IssueDraft:
    key: str
    marker: str
    title: str
    body: str
    labels: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "marker": self.marker,
            "title": self.title,
            "labels": list(self.labels),
        }


def marker(key: str) -> str:
    return f"<!-- {MARKER_PREFIX}{key} -->"


def _how(item: DueItem) -> str:
    kind, _, release = item.what.partition("-R-")
    release = f"R-{release}" if release else ""
    return _HOW[kind].format(app=item.application, release=release)


def issue_for(item: DueItem, today: date) -> IssueDraft:
    late = (today - item.due).days
    when = (
        f"逾期 {late} 天 / overdue by {late} day(s)" if item.overdue else f"到期 / due {item.due}"
    )
    title = f"[{item.key}] {item.detail} — {'OVERDUE' if item.overdue else 'due'} {item.due}"
    labels = [LABEL, f"act:{item.actor.value}"] + (["overdue"] if item.overdue else [])
    body = (
        f"{marker(item.key)}\n"
        f"## {item.application}: {item.what}\n\n"
        f"| | |\n|---|---|\n"
        f"| 谁来办 / Who acts | {_ACTOR[item.actor]} |\n"
        f"| 期限 / Due | {item.due} |\n"
        f"| 状态 / Status | {when} |\n"
        f"| 事项 / What | {item.detail} |\n\n"
        f"怎么办 / How: {_how(item)}, then commit the event file alone, signed "
        "(`git commit -S`).\n\n"
        f"_Written by `cohortgate track --today {today}`; this issue is updated every day and "
        "closed when the item is done._\n"
    )
    return IssueDraft(item.key, marker(item.key), title, body, tuple(labels))


def issues(report: TrackReport) -> list[IssueDraft]:
    """An issue for every item overdue or due within NOTICE_DAYS, by due day."""
    horizon = report.today + timedelta(days=NOTICE_DAYS)
    return [issue_for(i, report.today) for i in report.items if i.due <= horizon]


def write_issues(report: TrackReport, folder: Path) -> list[IssueDraft]:
    """``folder/issues.json`` (key, marker, title, labels, body file) and one body per issue."""
    drafts = issues(report)
    listed = []
    for number, draft in enumerate(drafts, start=1):
        name = f"{number:04d}.md"
        write_text(folder / name, draft.body)
        listed.append({**draft.to_dict(), "body": name})
    write_text(folder / "issues.json", json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
    return drafts
