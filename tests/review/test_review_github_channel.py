"""Pull-request reviews as the second channel, end to end through ``cohortgate review``: the
same eligibility rules as signed sheets, counted once per member."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from review_world import APP, World

from cohortgate.cli import main


def _review(
    world: World, login: str, reviewer: str, state: str = "APPROVED", **fields: object
) -> dict[str, object]:
    sheet = yaml.safe_load(world.sheet(reviewer, **fields))
    body = (
        "Looks good.\n\n```cohortgate-review\n" + yaml.safe_dump(sheet, sort_keys=False) + "```\n"
    )
    return {
        "id": abs(hash((login, state))) % 10**9,
        "user": {"login": login},
        "state": state,
        "commit_id": world.repo.head.commit.hexsha,
        "submitted_at": "2026-11-21T10:00:00Z",
        "body": body,
        "html_url": f"https://github.com/o/r/pull/7#pullrequestreview-{login}",
    }


def _run(
    world: World,
    tmp_path: Path,
    reviews: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, dict[str, object]]:
    recorded = tmp_path / "reviews.json"
    recorded.write_text(json.dumps(reviews), "utf-8")
    code = main(
        [
            "review",
            APP,
            "--root",
            str(world.root),
            "--today",
            "2026-11-29",
            "--github-reviews",
            str(recorded),
            "--format",
            "json",
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_reviews_complete_the_quorum(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.sign_sheet("dave")
    world.sign_sheet("bob")
    code, report = _run(world, tmp_path, [_review(world, "gh-erin", "erin")], capsys)
    assert code == 0
    channels = {s["member"]: s["channel"] for s in report["signoffs"]}  # type: ignore[index]
    assert channels == {"dave": "commit", "bob": "commit", "erin": "github"}
    assert report["quorum"]["met"] is True  # type: ignore[index]


def test_github_reviews_face_the_same_rules(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reviews = [
        _review(world, "gh-grace", "grace"),  # the applicant's institution
        _review(world, "gh-carol", "carol"),  # term ended
        _review(world, "gh-bob", "bob", files={"application.yaml": "0" * 64}),  # stale
    ]
    code, report = _run(world, tmp_path, reviews, capsys)
    assert code == 1
    found = sorted(f["code"] for f in report["findings"])  # type: ignore[index]
    assert found == ["review.member-conflict", "review.member-term", "review.sheet-stale"]
    assert {s["member"]: s["status"] for s in report["signoffs"]} == {  # type: ignore[index]
        "grace": "invalid",
        "carol": "invalid",
        "bob": "stale",
    }


def test_one_member_counts_once(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.sign_sheet("dave")
    code, report = _run(world, tmp_path, [_review(world, "gh-dave", "dave")], capsys)
    assert [f["code"] for f in report["findings"]] == ["review.duplicate-signoff"]  # type: ignore[index]
    assert [s["channel"] for s in report["signoffs"]] == ["commit"]  # type: ignore[index]
    assert code == 0


def test_malformed_recorded_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = tmp_path / "reviews.json"
    recorded.write_text('{"not": "a list"}', "utf-8")
    code = main(["review", APP, "--root", str(world.root), "--github-reviews", str(recorded)])
    assert code == 2
    assert "not a list of pull-request reviews" in capsys.readouterr().err
