"""``cohortgate release`` proves the approval from git before it extracts anything.

Through the real CLI on a real repository with real ssh-keygen signatures
(``signed_release_world``): a decision that is unsigned, signed by a member who is not a chair
or by a key nobody lists, stale, without quorum or not allowed by the rule is refused with the
review's own located findings; so is an application folder on disk that is not the commit
released from (an edit, a file added or removed, a decision written by hand), and a team member
on the blacklist under another spelling of their e-mail address or their ORCID iD. A valid
signed approval releases, at HEAD or at the commit given with ``--at``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from git import Repo
from signed_release_world import (
    APPLICANT_EMAIL,
    APPLICANT_ORCID,
    L1,
    SignedWorld,
    build_signed_world,
    folder_of,
    release_json,
)

from cohortgate.custodian.release.approval import blacklisted
from cohortgate.custodian.release.package import unpack
from cohortgate.models.application import Application
from cohortgate.models.blacklist import Blacklist
from signing import Commit, Key

TODAY = "2026-11-29"
FOLDER = folder_of(L1)
DECISION = f"{FOLDER}/decision.yaml"


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key], cohort_path: Path) -> SignedWorld:
    """The applications committed, none reviewed yet; the cohort in the custodian's zone."""
    return build_signed_world(repo, commit, keys, cohort_path)


def release(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    """Run ``cohortgate release A-2026-0001``; its exit status and its findings (JSON)."""
    return release_json(world, identity, capsys, L1, *extra)


def refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str], *extra: str
) -> dict[str, list[dict[str, Any]]]:
    """The findings of a refused release by code; asserts that nothing was written."""
    status, findings = release(world, identity, capsys, *extra)
    assert status == 1, findings
    assert not list(world.folder(L1).glob("releases/*"))
    assert not list((world.root / "custodian").glob("outbox/*"))
    by_code: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_code.setdefault(finding["code"], []).append(finding)
    return by_code


def not_approved(found: dict[str, list[dict[str, Any]]]) -> str:
    """The one ``release.not-approved`` finding's message; it is located at the decision."""
    [finding] = found["release.not-approved"]
    assert finding["file"] == DECISION
    return str(finding["message"])


# --- a valid signed approval releases ---------------------------------------------------------


def test_a_valid_signed_approval_releases(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1)
    status, findings = release(world, identity, capsys)
    assert status == 0, findings
    assert [f["code"] for f in findings if f["severity"] == "error"] == []
    manifest = world.folder(L1) / "releases" / "R-2026-0001-01.yaml"
    assert manifest.is_file()
    sealed = (world.root / "custodian" / "outbox" / "R-2026-0001-01.tar.age").read_bytes()
    assert list(unpack(sealed, str(identity))) == ["ds-iem-labs.stats.json"]


def test_at_releases_the_approved_commit_not_a_later_one(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """HEAD changed the protocol after the decision; the working tree holds the approved
    version again. HEAD is refused; ``--at`` the approved commit releases."""
    approved = world.approve(L1)
    protocol = world.folder(L1) / "protocol.pdf"
    original = protocol.read_bytes()
    world.commit({f"{FOLDER}/protocol.pdf": "%PDF-1.4 a later protocol"})
    protocol.write_bytes(original)
    found = refused(world, identity, capsys)
    assert "review.decision-stale" in found
    assert [f["file"] for f in found["release.uncommitted"]] == [f"{FOLDER}/protocol.pdf"]
    status, findings = release(world, identity, capsys, "--at", approved)
    assert status == 0, findings


# --- the decision, verified as review verifies it ---------------------------------------------


def test_unsigned_decision_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1, signer=None)
    found = refused(world, identity, capsys)
    [unsigned] = found["review.decision-unsigned"]
    assert unsigned["file"] == DECISION and unsigned["line"] >= 1
    assert "does not verify" in not_approved(found)


@pytest.mark.parametrize(
    ("signer", "code"),
    [("dave", "review.not-a-chair"), ("mallory", "review.decision-unsigned")],
    ids=["a-member-not-chair", "a-key-nobody-lists"],
)
def test_forged_decision_is_refused(
    world: SignedWorld,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    signer: str,
    code: str,
) -> None:
    """Signed by a member who is no chair, or by a key the roster does not list."""
    world.approve(L1, signer=signer)
    found = refused(world, identity, capsys)
    assert [(f["file"], f["line"]) for f in found[code]] == [(DECISION, 1)]
    assert "does not verify" in not_approved(found)


def test_stale_decision_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """protocol.pdf replaced (and committed) after the decision."""
    world.approve(L1)
    world.commit({f"{FOLDER}/protocol.pdf": "%PDF-1.4 another protocol"})
    found = refused(world, identity, capsys)
    assert "review.decision-stale" in found
    assert "release.uncommitted" not in found  # the working tree is the commit
    assert "does not verify" in not_approved(found)


