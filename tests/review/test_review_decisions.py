"""Decisions recorded by a chair in a signed commit, valid only when the rules allow them."""

from __future__ import annotations

from review_world import World, codes


def _quorum(world: World, value: int = 5) -> None:
    for who in ("dave", "bob", "erin"):
        world.sign_sheet(who, scores=world.role_scores(who, value))


def test_chair_records_a_decision_the_rule_allows(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    report = world.review()
    assert codes(report) == []
    assert report.decision is not None and report.decision.chair is not None
    assert report.decision.chair.id == "alice"
    assert report.decision_valid


def test_a_stricter_decision_is_allowed(world: World) -> None:
    _quorum(world)
    world.decide("revise")
    assert world.review().decision_valid


def test_decision_without_quorum_is_refused(world: World) -> None:
    world.sign_sheet("dave")
    world.decide("approve")
    report = world.review()
    assert codes(report) == ["review.decision-no-quorum"]
    assert not report.decision_valid


def test_decision_against_the_rule_is_refused(world: World) -> None:
    _quorum(world, value=1)
    report = world.review()
    assert report.outcome is not None and report.outcome.value != "approve"
    world.decide("approve")
    report = world.review()
    assert codes(report) == ["review.decision-against-rule"]
    assert "the rule allows only" in report.findings[0].message


def test_decision_by_a_member_who_is_not_chair(world: World) -> None:
    _quorum(world)
    world.decide("approve", signer="dave")
    report = world.review()
    assert codes(report) == ["review.not-a-chair"]
    assert not report.decision_valid


def test_unsigned_decision(world: World) -> None:
    _quorum(world)
    world.decide("approve", signer=None)
    report = world.review()
    assert codes(report) == ["review.decision-unsigned"]


def test_decision_on_an_earlier_version_is_stale(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    world.commit({"submissions/2026/A-2026-0001/extra.pdf": "%PDF-1.4 later"})
    report = world.review()
    assert "review.decision-stale" in codes(report)
    assert not report.decision_valid


def test_decision_dated_outside_its_quarter(world: World) -> None:
    _quorum(world)
    world.decide("approve", quarter="2026Q3")
    report = world.review()
    assert codes(report) == ["review.decision-date"]


def test_decision_dated_in_the_future(world: World) -> None:
    _quorum(world)
    world.decide("approve", decided_on="2026-12-20")
    report = world.review()
    assert codes(report) == ["review.decision-date"]
