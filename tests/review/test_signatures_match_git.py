"""The in-process verdict (``signatures.verify``) is git's verdict (``signatures.git``),
on every kind of commit a review meets: good, unsigned, unknown key, outside the term window by
one second either side (in two time zones), changed after signing, signed in another namespace,
a broken armour, an OpenPGP signature, a signature of the other hash's header only."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from git import Repo
from git.exc import GitCommandError

from cohortgate.models.roster import Roster
from cohortgate.signatures.git import git_verify_commits
from cohortgate.signatures.payloads import split_commit
from cohortgate.signatures.verify import Status, Verdict, verify_commits
from signing import Commit, Key

SHEET = "reviews/A-2026-0007/alice.yaml"


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """ssh-keygen reads valid-after/valid-before as local midnight: both sides must agree in
    any zone, so run each case in two."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def local(year: int, month: int, day: int, shift: int = 0) -> str:
    """A git date at local midnight of the day, ``shift`` seconds after."""
    return f"{int(datetime(year, month, day).timestamp()) + shift} +0000"


def raw_of(repo: Repo, sha: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "commit", sha], cwd=repo.working_dir, capture_output=True, check=True
    ).stdout


def write_commit(repo: Repo, raw: bytes) -> str:
    """A commit object written as is (what a forger can push)."""
    return (
        subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
            cwd=repo.working_dir,
            input=raw,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )


def with_signature(raw_unsigned: bytes, armour: bytes, header: bytes = b"gpgsig") -> bytes:
    """The commit with ``armour`` as its signature header, laid out as git lays it out."""
    headers, _, message = raw_unsigned.partition(b"\n\n")
    lines = armour.rstrip(b"\n").split(b"\n")
    block = header + b" " + lines[0] + b"".join(b"\n " + line for line in lines[1:])
    return headers + b"\n" + block + b"\n\n" + message


def ssh_sign(key: Key, payload: bytes, namespace: str = "git") -> bytes:
    private = key.public_path.with_suffix("")
    return subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f", str(private)],
        input=payload,
        capture_output=True,
        check=True,
    ).stdout


def fields(v: Verdict) -> tuple[str, str | None, str | None, str | None, str | None]:
    return (v.status.value, v.principal, v.fingerprint, v.trust, v.member and v.member.id)


def same_as_git(repo: Repo, shas: list[str], roster: Roster) -> list[Verdict]:
    ours = verify_commits(repo, shas, roster)
    theirs = git_verify_commits(repo, shas, roster)
    assert [fields(v) for v in ours] == [fields(v) for v in theirs], [fields(v) for v in theirs]
    assert [v.accepted for v in ours] == [v.accepted for v in theirs]
    return ours


def test_ordinary_commits(repo: Repo, commit: Commit, roster: Roster, zone: str) -> None:
    shas = [
        commit({SHEET: "1\n"}, signer="alice"),
        commit({SHEET: "2\n"}),
        commit({SHEET: "3\n"}, signer="mallory"),
        commit({SHEET: "4\n"}, signer="bob", email="alice@damc.example"),
        commit({SHEET: "5\n"}, signer="mallory", email="alice@damc.example"),
    ]
    verdicts = same_as_git(repo, shas, roster)
    assert [v.status for v in verdicts] == [
        Status.GOOD,
        Status.NONE,
        Status.UNKNOWN,
        Status.GOOD,
        Status.UNKNOWN,
    ]


def test_term_window_to_the_second(repo: Repo, commit: Commit, roster: Roster, zone: str) -> None:
    # carol: valid-after 2025-01-01, valid-before 2026-01-01 (local midnights, both included)
    shas = [
        commit({SHEET: "a\n"}, signer="carol", when=local(2025, 1, 1, -1)),
        commit({SHEET: "b\n"}, signer="carol", when=local(2025, 1, 1)),
        commit({SHEET: "c\n"}, signer="carol", when=local(2026, 1, 1)),
        commit({SHEET: "d\n"}, signer="carol", when=local(2026, 1, 1, 1)),
    ]
    verdicts = same_as_git(repo, shas, roster)
    assert [v.status for v in verdicts] == [
        Status.UNKNOWN,
        Status.GOOD,
        Status.GOOD,
        Status.UNKNOWN,
    ]


