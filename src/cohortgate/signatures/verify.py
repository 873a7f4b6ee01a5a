"""Who signed a commit, judged exactly as git judges it (R13), in this process.

git, asked with the allowed-signers file generated from the trusted roster::

    git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=<file> log --format=%G?%x00%GS%x00%GF%x00%GT

runs ``ssh-keygen -Y find-principals`` and ``ssh-keygen -Y verify`` for every commit: two
processes, tens of milliseconds each, which over a history of ten thousand signed events is
minutes. The same verdict is computed here from the commit objects (``signatures.payloads``,
one ``git cat-file --batch``) with ``sshsig`` (the SSHSIG format of ssh-keygen, on
``cryptography``'s Ed25519):

- ``N``: no signature header;
- ``B``: the signature does not verify over the payload in the ``git`` namespace (content changed
  after signing, wrong namespace, malformed armour); no principal, no fingerprint, as git;
- ``G``: it verifies and the key is an allowed signer's whose window (``valid-after`` up to
  ``valid-before``, local midnights, as ssh-keygen reads them) holds the committer's timestamp;
  the principal and the key's fingerprint;
- ``U``: it verifies, but no allowed signer matches (unknown key, or outside its window): the
  fingerprint, no principal;
- ``E``: a signature that is not SSH (OpenPGP, X.509) or a key type sshsig cannot check.

``signatures.git`` asks git itself; tests hold the two to the same verdicts on every kind
of commit, and the review benchmark times this module against git. Only ``G`` counts, and only
when the principal is exactly a member's principal and the fingerprint is that member's key.
The author and committer e-mails are never used: anyone can set them.
"""

from __future__ import annotations

import hashlib
import time as stdtime
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

import sshsig
from git import Repo

from cohortgate.gitread.memory import memory_of, signatures_name
from cohortgate.models.roster import Member, Roster
from cohortgate.signatures.payloads import SignedPayload, signed_payloads
from cohortgate.signatures.signers import NAMESPACE, PublicKey, member_keys, signer_window

SSH_ARMOUR = b"-----BEGIN SSH SIGNATURE-----"


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


def verdict_of(
    sha: str,
    code: str,
    principal: str,
    fingerprint: str,
    trust: str,
    roster: Roster,
    fingerprints: dict[str, str],
) -> Verdict:
    """The verdict from git's four placeholders, mapped to the roster member (if any)."""
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


_KEYS: dict[tuple[tuple[str, str], ...], dict[str, PublicKey]] = {}


def roster_keys(roster: Roster) -> dict[str, PublicKey]:
    """``member_keys`` (one ``ssh-keygen -l`` over every key), remembered per set of keys for
    the process: a review asks for the same roster's keys once per application."""
    wanted = tuple((m.id, m.ssh_key) for m in roster.members)
    if wanted not in _KEYS:
        _KEYS[wanted] = member_keys(roster)
    return _KEYS[wanted]


@dataclass(frozen=True)
class _Signer:
    member: Member
    after: float  # valid-after, seconds since the epoch (local midnight)
    before: float  # valid-before, seconds since the epoch (local midnight)


def _signers(roster: Roster, keys: dict[str, PublicKey]) -> dict[str, _Signer]:
    """The allowed signers by ``ssh-ed25519 <base64>``: what the allowed-signers file says."""
    found: dict[str, _Signer] = {}
    for m in roster.members:
        after, before = (datetime.combine(day, time()).timestamp() for day in signer_window(m))
        found[keys[m.id].openssh] = _Signer(m, after, before)
    return found


Judged = tuple[Status, str, str, str]  # %G?, %GS, %GF, %GT
_CODES = {status.value for status in Status}
_JUDGED: dict[tuple[str, tuple[tuple[str, str, float, float], ...]], dict[str, tuple[str, Judged]]]
_JUDGED = {}


@dataclass(frozen=True)
class _Allowed:
    """The allowed signers of one roster, and what names them in the memories."""

    signers: dict[str, _Signer]
    fingerprints: dict[str, str]  # member id -> SHA256:… of the member's key
    key: tuple[tuple[str, str, float, float], ...]  # (key, principal, after, before), sorted
    digest: str  # of ``key``: the verdicts' prefix in the run memory


