"""Fixtures of the site tests: a small catalog root in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_fixture import make_root

from cohortgate.layout import Layout


@pytest.fixture
def root(tmp_path: Path) -> Layout:
    return make_root(tmp_path)
