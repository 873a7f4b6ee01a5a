"""Small real cohorts, generated once per session into temporary directories; the signing keys
of the release worlds' people and a recipient's age identity, made once per module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyrage
import pytest
from cohort_fixtures import PATIENTS, SEED
from signed_release_world import NAMES

from cohortgate.custodian.cohort.synth import GenerationSummary, generate
from signing import Key, make_keys


@pytest.fixture(scope="session")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("cohort") / "cohort.duckdb", PATIENTS, SEED)


@pytest.fixture(scope="session")
def cohort_path(cohort: GenerationSummary) -> Path:
    return cohort.path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    """Real ssh-keygen keys of the release worlds' people (``signed_release_world.NAMES``)."""
    return make_keys(tmp_path_factory.mktemp("release-keys"), NAMES)


@pytest.fixture(scope="module")
def identity() -> Any:
    """The recipient's age identity."""
    return pyrage.x25519.Identity.generate()
