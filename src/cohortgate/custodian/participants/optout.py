"""The opt-out registry (R32): a participant withdraws their broad consent, and every later
release and statistics run leaves them out.

The registry lives in the vault (``Vault.record_optout`` / ``Vault.optouts``), not in the
cohort database, which is reloaded from the hospitals' systems. A withdrawal is recorded only
for a participant of the cohort who gave broad consent, dated today or earlier and within the
broad-consent window (``policy.WITHDRAWAL_WINDOW_YEARS`` from the broad consent date); anything
else is refused with a finding and nothing is written. The cohort is read through the engine
(``Engine.rows``), the one door to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.participants import codes as C
from cohortgate.custodian.participants.policy import WITHDRAWAL_WINDOW_YEARS
from cohortgate.custodian.vault.store import Vault
from cohortgate.findings import Finding

__all__ = [
    "Consent",
    "consent_of",
    "excluded_ids",
    "record_optout",
    "released_after_withdrawal",
    "window_of",
]


@dataclass(frozen=True)
class Consent:
    """One participant's row of the cohort's consent table."""

    patient_id: str
    broad_consent_date: date | None
    withdrawal_date: date | None


def consent_of(cohort: Path, patient_id: str, display: str) -> Consent | None:
    """The participant's consent row, or None when the cohort does not hold them (a patient
    without a consent row counts as absent: the engine never extracts them)."""
    with Engine.open(cohort, read_only=True, display=display) as engine:
        for pid, consented, withdrawn in engine.rows(
            "consent", ("patient_id", "broad_consent_date", "withdrawal_date")
        ):
            if pid == patient_id:
                return Consent(pid, consented, withdrawn)
    return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


def window_of(broad_consent_date: date) -> tuple[date, date]:
    """The days on which a withdrawal may be recorded, both inclusive."""
    return broad_consent_date, _add_years(broad_consent_date, WITHDRAWAL_WINDOW_YEARS)


def refusals(
    consent: Consent | None, patient_id: str, on: date, today: date, where: str
) -> list[Finding]:
    """Why the withdrawal may not be recorded ([] when it may)."""
    if consent is None:
        return [C.UNKNOWN_PATIENT.at(where, patient=patient_id, cohort=where)]
    if consent.broad_consent_date is None:
        return [C.NO_BROAD_CONSENT.at(where, patient=patient_id)]
    if on > today:
        return [C.FUTURE_DATE.at(where, on=on.isoformat(), today=today.isoformat())]
    start, end = window_of(consent.broad_consent_date)
    if not start <= on <= end:
        return [
            C.OUTSIDE_WINDOW.at(
                where,
                patient=patient_id,
                on=on.isoformat(),
                start=start.isoformat(),
                end=end.isoformat(),
            )
        ]
    return []


def record_optout(
    vault: Vault,
    cohort: Path,
    patient_id: str,
    on: date,
    reason: str | None,
    today: date,
    display: str,
) -> list[Finding]:
    """Check the withdrawal against the cohort and record it in the vault; the findings say
    why it was refused (then nothing is written)."""
    recorded = vault.optouts()
    if patient_id in recorded:
        return [
            C.ALREADY_OPTED_OUT.at(display, patient=patient_id, on=recorded[patient_id].isoformat())
        ]
    found = refusals(consent_of(cohort, patient_id, display), patient_id, on, today, display)
    if found:
        return found
    vault.record_optout(patient_id, on, reason)
    return []


def excluded_ids(vault: Vault) -> list[str]:
    """The participants every later release and statistics run must leave out, sorted.

    Every recorded withdrawal is dated today or earlier, so each one applies to anything made
    from now on."""
    return sorted(vault.optouts())


def released_after_withdrawal(vault: Vault, created_on: Mapping[str, date]) -> dict[str, int]:
    """For ``cohortgate audit`` (issue 6, item 7): release id -> how many of its members had
    withdrawn before the day it was made (``created_on``: release id -> the manifest's
    ``created_on``). Releases without such members are left out; counts, never ids."""
    withdrawn = vault.optouts()
    late: dict[str, int] = {}
    for release, made in sorted(created_on.items()):
        count = sum(1 for p in vault.members(release) if p in withdrawn and withdrawn[p] < made)
        if count:
            late[release] = count
    return late
