"""The release keys: the three secrets of one release (pseudonym, date-shift and watermark
key), 32 random bytes each, never printed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

KEY_BYTES = 32
_KEY_NAMES = ("pseudonym_key", "date_shift_key", "watermark_key")


@dataclass(frozen=True, repr=False)
class ReleaseKeys:
    """The three secrets of one release, 32 random bytes each."""

    pseudonym_key: bytes
    date_shift_key: bytes
    watermark_key: bytes

    def __repr__(self) -> str:  # never print a key by accident
        return "ReleaseKeys(<secret>)"

    @classmethod
    def generate(cls) -> ReleaseKeys:
        return cls(*(secrets.token_bytes(KEY_BYTES) for _ in _KEY_NAMES))
