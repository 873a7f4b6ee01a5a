"""Everything reviewed is bound: the after-review folders hold only what their commands write.

The attack: an attachment kept under ``releases/`` (or ``reviews/``, ``events/``,
``agreements/``), outside the digest that sign-offs and decisions bind, replaced after approval
while the decision stayed valid. One rule (``layout.after_review_problem``), applied to commits
by ``review`` (``approval.digest``) and to the working tree by the custodian's release
(``custodian.release.approval``) and by ``validate`` (the corpus under tests/applications).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from review_world import APP, FOLDER, ROOT, World, codes

from cohortgate.approval.digest import application_digests
from cohortgate.custodian.release.agreement_texts import NAMES
from cohortgate.custodian.release.approval import approved, reviewed_digests
from cohortgate.layout import (
    AGREEMENT_TEXTS,
    EVENT_KINDS,
    after_review_problem,
    is_reviewed_file,
    named_after_review,
)
from cohortgate.models.lifecycle import EVENT_FILE, EventKind
from cohortgate.models.release import RELEASE_ID
from cohortgate.models.review import Decision

# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "application.yaml",
        "protocol.pdf",
        "attachments/protocol.pdf",
        "docs/ethics-letter.pdf",
        "decision.yaml",
        "agreements.yaml",
        "reviews/dave.yaml",
        "reviews/zhang-wei.yaml",
        "events/2027-01-10-outputs.yaml",
        "events/2027-01-10-destruction-certificate-2.yaml",
        "agreements/data-use-agreement.md",
        "agreements/confidentiality-agreement.pdf",
        "releases/R-2026-0001-01.yaml",
        "events/outputs/chart.pdf",  # named by an event
        "agreements/signed/dua.pdf",  # recorded in agreements.yaml
    ],
)
def test_what_the_commands_write_is_allowed(relative: str) -> None:
    named = frozenset({"events/outputs/chart.pdf", "agreements/signed/dua.pdf"})
    assert after_review_problem(relative, APP, named) is None


@pytest.mark.parametrize(
    ("relative", "says"),
    [
        ("reviews/protocol.pdf", "not a score sheet"),
        ("reviews/Dave.yaml", "not a score sheet"),
        ("reviews/sub/dave.yaml", "not a score sheet"),
        ("events/protocol.pdf", "neither an event"),
        ("events/2027-01-10-party.yaml", "neither an event"),
        ("events/outputs/chart.pdf", "neither an event"),  # no event names it
        ("agreements/protocol.pdf", "neither a generated agreement text"),
        ("agreements/signed/dua.pdf", "neither a generated agreement text"),  # not recorded
        ("releases/protocol.pdf", "not a release manifest of A-2026-0001"),
        ("releases/R-2026-0002-01.yaml", "not a release manifest of A-2026-0001"),
        ("decision.yaml/protocol.pdf", "inside decision.yaml"),
        ("agreements.yaml/x", "inside agreements.yaml"),
    ],
)
def test_anything_else_there_is_refused(relative: str, says: str) -> None:
    assert not is_reviewed_file(relative)
    problem = after_review_problem(relative, APP)
    assert problem is not None and says in problem.en and problem.zh


def test_records_name_only_plain_paths_inside_their_folder() -> None:
    events = [
        {"attachments": {"outputs/chart.pdf": "0" * 64, "../protocol.pdf": "0" * 64}},
        {"attachments": {"a/../b.pdf": "0" * 64, "2027-01-10-outputs.yaml": "0" * 64}},
        "not a mapping",
        {"attachments": ["not", "a", "mapping"]},
    ]
    agreements = {
        "agreements": [
            {"signed_copy": "agreements/signed/dua.pdf"},
            {"signed_copy": "signed-outside.pdf"},  # a reviewed file: not named here
            {"signed_copy": "./agreements/nda.pdf"},
            {"signed_copy": 7},
        ]
    }
    assert named_after_review(events, agreements) == {
        "events/outputs/chart.pdf",
        "agreements/signed/dua.pdf",
    }
    assert named_after_review([], None) == frozenset()


def test_the_rule_restates_the_names_their_writers_define() -> None:
    """layout imports no model (every command module imports it); these keep it equal."""
    assert set(EVENT_KINDS) == {kind.value for kind in EventKind}
    for kind in EventKind:
        for name in (f"2027-01-10-{kind.value}.yaml", f"2027-01-10-{kind.value}-2.yaml"):
            assert EVENT_FILE.fullmatch(name)
            assert after_review_problem(f"events/{name}", APP) is None
    assert after_review_problem("events/2027-01-10-outputs-1.yaml", APP) is not None
    assert not EVENT_FILE.fullmatch("2027-01-10-outputs-1.yaml")
    assert re.fullmatch(RELEASE_ID, "R-2026-0001-01")
    assert set(AGREEMENT_TEXTS) == {f"{n}{s}" for n in NAMES.values() for s in (".md", ".pdf")}


# --- review, from the commits ------------------------------------------------------------------


def _quorum(world: World) -> None:
    for who in ("dave", "bob", "erin"):
        world.sign_sheet(who, scores=world.role_scores(who, 5))


def _protocol_in(world: World, folder: str) -> None:
    """The applicant's attack: the protocol kept in an after-review folder."""
    form = world.root / FOLDER / "application.yaml"
    text = form.read_text("utf-8").replace("document: protocol.pdf", f"document: {folder}/p.pdf")
    world.commit({f"{FOLDER}/application.yaml": text, f"{FOLDER}/{folder}/p.pdf": "%PDF-1.4 p"})


