"""Differencing against the previous version in git (real repositories in tmp_path)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from git import Actor, Repo

from cohortgate.disclosure.audit import audit_file
from cohortgate.disclosure.differencing import RevisionError, compare, previous_version
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import summary
from cohortgate.models.common import Text
from cohortgate.models.stats import Category, Cell, DatasetStats, Dimension, StatTable
from cohortgate.policy import DISCLOSURE_PRESETS

WHO = Actor("Data custodian", "custodian@example.org")
T = Text(zh="疾病", en="Disease")
REL = "catalog/stats/demo.json"


def stats(preset: str, population: int | None, values: list[int | None]) -> DatasetStats:
    dimension = Dimension(
        name="disease",
        label=T,
        categories=[Category(code=c, label=T) for c in ("ORPHA:1", "ORPHA:2")],
    )
    cells = [
        Cell(key=[c], value=v, suppressed=v is None)
        for c, v in zip(("ORPHA:1", "ORPHA:2"), values, strict=True)
    ]
    table = StatTable(
        id="by_disease",
        title=T,
        dimensions=[dimension],
        additive=True,
        cells=cells,
        total=sum(v for v in values if v is not None),
    )
    return DatasetStats(
        dataset="demo",
        policy=summary(DISCLOSURE_PRESETS[preset]),
        population=population,
        tables=[table],
    )


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    repository = Repo.init(tmp_path)
    yield repository
    repository.close()


def commit(repo: Repo, version: DatasetStats, message: str) -> None:
    write(Path(str(repo.working_tree_dir)), version)
    repo.index.add([REL])
    repo.index.commit(message, author=WHO, committer=WHO)


def write(root: Path, version: DatasetStats) -> Path:
    path = root / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_stats(version), encoding="utf-8")
    return path


def codes_at(root: Path, against: str | None = None) -> list[tuple[str, str]]:
    found = audit_file(root / REL, REL, root, against)
    return [(f.code, f.path) for f in found]


V1 = stats("ukbiobank", 100, [60, 40])
V2 = stats("ukbiobank", 103, [63, 40])  # three more children with disease 1, published
DIFFERENCED = [
    ("privacy.differencing", "$.population"),
    ("privacy.differencing", "$.tables[0].cells[0].value"),
]


def test_a_small_change_against_head_is_found(repo: Repo, tmp_path: Path) -> None:
    commit(repo, V1, "v1")
    write(tmp_path, V2)  # the working copy differs from HEAD: compare with HEAD
    assert codes_at(tmp_path) == DIFFERENCED
    finding = audit_file(tmp_path / REL, REL, tmp_path)[0]
    assert "HEAD" in finding.message and "3..3" in finding.message
    line = (tmp_path / REL).read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert '"population": 103' in line


def test_once_committed_it_is_compared_with_the_version_before(repo: Repo, tmp_path: Path) -> None:
    commit(repo, V1, "v1")
    commit(repo, V2, "v2")
    assert codes_at(tmp_path) == DIFFERENCED
    assert codes_at(tmp_path, against="HEAD") == []  # the same version: nothing changed


def test_a_named_revision(repo: Repo, tmp_path: Path) -> None:
    commit(repo, V1, "v1")
    commit(repo, stats("ukbiobank", 200, [120, 80]), "v2")
    write(tmp_path, V2)
    assert codes_at(tmp_path) == []  # against HEAD: big changes only
    assert codes_at(tmp_path, against="HEAD~1") == DIFFERENCED
    with pytest.raises(RevisionError):
        codes_at(tmp_path, against="no-such-revision")


def test_rounding_to_5_never_isolates_a_published_change(repo: Repo, tmp_path: Path) -> None:
    commit(repo, stats("opensafely", 100, [60, 40]), "v1")
    write(tmp_path, stats("opensafely", 105, [65, 40]))
    assert codes_at(tmp_path) == []


def test_a_suppressed_cell_hides_its_change(repo: Repo, tmp_path: Path) -> None:
    commit(repo, V1, "v1")
    write(tmp_path, stats("ukbiobank", None, [None, 40]))
    assert codes_at(tmp_path) == []


def test_no_repository_no_commit_no_previous_version(repo: Repo, tmp_path: Path) -> None:
    path = write(tmp_path, V2)
    assert previous_version(tmp_path, path) is None  # a repository without commits
    commit(repo, V1, "v1")
    other = tmp_path / "catalog" / "stats" / "new.json"
    other.write_text(dumps_stats(V2), encoding="utf-8")
    assert previous_version(tmp_path, other) is None  # a file git does not know yet


def test_outside_a_repository(tmp_path: Path) -> None:
    path = write(tmp_path, V2)
    assert previous_version(tmp_path, path) is None
    assert codes_at(tmp_path) == []


def test_compare_works_on_models() -> None:
    policy = DISCLOSURE_PRESETS["ukbiobank"]
    issues = compare(V2, V1, policy, "last quarter")
    assert [i.path for i in issues] == [("population",), ("tables", 0, "cells", 0, "value")]
    assert issues[0].params["previous"] == "last quarter"
    drop = compare(stats("ukbiobank", 96, [56, 40]), V1, policy, "v1")
    assert [(i.params["low"], i.params["high"]) for i in drop] == [(-4, -4), (-4, -4)]
