"""The day the data management office received an application: its signed 'received' event.

Neither the form's 'submitted' nor a commit date dates a submission (the applicant writes the
one and sets the other). The office does, with ``events/<yyyy-mm-dd>-received.yaml`` committed
alone, signed with the roster key of a data management committee member (``ROLE_OF``), checked
here as every event is (``lifecycle.events``). ``cohortgate validate`` judges ethics approval
and funding on that day; the replay dates the form by it (``lifecycle.machine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from git import Commit, Repo

from cohortgate.findings import Finding
from cohortgate.lifecycle.events import (
    Signers,
    accepted_events,
    committed_events,
    event_index,
    verdicts_of,
)
from cohortgate.models.lifecycle import EventKind


@dataclass(frozen=True)
class Receipt:
    """A valid 'received' event: its day and its file (repository path)."""

    day: date
    path: str


def receipt(
    repo: Repo, head: Commit, folder: str, who: Signers, today: date
) -> tuple[Receipt | None, list[Finding]]:
    """The first valid 'received' event of ``folder`` at ``head``, and the findings on the
    'received' events refused (wrong signer, future date, ...)."""
    candidates, _others = committed_events(repo, head, folder, event_index(repo, head))
    mine = [c for c in candidates if c.event.kind is EventKind.RECEIVED]
    if not mine:
        return None, []
    filed, findings = accepted_events(
        head, folder, None, mine, verdicts_of(repo, mine, who), who, today
    )
    if not filed:
        return None, findings
    return Receipt(filed[0].event.day, filed[0].path), findings


def receipts(
    root: Path, folders: list[Path], today: date
) -> tuple[dict[Path, Receipt], list[Finding]]:
    """The receipts of ``folders`` (absolute) committed at HEAD of the repository at ``root``,
    signers from HEAD too (a local check: CI passes the pull request's creation day instead,
    ``validate --received``). Nothing outside a git repository."""
    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
    from cohortgate.lifecycle.history import trusted_signers

    try:
        repo = open_repo(root)
    except ReviewInputError:
        return {}, []
    found: dict[Path, Receipt] = {}
    findings: list[Finding] = []
    with repo:
        try:
            head = commit_of(repo, "HEAD")
        except ReviewInputError:
            return {}, []  # no commit yet
        who, _problems = trusted_signers(head)  # the roster's own findings are validate's
        if who is None:
            return {}, []
        top = Path(repo.working_tree_dir or root).resolve()
        for folder in folders:
            try:
                relative = folder.resolve().relative_to(top).as_posix()
            except ValueError:
                continue  # a draft outside the repository
            got, problems = receipt(repo, head, relative, who, today)
            findings += problems
            if got is not None:
                found[folder] = got
    return found, findings
