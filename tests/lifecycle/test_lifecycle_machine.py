"""Every legal path through the lifecycle, replayed from real signed commits."""

from __future__ import annotations

from datetime import date

from lifecycle_world import RELEASE, TRACKING_END, LifeWorld, codes

from cohortgate.models.lifecycle import State


def test_states_before_the_release_come_from_the_files(life: LifeWorld) -> None:
    assert life.life(date(2026, 11, 29)).state is State.SCREENING
    life.world.sign_sheet("dave", scores=life.world.role_scores("dave", 5))
    assert life.life(date(2026, 11, 29)).state is State.IN_REVIEW
    for who in ("bob", "erin"):
        life.world.sign_sheet(who, scores=life.world.role_scores(who, 5))
    life.world.decide("approve")
    assert life.life(date(2026, 11, 29)).state is State.DECIDED
    life.agree()
    assert life.life(date(2026, 12, 5)).state is State.AGREEMENTS_SIGNED
    life.release(created_on="2026-12-08")
    found = life.life(date(2026, 12, 9))
    assert found.state is State.RELEASED and codes(found) == []
    found = life.life(date(2026, 12, 10))
    assert found.state is State.TRACKING
    assert found.replay.end == TRACKING_END


def test_outputs_on_time_then_destruction_and_closure(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-05-20")
    assert life.life().state is State.OUTPUTS_FILED
    life.event("completion-notice", "2027-06-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF signed certificate")
    life.event(
        "destruction-certificate", "2027-06-05", "applicant", release=RELEASE, attachments=cert
    )
    life.event("destruction-verified", "2027-06-15", "erin", release=RELEASE)
    life.event("closure", "2027-06-16", "alice")
    found = life.life()
    assert codes(found) == []
    assert found.state is State.CLOSED
    assert found.replay.outputs_on_time is True


def test_two_extensions_then_outputs(life: LifeWorld) -> None:
    life.released()
    life.event(
        "extension-request",
        "2027-05-01",
        "applicant",
        reasons="Recruitment slower.",
        new_end="2027-09-10",
    )
    life.event("extension-granted", "2027-05-05", "frank", new_end="2027-09-10")
    life.event(
        "extension-request",
        "2027-08-20",
        "applicant",
        reasons="Reviewers asked for more.",
        new_end="2027-12-10",
    )
    life.event("extension-granted", "2027-08-25", "erin", new_end="2027-12-10")
    found = life.life()
    assert found.state is State.EXTENDED and codes(found) == []
    assert found.replay.extensions == 2 and found.replay.end == date(2027, 12, 10)
    life.outputs("2027-12-01")
    found = life.life()
    assert found.state is State.OUTPUTS_FILED and found.replay.outputs_on_time is True


def test_expiry_without_outputs(life: LifeWorld) -> None:
    life.released()
    life.event("expiry", "2027-07-15", "frank", reasons="No outputs by 2027-06-10 (R21).")
    found = life.life()
    assert found.state is State.EXPIRED and codes(found) == []


def test_late_outputs_are_legal_but_late(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-06-20")
    found = life.life()
    assert found.state is State.OUTPUTS_FILED and found.replay.outputs_on_time is False


def test_violation_revokes_then_destruction_closes(life: LifeWorld) -> None:
    life.released()
    entry = {
        "person_email": "chen.siyuan@xinhuamed.com.cn",
        "reason": "Watermark traced a leaked table to the applicant.",
        "listed_on": "2027-02-01",
        "review_on": "2029-02-01",
        "decided_by": ["Alice", "Frank"],
    }
    life.event(
        "violation",
        "2027-02-01",
        "frank",
        reasons="Transfer to a third party (R24).",
        blacklist=entry,
    )
    assert life.life().state is State.REVOKED
    life.event("completion-notice", "2027-02-03", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate", "2027-02-10", "applicant", release=RELEASE, attachments=cert
    )
    life.event("destruction-verified", "2027-02-12", "erin", release=RELEASE)
    life.event("closure", "2027-02-13", "frank")
    found = life.life()
    assert codes(found) == [] and found.state is State.CLOSED


def test_a_member_who_applies_signs_with_the_key_the_roster_lists(
    life: LifeWorld, keys: dict[str, object]
) -> None:
    """heidi (a member, the applicant by e-mail) lists her roster key for her e-mail."""
    from lifecycle_world import APPLICANTS, applicants_yaml
    from review_world import APPLICANT_EMAIL

    heidi = keys["heidi"]
    life.base = life.commit({APPLICANTS: applicants_yaml([(APPLICANT_EMAIL, heidi.line)])})  # type: ignore[attr-defined]
    life.released()
    life.outputs("2027-05-20", signer="heidi")
    found = life.life()
    assert codes(found) == [] and found.state is State.OUTPUTS_FILED
