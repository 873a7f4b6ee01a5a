"""The bodies of the GitHub issues the scheduled workflow opens, rendered offline."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from cohortgate.lifecycle.issues import issue_for, issues, write_issues
from cohortgate.lifecycle.track import Actor, DueItem, Status, TrackReport

TODAY = date(2027, 6, 20)


def _item(what: str, due: str, actor: Actor, detail: str) -> DueItem:
    day = date.fromisoformat(due)
    return DueItem("A-2026-0001", what, day, actor, day < TODAY, detail)


ITEMS = [
    _item("outputs", "2027-06-10", Actor.APPLICANT, "file charts, manuscript and citation"),
    _item("verification-R-2026-0001-01", "2027-07-05", Actor.DATA_MANAGEMENT, "verify it"),
    _item("closure", "2027-08-30", Actor.CHAIRS, "close the application (R22)"),
]
REPORT = TrackReport(
    TODAY,
    [Status("A-2026-0001", "submissions/2026/A-2026-0001", "t", None, None, None, 0, ITEMS)],
    [],
)


def test_an_overdue_item() -> None:
    draft = issue_for(ITEMS[0], TODAY)
    assert draft.key == "A-2026-0001/outputs"
    assert draft.title == (
        "[A-2026-0001/outputs] file charts, manuscript and citation — OVERDUE 2027-06-10"
    )
    assert draft.labels == ("lifecycle", "act:applicant", "overdue")
    assert draft.body.splitlines()[0] == "<!-- cohortgate-track:A-2026-0001/outputs -->"
    assert "| 状态 / Status | 逾期 10 天 / overdue by 10 day(s) |" in draft.body
    assert "`cohortgate event A-2026-0001 outputs --by <e-mail>" in draft.body


def test_an_item_due_later_names_its_release_in_the_command() -> None:
    draft = issue_for(ITEMS[1], TODAY)
    assert draft.labels == ("lifecycle", "act:data_management")
    assert "| 期限 / Due | 2027-07-05 |" in draft.body
    assert "destruction-verified --by <member id> --release R-2026-0001-01`" in draft.body


def test_only_items_due_within_the_notice_period_get_an_issue() -> None:
    assert [d.key for d in issues(REPORT)] == [
        "A-2026-0001/outputs",
        "A-2026-0001/verification-R-2026-0001-01",
    ]


def test_written_for_the_workflow(tmp_path: Path) -> None:
    write_issues(REPORT, tmp_path)
    listed = json.loads((tmp_path / "issues.json").read_text("utf-8"))
    assert [(x["key"], x["body"]) for x in listed] == [
        ("A-2026-0001/outputs", "0001.md"),
        ("A-2026-0001/verification-R-2026-0001-01", "0002.md"),
    ]
    assert listed[0]["marker"] == "<!-- cohortgate-track:A-2026-0001/outputs -->"
    body = (tmp_path / "0001.md").read_text("utf-8")
    assert body.startswith(listed[0]["marker"] + "\n")
