"""Shared fixtures: the repository root and a layout over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.layout import Layout

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def repo_layout() -> Layout:
    return Layout(ROOT)
