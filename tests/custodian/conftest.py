"""Small real cohorts, generated once per session into temporary directories."""

from __future__ import annotations

from pathlib import Path

import pytest
from cohort_fixtures import PATIENTS, SEED

from cohortgate.custodian.cohort.synth import GenerationSummary, generate


@pytest.fixture(scope="session")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate(tmp_path_factory.mktemp("cohort") / "cohort.duckdb", PATIENTS, SEED)


@pytest.fixture(scope="session")
def cohort_path(cohort: GenerationSummary) -> Path:
    return cohort.path
