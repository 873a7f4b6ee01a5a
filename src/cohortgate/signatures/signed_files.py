"""One committed file as a signed statement of one member: the checks shared by decisions and
approvals of rule changes (score sheets add their own, see ``approval.sheets``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from git import Commit, Repo

from cohortgate.findings.codes import Both
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
    problem: Both | None  # None when member signed the file alone, as it is at head


def signed_by(repo: Repo, head: Commit, path: str, roster: Roster) -> SignedBy:
    last = last_change(repo, head, path)
    if last is None:
        return SignedBy(None, None, Both(zh="没有任何提交改动过它", en="no commit changed it"))
    verdict = verify_commit(repo, last, roster)
    short = last[:12]
    if verdict.status is Status.NONE:
        return SignedBy(None, last, unsigned(short))
    if not verdict.accepted or verdict.member is None:
        who = verdict.principal or verdict.fingerprint or UNKNOWN_KEY
        problem = Both(
            zh=f"提交 {short} 不是用名册中的密钥签名的（git {verdict.status}，{_in(who, 'zh')}）",
            en=f"commit {short} is not signed by a roster key (git {verdict.status}, {who})",
        )
        return SignedBy(None, last, problem)
    others = [p for p in touched_paths(repo, last) if p != path]
    if others:
        return SignedBy(verdict.member, last, also_changes(short, others))
    if signed_blob(repo, head, last, path) != blob_sha(head, path):
        return SignedBy(verdict.member, last, differs_from(short))
    return SignedBy(verdict.member, last, None)


UNKNOWN_KEY = Both(zh="未知密钥", en="an unknown key")


def _in(value: Both | str, lang: str) -> str:
    return getattr(value, lang) if isinstance(value, Both) else value


def unsigned(short: str) -> Both:
    """``commit <sha> is not signed``."""
    return Both(zh=f"提交 {short} 没有签名", en=f"commit {short} is not signed")


def also_changes(short: str, others: Sequence[str]) -> Both:
    """A signed commit that changes other files too."""
    listed = ", ".join(others)
    return Both(zh=f"提交 {short} 还改动了 {listed}", en=f"commit {short} also changes {listed}")


def differs_from(short: str) -> Both:
    """A file whose content is not what the signed commit wrote."""
    return Both(
        zh=f"文件内容与提交 {short} 签署的内容不同",
        en=f"the file differs from what commit {short} signed",
    )


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
