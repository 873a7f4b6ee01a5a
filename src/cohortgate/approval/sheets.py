"""Score sheets committed in signed commits: ``<application>/reviews/<member-id>.yaml`` (R13).

A sheet counts as its reviewer's sign-off only when the newest commit that changed it

1. carries a good SSH signature (git's ``%G?`` is ``G``) against the allowed-signers file made
   from the trusted roster, with the principal (``%GS``) and key of a member — never the author
   e-mail, which anyone can set;
2. is signed by the very reviewer the sheet names (otherwise: signed by someone else, or, when
   that reviewer had signed it before, another member editing their sheet);
3. changes that sheet and nothing else;
4. holds exactly the content present at the head;

and when its 'reviewed_on' is not after today: a review dated in the future has not happened.

Whether the sheet is for this application and this version, and whether its reviewer may review
it, is judged afterwards for every channel alike (``approval.eligibility``).
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

from git import Commit, Repo

from cohortgate.approval import codes as C
from cohortgate.approval.signoffs import Channel, SignOff
from cohortgate.files.loading import Document
from cohortgate.findings import Finding
from cohortgate.findings.codes import Both
from cohortgate.gitread.committed import load_model
from cohortgate.gitread.history import touched_paths
from cohortgate.gitread.read import blob_sha, changes_of, files_under, last_changes, signed_blob
from cohortgate.layout import REVIEWS
from cohortgate.models.review import ScoreSheet
from cohortgate.models.roster import Roster
from cohortgate.signatures.verify import Status, Verdict, verify_commits


def _short(sha: str) -> str:
    return sha[:12]


def _signature_problem(verdict: Verdict, path: str) -> Finding | None:
    sha = _short(verdict.sha)
    if verdict.status is Status.NONE:
        return C.SHEET_UNSIGNED.at(path, sheet=path, sha=sha)
    if verdict.status is Status.BAD:
        return C.SIGNATURE_BAD.at(path, sheet=path, sha=sha, status=verdict.status.value)
    if verdict.accepted:
        return None
    if verdict.status is Status.GOOD and verdict.member is not None:
        detail = Both(
            zh=f"签名身份 {verdict.principal} 使用了另一把密钥签名（{verdict.fingerprint}）",
            en=f"principal {verdict.principal} signed with another key ({verdict.fingerprint})",
        )
    elif verdict.principal:
        detail = Both(
            zh=f"签名身份 {verdict.principal} 不是委员",
            en=f"principal {verdict.principal} is not a member",
        )
    else:
        status, key = verdict.status.value, verdict.fingerprint
        detail = Both(
            zh=f"git 状态 {status}：密钥 {key or '未知'}",
            en=f"git status {status}: key {key or 'unknown'}",
        )
    return C.SIGNER_UNKNOWN.at(path, sheet=path, sha=sha, detail=detail)


def commit_signoffs(
    repo: Repo, head: Commit, folder: str, roster: Roster, today: date | None = None
) -> tuple[list[SignOff], list[Finding]]:
    """The sign-offs recorded as signed sheets under ``folder/reviews/`` at ``head``; a sheet
    dated after ``today`` (when given) is none."""
    findings: list[Finding] = []
    candidates: list[tuple[str, ScoreSheet, Document]] = []
    for path, _blob in files_under(head, f"{folder}/{REVIEWS}"):
        name = PurePosixPath(path)
        if name.suffix != ".yaml" or name.parent.name != REVIEWS:
            findings.append(C.SHEET_MISPLACED.at(path, name=name.name))
            continue
        sheet, doc, problems = load_model(bytes(_blob.data_stream.read()), path, ScoreSheet)
        findings.extend(problems)
        if sheet is None or doc is None:
            continue
        if sheet.reviewer != name.stem:
            findings.append(
                doc.finding(
                    C.SHEET_NAME_MISMATCH, ("reviewer",), sheet=path, reviewer=sheet.reviewer
                )
            )
            continue
        if today is not None and _after(sheet.reviewed_on, today):
            findings.append(
                doc.finding(
                    C.SHEET_FUTURE,
                    ("reviewed_on",),
                    sheet=path,
                    reviewed_on=sheet.reviewed_on,
                    today=today.isoformat(),
                )
            )
            continue
        candidates.append((path, sheet, doc))

    lasts = last_changes(repo, head, [path for path, _, _ in candidates])
    shas = sorted(set(lasts.values()))
    verdicts = {v.sha: v for v in verify_commits(repo, shas, roster)} if shas else {}

    signoffs: list[SignOff] = []
    for path, sheet, doc in candidates:
        last = lasts.get(path)
        if last is None:  # pragma: no cover - a file at head was changed by some commit
            continue
        verdict = verdicts[last]
        if (problem := _signature_problem(verdict, path)) is not None:
            findings.append(problem)
            continue
        assert verdict.member is not None
        signer = verdict.member.id
        if signer != sheet.reviewer:
            findings.append(_wrong_signer(repo, head, path, sheet.reviewer, signer, last, roster))
            continue
        others = [p for p in touched_paths(repo, last) if p != path]
        if others:
            findings.append(
                C.SHEET_COMMIT_NOT_ALONE.at(
                    path, sha=_short(last), sheet=path, others=", ".join(others)
                )
            )
            continue
        if signed_blob(repo, head, last, path) != blob_sha(head, path):
            findings.append(
                C.SHEET_NOT_FROM_COMMIT.at(
                    path, sheet=path, head=_short(head.hexsha), sha=_short(last)
                )
            )
            continue
        signoffs.append(SignOff(verdict.member, sheet, Channel.COMMIT, last, path, doc))
    return signoffs, findings


def _after(day: str, today: date) -> bool:
    try:
        return date.fromisoformat(day) > today
    except ValueError:  # pragma: no cover - the model checks the date
        return False


def _wrong_signer(
    repo: Repo, head: Commit, path: str, reviewer: str, signer: str, last: str, roster: Roster
) -> Finding:
    """Signed by another member: did the named reviewer sign this sheet earlier?"""
    earlier = [sha for sha in changes_of(repo, head, path) if sha != last]
    if earlier and any(
        v.accepted and v.member is not None and v.member.id == reviewer
        for v in verify_commits(repo, earlier, roster)
    ):
        return C.SHEET_EDITED_BY_OTHER.at(
            path, sheet=path, reviewer=reviewer, signer=signer, sha=_short(last)
        )
    return C.SIGNER_NOT_REVIEWER.at(
        path, sheet=path, reviewer=reviewer, signer=signer, sha=_short(last)
    )
