"""Refused events and steps: each with its finding, the state as it was before (issue 6)."""

from __future__ import annotations

from datetime import date

from lifecycle_world import APPLICANTS, RELEASE, LifeWorld, applicants_yaml, codes
from review_world import APPLICANT_EMAIL, FOLDER

from cohortgate.models.lifecycle import State
from signing import Key

REASONS = "Recruitment was slower than planned."


def _tracking(life: LifeWorld) -> None:
    life.released()
    assert life.life().state is State.TRACKING


def test_a_third_extension_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    for asked, granted, end in (
        ("2027-05-01", "2027-05-03", "2027-08-10"),
        ("2027-08-01", "2027-08-03", "2027-10-10"),
    ):
        life.event("extension-request", asked, "applicant", reasons=REASONS, new_end=end)
        life.event("extension-granted", granted, "frank", new_end=end)
    life.event(
        "extension-request", "2027-10-01", "applicant", reasons=REASONS, new_end="2027-12-10"
    )
    life.event(
        "extension-granted",
        "2027-10-03",
        "frank",
        new_end="2027-12-10",
        name="2027-10-03-extension-granted",
    )
    found = life.life()
    assert codes(found) == ["lifecycle.extension-limit", "lifecycle.guard-failed"]
    assert "would be extension 3; at most 2" in found.findings[0].message
    assert found.findings[0].file.endswith("events/2027-10-01-extension-request.yaml")
    assert found.replay.end == date(2027, 10, 10) and found.replay.extensions == 2
    assert found.state is State.EXTENDED


def test_a_release_before_the_agreements_is_refused(life: LifeWorld) -> None:
    life.approve()
    life.release()
    found = life.life()
    assert codes(found) == ["lifecycle.illegal-transition"]
    message = found.findings[0].message
    assert message == "'release' on 2026-12-10 is not allowed in state 'decided'"
    assert "agreements" in found.findings[0].hint
    assert found.state is State.DECIDED


def test_agreements_signed_after_the_release_do_not_make_it_legal(life: LifeWorld) -> None:
    life.approve()
    life.agree(signed_on="2026-12-20")
    life.release()
    found = life.life()
    assert codes(found) == ["lifecycle.illegal-transition"]
    assert found.state is State.AGREEMENTS_SIGNED


def test_agreements_need_an_approving_decision(life: LifeWorld) -> None:
    for who in ("dave", "bob", "erin"):
        life.world.sign_sheet(who, scores=life.world.role_scores(who, 5))
    life.world.decide("revise")
    life.agree()
    found = life.life()
    assert codes(found) == ["lifecycle.guard-failed"]
    assert "the decision is 'revise', not 'approve'" in found.findings[0].message
    assert found.state is State.DECIDED


def test_closing_without_a_verified_destruction_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20")
    life.event("completion-notice", "2027-06-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate", "2027-06-05", "applicant", release=RELEASE, attachments=cert
    )
    life.event("closure", "2027-06-06", "alice")
    found = life.life()
    assert codes(found) == ["lifecycle.no-destruction"]
    assert f"no verified destruction certificate for {RELEASE}" in found.findings[0].message
    assert found.state is State.OUTPUTS_FILED


def test_a_certificate_for_a_release_that_does_not_exist_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20")
    life.event("completion-notice", "2027-06-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate",
        "2027-06-05",
        "applicant",
        release="R-2026-0001-07",
        attachments=cert,
    )
    found = life.life()
    assert codes(found) == ["lifecycle.unknown-release"]
    assert f"(releases: {RELEASE})" in found.findings[0].message
    assert found.replay.certificates == {}