_ALLOWED: dict[tuple[object, ...], _Allowed] = {}


def _allowed(roster: Roster) -> _Allowed:
    """The allowed signers of ``roster``, computed once per process for the same members (and
    the same time zone: the windows are local midnights)."""
    members = (
        tuple((m.id, m.principal, m.ssh_key, m.term_start, m.term_end) for m in roster.members),
        stdtime.tzname,
        stdtime.timezone,
    )
    if members not in _ALLOWED:
        keys = roster_keys(roster)
        signers = _signers(roster, keys)
        key = tuple(sorted((k, s.member.principal, s.after, s.before) for k, s in signers.items()))
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        fingerprints = {mid: public.fingerprint for mid, public in keys.items()}
        _ALLOWED[members] = _Allowed(signers, fingerprints, key, digest)
    return _ALLOWED[members]


def judge(signed: SignedPayload, signers: dict[str, _Signer]) -> Judged:
    """(``%G?``, ``%GS``, ``%GF``, ``%GT``) of one commit, as git prints them."""
    if signed.signature is None:
        return Status.NONE, "", "", "undefined"
    if not signed.signature.lstrip().startswith(SSH_ARMOUR):
        return Status.CANNOT_CHECK, "", "", "undefined"
    try:
        key = sshsig.check_signature(signed.payload, signed.signature, NAMESPACE)
    except sshsig.InvalidSignature:
        return Status.BAD, "", "", "never"
    except NotImplementedError:
        return Status.CANNOT_CHECK, "", "", "undefined"
    fingerprint = key.sha256_str()
    signer = signers.get(key.openssh_str())
    if signer is None or not signer.after <= signed.committed_at <= signer.before:
        return Status.UNKNOWN, "", fingerprint, "undefined"
    return Status.GOOD, signer.member.principal, fingerprint, "fully"


def verify_commits(repo: Repo, shas: Iterable[str], roster: Roster) -> list[Verdict]:
    """Verdicts for several commits, against the allowed signers made from ``roster``.

    ``roster`` must come from the trusted base branch, never from the change under review.
    Raises RosterKeyError (naming the member) if a roster key would spoil the allowed-signers
    file, and ValueError for a revision that is not a commit.
    """
    allowed = _allowed(roster)
    wanted = list(shas)
    # A commit's verdict depends on its bytes (named by its id) and the allowed signers alone:
    # remembered for the process, so the reviews and the credit record of one run check each
    # signature once. Revisions that are not commit ids ("HEAD") are never remembered.
    known = _JUDGED.setdefault((str(repo.working_dir), allowed.key), {})
    missing = [rev for rev in dict.fromkeys(wanted) if rev not in known]
    memory = memory_of(str(repo.working_dir))
    record = memory.record(signatures_name()) if memory is not None and missing else None
    prefix = allowed.digest + ":"
    if record is not None:  # verdicts of earlier runs (``gitread.memory``)
        for rev in missing:
            stored = record.get(prefix + rev)
            if isinstance(stored, list) and len(stored) == 4 and stored[0] in _CODES:
                known[rev] = (rev, (Status(stored[0]), stored[1], stored[2], stored[3]))
        missing = [rev for rev in missing if rev not in known]
    fresh: dict[str, tuple[str, Judged]] = {}
    for rev, signed in zip(missing, signed_payloads(repo, missing) if missing else [], strict=True):
        fresh[rev] = (signed.sha, judge(signed, allowed.signers))
        if rev == signed.sha:
            known[rev] = fresh[rev]
            if record is not None:
                status, principal, fingerprint, trust = fresh[rev][1]
                record.put(prefix + rev, [status.value, principal, fingerprint, trust])
    verdicts = []
    for rev in wanted:
        sha, judged = known.get(rev) or fresh[rev]
        verdicts.append(verdict_of(sha, *judged, roster, allowed.fingerprints))
    return verdicts


def verify_commit(repo: Repo, sha: str, roster: Roster) -> Verdict:
    """The verdict on one commit's signature (see ``verify_commits``)."""
    return verify_commits(repo, [sha], roster)[0]
