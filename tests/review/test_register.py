"""The public notice of approved projects (R15): only decisions that verify are published."""

from __future__ import annotations

from review_world import APP, TODAY, World

from cohortgate.layout import Layout
from cohortgate.review.register import approved_projects
from cohortgate.site import pages_review


def _quorum(world: World) -> None:
    for who in ("dave", "bob", "erin"):
        world.sign_sheet(who)


def test_a_valid_approval_is_announced(world: World) -> None:
    _quorum(world)
    world.decide("approve", conditions=["Publish with the cohort's citation."])
    notices = approved_projects(Layout(world.root), TODAY)
    assert [(n.application, n.quarter, n.privacy_level) for n in notices] == [(APP, "2026Q4", "L1")]
    inputs, findings = pages_review.load(Layout(world.root), notices)
    assert findings == []
    page = pages_review.pages(inputs, {}, {"ds-iem-labs"}, "zh")["review/notices.md"]
    assert "## 2026Q4" in page and APP in page
    assert "[ds-iem-labs](../datasets/ds-iem-labs.md)" in page
    assert "Publish with the cohort" in page
    english = pages_review.pages(inputs, {}, set(), "en")
    assert "Notice of approved projects" in english["review/notices.md"]
    assert "Academic" in english["review/committees.md"]
    assert "ssh-ed25519" not in english["review/committees.md"]  # no keys on the site
    assert "Fees (R34" in english["review/index.md"]


def test_invalid_or_other_decisions_are_not_announced(world: World) -> None:
    world.sign_sheet("dave")
    world.decide("approve")  # no quorum
    assert approved_projects(Layout(world.root), TODAY) == []
    for who in ("bob", "erin"):
        world.sign_sheet(who)
    # The decision came before the quorum: it stays invalid; the chair decides again.
    assert approved_projects(Layout(world.root), TODAY) == []
    world.decide("approve", decided_on="2026-11-26")
    assert approved_projects(Layout(world.root), TODAY) != []
    world.decide("reject", decided_on="2026-11-27")
    assert approved_projects(Layout(world.root), TODAY) == []


def test_no_git_history_no_notice(tmp_path: object) -> None:
    from pathlib import Path

    assert approved_projects(Layout(Path(str(tmp_path))), TODAY) == []
    page = pages_review.pages(pages_review.ReviewInputs(None, None, []), {}, set(), "zh")
    assert "尚未发布" in page["review/index.md"] and "尚无获批项目" in page["review/notices.md"]
