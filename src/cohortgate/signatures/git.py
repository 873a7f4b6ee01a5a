"""git's own verdict on commit signatures: the reference ``signatures.verify`` is held to.

git is asked, with the allowed-signers file generated from the trusted roster in a temp dir::

    git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=<abs path> \
        log --no-walk=unsorted --format=%H%x00%G?%x00%GS%x00%GF%x00%GT <sha>...

which runs ``ssh-keygen`` twice per commit. Tests compare the two on every kind of commit
(good, unknown key, outside the window, changed after signing, other namespace, unsigned); the
review benchmark times them against each other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from git import Repo

from cohortgate.files.atomic import write_text
from cohortgate.models.roster import Roster
from cohortgate.signatures.signers import allowed_signers
from cohortgate.signatures.verify import Verdict, roster_keys, verdict_of

SIGNATURE_FORMAT = "%G?%x00%GS%x00%GF%x00%GT"


def git_verify_commits(repo: Repo, shas: Iterable[str], roster: Roster) -> list[Verdict]:
    """git's verdicts for several commits, in the order asked, one ``git log`` process."""
    keys = roster_keys(roster)
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
        output = repo.git(c=options).log(
            "--no-walk=unsorted", f"--format=%H%x00{SIGNATURE_FORMAT}%x1e", *wanted
        )
    by_sha: dict[str, Verdict] = {}
    for record in output.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        fields = [field.strip() for field in record.split("\x00")]
        if len(fields) != 5:
            raise ValueError(f"unexpected output of git log: {record!r}")
        sha, code, principal, fingerprint, trust = fields
        by_sha[sha] = verdict_of(sha, code, principal, fingerprint, trust, roster, fingerprints)
    return [by_sha[sha] for sha in wanted]
