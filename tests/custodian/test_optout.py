"""The opt-out registry (R32): recorded in the vault within the broad-consent window, refused
otherwise, and handed to every later release as excluded ids."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from cohort_fixtures import read

from cohortgate.cli import optout as optout_command
from cohortgate.custodian.participants.optout import (
    consent_of,
    excluded_ids,
    record_optout,
    released_after_withdrawal,
    window_of,
)
from cohortgate.custodian.participants.policy import WITHDRAWAL_WINDOW_YEARS
from cohortgate.custodian.vault.log import VaultLog
from cohortgate.custodian.vault.store import Vault, VaultError

TODAY = date(2026, 11, 1)


def _consenting(cohort: Path, count: int) -> list[tuple[str, date]]:
    """Participants with broad consent, not withdrawn in the cohort, consented at least a
    year before TODAY and within the window on TODAY: (id, broad consent date)."""
    rows = read(cohort, "consent", "patient_id", "broad_consent_date", "withdrawal_date")
    found = [
        (pid, consented)
        for pid, consented, withdrawn in rows
        if consented is not None
        and withdrawn is None
        and consented + timedelta(days=365) <= TODAY <= window_of(consented)[1]
    ]
    assert len(found) >= count
    return found[:count]


def main(argv: list[str]) -> int:
    """Run the subcommand as ``cohortgate optout`` would (the parser of its module)."""
    assert argv[0] == optout_command.NAME
    parser = argparse.ArgumentParser(prog=f"cohortgate {optout_command.NAME}")
    optout_command.add_arguments(parser)
    return optout_command.run(parser.parse_args(argv[1:]))


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.create(tmp_path / "vault")


def _log_text(vault: Vault) -> str:
    return (vault.path / "log.jsonl").read_text("utf-8")


def test_an_opt_out_is_recorded_listed_and_excluded(cohort_path: Path, vault: Vault) -> None:
    (first, consented), (second, _) = _consenting(cohort_path, 2)
    on = consented + timedelta(days=100)
    assert record_optout(vault, cohort_path, first, on, "不再参加", TODAY, "cohort.duckdb") == []
    assert record_optout(vault, cohort_path, second, TODAY, None, TODAY, "cohort.duckdb") == []
    reopened = Vault.open(vault.path)
    assert reopened.optouts() == {first: on, second: TODAY}
    assert excluded_ids(reopened) == sorted([first, second])
    stored = json.loads((vault.path / "optouts.json").read_text("utf-8"))
    assert stored["optouts"][first] == {"on": on.isoformat(), "reason": "不再参加"}
    assert (vault.path / "optouts.json").stat().st_mode & 0o777 == 0o600
    text = _log_text(vault)
    assert first not in text and second not in text and "不再参加" not in text
    ops = [e["op"] for e in VaultLog(vault.path).entries()]
    assert ops.count("optout.record") == 2


def test_a_second_opt_out_of_the_same_participant_is_refused(
    cohort_path: Path, vault: Vault
) -> None:
    ((pid, consented),) = _consenting(cohort_path, 1)
    assert record_optout(vault, cohort_path, pid, TODAY, None, TODAY, "c") == []
    again = record_optout(vault, cohort_path, pid, consented, None, TODAY, "c")
    assert [f.code for f in again] == ["participants.already-opted-out"]
    assert vault.optouts() == {pid: TODAY}
    with pytest.raises(VaultError, match="already recorded"):
        vault.record_optout(pid, TODAY, None)


@pytest.mark.parametrize(
    ("shift", "code"),
    [
        (-1, "participants.outside-window"),  # the day before the broad consent
        (1, "participants.outside-window"),  # the day after the window's last day
    ],
)
def test_a_withdrawal_outside_the_window_is_refused(
    cohort_path: Path, vault: Vault, shift: int, code: str
) -> None:
    ((pid, consented),) = _consenting(cohort_path, 1)
    start, end = window_of(consented)
    assert start == consented and (end.year - start.year) == WITHDRAWAL_WINDOW_YEARS
    on = start + timedelta(days=shift) if shift < 0 else end + timedelta(days=shift)
    found = record_optout(vault, cohort_path, pid, on, None, on + timedelta(days=1), "c")
    assert [f.code for f in found] == [code]
    assert pid in found[0].message and end.isoformat() in found[0].message
    assert vault.optouts() == {}
    assert not (vault.path / "optouts.json").exists()


def test_the_window_ends_are_inclusive(cohort_path: Path, vault: Vault) -> None:
    (first, consented_1), (second, consented_2) = _consenting(cohort_path, 2)
    assert record_optout(vault, cohort_path, first, consented_1, None, TODAY, "c") == []
    last = window_of(consented_2)[1]
    assert record_optout(vault, cohort_path, second, last, None, last, "c") == []


def test_unknown_future_and_unconsented_are_refused(cohort_path: Path, vault: Vault) -> None:
    ((pid, _),) = _consenting(cohort_path, 1)
    unknown = record_optout(vault, cohort_path, "P99999999", TODAY, None, TODAY, "c")
    assert [f.code for f in unknown] == ["participants.unknown-patient"]
    future = record_optout(vault, cohort_path, pid, TODAY + timedelta(days=1), None, TODAY, "c")
    assert [f.code for f in future] == ["participants.future-date"]
    assert vault.optouts() == {}
    assert consent_of(cohort_path, "P99999999", "c") is None


def test_a_tampered_registry_is_detected(cohort_path: Path, vault: Vault) -> None:
    ((pid, _),) = _consenting(cohort_path, 1)
    assert record_optout(vault, cohort_path, pid, TODAY, None, TODAY, "c") == []
    path = vault.path / "optouts.json"
    path.write_text('{"optouts":{}}\n', "utf-8")
    with pytest.raises(VaultError, match="differs from the one the log recorded"):
        vault.optouts()
    path.unlink()
    with pytest.raises(VaultError, match=r"optouts\.json is missing"):
        excluded_ids(vault)


def test_the_command_records_and_refuses(cohort_path: Path, tmp_path: Path) -> None:
    ((pid, consented),) = _consenting(cohort_path, 1)
    where = tmp_path / "vault"
    Vault.create(where)
    common = ["--cohort", str(cohort_path), "--vault", str(where), "--root", str(tmp_path)]
    on = (consented + timedelta(days=30)).isoformat()
    argv = ["optout", pid, "--on", on, "--today", TODAY.isoformat(), *common]
    assert main(argv) == 0
    assert main(argv) == 1  # already recorded
    assert main(["optout", "P99999999", "--on", on, "--today", TODAY.isoformat(), *common]) == 1
    assert main(["optout", pid, "--on", "2026-13-01", *common]) == 2
    missing = ["optout", pid, "--on", on, "--vault", str(tmp_path / "nowhere")]
    assert main([*missing, "--cohort", str(cohort_path), "--root", str(tmp_path)]) == 2
    assert not (tmp_path / "nowhere").exists()
    assert Vault.open(where).optouts() == {pid: date.fromisoformat(on)}
    assert pid not in (where / "log.jsonl").read_text("utf-8")


def test_the_audit_finds_releases_made_after_a_withdrawal(cohort_path: Path, vault: Vault) -> None:
    (first, _), (second, _) = _consenting(cohort_path, 2)
    vault.new_release("R-2026-0001-01", "A-2026-0001")
    vault.new_release("R-2026-0001-02", "A-2026-0001")
    vault.record_members("R-2026-0001-01", [first, second])
    vault.record_members("R-2026-0001-02", [first, second])
    on = date(2026, 6, 1)
    assert record_optout(vault, cohort_path, first, on, None, TODAY, "c") == []
    made = {"R-2026-0001-01": on, "R-2026-0001-02": on + timedelta(days=1)}
    assert released_after_withdrawal(vault, made) == {"R-2026-0001-02": 1}
    assert first not in _log_text(vault)
