"""The allowed-signers file, generated from the roster (R1, R13).

One line per member, in the OpenSSH ``ALLOWED SIGNERS`` format (``ssh-keygen(1)``)::

    zhang.wei@damc.example namespaces="git",valid-after="20250101",valid-before="20280101" \
ssh-ed25519 AAAA…

Options are comma-separated with no space: a single malformed line makes ssh-keygen print
``invalid key`` for every lookup and turns every verdict, good ones included, into ``U``. So every
key is checked before the file is written (decoded here, then parsed by ``ssh-keygen -l``), and a
bad key refuses the whole file with an error naming the member.

``valid-after`` is the first day of the term; ``valid-before`` is the day after its last day (the
term is inclusive). git checks them against the committer date, which the signer sets: the window
is rotation hygiene, not a security boundary.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cohortgate.files.atomic import write_text
from cohortgate.findings.codes import Both
from cohortgate.models.roster import Member, Roster

KEY_TYPE = "ssh-ed25519"
ED25519_KEY_BYTES = 32
NAMESPACE = "git"  # git signs with `ssh-keygen -Y sign -n git`


@dataclass(frozen=True)
class PublicKey:
    """A decoded OpenSSH public key."""

    key_type: str
    blob: bytes

    @property
    def openssh(self) -> str:
        """``type base64`` without the comment, as it goes into the allowed-signers file."""
        return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"

    @property
    def fingerprint(self) -> str:
        """``SHA256:…``, as ``ssh-keygen -l`` and git's ``%GF`` print it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")


@dataclass(frozen=True)
class KeyProblem:
    """One member whose key cannot go into the allowed-signers file."""

    member: str
    reason: Both


class BadKey(ValueError):
    """Why a key is refused, in both languages (``str()`` is the English)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.why = Both(zh=zh, en=en)


class RosterKeyError(ValueError):
    """The roster holds a key that would break the allowed-signers file (every verdict 'U')."""

    code = "review.roster-bad-key"
    hint = (
        "在名册中换成成员的有效 ssh-ed25519 公钥（ssh-keygen -y -f 私钥 可重新导出）/ "
        "Replace it in rubric/roster.yaml with the member's valid ssh-ed25519 public key "
        "(`ssh-keygen -y -f <private key>` prints it again)"
    )

    def __init__(self, problems: list[KeyProblem]) -> None:
        self.problems = tuple(problems)
        lines = "; ".join(f"member {p.member!r}: {p.reason.en}" for p in self.problems)
        super().__init__(f"{self.code}: the roster holds unusable SSH keys (R13): {lines}")


def _truncated() -> BadKey:
    return BadKey("密钥数据不完整", "the key data is truncated")


def _other_fingerprint() -> BadKey:
    return BadKey("ssh-keygen 算出的指纹与此不同", "ssh-keygen computes another fingerprint")


def _read_string(data: bytes, offset: int) -> tuple[bytes, int]:
    """One SSH wire-format string (uint32 length, then bytes)."""
    if offset + 4 > len(data):
        raise _truncated()
    length = int.from_bytes(data[offset : offset + 4], "big")
    end = offset + 4 + length
    if end > len(data):
        raise _truncated()
    return data[offset + 4 : end], end


def parse_public_key(line: str) -> PublicKey:
    """Decode an ``ssh-ed25519 AAAA… [comment]`` line; ValueError says what is wrong."""
    fields = line.split()
    if len(fields) < 2:
        form = "'ssh-ed25519 <base64> [comment]'"
        raise BadKey(f"应为 {form} 格式", f"expected {form}")
    key_type, encoded = fields[0], fields[1]
    if key_type != KEY_TYPE:
        raise BadKey(
            f"密钥类型 {key_type!r} 不是 {KEY_TYPE}", f"key type {key_type!r} is not {KEY_TYPE}"
        )
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise BadKey(
            f"密钥不是有效的 base64（{error}）", f"the key is not valid base64 ({error})"
        ) from None
    inner_type, offset = _read_string(blob, 0)
    if inner_type != KEY_TYPE.encode("ascii"):
        raise BadKey(
            f"密钥数据写的是 {inner_type!r}，不是 {KEY_TYPE}",
            f"the key data says {inner_type!r}, not {KEY_TYPE}",
        )
    key, offset = _read_string(blob, offset)
    if len(key) != ED25519_KEY_BYTES or offset != len(blob):
        raise BadKey(
            "密钥数据不是 32 字节的 ed25519 密钥", "the key data is not a 32-byte ed25519 key"
        )
    return PublicKey(key_type, blob)


def ssh_keygen_fingerprint(key: PublicKey) -> str:
    """Let ``ssh-keygen -l`` parse the key (what git will use); ValueError if it refuses."""
    with tempfile.TemporaryDirectory(prefix="cohortgate-key-") as tmp:
        path = Path(tmp) / "key.pub"
        write_text(path, key.openssh + "\n")
        result = subprocess.run(
            ["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    fields = result.stdout.split()
    if result.returncode != 0 or len(fields) < 2:
        said = result.stderr.strip()
        raise BadKey(
            f"ssh-keygen 拒绝该密钥：{said or '没有输出'}",
            f"ssh-keygen refuses the key: {said or 'no output'}",
        )
    return fields[1]


def check_member_key(member: Member, *, use_ssh_keygen: bool = True) -> PublicKey:
    """The member's key, decoded and cross-checked; raises RosterKeyError naming the member."""
    try:
        key = parse_public_key(member.ssh_key)
        if use_ssh_keygen and ssh_keygen_fingerprint(key) != key.fingerprint:
            raise _other_fingerprint()
    except ValueError as error:
        why = error.why if isinstance(error, BadKey) else Both(zh=str(error), en=str(error))
        raise RosterKeyError([KeyProblem(member.id, why)]) from None
    return key


