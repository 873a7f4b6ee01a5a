"""Sign-offs that count and every way one is refused (issue: bad input and attacks).

Each test builds a real repository with real ssh-keygen keys and signed commits.
"""

from __future__ import annotations

import yaml
from review_world import APP, FOLDER, OTHER, World, codes

from cohortgate.approval.eligibility import SignOffStatus
from cohortgate.models.review import Outcome


def _quorum_sheets(world: World) -> None:
    """dave (researcher) and bob (legal) for the academic committee, erin for data management."""
    for who in ("dave", "bob", "erin"):
        world.sign_sheet(who)


def test_three_signed_sheets_make_quorum_and_an_outcome(world: World) -> None:
    _quorum_sheets(world)
    report = world.review()
    assert [f for f in report.findings if f.severity == "error"] == []
    assert [j.status for j in report.signoffs] == [SignOffStatus.VALID] * 3
    assert report.quorum is not None and report.quorum.met
    assert report.outcome is not None
    assert report.outcome in report.allowed
    assert {j.signoff.member.id for j in report.valid_signoffs} == {"bob", "dave", "erin"}


def test_quorum_names_what_is_missing(world: World) -> None:
    world.sign_sheet("bob")
    report = world.review()
    assert report.quorum is not None and not report.quorum.met
    problems = " ".join(report.quorum.problems())
    assert "academic committee: 1 of 2" in problems
    assert "data_management committee: 0 of 1" in problems
    assert "researcher" in problems and "data_processing" in problems
    assert report.outcome is None and report.allowed == frozenset()


def test_unsigned_sheet_is_refused(world: World) -> None:
    world.sign_sheet("dave", signer=None)
    report = world.review()
    assert codes(report) == ["review.sheet-unsigned"]
    assert report.signoffs == []


def test_key_outside_the_roster_is_refused(world: World) -> None:
    world.sign_sheet("dave", signer="mallory")
    report = world.review()
    assert codes(report) == ["review.signer-unknown"]


def test_signer_who_is_not_the_named_reviewer_is_refused(world: World) -> None:
    world.sign_sheet("dave", signer="bob")
    report = world.review()
    assert codes(report) == ["review.signer-not-reviewer"]
    assert "signed by 'bob'" in report.findings[0].message


def test_reviewer_editing_another_reviewers_sheet_is_refused(world: World) -> None:
    world.sign_sheet("dave")
    world.sign_sheet("dave", signer="bob", comments="Changed by bob behind dave's back.")
    report = world.review()
    assert codes(report) == ["review.sheet-edited-by-other"]


def test_member_whose_term_ended_is_refused_even_when_backdating(world: World) -> None:
    # Signed now: git itself finds the key outside carol's validity window.
    world.sign_sheet("carol")
    assert codes(world.review()) == ["review.signer-unknown"]
    # Backdated into her term, git says G: the term check against the review day refuses it.
    world.sign_sheet("carol", when="2025-06-01T10:00:00+00:00", comments="Backdated.")
    report = world.review()
    assert codes(report) == ["review.member-term"]
    assert "2025-12-31" in report.findings[0].message


def test_applicant_reviewing_their_own_application_is_refused(world: World) -> None:
    world.sign_sheet("heidi")
    report = world.review()
    assert "review.reviewer-is-applicant" in codes(report)
    assert any(e.member == "heidi" for e in report.excluded)


def test_member_from_the_applicants_institution_is_refused(world: World) -> None:
    world.sign_sheet("grace")
    report = world.review()
    assert codes(report) == ["review.member-conflict"]
    assert "xhh" in report.findings[0].message


def test_declared_conflict_is_refused(world: World) -> None:
    world.sign_sheet("dave", conflict_of_interest="co-author of the applicant")
    report = world.review()
    assert codes(report) == ["review.member-conflict"]
    assert report.findings[0].line > 0


def test_sheet_copied_from_another_application_is_refused(world: World) -> None:
    copied = world.sheet("dave", application=OTHER)
    world.commit({f"{FOLDER}/reviews/dave.yaml": copied}, signer="dave")
    report = world.review()
    assert codes(report) == ["review.sheet-other-application"]
    assert OTHER in report.findings[0].message


def test_sheet_for_an_earlier_version_is_stale(world: World) -> None:
    _quorum_sheets(world)
    form = world.root / FOLDER / "application.yaml"
    text = form.read_text("utf-8").replace("title: ", "title: 修订 ", 1)
    world.commit({f"{FOLDER}/application.yaml": text})
    report = world.review()
    assert set(codes(report)) == {"review.sheet-stale"}
    assert all(j.status is SignOffStatus.STALE for j in report.signoffs)
    assert "application.yaml changed" in report.findings[0].message
    assert report.quorum is not None and not report.quorum.met


def test_changed_attachment_makes_sheets_stale_too(world: World) -> None:
    world.sign_sheet("dave")
    world.commit({f"{FOLDER}/protocol-v2.pdf": "%PDF-1.4 replaced"})
    report = world.review()
    assert codes(report) == ["review.sheet-stale"]
    assert "protocol-v2.pdf added" in report.findings[0].message


def test_scores_out_of_range_are_located(world: World) -> None:
    scores = world.role_scores("dave")
    first = next(iter(scores))
    scores[first] = 9
    world.sign_sheet("dave", scores=scores)
    report = world.review()
    assert codes(report) == ["review.score-out-of-range"]
    finding = report.findings[0]
    assert finding.line > 0 and finding.path == f"$.scores.{first}"
    assert "9 is outside 1..5" in finding.message


def test_unknown_and_foreign_indicators(world: World) -> None:
    scores = {**world.role_scores("dave"), "charm": 3, "feasibility": 4}
    world.sign_sheet("dave", scores=scores)
    report = world.review()
    assert sorted(codes(report)) == ["review.score-not-yours", "review.score-unknown"]


def test_incomplete_sheet_does_not_count(world: World) -> None:
    scores: dict[str, int | None] = dict(world.role_scores("dave"))
    scores[next(iter(scores))] = None
    world.sign_sheet("dave", scores=scores)
    report = world.review()
    assert codes(report) == ["review.score-missing"]


def test_sheet_commit_that_changes_more_is_refused(world: World) -> None:
    world.commit(
        {
            f"{FOLDER}/reviews/dave.yaml": world.sheet("dave"),
            "catalog/README.txt": "slipped in with the sign-off",
        },
        signer="dave",
    )
    report = world.review()
    assert codes(report) == ["review.sheet-commit-not-alone"]


def test_sheet_file_named_after_someone_else(world: World) -> None:
    world.sign_sheet("dave", path_of="bob")
    report = world.review()
    assert codes(report) == ["review.sheet-name-mismatch"]


def test_sheet_that_is_not_yaml_of_the_model(world: World) -> None:
    world.commit({f"{FOLDER}/reviews/dave.yaml": "application: [unclosed\n"}, signer="dave")
    world.commit({f"{FOLDER}/reviews/notes.txt": "hello"}, signer="dave")
    report = world.review()
    assert sorted(codes(report)) == ["review.sheet-misplaced", "yaml.syntax"]


def test_recommendations_are_reported(world: World) -> None:
    world.sign_sheet("dave", recommendation="reject")
    report = world.review()
    assert report.signoffs[0].signoff.sheet.recommendation is Outcome.REJECT
    assert yaml.safe_load(world.sheet("dave"))["application"] == APP
