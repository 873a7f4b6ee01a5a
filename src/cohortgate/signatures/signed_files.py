"""One committed file as a signed statement of one member: the checks shared by decisions and
approvals of rule changes (score sheets add their own, see ``approval.sheets``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from git import Commit, Repo

from cohortgate.gitread.history import touched_paths
from cohortgate.gitread.read import blob_sha, files_under, last_change, last_changes, signed_blob
from cohortgate.layout import DECISION, REVIEWS
from cohortgate.models.roster import Member, Roster
from cohortgate.signatures.verify import Status, verify_commit, verify_commits


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
    if signed_blob(repo, head, last, path) != blob_sha(head, path):
        return SignedBy(verdict.member, last, f"the file differs from what commit {short} signed")
    return SignedBy(verdict.member, last, None)


def chair_ids(roster: Roster) -> list[str]:
    return [c.member for c in roster.chairs]


def verify_signed_files(repo: Repo, head: Commit, folders: Sequence[str], roster: Roster) -> None:
    """Check, in ONE pass, the signatures of the newest change of every score sheet and
    decision under ``folders``: the reviews that follow find their verdicts remembered
    (``signatures.verify_commits``) instead of reading a few commits each."""
    paths: list[str] = []
    for folder in folders:
        paths += [p for p, _f in files_under(head, f"{folder}/{REVIEWS}") if p.endswith(".yaml")]
        if blob_sha(head, decision := f"{folder}/{DECISION}") is not None:
            paths.append(decision)
    shas = sorted(set(last_changes(repo, head, paths).values()))
    if shas:
        verify_commits(repo, shas, roster)