def test_decision_without_quorum_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1, reviewers=("dave",))
    found = refused(world, identity, capsys)
    assert "review.decision-no-quorum" in found
    assert "does not verify" in not_approved(found)


def test_decision_the_rule_does_not_allow_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1, score=1)
    found = refused(world, identity, capsys)
    [against] = found["review.decision-against-rule"]
    assert "the rule allows only" in against["message"]
    assert "does not verify" in not_approved(found)


def test_a_valid_decision_that_is_not_approve_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1, decision="revise")
    found = refused(world, identity, capsys)
    assert set(found) == {"release.not-approved"}
    assert "was decided 'revise' in 2026Q4" in not_approved(found)


def test_no_committed_decision_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """An approval written by hand and never committed: exactly what used to release."""
    for who in ("dave", "bob", "grace", "erin"):
        world.sign_sheet(L1, who)
    world.decide(L1)
    text = (world.root / DECISION).read_text("utf-8")
    world.repo.git.rm("-q", DECISION)
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", "decision removed")
    (world.root / DECISION).write_text(text, "utf-8")
    found = refused(world, identity, capsys)
    assert "has no committed decision" in not_approved(found)
    [uncommitted] = found["release.uncommitted"]
    assert uncommitted["file"] == DECISION and "is not committed" in uncommitted["message"]


# --- the working tree must be the commit ------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "relative", "state"),
    [
        ("edit", "application.yaml", "differs from the version committed"),
        ("add", "attachments/extra.pdf", "is not committed"),
        ("remove", "ethics-letter.pdf", "is missing from the working tree"),
        ("decision", "decision.yaml", "differs from the version committed"),
    ],
)
def test_uncommitted_changes_are_refused(
    world: SignedWorld,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    change: str,
    relative: str,
    state: str,
) -> None:
    world.approve(L1, decision="revise" if change == "decision" else "approve")
    folder = world.folder(L1)
    if change == "edit":
        form = folder / "application.yaml"
        form.write_text(form.read_text("utf-8") + "# edited after the approval\n", "utf-8")
    elif change == "add":
        (folder / "attachments").mkdir()
        (folder / relative).write_bytes(b"%PDF-1.4 never reviewed")
    elif change == "remove":
        (folder / relative).unlink()
    else:  # the custodian turns the committed 'revise' into 'approve' by hand
        decision = folder / "decision.yaml"
        decision.write_text(decision.read_text("utf-8").replace("revise", "approve"), "utf-8")
    found = refused(world, identity, capsys)
    [uncommitted] = found["release.uncommitted"]
    assert uncommitted["file"] == f"{FOLDER}/{relative}"
    assert state in uncommitted["message"]
    assert "release.not-approved" in found


# --- the blacklist, by normalised identity ----------------------------------------------------


def _entry(**person: str) -> str:
    fields = "".join(f"    {key}: '{value}'\n" for key, value in person.items())
    return (
        "entries:\n  - reason: a leak traced by watermark\n"
        f"{fields}    listed_on: '2026-06-01'\n    decided_by: [alice, frank]\n"
    )


@pytest.mark.parametrize(
    "person",
    [
        {"person_email": "chen.siyuan+leak@xinhuamed.com.cn"},
        {"person_email": "Chen.SiYuan@xinhuamed.com.cn"},
        {"person_orcid": APPLICANT_ORCID, "person_email": "someone.else@example.org"},
    ],
    ids=["plus-tag", "case", "orcid"],
)
@pytest.mark.parametrize("where", ["on-disk", "committed"])
def test_blacklisted_applicant_under_another_spelling_is_refused(
    world: SignedWorld,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    person: dict[str, str],
    where: str,
) -> None:
    world.approve(L1)
    path = "rubric/blacklist.yaml"
    if where == "committed":  # the blacklist of the commit counts, whatever is on disk
        clean = (world.root / path).read_text("utf-8")
        world.commit({path: _entry(**person)}, signer="alice")
        (world.root / path).write_text(clean, "utf-8")
    else:
        (world.root / path).write_text(_entry(**person), "utf-8")
    found = refused(world, identity, capsys)
    [listed] = found["release.blacklisted"]
    assert listed["file"] == path
    assert APPLICANT_EMAIL in listed["message"] and "the person listed as" in listed["message"]
    if where == "on-disk":
        assert listed["line"] == 2  # the entry, in the file on disk


def test_an_entry_on_disk_and_committed_is_reported_once(world: SignedWorld) -> None:
    form = world.folder(L1) / "application.yaml"
    app = Application.model_validate(yaml.safe_load(form.read_text("utf-8")))
    text = _entry(person_email="CHEN.SIYUAN+x@xinhuamed.com.cn")
    (world.root / "rubric/blacklist.yaml").write_text(text, "utf-8")
    committed = Blacklist.model_validate(yaml.safe_load(text))
    assert [f.code for f in blacklisted(world.root, app, committed)] == ["release.blacklisted"]


