"""git's own verdict on SSH-signed commits, mapped to roster members (R13)."""

from __future__ import annotations

import pytest
from git import Repo
from review_keys import member, roster_data

from cohortgate.gitread.history import touched_paths
from cohortgate.models.roster import Roster
from cohortgate.signatures.signers import RosterKeyError, parse_public_key
from cohortgate.signatures.verify import Status, verify_commit, verify_commits
from signing import Commit, Key

SHEET = "reviews/A-2026-0007/alice.yaml"


def test_good_signature_by_a_member_is_accepted(
    repo: Repo, commit: Commit, roster: Roster, keys: dict[str, Key]
) -> None:
    sha = commit({SHEET: "decision: approve\n"}, signer="alice")
    verdict = verify_commit(repo, sha, roster)
    assert verdict.sha == sha
    assert verdict.status is Status.GOOD
    assert verdict.principal == "alice@damc.example"
    assert verdict.member is not None and verdict.member.id == "alice"
    assert verdict.fingerprint == parse_public_key(keys["alice"].line).fingerprint
    assert verdict.accepted


def test_unsigned_commit_is_not_accepted(repo: Repo, commit: Commit, roster: Roster) -> None:
    verdict = verify_commit(repo, commit({SHEET: "x\n"}), roster)
    assert verdict.status is Status.NONE
    assert verdict.member is None
    assert not verdict.accepted


def test_key_outside_the_roster_is_not_accepted(repo: Repo, commit: Commit, roster: Roster) -> None:
    verdict = verify_commit(repo, commit({SHEET: "x\n"}, signer="mallory"), roster)
    assert verdict.status is not Status.GOOD
    assert verdict.status in {Status.UNKNOWN, Status.CANNOT_CHECK}
    assert verdict.member is None
    assert not verdict.accepted


def test_member_whose_term_has_ended_is_not_accepted(
    repo: Repo, commit: Commit, roster: Roster
) -> None:
    # carol's term ended on 2025-12-31: a commit dated inside it is good, one after it is not.
    during = commit({SHEET: "1\n"}, signer="carol", when="2025-12-31T12:00:00+00:00")
    after = commit({SHEET: "2\n"}, signer="carol", when="2026-01-01T12:00:00+00:00")
    inside, outside = verify_commits(repo, [during, after], roster)
    assert inside.accepted and inside.member is not None and inside.member.id == "carol"
    assert outside.status is not Status.GOOD
    assert not outside.accepted


def test_signer_not_author_decides_the_member(repo: Repo, commit: Commit, roster: Roster) -> None:
    # bob signs a commit whose author and committer e-mail are alice's principal.
    sha = commit({SHEET: "x\n"}, signer="bob", email="alice@damc.example")
    assert repo.commit(sha).author.email == "alice@damc.example"
    verdict = verify_commit(repo, sha, roster)
    assert verdict.accepted
    assert verdict.member is not None and verdict.member.id == "bob"


def test_stranger_with_a_members_email_maps_to_nobody(
    repo: Repo, commit: Commit, roster: Roster
) -> None:
    sha = commit({SHEET: "x\n"}, signer="mallory", email="alice@damc.example")
    verdict = verify_commit(repo, sha, roster)
    assert verdict.member is None
    assert not verdict.accepted


def test_tampered_roster_key_refuses_verification(
    repo: Repo, commit: Commit, keys: dict[str, Key]
) -> None:
    sha = commit({SHEET: "x\n"}, signer="alice")
    data = roster_data(keys)
    data["members"][1] = member("bob", keys["bob"].line[:60], expertise="legal")
    with pytest.raises(RosterKeyError) as raised:
        verify_commit(repo, sha, Roster.model_validate(data))
    assert [p.member for p in raised.value.problems] == ["bob"]


def test_touched_paths(repo: Repo, commit: Commit) -> None:
    first = commit({"application.yaml": "a\n", SHEET: "x\n"})
    sheet_only = commit({SHEET: "y\n"})
    two = commit({SHEET: "z\n", "application.yaml": "b\n"})
    assert touched_paths(repo, first) == ("application.yaml", SHEET)
    assert touched_paths(repo, sheet_only) == (SHEET,)
    assert touched_paths(repo, two) == ("application.yaml", SHEET)
