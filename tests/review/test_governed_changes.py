"""Everything approval/governed.py lists needs both chairs, through ``cohortgate rule-changes``:
the policy and quorum code, a dataset's privacy classes, a root or docs/ CODEOWNERS and the list
itself are refused without both chairs' signed approvals and accepted with them; an edit of a
dataset's description needs nobody. Real repositories, real ssh-keygen signatures."""

from __future__ import annotations

import pytest
from governed_helpers import (
    DATASET,
    GOVERNED,
    LOCATED,
    POLICY,
    QUORUM,
    UNAPPROVED,
    approve,
    edit,
    lower_privacy,
    rule_changes,
)
from review_world import ROOT, World

from cohortgate.cli import main


@pytest.fixture
def gworld(world: World) -> World:
    """The review world with the real policy, quorum and governed code in its base commit."""
    files = {path: (ROOT / path).read_text("utf-8") for path in (POLICY, QUORUM, GOVERNED)}
    base = world.commit(files, when="2026-10-02T09:00:00+00:00")
    return World(world.repo, world.commit, world.keys, base)


# Each bypass commits its change; (the path, the line the finding names: a dataset's field,
# 0 for a whole file).


def _policy(world: World) -> tuple[str, int]:
    edit(world, POLICY, lambda t: t + "\nTHRESHOLD_OVERRIDE = 1\n")
    return POLICY, 0


def _quorum(world: World) -> tuple[str, int]:
    edit(world, QUORUM, lambda t: t + "\n# quorum: one member is enough\n")
    return QUORUM, 0


def _privacy(world: World) -> tuple[str, int]:
    return DATASET, edit(world, DATASET, lower_privacy)


def _root_codeowners(world: World) -> tuple[str, int]:
    world.commit({"CODEOWNERS": "* @mallory\n"})
    return "CODEOWNERS", 0


def _docs_codeowners(world: World) -> tuple[str, int]:
    world.commit({"docs/CODEOWNERS": "* @mallory\n"})
    return "docs/CODEOWNERS", 0


def _governed_list(world: World) -> tuple[str, int]:
    edit(world, GOVERNED, lambda t: t.replace('"src/cohortgate/policy.py"', '"nothing"'))
    return GOVERNED, 0


BYPASSES = {
    "policy.py": _policy,
    "approval/quorum.py": _quorum,
    "a lower privacy class": _privacy,
    "a root CODEOWNERS": _root_codeowners,
    "docs/CODEOWNERS": _docs_codeowners,
    "governed.py itself": _governed_list,
}


@pytest.mark.parametrize("bypass", list(BYPASSES))
def test_refused_without_both_chairs_accepted_with_them(
    gworld: World, capsys: pytest.CaptureFixture[str], bypass: str
) -> None:
    path, line = BYPASSES[bypass](gworld)
    code, findings = rule_changes(gworld, capsys)
    assert code == 1
    at_file = [f for f in findings if f["code"] == LOCATED]
    assert [(f["file"], f["line"]) for f in at_file] == [(path, line)]
    assert "alice, frank" in at_file[0]["message"]
    at_approvals = sorted(f["file"] for f in findings if f["code"] == UNAPPROVED)
    assert at_approvals == ["rubric/approvals/alice.yaml", "rubric/approvals/frank.yaml"]

    approve(gworld, capsys, "alice")
    code, findings = rule_changes(gworld, capsys)
    assert code == 1  # one chair is not enough
    assert [f["file"] for f in findings if f["code"] == UNAPPROVED] == [
        "rubric/approvals/frank.yaml"
    ]
    assert "not approved by: frank" in next(f for f in findings if f["code"] == LOCATED)["message"]

    approve(gworld, capsys, "frank")
    assert rule_changes(gworld, capsys) == (0, [])


def test_the_dataset_finding_names_the_field(
    gworld: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _privacy(gworld)
    _code, findings = rule_changes(gworld, capsys)
    located = next(f for f in findings if f["code"] == LOCATED)
    assert (
        "privacy class of phenotype.observed_date changed: quasi_identifier -> other"
        in (located["message"])
    )
    assert located["path"] == "$"


def test_a_description_edit_needs_no_approval(
    gworld: World, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        gworld, DATASET, lambda t: t.replace("One primary diagnosis per patient.", "One per child.")
    )
    edit(gworld, DATASET, lambda t: t.replace("keywords: [表型,", "keywords: [表型, 儿科,"))
    assert rule_changes(gworld, capsys) == (0, [])


def test_an_approved_dataset_change_changed_again_is_refused(
    gworld: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The approval binds the SHA-256 of the file: a second lowering after it voids it."""
    _privacy(gworld)
    approve(gworld, capsys, "alice", "frank")
    assert rule_changes(gworld, capsys)[0] == 0
    edit(gworld, DATASET, lambda t: t.replace("privacy: direct_identifier", "privacy: other", 1))
    code, findings = rule_changes(gworld, capsys)
    assert code == 1
    assert sorted(f["code"] for f in findings) == [LOCATED, UNAPPROVED, UNAPPROVED]


def test_the_gate_in_text_names_file_and_line(
    gworld: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _path, line = _privacy(gworld)
    code = main(["rule-changes", "--base", gworld.base, "--root", str(gworld.root)])
    out, _err = capsys.readouterr()
    assert code == 1
    assert f"{DATASET}:{line}:" in out and LOCATED in out
