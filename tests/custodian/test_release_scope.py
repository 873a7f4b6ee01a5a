"""Scope (R2, R16, R33): a release holds only children its datasets cover, and "used" means used.

Each release of the tests' world (L1 aggregate, L2 portable, genetic enclave), made through
the real CLI, is compared with the statistics the site publishes for its datasets, computed
by the same code on the same cohort: per contributing institution, the children recorded as
used by the release (the vault's member list) never exceed what the published,
disclosure-controlled count allows, and no child comes from an institution outside the
datasets. An institution's child with a requested disease is not shipped under another
hospital's dataset.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyrage
import pytest
import yaml
from git import Repo
from signed_release_world import GENETIC, L1, SignedWorld, build_signed_world
from signed_release_world import L2 as L2_ID

from cohortgate.catalog.load import load_catalog
from cohortgate.cli import main
from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.cohort.stats import Labels, dataset_stats
from cohortgate.custodian.vault.store import Vault
from cohortgate.layout import Layout
from cohortgate.models.common import Text
from cohortgate.policy import DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS
from signing import Commit, Key

TODAY = "2026-11-29"


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key], cohort_path: Path) -> SignedWorld:
    world = build_signed_world(repo, commit, keys, cohort_path)
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    for app_id in (L1, GENETIC, L2_ID):
        world.approve(app_id)
        argv = ["release", app_id, "--root", str(world.root), "--today", TODAY]
        argv += ["--vault", str(world.root.parent / "vault"), "--recipient", recipient]
        assert main(argv) == 0, app_id
    return world


def published(world: SignedWorld, cohort: Path, dataset_ids: set[str]) -> dict[str, int]:
    """Per institution: the most children the published institution tables of the datasets
    allow (rounded value plus half the rounding base; a suppressed cell: below threshold)."""
    policy = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    catalog, _findings = load_catalog(Layout(world.root), with_stats=False)
    allowed: Counter[str] = Counter()
    labels = Labels({}, lambda h: Text(zh=h, en=h))
    with Engine.open(cohort, read_only=True) as engine:
        for entry in catalog.datasets:
            if entry.dataset.id not in dataset_ids:
                continue
            stats = dataset_stats(entry.dataset, engine, policy, labels)
            [table] = [t for t in stats.tables if [d.name for d in t.dimensions] == ["institution"]]
            for cell in table.cells:
                most = policy.threshold - 1 if cell.value is None else cell.value
                allowed[cell.key[0]] += most + policy.rounding // 2
    return dict(allowed)


def institutions_of(cohort: Path, members: list[str]) -> Counter[str]:
    with duckdb.connect(str(cohort), read_only=True) as con:
        rows = con.execute(
            "SELECT institution_id FROM patient WHERE patient_id IN (SELECT unnest(?))",
            [members],
        ).fetchall()
    return Counter(r[0] for r in rows)


def test_each_release_stays_within_its_datasets_published_counts(world: SignedWorld) -> None:
    cohort = world.root / "custodian" / "cohort.duckdb"
    vault = Vault.open(world.root.parent / "vault")
    checked = 0
    for release in vault.releases():
        app_id = str(vault.release_meta(release)["application"])
        form: Any = yaml.safe_load((world.folder(app_id) / "application.yaml").read_text())
        requested = {d["dataset"] for d in form["datasets"]}
        members = vault.members(release)
        assert members, release
        used = institutions_of(cohort, members)
        allowed = published(world, cohort, requested)
        outside = set(used) - set(allowed)
        assert not outside, (release, outside)  # no child of a hospital outside the datasets
        for institution, count in used.items():
            assert count <= allowed[institution], (release, institution, count)
        checked += 1
    assert checked == 3