def test_verification_needs_the_certificate(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20")
    life.event("destruction-verified", "2027-06-15", "erin", release=RELEASE)
    found = life.life()
    assert codes(found) == ["lifecycle.requirement-missing"]


def test_an_event_signed_by_someone_without_the_role_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.event(
        "extension-request", "2027-05-01", "applicant", reasons=REASONS, new_end="2027-08-10"
    )
    life.event("extension-granted", "2027-05-03", "dave", new_end="2027-08-10")  # academic
    life.outputs("2027-05-20", signer="frank", by="frank")  # a member, not the applicant
    found = life.life()
    assert codes(found) == ["lifecycle.event-role", "lifecycle.event-role"]
    first, second = found.findings
    assert "must be signed by a member of the data management committee" in first.message
    assert "dave is on the academic committee" in first.message
    assert "'by' frank is not a person of the application" in second.message
    assert found.state is State.TRACKING and found.replay.pending is not None


def test_by_must_name_the_signer(life: LifeWorld) -> None:
    _tracking(life)
    life.event("expiry", "2027-07-15", "erin", by="frank", reasons="No outputs.")
    found = life.life()
    assert codes(found) == ["lifecycle.event-role"]
    assert "'by' names frank, but erin signed it" in found.findings[0].message


def test_closure_by_a_member_who_is_not_a_chair(life: LifeWorld) -> None:
    _tracking(life)
    life.event("expiry", "2027-07-15", "erin", reasons="No outputs.")
    life.event("closure", "2027-07-20", "erin")
    found = life.life()
    assert codes(found) == ["lifecycle.event-role"]
    assert "erin is not a chair (alice, frank)" in found.findings[0].message
    assert found.state is State.EXPIRED


def test_an_unsigned_event_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20", signer=None)
    found = life.life()
    assert codes(found) == ["lifecycle.event-unsigned"]
    assert "is not signed" in found.findings[0].message
    assert found.state is State.TRACKING


def test_a_forged_event_is_refused(life: LifeWorld) -> None:
    """Signed with a key nobody lists, naming the applicant in 'by' and the author e-mail."""
    _tracking(life)
    life.outputs("2027-05-20", signer="intruder")
    found = life.life()
    assert codes(found) == ["lifecycle.event-unsigned"]
    assert "not signed by a key of the roster or of rubric/applicants.yaml (git U" in (
        found.findings[0].message
    )


def test_a_key_added_by_the_pull_request_itself_does_not_count(
    life: LifeWorld, keys: dict[str, Key]
) -> None:
    _tracking(life)
    entries = [
        (APPLICANT_EMAIL, keys["applicant"].line),
        ("lin.yutong@shchildren.com.cn", keys["intruder"].line),
    ]
    life.commit({APPLICANTS: applicants_yaml(entries)})  # on head only: not trusted
    life.outputs("2027-05-20", signer="intruder", by="lin.yutong@shchildren.com.cn")
    found = life.life()
    assert codes(found) == ["lifecycle.event-unsigned"]


def test_an_event_changed_after_signing_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.event(
        "extension-request", "2027-05-01", "applicant", reasons=REASONS, new_end="2027-08-10"
    )
    path = f"{FOLDER}/events/2027-05-01-extension-request.yaml"
    text = (life.world.root / path).read_text("utf-8").replace("2027-08-10", "2028-08-10")
    life.commit({path: text})
    found = life.life()
    assert codes(found) == ["lifecycle.event-changed"]
    assert "was changed by 2 commits" in found.findings[0].message


def test_an_event_committed_with_other_files_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20", extra_files={f"{FOLDER}/events/note.txt": "also"})
    found = life.life()
    assert codes(found) == ["lifecycle.event-unsigned"]
    assert "also changes" in found.findings[0].message


def test_an_event_dated_in_the_future_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20")
    found = life.life(date(2027, 5, 10))
    assert codes(found) == ["lifecycle.event-future"]
    assert found.findings[0].message == "the event is dated 2027-05-20, after today (2027-05-10)"
    assert found.state is State.TRACKING


def test_events_out_of_order_are_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.event(
        "extension-request", "2027-05-01", "applicant", reasons=REASONS, new_end="2027-08-10"
    )
    life.event("extension-granted", "2027-04-20", "frank", new_end="2027-08-10")  # backdated
    found = life.life()
    assert codes(found) == ["lifecycle.event-out-of-order"]
    assert "before 2027-05-01 (2027-05-01-extension-request.yaml)" in found.findings[0].message
    assert found.state is State.TRACKING


def test_a_file_name_that_disagrees_with_the_event(life: LifeWorld) -> None:
    _tracking(life)
    life.event("completion-notice", "2027-05-01", "applicant", name="2027-05-02-completion-notice")
    life.event("expiry", "2027-07-15", "frank", reasons="No outputs.", name="expired-early")
    found = life.life()
    assert codes(found) == ["lifecycle.event-name", "lifecycle.event-name"]
    messages = sorted(f.message for f in found.findings)
    assert "does not agree with at: 2027-05-01, kind: completion-notice" in messages[0]
    assert "is not <yyyy-mm-dd>-<kind>[-n].yaml" in messages[1]


def test_an_attachment_that_changed_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.outputs("2027-05-20", attachments={"outputs/chart.png": "0" * 64})
    found = life.life()
    assert codes(found) == ["lifecycle.event-attachment"]
    assert "is not committed in" in found.findings[0].message


def test_expiry_before_the_period_ends_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.event("expiry", "2027-05-15", "frank", reasons="No outputs yet.")
    found = life.life()
    assert codes(found) == ["lifecycle.guard-failed"]
    assert "the tracking period runs until 2027-06-10" in found.findings[0].message


def test_a_grant_without_a_request_is_refused(life: LifeWorld) -> None:
    _tracking(life)
    life.event("extension-granted", "2027-05-03", "frank", new_end="2027-08-10")
    found = life.life()
    assert codes(found) == ["lifecycle.guard-failed"]
    assert "no extension request is pending" in found.findings[0].message


def test_an_event_missing_fields_of_its_kind(life: LifeWorld) -> None:
    _tracking(life)
    life.event("extension-request", "2027-05-01", "applicant", new_end="2027-08-10")
    found = life.life()
    assert codes(found) == ["schema.invalid"]
    assert found.findings[0].message == "a 'extension-request' event needs: reasons"
    assert found.state is State.TRACKING


def test_an_event_filed_under_another_application(life: LifeWorld) -> None:
    _tracking(life)
    life.event("completion-notice", "2027-05-01", "applicant", application="A-2026-0002")
    found = life.life()
    assert codes(found) == ["lifecycle.event-other-application"]
    assert found.findings[0].message == (
        "the event names A-2026-0002, but it is filed under A-2026-0001"
    )


def test_an_unusable_applicant_key_is_left_out(life: LifeWorld, keys: dict[str, Key]) -> None:
    entries = [
        (APPLICANT_EMAIL, keys["applicant"].line),
        ("lin.yutong@shchildren.com.cn", "ssh-ed25519 AAAAB3NzaC1yc2E= lin"),
        ("alice@damc.example", keys["intruder"].line),
        ("xu.anran@bch.com.cn", keys["applicant"].line),
    ]
    life.base = life.commit({APPLICANTS: applicants_yaml(entries)})
    life.released()
    life.outputs("2027-05-20")
    found = life.histories()
    assert [(f.code, f.message.split(":")[0]) for f in found.findings] == [
        ("lifecycle.applicant-key", "alice@damc.example"),
        ("lifecycle.applicant-key", "lin.yutong@shchildren.com.cn"),
        ("lifecycle.applicant-key", "xu.anran@bch.com.cn"),
    ]
    assert "shares its key with chen.siyuan@xinhuamed.com.cn" in found.findings[2].message
    [mine] = [x for x in found.lifecycles if x.application == "A-2026-0001"]
    assert mine.findings == [] and mine.state is State.OUTPUTS_FILED


def test_closing_needs_every_release_destroyed(life: LifeWorld) -> None:
    _tracking(life)
    second = "R-2026-0001-02"
    life.release(second, created_on="2027-01-15", access_start="2027-01-15")
    life.outputs("2027-05-20")
    life.event("completion-notice", "2027-06-01", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    life.event(
        "destruction-certificate", "2027-06-05", "applicant", release=RELEASE, attachments=cert
    )
    life.event("destruction-verified", "2027-06-15", "erin", release=RELEASE)
    life.event("closure", "2027-06-16", "alice")
    found = life.life()
    assert codes(found) == ["lifecycle.no-destruction"]
    assert found.findings[0].message.endswith(f"for {second}")
    assert sorted(found.releases) == [RELEASE, second]
    assert found.replay.end == date(2027, 6, 10)  # the first release starts the period
