"""Helpers of the review tests: keys, roster records."""

from __future__ import annotations

from typing import Any

from signing import Key

PEOPLE = ("alice", "bob", "carol", "mallory", "dave", "erin", "frank", "grace", "heidi")
# mallory is never in the roster


def member(name: str, key: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": name,
        "name": name.title(),
        "committee": "academic",
        "expertise": "medical",
        "institution": "shch",
        "term_start": "2025-01-01",
        "term_end": "2027-12-31",
        "github": f"gh-{name}",
        "ssh_key": key,
        "principal": f"{name}@damc.example",
    }
    record.update(overrides)
    return record


def roster_data(keys: dict[str, Key]) -> dict[str, Any]:
    """alice (medical) and bob (legal) serve 2025–2027; carol's term ended on 2025-12-31."""
    return {
        "members": [
            member("alice", keys["alice"].line),
            member("bob", keys["bob"].line, expertise="legal"),
            member("carol", keys["carol"].line, expertise="ethics", term_end="2025-12-31"),
        ],
        "chairs": [{"committee": "academic", "member": "alice"}],
        "quorum": {
            "committees": [{"committee": "academic", "min_members": 2}],
            "levels": [{"level": "L2", "expertise": ["ethics", "legal"]}],
        },
    }
