"""The linkage attack on what ``cohortgate release`` actually ships (R28).

The recipient decrypts the package and joins its tables by the release's pseudonym into one
record per child: the person quasi-identifiers (birth date, sex, disease) and the visit history
(number of visits, first visit, the sequence of visit dates, which fixes the intervals). This
test computes that record with pandas from the CSV files alone, apart from the gate's code, and
checks every combination of up to three of its columns against the policy: k at least
``k_min`` and an average prosecutor risk (classes over records) at most the policy's. A second
release to the same recipient (a re-release, with its reason) is then checked together with the
first, the two linked by the custodian's map of pseudonyms to cohort ids (the worst case: an
attacker who links the children of both releases without error).
"""

from __future__ import annotations

import csv
import io
import itertools
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from git import Repo
from signed_release_world import L2 as L2_ID
from signed_release_world import SignedWorld, build_signed_world, dump, l2_application

from cohortgate.cli import main
from cohortgate.custodian.release.package import unpack
from cohortgate.custodian.risk.policy import DEFAULT_RISK_POLICY
from cohortgate.custodian.vault.store import Vault
from signing import Commit, Key

TODAY = "2026-11-29"
MAX_SIZE = 3
PERSON = ("birth_date", "sex", "orpha_code")


@pytest.fixture
def world(repo: Repo, commit: Commit, keys: dict[str, Key], cohort_path: Path) -> SignedWorld:
    world = build_signed_world(repo, commit, keys, cohort_path)
    world.approve(L2_ID)
    return world


def _release(
    world: SignedWorld, identity: Any, *extra: str, app_id: str = L2_ID
) -> dict[str, list[dict[str, str]]]:
    argv = ["release", app_id, "--root", str(world.root), "--today", TODAY]
    argv += ["--vault", str(world.root.parent / "vault"), "--recipient", str(identity.to_public())]
    assert main([*argv, *extra]) == 0
    latest = sorted(world.folder(app_id).glob("releases/*.yaml"))[-1]
    manifest = yaml.safe_load(latest.read_text("utf-8"))
    sealed = (world.root / "custodian" / "outbox" / manifest["package"]["name"]).read_bytes()
    files = unpack(sealed, str(identity))
    return {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        for name, data in files.items()
    }


def joined(tables: dict[str, list[dict[str, str]]]) -> pd.DataFrame:
    """One row per pseudonym, as the recipient builds it from the CSV files."""
    patient = pd.DataFrame(tables["patient"]).set_index("patient_id")
    diagnosis = pd.DataFrame(tables["diagnosis"]).set_index("patient_id")
    person = patient[["birth_date", "sex"]].join(diagnosis[["orpha_code"]], how="outer")
    visits = pd.DataFrame(tables["visit"])
    history = visits.groupby("patient_id")["visit_date"].agg(
        count="size",
        first="min",
        sequence=lambda days: "|".join(sorted(days)),
    )
    frame = person.join(history, how="left")
    frame["count"] = frame["count"].fillna(0).astype(int)
    return frame.fillna("none").astype(str)


def breaches(frame: pd.DataFrame) -> list[tuple[tuple[str, ...], int, float]]:
    """The combinations of up to three columns that break the policy: (columns, k, risk)."""
    policy = DEFAULT_RISK_POLICY
    found = []
    for size in range(1, MAX_SIZE + 1):
        for combo in itertools.combinations(frame.columns, size):
            sizes = frame.groupby(list(combo)).size()
            risk = len(sizes) / len(frame)
            if sizes.min() < policy.k_min or risk > policy.average_prosecutor_max:
                found.append((combo, int(sizes.min()), risk))
    return found


def test_the_released_tables_joined_meet_the_policy(world: SignedWorld, identity: Any) -> None:
    tables = _release(world, identity)
    frame = joined(tables)
    assert len(frame) > 100 and set(frame.columns) == {*PERSON, "count", "first", "sequence"}
    assert breaches(frame) == []


def union(world: SignedWorld, first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Both releases' records side by side per child, linked by the custodian's map of
    pseudonyms to cohort ids (the worst case: an attacker who links them without error)."""
    vault = Vault.open(world.root.parent / "vault")
    cohort: dict[str, str] = {}
    for release in vault.releases():
        arrays = vault.arrays(release, "trace-patient")
        cohort.update(
            zip(arrays["patient_id"].tolist(), arrays["patient_key"].tolist(), strict=True)
        )
    both = (
        first.rename(index=cohort)
        .add_prefix("1:")
        .join(second.rename(index=cohort).add_prefix("2:"), how="outer")
    )
    assert len(both) >= max(len(first), len(second))
    return both.fillna("absent")


def test_a_rerelease_and_the_first_meet_the_policy_together(
    world: SignedWorld, identity: Any
) -> None:
    first = joined(_release(world, identity))
    second = joined(_release(world, identity, "--reason", "the first copy was lost"))
    assert breaches(second) == []
    assert breaches(union(world, first, second)) == []


def test_the_team_s_other_application_is_checked_with_the_first(
    world: SignedWorld, identity: Any
) -> None:
    """Another application of the same team, for overlapping diseases: its release is
    de-identified so that the team's two releases together meet the policy (R28)."""
    first = joined(_release(world, identity))
    other = "A-2026-0004"
    form = l2_application()
    form["id"] = other
    form["selection"]["inclusion"]["diseases"] = ["ORPHA:739", "ORPHA:15", "ORPHA:648"]
    folder = world.folder(other)
    folder.mkdir(parents=True)
    for name in ("protocol.pdf", "ethics-letter.pdf"):
        shutil.copy(world.folder(L2_ID) / name, folder / name)
    (folder / "application.yaml").write_text(dump(form), "utf-8")
    world.repo.git.add(str(folder))
    world.repo.git.commit("--no-gpg-sign", "-q", "-m", f"application {other}")
    world.approve(other)
    second = joined(_release(world, identity, app_id=other))
    manifest = yaml.safe_load(next(world.folder(other).glob("releases/*.yaml")).read_text())
    assert manifest["risk"]["union"]["releases"] == 2 and manifest["risk"]["union"]["passes"]
    assert breaches(second) == []
    assert breaches(union(world, first, second)) == []
