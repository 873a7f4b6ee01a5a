"""L1 releases: the tables the approved protocol asks for (variables × strata), counted on a real
synthetic DuckDB cohort and put through the site's disclosure control (issue 13)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from cohort_fixtures import read

from cohortgate.catalog.load import load_catalog
from cohortgate.custodian.cohort.engine import ExtractError
from cohortgate.custodian.cohort.sql import DIMENSIONS
from cohortgate.custodian.release.aggregate import aggregate
from cohortgate.custodian.release.extract import selection_of
from cohortgate.custodian.release.prepared import Prepared
from cohortgate.layout import Layout
from cohortgate.models.application import STRATA_DIMENSIONS, Application
from cohortgate.models.dataset import Dataset
from cohortgate.policy import AGE_BANDS, DISCLOSURE_PRESETS, DisclosurePolicy

DATASET = "ds-iem-labs"
DISEASES = ["ORPHA:79254", "ORPHA:79282", "ORPHA:664"]
VARIABLES = [
    ("diagnosis", "onset_age_months"),
    ("diagnosis", "confirmation"),
    ("lab_result", "analyte"),
]
STRATA = [["sex"], ["age_band", "institution"]]


def _application(repo_root: Path, strata: Any = None, variables: Any = VARIABLES) -> Application:
    form = repo_root / "submissions/2026/A-2026-0001/application.yaml"
    data = yaml.safe_load(form.read_text("utf-8"))
    request: dict[str, Any] = {
        "dataset": DATASET,
        "variables": [{"table": t, "name": n, "justification": "protocol"} for t, n in variables],
    }
    if strata is not None:
        request["strata"] = strata
    data["datasets"] = [request]
    data["selection"] = {"inclusion": {"diseases": DISEASES}}
    return Application.model_validate(data)


@pytest.fixture(scope="module")
def dataset(repo_layout: Layout) -> Dataset:
    catalog, findings = load_catalog(repo_layout, with_stats=False)
    assert findings == []
    return next(d.dataset for d in catalog.datasets if d.dataset.id == DATASET)


def _release(app: Application, dataset: Dataset, cohort: Path, excluded: Any = ()) -> Prepared:
    selection, _ = selection_of(app)
    return aggregate(app, [dataset], cohort, selection, list(excluded))


@pytest.fixture(scope="module")
def stratified(repo_root: Path, dataset: Dataset, cohort_path: Path) -> Prepared:
    return _release(_application(repo_root, STRATA), dataset, cohort_path)


def _stats(prepared: Prepared) -> dict[str, Any]:
    return dict(json.loads(prepared.files[f"{DATASET}.stats.json"]))


def _policy(stats: dict[str, Any]) -> DisclosurePolicy:
    return DISCLOSURE_PRESETS[stats["policy"]["preset"]]


# -- the cohort, counted directly (no engine, no SQL) -------------------------------------------


def _population(cohort: Path, dataset: Dataset, excluded: Any = ()) -> dict[str, dict[str, Any]]:
    """Per patient in the release's scope: the values the tables count by."""
    consent = {
        p: (given, withdrawn)
        for p, given, withdrawn in read(
            cohort, "consent", "patient_id", "broad_consent_date", "withdrawal_date"
        )
    }
    diagnosis = {
        row[0]: row[1:]
        for row in read(
            cohort,
            "diagnosis",
            "patient_id",
            "orpha_code",
            "diagnosis_date",
            "onset_age_months",
            "confirmation",
        )
    }
    wanted = set(DISEASES) & set(dataset.orpha_codes())
    out: dict[str, dict[str, Any]] = {}
    for pid, birth, sex, institution in read(
        cohort, "patient", "patient_id", "birth_date", "sex", "institution_id"
    ):
        given, withdrawn = consent.get(pid, (None, None))
        if pid not in diagnosis or given is None or withdrawn is not None or pid in excluded:
            continue
        orpha, diagnosed, onset, confirmation = diagnosis[pid]
        if orpha not in wanted or institution not in dataset.institutions:
            continue
        out[pid] = {
            "disease": orpha,
            "sex": sex,
            "institution": institution,
            "age_band": _band(None if diagnosed is None else _years(birth, diagnosed)),
            "diagnosis_onset_age_months": _band(None if onset is None else onset // 12),
            "diagnosis_confirmation": confirmation or "unknown",
        }
    analytes: dict[str, set[str]] = {}
    for pid, analyte in read(cohort, "lab_result", "patient_id", "analyte"):
        if analyte is not None:
            analytes.setdefault(pid, set()).add(analyte)
    for pid, values in out.items():
        values["lab_result_analyte"] = "+".join(sorted(analytes.get(pid, ()))) or "unknown"
    return out


def _years(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _band(years: int | None) -> str:
    for label, low, high in AGE_BANDS:
        if years is not None and low <= years < high:
            return label
    return "unknown"


def _true_counts(
    people: dict[str, dict[str, Any]], dims: list[str], categories: list[set[str]]
) -> Counter[tuple[str, ...]]:
    """Patients per cell; a value that is no category of its dimension is pooled in 'other'."""
    return Counter(
        tuple(v[d] if v[d] in known else "other" for d, known in zip(dims, categories, strict=True))
        for v in people.values()
    )


# -- the tests ----------------------------------------------------------------------------------


def test_strata_dimensions_are_engine_dimensions() -> None:
    assert set(STRATA_DIMENSIONS) <= set(DIMENSIONS)


def test_one_table_per_variable_and_stratum(stratified: Prepared) -> None:
    stats = _stats(stratified)
    ids = [t["id"] for t in stats["tables"]]
    variables = [f"{t}_{n}" for t, n in VARIABLES]
    assert ids == [f"{v}_x_{'_x_'.join(s)}" for v in variables for s in STRATA]
    for table in stats["tables"]:
        assert table["additive"] is True
    assert stratified.rows == {DATASET.replace("-", "_"): len(ids)}
    assert stratified.findings == []


def test_no_released_count_is_small(stratified: Prepared) -> None:
    stats = _stats(stratified)
    policy = _policy(stats)
    values = [stats["population"]] + [
        c["value"] for t in stats["tables"] for c in t["cells"] if c["value"] is not None
    ]
    assert values and not [v for v in values if policy.is_small(v)]
    suppressed = sum(c["suppressed"] for t in stats["tables"] for c in t["cells"])
    assert suppressed > 0  # the strata are fine enough to need suppression at all
    record = stratified.risk["aggregate"]
    assert record == {
        "policy": policy.name,
        "tables": len(stats["tables"]),
        "cells": sum(len(t["cells"]) for t in stats["tables"]),
        "cells_suppressed": suppressed,
    }


def test_released_counts_agree_with_the_cohort(
    stratified: Prepared, dataset: Dataset, cohort_path: Path
) -> None:
    stats = _stats(stratified)
    policy = _policy(stats)
    people = _population(cohort_path, dataset)
    assert stats["population"] == policy.round(len(people))
    compared = 0
    for table in stats["tables"]:
        dims = [d["name"] for d in table["dimensions"]]
        known = [{c["code"] for c in d["categories"]} for d in table["dimensions"]]
        truth = _true_counts(people, dims, known)
        for cell in table["cells"]:
            if cell["value"] is not None:
                assert cell["value"] == policy.round(truth[tuple(cell["key"])]), (
                    table["id"],
                    cell["key"],
                )
                compared += 1
        assert sum(truth.values()) == len(people)  # every patient in exactly one cell
    assert compared > 50


def test_members_are_the_patients_counted(
    stratified: Prepared, dataset: Dataset, cohort_path: Path
) -> None:
    assert stratified.members == sorted(_population(cohort_path, dataset))


def test_opted_out_patients_are_neither_counted_nor_members(
    repo_root: Path, dataset: Dataset, cohort_path: Path, stratified: Prepared
) -> None:
    excluded = stratified.members[:25]
    app = _application(repo_root, [["sex"]], VARIABLES[:1])
    prepared = _release(app, dataset, cohort_path, excluded)
    assert prepared.members == stratified.members[25:]
    people = _population(cohort_path, dataset, set(excluded))
    assert _stats(prepared)["population"] == _policy(_stats(prepared)).round(len(people))


def test_without_strata_each_variable_is_counted_by_disease(
    repo_root: Path, dataset: Dataset, cohort_path: Path
) -> None:
    prepared = _release(_application(repo_root), dataset, cohort_path)
    stats = _stats(prepared)
    assert [t["id"] for t in stats["tables"]] == [f"{t}_{n}_x_disease" for t, n in VARIABLES]
    assert prepared.findings == []
    assert {v[2] for v in prepared.variables} == {"aggregated"}


def test_the_existing_l1_application_still_releases(
    repo_root: Path, dataset: Dataset, cohort_path: Path
) -> None:
    form = repo_root / "submissions/2026/A-2026-0001/application.yaml"
    app = Application.model_validate(yaml.safe_load(form.read_text("utf-8")))
    prepared = _release(app, dataset, cohort_path)
    stats = _stats(prepared)
    ids = [t["id"] for t in stats["tables"]]
    assert ids[0] == "by_disease" and len(ids) == len(app.datasets[0].variables)
    assert prepared.findings == [] and prepared.members


def test_a_stratum_that_names_no_dimension_is_refused(
    repo_root: Path, dataset: Dataset, cohort_path: Path
) -> None:
    app = _application(repo_root, [["lab_result.sample_date"]])
    with pytest.raises(ExtractError, match=r"lab_result\.sample_date"):
        _release(app, dataset, cohort_path)
