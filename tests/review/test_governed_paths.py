"""How approval/governed.py matches: case variants, files standing where governed folders are,
renames as a deletion and an addition, links bound by where they point, datasets field by field;
and the review report showing the governed changes and whether both chairs approved them."""

from __future__ import annotations

import json
import os

import pytest
from governed_helpers import DATASET, approve, edit, lower_privacy
from review_world import APP, World

from cohortgate.approval.governed import GOVERNED, governing, is_dataset
from cohortgate.approval.rule_changes import governed_changes, rule_change_status
from cohortgate.cli import main
from cohortgate.gitread.read import sha256


@pytest.mark.parametrize(
    "path",
    [
        "rubric/roster.yaml",
        "Rubric/roster.yaml",  # one folder on a case-insensitive checkout
        "rubr\u0131c/roster.yaml",  # a dotless i folds to I there too
        "rubric/approvals",  # a file where the approvals folder should be
        "Rubric/approvals/alice.yaml",  # the exemption is for the approvals as spelt
        ".github/workflows/review.yml",
        ".GitHub/CODEOWNERS",
        ".github",  # a file or link standing where the folder is
        "CODEOWNERS",
        "codeowners",
        "docs/CODEOWNERS",
        "Docs/CodeOwners",
        "docs",
        "src/cohortgate/policy.py",
        "src/cohortgate/approval/quorum.py",
        "src/cohortgate/approval/governed.py",
        "src/cohortgate/signatures/verify.py",
        "src/cohortgate/scoring/scorecard.py",
        "src/cohortgate/models/roster.py",
        "src/cohortgate/cli/rule_changes.py",
        "src/cohortgate/layout.py",
        "src/cohortgate/review/github_reviews.py",
        "src/cohortgate/custodian/release/approval.py",
        "src",
    ],
)
def test_governed_paths(path: str) -> None:
    assert governing(path) is not None


@pytest.mark.parametrize(
    "path",
    [
        "rubric/approvals/alice.yaml",
        "README.md",
        "docs/index.md",
        "docs/CODEOWNERS.md",
        "src/CODEOWNERS",  # GitHub reads no code-owner file there
        "docs/CODEOWNERS/x",
        "src/cohortgate/site/build.py",
        "src/cohortgate/models/application.py",
        "catalog/datasets/ds-phenotypes.yaml",  # governed field by field, not as a file
        "submissions/2026/A-2026-0001/application.yaml",
    ],
)
def test_paths_not_governed_as_files(path: str) -> None:
    assert governing(path) is None


def test_every_entry_says_why() -> None:
    assert len({g.path for g in GOVERNED}) == len(GOVERNED)
    assert all(g.what for g in GOVERNED)


@pytest.mark.parametrize(
    ("path", "dataset"),
    [
        ("catalog/datasets/ds-x.yaml", True),
        ("Catalog/Datasets/ds-x.YAML", True),
        ("catalog/datasets/old/ds-x.yaml", False),  # the catalog loads only the folder's files
        ("catalog/datasets/ds-x.yml", False),
        ("catalog/datasets/.yaml", False),
        ("catalog/stats/ds-x.yaml", False),
    ],
)
def test_dataset_files(path: str, dataset: bool) -> None:
    assert is_dataset(path) is dataset


def _changes(world: World) -> dict[str, str | None]:
    return governed_changes(world.repo, world.repo.commit(world.base), world.repo.commit("HEAD"))


def _whys(world: World) -> dict[str, tuple[str, ...]]:
    base, head = world.repo.commit(world.base), world.repo.commit("HEAD")
    status = rule_change_status(world.repo, base, head, world.roster)
    return {c.path: tuple(w.en for w in c.why) for c in status.changes}


def _move(world: World, old: str, new: str) -> None:
    (world.root / new).parent.mkdir(parents=True, exist_ok=True)
    world.repo.git.mv(old, new)
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", "move")


def test_a_rename_is_a_deletion_and_an_addition(world: World) -> None:
    text = (world.root / "rubric" / "blacklist.yaml").read_bytes()
    _move(world, "rubric/blacklist.yaml", "notes/blacklist.yaml")
    assert _changes(world) == {"rubric/blacklist.yaml": None}
    _move(world, "notes/blacklist.yaml", "Rubric/blacklist.yaml")
    assert _changes(world) == {"Rubric/blacklist.yaml": sha256(text), "rubric/blacklist.yaml": None}


def test_a_dataset_renamed_is_removed_and_added(world: World) -> None:
    _move(world, DATASET, "catalog/datasets/ds-hpo.yaml")
    whys = _whys(world)
    assert whys[DATASET] == ("dataset 'ds-phenotypes' removed",)
    assert whys["catalog/datasets/ds-hpo.yaml"] == ("dataset 'ds-phenotypes' added",)
    _move(world, "catalog/datasets/ds-hpo.yaml", "catalog/datasets/old/ds-phenotypes.yaml")
    assert list(_whys(world)) == [DATASET]  # moved out of what the catalog loads: removed


