"""Topics reopened to other applicants (R21): what expired applications had asked for.

When the tracking period ends without outputs and the data management committee records the
expiry, the datasets and disease selection of that application are open again: `validate`'s
duplicate-topic check must not hold them against a new application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from git import Commit, Repo

from cohortgate.gitread.folders import application_folders
from cohortgate.gitread.read import files_under
from cohortgate.layout import EVENTS, Layout
from cohortgate.lifecycle.history import (
    Lifecycle,
    lifecycles,
    signed_decision_judge,
    trusted_signers,
)


@dataclass(frozen=True)
class Topic:
    application: str
    datasets: tuple[str, ...]
    diseases: tuple[str, ...]  # Orphanet codes of the inclusion criteria
    expired_on: str  # ISO date of the expiry event


def reopened_topics(lifecycles: list[Lifecycle]) -> list[Topic]:
    """The topics of the applications whose expiry is recorded (closed later or not)."""
    topics: list[Topic] = []
    for life in lifecycles:
        r = life.replay
        if life.app is None or r.expiry is None:
            continue
        topics.append(
            Topic(
                application=life.application,
                datasets=tuple(sorted({d.dataset for d in life.app.datasets})),
                diseases=tuple(sorted(set(life.app.selection.inclusion.diseases))),
                expired_on=r.expiry.event.at,
            )
        )
    return sorted(topics, key=lambda t: t.application)


def reopened_topics_at(repo: Repo, lay: Layout, commit: Commit, today: date) -> list[Topic]:
    """``reopened_topics`` of the applications at ``commit`` (trusted: roster and keys from the
    same commit), judging decisions by their chair's signature (``signed_decision_judge``), which
    is enough here and costs no review per application."""
    who, _findings = trusted_signers(commit)
    if who is None:
        return []
    judge = signed_decision_judge(repo, commit, who.roster, today)
    # Only an application with events can have expired: the others cost nothing here.
    folders = [f for f in application_folders(commit) if files_under(commit, f"{f}/{EVENTS}")]
    if not folders:
        return []
    found = lifecycles(
        repo, lay, base=commit, head=commit, today=today, judge=judge, folders=folders
    )
    return reopened_topics(found.lifecycles)
