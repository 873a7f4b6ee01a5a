"""The encrypted release package: a deterministic tar encrypted with age to one recipient.

The tar is reproducible (names sorted, mtime 0, uid/gid 0, mode 0600, no user names), so the
plaintext files' digests in the manifest describe exactly what was sealed; age (through the
``pyrage`` binding, X25519) encrypts it for the recipient's public key alone (R17, R18).
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyrage  # type: ignore[import-untyped]

from cohortgate.files import atomic

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _recipient(text: str) -> object:
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except pyrage.RecipientError as error:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ValueError(
            f"'{shown}' is not an age public key ({error}): expected 'age1…' as printed by "
            "`age-keygen -y` or `rage-keygen`"
        ) from None


def tar_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic, uncompressed tar of ``files`` (flat names only)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            if not _NAME.match(name):
                raise ValueError(f"'{name}' is not a plain file name (letters, digits, _ . -)")
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = 0
            info.mode = 0o600
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    return buffer.getvalue()


def package(files: Mapping[str, bytes], recipients: Sequence[str]) -> bytes:
    """The tar of ``files`` encrypted with age to every ``recipients`` key (``age1…``)."""
    if not recipients:
        raise ValueError("no recipient: expected at least one age public key 'age1…'")
    keys = [_recipient(r) for r in recipients]
    encrypted: bytes = pyrage.encrypt(tar_bytes(files), keys)
    return encrypted


def unpack(data: bytes, identity: str) -> dict[str, bytes]:
    """Decrypt with the recipient's secret key (``AGE-SECRET-KEY-1…``) and read the tar.

    Raises ``ValueError`` for a wrong key, a tampered package or a malformed tar.
    """
    try:
        key = pyrage.x25519.Identity.from_str(identity.strip())
    except pyrage.IdentityError as error:
        raise ValueError(f"not an age secret key ({error}): expected 'AGE-SECRET-KEY-1…'") from None
    try:
        plain: bytes = pyrage.decrypt(data, [key])
    except pyrage.DecryptError as error:
        raise ValueError(
            f"cannot decrypt the package ({error}): wrong key, or the file was altered"
        ) from None
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not _NAME.match(member.name):
                raise ValueError(f"unexpected entry '{member.name}' in the package")
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file always has contents
            out[member.name] = handle.read()
    return out


def write_package(path: Path, data: bytes) -> None:
    """Write the encrypted package atomically, readable by the owner only."""
    atomic.write_bytes(path, data, mode=0o600)
