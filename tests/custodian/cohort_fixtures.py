"""Constants and helpers shared by the custodian tests (imported by conftest and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cohortgate.custodian.cohort.engine import Engine

PATIENTS = 2_000
SEED = 20240201


def read(path: Path, table: str, *columns: str) -> list[tuple[Any, ...]]:
    """Rows of a cohort table, read through the engine (the tests hold no SQL)."""
    with Engine.open(path) as engine:
        return list(engine.rows(table, columns))
