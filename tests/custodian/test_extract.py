"""Extraction on a real generated cohort, checked against an independent reading in Python
of the whole tables (rows streamed through the engine; the criteria re-implemented here)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cohort_fixtures import read

from cohortgate.custodian.cohort.engine import CohortError
from cohortgate.custodian.release.extract import (
    CohortCriteria,
    CohortSelection,
    ExtractError,
    extract,
    selection_of,
    unapplied_findings,
)
from cohortgate.models.application import Selection


def _months(birth: dt.date, at: dt.date) -> int:
    return (at.year - birth.year) * 12 + at.month - birth.month - (at.day < birth.day)


def _matches(c: CohortCriteria, pid: str, facts: dict[str, Any]) -> bool:
    patient, diag = facts["patient"][pid], facts["diagnosis"][pid]
    if c.orpha_codes and diag[0] not in c.orpha_codes:
        return False
    if c.sexes and patient[1] not in c.sexes:
        return False
    months = _months(patient[0], diag[1])
    if c.min_age_years is not None and months < c.min_age_years * 12:
        return False
    if c.max_age_years is not None and months > c.max_age_years * 12:
        return False
    if c.hpo_ids and not facts["hpo"].get(pid, set()) & set(c.hpo_ids):
        return False
    if c.genes and not facts["genes"].get(pid, set()) & set(c.genes):
        return False
    if c.diagnosed_from and diag[1] < dt.date.fromisoformat(c.diagnosed_from):
        return False
    return not (c.diagnosed_to and diag[1] > dt.date.fromisoformat(c.diagnosed_to))


@pytest.fixture(scope="module")
def facts(cohort_path: Path) -> dict[str, Any]:
    hpo: dict[str, set[str]] = {}
    for pid, term in read(cohort_path, "phenotype", "patient_id", "hpo_id"):
        hpo.setdefault(pid, set()).add(term)
    genes: dict[str, set[str]] = {}
    for pid, gene in read(cohort_path, "variant", "patient_id", "gene_symbol"):
        genes.setdefault(pid, set()).add(gene)
    return {
        "patient": {
            pid: (birth, sex)
            for pid, birth, sex in read(cohort_path, "patient", "patient_id", "birth_date", "sex")
        },
        "diagnosis": {
            pid: (code, when)
            for pid, code, when in read(
                cohort_path, "diagnosis", "patient_id", "orpha_code", "diagnosis_date"
            )
        },
        "consent": {
            pid: (broad, withdrawn)
            for pid, broad, withdrawn in read(
                cohort_path, "consent", "patient_id", "broad_consent_date", "withdrawal_date"
            )
        },
        "hpo": hpo,
        "genes": genes,
    }


def _expected(
    facts: dict[str, Any], selection: CohortSelection, opted_out: set[str] = frozenset()
) -> set[str]:
    chosen = set()
    for pid in facts["diagnosis"]:
        broad, withdrawn = facts["consent"].get(pid, (None, None))
        if broad is None or withdrawn is not None or pid in opted_out:
            continue
        if not _matches(selection.inclusion, pid, facts):
            continue
        exclusion = selection.exclusion
        if (
            exclusion is not None
            and exclusion != CohortCriteria()
            and _matches(exclusion, pid, facts)
        ):
            continue
        chosen.add(pid)
    return chosen


def _common(facts: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    diseases = Counter(code for code, _ in facts["diagnosis"].values())
    hpo = Counter(term for terms in facts["hpo"].values() for term in terms)
    genes = Counter(gene for gs in facts["genes"].values() for gene in gs)
    return (
        [c for c, _ in diseases.most_common(3)],
        [t for t, _ in hpo.most_common(4)],
        [g for g, _ in genes.most_common(2)],
    )


def test_withdrawn_patients_exist_in_the_fixture(facts: dict[str, Any]) -> None:
    withdrawn = [pid for pid, (_, w) in facts["consent"].items() if w is not None]
    assert len(withdrawn) > 10


def test_inclusion_and_exclusion_criteria(cohort_path: Path, facts: dict[str, Any]) -> None:
    diseases, hpo, _ = _common(facts)
    selection = CohortSelection(
        inclusion=CohortCriteria(
            orpha_codes=tuple(diseases),
            min_age_years=0.5,
            max_age_years=10,
            sexes=("F", "M"),
            diagnosed_from="2017-01-01",
            diagnosed_to="2024-12-31",
        ),
        exclusion=CohortCriteria(hpo_ids=tuple(hpo[:2]), sexes=("M",)),
    )
    result = extract(cohort_path, selection, {"patient": ["sex"], "diagnosis": ["orpha_code"]})
    expected = _expected(facts, selection)
    assert 50 < len(expected) < 1500
    assert set(result.tables["patient"]["patient_id"].tolist()) == expected
    assert set(result.tables["diagnosis"]["patient_id"].tolist()) == expected
    assert set(result.patients) == expected


@pytest.mark.parametrize("field", ["hpo", "genes", "sex", "age", "dates"])
def test_each_criterion_alone(cohort_path: Path, facts: dict[str, Any], field: str) -> None:
    _, hpo, genes = _common(facts)
    criteria = {
        "hpo": CohortCriteria(hpo_ids=tuple(hpo[2:])),
        "genes": CohortCriteria(genes=tuple(genes)),
        "sex": CohortCriteria(sexes=("F",)),
        "age": CohortCriteria(min_age_years=2, max_age_years=4.5),
        "dates": CohortCriteria(diagnosed_from="2020-03-01", diagnosed_to="2021-06-30"),
    }[field]
    selection = CohortSelection(criteria)
    result = extract(cohort_path, selection, {"patient": ["patient_id"]})
    expected = _expected(facts, selection)
    assert 0 < len(expected) < len(facts["diagnosis"])
    assert set(result.tables["patient"]["patient_id"].tolist()) == expected


def test_withdrawn_and_opted_out_are_left_out(cohort_path: Path, facts: dict[str, Any]) -> None:
    everyone = CohortSelection(CohortCriteria())
    all_ids = sorted(facts["diagnosis"])
    opted_out = set(all_ids[::50])
    result = extract(cohort_path, everyone, {"visit": ["visit_date"]}, sorted(opted_out))
    got = set(result.tables["visit"]["patient_id"].tolist())
    withdrawn = {pid for pid, (_, w) in facts["consent"].items() if w is not None}
    assert not got & withdrawn
    assert not got & opted_out
    with_visits = {pid for (pid,) in read(cohort_path, "visit", "patient_id")}
    assert got == _expected(facts, everyone, opted_out) & with_visits


def test_only_requested_columns_and_all_rows_of_a_patient(
    cohort_path: Path, facts: dict[str, Any]
) -> None:
    selection = CohortSelection(CohortCriteria(sexes=("F",)))
    result = extract(cohort_path, selection, {"lab_result": ["value", "analyte"]})
    table = result.tables["lab_result"]
    assert list(table) == ["patient_id", "analyte", "value"]
    chosen = _expected(facts, selection)
    expected = sorted(
        (pid, analyte, value)
        for pid, analyte, value in read(cohort_path, "lab_result", "patient_id", "analyte", "value")
        if pid in chosen
    )
    got = list(zip(*(table[c].tolist() for c in table), strict=True))
    assert sorted(got) == expected


def test_dates_come_back_as_datetime64(cohort_path: Path) -> None:
    result = extract(cohort_path, CohortSelection(CohortCriteria()), {"patient": ["birth_date"]})
    assert result.tables["patient"]["birth_date"].dtype.kind == "M"
    assert isinstance(result.tables["patient"]["patient_id"], np.ndarray)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"patient": ["sex", "favourite_colour"]}, "favourite_colour"),
        ({"imaging": ["modality"]}, "imaging"),
        ({"consent": ["withdrawal_date"]}, "consent"),
    ],
)
def test_missing_variable_is_refused(
    cohort_path: Path, variables: dict[str, list[str]], named: str
) -> None:
    with pytest.raises(ExtractError, match=named):
        extract(cohort_path, CohortSelection(CohortCriteria()), variables)


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    fake = tmp_path / "cohort.duckdb"
    fake.write_text("patient_id,name\nP00000001,Zhang San\n", encoding="utf-8")
    with pytest.raises(CohortError, match="not a DuckDB database"):
        extract(fake, CohortSelection(CohortCriteria()), {"patient": ["sex"]}, display="cohort")


def test_selection_of_returns_the_free_text() -> None:
    selection = Selection.model_validate(
        {
            "inclusion": {
                "diseases": ["ORPHA:716"],
                "age_at_diagnosis": {"min_years": 1, "max_years": 6},
                "sex": ["F"],
                "hpo": ["HP:0001250"],
                "genes": ["PAH"],
                "diagnosed_from": "2018-01-01",
                "text": "treated with sapropterin for at least a year",
            },
            "exclusion": {"genes": ["QDPR"], "text": "liver transplant"},
        }
    )
    cohort_selection, unapplied = selection_of(selection)
    assert cohort_selection.inclusion == CohortCriteria(
        orpha_codes=("ORPHA:716",),
        min_age_years=1,
        max_age_years=6,
        sexes=("F",),
        hpo_ids=("HP:0001250",),
        genes=("PAH",),
        diagnosed_from="2018-01-01",
    )
    assert cohort_selection.exclusion == CohortCriteria(genes=("QDPR",))
    assert unapplied == [
        "inclusion: treated with sapropterin for at least a year",
        "exclusion: liver transplant",
    ]
    findings = unapplied_findings(unapplied, "R-2026-0001-01")
    assert [f.code for f in findings] == ["release.free-text-criterion"] * 2
    assert findings[1].message == "not applied: exclusion: liver transplant"
