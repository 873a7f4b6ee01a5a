"""Disclosure control driven by examples: ``examples/<case>/input.yaml`` -> ``expected.yaml``.

A new bug becomes a new folder. Each case also proves that its output passes the independent
audit, and, where the input names cells, that primary suppression alone would have published
them recoverably (the audit's LP finds exactly those).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from disclosure_cases import (
    EXAMPLES,
    compact,
    count_table,
    load_expected,
    load_input,
    policy_of,
    stats_from_compact,
)

from cohortgate.catalog.load import load_stats
from cohortgate.disclosure import codes as P
from cohortgate.disclosure.audit import audit_stats
from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import disclose
from cohortgate.models.stats import DatasetStats

CASES = sorted(p for p in EXAMPLES.iterdir() if (p / "input.yaml").is_file())


def run_case(case: Path, *, secondary: bool = True) -> tuple[DatasetStats, set[str]]:
    data = load_input(case)
    policy = policy_of(data)
    tables = [count_table(spec) for spec in data["tables"]]
    previous = None
    if "previous" in data:
        previous = stats_from_compact(data["previous"], tables, policy, "example")
    stats = disclose("example", data["population"], tables, policy, previous, secondary=secondary)
    return stats, {t.id for t in tables if t.top is not None}


def test_there_are_examples() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_published_tables_are_as_expected(case: Path) -> None:
    stats, tops = run_case(case)
    assert compact(stats, tops) == load_expected(case)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_passes_the_audit(case: Path) -> None:
    stats, _ = run_case(case)
    assert audit_stats(stats) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_primary_suppression_alone_is_recoverable_where_the_case_says(case: Path) -> None:
    expected = load_input(case).get("primary_only_recoverable", [])
    naive, _ = run_case(case, secondary=False)
    found = [i.params["where"] for i in audit_stats(naive) if i.code is P.RECOVERABLE_CELL]
    assert found == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_file_reads_back_as_written(case: Path, tmp_path: Path) -> None:
    stats, _ = run_case(case)
    path = tmp_path / "example.json"
    path.write_text(dumps_stats(stats), encoding="utf-8")
    loaded, findings = load_stats(path, "example.json")
    assert findings == []
    assert loaded == stats