@pytest.mark.parametrize("folder", ["releases", "reviews", "events", "agreements"])
def test_an_attachment_in_an_after_review_folder_is_refused(world: World, folder: str) -> None:
    _protocol_in(world, folder)
    assert f"{folder}/p.pdf" not in world.digests()  # what the attack relied on
    _quorum(world)
    world.decide("approve")
    report = world.review()
    form = f"{FOLDER}/application.yaml"
    unbound = [f for f in report.findings if f.file == form]
    assert [f.code for f in unbound] == ["review.unbound-file"] and unbound[0].line > 0
    assert unbound[0].path == "$.protocol.document"
    assert f"'{folder}/p.pdf' lies in {folder}/, which sign-offs" in unbound[0].message
    assert "name that path in protocol.document" in unbound[0].hint
    refused = {f.file for f in report.findings if f.file != form}
    assert f"{FOLDER}/{folder}/p.pdf" in refused  # and the file is not one a command writes
    assert not report.decision_valid
    # the swap after approval changes nothing: the decision was never valid
    world.commit({f"{FOLDER}/{folder}/p.pdf": "%PDF-1.4 replaced after approval"})
    assert not world.review().decision_valid


def test_a_file_no_command_wrote_is_refused_by_review(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    world.commit(
        {
            f"{FOLDER}/events/protocol-v2.pdf": "%PDF-1.4 the real protocol",
            f"{FOLDER}/releases/R-2026-0001-01.pdf": "%PDF-1.4",
            f"{FOLDER}/agreements/notes.md": "notes",
        }
    )
    report = world.review()
    found = [f for f in report.findings if f.code == "review.unbound-file"]
    assert [f.file.removeprefix(FOLDER + "/") for f in found] == [
        "agreements/notes.md",
        "events/protocol-v2.pdf",
        "releases/R-2026-0001-01.pdf",
    ]
    assert "neither an event" in found[1].message and found[1].hint
    assert report.decision_valid  # what was reviewed is unchanged; the review still refuses


def test_a_file_in_reviews_is_reported_once(world: World) -> None:
    _quorum(world)
    world.commit({f"{FOLDER}/reviews/notes.pdf": "%PDF-1.4"})
    report = world.review()
    assert [c for c in codes(report) if c != "review.sheet-misplaced"] == []
    assert codes(report).count("review.sheet-misplaced") == 1


def test_what_the_commands_write_passes_review(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    chart = "%PDF-1.4 chart"
    event = {
        "kind": "outputs",
        "application": APP,
        "at": "2027-01-10",
        "by": "x@y.org",
        "attachments": {"outputs/chart.pdf": "0" * 64},
    }
    world.commit(
        {
            f"{FOLDER}/events/outputs/chart.pdf": chart,
            f"{FOLDER}/events/2027-01-10-outputs.yaml": yaml.safe_dump(event),
            f"{FOLDER}/agreements/data-use-agreement.md": "# text",
            f"{FOLDER}/agreements/signed/dua.pdf": "%PDF-1.4 signed",
            f"{FOLDER}/agreements.yaml": yaml.safe_dump(
                {"application": APP, "agreements": [{"signed_copy": "agreements/signed/dua.pdf"}]}
            ),
            f"{FOLDER}/releases/R-2026-0001-01.yaml": "release: R-2026-0001-01\n",
        }
    )
    report = world.review()
    assert "review.unbound-file" not in codes(report)
    assert report.decision_valid


def test_a_sheet_swapped_after_approval_voids_the_decision(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    assert world.review().decision_valid
    sheet = (world.root / FOLDER / "reviews/dave.yaml").read_text("utf-8")
    world.commit({f"{FOLDER}/reviews/dave.yaml": sheet.replace("Sound protocol", "Fine")})
    report = world.review()
    assert "review.sheet-unsigned" in codes(report)
    assert not report.decision_valid


def test_a_reviewed_file_swapped_after_approval_makes_the_decision_stale(world: World) -> None:
    _quorum(world)
    world.decide("approve")
    world.commit({f"{FOLDER}/protocol.pdf": "%PDF-1.4 another protocol"})
    report = world.review()
    assert "review.decision-stale" in codes(report) and not report.decision_valid


# --- the custodian, from the working tree ------------------------------------------------------


def _custodian_folder(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    folder = root / FOLDER
    shutil.copytree(ROOT / FOLDER, folder)
    decision = Decision(
        application=APP,
        quarter="2026Q4",
        decided_on="2026-11-25",
        decision="approve",  # type: ignore[arg-type]
        files=reviewed_digests(folder),
        reasons="Approved at the quarterly meeting.",
    )
    (folder / "decision.yaml").write_text(yaml.safe_dump(decision.model_dump(mode="json")))
    return root, folder


@pytest.mark.parametrize(
    "relative", ["releases/protocol.pdf", "events/protocol.pdf", "reviews/x.pdf", "agreements/x"]
)
def test_the_custodian_refuses_a_file_no_command_wrote(tmp_path: Path, relative: str) -> None:
    root, folder = _custodian_folder(tmp_path)
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    (folder / relative).write_bytes(b"%PDF-1.4 swapped in after approval")
    found, findings = approved(root, folder, date(2026, 11, 29))
    assert found is None
    assert [(f.code, f.file) for f in findings if f.code.startswith("review.")] == [
        ("review.unbound-file", f"{FOLDER}/{relative}")
    ]


def test_the_custodian_refuses_a_link_in_an_after_review_folder(tmp_path: Path) -> None:
    root, folder = _custodian_folder(tmp_path)
    (folder / "releases").mkdir()
    (folder / "releases/R-2026-0001-01.yaml").symlink_to("../protocol.pdf")
    found, findings = approved(root, folder, date(2026, 11, 29))
    assert found is None and "symbolic link" in findings[-1].message


def test_the_custodian_finds_a_swapped_attachment(tmp_path: Path) -> None:
    root, folder = _custodian_folder(tmp_path)
    (folder / "protocol.pdf").write_bytes(b"%PDF-1.4 another protocol")
    found, findings = approved(root, folder, date(2026, 11, 29))
    assert found is None and "changed after the decision (protocol.pdf)" in findings[0].message


def test_both_sides_bind_the_same_digests(world: World) -> None:
    """The working tree's digests (custodian) equal the commit's (review): large files
    streamed, subfolders, links as git stores them, after-review files left out."""
    folder = world.root / FOLDER
    (folder / "attachments").mkdir()
    (folder / "attachments/appendix.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00" * 3_000_000)
    (folder / "link.pdf").symlink_to("protocol.pdf")
    world.repo.git.add(FOLDER)
    world.commit({f"{FOLDER}/reviews/notes.txt": "not reviewed"})
    committed = application_digests(world.repo.commit("HEAD"), FOLDER)
    assert committed == reviewed_digests(folder)
    assert {"attachments/appendix.pdf", "link.pdf", "protocol.pdf"} <= set(committed)
    assert "reviews/notes.txt" not in committed
