"""The HPO/Orphanet index: built once into the user's cache, reopened read-only, rebuilt when
damaged, usable after a fork and without a writable home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cohortgate.ontology import index


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    index.load_index.cache_clear()
    yield tmp_path / "cohortgate"
    index.load_index.cache_clear()


def _check(found: index.OntologyIndex) -> None:
    assert found.hpo("HP:0001250") == index.HpoTerm("HP:0001250", "Seizure", False, None)
    pku = found.disease("ORPHA:79254")
    assert pku is not None and pku.name == "Classic phenylketonuria" and "PAH" in pku.genes
    assert found.is_gene("PAH") and not found.is_gene("NOT-A-GENE")
    assert found.hpo("HP:9999999") is None and found.disease("ORPHA:0") is None
    assert "ORPHA:79254" in found.diseases() and found.term_count() > 10_000


def test_built_once_then_reopened(cache_home: Path) -> None:
    _check(index.load_index())
    (built,) = cache_home.glob("ontology-*.sqlite")
    stamp = built.stat().st_mtime_ns
    index.load_index.cache_clear()
    _check(index.load_index())
    assert built.stat().st_mtime_ns == stamp  # read, not written again
    assert list(cache_home.iterdir()) == [built]  # nothing left aside


def test_a_damaged_index_is_rebuilt(cache_home: Path) -> None:
    index.load_index()
    (built,) = cache_home.glob("ontology-*.sqlite")
    built.write_bytes(b"not a database" * 100)
    index.load_index.cache_clear()
    _check(index.load_index())


def test_an_unwritable_cache_uses_a_temporary_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache folder cannot be made (a file stands where it would go; even root fails)."""
    (tmp_path / "blocked").write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    index.load_index.cache_clear()
    try:
        _check(index.load_index())
    finally:
        index.load_index.cache_clear()


def test_a_forked_child_opens_its_own_connection(cache_home: Path) -> None:
    found = index.load_index()
    _check(found)
    pid = os.fork()
    if pid == 0:  # the child: the parent's connection must not be used here
        try:
            _check(found)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    _check(found)
