"""The allowed-signers file generated from the roster, and its refusal of broken keys."""

from __future__ import annotations

import base64

import pytest
from review_keys import member, roster_data

from cohortgate.models.roster import Roster
from cohortgate.signatures.signers import (
    RosterKeyError,
    allowed_signers,
    parse_public_key,
    signer_line,
)
from signing import Key


def test_one_line_per_member_in_the_openssh_format(roster: Roster, keys: dict[str, Key]) -> None:
    lines = allowed_signers(roster).splitlines()
    key_type, blob = keys["carol"].line.split()[:2]
    assert lines[2] == (
        'carol@damc.example namespaces="git",valid-after="20250101",valid-before="20260101" '
        f"{key_type} {blob}"
    )
    assert [line.split()[0] for line in lines] == [m.principal for m in roster.members]
    # Options are comma-separated without spaces: one space-separated option spoils every line.
    assert all(len(line.split(" ")) == 4 for line in lines)


def test_signer_line_drops_the_comment(roster: Roster) -> None:
    alice = roster.members[0]
    line = signer_line(alice, parse_public_key(alice.ssh_key))
    assert not line.endswith("alice@test")


def _blob(keys: dict[str, Key]) -> bytes:
    return base64.b64decode(keys["bob"].line.split()[1])


def _key(blob: bytes) -> str:
    return "ssh-ed25519 " + base64.b64encode(blob).decode("ascii")


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda line, blob: line[:60], "base64|truncated"),
        (lambda line, blob: _key(blob[:-1]), "truncated"),
        (lambda line, blob: _key(blob + b"\0"), "32-byte"),
        (lambda line, blob: _key(blob.replace(b"ssh-ed25519", b"ssh-ed25518")), "ssh-ed25518"),
        (lambda line, blob: _key(b"\x00\x00\x00\xff" + blob[4:]), "truncated"),
    ],
)
def test_tampered_key_is_refused_naming_the_member(
    keys: dict[str, Key], tamper: object, reason: str
) -> None:
    data = roster_data(keys)
    bad = tamper(keys["bob"].line, _blob(keys))  # type: ignore[operator]
    data["members"][1] = member("bob", bad, expertise="legal")
    roster = Roster.model_validate(data)  # the pattern alone does not catch it
    with pytest.raises(RosterKeyError, match=rf"member 'bob': .*({reason})") as raised:
        allowed_signers(roster)
    assert [p.member for p in raised.value.problems] == ["bob"]
    assert raised.value.code == "review.roster-bad-key"


def test_every_bad_member_is_named_at_once(keys: dict[str, Key]) -> None:
    data = roster_data(keys)
    data["members"][0]["ssh_key"] = keys["alice"].line[:50]
    data["members"][2]["ssh_key"] = keys["carol"].line[:50]
    with pytest.raises(RosterKeyError) as raised:
        allowed_signers(Roster.model_validate(data))
    assert [p.member for p in raised.value.problems] == ["alice", "carol"]


def test_good_keys_pass_with_and_without_ssh_keygen(roster: Roster) -> None:
    assert allowed_signers(roster) == allowed_signers(roster, use_ssh_keygen=False)
