"""The credit record (R22, R25) per applicant and institution, from the replayed history."""

from __future__ import annotations

from datetime import date

from lifecycle_world import RELEASE, LifeWorld
from review_world import APPLICANT_EMAIL

from cohortgate.lifecycle.credit import ledger
from cohortgate.lifecycle.history import Lifecycle
from cohortgate.scoring.indicators import CreditRecord


def _lives(life: LifeWorld) -> list[Lifecycle]:
    found = life.histories(date(2027, 12, 1))
    assert found.findings == []
    return found.lifecycles


def _destroy(life: LifeWorld, start: int) -> None:
    life.event("completion-notice", f"2027-07-{start:02d}", "applicant")
    cert = life.attach("certificate.pdf", "%PDF certificate")
    day = f"2027-07-{start + 2:02d}"
    life.event("destruction-certificate", day, "applicant", release=RELEASE, attachments=cert)
    life.event("destruction-verified", f"2027-07-{start + 5:02d}", "erin", release=RELEASE)


def test_late_outputs_a_violation_and_a_verified_destruction(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-06-20")  # the period ended on 2027-06-10
    entry = {
        "person_email": "wang.lei@shchildren.com.cn",
        "institution": "shch",
        "reason": "A leaked table carried this release's watermark.",
        "listed_on": "2027-07-01",
        "decided_by": ["Alice", "Frank"],
    }
    life.event("violation", "2027-07-01", "alice", reasons="Leak (R25).", blacklist=entry)
    _destroy(life, 3)
    book = ledger(_lives(life))
    expected = CreditRecord(
        late_outputs=1, verified_destructions=1, violations=1, earlier_approvals=1
    )
    assert book.person(APPLICANT_EMAIL) == expected
    assert book.institution("xhh") == expected
    assert book.person("Wang.Lei@shchildren.com.cn") == CreditRecord(violations=1)
    assert book.institution("shch") == CreditRecord(violations=1)
    assert book.person("nobody@example.org") == CreditRecord()

    app = next(x.app for x in _lives(life) if x.application == "A-2026-0001")
    assert app is not None
    # the application itself is not its own history ...
    assert book.credit_for(app) == CreditRecord()
    # ... but the applicant's next one carries it
    following = app.model_copy(update={"id": "A-2027-0003"})
    assert book.credit_for(following) == expected
    # a colleague at shch applying next inherits the institution's violation
    colleague = following.model_copy(
        update={"applicant": app.team[0].model_copy(update={"institution": "shch"})}
    )
    assert book.credit_for(colleague) == CreditRecord(violations=1)


def test_on_time_outputs(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-05-20")
    book = ledger(_lives(life))
    assert book.person(APPLICANT_EMAIL) == CreditRecord(on_time_outputs=1, earlier_approvals=1)


def test_expiry_counts_as_missing_outputs(life: LifeWorld) -> None:
    life.released()
    life.event("expiry", "2027-07-15", "frank", reasons="No outputs by 2027-06-10 (R21).")
    book = ledger(_lives(life))
    assert book.person(APPLICANT_EMAIL) == CreditRecord(missing_outputs=1, earlier_approvals=1)


def test_refused_events_earn_nothing(life: LifeWorld) -> None:
    life.released()
    life.outputs("2027-05-20", signer="intruder")
    book = ledger(_lives(life))
    assert book.person(APPLICANT_EMAIL) == CreditRecord(earlier_approvals=1)


def test_the_record_a_review_scores_comes_from_the_trusted_commit(life: LifeWorld) -> None:
    from cohortgate.layout import Layout
    from cohortgate.lifecycle.credit import credit_record

    life.released()
    life.outputs("2027-05-20")
    app = next(x.app for x in _lives(life) if x.application == "A-2026-0001")
    assert app is not None
    following = app.model_copy(update={"id": "A-2027-0003"})
    repo = life.world.repo
    expected = CreditRecord(on_time_outputs=1, earlier_approvals=1)
    record = credit_record(
        repo, Layout(life.world.root), repo.head.commit, following, date(2027, 12, 1)
    )
    assert record == expected
    before = repo.commit("HEAD~2")  # before the outputs were filed (attachment, event)
    record = credit_record(repo, Layout(life.world.root), before, following, date(2027, 12, 1))
    assert record == CreditRecord(earlier_approvals=1)


def test_an_expired_topic_is_reopened(life: LifeWorld) -> None:
    from cohortgate.layout import Layout
    from cohortgate.lifecycle.topics import Topic, reopened_topics, reopened_topics_at

    life.released()
    assert reopened_topics(_lives(life)) == []
    life.event("expiry", "2027-07-15", "frank", reasons="No outputs by 2027-06-10 (R21).")
    expected = [
        Topic("A-2026-0001", ("ds-iem-labs",), ("ORPHA:79254", "ORPHA:79282"), "2027-07-15")
    ]
    assert reopened_topics(_lives(life)) == expected
    repo = life.world.repo
    found = reopened_topics_at(repo, Layout(life.world.root), repo.head.commit, date(2027, 12, 1))
    assert found == expected