def test_gmail_dots_are_one_person(world: SignedWorld) -> None:
    form = world.folder(L1) / "application.yaml"
    data = yaml.safe_load(form.read_text("utf-8"))
    data["team"][0]["email"] = "lin.yu.tong+cohort@googlemail.com"
    app = Application.model_validate(data)
    listed = Blacklist.model_validate(yaml.safe_load(_entry(person_email="LinYutong@gmail.com")))
    shutil.rmtree(world.root / "rubric")  # only the committed blacklist: none on disk
    [finding] = blacklisted(world.root, app, listed)
    assert finding.code == "release.blacklisted"
    assert "lin.yu.tong+cohort@googlemail.com" in finding.message
    assert "linyutong@gmail.com" in finding.message  # the normalised address
    assert "规范化后相同的电子邮件地址" in finding.message_zh


# --- no git, no approval ----------------------------------------------------------------------


def test_an_unknown_revision_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1)
    found = refused(world, identity, capsys, "--at", "no-such-branch")
    assert "review.bad-ref" in found
    assert "cannot be verified at no-such-branch" in not_approved(found)


def test_a_folder_outside_git_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    world.approve(L1)
    world.repo.close()
    shutil.rmtree(world.root / ".git")
    found = refused(world, identity, capsys)
    assert "review.git-unavailable" in found
    assert "not the root of a git repository" in not_approved(found)


# --- a disk that refuses the write ----------------------------------------------------------


def test_a_full_disk_while_writing_is_a_finding_and_exit_2(
    world: SignedWorld,
    identity: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The package cannot be written (ENOSPC): a finding naming the file, exit 2, no manifest;
    the same release succeeds once there is room."""
    import errno
    import os

    world.approve(L1)
    real = os.open

    def full(path: Any, *args: Any, **kwargs: Any) -> int:
        if "outbox" in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    status, findings = release(world, identity, capsys)
    assert status == 2, findings
    failed = [f for f in findings if f["code"] == "file.write-failed"]
    assert len(failed) == 1 and "outbox" in failed[0]["file"], findings
    assert not list(world.folder(L1).glob("releases/*"))
    monkeypatch.setattr(os, "open", real)
    status, findings = release(world, identity, capsys)
    assert status == 0, findings
    assert list(world.folder(L1).glob("releases/*.yaml"))


# --- the access period runs from the first release ------------------------------------------


def _manifests(world: SignedWorld) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(path.read_text("utf-8"))
        for path in sorted(world.folder(L1).glob("releases/*.yaml"))
    ]


def test_the_access_period_runs_from_the_first_release(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A later release does not restart the period: inside it, the re-release keeps the first
    release's dates; after its end, a release is refused, though the first release's manifest
    was never committed."""
    world.approve(L1)
    status, findings = release(world, identity, capsys, "--start", "2026-06-01")
    assert status == 0, findings
    status, findings = release(
        world, identity, capsys, "--today", "2026-11-30", "--reason", "the copy was damaged"
    )
    assert status == 0, findings
    starts = {(m["access_start"], m["access_end"]) for m in _manifests(world)}
    assert starts == {("2026-06-01", "2026-12-01")}
    before = _manifests(world)
    status, findings = release(world, identity, capsys, "--today", "2026-12-10")
    assert status == 1, findings
    assert [f["code"] for f in findings if f["severity"] == "error"] == ["release.period-over"]
    assert "2026-12-01" in findings[-1]["message"]
    assert _manifests(world) == before


def test_a_roster_changed_after_the_trusted_base_is_refused(
    world: SignedWorld, identity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Releasing from a local commit: with ``--base`` the roster, rubric and blacklist are the
    protected branch's, and a roster edited on the way is the review's finding, not trusted."""
    base = world.repo.head.commit.hexsha
    path = world.root / "rubric" / "roster.yaml"
    roster = yaml.safe_load(path.read_text("utf-8"))
    roster["members"][1]["term_end"] = "2030-12-31"  # any edit of a governed file
    world.commit({"rubric/roster.yaml": yaml.safe_dump(roster, allow_unicode=True)}, signer="bob")
    world.approve(L1)
    status, findings = release(world, identity, capsys)  # the commit's own roster: trusted
    assert status == 0, findings
    shutil.rmtree(world.folder(L1) / "releases")
    shutil.rmtree(world.root.parent / "vault")
    shutil.rmtree(world.root / "custodian" / "outbox")
    found = refused(world, identity, capsys, "--base", base)
    assert "release.not-approved" in found, found
    changes = found["review.rule-change-unapproved"]  # what changed the rules since --base
    assert changes and all(f["file"].startswith("rubric/") for f in changes), changes
