"""What a commit's signature covers: the commit object without its signature header.

git signs a commit object with the signature header left out and stores the signature in that
header (``gpgsig``; ``gpgsig-sha256`` in repositories of the other hash), one line of the
armour per line, continuation lines starting with one space. The header block ends at the
first empty line; the message after it is never a header. git checks the key's validity window
at the committer's timestamp (``ssh-keygen -Y verify -Overify-time``), so it is kept here too.

Commits are read in bulk by ONE ``git cat-file --batch`` (``gitread.batch_objects``); a few
through GitPython's running ``cat-file`` process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from git import Repo

from cohortgate.gitread.read import batch_objects

SIGNATURE_HEADERS = (b"gpgsig", b"gpgsig-sha256")


@dataclass(frozen=True)
class SignedPayload:
    sha: str
    payload: bytes  # the commit object as it was signed (no signature header)
    signature: bytes | None  # the armoured signature; None when the commit is unsigned
    committed_at: int  # the committer's timestamp (seconds since the epoch)


def _committer_time(line: bytes) -> int:
    """``committer Name <mail> 1759309200 +0800`` -> 1759309200 (0 when unreadable)."""
    fields = line.rpartition(b">")[2].split()
    try:
        return int(fields[0])
    except (IndexError, ValueError):
        return 0


def split_commit(sha: str, raw: bytes) -> SignedPayload:
    """The signed payload, the signature and the committer's time of one raw commit object."""
    headers, blank, message = raw.partition(b"\n\n")
    payload: list[bytes] = []
    signature: list[bytes] = []
    other: list[bytes] = []  # the other hash's signature: not ours to check, not signed either
    current: list[bytes] | None = None  # the signature header being read, if any
    committed_at = 0
    for line in headers.split(b"\n"):
        if current is not None and line.startswith(b" "):
            current.append(line[1:])
            continue
        name, _, value = line.partition(b" ")
        current = signature if name == SIGNATURE_HEADERS[0] else None
        if name == SIGNATURE_HEADERS[1]:
            current = other
        if current is not None:
            current.append(value)
            continue
        if name == b"committer":
            committed_at = _committer_time(line)
        payload.append(line)
    return SignedPayload(
        sha=sha,
        payload=b"\n".join(payload) + blank + message,
        signature=b"\n".join(signature) + b"\n" if signature else None,
        committed_at=committed_at,
    )


FEW = 32  # up to this many commits: GitPython's running ``cat-file``; more: one batch process


def _raw_objects(repo: Repo, revisions: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
    """{revision: (type, object id, content)}, revisions naming nothing left out."""
    if len(revisions) > FEW:
        return batch_objects(str(repo.working_dir), revisions)
    found: dict[str, tuple[str, str, bytes]] = {}
    for revision in revisions:
        try:
            sha, kind, _size, raw = repo.git.get_object_data(revision)
        except ValueError:  # "could not be resolved"
            continue
        found[revision] = (_text(kind), _text(sha), raw)
    return found


def _text(value: str | bytes) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else value


def signed_payloads(repo: Repo, revisions: Sequence[str]) -> list[SignedPayload]:
    """The signed payload of each commit, in the order asked; ValueError names a revision that
    is not a commit."""
    found = _raw_objects(repo, revisions)
    payloads: list[SignedPayload] = []
    for revision in revisions:
        kind, sha, raw = found.get(revision, ("missing", "", b""))
        if kind != "commit":
            raise ValueError(f"{revision!r} is not a commit of this repository ({kind})")
        payloads.append(split_commit(sha, raw))
    return payloads