def test_forged_and_broken_signatures(
    repo: Repo, commit: Commit, roster: Roster, keys: dict[str, Key]
) -> None:
    signed = raw_of(repo, commit({SHEET: "x\n"}, signer="alice"))
    unsigned = raw_of(repo, commit({SHEET: "y\n"}))
    changed = signed.replace(b"signed by alice", b"signed by alice, then changed")
    armour = ssh_sign(keys["alice"], unsigned)
    other_namespace = ssh_sign(keys["alice"], unsigned, namespace="file")
    broken = armour.replace(armour.split(b"\n")[2], b"A" * 70)
    pgp = b"-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n"
    shas = [
        write_commit(repo, changed),
        write_commit(repo, with_signature(unsigned, armour)),
        write_commit(repo, with_signature(unsigned, other_namespace)),
        write_commit(repo, with_signature(unsigned, armour, header=b"gpgsig-sha256")),
    ]
    verdicts = same_as_git(repo, shas, roster)
    assert [v.status for v in verdicts] == [
        Status.BAD,
        Status.GOOD,  # signed outside git, laid out as git lays it out: the same signature
        Status.BAD,
        Status.NONE,  # only the other hash's header: this repository sees no signature
    ]
    # A broken armour: ssh-keygen gives up before reading the message, and git, still writing
    # it to the closed pipe, may die of SIGPIPE (git 2.39): ask git alone until it answers.
    (broken_sha,) = [write_commit(repo, with_signature(unsigned, broken))]
    (ours,) = verify_commits(repo, [broken_sha], roster)
    assert ours.status is Status.BAD and not ours.accepted
    for _attempt in range(20):
        try:
            (theirs,) = git_verify_commits(repo, [broken_sha], roster)
        except GitCommandError as error:
            assert error.status == -signal.SIGPIPE
            continue
        assert fields(theirs) == fields(ours)
        break
    # OpenPGP: git hands it to gpg, never to ssh-keygen; neither side accepts it.
    (ours,) = verify_commits(repo, [write_commit(repo, with_signature(unsigned, pgp))], roster)
    assert ours.status is Status.CANNOT_CHECK and not ours.accepted


def test_split_keeps_the_payload_git_signed(
    repo: Repo, commit: Commit, keys: dict[str, Key]
) -> None:
    sha = commit({SHEET: "z\n"}, signer="bob")
    signed = split_commit(sha, raw_of(repo, sha))
    assert signed.signature is not None and b"gpgsig" not in signed.payload
    # ssh-keygen itself accepts the split: the payload is exactly what was signed
    principal = "bob@damc.example"
    allowed = keys["bob"].public_path.parent / "bob.allowed"
    allowed.write_text(f"{principal} {keys['bob'].line}\n", "ascii")
    signature = keys["bob"].public_path.parent / "bob.sig"
    signature.write_bytes(signed.signature)
    verify = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", principal, "-n", "git"]
    checked = subprocess.run(
        [*verify, "-s", str(signature)],
        input=signed.payload,
        capture_output=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert signed.committed_at == int(repo.commit(sha).committed_date)


def test_a_revision_that_is_not_a_commit_is_refused(
    repo: Repo, commit: Commit, roster: Roster
) -> None:
    commit({SHEET: "t\n"})
    tree = repo.head.commit.tree.hexsha
    with pytest.raises(ValueError, match="is not a commit"):
        verify_commits(repo, [tree], roster)
    with pytest.raises(ValueError, match="is not a commit"):
        verify_commits(repo, ["0" * 40], roster)
