"""What ``cohortgate track`` and ``cohortgate event`` do."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cohortgate.files.atomic import write_text
from cohortgate.findings import Finding, has_errors
from cohortgate.layout import layout
from cohortgate.lifecycle.track import TrackReport


class CommandError(Exception):
    """The command cannot run: a message for stderr and an exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def parse_day(text: str | None, option: str = "--today") -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} '{text}' is not a date; write YYYY-MM-DD") from None


def _message(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return f"{finding.file}: {finding.message}{hint}"


def track_report(root: Path | None, base: str, head: str, today: date) -> TrackReport:
    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
    from cohortgate.lifecycle.reviewed import lifecycles
    from cohortgate.lifecycle.track import track

    lay = layout(root)
    try:
        repo = open_repo(lay.root)
        base_commit, head_commit = commit_of(repo, base), commit_of(repo, head)
    except ReviewInputError as exc:
        raise CommandError(_message(exc.finding)) from None
    found = lifecycles(repo, lay, base=base_commit, head=head_commit, today=today)
    if not found.lifecycles and has_errors(found.findings):
        raise CommandError(_message(found.findings[0]))
    return track(found.lifecycles, found.findings, today)


@dataclass(frozen=True)
class EventRequest:
    submission: str
    kind: str
    by: str
    today: str | None
    reasons: str | None
    new_end: str | None
    release: str | None
    citation: str | None
    attach: list[str]
    person: str | None
    institution: str | None
    review_on: str | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> EventRequest:
        return cls(
            args.submission,
            args.kind,
            args.by,
            args.today,
            args.reasons,
            args.new_end,
            args.release,
            args.citation,
            list(args.attach),
            args.person,
            args.institution,
            args.review_on,
        )


def write_event(root: Path | None, request: EventRequest) -> str:
    """Write ``events/<day>-<kind>[-n].yaml``; the digests of the attachments come from HEAD."""
    from pydantic import ValidationError

    from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo, read_blob, sha256
    from cohortgate.layout import EVENTS, application_folder
    from cohortgate.lifecycle.scaffold import event_text

    lay = layout(root)
    try:
        folder = application_folder(lay, request.submission)
        repo = open_repo(lay.root)
        head = commit_of(repo, "HEAD")
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    except ReviewInputError as exc:
        raise CommandError(_message(exc.finding)) from None
    if read_blob(head, f"{folder}/application.yaml") is None:
        raise CommandError(f"{folder}/application.yaml is not committed at HEAD")
    day = parse_day(request.today)
    attachments: dict[str, str] = {}
    for name in request.attach:
        content = read_blob(head, f"{folder}/{EVENTS}/{name}")
        if content is None:
            raise CommandError(
                f"{folder}/{EVENTS}/{name} is not committed at HEAD: commit the attachment "
                "first, then write the event",
                1,
            )
        attachments[name] = sha256(content)
    data: dict[str, object] = {
        "kind": request.kind,
        "application": folder.rsplit("/", 1)[-1],
        "at": day.isoformat(),
        "by": request.by,
        "reasons": request.reasons,
        "new_end": request.new_end,
        "attachments": attachments,
        "release": request.release,
        "citation": request.citation,
    }
    if request.kind == "violation":
        data["blacklist"] = {
            key: value
            for key, value in {
                "person_email": request.person,
                "institution": request.institution,
                "reason": request.reasons,
                "listed_on": day.isoformat(),
                "review_on": request.review_on,
                "decided_by": [request.by],
            }.items()
            if value is not None
        }
    try:
        text = event_text(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise CommandError(f"the event would not load: {problems}", 1) from None
    base = f"{folder}/{EVENTS}/{day.isoformat()}-{request.kind}"
    path = f"{base}.yaml"
    number = 2
    while (lay.root / path).exists() or read_blob(head, path) is not None:
        path = f"{base}-{number}.yaml"
        number += 1
    write_text(lay.root / path, text)
    return path
