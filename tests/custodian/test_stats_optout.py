"""R32: the opt-out registry in the vault is applied to the next statistics run, as to every
later release: the engine leaves the opted-out participants out of every count."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.cli.stats import opted_out
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.cohort.sql import Population
from cohortgate.custodian.cohort.synth import INSTITUTION_IDS
from cohortgate.custodian.vault.store import Vault
from cohortgate.layout import Layout

EVERYONE = Population(tuple(d.orpha for d in DISEASES), INSTITUTION_IDS)


def test_excluded_patients_leave_every_count(cohort_path: Path) -> None:
    with Engine.open(cohort_path) as engine:
        before = engine.population_size(EVERYONE)
        by_sex = dict(engine.count(EVERYONE, ("sex",)))
        rows = list(engine.rows("patient", ("patient_id", "sex")))
        counted = [pid for pid, _sex in rows][:3]
        engine.exclude(counted)
        after = engine.population_size(EVERYONE)
        by_sex_after = dict(engine.count(EVERYONE, ("sex",)))
    withdrawn_among = before - after
    assert 0 < withdrawn_among <= 3
    assert sum(by_sex.values()) - sum(by_sex_after.values()) == withdrawn_among


def test_excluding_nobody_changes_nothing(cohort_path: Path) -> None:
    with Engine.open(cohort_path) as engine:
        before = engine.count(EVERYONE, ("disease",))
        engine.exclude([])
        assert engine.count(EVERYONE, ("disease",)) == before


def test_the_registry_comes_from_the_vault(tmp_path: Path) -> None:
    lay = Layout(tmp_path)
    assert opted_out(lay, None) == []  # no vault yet: nobody opted out
    vault_dir = tmp_path / "vault"
    Vault.create(vault_dir)
    assert opted_out(lay, vault_dir) == []
    (vault_dir / "log.jsonl").write_text("not a log\n", "utf-8")
    with pytest.raises(ValueError, match="vault"):
        opted_out(lay, vault_dir)
