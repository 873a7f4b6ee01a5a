"""`track`: due dates, what is overdue and who must act, on a fixed day."""

from __future__ import annotations

from datetime import date

from lifecycle_world import RELEASE, LifeWorld

from cohortgate.lifecycle.track import TrackReport, track


def _report(life: LifeWorld, today: date) -> TrackReport:
    found = life.histories(today)
    return track(found.lifecycles, found.findings, today)


def _items(report: TrackReport) -> list[tuple[str, str, str, bool]]:
    return [(i.key, i.due.isoformat(), i.actor.value, i.overdue) for i in report.items]


def test_outputs_due_at_the_end_of_the_tracking_period(life: LifeWorld) -> None:
    life.released()
    report = _report(life, date(2027, 6, 10))
    assert _items(report) == [("A-2026-0001/outputs", "2027-06-10", "applicant", False)]
    status = next(s for s in report.statuses if s.application == "A-2026-0001")
    assert status.state is not None and status.state.value == "tracking"
    assert status.since == date(2026, 12, 10)
    other = next(s for s in report.statuses if s.application == "A-2026-0002")
    assert other.state is not None and other.state.value == "screening" and other.items == []


def test_overdue_outputs_ask_the_committee_to_record_the_expiry(life: LifeWorld) -> None:
    life.released()
    assert _items(_report(life, date(2027, 6, 11))) == [
        ("A-2026-0001/outputs", "2027-06-10", "applicant", True),
        ("A-2026-0001/expiry", "2027-07-10", "data_management", False),
    ]
    assert _items(_report(life, date(2027, 7, 11)))[1][3] is True


def test_a_pending_extension_request_awaits_the_committee(life: LifeWorld) -> None:
    life.released()
    life.event(
        "extension-request", "2027-06-01", "applicant", reasons="Slow.", new_end="2027-09-10"
    )
    assert _items(_report(life, date(2027, 6, 20))) == [
        ("A-2026-0001/outputs", "2027-06-10", "applicant", True),
        ("A-2026-0001/extension-answer", "2027-06-15", "data_management", True),
        ("A-2026-0001/expiry", "2027-07-10", "data_management", False),
    ]
    life.event("extension-granted", "2027-06-21", "frank", new_end="2027-09-10")
    assert _items(_report(life, date(2027, 6, 22))) == [
        ("A-2026-0001/outputs", "2027-09-10", "applicant", False),
    ]


def test_destruction_verification_and_closure_fall_due_in_turn(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-05-20")
    # end of use: the release's access_end, 2027-12-31; certificate within 30 days
    assert _items(_report(life, date(2028, 1, 15))) == [
        ("A-2026-0001/completion-notice", "2027-12-31", "applicant", True),
        (f"A-2026-0001/destruction-{RELEASE}", "2028-01-30", "applicant", False),
    ]
    life.event("completion-notice", "2027-06-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate", "2027-06-05", "applicant", release=RELEASE, attachments=cert
    )
    assert _items(_report(life, date(2027, 7, 10))) == [
        (f"A-2026-0001/verification-{RELEASE}", "2027-07-05", "data_management", True),
    ]
    life.event("destruction-verified", "2027-06-15", "erin", release=RELEASE)
    assert _items(_report(life, date(2027, 7, 10))) == [
        ("A-2026-0001/closure", "2027-06-15", "chairs", True),
    ]
    life.event("closure", "2027-06-16", "alice")
    report = _report(life, date(2027, 7, 10))
    assert report.items == []
    assert report.to_dict()["applications"][0]["state"] == "closed"