def test_datasets_are_compared_with_where_the_branch_began(world: World) -> None:
    """The base branch lowered a class after the pull request branched off: the pull request,
    which only edits a description, does not change it (the comparison is with the merge base,
    as ``git diff base...head``)."""
    world.repo.git.checkout("-q", "-b", "proposal")
    edit(world, DATASET, lambda t: t.replace("One primary diagnosis per patient.", "One each."))
    world.repo.git.checkout("-q", "main")
    edit(world, DATASET, lower_privacy)
    world.base = world.repo.head.commit.hexsha
    world.repo.git.checkout("-q", "proposal")
    assert _changes(world) == {}


def test_case_variants_of_code_owner_files(world: World) -> None:
    world.commit({"docs/codeowners": "* @mallory\n", "Docs/notes.md": "x\n"})
    assert list(_changes(world)) == ["docs/codeowners"]


def _commit_link(world: World, path: str, target: str) -> None:
    place = world.root / path
    place.parent.mkdir(parents=True, exist_ok=True)
    if place.is_symlink():
        place.unlink()
    os.symlink(target, place)
    world.repo.git.add(path)
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", "link")


def test_a_link_is_bound_by_where_it_points(world: World) -> None:
    world.commit({"notes/owners": "* @mallory\n", "notes/other": "* @eve\n"})
    world.base = world.repo.head.commit.hexsha
    _commit_link(world, "CODEOWNERS", "notes/owners")
    first = _changes(world)["CODEOWNERS"]
    assert first is not None
    _commit_link(world, "CODEOWNERS", "notes/other")
    second = _changes(world)["CODEOWNERS"]
    assert second is not None and second != first  # an approval of the first does not count


def test_a_link_where_the_datasets_are(world: World) -> None:
    world.repo.git.rm("-r", "-q", "catalog/datasets")
    _commit_link(world, "catalog/datasets", "../mine")
    whys = _whys(world)
    assert "catalog/datasets" in whys
    assert whys[DATASET] == ("dataset 'ds-phenotypes' removed",)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("data_class: research", "data_class: raw", 'data_class changed: "research" -> "raw"'),
        ("privacy_levels: [L1, L2]", "privacy_levels: [L1, L2, L3]", "privacy_levels changed"),
        ("    research_type: paediatric", "    research_type: any", "use_conditions changed"),
        ("id: ds-phenotypes", "id: ds-phenotypes-2", "id changed"),
        (
            "      - name: onset_age_months\n",
            "      - name: home_address\n"
            "        label: {zh: 住址, en: Address}\n"
            "        type: string\n"
            "        privacy: other\n"
            "      - name: onset_age_months\n",
            "privacy class of diagnosis.home_address changed: absent -> other",
        ),
        ("keywords: [", "keywords: [", "unreadable at the head"),  # made unparsable below
    ],
)
def test_governed_dataset_fields(world: World, old: str, new: str, why: str) -> None:
    if why.startswith("unreadable"):
        edit(world, DATASET, lambda t: t.replace(old, "keywords: [[", 1))
    else:
        edit(world, DATASET, lambda t: t.replace(old, new, 1))
    (found,) = _whys(world)[DATASET]
    assert why in found


def test_a_variable_named_twice_cannot_hide_a_lower_class(world: World) -> None:
    twice = (
        "      - name: observed_date\n"
        "        label: {zh: 日期, en: Date}\n"
        "        type: date\n"
        "        privacy: other\n"
        "      - name: observed_date\n"
    )
    edit(world, DATASET, lambda t: t.replace("      - name: observed_date\n", twice, 1))
    (found,) = _whys(world)[DATASET]
    assert "observed_date changed: quasi_identifier -> other, quasi_identifier" in found


def test_the_review_reports_governed_changes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(world, DATASET, lower_privacy)
    argv = ["review", APP, "--base", world.base, "--today", "2026-11-29", "--root", str(world.root)]
    main([*argv, "--format", "markdown"])
    out = capsys.readouterr().out
    assert "### 受管辖的改动 / Governed changes" in out
    assert "❌ 未获两位主任委员签名批准 / NOT approved by both chairs" in out
    assert f"| {DATASET} | dataset privacy class of phenotype.observed" in out  # _ escaped
    main([*argv, "--format", "json"])
    governed = json.loads(capsys.readouterr().out)["governed_changes"]
    assert governed["approved"] is False and governed["changes"][0]["path"] == DATASET

    approve(world, capsys, "alice", "frank")
    main([*argv, "--format", "markdown"])
    out = capsys.readouterr().out
    assert "✅ 两位主任委员已签名批准 / approved by both chairs" in out
    assert "| alice, frank |" in out
    main(argv)
    out = capsys.readouterr().out
    assert "受管辖的改动 / Governed changes: 两位主任委员已签名批准" in out
    assert f"  {DATASET} (approved by: alice, frank)" in out


def test_no_section_without_governed_changes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.sign_sheet("dave")
    argv = ["review", APP, "--base", world.base, "--today", "2026-11-29", "--root", str(world.root)]
    main([*argv, "--format", "markdown"])
    assert "Governed changes" not in capsys.readouterr().out
