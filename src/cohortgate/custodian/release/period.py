"""The access period of an application, from its history, never from the day of a release
(R19, R20).

The period starts with the application's first release and lasts ``policy.TRACKING_MONTHS``;
only a signed extension moves its end (``lifecycle.machine`` replays the signed events, at most
``policy.MAX_EXTENSIONS``). The history is read at the commit the release is made from, with
decisions judged by their chair's signature (``lifecycle.history.signed_decision_judge``: the
approval itself was proven just before by ``verified.prove_approval``). A release manifest
that the custodian wrote but did not commit yet also counts: the earliest release known,
committed or on disk, starts the period, so a period cannot be restarted by leaving a
manifest out of git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.gitread.read import ReviewInputError, commit_of, open_repo
from cohortgate.layout import Layout
from cohortgate.lifecycle.history import lifecycles, signed_decision_judge, trusted_signers
from cohortgate.lifecycle.machine import add_months
from cohortgate.policy import TRACKING_MONTHS


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    first_release: bool  # no earlier release: this one starts the period
    extensions: int  # signed extensions granted


def access_period(lay: Layout, display: str, *, at: str, today: date, start: date) -> Period:
    """The access period for a release of the application at ``display`` made today; ``start``
    is the day a first release starts it (today, or ``--start``)."""
    earliest, end, extensions = _from_history(lay, display, at, today)
    on_disk = _manifest_starts(lay.root / display)
    known = [day for day in (earliest, *on_disk) if day is not None]
    if not known:
        return Period(start, add_months(start, TRACKING_MONTHS), True, 0)
    first = min(known)
    if end is None or extensions == 0:  # only a signed extension moves the end
        end = add_months(first, TRACKING_MONTHS)
    return Period(first, end, False, extensions)


def _from_history(
    lay: Layout, display: str, at: str, today: date
) -> tuple[date | None, date | None, int]:
    """(start, end, extensions) of the tracking period replayed from the signed history at
    ``at``; (None, None, 0) when no release is recorded there."""
    try:
        repo = open_repo(lay.root)
    except ReviewInputError:
        return None, None, 0
    with repo:
        try:
            commit = commit_of(repo, at)
        except ReviewInputError:
            return None, None, 0
        who, _findings = trusted_signers(commit)
        if who is None:
            return None, None, 0
        judge = signed_decision_judge(repo, commit, who.roster, today)
        found = lifecycles(
            repo, lay, base=commit, head=commit, today=today, judge=judge, folders=[display]
        )
    if not found.lifecycles:
        return None, None, 0
    replay = found.lifecycles[0].replay
    return replay.tracking_start, replay.end, replay.extensions


def _manifest_starts(folder: Path) -> list[date]:
    """The access_start of every release manifest in the folder's ``releases/``."""
    days: list[date] = []
    for path in sorted((folder / "releases").glob("*.yaml")):
        try:
            data = load_yaml_file(path).data
        except LoadError:
            continue
        value = data.get("access_start") if isinstance(data, dict) else None
        try:
            days.append(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return days