def signer_window(member: Member) -> tuple[date, date]:
    """(valid-after, valid-before) of the member's key: the first day of the term and the day
    after its last day. ssh-keygen reads these days as local midnight."""
    return date.fromisoformat(member.term_start), date.fromisoformat(member.term_end) + timedelta(
        days=1
    )


def signer_line(member: Member, key: PublicKey) -> str:
    """The allowed-signers line of one member (options comma-separated, no spaces)."""
    after, before = (day.strftime("%Y%m%d") for day in signer_window(member))
    options = f'namespaces="{NAMESPACE}",valid-after="{after}",valid-before="{before}"'
    return f"{member.principal} {options} {key.openssh}"


def _fingerprints_together(keys: dict[str, PublicKey]) -> dict[str, str] | None:
    """``ssh-keygen -l`` over every key at once (one process, not one per member); None when it
    refuses the file, so that the caller can find the culprit key by key."""
    with tempfile.TemporaryDirectory(prefix="cohortgate-keys-") as tmp:
        path = Path(tmp) / "keys.pub"
        write_text(path, "".join(key.openssh + "\n" for key in keys.values()))
        result = subprocess.run(
            ["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != len(keys):
        return None
    return {member: line.split()[1] for member, line in zip(keys, lines, strict=True)}


def member_keys(roster: Roster, *, use_ssh_keygen: bool = True) -> dict[str, PublicKey]:
    """Every member's decoded key by member id; one RosterKeyError lists every bad member."""
    keys: dict[str, PublicKey] = {}
    problems: list[KeyProblem] = []
    for member in roster.members:
        try:
            keys[member.id] = check_member_key(member, use_ssh_keygen=False)
        except RosterKeyError as error:
            problems.extend(error.problems)
    if use_ssh_keygen and not problems:
        together = _fingerprints_together(keys)
        for member in roster.members:
            if together is None:  # slow path: name the member whose key ssh-keygen refuses
                try:
                    check_member_key(member)
                except RosterKeyError as error:
                    problems.extend(error.problems)
            elif together[member.id] != keys[member.id].fingerprint:
                problems.append(KeyProblem(member.id, _other_fingerprint().why))
    if problems:
        raise RosterKeyError(problems)
    return keys


def allowed_signers(
    roster: Roster, *, use_ssh_keygen: bool = True, keys: dict[str, PublicKey] | None = None
) -> str:
    """The allowed-signers file text for the roster, one line per member, in roster order."""
    keys = keys if keys is not None else member_keys(roster, use_ssh_keygen=use_ssh_keygen)
    return "".join(signer_line(m, keys[m.id]) + "\n" for m in roster.members)
