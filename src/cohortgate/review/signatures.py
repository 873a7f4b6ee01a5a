"""Who signed a commit, as git itself verifies it (R13).

git is asked, with the allowed-signers file generated from the trusted roster in a temp dir::

    git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=<abs path> \
        log -1 --format=%G?%x00%GS%x00%GF%x00%GT <sha>

Only ``G`` counts, and only when the principal git reports (``%GS``) is exactly a member's
principal and the key fingerprint (``%GF``) is that member's key. ``U`` covers keys not in the
file, keys outside their term window and an unreadable or malformed file alike; revoked keys show
as ``B``. The author and committer e-mails are never used: anyone can set them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from git import Repo

from cohortgate.atomic import write_text
from cohortgate.models.roster import Member, Roster
from cohortgate.review.signers import allowed_signers, member_keys

SIGNATURE_FORMAT = "%G?%x00%GS%x00%GF%x00%GT"


class Status(StrEnum):
    """git's ``%G?`` placeholder."""

    GOOD = "G"  # good signature from an allowed signer, inside its validity window
    BAD = "B"  # bad signature (content changed after signing, or key revoked)
    UNKNOWN = "U"  # good signature, but no allowed signer matched (unknown, expired, bad file)
    EXPIRED_SIGNATURE = "X"  # good signature that has expired (GnuPG)
    EXPIRED_KEY = "Y"  # good signature made by an expired key (GnuPG)
    REVOKED = "R"  # good signature made by a revoked key (GnuPG; SSH reports B)
    CANNOT_CHECK = "E"  # the signature cannot be checked (e.g. missing ssh-keygen)
    NONE = "N"  # unsigned


@dataclass(frozen=True)
class Verdict:
    """git's verdict on one commit's signature, with the roster member it maps to."""

    sha: str
    status: Status
    principal: str | None  # %GS: the allowed-signers principal, never the author e-mail
    fingerprint: str | None  # %GF: SHA256:… of the signing key
    trust: str | None  # %GT
    member: Member | None  # the member whose principal is exactly ``principal``
    key_matches: bool = False  # ``fingerprint`` is the member's roster key

    @property
    def accepted(self) -> bool:
        """A good signature by a roster member's own key; nothing else counts."""
        return self.status is Status.GOOD and self.member is not None and self.key_matches


def _parse(sha: str, output: str, roster: Roster, fingerprints: dict[str, str]) -> Verdict:
    fields = output.split("\x00")
    if len(fields) != 4:
        raise ValueError(f"unexpected output of git log for {sha}: {output!r}")
    code, principal, fingerprint, trust = (field.strip() for field in fields)
    try:
        status = Status(code)
    except ValueError:
        status = Status.CANNOT_CHECK
    member = roster.by_principal(principal) if principal else None
    return Verdict(
        sha=sha,
        status=status,
        principal=principal or None,
        fingerprint=fingerprint or None,
        trust=trust or None,
        member=member,
        key_matches=member is not None and fingerprints.get(member.id) == fingerprint,
    )


def verify_commits(repo: Repo, shas: Iterable[str], roster: Roster) -> list[Verdict]:
    """Verdicts for several commits, against one allowed-signers file made from ``roster``.

    ``roster`` must come from the trusted base branch, never from the change under review.
    Raises RosterKeyError (naming the member) if a roster key would spoil the file.
    """
    keys = member_keys(roster)
    text = allowed_signers(roster, keys=keys)
    fingerprints = {mid: key.fingerprint for mid, key in keys.items()}
    wanted = [repo.commit(sha).hexsha for sha in shas]
    if not wanted:
        return []
    with tempfile.TemporaryDirectory(prefix="cohortgate-signers-") as tmp:
        signers_file = Path(tmp).resolve() / "allowed_signers"
        write_text(signers_file, text)
        options = [
            "gpg.format=ssh",
            f"gpg.ssh.allowedSignersFile={signers_file}",
            "gpg.ssh.program=ssh-keygen",
            "log.showSignature=false",
        ]
        # One git process for every commit, in the order asked (no walk, no sorting).
        output = repo.git(c=options).log(
            "--no-walk=unsorted", f"--format=%H%x00{SIGNATURE_FORMAT}%x1e", *wanted
        )
    by_sha: dict[str, Verdict] = {}
    for record in output.split("\x1e"):
        record = record.strip("\n")
        if record:
            sha, _, rest = record.partition("\x00")
            by_sha[sha] = _parse(sha, rest, roster, fingerprints)
    return [by_sha[sha] for sha in wanted]


def verify_commit(repo: Repo, sha: str, roster: Roster) -> Verdict:
    """The verdict on one commit's signature (see ``verify_commits``)."""
    return verify_commits(repo, [sha], roster)[0]


def touched_paths(repo: Repo, sha: str) -> tuple[str, ...]:
    """Paths a commit adds, changes, deletes or renames (both names), against its first parent.

    A root commit is compared with the empty tree. Paths are repository-relative, POSIX, sorted.
    """
    commit = repo.commit(sha)
    if commit.parents:
        args = ["--no-renames", "--name-only", "-z", commit.parents[0].hexsha, commit.hexsha]
        output = repo.git.diff(*args)
    else:
        output = repo.git.diff_tree(
            "-r", "--root", "--no-commit-id", "--no-renames", "--name-only", "-z", commit.hexsha
        )
    return tuple(sorted({path for path in output.split("\x00") if path}))


def touches_only(repo: Repo, sha: str, path: str) -> bool:
    """True when the commit touches exactly ``path`` and nothing else (one sheet per commit)."""
    return touched_paths(repo, sha) == (path,)
