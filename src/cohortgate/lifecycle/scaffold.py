"""The event file a member or an applicant signs, written with its digests filled in."""

from __future__ import annotations

from typing import Any

import yaml

from cohortgate.models.lifecycle import ROLE_OF, Event, Role


def event_text(data: dict[str, Any]) -> str:
    """The YAML of one event; raises pydantic's ValidationError when it would not load."""
    event = Event.model_validate(data)
    signer = (
        "your key in rubric/applicants.yaml"
        if ROLE_OF[event.kind] is Role.APPLICANT
        else ("your roster key")
    )
    header = (
        f"# 事件 / Event — {event.application}: {event.kind}, {event.at}\n"
        "# 'attachments' binds the exact files in events/ (SHA-256): do not edit it.\n"
        f"# Commit this file alone, signed with {signer}:\n"
        "#   git add <this file> && git commit -S -m 'event'\n"
    )
    dumped = {k: v for k, v in data.items() if v not in (None, {}, [])}
    return header + yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False, width=100)
