"""One committed file as a signed statement of one member: the checks shared by decisions and
approvals of rule changes (score sheets add their own, see ``review.sheets``)."""

from __future__ import annotations

from dataclasses import dataclass

from git import Commit, Repo

from cohortgate.models.roster import Member, Roster
from cohortgate.review.gitread import blob_sha, last_change
from cohortgate.review.signatures import Status, touched_paths, verify_commit


@dataclass(frozen=True)
class SignedBy:
    """Who signed the newest change of a file, or why nobody validly did."""

    member: Member | None
    sha: str | None
    problem: str | None  # None when member signed the file alone, as it is at head


def signed_by(repo: Repo, head: Commit, path: str, roster: Roster) -> SignedBy:
    last = last_change(repo, head, path)
    if last is None:
        return SignedBy(None, None, "no commit changed it")
    verdict = verify_commit(repo, last, roster)
    short = last[:12]
    if verdict.status is Status.NONE:
        return SignedBy(None, last, f"commit {short} is not signed")
    if not verdict.accepted or verdict.member is None:
        who = verdict.principal or verdict.fingerprint or "an unknown key"
        return SignedBy(
            None,
            last,
            f"commit {short} is not signed by a roster key (git {verdict.status}, {who})",
        )
    others = [p for p in touched_paths(repo, last) if p != path]
    if others:
        return SignedBy(verdict.member, last, f"commit {short} also changes {', '.join(others)}")
    if blob_sha(repo.commit(last), path) != blob_sha(head, path):
        return SignedBy(verdict.member, last, f"the file differs from what commit {short} signed")
    return SignedBy(verdict.member, last, None)


def chair_ids(roster: Roster) -> list[str]:
    return [c.member for c in roster.chairs]
