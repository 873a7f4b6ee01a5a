"""A pull request that changes the rules or the workflows needs both chairs' signed approval."""

from __future__ import annotations

from review_keys import member
from review_world import World, dump, world_roster

from cohortgate.approval.rule_changes import governed_changes, rule_change_findings
from cohortgate.approval.verify import load_rules
from cohortgate.gitread.read import sha256


def _findings(world: World) -> list[str]:
    rules, _ = load_rules(world.repo.commit(world.base))
    assert rules is not None
    base, head = world.repo.commit(world.base), world.repo.commit("HEAD")
    return [f.code for f in rule_change_findings(world.repo, base, head, rules.roster)]


def _approve(world: World, chair: str, changes: dict[str, str | None] | None = None) -> None:
    if changes is None:
        changes = governed_changes(
            world.repo, world.repo.commit(world.base), world.repo.commit("HEAD")
        )
    text = dump({"chair": chair, "approved_on": "2026-11-28", "changes": changes, "reason": "ok"})
    world.commit({f"rubric/approvals/{chair}.yaml": text}, signer=chair)


def _lower_threshold(world: World) -> str:
    text = (world.root / "rubric" / "rubric.yaml").read_text("utf-8") + "\n# lowered\n"
    world.commit({"rubric/rubric.yaml": text})
    return text


def test_nothing_governed_changed(world: World) -> None:
    world.sign_sheet("dave")
    assert _findings(world) == []


def test_rubric_change_without_approval_is_refused(world: World) -> None:
    _lower_threshold(world)
    assert _findings(world) == ["review.rule-change-unapproved"] * 2


def test_workflow_change_needs_the_chairs_too(world: World) -> None:
    world.commit({".github/workflows/review.yml": "name: mine\n"})
    assert _findings(world) == ["review.rule-change-unapproved"] * 2


def test_both_chairs_approve_the_exact_change(world: World) -> None:
    text = _lower_threshold(world)
    _approve(world, "alice")
    assert _findings(world) == ["review.rule-change-unapproved"]  # frank has not yet
    _approve(world, "frank")
    assert _findings(world) == []
    changes = governed_changes(world.repo, world.repo.commit(world.base), world.repo.commit("HEAD"))
    assert changes == {"rubric/rubric.yaml": sha256(text.encode("utf-8"))}


def test_approval_of_other_content_does_not_count(world: World) -> None:
    _lower_threshold(world)
    _approve(world, "alice", {"rubric/rubric.yaml": "0" * 64})
    _approve(world, "frank")
    assert _findings(world) == ["review.rule-change-unapproved"]


def test_a_change_after_the_approvals_voids_them(world: World) -> None:
    _lower_threshold(world)
    _approve(world, "alice")
    _approve(world, "frank")
    _lower_threshold(world)
    assert _findings(world) == ["review.rule-change-unapproved"] * 2


def test_approval_signed_by_someone_else(world: World) -> None:
    _lower_threshold(world)
    changes = governed_changes(world.repo, world.repo.commit(world.base), world.repo.commit("HEAD"))
    text = dump({"chair": "alice", "approved_on": "2026-11-28", "changes": changes, "reason": "x"})
    world.commit({"rubric/approvals/alice.yaml": text}, signer="dave")
    _approve(world, "frank")
    assert _findings(world) == ["review.rule-change-unapproved"]


def test_roster_changed_in_the_same_pull_request(world: World) -> None:
    """mallory adds herself to the roster and signs a sheet: the base roster does not know her,
    and the roster change itself lacks the chairs' approval."""
    roster = world_roster(world.keys)
    roster["members"].append(member("mallory", world.keys["mallory"].line, institution="bch"))
    world.commit({"rubric/roster.yaml": dump(roster)})
    world.sign_sheet("mallory", scores=world.role_scores("dave"))
    report = world.review()
    found = [f.code for f in report.findings]
    assert found.count("review.rule-change-unapproved") == 2
    assert "review.signer-unknown" in found
    assert report.valid_signoffs == []
